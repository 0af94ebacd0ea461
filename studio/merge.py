"""Turning a finished run into a plain model folder: the base with the run's training folded in.

A merged folder loads with `AutoModelForCausalLM.from_pretrained` alone (no studio, no PEFT),
so it can be exported, or used as the base of the next run (`model.name=<run folder>`): this is
how an instruction-tuned model goes on to preference training, and how a feedback round trains
on the model of the round before.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .errors import StudioError
from .runs import RunFolder

MERGEABLE = ("full", "lora", "qlora")


def is_run_folder(path: str | Path) -> bool:
    path = Path(path)
    return (path / "recipe.yaml").is_file() and (path / "model").is_dir()


def merged_model_dir(run_dir: str | Path) -> Path:
    """The run's merged model folder, built on first use and kept in `<run>/merged`."""
    run = RunFolder(run_dir)
    from .loading import read_run_recipe

    recipe = read_run_recipe(run.path)
    if recipe.method.kind not in MERGEABLE:
        raise StudioError("run.err.cannot_merge", path=str(run.path), method=recipe.method.kind)
    if recipe.method.kind == "full":
        return run.model_dir
    target = run.path / "merged"
    if (target / "config.json").is_file():
        return target
    build_merged(run, recipe, target)
    return target


def build_merged(run: RunFolder, recipe, target: Path) -> None:
    """Load the base in full precision (a 4-bit base cannot hold the merged weights exactly),
    apply the adapter, fold it in, and save with the run's tokenizer."""
    from peft import PeftModel

    from .inference import end_token_ids
    from .models import load_model, load_tokenizer
    from .objectives import task_of

    tokenizer = load_tokenizer(str(run.model_dir))
    base = load_model(recipe.model, "none", task_of(recipe.objective.kind), device="cpu", tokenizer=tokenizer)
    merged = PeftModel.from_pretrained(base, run.model_dir).merge_and_unload()
    # Plain transformers stops only where generation_config says: give it every end token the
    # studio stops on, so the merged model answers exactly as the run did in the studio.
    merged.generation_config.eos_token_id = end_token_ids(tokenizer, merged.generation_config)
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    merged.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    partial.rename(target)  # a folder that exists is complete
