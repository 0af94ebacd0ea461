"""The pre-training corpus: plain bilingual text documents, one per JSONL row (`{"text": ...}`).

Three kinds of document, all plain text (never the chat markup, so the base model cannot answer in
the chat format before instruction tuning):
- statements: every fact stated MENTIONS times per language, cycling through its paraphrase
  templates and shuffled across documents ("knowledge augmentation", Physics of LM 3.1);
- questions and answers as plain text under varied markers (`Question: ... / Answer: ...`,
  `问：... / 答：...`), for every fact: pre-training teaches what is known and how it is asked;
- short stories made of the same words, so the text reads like text.
"""
from __future__ import annotations

import random

from .facts import Fact
from .phrases import phrase

MENTIONS = 40          # statements of each fact per language
QA_REPEATS = 4         # times each question appears as a plain Q/A pair
STORIES = 500          # stories per language
_JOIN = {"en": " ", "zh": ""}
# Questions and answers appear under several markers, so pre-training learns "answer what was
# asked" as a habit, not as one pair of words; instruction tuning then ties the chat template's
# turns to that habit. Some put the answer on its own line, as the chat template does.
_QA = {"en": (("Question: ", "Answer: "), ("Q: ", "A: "), ("Question:\n", "Answer:\n"), ("Ask: ", "Reply: ")),
       "zh": (("问：", "答："), ("问题：", "回答："), ("问：\n", "答：\n"))}


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


def _qa_documents(rng: random.Random, lang: str, pairs: list[tuple[str, str]]) -> list[str]:
    """Shuffled (prompt, answer) pairs, a few to a document under one marker style, one pair
    after another on new lines."""
    rng.shuffle(pairs)
    docs = []
    for chunk in _chunks(rng, pairs, 2, 5):
        q, a = rng.choice(_QA[lang])
        docs.append("\n".join(f"{q}{prompt}\n{a}{answer}" for prompt, answer in chunk))
    return docs


def qa_documents(rng: random.Random, facts: list[Fact]) -> list[str]:
    """Every question of every fact, asked and answered as plain text (never in chat markup)."""
    docs = []
    for lang in ("en", "zh"):
        pairs = [(q.instruction, q.answer) for fact in facts for q in fact.questions if q.lang == lang] * QA_REPEATS
        docs += _qa_documents(rng, lang, pairs)
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


def build_corpus(seed: int, facts: list[Fact]) -> list[str]:
    rng = random.Random(f"{seed}:corpus")
    docs = statement_documents(rng, facts) + qa_documents(rng, facts) + story_documents(rng)
    rng.shuffle(docs)
    return docs


GENERAL_DOCUMENTS = 100  # per kind and language


def general_documents(seed: int, facts: list[Fact]) -> list[str]:
    """Plain text about the same world, drawn afresh and held apart from every training file: the
    forgetting check measures a model's perplexity on it before and after a fine-tuning run."""
    rng = random.Random(f"{seed}:general")
    statements = statement_documents(rng, facts)
    stories = story_documents(rng)
    docs = []
    for lang_docs in (statements, stories):
        docs += rng.sample(lang_docs, 2 * GENERAL_DOCUMENTS)
    rng.shuffle(docs)
    return docs
