"""Shared test set-up: offline, a private workspace, tiny local models, small data files."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def workspace(tmp_path_factory):
    """Every test session writes runs and databases to its own workspace."""
    path = tmp_path_factory.mktemp("workspace")
    os.environ["STUDIO_HOME"] = str(path)
    return path


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory):
    return tmp_path_factory.mktemp("tiny-models")


@pytest.fixture(scope="session")
def tiny_llama(tiny_models):
    from tests.tiny import tiny_model_dir

    return tiny_model_dir("llama", tiny_models)


WORDS = ["cat", "dog", "bird", "fish", "cow", "pig", "hen", "fox", "owl", "bee", "ant", "elk"]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def sample_rows(kind: str, n: int = 48) -> list[dict]:
    """Small learnable data in the source format an objective reads: upper-casing animal words."""
    rows = []
    for i in range(n):
        w = WORDS[i % len(WORDS)]
        if kind == "text":
            rows.append({"text": f"The word {w} written in capitals is {w.upper()}. 它的大写是 {w.upper()}。"})
        elif kind == "alpaca":
            rows.append({"instruction": "Write the word in capitals.", "input": w, "output": w.upper()})
        elif kind == "preference":
            rows.append({"prompt": f"Write {w} in capitals.", "chosen": w.upper(), "rejected": w})
        elif kind == "kto":
            good = i % 2 == 0
            rows.append({"prompt": f"Write {w} in capitals.", "completion": w.upper() if good else w, "label": good})
    return rows


@pytest.fixture(scope="session")
def data_files(tmp_path_factory):
    """{format: path} of small JSONL files for every objective's needs."""
    folder = tmp_path_factory.mktemp("data")
    return {kind: write_jsonl(folder / f"{kind}.jsonl", sample_rows(kind))
            for kind in ("text", "alpaca", "preference", "kto")}


DATA_FOR_OBJECTIVE = {"pretrain": "text", "sft": "alpaca", "instruction": "alpaca", "rl": "alpaca",
                      "reward": "preference", "dpo": "preference", "orpo": "preference", "kto": "kto"}

# The model the training tests fine-tune: the built-in one (a path can stand in while developing).
BASE_MODEL = os.environ.get("STUDIO_TEST_BASE", "builtin")
