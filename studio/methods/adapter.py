"""Bottleneck adapters (Houlsby et al., 2019): small trainable modules between frozen layers.

Each adapter maps the output h of an attention or MLP block to h + up(act(down(h))). `up` starts
at zero, so a fresh adapter is the identity and training begins from the base model's behaviour.
Adapters hook onto the blocks' outputs (no base weight is touched or renamed), are saved as
their own safetensors file, and can be switched off to get the base model's answers.

PEFT has no such tuner and AdapterHub's `adapters` package needs transformers 4, hence this file.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn

from ..architecture import block_parts, decoder_layers

WEIGHTS_NAME = "bottleneck_adapter.safetensors"
CONFIG_NAME = "bottleneck_adapter.json"
_ATTR = "studio_bottleneck_adapters"  # where the adapters live on the model
_ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "tanh": nn.Tanh}


class Bottleneck(nn.Module):
    def __init__(self, hidden: int, bottleneck: int, activation: str, dropout: float):
        super().__init__()
        self.down = nn.Linear(hidden, bottleneck)
        self.act = _ACTIVATIONS[activation]()
        self.dropout = nn.Dropout(dropout)
        self.up = nn.Linear(bottleneck, hidden)
        nn.init.zeros_(self.up.weight)
        nn.init.zeros_(self.up.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return hidden + self.up(self.dropout(self.act(self.down(hidden.to(self.down.weight.dtype))))).to(hidden.dtype)


class AdapterSet(nn.Module):
    """All adapters of one model, keyed `<layer>_<role>`, plus the hooks that apply them."""

    def __init__(self, config: dict):
        super().__init__()
        self.config = config
        self.adapters = nn.ModuleDict()
        self.enabled = True
        self._hooks = []

    def hook(self, name: str):
        def apply(_module, _inputs, output):
            if not self.enabled:
                return output
            adapter = self.adapters[name]
            # Attention blocks return (hidden, weights, ...); MLP blocks return the hidden tensor.
            if isinstance(output, tuple):
                return (adapter(output[0]),) + tuple(output[1:])
            return adapter(output)
        return apply


def _hidden_size(model) -> int:
    config = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    return getattr(config, "hidden_size", None) or getattr(config, "n_embd")


def _adapter_dtype(model) -> torch.dtype:
    # A 4-bit base stores uint8; adapters train in the dtype the layers compute in.
    for param in model.parameters():
        if param.dtype.is_floating_point:
            return param.dtype
    return torch.float32


def attach(model, options: dict) -> AdapterSet:
    """Insert adapters after the chosen block parts of every layer. `options`: bottleneck,
    activation, placement (["attention", "mlp"]), dropout."""
    if hasattr(model, _ATTR):
        raise ValueError("this model already has bottleneck adapters")
    config = dict(options, hidden_size=_hidden_size(model))
    adapter_set = AdapterSet(config)
    device = next(model.parameters()).device
    for index, layer in enumerate(decoder_layers(model)):
        for role, (_, part) in block_parts(layer).items():
            if role not in options["placement"]:
                continue
            name = f"{index}_{role}"
            adapter_set.adapters[name] = Bottleneck(config["hidden_size"], options["bottleneck"],
                                                    options["activation"], options.get("dropout", 0.0))
            adapter_set._hooks.append(part.register_forward_hook(adapter_set.hook(name)))
    adapter_set.to(device=device, dtype=_adapter_dtype(model))
    # Registered as a submodule so it follows the model across devices and into the optimizer.
    model.add_module(_ATTR, adapter_set)
    return adapter_set


def adapters_of(model) -> AdapterSet | None:
    return getattr(model, _ATTR, None)


def prepare(model, options: dict, trainable_names: tuple[str, ...] = ()):
    """Freeze the base, attach adapters; parameters whose name contains one of `trainable_names`
    (e.g. a reward model's new `score` head) stay trainable too."""
    for name, param in model.named_parameters():
        param.requires_grad_(any(part in name for part in trainable_names))
    attach(model, options)
    return model


def state_dict(model) -> dict[str, torch.Tensor]:
    """The adapters' weights, plus any other trainable weight (such as a reward head)."""
    adapter_set = adapters_of(model)
    tensors = {f"adapters.{k}": v for k, v in adapter_set.adapters.state_dict().items()}
    for name, param in model.named_parameters():
        if param.requires_grad and _ATTR not in name:
            tensors[f"extra.{name}"] = param.detach()
    return {k: v.detach().contiguous().cpu() for k, v in tensors.items()}


def save(model, out_dir: str | Path) -> None:
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    save_file(state_dict(model), str(out_dir / WEIGHTS_NAME), metadata={"format": "pt"})
    (out_dir / CONFIG_NAME).write_text(json.dumps(adapters_of(model).config, indent=2), encoding="utf-8")


def load_into(model, weights_dir: str | Path) -> None:
    """Load saved adapter weights into a model that already has adapters attached."""
    from safetensors.torch import load_file

    tensors = load_file(str(Path(weights_dir) / WEIGHTS_NAME))
    adapter_set = adapters_of(model)
    adapters = {k.removeprefix("adapters."): v for k, v in tensors.items() if k.startswith("adapters.")}
    adapter_set.adapters.load_state_dict(adapters, strict=True)
    params = dict(model.named_parameters())
    with torch.no_grad():
        for key, value in tensors.items():
            if key.startswith("extra."):
                params[key.removeprefix("extra.")].copy_(value)


def load(model, weights_dir: str | Path):
    """Attach adapters as saved in `weights_dir` to a base model and load their weights."""
    config = json.loads((Path(weights_dir) / CONFIG_NAME).read_text(encoding="utf-8"))
    config.pop("hidden_size", None)
    attach(model, config)
    load_into(model, weights_dir)
    return model


def has_saved_adapter(folder: str | Path) -> bool:
    return (Path(folder) / WEIGHTS_NAME).is_file()


@contextmanager
def disabled(model):
    """The base model's behaviour, for "before" answers, without a second copy in memory."""
    adapter_set = adapters_of(model)
    previous, adapter_set.enabled = adapter_set.enabled, False
    try:
        yield model
    finally:
        adapter_set.enabled = previous
