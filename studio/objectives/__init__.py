"""Training objectives. Each module has `TASK` ("causal_lm", or "seq_cls" for a reward model)
and `build(ctx: TrainContext) -> trainer`, using TRL's trainer for that objective."""
from __future__ import annotations

from importlib import import_module

from .base import TrainContext, studio_trainer  # noqa: F401

_MODULES = {"pretrain": "language", "sft": "language", "instruction": "language", "reward": "reward",
            "rl": "rl", "dpo": "preference", "kto": "preference", "orpo": "preference"}


def objective(kind: str):
    return import_module(f"{__name__}.{_MODULES[kind]}")


def task_of(kind: str) -> str:
    return "seq_cls" if kind == "reward" else "causal_lm"
