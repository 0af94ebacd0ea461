"""Knowledge facts, each with the many ways the corpus states it and the questions a task asks.

Why many templates: a small model only answers questions about a fact it never saw asked
(the held-out split) when pre-training stated that fact in varied paraphrases, in both
languages (Allen-Zhu & Li, "Physics of Language Models 3.1"). One fixed sentence per fact is
memorised as a string and stays locked to that wording.

Each family is a table of templates over named slots; a fact is one slot dict filled in.
Zh templates that carry the English words too ("法国（France）") link the two languages.
"""
from __future__ import annotations

from typing import NamedTuple

from .world import ANTONYMS, CATEGORIES, COUNTRIES, EN_NUMBERS, SUMS, WORDS, a, zh_number


class Question(NamedTuple):
    lang: str
    instruction: str
    answer: str


class Fact(NamedTuple):
    family: str
    key: str  # unique across all facts; the split is decided per fact, so all its questions share a side
    en: list[str]  # statements for English documents
    zh: list[str]  # statements for Chinese documents
    questions: list[Question]


class Family(NamedTuple):
    en: list[str]
    zh: list[str]
    questions: list[tuple[str, str, str]]  # (language, question template, slot holding the answer)


FAMILIES = {
    "capital": Family(
        en=["The capital of {n} is {cap}.", "{cap} is the capital of {n}.", "The capital city of {n} is {cap}.",
            "{cap} is the capital city of {n}.", "If you visit {n}, you can see its capital, {cap}.",
            "The government of {n} sits in {cap}.", "In {n}, the capital is {cap}.",
            "{cap}, the capital of {n}, is a busy city.", "People in {n} call {cap} their capital.",
            "{N} has its capital in {cap}."],
        zh=["{nz}的首都是{cz}。", "{cz}是{nz}的首都。", "{nz}的首都叫{cz}。", "{cz}是{nz}的首都城市。",
            "去{nz}旅行，可以参观首都{cz}。", "{nz}政府设在{cz}。", "在{nz}，首都是{cz}。",
            "{cz}，{nz}的首都，是一座热闹的城市。", "{nz}（{n}）的首都是{cz}（{cap}）。", "{nz}人把{cz}叫作首都。"],
        questions=[("en", "What is the capital of {n}?", "cap"), ("en", "Which city is the capital of {n}?", "cap"),
                   ("zh", "{nz}的首都是哪里？", "cz"), ("zh", "{nz}的首都是哪座城市？", "cz")]),
    "translate": Family(
        en=["The Chinese word for {e} is {z}.", "In Chinese, {e} is {z}.", "{z} means {e} in English.",
            "The English word {e} is {z} in Chinese.", "{E} translates to {z} in Chinese.",
            "To say {e} in Chinese, say {z}.", "The word {z} is {e} in English."],
        zh=["{e}的中文是{z}。", "{z}的英文是{e}。", "英语单词{e}的意思是{z}。", "{z}用英文说是{e}。",
            "{z}在英语里叫{e}。", "{e}翻译成中文是{z}。", "{z}翻译成英文是{e}。"],
        # Ordered en: to-zh, to-zh, to-en, to-en; zh: the same.
        questions=[("en", "Translate {e} into Chinese.", "z"), ("en", "What is the Chinese word for {e}?", "z"),
                   ("en", "What does {z} mean in English?", "e"), ("en", "Translate {z} into English.", "e"),
                   ("zh", "{e}的中文是什么？", "z"), ("zh", "把{e}翻译成中文。", "z"),
                   ("zh", "{z}的英文是什么？", "e"), ("zh", "把{z}翻译成英文。", "e")]),
    "antonym": Family(
        en=["The opposite of {a} is {b}.", "{A} is the opposite of {b}.", "{A} and {b} are opposites.",
            "The antonym of {a} is {b}.", "If something is not {a}, it may be {b}.",
            "The word {a} means the opposite of {b}."],
        zh=["{az}的反义词是{bz}。", "{az}和{bz}是一对反义词。", "{az}的反面是{bz}。", "与{az}意思相反的词是{bz}。",
            "{az}（{a}）的反义词是{bz}（{b}）。", "{az}的意思和{bz}相反。"],
        questions=[("en", "What is the opposite of {a}?", "b"), ("en", "Give the antonym of {a}.", "b"),
                   ("zh", "{az}的反义词是什么？", "bz"), ("zh", "与{az}意思相反的词是什么？", "bz")]),
    "sum": Family(
        en=["{a} plus {b} is {s}.", "{a} + {b} = {s}.", "{A_word} plus {b_word} equals {s_word}.",
            "Adding {b} to {a} gives {s}.", "The sum of {a} and {b} is {s}.", "{a} and {b} make {s}."],
        zh=["{a}加{b}等于{s}。", "{a_zh}加{b_zh}等于{s_zh}。", "{a}与{b}的和是{s}。", "{a} + {b} = {s}。",
            "{a}加上{b}，得到{s}。", "把{a}和{b}加起来是{s}。"],
        questions=[("en", "What is {a} plus {b}?", "s"), ("en", "What is {a} + {b}?", "s"),
                   ("zh", "{a}加{b}等于几？", "s"), ("zh", "{a}加{b}等于多少？", "s")]),
    "category": Family(
        en=["{E} is a kind of {cat}.", "{E} belongs to the {cat} group.", "{E} falls in the category {cat}.",
            "We call {e} {a_cat}.", "If you list every {cat}, {e} is on the list.", "One example of {a_cat} is {e}."],
        zh=["{z}是一种{catz}。", "{z}属于{catz}。", "{z}是{catz}的一种。", "说到{catz}，{z}就是其中之一。",
            "{catz}里有{z}。", "{z}（{e}）是一种{catz}（{cat}）。"],
        questions=[("en", "What kind of thing is {e}?", "cat"), ("en", "Which category does {e} belong to?", "cat"),
                   ("zh", "{z}属于哪一类？", "catz"), ("zh", "{z}是哪一类东西？", "catz")]),
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _slots(family: str) -> list[tuple[str, dict[str, str]]]:
    """(fact key, slot values) for every fact of a family."""
    if family == "capital":
        return [(c.en, dict(n=c.en, N=_cap(c.en), cap=c.capital_en, nz=c.zh, cz=c.capital_zh)) for c in COUNTRIES]
    if family == "translate":
        return [(w.en, dict(e=w.en, E=_cap(w.en), z=w.zh)) for w in WORDS]
    if family == "antonym":  # one fact per direction (hot -> cold, cold -> hot): each is asked on its own
        return [(p.en[i], dict(a=p.en[i], A=_cap(p.en[i]), b=p.en[1 - i], az=p.zh[i], bz=p.zh[1 - i]))
                for p in ANTONYMS for i in (0, 1)]
    if family == "sum":
        return [(f"{x}+{y}", dict(a=str(x), b=str(y), s=str(x + y), A_word=_cap(EN_NUMBERS[x]), b_word=EN_NUMBERS[y],
                                  s_word=EN_NUMBERS[x + y], a_zh=zh_number(x), b_zh=zh_number(y), s_zh=zh_number(x + y)))
                for x, y in SUMS]
    if family == "category":
        return [(w.en, dict(e=w.en, E=_cap(w.en), z=w.zh, cat=CATEGORIES[w.category][0],
                            a_cat=a(CATEGORIES[w.category][0]), catz=CATEGORIES[w.category][1]))
                for w in WORDS if w.category]
    raise KeyError(family)


def family_facts(family: str) -> list[Fact]:
    table = FAMILIES[family]
    return [Fact(family, f"{family}:{key}", [t.format(**s) for t in table.en], [t.format(**s) for t in table.zh],
                 [Question(lang, t.format(**s), s[slot]) for lang, t, slot in table.questions])
            for key, s in _slots(family)]


def all_facts() -> list[Fact]:
    return [fact for family in FAMILIES for fact in family_facts(family)]
