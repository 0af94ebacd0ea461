"""Rewards for RL: a trained reward model, or small built-in functions of the completion.

A function takes TRL's arguments (prompts, completions, and the dataset's other columns such as
`answer`) and returns one float per completion.
"""
from __future__ import annotations

import re

from .errors import StudioError


def completion_text(completion) -> str:
    """Completions are strings (plain prompts) or message lists (chat prompts)."""
    if isinstance(completion, list):
        return "".join(m.get("content", "") for m in completion if m.get("role") == "assistant")
    return str(completion)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def exact_match(prompts, completions, answer=None, **_):
    """1 when the completion is exactly the reference answer (spacing aside), else 0."""
    answers = answer or [None] * len(completions)
    return [float(a is not None and _normalise(completion_text(c)) == _normalise(a))
            for c, a in zip(completions, answers)]


def contains_answer(prompts, completions, answer=None, **_):
    """1 when the reference answer appears in the completion."""
    answers = answer or [None] * len(completions)
    return [float(bool(a) and _normalise(a) in _normalise(completion_text(c)))
            for c, a in zip(completions, answers)]


def concise(prompts, completions, **_):
    """Shorter answers score higher: 1 for an empty answer, falling toward 0 by 200 characters."""
    return [max(0.0, 1.0 - len(completion_text(c).strip()) / 200) for c in completions]


FUNCTIONS = {f.__name__: f for f in (exact_match, contains_answer, concise)}


def register(function):
    """Add a reward function (e.g. a feedback rule) under its own name."""
    FUNCTIONS[function.__name__] = function
    return function


def build(options, device=None):
    """TRL's `reward_funcs` and `reward_processing_classes` for the recipe's rl section."""
    funcs, tokenizers = [], []
    for name in options.reward_functions:
        if name not in FUNCTIONS:
            raise StudioError("rl.err.unknown_reward", name=name, choices=", ".join(sorted(FUNCTIONS)))
        funcs.append(FUNCTIONS[name])
        tokenizers.append(None)
    if options.reward_model:
        from .loading import load_run

        loaded = load_run(options.reward_model, device=device)
        if loaded.task != "seq_cls":
            raise StudioError("rl.err.not_reward_model", path=options.reward_model)
        model = loaded.model
        if hasattr(model, "merge_and_unload") and loaded.recipe.method.kind != "prompt":
            model = model.merge_and_unload()  # TRL expects a plain PreTrainedModel as a reward model
        funcs.append(model)
        tokenizers.append(loaded.tokenizer)
    return funcs, tokenizers
