"""How big a model is and how much memory training it needs, before anything is loaded.

    size = model_size("Qwen/Qwen2.5-0.5B-Instruct")      # parameters, from a config (no weights)
    need = estimate_training(recipe, size)                 # weights, gradients, optimizer, activations
    need.fits                                              # against the detected device's memory

Parameter counts come from, in order: the safetensors headers of a local folder (exact), its
config.json, a small table of the hub presets (the hub cannot always be reached), and for any
other hub id the config fetched through transformers when the hub answers. Memory figures are
estimates in the usual back-of-the-envelope way: they say which choices fit, not to the megabyte.
"""
from __future__ import annotations

import functools
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

from .models import BUILTIN_NAMES, resolve_source
from .paths import ASSETS

GIB = 2**30

# The hub models the UI offers, with the configs that decide their size (from their config.json).
# Kept here so the estimate works offline; `params` is the published total, checked by the tests.
_LLAMA_LIKE = dict(model_type="llama", tie_word_embeddings=True)
KNOWN_MODELS: dict[str, dict] = {
    "HuggingFaceTB/SmolLM2-135M-Instruct": dict(
        label="SmolLM2 135M Instruct", params=134_515_008, config=dict(
            _LLAMA_LIKE, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
            num_attention_heads=9, num_key_value_heads=3, vocab_size=49152)),
    "HuggingFaceTB/SmolLM2-360M-Instruct": dict(
        label="SmolLM2 360M Instruct", params=361_821_120, config=dict(
            _LLAMA_LIKE, hidden_size=960, intermediate_size=2560, num_hidden_layers=32,
            num_attention_heads=15, num_key_value_heads=5, vocab_size=49152)),
    "Qwen/Qwen2.5-0.5B-Instruct": dict(
        label="Qwen2.5 0.5B Instruct", params=494_032_768, config=dict(
            model_type="qwen2", tie_word_embeddings=True, hidden_size=896, intermediate_size=4864,
            num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2, vocab_size=151936)),
    "Qwen/Qwen2.5-1.5B-Instruct": dict(
        label="Qwen2.5 1.5B Instruct", params=1_543_714_304, config=dict(
            model_type="qwen2", tie_word_embeddings=True, hidden_size=1536, intermediate_size=8960,
            num_hidden_layers=28, num_attention_heads=12, num_key_value_heads=2, vocab_size=151936)),
    "Qwen/Qwen3-0.6B": dict(
        label="Qwen3 0.6B", params=596_049_920, config=dict(
            model_type="qwen3", tie_word_embeddings=True, hidden_size=1024, intermediate_size=3072,
            num_hidden_layers=28, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
            vocab_size=151936)),
    "meta-llama/Llama-3.2-1B-Instruct": dict(
        label="Llama 3.2 1B Instruct", params=1_235_814_400, config=dict(
            _LLAMA_LIKE, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
            num_attention_heads=32, num_key_value_heads=8, head_dim=64, vocab_size=128256)),
    "google/gemma-3-270m-it": dict(
        label="Gemma 3 270M", params=268_098_176, config=dict(
            model_type="gemma3_text", tie_word_embeddings=True, hidden_size=640, intermediate_size=2048,
            num_hidden_layers=18, num_attention_heads=4, num_key_value_heads=1, head_dim=256,
            vocab_size=262144)),
}

# Families whose blocks differ from the Llama shape (gated MLP, no biases, two norms).
_UNGATED = {"gpt2", "gpt_neox", "gpt_bigcode", "opt", "bloom", "falcon", "phi"}
_QKV_BIAS = {"qwen2", "qwen2_moe"}
_QK_NORM = {"qwen3", "gemma3", "gemma3_text", "olmo2"}
_FOUR_NORMS = {"gemma2", "gemma3", "gemma3_text"}


