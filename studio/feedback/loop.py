"""The feedback loop around the store: prompts in, training data and a ready recipe out.

    add_new_prompts(store, texts, limit=8)            # the same file twice adds the next 8, not copies
    pending_prompt_ids(store)                          # prompts that still need answers to rank
    data = training_data(store, "reward")              # pairs written into workspace/feedback/
    recipe = training_recipe("reward", data["file"], model="builtin")
    reward_accuracy(run_dir)                           # held-out pairwise accuracy of a reward run

The web tab and `python -m studio ...` share these, so a round started in one reads the same in
the other.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import yaml

from ..errors import StudioError
from ..paths import workspace
from ..presets import preset_path
from ..recipe import Recipe, recipe_from_dict
from .pairs import ranking_pairs, thumbs_rows
from .store import FeedbackStore
from .transfer import write_rows

# Which shipped preset each objective starts from: their settings are the ones tested on CPU.
PRESET_FOR = {"reward": "reward-model", "dpo": "dpo", "kto": "kto", "rl": "rlhf-grpo"}
TRAINING_OBJECTIVES = tuple(PRESET_FOR)


def add_new_prompts(store: FeedbackStore, texts: list[str], references: list[str | None] | None = None,
                    source: str = "typed", limit: int | None = None) -> dict:
    """Add the prompts the store does not hold yet, at most `limit` of them, so picking the same file
    again brings the next ones instead of copies. Returns the new ids, how many were there already
    (or repeated), and how many new ones were left for later by the limit."""
    references = list(references or [None] * len(texts))
    known = {p["text"] for p in store.prompts()}
    fresh, fresh_refs, repeated = [], [], 0
    for text, reference in zip(texts, references):
        text = str(text or "").strip()
        if not text:
            continue
        if text in known:
            repeated += 1
            continue
        known.add(text)
        fresh.append(text)
        fresh_refs.append(reference)
    left = max(0, len(fresh) - limit) if limit is not None else 0
    if left:
        fresh, fresh_refs = fresh[:limit], fresh_refs[:limit]
    ids = store.add_prompts(fresh, source=source, references=fresh_refs) if fresh else []
    return {"added": ids, "known": repeated, "left": left}


def pending_prompt_ids(store: FeedbackStore) -> list[int]:
    """Prompts with fewer than two answers: nothing to rank there until answers are generated."""
    return [p["id"] for p in store.prompts() if len(store.candidates(p["id"])) < 2]


def prompt_rows(store: FeedbackStore) -> list[dict]:
    """One prompt/completion row per ranked prompt (its best answer as the reference), for RL: the
    policy writes its own answers and the reward model scores them, so each prompt counts once."""
    prompts = {p["id"]: p["text"] for p in store.prompts()}
    rows, seen = [], set()
    for judgement in store.judgements():
        if judgement.kind != "ranking" or judgement.prompt_id in seen:
            continue
        seen.add(judgement.prompt_id)
        texts = {c.id: c.text for c in store.candidates(judgement.prompt_id)}
        best = min(judgement.marks.items(), key=lambda item: item[1])[0]
        rows.append({"prompt": prompts[judgement.prompt_id], "completion": texts[best]})
    return rows


def export_path(name: str, suffix: str = ".jsonl") -> Path:
    """A new file under workspace/feedback/ (time-stamped to the millisecond: nothing is overwritten)."""
    now = time.time()
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now)) + f"-{int(now * 1000) % 1000:03d}"
    return workspace() / "feedback" / f"{name}-{stamp}{suffix}"


def training_data(store: FeedbackStore, objective: str, mode: str = "all") -> dict:
    """Write what `objective` trains on into the workspace; returns counts and the file.

    reward and dpo: ranking pairs (`mode` all or best); kto: thumbs rows; rl: ranked prompts."""
    if objective not in PRESET_FOR:
        raise StudioError("feedback.err.objective", objective=objective, objectives=", ".join(PRESET_FOR))
    if objective in ("reward", "dpo"):
        pairs = ranking_pairs(store, mode)
        rows, summary = pairs.rows, pairs.summary()
    elif objective == "kto":
        rows = thumbs_rows(store)
        summary = {"rows": len(rows)}
    else:
        rows = prompt_rows(store)
        summary = {"prompts": len(rows)}
    if not rows:
        raise StudioError("feedback.err.nothing_to_train", objective=objective)
    path = write_rows([{k: v for k, v in r.items() if k != "annotator"} for r in rows],
                      export_path(f"{objective}-data"))
    return dict(summary, file=str(path))


def training_recipe(objective: str, data_path: str, model: str = "builtin", reward_model: str | None = None,
                    algorithm: str | None = None, beta: float | None = None) -> tuple[str, Recipe]:
    """(preset name, recipe): the objective's preset with the feedback data, the model to tune and,
    for RL, the reward-model run (which replaces the preset's rule-based reward)."""
    if objective not in PRESET_FOR:
        raise StudioError("feedback.err.objective", objective=objective, objectives=", ".join(PRESET_FOR))
    preset = PRESET_FOR[objective]
    path = preset_path(preset)
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path else {}
    data = dict(data or {}, name=f"feedback-{objective}")
    data["model"] = dict(data.get("model") or {}, name=model or "builtin")
    data["data"] = dict(data.get("data") or {}, path=str(data_path))
    data["data"].pop("max_rows", None)  # every judgement counts: there are few
    if objective == "rl":
        if not reward_model:
            raise StudioError("feedback.err.no_reward_run")
        rl = dict((data.get("objective") or {}).get("rl") or {}, reward_model=str(reward_model), reward_functions=[])
        if algorithm:
            rl["algorithm"] = algorithm
        if beta is not None:
            rl["beta"] = float(beta)
        data["objective"] = dict(data.get("objective") or {}, kind="rl", rl=rl)
    return preset, recipe_from_dict(data)


def reward_accuracy(run_dir: str | Path) -> dict | None:
    """How often a reward run scores the chosen answer above the rejected one on pairs it did not
    train on: from `python -m studio eval` (eval.json) when it was run, else the run's last
    validation during training (metrics.jsonl). None when neither measured it."""
    run_dir = Path(run_dir)
    try:
        measured = json.loads((run_dir / "eval.json").read_text(encoding="utf-8"))
        accuracy = (measured.get("tuned") or {}).get("pairwise_accuracy")
        if accuracy is not None:
            return {"accuracy": float(accuracy), "examples": measured.get("examples"), "source": "eval"}
    except (OSError, ValueError):
        pass
    last = None
    try:
        for line in (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines():
            event = json.loads(line) if line.strip() else {}
            if "eval_accuracy" in event:
                last = event
    except (OSError, ValueError):
        return None
    return {"accuracy": last["eval_accuracy"], "examples": None, "source": "training"} if last else None
