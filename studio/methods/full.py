"""Full fine-tuning: every weight trains, and the result is a complete copy of the model."""
from __future__ import annotations

from pathlib import Path


def prepare(model, recipe, task: str):
    for param in model.parameters():
        param.requires_grad_(True)
    return model


def save(model, out_dir: Path) -> None:
    model.save_pretrained(out_dir)


def load(base_model, weights_dir: Path, recipe, task: str):
    """A fully tuned model does not need its base: the folder holds every weight."""
    from ..models import choose_device, choose_dtype
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    auto_class = AutoModelForSequenceClassification if task == "seq_cls" else AutoModelForCausalLM
    device = choose_device(recipe.model.device)
    model = auto_class.from_pretrained(weights_dir, dtype=choose_dtype(recipe.model.dtype, device))
    return model.to(device)


def disabled(model):
    return None  # no switch: "before" answers need the base model loaded separately
