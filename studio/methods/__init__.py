"""Tuning scopes. Each is a small module with the same four functions:

    prepare(model, recipe, task) -> model      freeze / wrap the base for training
    save(model, out_dir)                       write only what the scope trained
    load(base_model, weights_dir, recipe, task) -> model
    disabled(model) -> context manager | None  the base model's behaviour ("before"), if switchable

One training loop (studio.train) serves them all.
"""
from __future__ import annotations

from importlib import import_module

_MODULES = {"full": "full", "lora": "lora", "qlora": "lora", "adapter": "bottleneck", "prompt": "prompt"}


def method(kind: str):
    return import_module(f"{__name__}.{_MODULES[kind]}")
