"""Import and export of preference data: JSONL, CSV and Parquet, in the common shapes:
pairwise (prompt/chosen/rejected), ranked lists (prompt/responses/ranks) and KTO
(prompt/completion/label)."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import StudioError
from .pairs import ranked_lists, ranking_pairs, thumbs_rows
from .store import FeedbackStore

EXPORT_SHAPES = ("pairs", "ranked", "kto")
EXPORT_SUFFIXES = (".jsonl", ".csv", ".parquet")


def write_rows(rows: list[dict], path: str | Path) -> Path:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise StudioError("feedback.err.export_suffix", file=path.name, suffixes=", ".join(EXPORT_SUFFIXES))
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        return path
    import pandas as pd

    frame = pd.DataFrame(rows)
    if suffix == ".csv":
        # Lists (ranked answers) are written as JSON text, which the studio reads back.
        for column in frame.columns:
            if frame[column].map(lambda v: isinstance(v, list)).any():
                frame[column] = frame[column].map(lambda v: json.dumps(v, ensure_ascii=False))
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


def export(store: FeedbackStore, path: str | Path, shape: str = "pairs", mode: str = "all") -> dict:
    """Write the store's judgements as `shape`; returns counts for the user."""
    if shape == "pairs":
        pairs = ranking_pairs(store, mode)
        rows, summary = pairs.rows, pairs.summary()
    elif shape == "ranked":
        rows = ranked_lists(store)
        summary = {"rankings": len(rows)}
    elif shape == "kto":
        rows = thumbs_rows(store)
        summary = {"rows": len(rows)}
    else:
        raise StudioError("feedback.err.export_shape", shape=shape, shapes=", ".join(EXPORT_SHAPES))
    if not rows:
        raise StudioError("feedback.err.nothing_to_export", shape=shape)
    write_rows([{k: v for k, v in r.items() if k != "annotator"} if shape != "ranked" else r for r in rows], path)
    return dict(summary, file=str(path))


def _loaded_list(value, file: str, row: int, column: str) -> list:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            pass
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list):
        raise StudioError("feedback.err.import_list", file=file, row=row, column=column)
    return value


def import_file(store: FeedbackStore, path: str | Path) -> dict:
    """Load pairwise or ranked-list preference data as rankings, and KTO rows as thumbs, by
    `import:<file>`; returns how many of each."""
    from ..data import read_records

    records = read_records(path)
    file = Path(path).name
    annotator = f"import:{file}"
    columns = set(records[0])
    imported = thumbs = 0
    for index, row in enumerate(records, start=1):
        prompt = str(row.get("prompt") or "").strip()
        if {"prompt", "chosen", "rejected"} <= columns:
            answers, ranks = [str(row["chosen"]), str(row["rejected"])], [1, 2]
        elif {"prompt", "responses", "ranks"} <= columns:
            answers = [str(a) for a in _loaded_list(row["responses"], file, index, "responses")]
            ranks = _loaded_list(row["ranks"], file, index, "ranks")
        elif {"prompt", "completion", "label"} <= columns:
            answers, ranks = [str(row["completion"])], None
        else:
            raise StudioError("feedback.err.import_columns", file=file, found=", ".join(sorted(columns)))
        if not prompt or ranks is not None and len(answers) != len(ranks):
            raise StudioError("feedback.err.import_row", file=file, row=index)
        (prompt_id,) = store.add_prompts([prompt], source=annotator)
        ids = store.add_candidates(prompt_id, answers, origin=annotator)
        by_text = {c.text: c.id for c in store.candidates(prompt_id)}
        if ranks is None:  # one KTO row: one answer, thumbs up or down
            store.save_thumbs(prompt_id, annotator, {by_text[answers[0].strip()]: _label(row["label"])})
            thumbs += 1
            continue
        marks = {by_text[a.strip()]: int(r) for a, r in zip(answers, ranks) if r is not None}
        if len(marks) >= 2 and len(set(ids)) >= 1:
            store.save_ranking(prompt_id, annotator, marks)
            imported += 1
    return {"file": str(path), "rankings": imported, "thumbs": thumbs}


def _label(value) -> bool:
    """A KTO label as written by pandas, JSON or CSV: true/false, 1/0, "True"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
