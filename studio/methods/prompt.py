"""Prompt tuning through PEFT: the model stays frozen; only a soft prompt of virtual tokens trains."""
from __future__ import annotations

from pathlib import Path

from .lora import load, save, disabled  # the same PEFT save/load/switch  # noqa: F401


def prepare(model, recipe, task: str):
    from peft import PromptTuningConfig, PromptTuningInit, get_peft_model

    from ..models import resolve_source

    options = recipe.method.prompt
    from_text = options.init == "text"
    config = PromptTuningConfig(
        task_type="SEQ_CLS" if task == "seq_cls" else "CAUSAL_LM",
        num_virtual_tokens=options.num_virtual_tokens,
        prompt_tuning_init=PromptTuningInit.TEXT if from_text else PromptTuningInit.RANDOM,
        prompt_tuning_init_text=options.init_text if from_text else None,
        tokenizer_name_or_path=resolve_source(recipe.model.name) if from_text else None,
    )
    return get_peft_model(model, config)
