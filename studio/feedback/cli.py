"""`python -m studio feedback ...`: the ranking workflow from a terminal.

    python -m studio feedback add-prompts prompts.txt          # one per line, or a data file
    python -m studio feedback generate --model RUN_OR_MODEL --k 4 --temperature 1.0
    python -m studio feedback simulate --rule exclaims         # a stand-in annotator
    python -m studio feedback export pairs.jsonl [--shape pairs|ranked|kto] [--mode all|best]
    python -m studio feedback import preferences.parquet
    python -m studio feedback stats
"""
from __future__ import annotations

import json
from pathlib import Path

from .store import FeedbackStore


def _store(args) -> FeedbackStore:
    return FeedbackStore(args.db) if args.db else FeedbackStore()


def prompt_texts(path: str) -> tuple[list[str], list[str | None]]:
    """Prompts (and reference answers, when the file has them) from a text or data file."""
    from ..data import read_records

    if Path(path).suffix.lower() == ".txt":
        lines = [l.strip() for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
        return lines, [None] * len(lines)
    texts, references = [], []
    for row in read_records(path):
        if "instruction" in row:
            texts.append(row["instruction"] + (f"\n{row['input']}" if row.get("input") else ""))
            references.append(row.get("output"))
        else:
            texts.append(str(row.get("prompt", "")))
            references.append(row.get("completion") or row.get("chosen"))
    return texts, references


def cmd_add_prompts(args) -> int:
    texts, references = prompt_texts(args.file)
    ids = _store(args).add_prompts(texts[:args.limit] if args.limit else texts, source=Path(args.file).name,
                                   references=references[:args.limit] if args.limit else references)
    print(json.dumps({"added": len(ids)}))
    return 0


def cmd_generate(args) -> int:
    from ..inference import Sampling
    from ..loading import load_base, load_run
    from ..merge import is_run_folder
    from .generate import generate_candidates

    store = _store(args)
    loaded = load_run(args.model) if is_run_folder(args.model) else load_base(args.model)
    pending = [p["id"] for p in store.prompts() if len(store.candidates(p["id"])) < 2 or args.all]
    sampling = Sampling(temperature=args.temperature, top_p=args.top_p, max_new_tokens=args.max_new_tokens,
                        seed=args.seed)
    added = generate_candidates(store, loaded, pending, args.k, sampling, origin=str(args.model))
    print(json.dumps({"prompts": len(pending), "candidates_added": added}))
    return 0


def cmd_simulate(args) -> int:
    from .simulate import annotate

    print(json.dumps(annotate(_store(args), args.rule, args.annotator)))
    return 0


def cmd_export(args) -> int:
    from .transfer import export

    print(json.dumps(export(_store(args), args.out, args.shape, args.mode), ensure_ascii=False))
    return 0


def cmd_import(args) -> int:
    from .transfer import import_file

    print(json.dumps(import_file(_store(args), args.file), ensure_ascii=False))
    return 0


def cmd_stats(args) -> int:
    print(json.dumps(_store(args).progress(args.annotator), ensure_ascii=False))
    return 0


def add_parser(sub) -> None:
    from .simulate import RULES

    parser = sub.add_parser("feedback", help="collect rankings and turn them into preference data")
    parser.add_argument("--db", help="feedback database (default: workspace/feedback.sqlite)")
    fsub = parser.add_subparsers(dest="feedback_command", required=True)

    p = fsub.add_parser("add-prompts", help="add prompts from a .txt (one per line) or a data file")
    p.add_argument("file")
    p.add_argument("--limit", type=int)
    p.set_defaults(func=cmd_add_prompts)

    p = fsub.add_parser("generate", help="sample K answers per prompt from a model or a run")
    p.add_argument("--model", default="builtin", help="run folder, model folder, hub id or builtin")
    p.add_argument("--k", type=int, default=4)
    p.add_argument("--temperature", type=float, default=1.0)
    p.add_argument("--top-p", type=float, default=0.95)
    p.add_argument("--max-new-tokens", type=int, default=64)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--all", action="store_true", help="also prompts that already have answers")
    p.set_defaults(func=cmd_generate)

    p = fsub.add_parser("simulate", help="rank with a simulated annotator that follows a hidden rule")
    p.add_argument("--rule", choices=sorted(RULES), required=True)
    p.add_argument("--annotator")
    p.set_defaults(func=cmd_simulate)

    p = fsub.add_parser("export", help="write preference data (.jsonl, .csv or .parquet)")
    p.add_argument("out")
    p.add_argument("--shape", default="pairs", choices=["pairs", "ranked", "kto"])
    p.add_argument("--mode", default="all", choices=["all", "best"])
    p.set_defaults(func=cmd_export)

    p = fsub.add_parser("import", help="load pairwise, ranked-list or KTO preference data")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)

    p = fsub.add_parser("stats", help="how many prompts are ranked, by whom")
    p.add_argument("--annotator")
    p.set_defaults(func=cmd_stats)
