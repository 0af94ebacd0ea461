"""What every objective shares: the context it builds a trainer from, and the studio's additions
to TRL's trainers (token counting for tokens/s, adapter-only checkpoints)."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..methods import adapter as bottleneck


@dataclass
class TrainContext:
    recipe: Any                # the resolved Recipe
    model: Any
    tokenizer: Any
    train_data: Any            # datasets.Dataset in the objective's row shape
    eval_data: Any             # datasets.Dataset | None
    args: dict                 # TrainingArguments fields shared by every objective
    run_dir: Path
    callbacks: list = field(default_factory=list)

    def config(self, config_class, **specific):
        return config_class(**self.args, **specific)


def count_tokens(inputs: dict) -> int:
    """Real (unpadded) tokens in one batch, whatever shape the trainer's collator produced.

    On-policy trainers (GRPO, RLOO) receive raw prompts and generate inside the step; they report
    `num_tokens` themselves, so they count 0 here.
    """
    if not isinstance(inputs, dict):
        return 0

    def ones(key):
        value = inputs.get(key)
        return int(value.sum()) if value is not None and hasattr(value, "sum") else 0

    if "attention_mask" in inputs:
        return ones("attention_mask")
    masks = [k for k in inputs if k.endswith("attention_mask") or k in ("prompt_mask", "completion_mask")]
    if masks:
        return sum(ones(k) for k in masks)
    ids = inputs.get("input_ids")
    return int(ids.numel()) if ids is not None else 0


class StudioTrainerMixin:
    """Put in front of a TRL trainer class by `studio_trainer`."""

    studio_tokens = 0

    def training_step(self, model, inputs, *args, **kwargs):
        self.studio_tokens += count_tokens(inputs)
        return super().training_step(model, inputs, *args, **kwargs)

    # Checkpoints of a bottleneck-adapter run hold the adapters only, like PEFT checkpoints.
    def _save(self, output_dir: str | None = None, state_dict=None):
        model = self.accelerator.unwrap_model(self.model)
        if bottleneck.adapters_of(model) is None:
            return super()._save(output_dir, state_dict)
        output_dir = output_dir or self.args.output_dir
        os.makedirs(output_dir, exist_ok=True)
        bottleneck.save(model, output_dir)
        if self.processing_class is not None:
            self.processing_class.save_pretrained(output_dir)

    def _load_from_checkpoint(self, resume_from_checkpoint, model=None):
        target = self.accelerator.unwrap_model(model or self.model)
        if bottleneck.adapters_of(target) is None:
            return super()._load_from_checkpoint(resume_from_checkpoint, model)
        bottleneck.load_into(target, resume_from_checkpoint)


@functools.lru_cache(maxsize=None)
def studio_trainer(trainer_class):
    return type(f"Studio{trainer_class.__name__}", (StudioTrainerMixin, trainer_class), {})
