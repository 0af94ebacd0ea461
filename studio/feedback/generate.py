"""K candidate answers per prompt, from the base model or any finished run, for people to rank."""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Callable

from .store import FeedbackStore

if TYPE_CHECKING:  # torch comes with these: the store, its exports and the web UI load without it
    from ..inference import Sampling
    from ..loading import LoadedRun

MIN_K, MAX_K = 2, 6


def generate_candidates(store: FeedbackStore, loaded: LoadedRun, prompt_ids: list[int], k: int,
                        sampling: Sampling, origin: str, batch_prompts: int = 8,
                        on_batch: Callable[[int, int], None] | None = None) -> int:
    """Sample `k` answers for each prompt (batched) and store them; returns how many were new.

    Identical samples are stored once, so a prompt may end with fewer than `k` candidates.
    `on_batch(prompts done, prompts in all)` is called after each batch (a page shows progress).
    """
    from ..inference import generate_batch

    k = max(MIN_K, min(MAX_K, int(k)))
    added = 0
    for start in range(0, len(prompt_ids), batch_prompts):
        ids = prompt_ids[start:start + batch_prompts]
        texts = [store.prompt(pid)["text"] for pid in ids]
        answers = generate_batch(loaded, texts, sampling, num_return_sequences=k)
        for pid, options in zip(ids, answers):
            added += len(store.add_candidates(pid, options, origin=origin, sampling=asdict(sampling)))
        if on_batch:
            on_batch(min(start + batch_prompts, len(prompt_ids)), len(prompt_ids))
    return added
