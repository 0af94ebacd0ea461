"""Does human feedback steer the model? The whole loop, with a simulated annotator.

    python benchmarks/feedback_loop.py [--policy builtin|RUN_DIR] [--rule no_latin]   # ~6 min on 2 cores

1. A policy model (the built-in model, or a finished run) writes K answers to each training prompt.
2. A simulated annotator ranks them by a hidden rule, through the same store calls as the
   ranking tab (studio.feedback.simulate).
3. The rankings become pairs; from them the studio trains (a) a reward model, then RL (GRPO with
   a KL penalty) against it, and separately (b) DPO.
4. On held-out prompts, each model answers (sampled, fixed seeds); we count the share of answers
   that follow the rule, before and after.

Every step is a studio command or core call; results go to
benchmarks/results/feedback_loop-<rule>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

TASKS = ROOT / "assets" / "data" / "tasks"


def english_rows(split: str) -> list[dict]:
    """The task set's English questions: the policy mostly answers them in English, so a preference
    for answers in Chinese is a habit it must be taught."""
    rows = [json.loads(line) for line in (TASKS / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["instruction"].isascii()]


def train(recipe_name: str, overrides: list[str]) -> Path:
    from studio.jobs import Job, execute
    from studio.recipe import load_recipe
    from studio.runs import create_run

    recipe = load_recipe(recipe_name, overrides).resolved()
    run = create_run(recipe)
    status = execute(Job(run=run, recipe=recipe))
    if status["state"] != "completed":
        raise SystemExit(f"{recipe_name} failed: {status.get('error')}")
    print(f"  trained {recipe_name}: {run.path} ({status['wall_time']:.0f}s)", flush=True)
    return run.path


def rule_share(loaded, prompts: list[str], rule: str, samples: int, temperature: float) -> float:
    from studio.feedback.simulate import follows
    from studio.inference import Sampling, generate_batch

    hits = total = 0
    for start in range(0, len(prompts), 16):
        batch = prompts[start:start + 16]
        answers = generate_batch(loaded, batch, Sampling(temperature=temperature, max_new_tokens=48, seed=1234 + start),
                                 num_return_sequences=samples)
        for options in answers:
            hits += sum(follows(rule, a) for a in options)
            total += len(options)
    return hits / total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rule", default="no_latin")
    parser.add_argument("--policy", default="builtin", help="model name or run folder that answers")
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--prompts", type=int, default=300)
    parser.add_argument("--held-out", type=int, default=120)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--rl-steps", type=int, default=60)
    parser.add_argument("--dpo-steps", type=int, default=120)
    parser.add_argument("--rm-steps", type=int, default=150)
    args = parser.parse_args()

    os.environ.setdefault("STUDIO_HOME", str(ROOT / "workspace" / "feedback-loop"))
    from studio.feedback import FeedbackStore, export, generate_candidates
    from studio.feedback.simulate import annotate
    from studio.inference import Sampling
    from studio.loading import load_base, load_run
    from studio.merge import is_run_folder
    from studio.paths import workspace

    started = time.time()
    home = workspace()
    store = FeedbackStore(home / f"loop-{args.rule}.sqlite")
    policy = load_run(args.policy) if is_run_folder(args.policy) else load_base(args.policy)
    train_rows = english_rows("train")[:args.prompts]
    train_prompts = [r["instruction"] for r in train_rows]
    held_out = [r["instruction"] for r in english_rows("heldout")][:args.held_out]
    prompts_file = home / "rl-prompts.jsonl"  # the same prompts, for RL (alpaca rows: RL reads the prompts)
    prompts_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in train_rows), encoding="utf-8")
    style = ["data.prompt_style=" + policy.prompt_style]

    print("1. candidates", flush=True)
    if not store.prompts():
        ids = store.add_prompts(train_prompts, source="feedback-loop")
        generate_candidates(store, policy, ids, args.k, Sampling(temperature=args.temperature, max_new_tokens=48, seed=7),
                            origin=str(args.policy))
    print("2. simulated annotator", annotate(store, args.rule), flush=True)
    pairs_file = home / f"pairs-{args.rule}.jsonl"
    summary = export(store, pairs_file, "pairs", "best")
    print("3. pairs", summary, flush=True)

    base_share = rule_share(policy, held_out, args.rule, args.samples, args.temperature)
    del policy
    print(f"   base follows the rule in {base_share:.1%} of held-out answers", flush=True)

    model = [f"model.name={args.policy}"]
    reward_run = train("reward-model", model + style + [f"data.path={pairs_file}", f"train.max_steps={args.rm_steps}"])
    rl_run = train("rlhf-grpo", model + style + [f"data.path={prompts_file}", f"objective.rl.reward_model={reward_run}",
                                                 "objective.rl.reward_functions=[]", f"train.max_steps={args.rl_steps}",
                                                 "data.max_rows=null"])
    dpo_run = train("dpo", model + style + [f"data.path={pairs_file}", f"train.max_steps={args.dpo_steps}"])

    from studio.evaluate import evaluate_run

    reward_eval = evaluate_run(reward_run)
    shares = {"base": base_share}
    for name, run in (("rl", rl_run), ("dpo", dpo_run)):
        shares[name] = rule_share(load_run(run), held_out, args.rule, args.samples, args.temperature)
        print(f"   {name} follows the rule in {shares[name]:.1%} of held-out answers", flush=True)

    result = {"rule": args.rule, "policy": str(args.policy), "k": args.k, "train_prompts": len(train_prompts),
              "held_out_prompts": len(held_out), "samples_per_prompt": args.samples, "pairs": summary,
              "reward_model_pairwise_accuracy": reward_eval["tuned"].get("pairwise_accuracy"),
              "share_following_rule": shares, "runs": {"reward": str(reward_run), "rl": str(rl_run), "dpo": str(dpo_run)},
              "minutes": (time.time() - started) / 60, "date": time.strftime("%Y-%m-%d")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"feedback_loop-{args.rule}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result["share_following_rule"]))


if __name__ == "__main__":
    main()
