"""Recipes in and out of the UI: presets to start from, YAML upload and download, and the command
line that trains the same recipe (`python -m studio train <preset> <overrides>`)."""
from __future__ import annotations

import re
import shlex

import gradio as gr
import yaml

from ..errors import RecipeError, StudioError
from ..i18n import t
from ..paths import workspace
from ..policy import check_sources, check_upload
from ..presets import preset_names, preset_path, preset_summary
from ..recipe import Recipe, load_recipe, overrides_between, recipe_from_dict
from .shell import error_text

DEFAULT_PRESET = "quickstart"


def preset_choices() -> list[tuple[str, str]]:
    # Preset descriptions are the presets' own words (written in the YAML files), shown as they are.
    return [(f"{name} · {preset_summary(name)['description']}" if preset_summary(name)["description"] else name, name)
            for name in preset_names()]


def preset_dict(name: str | None) -> dict:
    path = preset_path(name) if name else None
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path else {}


def initial_origin() -> dict:
    """What a fresh page starts from: the quickstart preset when it is there, else the schema defaults."""
    name = DEFAULT_PRESET if preset_path(DEFAULT_PRESET) else None
    return {"preset": name, "recipe": preset_dict(name)}


def command_for(recipe: Recipe, preset: str | None) -> str:
    """The CLI call that trains `recipe`: the preset it started from plus the changed fields."""
    base = load_recipe(preset) if preset and preset_path(preset) else Recipe()
    overrides = [shlex.quote(o) for o in overrides_between(base, recipe)]
    head = f"python -m studio train {preset or DEFAULT_PRESET}"
    if len(" ".join([head, *overrides])) <= 100:
        return " ".join([head, *overrides])
    return " \\\n  ".join([head, *overrides])


def recipe_yaml(data) -> str:
    return yaml.safe_dump(data or {}, sort_keys=False, allow_unicode=True)


def _loaded(form, origin: dict, lang: str, note: str) -> list:
    recipe = recipe_from_dict(origin["recipe"]).to_dict()
    return [origin, recipe, *form.widget_values(recipe), note]


def load_preset(form, name: str | None, lang: str) -> list:
    """Outputs for [origin, recipe, *form widgets, message] after starting from preset `name`."""
    keep = [gr.skip()] * (2 + len(form.components))
    if not name or not preset_path(name):
        return keep + [t("ui.recipe.pick_preset", lang)]
    try:
        return _loaded(form, {"preset": name, "recipe": preset_dict(name)}, lang,
                       t("ui.recipe.preset_loaded", lang, name=name))
    except StudioError as exc:
        return keep + [f"⚠️ {error_text(exc, lang)}"]


def load_recipe_upload(form, path: str | None, origin: dict, lang: str, demo: bool = False) -> list:
    """The same outputs as load_preset, for an uploaded YAML recipe (validated before anything changes).

    The paths it names are only read later, through the same checks as typed ones (on a public
    studio: studio.policy, before the data tab so much as previews a file)."""
    keep = [gr.skip()] * (2 + len(form.components))
    if not path:
        return keep + [gr.skip()]
    try:
        if demo:
            check_upload(path)
        recipe = load_recipe(path)  # every problem at once, with field names
        refused = check_sources(recipe) if demo else []
        if refused:  # a public studio refuses the whole file: nothing it names is ever read
            raise RecipeError(refused)
        data = yaml.safe_load(open(path, encoding="utf-8").read()) or {}
    except StudioError as exc:
        return keep + [f"⚠️ {error_text(exc, lang)}"]
    preset = (origin or {}).get("preset")
    return _loaded(form, {"preset": preset, "recipe": data}, lang, t("ui.recipe.uploaded", lang))


def save_recipe(form, origin: dict, values, lang: str):
    """Write the recipe the widgets describe to workspace/recipes/ and offer it for download."""
    data = form.collect((origin or {}).get("recipe"), values)
    try:
        recipe = recipe_from_dict(data)
    except StudioError as exc:
        return gr.update(visible=False), f"⚠️ {error_text(exc, lang)}"
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", recipe.name).strip("-") or "recipe"
    path = workspace() / "recipes" / f"{name}.yaml"
    recipe.save(path)
    return gr.update(value=str(path), visible=True), t("ui.recipe.saved", lang, path=str(path),
                                                         command=f"python -m studio train {path}")
