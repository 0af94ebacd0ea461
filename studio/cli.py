"""The command line: everything the web studio does, from a terminal.

    python -m studio train presets/quickstart.yaml [section.key=value ...]
    python -m studio train --resume RUN_DIR
    python -m studio chat RUN_DIR --prompt "..." [--base] [--seed N] [--temperature T] [--max-new-tokens N]
    python -m studio eval RUN_DIR [--data FILE]
    python -m studio data FILE [--objective sft] [--model builtin] [--max-length 512]
    python -m studio export RUN_DIR --out DIR [--merge] [--demo] [--gguf [f16|f32|q8_0]] [--push user/name]
    python -m studio compare RUN_DIR RUN_DIR ...
    python -m studio presets
    python -m studio runs
    python -m studio feedback {add-prompts,generate,simulate,export,import,stats} ...
    python -m studio serve [--host 127.0.0.1] [--port 7860] [--share] [--auth user:password]

Exit codes: 0 success, 1 the run failed, 2 bad input (the message says what to fix).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from .errors import StudioError


def _print_error(exc: StudioError) -> int:
    print(f"error: {exc.render()}", file=sys.stderr)
    return 2


def _progress_printer(run_id: str, event: dict) -> None:
    from .progress import describe

    line = None if "state" in event else describe(event)
    if line:
        print(line, file=sys.stderr, flush=True)


def cmd_train(args) -> int:
    from .jobs import Job, execute
    from .loading import read_run_recipe
    from .recipe import load_recipe
    from .runs import RunFolder, create_run

    if args.resume:
        run = RunFolder(args.resume)
        recipe = read_run_recipe(run.path)
        if args.overrides or args.recipe:
            print("note: --resume uses the run's own recipe; other arguments are ignored", file=sys.stderr)
        if run.last_checkpoint() is None:
            print(f"note: {run.path} has no checkpoint yet; training starts from the beginning", file=sys.stderr)
    else:
        if not args.recipe:
            raise StudioError("cli.err.recipe_required")
        recipe = load_recipe(args.recipe, args.overrides).resolved().validate_for_training()
        run = create_run(recipe)
    job = Job(run=run, recipe=recipe, resume=bool(args.resume))
    print(f"run folder: {run.path}", file=sys.stderr, flush=True)

    # Ctrl-C asks for a clean stop (after the current step, keeping what was trained); a second
    # Ctrl-C interrupts at once.
    def on_interrupt(signum, frame):
        if job.stop_event.is_set():
            raise KeyboardInterrupt
        print("stopping after the current step (Ctrl-C again to abort)...", file=sys.stderr, flush=True)
        job.stop_event.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, on_interrupt)
    status = execute(job, None if args.quiet else _progress_printer)
    state = status.get("state")
    summary = {k: status.get(k) for k in ("state", "final_loss", "final_eval_loss", "trainable_params",
                                          "total_params", "trainable_percent", "saved_bytes", "wall_time")}
    print(json.dumps(summary), file=sys.stderr)
    if state == "failed":
        print(f"error: {status.get('error')}", file=sys.stderr)
        print(f"the full log: {run.log_path}", file=sys.stderr)
    print(run.path)
    return 1 if state == "failed" else 0


def cmd_chat(args) -> int:
    from .inference import Sampling, generate
    from .loading import load_run

    loaded = load_run(args.run_dir)
    sampling = Sampling(temperature=args.temperature, max_new_tokens=args.max_new_tokens, seed=args.seed,
                        top_p=args.top_p)
    print(generate(loaded, args.prompt, sampling, base=args.base))
    return 0


def cmd_eval(args) -> int:
    from .evaluate import GENERAL_TEXT, evaluate_run, save_results

    result = evaluate_run(args.run_dir, args.data, max_examples=args.max_examples,
                          general_path=args.general or GENERAL_TEXT)
    save_results(args.run_dir, result)
    if not args.samples:
        for side in ("base", "tuned"):
            result[side].pop("samples", None)
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_data(args) -> int:
    from .data import inspect
    from .models import load_tokenizer, resolve_source

    tokenizer = load_tokenizer(resolve_source(args.model)) if args.model else None
    report = inspect(args.file, fmt=args.format, tokenizer=tokenizer, max_length=args.max_length,
                     objective=args.objective, preview_rows=args.preview)
    fatal = [p for p in report.problems]
    if fatal and not report.rows:
        raise fatal[0]
    out = {"file": args.file, "format": report.format, "rows": report.rows, "columns": report.columns,
           "stats": report.stats, "problems": [p.render() for p in report.problems],
           "notes": [n.render() for n in report.notes], "preview": report.preview[:args.preview]}
    print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    return 2 if report.problems else 0


def cmd_export(args) -> int:
    from .export import export_run, push_to_hub

    result = export_run(args.run_dir, args.out, merge=args.merge, demo=args.demo, gguf=args.gguf)
    if args.push:
        result["url"] = push_to_hub(args.out, args.push, args.token, private=not args.public,
                                    repo_type="space" if args.demo else "model")
    print(json.dumps(result, ensure_ascii=False))
    return 0


def cmd_compare(args) -> int:
    from .compare import compare_runs, markdown_table

    result = compare_runs(args.run_dirs)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(markdown_table(result["rows"]))
        if not result["same_data"]:
            print(f"note: these runs trained on different data: {', '.join(result['datasets'])}", file=sys.stderr)
    return 0


def cmd_presets(args) -> int:
    from .presets import preset_names, preset_summary

    for name in preset_names():
        info = preset_summary(name)
        print(f"{name:28s} {info['objective']:12s} {info['method']:8s} {info['description']}")
    return 0


def cmd_runs(args) -> int:
    from .runs import Registry

    for run in Registry().runs():
        loss = run.get("final_loss")
        print(f"{run['run_id']:40s} {run['state']:10s} {run.get('objective', ''):12s} {run.get('method', ''):8s} "
              f"{'' if loss is None else f'loss {loss:.4f}'}")
    return 0


def cmd_serve(args) -> int:
    from .ui.launch import serve

    serve(host=args.host, port=args.port, share=args.share, auth=args.auth, demo=args.demo)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .gguf_export import GGUF_TYPES

    parser = argparse.ArgumentParser(prog="python -m studio", description="The studio: train LLMs without code.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train from a recipe (YAML file or preset name)")
    p.add_argument("recipe", nargs="?", help="recipe YAML or preset name")
    p.add_argument("overrides", nargs="*", help="section.key=value overrides, e.g. train.max_steps=50")
    p.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped or killed run from its last checkpoint")
    p.add_argument("--quiet", action="store_true", help="do not print progress")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("chat", help="answer one prompt with a trained run (or its base)")
    p.add_argument("run_dir")
    p.add_argument("--prompt", required=True)
    p.add_argument("--base", action="store_true", help="answer with the model before tuning")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--temperature", type=float, default=0.7, help="0 = greedy")
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--max-new-tokens", type=int, default=128)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("eval", help="base vs tuned on held-out data, as one JSON object")
    p.add_argument("run_dir")
    p.add_argument("--data", help="data file (default: the run's validation split)")
    p.add_argument("--max-examples", type=int, default=500)
    p.add_argument("--samples", action="store_true", help="include a few example answers")
    p.add_argument("--general", help="general text (one document per line) for the forgetting check")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("data", help="detect a data file's format and show stats and problems")
    p.add_argument("file")
    p.add_argument("--format", default="auto")
    p.add_argument("--objective", default=None)
    p.add_argument("--model", default="builtin", help="tokenizer for token statistics ('' to skip)")
    p.add_argument("--max-length", type=int, default=512)
    p.add_argument("--preview", type=int, default=3)
    p.set_defaults(func=cmd_data)

    p = sub.add_parser("export", help="export a run: adapter, merged model, model card, chat demo, hub")
    p.add_argument("run_dir")
    p.add_argument("--out", required=True, help="an empty or new folder")
    p.add_argument("--merge", action="store_true", help="fold LoRA into the base: a plain transformers model")
    p.add_argument("--demo", action="store_true", help="a standalone chat app folder (app.py, weights)")
    p.add_argument("--gguf", nargs="?", const="f16", choices=GGUF_TYPES, metavar="{" + ",".join(GGUF_TYPES) + "}",
                   help="also write model.gguf for llama.cpp / Ollama (default f16; implies --merge)")
    p.add_argument("--push", metavar="REPO_ID", help="upload to the Hugging Face Hub (private by default)")
    p.add_argument("--public", action="store_true", help="make the pushed repo public")
    p.add_argument("--token", help="Hub token (default: the HF_TOKEN environment variable); never saved")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("compare", help="finished runs side by side: the method trade-off table")
    p.add_argument("run_dirs", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("presets", help="list the shipped presets")
    p.set_defaults(func=cmd_presets)

    p = sub.add_parser("runs", help="list runs in the workspace")
    p.set_defaults(func=cmd_runs)

    from .feedback.cli import add_parser as add_feedback_parser

    add_feedback_parser(sub)

    p = sub.add_parser("serve", help="start the web studio")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=7860)
    p.add_argument("--share", action="store_true")
    p.add_argument("--auth", default=None, help="user:password")
    p.add_argument("--demo", action="store_true", help="public demo mode")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StudioError as exc:
        return _print_error(exc)
