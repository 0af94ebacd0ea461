"""The pre-training corpus: plain bilingual text documents, one per JSONL row (`{"text": ...}`).

Four kinds of document, all plain text (never the chat markup, so the base model cannot answer in
the chat format before instruction tuning):
- statements: every fact stated MENTIONS times per language, cycling through its paraphrase
  templates and shuffled across documents ("knowledge augmentation");
- questions and answers, `Question: ... / Answer: ...`, only for facts of the instruction train
  split: the model learns how a stored fact is *asked for* on some facts and transfers that to the
  held-out ones ("mixed training" in Physics of LM 3.1);
- format drills (repeat, first/last word, pick the fruit) on fresh phrases;
- short stories made of the same words, so the text reads like text.
"""
from __future__ import annotations

import random

from .facts import Fact
from .skills import FORMAT_FAMILIES, format_item, phrase
from .tasks import Row, user_text

MENTIONS = 40          # statements of each fact per language
QA_REPEATS = 4         # times each train-split question appears as a plain Q/A pair
DRILLS = 1200          # format drills per family and language
STORIES = 500          # stories per language
_JOIN = {"en": " ", "zh": ""}
_QA = {"en": ("Question: ", "Answer: "), "zh": ("问：", "答：")}


def _chunks(rng: random.Random, items: list[str], low: int, high: int) -> list[list[str]]:
    out, i = [], 0
    while i < len(items):
        n = rng.randint(low, high)
        out.append(items[i:i + n])
        i += n
    return out


def statement_documents(rng: random.Random, facts: list[Fact]) -> list[str]:
    docs = []
    for lang in ("en", "zh"):
        pool = []
        for fact in facts:
            templates = list(getattr(fact, lang))
            for i in range(MENTIONS):
                if i % len(templates) == 0:
                    rng.shuffle(templates)  # each template used about equally often
                pool.append(templates[i % len(templates)])
        rng.shuffle(pool)
        docs += [_JOIN[lang].join(chunk) for chunk in _chunks(rng, pool, 3, 7)]
    return docs


def _qa(lang: str, prompt: str, answer: str) -> str:
    q, a = _QA[lang]
    return f"{q}{prompt}\n{a}{answer}"


def _qa_documents(rng: random.Random, pairs: list[str]) -> list[str]:
    """Shuffled Q/A pairs, a few to a document, one pair after another on new lines."""
    rng.shuffle(pairs)
    return ["\n".join(chunk) for chunk in _chunks(rng, pairs, 2, 5)]


def qa_documents(rng: random.Random, train_rows: list[Row]) -> list[str]:
    docs = []
    for lang in ("en", "zh"):
        pairs = [_qa(lang, user_text(r.instruction, r.input), r.output)
                 for r in train_rows if r.lang == lang and r.family not in FORMAT_FAMILIES] * QA_REPEATS
        docs += _qa_documents(rng, pairs)
    return docs


def drill_documents(rng: random.Random, excluded_prompts: set[str]) -> list[str]:
    docs = []
    for lang in ("en", "zh"):
        pairs = []
        for family in FORMAT_FAMILIES:
            made = 0
            while made < DRILLS:
                item = format_item(rng, family, lang)
                prompt = user_text(item.instruction, item.input)
                if prompt in excluded_prompts:
                    continue
                pairs.append(_qa(lang, prompt, item.answer))
                made += 1
        docs += _qa_documents(rng, pairs)
    return docs


def story_documents(rng: random.Random) -> list[str]:
    docs = []
    for lang in ("en", "zh"):
        for _ in range(STORIES):
            lines = [phrase(rng, lang) for _ in range(rng.randint(3, 6))]
            if lang == "en":
                docs.append(" ".join(line[:1].upper() + line[1:] + "." for line in lines))
            else:
                docs.append("".join(line + "。" for line in lines))
    return docs


def build_corpus(seed: int, facts: list[Fact], train_rows: list[Row], heldout_rows: list[Row]) -> list[str]:
    rng = random.Random(f"{seed}:corpus")
    excluded = {user_text(r.instruction, r.input) for r in heldout_rows}
    docs = (statement_documents(rng, facts) + qa_documents(rng, train_rows)
            + drill_documents(rng, excluded) + story_documents(rng))
    rng.shuffle(docs)
    return docs
