"""Short everyday phrases made of the world's own words, for the corpus's stories: text that reads
like text, and keeps every prompt a user types in the built-in model's vocabulary.
"""
from __future__ import annotations

import random

from .world import ANTONYMS, WORDS, a

_EN_NAMES = "Tom Lily Anna Ben Mia Sam Leo Emma Max Zoe".split()
_ZH_NAMES = ["小明", "小红", "丽丽", "大伟", "安娜", "明明", "小芳", "老王", "阿强", "小雨"]
_NOUNS = [w for w in WORDS if w.category in ("animal", "fruit", "vehicle", "furniture", "")]
# Single-word adjectives from the antonym pairs ("happy", "高兴"), so phrases stay in-vocabulary.
_ADJS = [(pair.en[i], pair.zh[i]) for pair in ANTONYMS[:22] for i in (0, 1)]


def phrase(rng: random.Random, lang: str) -> str:
    """A short, plain phrase without final punctuation (so first/last word is unambiguous)."""
    n1, n2 = rng.sample(_NOUNS, 2)
    adj = rng.choice(_ADJS)
    if lang == "en":
        name = rng.choice(_EN_NAMES)
        shapes = [f"the {adj[0]} {n1.en} sees {a(n2.en)}", f"my {n1.en} is {adj[0]}",
                  f"{name} has {a(adj[0])} {n1.en}", f"{a(n1.en)} and {a(n2.en)}",
                  f"{adj[0]} {n1.en} near the {n2.en}", f"{name} likes the {n2.en}",
                  f"every {n1.en} wants {a(adj[0])} {n2.en}"]
    else:
        name = rng.choice(_ZH_NAMES)
        shapes = [f"{adj[1]}的{n1.zh}看见了{n2.zh}", f"我的{n1.zh}很{adj[1]}", f"{name}有一个{adj[1]}的{n1.zh}",
                  f"{n1.zh}和{n2.zh}", f"{n2.zh}旁边有{n1.zh}", f"{name}喜欢{n2.zh}",
                  f"每个{n1.zh}都想要{adj[1]}的{n2.zh}"]
    return rng.choice(shapes)
