"""Before/after evaluation of a run on held-out data.

    python -m studio eval RUN_DIR [--data FILE]

For the base model and the tuned one alike: loss and perplexity on the reference answers (or on
the text, for raw text), exact match of greedy answers where the data has references, and
pairwise accuracy on preference data. Without --data, the run's own validation split is used.
"""
from __future__ import annotations

import json
import math
from contextlib import nullcontext
from pathlib import Path
from typing import Callable

from .errors import StudioError
from .inference import Sampling, generate_batch, prompt_text
from .loading import LoadedRun, load_run
from .paths import ASSETS
from .runs import RunFolder

# General text in the built-in world's two languages that no preset trains on.
GENERAL_TEXT = ASSETS / "data" / "general.txt"


def _content(part) -> str:
    if isinstance(part, list):
        return "".join(m["content"] for m in part if m.get("role") == "assistant")
    return part or ""


def scored_pairs(loaded: LoadedRun, row: dict):
    """(prompt, reference answer) pairs a row holds, with the answer as the model must write it."""
    if "messages" in row:
        messages = row["messages"]
        last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
        return [(messages[:last], messages[last]["content"])]
    if "completion" in row and "label" not in row:
        return [(row["prompt"], _content(row["completion"]))]
    if row.get("answer"):
        return [(row["prompt"], row["answer"])]
    return []


def _completion_text(loaded: LoadedRun, prompt, answer: str) -> tuple[str, str]:
    """(prompt text, completion text) exactly as training renders them, end-of-turn included."""
    tokenizer = loaded.tokenizer
    # Plain rows already hold the rendered prompt text; chat rows hold messages.
    head = prompt_text(loaded, prompt) if isinstance(prompt, list) else prompt
    if loaded.prompt_style == "chat" and isinstance(prompt, list):
        full = tokenizer.apply_chat_template(prompt + [{"role": "assistant", "content": answer}], tokenize=False)
        if full.startswith(head):
            return head, full[len(head):]
    return head, answer + (tokenizer.eos_token or "")


def _nll(model, tokenizer, head: str, tail: str) -> tuple[float, int]:
    """Summed negative log-likelihood of `tail` after `head`, and its token count."""
    import torch

    head_ids = tokenizer(head, add_special_tokens=False)["input_ids"]
    tail_ids = tokenizer(tail, add_special_tokens=False)["input_ids"]
    if not tail_ids:
        return 0.0, 0
    ids = torch.tensor([head_ids + tail_ids], device=model.device)
    labels = ids.clone()
    labels[0, :len(head_ids)] = -100
    with torch.no_grad():
        # Prompt tuning prepends its virtual tokens to the sequence: keep the positions of `ids` only.
        logits = model(input_ids=ids).logits.float()[:, -ids.shape[1]:]
    logprobs = torch.log_softmax(logits[0, :-1], dim=-1)
    target = labels[0, 1:]
    keep = target != -100
    nll = -logprobs[keep].gather(1, target[keep].unsqueeze(1)).sum()
    return float(nll), int(keep.sum())


def _language_metrics(loaded: LoadedRun, model, rows: list[dict], base: bool, max_new_tokens: int) -> dict:
    total_nll, total_tokens = 0.0, 0
    prompts, references = [], []
    for row in rows:
        if "text" in row:
            nll, n = _nll(model, loaded.tokenizer, loaded.tokenizer.bos_token or "", row["text"])
            total_nll, total_tokens = total_nll + nll, total_tokens + n
            continue
        for prompt, answer in scored_pairs(loaded, row):
            head, tail = _completion_text(loaded, prompt, answer)
            nll, n = _nll(model, loaded.tokenizer, head, tail)
            total_nll, total_tokens = total_nll + nll, total_tokens + n
            prompts.append(prompt)
            references.append(answer)
    metrics = {}
    if total_tokens:
        metrics["loss"] = total_nll / total_tokens
        metrics["perplexity"] = math.exp(min(metrics["loss"], 50))
    if prompts:
        answers = []
        greedy = Sampling(temperature=0, max_new_tokens=max_new_tokens)
        for start in range(0, len(prompts), 16):
            batch = generate_batch(loaded, prompts[start:start + 16], greedy, base=base, rendered=True)
            answers.extend(a[0] for a in batch)
        hits = sum(a.strip() == r.strip() for a, r in zip(answers, references))
        metrics["exact_match"] = hits / len(prompts)
        metrics["samples"] = [{"prompt": _prompt_str(p), "reference": r, "answer": a}
                              for p, r, a in list(zip(prompts, references, answers))[:5]]
    return metrics


def _prompt_str(prompt) -> str:
    return prompt if isinstance(prompt, str) else "\n".join(m["content"] for m in prompt if m["role"] != "system")


