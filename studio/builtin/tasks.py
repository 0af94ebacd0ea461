"""The instruction task set (alpaca rows, zh + en) and its train / held-out split.

Questions are split per fact: every question about a held-out fact (in both languages, both
directions of a translation) stays out of the train split, so a held-out answer can only come from
what pre-training stored, never from the instruction data. Pre-training saw every fact stated and
asked as plain text; what instruction tuning adds is the chat format, and the held-out score
measures whether that carries over to questions it never tuned on.

Why knowledge only: tasks that copy from the prompt (repeat, first/last word) stayed out of reach of
a 4M-parameter model pre-trained for half an hour on two CPU cores, whatever the tuning; a task set
is only a demo if the built-in model can visibly learn it.
"""
from __future__ import annotations

import random
from typing import NamedTuple

from .facts import Fact, all_facts

HELDOUT_FRACTION = 0.25


class Row(NamedTuple):
    family: str
    lang: str
    instruction: str
    input: str
    output: str

    def alpaca(self) -> dict:
        return {"instruction": self.instruction, "input": self.input, "output": self.output}


def user_text(instruction: str, input_text: str = "") -> str:
    """The user turn of an alpaca row: instruction, then the input on its own line."""
    return f"{instruction}\n{input_text}" if input_text else instruction


def split_facts(facts: list[Fact], seed: int) -> tuple[list[Fact], list[Fact]]:
    train, heldout = [], []
    for family in sorted({f.family for f in facts}):
        members = [f for f in facts if f.family == family]
        random.Random(f"{seed}:{family}").shuffle(members)
        cut = round(len(members) * HELDOUT_FRACTION)
        heldout += members[:cut]
        train += members[cut:]
    return train, heldout


def _fact_rows(fact: Fact, rng: random.Random, heldout: bool) -> list[Row]:
    questions = fact.questions
    if heldout:
        # One question per language: the held-out score weighs every fact the same, whatever
        # its number of templates (translation has 8), and asks it in both languages.
        questions = [rng.choice([q for q in questions if q.lang == lang]) for lang in ("en", "zh")]
    return [Row(fact.family, q.lang, q.instruction, "", q.answer) for q in questions]


def build_tasks(seed: int) -> tuple[list[Row], list[Row], list[Fact], list[Fact]]:
    """(train rows, held-out rows, train facts, held-out facts); rows are shuffled, facts are not."""
    train_facts, heldout_facts = split_facts(all_facts(), seed)
    rng = random.Random(f"{seed}:tasks")
    train = [row for f in train_facts for row in _fact_rows(f, rng, heldout=False)]
    heldout = [row for f in heldout_facts for row in _fact_rows(f, rng, heldout=True)]
    rng.shuffle(train)
    rng.shuffle(heldout)
    return train, heldout, train_facts, heldout_facts
