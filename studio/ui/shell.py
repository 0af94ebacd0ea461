"""What every tab is given: the app context, the texts registry, the recipe form and the shared states.

Tabs talk to each other only through these states (the recipe dict, where it started from, what
the data tab found) and the form, never by reaching for another tab's widgets.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import StudioError, render_error
from ..recipe import Recipe, recipe_from_dict
from .context import AppContext
from .form import RecipeForm
from .texts import Texts


@dataclass
class Shell:
    ctx: AppContext
    texts: Texts
    form: RecipeForm
    lang: Any            # the lang-select widget: an input of every handler that writes text
    recipe: Any          # gr.State: the recipe dict the form describes
    origin: Any          # gr.State: {"preset": name, "recipe": dict} the user started from
    data_info: Any       # gr.State: {"rows": int, "format": str} of the chosen data, once inspected
    # Set once every label shows the new language. Tabs re-render their own texts on its change,
    # so the labels (one quick update) come first and the slower re-renders follow.
    lang_applied: Any
    loaders: list = field(default_factory=list)   # (fn, inputs, outputs) to run when a page opens

    def make(self, factory, **kwargs):
        return self.texts.make(factory, **kwargs)

    def run_picker(self, prefix: str, keys: str):
        """(dropdown, refresh button) for choosing a finished run: `<prefix>-run`, labelled from `<keys>.run`."""
        import gradio as gr

        from .texts import Key

        with gr.Row():
            run = self.make(gr.Dropdown, label=Key(f"{keys}.run"), info=Key(f"{keys}.run_info"), choices=[],
                            elem_id=f"{prefix}-run", scale=4)
            refresh = self.make(gr.Button, value=Key("ui.common.refresh"), elem_id=f"{prefix}-refresh", scale=0,
                                size="sm")
        return run, refresh


def error_text(exc: BaseException, lang: str) -> str:
    """Any exception as a message in `lang`: a StudioError says what to do; others say what happened."""
    return exc.render(lang) if isinstance(exc, StudioError) else render_error(exc, lang)


def validated(recipe: dict | None) -> tuple[Recipe | None, StudioError | None]:
    """(the Recipe, None) or (None, the error), for handlers that show problems instead of raising."""
    try:
        return recipe_from_dict(recipe or {}), None
    except StudioError as exc:
        return None, exc
