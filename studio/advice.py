"""Which tuning scope to choose, from the data size and the hardware, with the reasons in words.

    advice = recommend(recipe, rows=1200)
    advice.method          # "lora"
    advice.render("zh")    # the reasoning, in the UI language

The rules follow the usual trade-offs: full fine-tuning learns most but needs memory for every
weight's gradient and optimizer state, stores a full copy per task and overfits or forgets on
little data; LoRA / QLoRA / adapters / prompt tuning freeze the base and train a few weights.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .estimate import Device, MemoryEstimate, estimate_training, human_bytes, human_count, model_size
from .i18n import has, t

TINY_DATA = 200        # rows: a few steps of LoRA, or a soft prompt; full tuning memorises them
LARGE_DATA = 20_000    # rows: enough to make full fine-tuning worth its cost


@dataclass
class Advice:
    method: str | None                      # None when not even QLoRA fits
    reasons: list[tuple[str, dict]] = field(default_factory=list)   # (locale key, params)

    def render(self, lang: str = "en") -> str:
        def words(value):  # a parameter may itself be a locale key (the device's name)
            return t(value, lang) if isinstance(value, str) and has(value) else value
        return "\n".join(f"- {t(key, lang, **{k: words(v) for k, v in params.items()})}"
                         for key, params in self.reasons)


def device_label(device: Device) -> str:
    """A GPU's own name, or the locale key that names a CPU or Apple GPU in the reader's language."""
    return device.name if device.kind == "cuda" else f"ui.estimate.device_name.{device.kind}"


def _with_method(recipe, kind: str):
    changed = recipe.model_copy(deep=True)
    changed.method.kind = kind
    if kind == "qlora":
        changed.model.quantization = "none"  # QLoRA brings its own 4-bit base
    return changed


def _estimates(recipe, device: Device | None) -> dict[str, MemoryEstimate | None]:
    size = model_size(recipe.model.name)
    return {kind: estimate_training(_with_method(recipe, kind), size, device)
            for kind in ("full", "lora", "qlora")}


def recommend(recipe, rows: int | None, device: Device | None = None) -> Advice:
    """The scope to start with for `recipe`'s model on this device, given `rows` of data."""
    found = _estimates(recipe, device)
    if found["lora"] is None:
        return Advice("lora", [("ui.advice.size_unknown", {})])
    device = found["lora"].device
    memory = {"memory": human_bytes(device.total_bytes), "device": device_label(device)}
    fits = {kind: est is not None and est.fits is not False for kind, est in found.items()}
    params = {"params": human_count(found["lora"].params)}
    reasons: list[tuple[str, dict]] = []

    if rows is None:
        reasons.append(("ui.advice.no_data", {}))
    if not fits["qlora"]:
        reasons.append(("ui.advice.nothing_fits", {**memory, **params,
                                                    "need": human_bytes(found["qlora"].total)}))
        return Advice(None, reasons)

    if rows is not None and rows < TINY_DATA:
        reasons.append(("ui.advice.tiny_data", {"rows": rows}))
        choice = "lora" if fits["lora"] else "qlora"
    elif rows is not None and rows >= LARGE_DATA and fits["full"]:
        reasons.append(("ui.advice.large_data_full", {"rows": rows, **memory,
                                                      "need": human_bytes(found["full"].total)}))
        choice = "full"
    else:
        if rows is not None:
            reasons.append(("ui.advice.small_data" if rows < LARGE_DATA else "ui.advice.large_data_no_full",
                            {"rows": rows, **memory}))
        choice = "lora" if fits["lora"] else "qlora"

    if choice == "qlora":
        reasons.append(("ui.advice.qlora_memory", {**memory, "need": human_bytes(found["lora"].total),
                                                   "need_q": human_bytes(found["qlora"].total)}))
    elif choice == "lora" and not fits["full"]:
        reasons.append(("ui.advice.full_too_big", {**memory, "need": human_bytes(found["full"].total)}))
    if device.kind != "cuda":
        reasons.append(("ui.advice.cpu", {}))
    reasons.append((f"ui.advice.choose.{choice}", {}))
    return Advice(choice, reasons)
