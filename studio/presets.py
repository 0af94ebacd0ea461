"""Presets: recipes shipped in `presets/` that a user can start from."""
from __future__ import annotations

from pathlib import Path

import yaml

from .paths import PRESETS


def preset_names() -> list[str]:
    return sorted(p.stem for p in PRESETS.glob("*.yaml"))


def preset_path(name: str) -> Path | None:
    """`quickstart` or `quickstart.yaml` -> the preset file, or None."""
    path = PRESETS / (name if name.endswith(".yaml") else f"{name}.yaml")
    return path if path.is_file() and path.parent == PRESETS else None


def preset_summary(name: str) -> dict:
    data = yaml.safe_load(preset_path(name).read_text(encoding="utf-8")) or {}
    return {
        "name": name,
        "description": data.get("description", ""),
        "method": (data.get("method") or {}).get("kind", "lora"),
        "objective": (data.get("objective") or {}).get("kind", "sft"),
        "model": (data.get("model") or {}).get("name", "builtin"),
    }
