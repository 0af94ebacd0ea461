"""From judgements to training data.

An N-way ranking becomes prompt/chosen/rejected pairs: every ordered pair (`all`), or the best
answer against each of the others (`best`). Tied answers teach no preference and are dropped
(and counted). Thumbs up/down judgements become KTO rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from .store import FeedbackStore

PAIR_MODES = ("all", "best")


@dataclass
class Pairs:
    rows: list[dict] = field(default_factory=list)
    rankings: int = 0
    ties_dropped: int = 0

    def summary(self) -> dict:
        return {"pairs": len(self.rows), "rankings": self.rankings, "ties_dropped": self.ties_dropped}


def ranking_pairs(store: FeedbackStore, mode: str = "all") -> Pairs:
    if mode not in PAIR_MODES:
        raise ValueError(f"mode must be one of {PAIR_MODES}")
    result = Pairs()
    prompts = {p["id"]: p["text"] for p in store.prompts()}
    for judgement in store.judgements():
        if judgement.kind != "ranking":
            continue
        result.rankings += 1
        texts = {c.id: c.text for c in store.candidates(judgement.prompt_id)}
        ranked = sorted(judgement.marks.items(), key=lambda item: item[1])
        if mode == "best":
            best_rank = ranked[0][1]
            winners = [cid for cid, rank in ranked if rank == best_rank]
            candidates = [(w, cid) for w in winners for cid, rank in ranked if rank > best_rank]
            result.ties_dropped += len(winners) - 1
        else:
            candidates = []
            for (a, rank_a), (b, rank_b) in combinations(ranked, 2):
                if rank_a == rank_b:
                    result.ties_dropped += 1
                else:
                    candidates.append((a, b) if rank_a < rank_b else (b, a))
        for chosen, rejected in candidates:
            result.rows.append({"prompt": prompts[judgement.prompt_id], "chosen": texts[chosen],
                                "rejected": texts[rejected], "annotator": judgement.annotator})
    return result


def thumbs_rows(store: FeedbackStore) -> list[dict]:
    """KTO rows (prompt, completion, label) from thumbs judgements."""
    prompts = {p["id"]: p["text"] for p in store.prompts()}
    rows = []
    for judgement in store.judgements():
        if judgement.kind != "thumbs":
            continue
        texts = {c.id: c.text for c in store.candidates(judgement.prompt_id)}
        for cid, good in judgement.marks.items():
            rows.append({"prompt": prompts[judgement.prompt_id], "completion": texts[cid], "label": bool(good)})
    return rows


def ranked_lists(store: FeedbackStore) -> list[dict]:
    """One row per ranking: the prompt, its answers, and their ranks (1 = best; None = unranked)."""
    prompts = {p["id"]: p["text"] for p in store.prompts()}
    rows = []
    for judgement in store.judgements():
        if judgement.kind != "ranking":
            continue
        candidates = store.candidates(judgement.prompt_id)
        rows.append({"prompt": prompts[judgement.prompt_id], "responses": [c.text for c in candidates],
                     "ranks": [judgement.marks.get(c.id) for c in candidates], "annotator": judgement.annotator})
    return rows
