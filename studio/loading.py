"""Loading what a run trained: its base model with the run's method applied, ready for chat,
evaluation, export, or use as a reward model.

    loaded = load_run("workspace/runs/quickstart-...")
    with loaded.base_behaviour():   # the model before tuning
        ...
"""
from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StudioError
from .methods import method
from .models import load_model, load_tokenizer, resolve_source
from .objectives import task_of
from .recipe import Recipe, load_recipe
from .runs import RunFolder


@dataclass
class LoadedRun:
    run_dir: Path
    recipe: Recipe
    model: Any
    tokenizer: Any
    task: str
    _base_model: Any = None  # full fine-tuning only: a second model for "before" answers

    @property
    def prompt_style(self) -> str:
        return self.recipe.prompt_style

    @contextlib.contextmanager
    def base_behaviour(self):
        """Yields the model as it was before tuning: the tuning switched off where the method
        allows it (LoRA, adapters, prompts), else the separately loaded base weights."""
        switch = method(self.recipe.method.kind).disabled(self.model)
        if switch is not None:
            with switch:
                yield self.model
            return
        if self._base_model is None:
            self._base_model = load_model(self.recipe.model, self.recipe.quantization, self.task,
                                          tokenizer=self.tokenizer).eval()
        yield self._base_model


def read_run_recipe(run_dir: str | Path) -> Recipe:
    path = Path(run_dir) / "recipe.yaml"
    if not path.is_file():
        raise StudioError("run.err.not_a_run", path=str(run_dir))
    return load_recipe(path)


def load_run(run_dir: str | Path, device: str | None = None) -> LoadedRun:
    run_dir = Path(run_dir)
    recipe = read_run_recipe(run_dir)
    weights = RunFolder(run_dir).model_dir
    if not weights.is_dir():
        raise StudioError("run.err.no_weights", path=str(run_dir))
    task = task_of(recipe.objective.kind)
    tokenizer = load_tokenizer(str(weights))
    scope = method(recipe.method.kind)
    base = None if recipe.method.kind == "full" else load_model(
        recipe.model, recipe.quantization, task, device=device, tokenizer=tokenizer)
    model = scope.load(base, weights, recipe, task).eval()
    return LoadedRun(run_dir, recipe, model, tokenizer, task)


def load_base(model_name: str, device: str | None = None) -> LoadedRun:
    """A base model on its own (no run), wrapped like a run so chat and ranking treat both alike."""
    recipe = Recipe.model_validate({"model": {"name": model_name}, "method": {"kind": "full"},
                                    "objective": {"kind": "instruction"}})
    source = resolve_source(model_name)
    tokenizer = load_tokenizer(source)
    model = load_model(recipe.model, "none", "causal_lm", device=device, tokenizer=tokenizer).eval()
    loaded = LoadedRun(Path(source), recipe, model, tokenizer, "causal_lm")
    loaded._base_model = model
    return loaded


def run_summary(run_dir: str | Path) -> dict:
    path = Path(run_dir) / "status.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
