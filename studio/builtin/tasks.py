"""The instruction task set (alpaca rows, zh + en) and its train / held-out split.

Knowledge questions are split per fact: every question about a held-out fact (in both languages,
both directions of a translation) stays out of the train split, so a held-out answer can only come
from what pre-training stored, never from the instruction data. The corpus states every fact, and
asks questions only about train-split facts (see corpus.py).
"""
from __future__ import annotations

import random
from typing import NamedTuple

from .facts import Fact, all_facts
from .skills import FORMAT_FAMILIES, format_item

HELDOUT_FRACTION = 0.25
# Format prompts per family and language; they need no facts, so any fresh prompt is held out.
# Held-out has about as many format rows as knowledge rows, so its score shows both skills.
FORMAT_TRAIN, FORMAT_HELDOUT = 60, 30


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


def _format_rows(rng: random.Random, count: int, taken: set[str]) -> list[Row]:
    rows = []
    for family in FORMAT_FAMILIES:
        for lang in ("en", "zh"):
            made = 0
            while made < count:
                item = format_item(rng, family, lang)
                key = user_text(item.instruction, item.input)
                if key in taken:  # a prompt never appears in both splits
                    continue
                taken.add(key)
                rows.append(Row(family, lang, item.instruction, item.input, item.answer))
                made += 1
    return rows


def build_tasks(seed: int) -> tuple[list[Row], list[Row], list[Fact], list[Fact]]:
    """(train rows, held-out rows, train facts, held-out facts); rows are shuffled, facts are not."""
    train_facts, heldout_facts = split_facts(all_facts(), seed)
    rng = random.Random(f"{seed}:tasks")
    train = [row for f in train_facts for row in _fact_rows(f, rng, heldout=False)]
    heldout = [row for f in heldout_facts for row in _fact_rows(f, rng, heldout=True)]
    taken = {user_text(r.instruction, r.input) for r in train + heldout}
    heldout += _format_rows(rng, FORMAT_HELDOUT, taken)
    train += _format_rows(rng, FORMAT_TRAIN, taken)
    rng.shuffle(train)
    rng.shuffle(heldout)
    return train, heldout, train_facts, heldout_facts
