"""Exporting a run: its adapter, or a merged model that plain transformers loads; a model card;
a standalone chat demo; a push to the Hugging Face Hub.

    python -m studio export RUN_DIR --out DIR [--merge] [--demo] [--gguf [f16|f32|q8_0]] [--push user/name [--public]]

--gguf adds model.gguf (the merged model for llama.cpp and Ollama) beside the rest.

The Hub token comes from --token or the HF_TOKEN environment variable and is handed to the Hub
client only: it is never written to the export, the run folder or any log.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from .errors import StudioError
from .loading import read_run_recipe
from .merge import merged_model_dir
from .runs import RunFolder

DEMO_TEMPLATE = Path(__file__).parent / "demo_template"


def export_run(run_dir: str | Path, out_dir: str | Path, merge: bool = False, demo: bool = False,
               gguf: str | None = None) -> dict:
    """Write the export folder; returns what was written (for the CLI and the Export tab).
    `gguf` ("f16", "f32" or "q8_0") also writes model.gguf, from the merged model."""
    run = RunFolder(run_dir)
    recipe = read_run_recipe(run.path)
    status = run.status()
    if status.get("state") not in ("completed", "stopped") or not run.model_dir.is_dir():
        raise StudioError("export.err.not_finished", path=str(run.path), state=status.get("state", "?"))
    out = Path(out_dir).expanduser().resolve()
    if out == run.path or run.path in out.parents:
        raise StudioError("export.err.inside_run", path=str(out))
    if out.exists() and any(out.iterdir()):
        raise StudioError("export.err.not_empty", path=str(out))
    merge = merge or bool(gguf)
    weights = out / "model" if demo else out
    source = merged_model_dir(run.path) if (merge or demo) else run.model_dir
    if gguf:
        from .gguf_export import check_gguf, write_gguf

        check_gguf(source, gguf)  # refuse before anything is written
    shutil.copytree(source, weights, dirs_exist_ok=True)
    if gguf:
        write_gguf(source, out / "model.gguf", gguf, name=recipe.name)
    kind = "merged" if (merge or demo or recipe.method.kind == "full") else "adapter"
    card = model_card(run, recipe, status, kind, gguf)
    (out / "README.md").write_text(demo_front_matter(recipe) + card if demo else card, encoding="utf-8")
    if weights != out:
        (weights / "README.md").write_text(card, encoding="utf-8")
    (out / "studio-recipe.yaml").write_text(run.recipe_path.read_text(encoding="utf-8"), encoding="utf-8")
    if demo:
        for name in ("app.py", "requirements.txt"):
            shutil.copy(DEMO_TEMPLATE / name, out / name)
        style = "raw" if recipe.objective.kind == "pretrain" else recipe.prompt_style
        (out / "prompt_style.json").write_text(json.dumps(
            {"style": style, "system": recipe.data.system_prompt, "title": recipe.name}, ensure_ascii=False),
            encoding="utf-8")
    return {"out": str(out), "kind": kind, "demo": demo, "gguf": gguf,
            "files": sorted(p.name for p in out.iterdir())}


def archive(folder: str | Path) -> Path:
    """`<folder>.zip` beside the folder, holding its files (for a download from the web page)."""
    folder = Path(folder)
    return Path(shutil.make_archive(str(folder), "zip", root_dir=folder))


def card_text(folder: str | Path) -> str:
    """The export's model card as a reader sees it: README.md without the Spaces front matter."""
    text = (Path(folder) / "README.md").read_text(encoding="utf-8")
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            text = text[end + 5:].lstrip("\n")
    return text


def _eval_results(run: RunFolder) -> dict:
    path = run.path / "eval.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "—" if value is None else str(value)


