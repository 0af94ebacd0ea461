"""What packing gains on data of mixed lengths, measured side by side in one run.

    python benchmarks/packing.py [--docs 1200] [--rounds 2]

One epoch of pre-training the built-in model (full fine-tuning) on the same documents from the
bundled corpus, whose lengths vary from a few tokens to a few hundred. Without packing every
batch is padded to its longest document; with packing the documents are cut into full
`max_length` blocks. Both sides run through the studio (`data.packing` off / on), alternating
in fresh processes. Reported: wall time of the epoch's training loop, and real (non-padding)
tokens per second. Results go to benchmarks/results/packing.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))


def mixed_length_file(folder: Path, docs: int) -> tuple[Path, int]:
    """The first `docs` corpus documents, and how many tokens they hold."""
    from studio.models import load_tokenizer, resolve_source

    lines = (ROOT / "assets/corpus/pretrain.jsonl").read_text(encoding="utf-8").splitlines()[:docs]
    path = folder / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tokenizer = load_tokenizer(resolve_source("builtin"))
    tokens = sum(len(tokenizer(json.loads(line)["text"])["input_ids"]) + 1 for line in lines)  # + end of text
    return path, tokens


def run_side(packing: bool, docs: int) -> dict:
    from studio.jobs import Job, execute
    from studio.recipe import recipe_from_dict
    from studio.runs import create_run

    with tempfile.TemporaryDirectory() as home:
        os.environ["STUDIO_HOME"] = home
        data, tokens = mixed_length_file(Path(home), docs)
        recipe = recipe_from_dict({
            "name": "packing-bench", "model": {"name": "builtin"},
            "data": {"path": str(data), "val_split": 0.0, "max_length": 256, "packing": packing},
            "method": {"kind": "full"}, "objective": {"kind": "pretrain"},
            "train": {"max_steps": -1, "epochs": 1, "batch_size": 8, "learning_rate": 1e-4, "save_steps": 10**6,
                      "logging_steps": 10}}).resolved()
        status = execute(Job(run=create_run(recipe), recipe=recipe))
    assert status["state"] == "completed", status.get("error")
    return {"train_seconds": status["train_seconds"], "real_tokens": tokens, "steps": status["step"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["packed", "padded"])
    parser.add_argument("--docs", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(run_side(args.side == "packed", args.docs)))
        return
    results = {"padded": [], "packed": []}
    for round_ in range(args.rounds):
        for side in ("padded", "packed"):
            out = subprocess.run([sys.executable, __file__, "--side", side, "--docs", str(args.docs)], cwd=ROOT,
                                 capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
            if out.returncode != 0:
                raise SystemExit(out.stderr[-3000:])
            results[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = results[side][-1]
            print(f"round {round_ + 1} {side}: {r['train_seconds']:.1f}s, {r['steps']} steps, "
                  f"{r['real_tokens'] / r['train_seconds']:.0f} real tokens/s", flush=True)
    seconds = {side: statistics.median(r["train_seconds"] for r in runs) for side, runs in results.items()}
    summary = {"benchmark": "one epoch of pre-training on mixed-length documents, packing off vs on",
               "docs": args.docs, "max_length": 256, "batch_size": 8, "runs": results,
               "median_seconds": seconds, "speedup": seconds["padded"] / seconds["packed"],
               "real_tokens_per_s": {side: results[side][0]["real_tokens"] / s for side, s in seconds.items()},
               "date": time.strftime("%Y-%m-%d")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "packing.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"packing speed-up on one epoch: {summary['speedup']:.2f}x")


if __name__ == "__main__":
    main()
