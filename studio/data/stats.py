"""Token lengths of the rows exactly as training renders them, and their summary."""
from __future__ import annotations

import numpy as np

from .shapes import chat_text

HISTOGRAM_BINS = 20


def training_text(row: dict, tokenizer, file: str = "") -> tuple[str, bool]:
    """(the text the trainer tokenizes for this row, whether it came from the chat template).

    Preference rows count prompt + chosen; RL rows only the prompt the policy is given.
    """
    if "text" in row:
        return row["text"], False
    if "messages" in row:
        return chat_text(tokenizer, row["messages"], file=file), True
    prompt = row.get("prompt")
    answer = row["completion"] if "completion" in row else row.get("chosen")
    if "answer" in row:
        if isinstance(prompt, list):
            return chat_text(tokenizer, prompt, add_generation_prompt=True, file=file), True
        return prompt, False
    if isinstance(prompt, list) or isinstance(answer, list):
        return chat_text(tokenizer, (prompt or []) + answer, file=file), True
    return (prompt or "") + answer, False


def token_lengths(rows, tokenizer, file: str = "") -> list[int]:
    rendered = [training_text(row, tokenizer, file) for row in rows]
    # TRL appends EOS to plain examples so the model learns to stop; RL prompts get none.
    eos = 1 if tokenizer.eos_token and not (rows and "answer" in rows[0]) else 0
    lengths = [0] * len(rendered)
    for templated in (True, False):
        chosen = [i for i, (_, is_chat) in enumerate(rendered) if is_chat == templated]
        for start in range(0, len(chosen), 1000):
            part = chosen[start:start + 1000]
            # A chat template writes its own special tokens; plain text gets the tokenizer's.
            ids = tokenizer([rendered[i][0] for i in part], add_special_tokens=not templated)["input_ids"]
            for i, tokens in zip(part, ids):
                lengths[i] = len(tokens) + (0 if templated else eos)
    return lengths


def summarise(lengths: list[int], max_length: int | None) -> dict:
    """{"tokens": {min, mean, p50, p90, p99, max, total}, "histogram": {edges, counts}, "truncated"}."""
    if not lengths:
        return {"tokens": None, "histogram": None, "truncated": 0}
    values = np.asarray(lengths)
    low, high = int(values.min()), int(values.max())
    edges = np.unique(np.linspace(low, high + 1, min(HISTOGRAM_BINS, high - low + 1) + 1).round().astype(int))
    counts, _ = np.histogram(values, bins=edges)
    p50, p90, p99 = (int(round(p)) for p in np.percentile(values, [50, 90, 99]))
    return {
        "tokens": {"min": low, "mean": round(float(values.mean()), 1), "p50": p50, "p90": p90, "p99": p99,
                   "max": high, "total": int(values.sum())},
        "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
        "truncated": int((values > max_length).sum()) if max_length else 0,
    }
