"""Canonical rows -> the rows a TRL trainer takes for an objective, in the run's prompt style.

`chat` rows hold message lists (TRL applies the chat template); `plain` rows hold strings written
by `studio.prompting.render_plain`, so training, chat and eval see the same text.
"""
from __future__ import annotations

from ..errors import DataError
from ..prompting import render_plain, with_system
from .problems import Records

CONVERSATION_FORMATS = ("alpaca", "sharegpt", "messages", "prompt_completion")

# The formats each objective can train on; the first is its own, the others are converted
# (with a note saying so).
FORMAT_FOR_OBJECTIVE: dict[str, tuple[str, ...]] = {
    "pretrain": ("text",) + CONVERSATION_FORMATS,
    "sft": CONVERSATION_FORMATS,
    "instruction": CONVERSATION_FORMATS,
    "reward": ("preference",),
    "dpo": ("preference",),
    "orpo": ("preference",),
    "kto": ("kto", "preference"),
    "rl": CONVERSATION_FORMATS + ("preference", "kto"),
}


def objectives_for(fmt: str) -> list[str]:
    return [objective for objective, formats in FORMAT_FOR_OBJECTIVE.items() if fmt in formats]


def default_prompt_style(objective: str) -> str:
    """The same rule as Recipe.prompt_style: plain text for pretrain and sft, the chat template otherwise."""
    return "plain" if objective in ("pretrain", "sft") else "chat"


def shape_rows(canonical: Records, fmt: str, objective: str, style: str,
               system_prompt: str | None = None, tokenizer=None) -> tuple[Records, list]:
    """(rows for the trainer, notes). Raises DataError when the format cannot feed the objective."""
    accepted = FORMAT_FOR_OBJECTIVE[objective]
    if fmt not in accepted:
        raise DataError("data.err.objective_format", file=canonical.file, format=fmt, objective=objective,
                        needed=", ".join(accepted), fits=", ".join(objectives_for(fmt)) or "-")
    style = default_prompt_style(objective) if style in (None, "auto") else style
    shaper = _Shaper(canonical, style, system_prompt, tokenizer)
    rows, numbers = [], []
    for index, row in enumerate(canonical):
        for shaped in shaper.shape(index, fmt, objective):
            rows.append(shaped)
            numbers.append(canonical.numbers[index])
    out = canonical.like(rows, numbers)
    check_uniform(out)
    return out, shaper.notes(fmt, objective, len(canonical))


class _Shaper:
    def __init__(self, canonical: Records, style: str, system_prompt: str | None, tokenizer):
        self.canonical, self.style, self.system, self.tokenizer = canonical, style, system_prompt, tokenizer
        self.earlier_turns = 0  # conversations whose earlier assistant turns become context only

    def shape(self, index: int, fmt: str, objective: str) -> list[dict]:
        row = self.canonical[index]
        if fmt == "text":
            return [{"text": row["text"]}]
        if fmt in CONVERSATION_FORMATS:
            return [self._conversation(with_system(row["messages"], self.system), objective)]
        prompt = with_system(row["prompt"], self.system) if row["prompt"] is not None else None
        if prompt is None and objective in ("kto", "rl"):
            raise self.canonical.error("data.err.needs_prompt", index,
                                       column="prompt", objective=objective)
        if fmt == "kto":
            if objective == "rl":
                return [{"prompt": self._prompt(prompt), "answer": row["completion"] if row["label"] else None}]
            return [self._unpaired(prompt, row["completion"], row["label"])]
        if objective == "kto":
            return [self._unpaired(prompt, row["chosen"], True), self._unpaired(prompt, row["rejected"], False)]
        if objective == "rl":
            return [{"prompt": self._prompt(prompt), "answer": self._answer_text(row["chosen"])}]
        if prompt is None:  # implicit prompt (text only): TRL finds the shared start of chosen and rejected
            return [{"chosen": row["chosen"], "rejected": row["rejected"]}]
        return [{"prompt": self._prompt(prompt), "chosen": self._answer(row["chosen"]),
                 "rejected": self._answer(row["rejected"])}]

    def _conversation(self, messages: list[dict], objective: str) -> dict:
        context, last = messages[:-1], messages[-1]
        if objective == "instruction" and self.style == "chat":
            return {"messages": messages}
        if objective == "pretrain":
            return {"text": self._flat(messages)}
        if any(m["role"] == "assistant" for m in context):
            self.earlier_turns += 1
        if objective == "rl":
            return {"prompt": self._prompt(context), "answer": last["content"]}
        return {"prompt": self._prompt(context), "completion": self._answer(last["content"])}

    def _unpaired(self, prompt: list[dict], completion, label: bool) -> dict:
        return {"prompt": self._prompt(prompt), "completion": self._answer(completion), "label": label}

    def _prompt(self, messages: list[dict]):
        return messages if self.style == "chat" else render_plain(messages)

    def _answer(self, answer):
        if self.style == "chat":
            return answer if isinstance(answer, list) else [{"role": "assistant", "content": answer}]
        return self._answer_text(answer)

    @staticmethod
    def _answer_text(answer) -> str:
        """An answer as the text that follows a plain prompt (which ends with 'Assistant: ')."""
        if isinstance(answer, str):
            return answer
        lines = [answer[0]["content"]]
        for message in answer[1:]:
            lines.append(f"{'User' if message['role'] == 'user' else 'Assistant'}: {message['content']}")
        return "\n".join(lines)

    def _flat(self, messages: list[dict]) -> str:
        if self.style == "chat" and self.tokenizer is not None:
            return chat_text(self.tokenizer, messages, file=self.canonical.file)
        return render_plain(messages[:-1]) + messages[-1]["content"]

    def notes(self, fmt: str, objective: str, rows: int) -> list[DataError]:
        file, found = self.canonical.file, []
        if objective == "pretrain" and fmt != "text":
            found.append(DataError("data.note.flattened", file=file, format=fmt, count=rows))
        if objective == "kto" and fmt == "preference":
            found.append(DataError("data.note.unpaired", file=file, count=rows, total=2 * rows))
        if self.earlier_turns:
            found.append(DataError("data.note.last_turn_only", file=file, count=self.earlier_turns))
        return found


def chat_text(tokenizer, messages: list[dict], add_generation_prompt: bool = False, file: str = "") -> str:
    try:
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    except Exception as exc:  # no template, or one that rejects this conversation (jinja raises its own)
        raise DataError("data.err.chat_template", file=file, reason=str(exc)[:200]) from None


def check_uniform(rows: Records) -> None:
    """Every row must have the same columns holding the same kind of value: a Dataset needs one schema."""
    if not rows:
        return
    first = _kinds(rows[0])
    for index, row in enumerate(rows):
        kinds = _kinds(row)
        # None fits any column (an RL row without a reference answer).
        odd = [k for k in sorted(set(kinds) | set(first))
               if k not in kinds or k not in first or None not in (kinds[k], first[k]) and kinds[k] != first[k]]
        if odd:
            raise rows.error("data.err.mixed_shapes", index, column=odd[0])


def _kinds(row: dict) -> dict:
    return {key: None if value is None else type(value) for key, value in row.items()}
