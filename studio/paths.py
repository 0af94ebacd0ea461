"""Where things live: the project's own folders, and the workspace where runs and databases go.

The workspace defaults to `./workspace` (so a clone keeps its runs beside it) and moves with the
STUDIO_HOME environment variable.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
PRESETS = ROOT / "presets"
BUILTIN_MODEL = ASSETS / "builtin-model"


def workspace() -> Path:
    home = Path(os.environ.get("STUDIO_HOME") or Path.cwd() / "workspace").expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def workspace_folder(name: str) -> Path:
    """A folder of the workspace (`runs`, `uploads`, `exports`), created when first asked for."""
    path = workspace() / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir() -> Path:
    return workspace_folder("runs")


def database(name: str) -> Path:
    """An SQLite file in the workspace (`runs.sqlite`, `feedback.sqlite`, ...)."""
    return workspace() / name
