"""The `adapter` scope: bottleneck adapters between frozen layers (see adapter.py)."""
from __future__ import annotations

from pathlib import Path

from . import adapter


def prepare(model, recipe, task: str):
    options = recipe.method.adapter.model_dump()
    return adapter.prepare(model, options, trainable_names=("score",) if task == "seq_cls" else ())


def save(model, out_dir: Path) -> None:
    adapter.save(model, out_dir)


def load(base_model, weights_dir: Path, recipe, task: str):
    return adapter.load(base_model, weights_dir)


def disabled(model):
    return adapter.disabled(model)
