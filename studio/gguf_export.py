"""Writing a merged model folder as one GGUF file, the format llama.cpp and Ollama run.

    write_gguf("runs/my-run/merged", "out/model.gguf", "f16")   # or "f32", "q8_0"

The file holds what llama.cpp needs to run the model alone: the architecture's hyper-parameters,
the tokenizer (vocabulary, merges, token types, special ids, chat template) and the weights under
llama.cpp's tensor names. Only the architectures and tokenizers listed below are written; anything
else is refused with a message, because a file llama.cpp reads differently from transformers would
answer differently without any sign of it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .errors import StudioError

GGUF_TYPES = ("f16", "f32", "q8_0")
# transformers model_type -> llama.cpp architecture. Llama and Qwen2 share one block layout and
# differ in what is stated below: Qwen2 has q/k/v biases, and llama.cpp runs its rotary embedding
# in the same (half-split) layout as transformers, so its Q/K rows stay as they are.
ARCHITECTURES = {"llama": "llama", "qwen2": "qwen2"}
_PERMUTE_QK = {"llama"}

# The pre-tokenizer split of the byte-level BPE tokenizers llama.cpp knows by name (the regex in
# the model's tokenizer.json -> llama.cpp's name for it).
_LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_QWEN2_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
                r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
_NAMED_SPLITS = {_LLAMA3_SPLIT: "llama-bpe", _QWEN2_SPLIT: "qwen2"}
# A regex that matches exactly one character of a class, e.g. `\s` or `[\u4e00-\u9fff]`.
_ONE_CHAR_CLASS = re.compile(r"^(\\[sdw]|\[[^\[\]]+\])$")
# HF-only Jinja markers (for assistant-only loss): they print nothing, and other engines reject them.
_GENERATION_TAGS = re.compile(r"\{%-?\s*(end)?generation\s*-?%\}")


def check_gguf(model_dir: str | Path, gguf_type: str = "f16"):
    """Raise the StudioError that writing this folder would raise, before anything is written.
    Returns (config, tokenizer, its GGUF description) for `write_gguf`."""
    from transformers import AutoConfig, AutoTokenizer

    model_dir = Path(model_dir)
    if gguf_type not in GGUF_TYPES:
        raise StudioError("gguf.err.type", value=str(gguf_type), choices=", ".join(GGUF_TYPES))
    config = AutoConfig.from_pretrained(model_dir)
    if config.model_type not in ARCHITECTURES:
        raise StudioError("gguf.err.architecture", model_type=config.model_type,
                          supported=", ".join(sorted(ARCHITECTURES)))
    rope_type = (getattr(config, "rope_parameters", None) or {}).get("rope_type", "default")
    if rope_type != "default":
        raise StudioError("gguf.err.rope", rope_type=str(rope_type))
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return config, tokenizer, _tokenizer_vocab(tokenizer, config.vocab_size)


def write_gguf(model_dir: str | Path, out_file: str | Path, gguf_type: str = "f16", name: str | None = None) -> Path:
    """Write `model_dir` (a plain transformers model folder) to `out_file`; returns the file's path."""
    model_dir, out_file = Path(model_dir), Path(out_file)
    config, tokenizer, vocab = check_gguf(model_dir, gguf_type)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    partial = out_file.with_name(out_file.name + ".partial")
    try:
        _write(model_dir, partial, gguf_type, config, vocab, tokenizer, name or model_dir.name)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out_file)  # a file under the final name is complete
    return out_file