def model_card(run: RunFolder, recipe, status: dict, kind: str, gguf: str | None = None) -> str:
    """README.md for the export: what the model is, how it was trained, on what, and how it scores."""
    from .models import BUILTIN_NAMES

    base = "the studio's built-in zh/en model" if recipe.model.name in BUILTIN_NAMES else recipe.model.name
    stats = status.get("data_stats") or {}
    tokens = stats.get("tokens") or {}
    lines = [
        f"# {recipe.name}", "",
        f"Trained with the studio: **{recipe.objective.kind}** objective, **{recipe.method.kind}** method, "
        f"on {base}.", "",
        "## Use", "",
    ]
    if kind == "merged":
        lines += ["```python", "from transformers import AutoModelForCausalLM, AutoTokenizer",
                  "model = AutoModelForCausalLM.from_pretrained('PATH')",
                  "tokenizer = AutoTokenizer.from_pretrained('PATH')", "```", ""]
    elif recipe.method.kind in ("lora", "qlora", "prompt"):
        lines += ["A PEFT adapter for the base model above:", "", "```python",
                  "from peft import AutoPeftModelForCausalLM",
                  "model = AutoPeftModelForCausalLM.from_pretrained('PATH')", "```", ""]
    else:
        lines += ["Bottleneck adapters (`bottleneck_adapter.safetensors`): load them with the studio "
                  "(`python -m studio chat`), which inserts them into the base model.", ""]
    if gguf:
        lines += [f"`model.gguf` is the same model for llama.cpp and Ollama ({gguf}):", "", "```sh",
                  "llama-cli -m model.gguf", "# Ollama: a file named Modelfile holding `FROM ./model.gguf`, then",
                  "ollama create my-model -f Modelfile", "```", ""]
    lines += ["## Training", "",
              "| setting | value |", "| --- | --- |",
              f"| base model | {recipe.model.name} |", f"| method | {recipe.method.kind} |",
              f"| objective | {recipe.objective.kind} |", f"| steps | {_fmt(status.get('step'))} |",
              f"| learning rate | {_fmt(recipe.train.learning_rate)} |", f"| batch size | {recipe.train.batch_size} |",
              f"| trainable parameters | {_fmt(status.get('trainable_params'))} "
              f"({_fmt(status.get('trainable_percent'))}%) |",
              f"| wall time (s) | {_fmt(status.get('wall_time'))} |", "",
              "## Data", "",
              f"`{recipe.data.path}` ({stats.get('format', '?')} format): {_fmt(stats.get('train_rows'))} training "
              f"rows, {_fmt(stats.get('eval_rows'))} validation rows; tokens per example: median "
              f"{_fmt(tokens.get('p50'))}, max {_fmt(tokens.get('max'))}.", "",
              "## Results", "",
              f"Final training loss {_fmt(status.get('final_loss'))}, validation loss "
              f"{_fmt(status.get('final_eval_loss'))}.", ""]
    evaluated = _eval_results(run)
    if evaluated:
        keys = [k for k in ("loss", "perplexity", "exact_match", "pairwise_accuracy", "general_perplexity")
                if k in evaluated.get("tuned", {})]
        lines += ["| metric | base | tuned |", "| --- | --- | --- |"]
        lines += [f"| {k} | {_fmt(evaluated['base'].get(k))} | {_fmt(evaluated['tuned'].get(k))} |" for k in keys]
        lines.append("")
    lines += ["## Recipe", "", "Retrain with `python -m studio train studio-recipe.yaml`:", "", "```yaml",
              run.recipe_path.read_text(encoding="utf-8").rstrip(), "```", ""]
    return "\n".join(lines)


def demo_front_matter(recipe) -> str:
    """Hugging Face Spaces reads this block to run the folder as a Gradio app."""
    return ("---\n"
            f"title: {recipe.name} chat\n"
            "sdk: gradio\n"
            "app_file: app.py\n"
            "pinned: false\n"
            "---\n\n")


def push_to_hub(folder: str | Path, repo_id: str, token: str | None, private: bool = True,
                repo_type: str = "model") -> str:
    """Upload an export folder; private unless asked otherwise. Returns the repo URL."""
    import os

    from huggingface_hub import HfApi

    token = token or os.environ.get("HF_TOKEN")
    if not token:
        raise StudioError("export.err.no_token")
    api = HfApi(token=token)
    try:
        url = api.create_repo(repo_id, private=private, exist_ok=True, repo_type=repo_type)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type=repo_type)
    except Exception as exc:  # noqa: BLE001 - network and auth failures alike, with the token kept out
        detail = str(exc).replace(token, "***")[:300].rstrip(" .")  # the message adds its own full stop
        raise StudioError("export.err.push_failed", repo=repo_id, detail=detail) from None
    return str(url)
