"""From the user's columns to the canonical rows every objective starts from.

    text                                          -> {"text"}
    alpaca, sharegpt, messages, prompt_completion -> {"messages"} (ends on an assistant turn)
    preference                                    -> {"prompt": messages | None, "chosen", "rejected"}
    kto                                           -> {"prompt": messages, "completion": str, "label": bool}
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DataError
from ..prompting import with_system
from .cells import Row
from .formats import check_format, detect_format
from .problems import Records, RowError, RowLog, Skip


@dataclass
class Normalised:
    rows: Records
    format: str
    notes: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    skipped: int = 0


def normalise(records, fmt: str, columns: dict | None = None, file: str | None = None):
    """(canonical rows, notes). Raises the first DataError; rows with empty cells are skipped and noted."""
    result = normalise_all(records, fmt, columns, file)
    if result.problems:
        raise result.problems[0]
    return result.rows, result.notes


def normalise_all(records, fmt: str, columns: dict | None = None, file: str | None = None,
                  max_problems: int = 100) -> Normalised:
    """Every row's problem, not just the first: what a preview needs to mark the bad rows."""
    records = Records.of(records, file)
    if not records:
        raise DataError("data.err.no_rows", file=records.file)
    fmt = detect_format(records, columns) if fmt in (None, "auto") else fmt
    column_map = check_format(records, fmt, columns)
    convert, log = _CONVERTERS[fmt], RowLog(records, max_problems)
    rows, numbers = [], []
    for index in range(len(records)):
        try:
            rows.append(convert(Row(records, index, column_map)))
            numbers.append(records.numbers[index])
        except Skip as skip:
            log.skip(skip, index)
        except RowError as error:
            log.problem(error)
    problems = log.problems or ([log.nothing_left()] if not rows else [])
    return Normalised(records.like(rows, numbers), fmt, log.notes(), problems, log.skipped_count)


def _text(row: Row) -> dict:
    return {"text": row.text("text")}


def _alpaca(row: Row) -> dict:
    user = "\n".join(part for part in (row.text("instruction", False), row.text("input", False)) if part)
    if not user:
        raise row.skip("instruction")
    output = row.text("output")
    system = row.text("system", False) if row.has("system") else None
    history = row.history("history") if row.has("history") else []
    messages = history + [{"role": "user", "content": user}, {"role": "assistant", "content": output}]
    return {"messages": with_system(messages, system)}


def _sharegpt(row: Row) -> dict:
    messages = row.messages("conversations")
    system = row.text("system", False) if row.has("system") else None
    return {"messages": with_system(messages, system)}


def _messages(row: Row) -> dict:
    return {"messages": row.messages("messages")}


def _prompt_completion(row: Row) -> dict:
    completion = row.text_or_messages("completion")
    messages = _prompt(row) + _as_messages(completion)
    row.check_conversation(messages, "completion")
    return {"messages": messages}


def _preference(row: Row) -> dict:
    prompt = _prompt(row) if row.has("prompt") else None
    chosen, rejected = row.text_or_messages("chosen"), row.text_or_messages("rejected")
    if prompt is None and isinstance(chosen, list) and isinstance(rejected, list):
        prompt, chosen, rejected = _shared_prompt(row, chosen, rejected)
    chosen, rejected = _answer(row, prompt, chosen, "chosen"), _answer(row, prompt, rejected, "rejected")
    if chosen == rejected:
        raise row.skip("chosen", "data.note.same_answer")
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


def _kto(row: Row) -> dict:
    prompt = _prompt(row)
    completion = row.text_or_messages("completion")
    if isinstance(completion, list):
        if len(completion) != 1 or completion[0]["role"] != "assistant":
            raise row.error("data.err.kto_completion", "completion")
        completion = completion[0]["content"]
    return {"prompt": prompt, "completion": completion, "label": row.label("label")}


def _prompt(row: Row) -> list[dict]:
    prompt = row.text_or_messages("prompt")
    if isinstance(prompt, str):
        return [{"role": "user", "content": prompt}]
    if not any(m["role"] == "user" for m in prompt):
        raise row.error("data.err.conversation_no_user", "prompt")
    return prompt


def _as_messages(answer) -> list[dict]:
    return answer if isinstance(answer, list) else [{"role": "assistant", "content": answer}]


def _shared_prompt(row: Row, chosen: list, rejected: list):
    """Split two full conversations into the turns they share (the prompt) and their answers."""
    shared = 0
    while shared < min(len(chosen), len(rejected)) and chosen[shared] == rejected[shared]:
        shared += 1
    while shared and chosen[shared - 1]["role"] == "assistant":
        shared -= 1  # an answer that happens to start the same way still belongs to the answer
    if not shared:
        raise row.error("data.err.preference_no_shared_prompt", "chosen")
    return chosen[:shared], chosen[shared:], rejected[shared:]


def _answer(row: Row, prompt, answer, name: str):
    """A preference answer: text, or the assistant turns after the prompt.

    Some datasets repeat the prompt inside chosen/rejected: it is taken out. A single assistant
    message becomes its text, so most rows share one shape whatever the file wrote.
    """
    if not isinstance(answer, list):
        return answer
    row.check_conversation((prompt or []) + answer, name)
    if prompt and answer[:len(prompt)] == prompt:
        answer = answer[len(prompt):]
    if not answer:
        raise row.skip(name)
    return answer[0]["content"] if len(answer) == 1 and answer[0]["role"] == "assistant" else answer


_CONVERTERS = {
    "text": _text, "alpaca": _alpaca, "sharegpt": _sharegpt, "messages": _messages,
    "prompt_completion": _prompt_completion, "preference": _preference, "kto": _kto,
}
