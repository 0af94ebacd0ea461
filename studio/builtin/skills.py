"""Format tasks: answers that follow from the prompt itself (copy, first/last word, pick the member of
a category), so a model needs no memorised fact, only the skill of reading its input.

Phrases are built from the world's own words so every prompt is in-vocabulary for the built-in model.
"""
from __future__ import annotations

import random
from typing import NamedTuple

from .world import ANTONYMS, CATEGORIES, WORDS, a


class Item(NamedTuple):
    family: str
    lang: str
    instruction: str
    input: str
    answer: str


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


def _first(text: str, lang: str) -> str:
    return text.split()[0] if lang == "en" else text[0]


def _last(text: str, lang: str) -> str:
    return text.split()[-1] if lang == "en" else text[-1]


_INSTRUCTIONS = {
    ("repeat", "en"): "Repeat the following text exactly.",
    ("repeat", "zh"): "请原样重复下面的文字。",
    ("first", "en"): "What is the first word of the following text?",
    ("first", "zh"): "下面这句话的第一个字是什么？",
    ("last", "en"): "What is the last word of the following text?",
    ("last", "zh"): "下面这句话的最后一个字是什么？",
}


def choose_item(rng: random.Random, lang: str) -> Item:
    """'Which of these is a fruit: dog, apple, car?' with one member and two from other categories."""
    category = rng.choice(sorted(CATEGORIES))
    member = rng.choice([w for w in WORDS if w.category == category])
    others = rng.sample([w for w in WORDS if w.category and w.category != category], 2)
    options = [member, *others]
    rng.shuffle(options)
    cat_en, cat_zh = CATEGORIES[category]
    if lang == "en":
        text = f"Which of these is {a(cat_en)}: {', '.join(w.en for w in options)}?"
        return Item("choose", lang, text, "", member.en)
    text = f"下面哪一个是{cat_zh}：{'、'.join(w.zh for w in options)}？"
    return Item("choose", lang, text, "", member.zh)


def format_item(rng: random.Random, family: str, lang: str) -> Item:
    if family == "choose":
        return choose_item(rng, lang)
    text = phrase(rng, lang)
    answer = {"repeat": text, "first": _first(text, lang), "last": _last(text, lang)}[family]
    return Item(family, lang, _INSTRUCTIONS[family, lang], text, answer)


FORMAT_FAMILIES = ("repeat", "first", "last", "choose")
