"""Demo mode: what a visitor of a public instance may do.

A visitor can never read or write outside the studio's own folders: models come from the
built-in model, an allow-list of hub ids or the workspace's own runs; data comes from uploads
or the shipped samples; every name becomes a plain file name. Hub code never runs
(trust_remote_code stays off), uploads have a size limit, and every run has a step and time
limit. The checks resolve symbolic links and `..` before comparing, so a path cannot walk out.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import StudioError
from .paths import ASSETS, workspace, workspace_folder

DEMO_HUB_MODELS = (
    "HuggingFaceTB/SmolLM2-135M-Instruct", "HuggingFaceTB/SmolLM2-360M-Instruct",
    "Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen3-0.6B", "google/gemma-3-270m-it",
)


@dataclass(frozen=True)
class DemoLimits:
    max_steps: int = 300
    max_minutes: float = 10.0
    max_upload_mb: float = 20.0
    max_rows: int = 20_000
    max_eval_examples: int = 100  # one evaluation at a time serves every visitor: keep each one short
    hub_models: tuple[str, ...] = field(default=DEMO_HUB_MODELS)


def on_space() -> bool:
    """Hugging Face Spaces set SPACE_ID; a Space is public, so demo mode turns on by itself."""
    return bool(os.environ.get("SPACE_ID"))


def uploads_dir() -> Path:
    return workspace_folder("uploads")


def inside(path: str | Path, roots: list[Path]) -> Path | None:
    """`path` resolved (links and `..` followed), if it lies inside one of `roots`; else None."""
    try:
        resolved = Path(path).expanduser().resolve()
    except (OSError, RuntimeError):
        return None
    for root in roots:
        root = root.resolve()
        if resolved == root or root in resolved.parents:
            return resolved
    return None


def safe_name(name: str, fallback: str = "file") -> str:
    """A plain file name: no folders, no leading dots, only ordinary characters."""
    base = re.sub(r"[^\w.\-]+", "_", Path(str(name)).name, flags=re.UNICODE).lstrip("._")
    return base[:120] or fallback


def data_roots() -> list[Path]:
    return [uploads_dir(), ASSETS / "data"]


def run_roots() -> list[Path]:
    return [workspace() / "runs"]


def check_data_path(path: str, field_name: str) -> StudioError | None:
    if path and inside(path, data_roots()) is None:
        return StudioError("demo.err.path", field=field_name, value=str(path)[:200])
    return None


def check_model(name: str, limits: DemoLimits = DemoLimits()) -> StudioError | None:
    """None when `name` is the built-in model, an allow-listed hub id or one of the workspace's runs."""
    model = (name or "").strip()
    is_workspace_run = inside(model, run_roots()) is not None and (Path(model) / "recipe.yaml").is_file()
    if model in ("builtin", *limits.hub_models) or is_workspace_run:
        return None
    return StudioError("demo.err.model", value=model[:200], allowed=", ".join(("builtin",) + limits.hub_models))


def check_sources(recipe, limits: DemoLimits = DemoLimits()) -> list[StudioError]:
    """Problems with what the recipe would read or write (model, data, reward model, output folder).

    The UI asks this before it so much as peeks at a file (data preview, size estimate), not only
    when a run starts."""
    problems = [p for p in [check_model(recipe.model.name, limits)] if p]
    for name, value in (("data.path", recipe.data.path), ("data.eval_path", recipe.data.eval_path)):
        problem = check_data_path(value, name)
        if problem:
            problems.append(problem)
    reward_model = recipe.objective.rl.reward_model
    if reward_model and inside(reward_model, run_roots()) is None:
        problems.append(StudioError("demo.err.path", field="objective.rl.reward_model", value=str(reward_model)[:200]))
    if recipe.output.dir:
        problems.append(StudioError("demo.err.output_dir"))
    return problems


def check_recipe(recipe, limits: DemoLimits = DemoLimits()) -> list[StudioError]:
    """Every reason this recipe may not run on a public instance, all at once."""
    problems = check_sources(recipe, limits)
    if recipe.model.trust_remote_code:
        problems.append(StudioError("demo.err.remote_code"))
    if recipe.model.init == "scratch":
        problems.append(StudioError("demo.err.scratch"))
    if recipe.train.max_steps == -1 or recipe.train.max_steps > limits.max_steps:
        problems.append(StudioError("demo.err.steps", limit=limits.max_steps))
    return problems


def demo_recipe(recipe, limits: DemoLimits = DemoLimits()):
    """The recipe with the demo's limits applied, or a RecipeError listing what is not allowed."""
    from .errors import RecipeError

    problems = check_recipe(recipe, limits)
    if problems:
        raise RecipeError(problems)
    limited = recipe.model_copy(deep=True)
    limited.output.name = safe_name(recipe.output.name, "") if recipe.output.name else ""
    limited.train.max_minutes = min(recipe.train.max_minutes or limits.max_minutes, limits.max_minutes)
    limited.data.max_rows = min(recipe.data.max_rows or limits.max_rows, limits.max_rows)
    return limited


def check_upload(path: str | Path, limits: DemoLimits = DemoLimits()) -> None:
    size_mb = Path(path).stat().st_size / 2**20
    if size_mb > limits.max_upload_mb:
        raise StudioError("demo.err.upload_size", size=f"{size_mb:.1f}", limit=f"{limits.max_upload_mb:g}")


def run_folder_in_workspace(run_dir: str | Path) -> Path:
    """A run folder a visitor named (chat, export, reward model), if it is one of the workspace's runs."""
    found = inside(run_dir, run_roots())
    if found is None or not (found / "recipe.yaml").is_file():
        raise StudioError("demo.err.path", field="run", value=str(run_dir)[:200])
    return found


def chosen_run(run_dir: str | Path, demo: bool) -> Path:
    """A run folder picked in the UI (evaluate, compare, export): in demo mode one of the
    workspace's runs only; on a private studio any run folder, wherever output.dir put it."""
    if demo:
        return run_folder_in_workspace(run_dir)
    path = Path(str(run_dir or "")).expanduser()
    if not str(run_dir or "").strip() or not (path / "recipe.yaml").is_file():
        raise StudioError("run.err.not_a_run", path=str(run_dir)[:200])
    return path.resolve()


def store_upload(source: str | Path, demo: bool, limits: DemoLimits = DemoLimits()) -> Path:
    """Copy an uploaded file into workspace/uploads under a plain name (never the name's folders:
    an upload called "../../x.jsonl" lands as uploads/x.jsonl); in demo mode within the size limit."""
    source = Path(source)
    if demo:
        check_upload(source, limits)
    folder = uploads_dir()
    name = safe_name(source.name, "upload")
    target, n = folder / name, 1
    while target.exists():  # never overwrite an earlier upload (another visitor's, or a run's data)
        stamp = time.strftime('%Y%m%d-%H%M%S') + (f"-{n}" if n > 1 else "")
        target, n = folder / f"{stamp}-{name}", n + 1
    shutil.copyfile(source, target)
    return target


def exports_dir() -> Path:
    return workspace_folder("exports")


def export_folder(name: str) -> Path:
    """workspace/exports/<plain name>: the Export tab writes there, whatever name was typed."""
    return exports_dir() / safe_name(name, "export")


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def login_required(host: str, share: bool) -> bool:
    """A demo that others can reach (a share link, a public interface, a Space) must ask for a login."""
    return share or host not in LOCAL_HOSTS or on_space()
