"""Reading one cell as what a format expects there: text, a conversation, a boolean label.

A problem the user must fix raises a RowError naming the row and the user's column; an empty
required cell raises Skip, so the row is left out and reported instead of stopping the run.
"""
from __future__ import annotations

import json
import math

from .problems import MAX_CELL_CHARS, Records, RowError, Skip, excerpt

ROLES = {
    "system": "system",
    "user": "user", "human": "user", "prompter": "user",
    "assistant": "assistant", "gpt": "assistant", "bot": "assistant", "model": "assistant",
    "ai": "assistant", "chatgpt": "assistant",
}
TRUE_LABELS = ("true", "yes", "y", "1", "good", "positive", "desirable", "👍", "是", "好")
FALSE_LABELS = ("false", "no", "n", "0", "bad", "negative", "undesirable", "👎", "否", "坏")
_ROLE_KEYS, _CONTENT_KEYS = ("role", "from"), ("content", "value", "text")


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, (list, tuple, dict)) and not value


class Row:
    """One record seen through the column map (canonical name -> the user's column)."""

    def __init__(self, records: Records, index: int, columns: dict[str, str]):
        self.records, self.index, self.columns = records, index, columns
        self.record = records[index]

    def has(self, name: str) -> bool:
        return name in self.columns

    def raw(self, name: str):
        value = self.record.get(self.columns[name]) if name in self.columns else None
        return value.tolist() if hasattr(value, "tolist") else value  # numpy cells from pandas

    def error(self, key: str, name: str, **params) -> RowError:
        return self.records.error(key, self.index, column=self.columns.get(name, name), **params)

    def skip(self, name: str, key: str = "data.note.empty_cell") -> Skip:
        return Skip(key, self.columns.get(name, name))

    # --- text ---------------------------------------------------------------------------------
    def text(self, name: str, required: bool = True) -> str | None:
        text = self.as_text(self.raw(name), name)
        if text is None and required:
            raise self.skip(name)
        return text

    def as_text(self, value, name: str) -> str | None:
        """Text of a cell: numbers become text quietly; lists and objects are a mistake."""
        if is_empty(value):
            return None
        if isinstance(value, (list, tuple, dict)):
            raise self.error("data.err.not_text", name, value=excerpt(value))
        text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_CELL_CHARS:
            raise self.error("data.err.huge_cell", name, size=len(text), limit=MAX_CELL_CHARS)
        return text

    def text_or_messages(self, name: str, required: bool = True):
        """A cell that holds either plain text or a list of messages (JSON text in a CSV cell)."""
        value = self.raw(name)
        parsed = _json_list(value) if isinstance(value, str) else None
        if isinstance(parsed, list) and parsed and all(isinstance(m, dict) for m in parsed):
            value = parsed
        if isinstance(value, (list, tuple)) and value and all(isinstance(m, dict) for m in value):
            return self.messages(name, end_on_assistant=False, value=value)
        return self.text(name, required)

    # --- conversations ------------------------------------------------------------------------
    def messages(self, name: str, end_on_assistant: bool = True, value=None) -> list[dict]:
        """A validated conversation with roles system/user/assistant (aliases accepted)."""
        value = self.raw(name) if value is None else value
        if isinstance(value, str) and value.strip():
            parsed = _json_list(value)
            if not isinstance(parsed, list):
                raise self.error("data.err.not_conversation", name, value=excerpt(value))
            value = parsed
        if is_empty(value):
            raise self.skip(name)
        if not isinstance(value, (list, tuple)):
            raise self.error("data.err.not_conversation", name, value=excerpt(value))
        messages = [m for m in (self._message(item, name, n) for n, item in enumerate(value, 1)) if m]
        if not any(m["role"] != "system" for m in messages):
            raise self.skip(name)
        if end_on_assistant:
            self.check_conversation(messages, name)
        return messages

    def check_conversation(self, messages: list[dict], name: str) -> None:
        if not any(m["role"] == "user" for m in messages):
            raise self.error("data.err.conversation_no_user", name)
        if messages[-1]["role"] != "assistant":
            raise self.error("data.err.conversation_end", name, role=messages[-1]["role"])

    def _message(self, item, name: str, number: int) -> dict | None:
        if not isinstance(item, dict):
            raise self.error("data.err.bad_message", name, message=number, value=excerpt(item))
        role_value = next((item[k] for k in _ROLE_KEYS if item.get(k) is not None), None)
        if role_value is None or not any(k in item for k in _CONTENT_KEYS):
            raise self.error("data.err.bad_message", name, message=number, value=excerpt(item))
        role = ROLES.get(str(role_value).strip().lower())
        if role is None:
            raise self.error("data.err.unknown_role", name, message=number, role=role_value,
                             roles=", ".join(ROLES))
        content = self._content(next((item[k] for k in _CONTENT_KEYS if item.get(k) is not None), None), name)
        if content is None:
            if role == "system":
                return None  # an empty system message says nothing; leaving it out is harmless
            raise self.skip(name, "data.note.empty_message")
        return {"role": role, "content": content}

    def _content(self, value, name: str) -> str | None:
        # OpenAI-style content parts: [{"type": "text", "text": "..."}]
        if isinstance(value, list) and all(isinstance(p, dict) and p.get("type") == "text" for p in value):
            value = "".join(str(p.get("text") or "") for p in value)
        return self.as_text(value, name)

    # --- labels and pairs ---------------------------------------------------------------------
    def label(self, name: str) -> bool:
        value = self.raw(name)
        if is_empty(value):
            raise self.skip(name)
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower()
        if text in TRUE_LABELS:
            return True
        if text in FALSE_LABELS:
            return False
        raise self.error("data.err.bad_label", name, value=excerpt(value),
                         true="/".join(TRUE_LABELS), false="/".join(FALSE_LABELS))

    def history(self, name: str) -> list[dict]:
        """Alpaca history: [[user, assistant], ...] as messages."""
        raw = value = self.raw(name)
        if isinstance(raw, str) and raw.strip():
            value = _json_list(raw)
        elif is_empty(raw):
            return []
        if not isinstance(value, (list, tuple)):
            raise self.error("data.err.bad_history", name, value=excerpt(raw))
        messages = []
        for pair in value:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise self.error("data.err.bad_history", name, value=excerpt(pair))
            user, assistant = (self.as_text(part, name) for part in pair)
            if user is None or assistant is None:
                raise self.skip(name, "data.note.empty_message")
            messages += [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]
        return messages


def _json_list(text: str):
    """The list a CSV cell holds as JSON text, or None when it holds something else."""
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, list) else None
