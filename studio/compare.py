"""The method trade-off table: finished runs side by side.

    python -m studio compare RUN_DIR RUN_DIR ... [--json]

For each run: trainable share, size on disk, peak memory, wall time, tokens/s, the task score
(exact match, else pairwise accuracy, else validation loss) and forgetting (the change in
perplexity on general text). Runs without an evaluation are evaluated first.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import StudioError
from .loading import read_run_recipe
from .runs import RunFolder

COLUMNS = ("run", "method", "objective", "trainable_percent", "saved_mb", "peak_memory_mb", "wall_time",
           "tokens_per_second", "score", "score_name", "forgetting")


def _score(evaluated: dict, status: dict) -> tuple[float | None, str]:
    tuned = evaluated.get("tuned", {})
    for name in ("exact_match", "pairwise_accuracy"):
        if tuned.get(name) is not None:
            return tuned[name], name
    if tuned.get("loss") is not None:
        return tuned["loss"], "loss"
    return status.get("final_eval_loss"), "eval_loss"


def compare_row(run_dir: str | Path, evaluate_missing: bool = True) -> dict:
    run = RunFolder(run_dir)
    recipe = read_run_recipe(run.path)
    status = run.status()
    if status.get("state") not in ("completed", "stopped"):
        raise StudioError("compare.err.not_finished", path=str(run.path), state=status.get("state", "?"))
    eval_path = run.path / "eval.json"
    if not eval_path.is_file() and evaluate_missing:
        from .evaluate import evaluate_run, save_results

        save_results(run.path, evaluate_run(run.path))
    evaluated = json.loads(eval_path.read_text(encoding="utf-8")) if eval_path.is_file() else {}
    score, score_name = _score(evaluated, status)
    return {
        "run": run.run_id, "method": recipe.method.kind, "objective": recipe.objective.kind,
        "data": recipe.data.path, "trainable_percent": status.get("trainable_percent"),
        "saved_mb": (status.get("saved_bytes") or 0) / 2**20, "peak_memory_mb": status.get("peak_memory_mb"),
        "wall_time": status.get("wall_time"), "tokens_per_second": status.get("tokens_per_second"),
        "score": score, "score_name": score_name, "forgetting": evaluated.get("forgetting"),
    }


def compare_runs(run_dirs: list[str | Path], evaluate_missing: bool = True) -> dict:
    rows = [compare_row(d, evaluate_missing) for d in run_dirs]
    datasets = sorted({r["data"] for r in rows})
    return {"rows": rows, "same_data": len(datasets) <= 1, "datasets": datasets}


def markdown_table(rows: list[dict]) -> str:
    def cell(value):
        if isinstance(value, float):
            return f"{value:.3g}"
        return "—" if value is None else str(value)

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(r.get(c)) for c in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)
