"""Finding the parts of a decoder model by their roles, whatever the family calls them.

Llama, Qwen2/3, Gemma, Mistral and Phi-3 keep their blocks in `model.layers` with `self_attn` and
`mlp`; GPT-2 uses `transformer.h` with `attn`; GPT-NeoX `gpt_neox.layers` with `attention`.
LoRA targets and bottleneck adapters both start from here, so a new family needs one entry.
"""
from __future__ import annotations

from torch import nn

_ATTENTION_NAMES = ("self_attn", "attn", "attention", "self_attention")
_MLP_NAMES = ("mlp", "feed_forward", "ffn")


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    """The list of transformer blocks: the longest ModuleList whose items hold attention."""
    best = None
    for _, module in model.named_modules():
        if isinstance(module, nn.ModuleList) and len(module) and _child(module[0], _ATTENTION_NAMES):
            if best is None or len(module) > len(best):
                best = module
    if best is None:
        raise ValueError(f"no transformer blocks found in {type(model).__name__}")
    return best


def _child(module: nn.Module, names: tuple[str, ...]) -> tuple[str, nn.Module] | None:
    for name in names:
        child = getattr(module, name, None)
        if isinstance(child, nn.Module):
            return name, child
    return None


def block_parts(layer: nn.Module) -> dict[str, tuple[str, nn.Module]]:
    """{"attention": (attr_name, module), "mlp": (attr_name, module)} of one block."""
    parts = {"attention": _child(layer, _ATTENTION_NAMES), "mlp": _child(layer, _MLP_NAMES)}
    return {role: found for role, found in parts.items() if found}


def _is_linear(module: nn.Module) -> bool:
    # GPT-2 uses transformers' Conv1D, a transposed linear layer; bitsandbytes layers subclass Linear.
    return isinstance(module, nn.Linear) or type(module).__name__ == "Conv1D"


def linear_targets(model: nn.Module, roles: tuple[str, ...] = ("attention", "mlp")) -> list[str]:
    """Module-name suffixes of the linear layers inside the given block parts, e.g.
    `self_attn.q_proj` or, for GPT-2, `attn.c_proj` and `mlp.c_proj` (which share a leaf name)."""
    layer = decoder_layers(model)[0]
    targets = []
    for role, (attr, part) in block_parts(layer).items():
        if role not in roles:
            continue
        for name, module in part.named_modules():
            if name and _is_linear(module):
                targets.append(f"{attr}.{name}")
    return sorted(set(targets))
