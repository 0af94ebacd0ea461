"""The built-in model's architecture: a small Llama with tied embeddings.

Sized for CPUs: ~4.0M parameters (about 16 MB in fp32) pre-train in about half an hour on two
cores and take a LoRA run of a few minutes, yet hold the few hundred facts of the built-in world.
"""
from __future__ import annotations

from pathlib import Path

from transformers import GenerationConfig, LlamaConfig, PreTrainedTokenizerFast

from .tokenizer import EOS, IM_END

ARCHITECTURE = dict(hidden_size=256, intermediate_size=768, num_hidden_layers=4, num_attention_heads=4,
                    num_key_value_heads=4, max_position_embeddings=512, rope_theta=10000.0,
                    tie_word_embeddings=True, rms_norm_eps=1e-5, initializer_range=0.02)


def model_config(tokenizer: PreTrainedTokenizerFast) -> LlamaConfig:
    eos = tokenizer.convert_tokens_to_ids(EOS)
    return LlamaConfig(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, bos_token_id=eos,
                       eos_token_id=eos, **ARCHITECTURE)


def generation_config(tokenizer: PreTrainedTokenizerFast) -> GenerationConfig:
    # Stop at either end marker: <|endoftext|> ends plain text, <|im_end|> ends a chat turn.
    eos_ids = [tokenizer.convert_tokens_to_ids(t) for t in (EOS, IM_END)]
    return GenerationConfig(eos_token_id=eos_ids, pad_token_id=tokenizer.pad_token_id, do_sample=False)


def save_init(folder: Path, tokenizer: PreTrainedTokenizerFast) -> Path:
    """The folder pre-training starts from: config, generation config and tokenizer, no weights."""
    folder.mkdir(parents=True, exist_ok=True)
    model_config(tokenizer).save_pretrained(folder)
    generation_config(tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