@dataclass
class Shape:
    """The numbers of a decoder that decide its size, whatever the family calls them."""
    model_type: str
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    intermediate: int
    vocab: int
    tied: bool
    positions: int = 0  # learned position embeddings (GPT-2), else 0

    @classmethod
    def from_config(cls, config: dict) -> "Shape | None":
        config = config.get("text_config") or config  # multimodal wrappers keep the decoder inside
        pick = lambda *names, default=None: next((config[n] for n in names if config.get(n) is not None), default)  # noqa: E731
        hidden = pick("hidden_size", "n_embd", "d_model")
        layers = pick("num_hidden_layers", "n_layer", "num_layers")
        heads = pick("num_attention_heads", "n_head")
        vocab = pick("vocab_size")
        if not all(isinstance(v, int) and v > 0 for v in (hidden, layers, heads, vocab)):
            return None
        model_type = str(config.get("model_type", ""))
        learned_positions = model_type in ("gpt2", "gpt_bigcode", "opt")
        return cls(model_type=model_type, hidden=hidden, layers=layers, heads=heads,
                   kv_heads=pick("num_key_value_heads", default=heads),
                   head_dim=pick("head_dim", default=hidden // heads),
                   intermediate=pick("intermediate_size", "n_inner", "ffn_dim", default=None) or 4 * hidden,
                   vocab=vocab, tied=bool(config.get("tie_word_embeddings", True)),
                   positions=pick("n_positions", "max_position_embeddings", default=0) if learned_positions else 0)

    @property
    def gated(self) -> bool:
        return self.model_type not in _UNGATED

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) of each linear layer in one block; LoRA and 8/4-bit apply to these."""
        h, q, kv, i = self.hidden, self.heads * self.head_dim, self.kv_heads * self.head_dim, self.intermediate
        shapes = {"q_proj": (h, q), "k_proj": (h, kv), "v_proj": (h, kv), "o_proj": (q, h)}
        if self.gated:
            shapes.update(gate_proj=(h, i), up_proj=(h, i), down_proj=(i, h))
        else:
            shapes.update(up_proj=(h, i), down_proj=(i, h))
        return shapes

    def block_extras(self) -> int:
        """Biases and norms of one block (small, but counted so totals match published ones)."""
        h, t = self.hidden, self.model_type
        if not self.gated:  # GPT-2 style: every linear has a bias, layer norms have a bias too
            return sum(out for _, out in self.linear_shapes().values()) + 2 * 2 * h
        extra = (4 if t in _FOUR_NORMS else 2) * h
        if t in _QKV_BIAS:
            extra += (self.heads + 2 * self.kv_heads) * self.head_dim
        if t in _QK_NORM:
            extra += 2 * self.head_dim
        return extra

    def counts(self) -> dict[str, int]:
        """{"embedding", "blocks_linear", "other", "total"} parameters."""
        linear = self.layers * sum(a * b for a, b in self.linear_shapes().values())
        embedding = self.vocab * self.hidden * (1 if self.tied else 2) + self.positions * self.hidden
        other = self.layers * self.block_extras() + self.hidden * (2 if not self.gated else 1)
        return {"embedding": embedding, "blocks_linear": linear, "other": other,
                "total": embedding + linear + other}


@dataclass
class ModelSize:
    name: str
    source: str                 # builtin | local | known | hub | unknown
    params: int | None = None
    shape: Shape | None = None

    @property
    def known(self) -> bool:
        return self.params is not None


def safetensors_params(folder: Path) -> int | None:
    """Exact parameter count from the safetensors headers (8-byte length + JSON), no tensors read."""
    files = sorted(folder.glob("*.safetensors"))
    if not files:
        return None
    total = 0
    for path in files:
        with open(path, "rb") as fh:
            (length,) = struct.unpack("<Q", fh.read(8))
            header = json.loads(fh.read(length))
        for name, info in header.items():
            if name != "__metadata__":
                count = 1
                for dim in info["shape"]:
                    count *= dim
                total += count
    return total


def _read_config(folder: Path) -> dict | None:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _from_folder(name: str, folder: Path, source: str) -> ModelSize:
    config = _read_config(folder)
    shape = Shape.from_config(config) if config else None
    params = safetensors_params(folder) or (shape.counts()["total"] if shape else None)
    return ModelSize(name, source, params, shape)


@functools.lru_cache(maxsize=64)
def _hub_config(name: str) -> dict | None:
    """A hub model's config when the hub answers; None offline (the answer is cached either way)."""
    import os

    if os.environ.get("HF_HUB_OFFLINE") in ("1", "true", "True"):
        return None
    try:
        from transformers import AutoConfig

        return AutoConfig.from_pretrained(name).to_dict()
    except Exception:  # noqa: BLE001 - no network, gated repo, unknown id: the size is "unknown"
        return None


