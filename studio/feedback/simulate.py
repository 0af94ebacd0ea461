"""A simulated annotator: ranks candidates by a hidden rule, through the same store calls the
ranking tab makes. It stands in for people in tests and in the feedback-loop benchmark: if the
loop works, models trained on its rankings follow the rule more often than the base did."""
from __future__ import annotations

import re
from typing import Callable

from .store import FeedbackStore

Rule = Callable[[str], bool]

RULES: dict[str, Rule] = {
    # Answers that close with an exclamation mark (ASCII or full-width), an easy habit to see.
    "exclaims": lambda text: text.rstrip().endswith(("!", "！")),
    # Answers of one or two words: terse.
    "terse": lambda text: 0 < len(text.split()) <= 2 and len(text) <= 12,
    # Answers that contain no Latin letters (for example: answer in Chinese).
    "no_latin": lambda text: bool(text.strip()) and not re.search(r"[A-Za-z]", text),
}


def follows(rule: str, text: str) -> bool:
    return RULES[rule](text)


def annotate(store: FeedbackStore, rule: str, annotator: str | None = None, limit: int | None = None) -> dict:
    """Rank every prompt this annotator has not judged: answers that follow the rule first (tied
    among themselves), the rest after. A prompt whose answers all agree teaches nothing and is
    skipped, as a person would."""
    annotator = annotator or f"simulated:{rule}"
    ranked = skipped = 0
    prompt_id = store.next_prompt(annotator)
    while prompt_id is not None and (limit is None or ranked + skipped < limit):
        candidates = store.candidates(prompt_id)
        marks = {c.id: 1 if follows(rule, c.text) else 2 for c in candidates}
        if len(set(marks.values())) < 2:
            store.skip(prompt_id, annotator)
            skipped += 1
        else:
            store.save_ranking(prompt_id, annotator, marks)
            ranked += 1
        prompt_id = store.next_prompt(annotator, after=prompt_id)
    return {"annotator": annotator, "ranked": ranked, "skipped": skipped}
