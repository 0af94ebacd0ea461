"""LoRA (and QLoRA, DoRA, rsLoRA) through PEFT: two low-rank matrices beside each chosen weight."""
from __future__ import annotations

from pathlib import Path

from ..architecture import linear_targets

_SHORTHANDS = {"all-linear": ("attention", "mlp"), "attention": ("attention",), "mlp": ("mlp",)}


def target_modules(model, targets) -> list[str]:
    """`all-linear`, `attention`, `mlp`, or an explicit list of module names."""
    if isinstance(targets, str):
        if targets in _SHORTHANDS:
            return linear_targets(model, _SHORTHANDS[targets])
        return [name.strip() for name in targets.split(",") if name.strip()]
    return list(targets)


def prepare(model, recipe, task: str):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training

    options = recipe.method.lora
    if recipe.quantization != "none":
        model = prepare_model_for_kbit_training(
            model, use_gradient_checkpointing=recipe.train.gradient_checkpointing)
    config = LoraConfig(
        r=options.r, lora_alpha=options.alpha, lora_dropout=options.dropout,
        target_modules=target_modules(model, options.targets),
        use_dora=options.dora, use_rslora=options.rslora,
        task_type="SEQ_CLS" if task == "seq_cls" else "CAUSAL_LM",
        # A reward model's score head is new, so it must train alongside the LoRA weights.
        modules_to_save=["score"] if task == "seq_cls" else None,
    )
    return get_peft_model(model, config)


def save(model, out_dir: Path) -> None:
    model.save_pretrained(out_dir)


def load(base_model, weights_dir: Path, recipe, task: str):
    from peft import PeftModel

    model = PeftModel.from_pretrained(base_model, weights_dir)
    _restore_saved_dtypes(model, Path(weights_dir))
    return model


def _restore_saved_dtypes(model, weights_dir: Path) -> None:
    """Give adapter weights back the dtype they trained in.

    TRL trains QLoRA adapters in bf16 (as the QLoRA paper does) and PEFT upcasts them to fp32 on
    loading; the values survive but the arithmetic changes, and so would the answers.
    """
    import torch
    from safetensors import safe_open

    path = weights_dir / "adapter_model.safetensors"
    if not path.is_file():
        return
    with safe_open(str(path), framework="pt") as fh:
        stored = {key: fh.get_slice(key).get_dtype() for key in fh.keys()}
    dtypes = {"BF16": "bfloat16", "F16": "float16", "F32": "float32"}
    for name, param in model.named_parameters():
        # Saved keys drop the adapter name: `...lora_A.weight` for the loaded `...lora_A.default.weight`.
        key = name.replace(".default.", ".").removeprefix("base_model.model.")
        match = next((k for k in stored if k.removeprefix("base_model.model.") == key), None)
        if match and stored[match] in dtypes:
            param.data = param.data.to(getattr(torch, dtypes[stored[match]]))


def disabled(model):
    return model.disable_adapter()