def model_size(name: str, online: bool = True) -> ModelSize:
    """The parameter count of `name` (builtin, a local folder, a hub id) without loading weights."""
    name = (name or "").strip()
    if name in BUILTIN_NAMES:
        folder = Path(resolve_source(name))
        # Before the built-in weights exist, its architecture is already fixed by builtin-init.
        return _from_folder(name, folder if folder.is_dir() else ASSETS / "builtin-init", "builtin")
    source = resolve_source(name)
    if Path(source).is_dir():
        return _from_folder(name, Path(source), "local")
    if name in KNOWN_MODELS:
        known = KNOWN_MODELS[name]
        return ModelSize(name, "known", known["params"], Shape.from_config(known["config"]))
    config = _hub_config(name) if online and "/" in name else None
    shape = Shape.from_config(config) if config else None
    if shape is None:
        return ModelSize(name, "unknown")
    return ModelSize(name, "hub", shape.counts()["total"], shape)


# --- devices ------------------------------------------------------------------------------------

@dataclass
class Device:
    kind: str          # cuda | cpu
    name: str
    total_bytes: int | None


def _system_ram() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:
        return None


def _may_have_gpu() -> bool:
    """Whether asking torch is worth its import time (seconds): a GPU driver is present, or torch
    is loaded already."""
    import shutil
    import sys

    return ("torch" in sys.modules or Path("/proc/driver/nvidia").exists() or Path("/dev/kfd").exists()
            or shutil.which("nvidia-smi") is not None)


@functools.lru_cache(maxsize=4)
def detect_device(preference: str = "auto") -> Device:
    """The device training would use, and its memory (GPU memory, else system RAM)."""
    if preference == "cuda" or preference == "auto" and _may_have_gpu():
        try:
            import torch

            if torch.cuda.is_available():
                props = torch.cuda.get_device_properties(0)
                return Device("cuda", props.name, int(props.total_memory))
        except ImportError:
            pass
    if preference == "mps":
        return Device("mps", "Apple GPU (shared memory)", _system_ram())
    return Device("cpu", "CPU (system RAM)", _system_ram())


# --- training memory ------------------------------------------------------------------------------

# Bytes of optimizer state per trainable parameter: AdamW keeps two fp32 moments.
OPTIMIZER_BYTES = {"adamw_torch": 8, "adamw_8bit": 2, "sgd": 0, "adafactor": 1}
# Bytes per stored weight for quantized linear layers (NF4 with double quantization ~ 4.13 bits).
QUANT_BYTES = {"4bit": 0.52, "8bit": 1.02}
# Python, the framework and (on a GPU) the CUDA context, roughly.
OVERHEAD_BYTES = int(0.5 * GIB)
# Activation bytes per token per layer per hidden unit at 16 bits with fused attention
# (Korthikanti et al., 2022, "Reducing Activation Recomputation in Large Transformer Models").
ACTIVATION_FACTOR = 34


@dataclass
class MemoryEstimate:
    params: int
    trainable: int
    weights: int
    gradients: int
    optimizer: int
    activations: int
    overhead: int
    device: Device
    notes: list[str] = field(default_factory=list)   # locale keys of caveats

    @property
    def total(self) -> int:
        return self.weights + self.gradients + self.optimizer + self.activations + self.overhead

    @property
    def trainable_percent(self) -> float:
        return 100.0 * self.trainable / max(self.params, 1)

    @property
    def fits(self) -> bool | None:
        if not self.device.total_bytes:
            return None
        return self.total <= 0.9 * self.device.total_bytes


def trainable_params(recipe, shape: Shape, total: int) -> int:
    kind = recipe.method.kind
    if kind == "full":
        return total
    if kind in ("lora", "qlora"):
        options = recipe.method.lora
        chosen = _lora_targets(options.targets, shape)
        per_layer = sum(options.r * (a + b) + (b if options.dora else 0) for a, b in chosen)
        return shape.layers * per_layer
    if kind == "adapter":
        b, h = recipe.method.adapter.bottleneck, shape.hidden
        return shape.layers * len(recipe.method.adapter.placement) * (2 * h * b + b + h)
    if kind == "prompt":
        return recipe.method.prompt.num_virtual_tokens * shape.hidden
    raise ValueError(kind)


