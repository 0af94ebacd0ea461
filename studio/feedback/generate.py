"""K candidate answers per prompt, from the base model or any finished run, for people to rank."""
from __future__ import annotations

from dataclasses import asdict

from ..inference import Sampling, generate_batch
from ..loading import LoadedRun
from .store import FeedbackStore

MIN_K, MAX_K = 2, 6


def generate_candidates(store: FeedbackStore, loaded: LoadedRun, prompt_ids: list[int], k: int,
                        sampling: Sampling, origin: str, batch_prompts: int = 8) -> int:
    """Sample `k` answers for each prompt (batched) and store them; returns how many were new.

    Identical samples are stored once, so a prompt may end with fewer than `k` candidates.
    """
    k = max(MIN_K, min(MAX_K, int(k)))
    added = 0
    for start in range(0, len(prompt_ids), batch_prompts):
        ids = prompt_ids[start:start + batch_prompts]
        texts = [store.prompt(pid)["text"] for pid in ids]
        answers = generate_batch(loaded, texts, sampling, num_return_sequences=k)
        for pid, options in zip(ids, answers):
            added += len(store.add_candidates(pid, options, origin=origin, sampling=asdict(sampling)))
    return added
