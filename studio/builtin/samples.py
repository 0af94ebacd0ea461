"""Sample datasets, one per format the studio reads, per language, drawn from the built-in world.

Samples use only train-split rows, so fine-tuning on any sample never leaks the held-out facts
that measure whether the built-in model learned. Rejected answers are plausible wrong answers
(another capital, another number, another category), not noise, so preference methods have
something real to separate.
"""
from __future__ import annotations

import random

from .tasks import Row, user_text

ROWS_PER_FILE = 300
_SYSTEM = {"en": "You are a helpful assistant.", "zh": "你是一个乐于助人的助手。"}


def _is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


def wrong_answer(row: Row, pool: list[Row], rng: random.Random) -> str:
    """Another answer to the same kind of question, in the same script as the right one."""
    candidates = sorted({r.output for r in pool if r.family == row.family and r.output != row.output
                         and _is_ascii(r.output) == _is_ascii(row.output)})
    return rng.choice(candidates)


def _pick(rng: random.Random, rows: list[Row], lang: str, count: int = ROWS_PER_FILE) -> list[Row]:
    mine = [r for r in rows if r.lang == lang]
    return rng.sample(mine, min(count, len(mine)))


def _chat(row: Row) -> list[dict]:
    return [{"role": "user", "content": user_text(row.instruction, row.input)},
            {"role": "assistant", "content": row.output}]


def build_samples(seed: int, train_rows: list[Row], documents: list[str], lang: str) -> dict[str, object]:
    """File name -> content (a string for text files, a list of records for structured ones)."""
    rng = random.Random(f"{seed}:samples:{lang}")
    # Plain documents of this language without Q/A lines: raw text for pre-training.
    is_zh = lang == "zh"
    plain = [d for d in documents if "\n" not in d and (not _is_ascii(d)) == is_zh]
    text = "\n".join(sorted(rng.sample(plain, ROWS_PER_FILE), key=plain.index)) + "\n"

    alpaca = [r.alpaca() for r in _pick(rng, train_rows, lang)]

    sharegpt = []
    pairs = _pick(rng, train_rows, lang, 2 * ROWS_PER_FILE)
    for first, second in zip(pairs[::2], pairs[1::2]):  # two turns per conversation
        turns = _chat(first) + _chat(second)
        sharegpt.append({"conversations": [{"from": "human" if m["role"] == "user" else "gpt", "value": m["content"]}
                                           for m in turns]})

    messages = []
    for i, row in enumerate(_pick(rng, train_rows, lang)):
        system = [{"role": "system", "content": _SYSTEM[lang]}] if i % 3 == 0 else []
        messages.append({"messages": system + _chat(row)})

    prompt_completion = [{"prompt": user_text(r.instruction, r.input), "completion": r.output}
                         for r in _pick(rng, train_rows, lang)]

    preference = [{"prompt": user_text(r.instruction, r.input), "chosen": r.output,
                   "rejected": wrong_answer(r, train_rows, rng)} for r in _pick(rng, train_rows, lang)]

    kto = []
    for i, row in enumerate(_pick(rng, train_rows, lang)):
        good = i % 2 == 0  # balanced desirable / undesirable, as KTO expects
        kto.append({"prompt": user_text(row.instruction, row.input),
                    "completion": row.output if good else wrong_answer(row, train_rows, rng), "label": good})

    return {"text.txt": text, "alpaca.json": alpaca, "sharegpt.json": sharegpt, "messages.jsonl": messages,
            "prompt_completion.csv": prompt_completion, "preference.jsonl": preference,
            "preference.parquet": preference, "kto.jsonl": kto}
