"""Tiny tokenizers and models built locally, so tests never touch a hub.

    tok = tiny_tokenizer()                       # byte-level BPE, zh + en, ChatML template
    path = tiny_model_dir("llama", tmp_path)     # a saved random model + tokenizer
"""
from __future__ import annotations

import functools
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import AutoConfig, AutoModelForCausalLM, PreTrainedTokenizerFast

from studio.chat_template import CHATML_TEMPLATE

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"]

_TEXT = [
    "The capital of France is Paris. 法国的首都是巴黎。",
    "The cat sits on the mat. 猫坐在垫子上。",
    "Two plus three is five. 二加三等于五。",
    "What is the opposite of hot? Cold. 热的反义词是冷。",
    "hello world 你好，世界 0123456789 !?.,:;'\"()[]{}",
]


@functools.lru_cache(maxsize=None)
def tiny_tokenizer(vocab_size: int = 512) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(_TEXT * 20, trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>", pad_token="<|pad|>")
    hf.chat_template = CHATML_TEMPLATE
    return hf


# Smallest configs of each family the studio supports; all share the tiny tokenizer.
_ARCH = {
    "llama": dict(model_type="llama", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2),
    "qwen2": dict(model_type="qwen2", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2),
    "qwen3": dict(model_type="qwen3", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, head_dim=8),
    "gemma": dict(model_type="gemma", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=1, head_dim=8),
    "mistral": dict(model_type="mistral", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                    num_attention_heads=4, num_key_value_heads=2, sliding_window=None),
    "phi3": dict(model_type="phi3", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=4),
    "gpt2": dict(model_type="gpt2", n_embd=32, n_layer=2, n_head=4, n_positions=256),
    "gpt_neox": dict(model_type="gpt_neox", hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                     num_attention_heads=4),
}
ARCHITECTURES = tuple(_ARCH)


def tiny_config(arch: str, tokenizer=None):
    tokenizer = tokenizer or tiny_tokenizer()
    kwargs = dict(_ARCH[arch])
    model_type = kwargs.pop("model_type")
    ids = dict(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id,
               eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.eos_token_id)
    if model_type != "gpt2":
        kwargs.setdefault("max_position_embeddings", 256)
    return AutoConfig.for_model(model_type, **kwargs, **ids)


def tiny_model_dir(arch: str, root: Path, seed: int = 0) -> Path:
    """Save a random tiny `arch` model with the tiny tokenizer under `root/arch`; return the folder."""
    import torch

    path = Path(root) / arch
    if (path / "config.json").exists():
        return path
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer()
    model = AutoModelForCausalLM.from_config(tiny_config(arch, tokenizer))
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
