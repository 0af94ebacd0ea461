"""Loading a base model and its tokenizer: built-in, local folder or hub id; device, dtype, quantization.

Heavy libraries are imported inside the functions so that importing the studio stays fast.
"""
from __future__ import annotations

import logging
from pathlib import Path

from .chat_template import PLAIN_CHAT_TEMPLATE
from .errors import StudioError
from .paths import BUILTIN_MODEL, ROOT

log = logging.getLogger(__name__)

BUILTIN_NAMES = ("builtin", "studio/builtin")


def resolve_source(name: str) -> str:
    """`builtin` -> the shipped model folder; a run folder -> that run's merged model (so a tuned
    model can be the base of the next run); an existing path -> its absolute path; else a hub id."""
    from .merge import is_run_folder, merged_model_dir

    name = name.strip()
    if name in BUILTIN_NAMES:
        return str(BUILTIN_MODEL)
    for candidate in (Path(name).expanduser(), ROOT / name):
        if candidate.is_dir():
            if is_run_folder(candidate):
                return str(merged_model_dir(candidate))
            return str(candidate.resolve())
    return name


def is_local(source: str) -> bool:
    return Path(source).is_dir()


def choose_device(preference: str = "auto") -> str:
    import torch

    if preference != "auto":
        if preference == "cuda" and not torch.cuda.is_available():
            raise StudioError("model.err.no_cuda")
        return preference
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def choose_dtype(preference: str, device: str):
    """bf16 where the GPU has it, fp16 on older GPUs, fp32 on CPU; an explicit choice wins."""
    import torch

    if preference != "auto":
        return getattr(torch, preference)
    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def quantization_config(kind: str, compute_dtype):
    if kind == "none":
        return None
    from transformers import BitsAndBytesConfig

    if kind == "8bit":
        return BitsAndBytesConfig(load_in_8bit=True)
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=compute_dtype)


def _hub_error(source: str, exc: Exception) -> StudioError:
    if source == str(BUILTIN_MODEL):
        return StudioError("model.err.builtin_missing", path=source)
    if is_local(source):
        return StudioError("model.err.bad_folder", path=source, detail=str(exc)[:300])
    return StudioError("model.err.not_found", name=source, detail=str(exc)[:300])


def load_tokenizer(source: str, revision: str | None = None, trust_remote_code: bool = False):
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision, trust_remote_code=trust_remote_code)
    except (OSError, ValueError) as exc:
        raise _hub_error(source, exc) from None
    if tokenizer.pad_token is None:
        # Padding positions are masked out of the loss, so reusing end-of-text is safe.
        tokenizer.pad_token = tokenizer.eos_token
    if not tokenizer.chat_template:
        tokenizer.chat_template = PLAIN_CHAT_TEMPLATE
    return tokenizer


def load_model(model_cfg, quantization: str = "none", task: str = "causal_lm", device: str | None = None,
               tokenizer=None, seed: int = 0):
    """The base model for `task` ("causal_lm" or "seq_cls", a one-score head for reward models).

    `model_cfg` is the recipe's model section. `init: scratch` builds random weights from the
    model's config (pre-training from scratch).
    """
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSequenceClassification

    source = resolve_source(model_cfg.name)
    device = device or choose_device(model_cfg.device)
    dtype = choose_dtype(model_cfg.dtype, device)
    auto_class = AutoModelForSequenceClassification if task == "seq_cls" else AutoModelForCausalLM
    extra = {"num_labels": 1} if task == "seq_cls" else {}
    common = dict(revision=model_cfg.revision, trust_remote_code=model_cfg.trust_remote_code)
    try:
        if model_cfg.init == "scratch":
            config = AutoConfig.from_pretrained(source, **common, **extra)
            torch.manual_seed(seed)
            model = auto_class.from_config(config, dtype=dtype)
            _adopt_generation_config(model, source)
        else:
            quant = quantization_config(quantization, dtype)
            placement = {"device_map": {"": device}} if quant else {}
            model = auto_class.from_pretrained(source, dtype=dtype, quantization_config=quant,
                                               **placement, **common, **extra)
    except (OSError, ValueError) as exc:
        raise _hub_error(source, exc) from None
    except ImportError as exc:  # bitsandbytes or an architecture's extra package missing
        raise StudioError("model.err.missing_package", name=source, detail=str(exc)[:300]) from None
    if quantization == "none":
        model.to(device)
    elif quantization == "4bit":
        keep_4bit_trainable(model)
    if tokenizer is not None and model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return model


def _adopt_generation_config(model, source: str) -> None:
    """A model built from a config gets a generation config derived from it, which knows only one
    end token; the folder's own generation_config.json (e.g. end-of-text and end-of-turn) wins."""
    from transformers import GenerationConfig

    try:
        model.generation_config = GenerationConfig.from_pretrained(source)
    except OSError:
        pass


def keep_4bit_trainable(model) -> None:
    """Keep 4-bit layers on bitsandbytes' trainable path.

    On CPUs with AVX512-BF16, a 4-bit layer run in eval mode repacks its weights for a bf16
    kernel that has no backward pass: training afterwards silently gets zero gradients, and its
    answers differ from those the same weights give in training. Undo any repacking and keep the
    layers on the one path, so a model used for generation can still be trained.
    """
    try:
        from bitsandbytes.functional import _convert_weight_packed_for_cpu_inverse
        from bitsandbytes.nn import Linear4bit
    except ImportError:
        return
    for module in model.modules():
        if isinstance(module, Linear4bit):
            module.support_avx512bf16_for_cpu = False
            state = module.weight.quant_state
            if state is not None and getattr(state, "packing_format_for_cpu", False):
                module.weight.data, module.weight.quant_state = _convert_weight_packed_for_cpu_inverse(
                    module.weight.data, state)


def count_parameters(model) -> tuple[int, int]:
    """(trainable, total) parameters; 4-bit weights count as the values they hold, not their bytes."""
    trainable = total = 0
    for param in model.parameters():
        n = param.numel()
        if type(param).__name__ == "Params4bit":
            n *= 2  # two 4-bit values per stored byte
        total += n
        if param.requires_grad:
            trainable += n
    return trainable, total


def folder_size(path: str | Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
