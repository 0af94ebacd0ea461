"""Demo mode in the web UI: who a visitor is, what limits they work under, and the checks every
tab makes before it reads a file a visitor named.

The rules themselves live in studio.policy (no gradio); this module only turns them into what a
tab needs: choices, messages in the UI language, the owner of a queued run.
"""
from __future__ import annotations

from ..errors import StudioError
from ..i18n import t
from ..policy import DemoLimits, check_sources
from ..runs import Registry


def owner(request) -> str | None:
    """Who started a run, for the fair queue: the login name, else the browser session."""
    if request is None:
        return None
    return getattr(request, "username", None) or getattr(request, "session_hash", None)


def limits_markdown(lang: str, limits: DemoLimits = DemoLimits()) -> str:
    return t("ui.demo.limits", lang, steps=limits.max_steps, minutes=f"{limits.max_minutes:g}",
             upload=f"{limits.max_upload_mb:g}", rows=limits.max_rows, examples=limits.max_eval_examples)


def model_choices(lang: str, limits: DemoLimits = DemoLimits()) -> list[tuple[str, str]]:
    """What a visitor may train on: the built-in model, the allow-listed hub ids, this studio's runs."""
    choices = [(t("ui.model.builtin_choice", lang), "builtin")] + [(name, name) for name in limits.hub_models]
    choices += [(t("ui.demo.run_as_base", lang, name=r.get("name", ""), run=r["run_id"]), r["path"])
                for r in Registry().runs(state="completed") if r.get("objective") != "reward"]
    return choices


def source_problems(ctx, recipe) -> list[StudioError]:
    """On a public studio, what in `recipe` points outside the studio's folders; nothing otherwise."""
    return check_sources(recipe) if ctx.demo else []


def problems_markdown(problems: list[StudioError], lang: str) -> str:
    return "⚠️ " + "\n".join(f"- {p.render(lang)}" for p in problems)
