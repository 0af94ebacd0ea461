"""The built-in tokenizer: byte-level BPE trained on the built-in corpus.

Every CJK character is cut out as its own piece before BPE runs, so merges never cross a Chinese
character boundary: each character the corpus uses becomes exactly one token (the answer 巴黎 is
two tokens, not an arbitrary mix of bytes and bigrams), while unseen characters still fall back to
bytes. English words merge as usual.
"""
from __future__ import annotations

from typing import Iterable

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

from studio.chat_template import CHATML_TEMPLATE

EOS, IM_START, IM_END, PAD = "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|pad|>"
SPECIAL_TOKENS = [EOS, IM_START, IM_END, PAD]
VOCAB_SIZE = 4096
# CJK unified ideographs, their extension A, and CJK/full-width punctuation.
_CJK = Regex(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
_SPACE = Regex(r"\s")


def train_tokenizer(texts: Iterable[str], vocab_size: int = VOCAB_SIZE) -> PreTrainedTokenizerFast:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(_CJK, behavior="isolated"),
        # Spaces are tokens of their own, so a word is the same token after a space, at the start
        # of a line or at the start of an answer: "Paris" in "The capital is Paris" is the token
        # the model must write when a chat answer begins with it.
        pre_tokenizers.Split(_SPACE, behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, min_frequency=2,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    hf = PreTrainedTokenizerFast(tokenizer_object=tok, eos_token=EOS, pad_token=PAD,
                                 additional_special_tokens=[IM_START, IM_END])
    hf.chat_template = CHATML_TEMPLATE
    return hf