def _preference_metrics(loaded: LoadedRun, model, rows: list[dict]) -> dict:
    """Share of pairs where the model prefers `chosen`: by score for a reward model, else by the
    log-likelihood of the chosen answer over the rejected one."""
    import torch

    pairs = [r for r in rows if "chosen" in r and "rejected" in r]
    if not pairs:
        return {}
    wins, chosen_nll, chosen_tokens = 0, 0.0, 0
    for row in pairs:
        prompt = row.get("prompt") or []
        if loaded.task == "seq_cls":
            scores = []
            for side in ("chosen", "rejected"):
                text = _full_text(loaded, prompt, row[side])
                enc = loaded.tokenizer(text, return_tensors="pt", add_special_tokens=False).to(model.device)
                with torch.no_grad():
                    scores.append(float(model(**enc).logits[0, 0]))
            wins += scores[0] > scores[1]
            continue
        sides = []
        for side in ("chosen", "rejected"):
            head, tail = _completion_text(loaded, prompt, _content(row[side]))
            sides.append(_nll(model, loaded.tokenizer, head, tail))
        wins += sides[0][0] < sides[1][0]
        chosen_nll, chosen_tokens = chosen_nll + sides[0][0], chosen_tokens + sides[0][1]
    metrics = {"pairwise_accuracy": wins / len(pairs)}
    if chosen_tokens:
        metrics["loss"] = chosen_nll / chosen_tokens
        metrics["perplexity"] = math.exp(min(metrics["loss"], 50))
    return metrics


def _full_text(loaded: LoadedRun, prompt, answer) -> str:
    if isinstance(answer, list) and loaded.prompt_style == "chat":
        return loaded.tokenizer.apply_chat_template((prompt or []) + answer, tokenize=False)
    head, tail = _completion_text(loaded, prompt, _content(answer))
    return head + tail


def metrics_for(loaded: LoadedRun, rows: list[dict], base: bool, max_new_tokens: int = 48) -> dict:
    with (loaded.base_behaviour() if base else nullcontext(loaded.model)) as model:
        if loaded.task == "seq_cls":
            return _preference_metrics(loaded, model, rows)
        metrics = _language_metrics(loaded, model, rows, base, max_new_tokens)
        for key, value in _preference_metrics(loaded, model, rows).items():
            metrics.setdefault(key, value)
        return metrics


def eval_rows(loaded: LoadedRun, data_path: str | None) -> list[dict]:
    """Rows in the run's training shape: from `data_path`, or the run's saved validation split."""
    if data_path:
        from .data import prepare

        section = loaded.recipe.data.model_copy(update={"path": data_path, "eval_path": None, "val_split": 0.0})
        prepared = prepare(section, loaded.recipe.objective.kind, loaded.tokenizer, loaded.prompt_style)
        return prepared.train.to_list()
    path = RunFolder(loaded.run_dir).data_dir / "validation.jsonl"
    if not path.is_file():
        raise StudioError("eval.err.no_validation", path=str(loaded.run_dir))
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def general_rows(path: str | Path, limit: int = 200) -> list[dict]:
    """Documents of general text (one per line) for the forgetting check."""
    lines = [l.strip() for l in Path(path).read_text(encoding="utf-8").splitlines() if l.strip()]
    return [{"text": line} for line in lines[:limit]]


def general_perplexity(loaded: LoadedRun, rows: list[dict], base: bool) -> float | None:
    if loaded.task != "causal_lm" or not rows:
        return None
    with (loaded.base_behaviour() if base else nullcontext(loaded.model)) as model:
        total, count = 0.0, 0
        for row in rows:
            nll, n = _nll(model, loaded.tokenizer, loaded.tokenizer.bos_token or "", row["text"])
            total, count = total + nll, count + n
    return math.exp(min(total / max(count, 1), 50))


STAGES = ("load", "base", "tuned", "general")  # what `progress` is told, in this order


def evaluate_run(run_dir: str | Path, data_path: str | None = None, max_examples: int = 500,
                 loaded: LoadedRun | None = None, general_path: str | Path | None = GENERAL_TEXT,
                 progress: Callable[[str], None] | None = None) -> dict:
    """Base vs tuned on held-out data, plus the forgetting check: perplexity on general text the
    run never trained on, before and after (a rise means the tuning forgot general knowledge).

    `progress(stage)` is called as each of STAGES begins: on a CPU each takes from seconds to
    minutes, and the web page shows which one is running."""
    report = progress or (lambda stage: None)
    report("load")
    loaded = loaded or load_run(run_dir)
    rows = eval_rows(loaded, data_path)[:max_examples]
    if not rows:
        raise StudioError("eval.err.no_rows", path=str(data_path or run_dir))
    report("base")
    result = {"base": metrics_for(loaded, rows, base=True)}
    report("tuned")
    result["tuned"] = metrics_for(loaded, rows, base=False)
    report("general")
    general = general_rows(general_path) if general_path and Path(general_path).is_file() else []
    for side in ("base", "tuned"):
        value = general_perplexity(loaded, general, base=side == "base")
        if value is not None:
            result[side]["general_perplexity"] = value
    if "general_perplexity" in result["base"]:
        result["forgetting"] = result["tuned"]["general_perplexity"] / result["base"]["general_perplexity"] - 1
    result["examples"] = len(rows)
    result["data"] = str(data_path) if data_path else "validation split"
    return result


def save_results(run_dir: str | Path, result: dict) -> Path:
    """Keep the latest evaluation in the run folder, for the model card and the comparison table."""
    path = Path(run_dir) / "eval.json"
    slim = {k: v for k, v in result.items() if k not in ("base", "tuned")}
    for side in ("base", "tuned"):
        slim[side] = {k: v for k, v in result[side].items() if k != "samples"}
    path.write_text(json.dumps(slim, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def saved_results(run_dir: str | Path) -> dict | None:
    """The run's last evaluation (eval.json), or None: a reopened page shows it without re-running."""
    path = Path(run_dir) / "eval.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
