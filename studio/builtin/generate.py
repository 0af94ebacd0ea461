"""Regenerate every built-in asset from the seed, byte for byte.

    python -m studio.builtin.generate            # rewrites assets/corpus, assets/data, assets/builtin-init

Writes the pre-training corpus, the instruction task set (train + held-out), the sample dataset of
every format in both languages, and the init folder (config + tokenizer, no weights) that the
built-in model is pre-trained from. Pre-training itself is a studio run (see the pretrain preset).
"""
from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

from studio.paths import ASSETS

from .architecture import save_init
from .corpus import build_corpus, general_documents
from .facts import all_facts
from .samples import build_samples
from .tasks import build_tasks
from .tokenizer import train_tokenizer

SEED = 0
CORPUS_FILE = Path("corpus") / "pretrain.jsonl"
TASKS_DIR = Path("data") / "tasks"
INIT_DIR = Path("builtin-init")
GENERAL_FILE = Path("data") / "general.txt"  # for the forgetting check (studio.evaluate)


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()


def write_file(path: Path, content) -> None:
    """Write `content` in the format the file name asks for (.txt, .json, .jsonl, .csv, .parquet)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(content), path, compression="zstd")
        return
    if path.suffix == ".json":
        text = json.dumps(content, ensure_ascii=False, indent=1) + "\n"
    elif path.suffix == ".jsonl":
        text = _jsonl(content)
    elif path.suffix == ".csv":
        text = _csv(content)
    else:
        text = content
    path.write_text(text, encoding="utf-8", newline="\n")


def generate(root: Path = ASSETS, seed: int = SEED) -> list[Path]:
    """Write every built-in asset under `root`; return the files written."""
    train, heldout, _, _ = build_tasks(seed)
    documents = build_corpus(seed, all_facts())
    files: dict[Path, object] = {
        CORPUS_FILE: [{"text": d} for d in documents],
        TASKS_DIR / "train.jsonl": [r.alpaca() for r in train],
        TASKS_DIR / "heldout.jsonl": [r.alpaca() for r in heldout],
        GENERAL_FILE: "\n".join(general_documents(seed, all_facts())) + "\n",
    }
    for lang in ("en", "zh"):
        for name, content in build_samples(seed, train, documents, lang).items():
            files[Path("data") / lang / name] = content
    for rel, content in files.items():
        write_file(root / rel, content)
    save_init(root / INIT_DIR, train_tokenizer(documents))
    return [root / rel for rel in files] + sorted((root / INIT_DIR).iterdir())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ASSETS, help="folder to write into (default: assets/)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    for path in generate(args.root, args.seed):
        print(path)


if __name__ == "__main__":
    main()
