"""Training throughput: the studio against a plain TRL script, side by side in one run.

    python benchmarks/throughput.py                 # 3 rounds, 120 steps each
    python benchmarks/throughput.py --rounds 5 --steps 200

Both sides train the built-in model with LoRA (r=16, all linear layers) on the bundled
instruction set, chat template, loss on assistant turns, batch 16, the same learning rate and
steps. The plain side is what a user would write with TRL directly; the studio side is
`python -m studio train quickstart`. Rounds alternate (plain, studio, plain, ...) in fresh
processes so neither side gets a warmer machine. The ratio is studio / plain in optimizer steps
per second, measured on the training loop (`train_runtime`), so it compares the loops and not
start-up. Results go to benchmarks/results/throughput.json.
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


def plain_trl(steps: int) -> dict:
    """What a user would write: load, map alpaca rows to messages, SFTTrainer with a LoraConfig."""
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    path = str(ROOT / "assets" / "builtin-model")
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    data = load_dataset("json", data_files=str(ROOT / "assets/data/tasks/train.jsonl"))["train"]

    def to_messages(row):
        user = row["instruction"] + ("\n" + row["input"] if row["input"] else "")
        return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": row["output"]}]}

    data = data.map(to_messages, remove_columns=data.column_names)
    with tempfile.TemporaryDirectory() as out:
        args = SFTConfig(output_dir=out, max_steps=steps, per_device_train_batch_size=16, learning_rate=2e-3,
                         lr_scheduler_type="cosine", warmup_steps=0.05, assistant_only_loss=True, max_length=128,
                         logging_steps=10, report_to=[], use_cpu=True, seed=42, disable_tqdm=True)
        lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.0, target_modules="all-linear", task_type="CAUSAL_LM")
        trainer = SFTTrainer(model=model, args=args, train_dataset=data, processing_class=tokenizer, peft_config=lora)
        metrics = trainer.train().metrics
    return {"train_seconds": metrics["train_runtime"], "steps": steps}


def studio(steps: int) -> dict:
    from studio.jobs import Job, execute
    from studio.recipe import load_recipe
    from studio.runs import create_run

    with tempfile.TemporaryDirectory() as home:
        os.environ["STUDIO_HOME"] = home
        recipe = load_recipe("quickstart", [f"train.max_steps={steps}", "data.eval_path=null",
                                            "data.val_split=0", "train.logging_steps=10"]).resolved()
        status = execute(Job(run=create_run(recipe), recipe=recipe))
    assert status["state"] == "completed", status.get("error")
    return {"train_seconds": status["train_seconds"], "steps": steps}


def one_side(side: str, steps: int) -> dict:
    """Run one side in a fresh process and return its measurement."""
    out = subprocess.run([sys.executable, __file__, "--side", side, "--steps", str(steps)], cwd=ROOT,
                         capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    if out.returncode != 0:
        raise SystemExit(f"{side} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["plain", "studio"])
    parser.add_argument("--steps", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.side:
        result = plain_trl(args.steps) if args.side == "plain" else studio(args.steps)
        print(json.dumps(result))
        return
    rates = {"plain": [], "studio": []}
    for round_ in range(args.rounds):
        for side in ("plain", "studio"):
            result = one_side(side, args.steps)
            rates[side].append(result["steps"] / result["train_seconds"])
            print(f"round {round_ + 1} {side:6s} {rates[side][-1]:.3f} steps/s", flush=True)
    plain, ours = statistics.median(rates["plain"]), statistics.median(rates["studio"])
    summary = {"benchmark": "training throughput, studio vs plain TRL (LoRA instruction tuning, built-in model)",
               "steps": args.steps, "rounds": args.rounds, "plain_steps_per_s": rates["plain"],
               "studio_steps_per_s": rates["studio"], "median_plain": plain, "median_studio": ours,
               "ratio": ours / plain, "cpu_threads": os.cpu_count(), "date": time.strftime("%Y-%m-%d")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "throughput.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"ratio studio/plain = {summary['ratio']:.3f} (target >= 0.95)")


if __name__ == "__main__":
    main()