def _write(model_dir: Path, path: Path, gguf_type: str, config, vocab: dict, tokenizer, name: str) -> None:
    import gguf
    import numpy as np

    arch_name = ARCHITECTURES[config.model_type]
    rope = dict(getattr(config, "rope_parameters", None) or {})
    heads, kv_heads = config.num_attention_heads, config.num_key_value_heads or config.num_attention_heads
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // heads
    file_type = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16,
                 "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}[gguf_type]

    # use_temp_file spools converted tensors to disk, so a large model is never held twice in memory.
    writer = gguf.GGUFWriter(path, arch_name, use_temp_file=True)
    writer.add_name(name)
    writer.add_file_type(file_type)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)
    writer.add_vocab_size(config.vocab_size)
    writer.add_context_length(config.max_position_embeddings)
    writer.add_embedding_length(config.hidden_size)
    writer.add_block_count(config.num_hidden_layers)
    writer.add_feed_forward_length(config.intermediate_size)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_dimension_count(head_dim)
    writer.add_rope_freq_base(float(rope.get("rope_theta", getattr(config, "rope_theta", 10000.0))))
    writer.add_layer_norm_rms_eps(config.rms_norm_eps)
    _add_tokenizer(writer, tokenizer, vocab, model_dir)

    names = gguf.get_tensor_name_map(gguf.MODEL_ARCH[arch_name.upper()], config.num_hidden_layers)
    tied = bool(getattr(config, "tie_word_embeddings", False))
    for hf_name, tensor in _tensors(model_dir):
        if hf_name.endswith("rotary_emb.inv_freq") or (tied and hf_name == "lm_head.weight"):
            continue  # recomputed by llama.cpp / the same matrix as token_embd
        gguf_name = names.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gguf_name is None:
            raise StudioError("gguf.err.tensor", tensor=hf_name, model_type=config.model_type)
        data = tensor.float().numpy()
        if arch_name in _PERMUTE_QK and gguf_name.split(".")[-2] in ("attn_q", "attn_k"):
            data = _interleave_rotary_halves(data, heads if ".attn_q." in gguf_name else kv_heads)
        _add_tensor(writer, gguf_name, data, gguf_type, gguf, np)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def _interleave_rotary_halves(weight, n_heads: int):
    """transformers rotates the two halves of each head's dimensions against each other (rotate_half);
    llama.cpp's llama graph rotates neighbouring pairs. Reorder each head's output rows from
    [x0..x(d/2-1), y0..y(d/2-1)] to [x0, y0, x1, y1, ...] so both compute the same attention."""
    rows = weight.shape[0]
    per_head = weight.reshape(n_heads, 2, rows // n_heads // 2, *weight.shape[1:])
    return per_head.swapaxes(1, 2).reshape(weight.shape)


def _add_tensor(writer, name: str, data, gguf_type: str, gguf, np) -> None:
    # Norms and biases are tiny and precision-critical: llama.cpp keeps 1-D tensors in f32.
    if data.ndim == 1 or gguf_type == "f32":
        writer.add_tensor(name, data.astype(np.float32))
    elif gguf_type == "q8_0" and data.shape[-1] % 32 == 0:
        kind = gguf.GGMLQuantizationType.Q8_0
        writer.add_tensor(name, gguf.quants.quantize(data, kind), raw_dtype=kind)
    else:  # f16, and the rare q8_0 row length that is not a whole number of 32-value blocks
        writer.add_tensor(name, data.astype(np.float16))


def _tensors(model_dir: Path):
    """(name, tensor) for every weight in the folder, one at a time (sharded or not)."""
    from safetensors import safe_open

    files = sorted(model_dir.glob("*.safetensors"))
    if not files:
        raise StudioError("gguf.err.no_weights", path=str(model_dir))
    for file in files:
        with safe_open(file, framework="pt") as weights:
            for key in weights.keys():
                yield key, weights.get_tensor(key)


def _tokenizer_vocab(tokenizer, vocab_size: int) -> dict:
    """The tokenizer as llama.cpp's byte-level BPE ("gpt2") model describes it.

    Read from the loaded tokenizer, not from tokenizer.json: transformers may replace parts of the
    file (its Qwen2 class sets Qwen2's own split), and the file must tokenize as the studio did."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise StudioError("gguf.err.tokenizer", detail=f"{type(tokenizer).__name__} has no tokenizers backend")
    spec = json.loads(backend.to_str())
    model = spec.get("model") or {}
    if model.get("type") != "BPE" or model.get("byte_fallback") or not _is_byte_level(spec.get("decoder")):
        raise StudioError("gguf.err.tokenizer", detail=f"{model.get('type')} model, decoder "
                          f"{(spec.get('decoder') or {}).get('type')}; only byte-level BPE is written")
    normalizer = (spec.get("normalizer") or {}).get("type")
    # Qwen2's NFC is not applied by llama.cpp, like in every Qwen2 GGUF: it only matters for text
    # that is not already NFC.
    if normalizer not in (None, "NFC"):
        raise StudioError("gguf.err.tokenizer", detail=f"normalizer {normalizer}")
    pre = _pre_tokenizer_name(spec.get("pre_tokenizer"))
    if pre is None:
        raise StudioError("gguf.err.tokenizer", detail="a pre-tokenizer llama.cpp has no name for")

    tokens: dict[int, str] = {i: t for t, i in model["vocab"].items()}
    types: dict[int, int] = {i: 1 for i in tokens}  # 1 NORMAL
    for added in spec.get("added_tokens") or []:
        tokens[added["id"]] = added["content"]
        types[added["id"]] = 3 if added.get("special") else 4  # CONTROL / USER_DEFINED
    size = max(vocab_size, max(tokens) + 1)
    if size > vocab_size:
        raise StudioError("gguf.err.tokenizer", detail=f"{size} tokens for {vocab_size} embedding rows")
    # Rows of the embedding no token uses still need an entry: llama.cpp counts the vocabulary.
    token_list = [tokens.get(i, f"[PAD{i}]") for i in range(size)]
    type_list = [types.get(i, 5) for i in range(size)]  # 5 UNUSED
    merges = [m if isinstance(m, str) else " ".join(m) for m in model.get("merges") or []]
    return {"pre": pre, "tokens": token_list, "types": type_list, "merges": merges}


def _is_byte_level(part: dict | None) -> bool:
    if not part:
        return False
    if part.get("type") == "ByteLevel":
        return True
    return any(_is_byte_level(p) for p in part.get("decoders") or part.get("pretokenizers") or [])


def _pre_tokenizer_name(pre: dict | None) -> str | None:
    """llama.cpp's name for how this tokenizer cuts text before BPE, or None if it has none.

    GPT-2's own split is ByteLevel with use_regex. The built-in model's tokenizer first isolates
    single characters of a class (CJK, whitespace) and then applies that split. Its merges were
    learnt inside those pieces and never join such a character to a neighbour, so llama.cpp's
    "gpt-2" split gives the same tokens but in one case: a space before an apostrophe contraction
    (" 'vegetable'"), where GPT-2 keeps " '" together and the built-in tokenizer, having cut the
    space off, reads "'ve". On the studio's sample data that is 80 of 6048 texts, all of this kind.
    There is no closer split llama.cpp knows by name."""
    if not pre:
        return None
    steps = pre.get("pretokenizers") if pre.get("type") == "Sequence" else [pre]
    *splits, last = steps
    if last.get("type") != "ByteLevel":
        return None
    if last.get("add_prefix_space"):
        return None  # llama.cpp never adds a leading space to byte-level BPE input
    if last.get("use_regex", True):
        if all(s.get("type") == "Split" and s.get("behavior") == "Isolated" and not s.get("invert")
               and _ONE_CHAR_CLASS.match((s.get("pattern") or {}).get("Regex", "")) for s in splits):
            return "gpt-2"
        return None
    if len(splits) == 1 and splits[0].get("type") == "Split" and splits[0].get("behavior") == "Isolated":
        return _NAMED_SPLITS.get((splits[0].get("pattern") or {}).get("Regex"))
    return None


def _add_tokenizer(writer, tokenizer, vocab: dict, model_dir: Path) -> None:
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(vocab["pre"])
    writer.add_token_list(vocab["tokens"])
    writer.add_token_types(vocab["types"])
    writer.add_token_merges(vocab["merges"])
    bos, eos, pad = tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id
    if bos is not None:
        writer.add_bos_token_id(bos)
    if eos is not None:
        writer.add_eos_token_id(eos)
    if pad is not None:
        writer.add_pad_token_id(pad)
    # Say whether a BOS is added as the tokenizer does it, not as a flag claims.
    probe = tokenizer("a")["input_ids"]
    writer.add_add_bos_token(bool(bos is not None and probe[:1] == [bos]))
    writer.add_add_eos_token(bool(eos is not None and probe[-1:] == [eos] and len(probe) > 1))
    # The studio stops on every end token in generation_config (e.g. <|im_end|> besides EOS):
    # the first other one is the end of a chat turn for llama.cpp.
    ends = _generation_eos(model_dir)
    turn_end = next((i for i in ends if i != eos), None)
    if turn_end is not None:
        writer.add_eot_token_id(turn_end)
    if tokenizer.chat_template:
        writer.add_chat_template(_GENERATION_TAGS.sub("", tokenizer.chat_template))


def _generation_eos(model_dir: Path) -> list[int]:
    path = model_dir / "generation_config.json"
    if not path.is_file():
        return []
    ends = json.loads(path.read_text(encoding="utf-8")).get("eos_token_id")
    return [ends] if isinstance(ends, int) else list(ends or [])
