"""A look at a data file before training: format, preview, problems at their rows, token stats.

Never raises for a bad file: what stops training comes back in `problems`, so the UI can show
each one next to its row.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import DataError
from .formats import source_columns
from .normalise import normalise_all
from .prepare import build_stats
from .readers import read_records
from .shapes import CONVERSATION_FORMATS, default_prompt_style, shape_rows

# The objective a format is measured for when the caller names none.
_NATURAL_OBJECTIVE = {"text": "pretrain", "preference": "dpo", "kto": "kto",
                      **{fmt: "sft" for fmt in CONVERSATION_FORMATS}}


@dataclass
class Inspection:
    format: str | None
    columns: list[str]
    preview: list[dict]
    rows: int
    stats: dict | None = None
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # each preview row's number in the file


def inspect(path, fmt: str = "auto", columns: dict | None = None, tokenizer=None, max_length: int | None = None,
            objective: str | None = None, preview_rows: int = 20, prompt_style: str | None = None) -> Inspection:
    try:
        records = read_records(path)
    except DataError as error:
        return Inspection(format=None, columns=[], preview=[], rows=0, problems=[error])
    found = Inspection(format=None, columns=source_columns(records), preview=[dict(r) for r in records[:preview_rows]],
                       rows=len(records), row_numbers=records.numbers[:preview_rows])
    try:
        normalised = normalise_all(records, fmt, columns)
        found.format, found.notes, found.problems = normalised.format, normalised.notes, normalised.problems
        if found.problems or not (objective or tokenizer):
            return found
        objective = objective or _NATURAL_OBJECTIVE[found.format]
        style = prompt_style if prompt_style not in (None, "auto") else default_prompt_style(objective)
        rows, shape_notes = shape_rows(normalised.rows, found.format, objective, style, tokenizer=tokenizer)
        found.notes += shape_notes
        if tokenizer is not None:
            found.stats = build_stats(rows, None, found.format, tokenizer, max_length, normalised.skipped)
    except DataError as error:
        found.problems.append(error)
    return found
