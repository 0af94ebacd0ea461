"""The built-in assets: reproducible from the seed, held-out split clean, tokenizer sound."""
from __future__ import annotations

import csv
import json
import re
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from studio.builtin.generate import CORPUS_FILE, INIT_DIR, TASKS_DIR, generate  # noqa: E402
from studio.builtin.tasks import user_text  # noqa: E402
from studio.chat_template import CHATML_TEMPLATE  # noqa: E402
from studio.paths import ASSETS  # noqa: E402

FORMATS = ["text.txt", "alpaca.json", "sharegpt.json", "messages.jsonl", "prompt_completion.csv",
           "preference.jsonl", "preference.parquet", "kto.jsonl"]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("assets")
    generate(root)
    return root


def test_regenerating_gives_identical_files(regenerated):
    written = sorted(p.relative_to(regenerated) for p in regenerated.rglob("*") if p.is_file())
    assert CORPUS_FILE in written and TASKS_DIR / "heldout.jsonl" in written
    differing = [str(rel) for rel in written if (ASSETS / rel).read_bytes() != (regenerated / rel).read_bytes()]
    assert not differing, f"run `python -m studio.builtin.generate`: these assets are stale: {differing}"


def test_splits_do_not_overlap():
    train = _jsonl(ASSETS / TASKS_DIR / "train.jsonl")
    heldout = _jsonl(ASSETS / TASKS_DIR / "heldout.jsonl")
    assert len(heldout) >= 200 and len(train) >= 4 * len(heldout)
    train_prompts = {user_text(r["instruction"], r["input"]) for r in train}
    assert not train_prompts & {user_text(r["instruction"], r["input"]) for r in heldout}
    assert {"en", "zh"} == {"zh" if any(ord(c) > 0x3000 for c in r["instruction"]) else "en" for r in heldout}


def test_corpus_is_plain_text_that_states_and_asks_every_fact():
    documents = [row["text"] for row in _jsonl(ASSETS / CORPUS_FILE)]
    for marker in ("<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|pad|>"):
        assert not any(marker in doc for doc in documents)
    # Pre-training asks every question as plain text; only the chat format is new at tuning time,
    # and the held-out rows are never in the instruction train split (test_splits_do_not_overlap).
    corpus = "\n".join(documents)

    def asked(question: str) -> bool:  # whole, after a marker or a line break, before a line break
        return re.search(r"(^|\n|: |：)" + re.escape(question) + r"\n", corpus) is not None

    heldout = _jsonl(ASSETS / TASKS_DIR / "heldout.jsonl")
    assert all(asked(r["instruction"]) for r in heldout)
    assert all(r["output"] in corpus for r in heldout)


def test_every_sample_format_exists_in_both_languages():
    import pandas as pd

    for lang in ("en", "zh"):
        folder = ASSETS / "data" / lang
        assert sorted(p.name for p in folder.iterdir()) == sorted(FORMATS)
        assert len((folder / "text.txt").read_text(encoding="utf-8").splitlines()) >= 100
        assert json.loads((folder / "alpaca.json").read_text(encoding="utf-8"))[0].keys() == {"instruction", "input", "output"}
        conversation = json.loads((folder / "sharegpt.json").read_text(encoding="utf-8"))[0]["conversations"]
        assert [m["from"] for m in conversation[:2]] == ["human", "gpt"]
        assert _jsonl(folder / "messages.jsonl")[0]["messages"][-1]["role"] == "assistant"
        with open(folder / "prompt_completion.csv", encoding="utf-8", newline="") as f:
            assert next(csv.DictReader(f)).keys() == {"prompt", "completion"}
        preference = _jsonl(folder / "preference.jsonl")
        assert all(r["chosen"] != r["rejected"] for r in preference)
        assert pd.read_parquet(folder / "preference.parquet").to_dict("records") == preference
        labels = [r["label"] for r in _jsonl(folder / "kto.jsonl")]
        assert set(labels) == {True, False}


def test_tokenizer_round_trips_and_carries_the_template():
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(ASSETS / INIT_DIR)
    assert tok.chat_template == CHATML_TEMPLATE
    assert (tok.eos_token, tok.pad_token) == ("<|endoftext|>", "<|pad|>")
    assert 2000 <= len(tok) <= 8000
    for text in ("The capital of France is Paris.", "法国的首都是巴黎。", "cat 的中文是猫, 3 + 4 = 7!"):
        assert tok.decode(tok(text)["input_ids"]) == text
    chinese = "法国的首都是巴黎猫狗苹果香蕉红色蓝色反义词"
    assert len(tok(chinese)["input_ids"]) == len(chinese)  # one token per character
    chat = tok.apply_chat_template([{"role": "user", "content": "你好"}], add_generation_prompt=True, tokenize=False)
    assert chat == "<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n"
    for special in ("<|im_start|>", "<|im_end|>"):
        assert len(tok(special, add_special_tokens=False)["input_ids"]) == 1


def test_init_folder_builds_a_small_model():
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    tok = AutoTokenizer.from_pretrained(ASSETS / INIT_DIR)
    config = AutoConfig.from_pretrained(ASSETS / INIT_DIR)
    assert config.tie_word_embeddings and config.vocab_size == len(tok)
    model = AutoModelForCausalLM.from_config(config)
    assert 2e6 <= sum(p.numel() for p in model.parameters()) <= 7.5e6  # <= 30 MB in fp32
    eos = GenerationConfig.from_pretrained(ASSETS / INIT_DIR).eos_token_id
    assert eos == [tok.convert_tokens_to_ids("<|endoftext|>"), tok.convert_tokens_to_ids("<|im_end|>")]