def _lora_targets(targets, shape: Shape) -> list[tuple[int, int]]:
    shapes = shape.linear_shapes()
    attention = [shapes[k] for k in ("q_proj", "k_proj", "v_proj", "o_proj")]
    mlp = [v for k, v in shapes.items() if k not in ("q_proj", "k_proj", "v_proj", "o_proj")]
    if isinstance(targets, str) and targets in ("all-linear", "attention", "mlp"):
        return {"all-linear": attention + mlp, "attention": attention, "mlp": mlp}[targets]
    names = [n.strip() for n in (targets.split(",") if isinstance(targets, str) else targets) if n.strip()]
    # Module names differ between families (c_attn, qkv_proj, ...): match on the leaf name,
    # and count an unknown name as one attention-sized projection.
    return [shapes.get(n.split(".")[-1], (shape.hidden, shape.hidden)) for n in names]


def _weight_bytes(dtype: str, device: Device) -> int:
    if dtype == "float32" or (dtype == "auto" and device.kind != "cuda"):
        return 4
    return 2


def estimate_training(recipe, size: ModelSize | None = None, device: Device | None = None) -> MemoryEstimate | None:
    """Memory to train `recipe` (its method, quantization, batch, length); None if the size is unknown."""
    size = size or model_size(recipe.model.name)
    if size.shape is None or size.params is None:
        return None
    device = device or detect_device(recipe.model.device)
    shape, params = size.shape, size.params
    counts = shape.counts()
    width = _weight_bytes(recipe.model.dtype, device)
    notes = []

    quant = recipe.quantization
    linear = min(counts["blocks_linear"], params)
    if quant in QUANT_BYTES:
        # bitsandbytes quantizes the blocks' linear layers; embeddings and norms keep their width.
        weights = int(linear * QUANT_BYTES[quant] + (params - linear) * width)
        if device.kind != "cuda":
            notes.append("ui.estimate.note.quant_cpu")
    else:
        weights = params * width

    trainable = trainable_params(recipe, shape, params)
    # PEFT keeps its small trainable weights in fp32; full tuning updates weights in their own width.
    grad_width = width if recipe.method.kind == "full" else 4
    gradients = trainable * grad_width
    optimizer = int(trainable * OPTIMIZER_BYTES.get(recipe.train.optimizer, 8))
    if recipe.method.kind == "full" and quant != "none":
        notes.append("ui.estimate.note.full_quant")

    activations = _activation_bytes(recipe, shape, width)
    return MemoryEstimate(params=params, trainable=trainable, weights=weights, gradients=gradients,
                          optimizer=optimizer, activations=activations, overhead=OVERHEAD_BYTES,
                          device=device, notes=notes)


def _activation_bytes(recipe, shape: Shape, width: int) -> int:
    tokens = recipe.train.batch_size * recipe.data.max_length
    if recipe.method.kind == "prompt":
        tokens += recipe.train.batch_size * recipe.method.prompt.num_virtual_tokens
    per_layer = int(tokens * shape.hidden * ACTIVATION_FACTOR * width / 2)
    if recipe.train.gradient_checkpointing:
        # Only each block's input is kept; one block's activations are rebuilt at a time.
        blocks = shape.layers * tokens * shape.hidden * width + per_layer
    else:
        blocks = shape.layers * per_layer
    logits = tokens * shape.vocab * 4 * 2  # fp32 logits and their gradient
    return blocks + logits


def human_bytes(count: int | float | None) -> str:
    if count is None:
        return "?"
    for unit, size in (("GiB", GIB), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(count) >= size:
            return f"{count / size:.1f} {unit}"
    return f"{int(count)} B"


def human_count(count: int | None) -> str:
    """134515008 -> 134.5M; 4200000 -> 4.2M; 1543714304 -> 1.54B."""
    if count is None:
        return "?"
    if count >= 1e9:
        return f"{count / 1e9:.2f}B"
    if count >= 1e6:
        return f"{count / 1e6:.1f}M"
    if count >= 1e3:
        return f"{count / 1e3:.1f}K"
    return str(count)
