"""The data a training run gets: read, normalise, shape for the objective, split, measure."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from datasets import Dataset

from ..errors import DataError
from .normalise import normalise_all
from .problems import Records
from .readers import read_records
from .shapes import default_prompt_style, shape_rows
from .stats import summarise, token_lengths

SMALL_EVAL_ROWS = 10  # below this the validation loss is too noisy to compare runs by


@dataclass
class PreparedData:
    train: Dataset
    eval: Dataset | None
    format: str
    stats: dict
    notes: list = field(default_factory=list)


def prepare(cfg, objective: str, tokenizer, prompt_style: str, seed: int = 42) -> PreparedData:
    """Rows ready for the objective's TRL trainer, from a recipe's DataSection. Raises DataError."""
    style = default_prompt_style(objective) if prompt_style in (None, "auto") else prompt_style
    train, fmt, notes, skipped = load_for_objective(cfg.path, cfg, objective, style, tokenizer)
    if cfg.eval_path:
        held_out, _, eval_notes, eval_skipped = load_for_objective(cfg.eval_path, cfg, objective, style, tokenizer)
        notes, skipped = notes + eval_notes, skipped + eval_skipped
    else:
        train, held_out, split_notes = split(train, cfg.val_split, seed)
        notes = notes + split_notes
    stats = build_stats(train, held_out, fmt, tokenizer, cfg.max_length, skipped)
    return PreparedData(
        train=Dataset.from_list(list(train)),
        eval=Dataset.from_list(list(held_out)) if held_out else None,
        format=fmt, stats=stats, notes=notes,
    )


def load_for_objective(path, cfg, objective: str, style: str, tokenizer):
    """(shaped rows, source format, notes, rows skipped) for one file."""
    records = read_records(path, cfg.max_rows)
    normalised = normalise_all(records, cfg.format, cfg.columns)
    if normalised.problems:
        raise normalised.problems[0]
    rows, shape_notes = shape_rows(normalised.rows, normalised.format, objective, style,
                                   cfg.system_prompt, tokenizer)
    return rows, normalised.format, normalised.notes + shape_notes, normalised.skipped


def split(rows: Records, val_split: float, seed: int):
    """(train, eval or None, notes): `val_split` of the rows held out after a seeded shuffle."""
    if val_split <= 0:
        return rows, None, []
    if len(rows) < 2:
        return rows, None, [DataError("data.note.no_eval_split", file=rows.file, count=len(rows))]
    wanted = min(max(1, round(len(rows) * val_split)), len(rows) - 1)
    groups = _prompt_groups(rows)
    order = list(groups)
    random.Random(seed).shuffle(order)
    held_out: set[int] = set()
    for key in order:
        if len(held_out) >= wanted or len(held_out) + len(groups[key]) >= len(rows):
            break
        held_out.update(groups[key])
    held = len(held_out)
    if not held:  # one prompt for every row: nothing can be held out without leaking it
        return rows, None, [DataError("data.note.no_eval_split", file=rows.file, count=len(rows))]
    # Rows keep the file's order inside each part, so row numbers in notes read top to bottom.
    parts = ([i for i in range(len(rows)) if i not in held_out], sorted(held_out))
    train, evaluation = (rows.like([rows[i] for i in part], [rows.numbers[i] for i in part]) for part in parts)
    notes = []
    if held < SMALL_EVAL_ROWS:
        notes.append(DataError("data.note.small_eval", file=rows.file, count=held, wanted=SMALL_EVAL_ROWS))
    return train, evaluation, notes


def _prompt_groups(rows: Records) -> dict[str, list[int]]:
    """Row indices grouped by prompt. Rows that share a prompt (several ranked answers to one
    question) stay on one side of the split, so validation never scores a prompt training saw."""
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        prompt = row.get("prompt")
        if prompt is None and row.get("messages"):
            prompt = row["messages"][:-1]
        key = json.dumps(prompt, sort_keys=True, ensure_ascii=False) if prompt else f"#row{index}"
        groups.setdefault(key, []).append(index)
    return groups


def build_stats(train: Records, held_out: Records | None, fmt: str, tokenizer,
                max_length: int | None, skipped: int) -> dict:
    rows = list(train) + list(held_out or [])
    if tokenizer is not None:
        summary = summarise(token_lengths(rows, tokenizer, train.file), max_length)
    else:
        summary = summarise([], max_length)
    return {
        "rows": len(rows), "train_rows": len(train), "eval_rows": len(held_out or []), "format": fmt,
        "tokens": summary["tokens"], "histogram": summary["histogram"], "max_length": max_length,
        "truncated": summary["truncated"], "dropped": skipped,
    }
