"""Recipe fields as widgets, built from the schema: labels, help, choices and ranges come from
studio.recipe, never from the UI.

    form.field("train.max_steps")            # a Number with the schema's help and range
    form.field("method.kind", gr.Radio)      # a Radio with translated choice labels
    recipe = form.collect(base, values)      # the recipe dict the widgets describe

Each tab adds the fields it shows; the app then treats `form.components` as one recipe editor.
Values are never checked here: the recipe validation reports problems in the UI language
(a widget that refused a value would answer in English only).
"""
from __future__ import annotations

import copy
import types
import typing
from typing import Any

import gradio as gr
import yaml

from ..i18n import DEFAULT_LANGUAGE, t
from ..recipe import field_bounds, field_info, help_key
from .texts import Key, Texts, choice_key, render

_LORA_SHORTHANDS = ("all-linear", "attention", "mlp")


def _kind(annotation) -> tuple[str, tuple]:
    """(codec name, choices) of a schema annotation."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "choice", args
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            inner, _ = _kind(rest[0])
            return f"optional_{inner}", ()
        return "names", ()  # str | list[str]: LoRA targets
    if origin is list:
        inner = args[0]
        if typing.get_origin(inner) is typing.Literal:
            return "multi", typing.get_args(inner)
        return "list", ()
    if origin is dict:
        return "mapping", ()
    return {bool: "bool", int: "int", float: "float"}.get(annotation, "text"), ()


def to_widget(kind: str, value):
    """A recipe value as its widget shows it."""
    if kind == "names":
        return value if isinstance(value, str) else ", ".join(value or [])
    if kind == "mapping":
        return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip() if value else ""
    if kind == "optional_text":
        return value or ""
    return value


_MISSING = object()


def to_recipe(kind: str, value):
    """A widget's value as the recipe holds it; _MISSING leaves the recipe's value alone."""
    if kind in ("int", "float") and value is None:
        return _MISSING  # an emptied box keeps the recipe's value rather than inventing one
    if kind == "int":
        return int(value) if float(value).is_integer() else value
    if kind == "optional_int" and value is not None:
        return int(value) if float(value).is_integer() else value
    if kind == "optional_text":
        return (value or "").strip() or None
    if kind == "names":
        text = (value or "").strip()
        if text in _LORA_SHORTHANDS or "," not in text and " " not in text:
            return text
        return [name.strip() for name in text.replace(" ", ",").split(",") if name.strip()]
    if kind == "mapping":
        text = (value or "").strip()
        if not text:
            return {}
        try:
            parsed = yaml.safe_load(text if text.startswith("{") else "{" + text + "}")
        except yaml.YAMLError:
            return text  # the recipe validation names the field and says what it expects
        return parsed if isinstance(parsed, dict) else text
    return value


def _range_text(path: str):
    """Help text plus the schema's bounds, e.g. '... (1 to 1024)'."""
    bounds = field_bounds(path)
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))

    def render(lang: str) -> str:
        text = t(help_key(path), lang)
        if low is not None and high is not None:
            return text + " " + t("ui.form.range", lang, low=low, high=high)
        if low is not None:
            return text + " " + t("ui.form.at_least", lang, low=low)
        return text
    return render


class RecipeForm:
    def __init__(self, texts: Texts, initial: dict):
        self.texts = texts
        self.initial = initial                 # a validated recipe dict: the first values shown
        self.paths: list[str] = []
        self.components: list = []
        self._kinds: list[str] = []

    def field(self, path: str, widget=None, *, choices: list | None = None, **kwargs):
        """The widget for recipe field `path` (dotted), registered with the form and the texts."""
        kind, options = _kind(field_info(path).annotation)
        value = to_widget(kind, _get(self.initial, path))
        kwargs.setdefault("elem_id", "field-" + path.replace(".", "-").replace("_", "-"))
        kwargs.setdefault("label", Key(f"ui.field.{path}"))
        kwargs.setdefault("info", _range_text(path) if kind in ("int", "float", "optional_int", "optional_float")
                          else Key(help_key(path)))
        if options and choices is None:
            choices = [(choice_key(f"ui.choice.{path}", o), o) for o in options]
        if widget is None:
            widget = {"choice": gr.Dropdown, "bool": gr.Checkbox, "multi": gr.CheckboxGroup,
                      "list": gr.Dropdown}.get(kind, gr.Number if kind.endswith(("int", "float")) else gr.Textbox)
        if widget is gr.Dropdown and kind == "list":
            kwargs.setdefault("multiselect", True)
        if widget is gr.Number and kind.endswith("int"):
            kwargs.setdefault("precision", 0)
        if choices is not None:
            kwargs["choices"] = choices
        info = kwargs.pop("info")  # may be a function of the language (help plus range)
        component = self.texts.make(widget, value=value, info=render(info, DEFAULT_LANGUAGE), **kwargs)
        self.texts.bind(component, info=info)
        self.paths.append(path)
        self.components.append(component)
        self._kinds.append(kind)
        return component

    def collect(self, base: dict, values) -> dict:
        """`base` (the recipe the user started from) with every widget's value written in."""
        recipe = copy.deepcopy(base or {})
        for path, kind, value in zip(self.paths, self._kinds, values):
            converted = to_recipe(kind, value)
            if converted is not _MISSING:
                _set(recipe, path, converted)
        return recipe

    def widget_values(self, recipe: dict) -> list:
        """What each widget should show for `recipe` (a full, validated recipe dict)."""
        return [to_widget(kind, _get(recipe, path)) for path, kind in zip(self.paths, self._kinds)]

    def component(self, path: str):
        return self.components[self.paths.index(path)]


def _get(data: dict, path: str) -> Any:
    for part in path.split("."):
        data = (data or {}).get(part)
    return data


def _set(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for part in parents:
        data = data.setdefault(part, {})
    data[last] = value
