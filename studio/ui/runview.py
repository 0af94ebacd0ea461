"""A run folder as the Train tab shows it: state line, progress bar, curves, log, and the table of runs.

Pure functions of a run's files (status.json, metrics.jsonl), so a page opened later, or another
process's run, reads exactly like one started here.
"""
from __future__ import annotations

import html
from pathlib import Path

from ..estimate import human_bytes
from ..i18n import has, t
from ..runs import FINAL_STATES, Registry, RunFolder
from .svgchart import PALETTE, Series, line_chart

LOSS_SERIES = ("loss", "eval_loss")


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _number(value, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def run_error(status: dict, lang: str) -> str:
    """A failed run's message in `lang` when the core recorded its key, else as recorded."""
    key = status.get("error_key")
    if key and has(key):
        return t(key, lang, **(status.get("error_params") or {}))
    return status.get("error") or t("ui.train.failed_no_message", lang)


def state_label(state: str, lang: str) -> str:
    return t(f"ui.state.{state}", lang)


def status_markdown(run: RunFolder, lang: str) -> str:
    status, state = run.status(), run.state()
    icon = {"queued": "⏳", "running": "🏃", "completed": "✅", "stopped": "⏹️", "failed": "❌"}.get(state, "")
    lines = [f"**{icon} {state_label(state, lang)}** · `{run.run_id}`"]
    if state in FINAL_STATES and state != "failed" or status.get("final_loss") is not None:
        lines.append(t("ui.train.summary", lang, loss=_number(status.get("final_loss")),
                       eval_loss=_number(status.get("final_eval_loss")),
                       trainable=_number(status.get("trainable_percent"), 3),
                       wall=duration(status.get("wall_time")), size=human_bytes(status.get("saved_bytes"))))
    if state == "failed":
        lines.append(f"{t('ui.train.error', lang)} {run_error(status, lang)}")
    return "\n\n".join(lines)


def progress_html(run: RunFolder, events: list[dict], lang: str) -> str:
    """The progress bar with step, tokens/s and ETA. While the run trains, its data attributes
    (run id, language, data-live) let the page's light poller (train_live.js) keep it current."""
    status, state = run.status(), run.state()
    step, total = status.get("step") or 0, status.get("total_steps") or 0
    last = next((e for e in reversed(events) if "eta" in e or "tokens_per_second" in e), {})
    speed = next((e["tokens_per_second"] for e in reversed(events) if "tokens_per_second" in e), None)
    finished = state in FINAL_STATES
    share = 100.0 if state == "completed" else (100.0 * step / total if total else 0.0)
    text = t("ui.train.progress", lang, step=step, total=total or "?",
             speed="-" if speed is None else f"{speed:,.0f}",
             eta="-" if finished or "eta" not in last else duration(last["eta"]))
    if state == "running" and not step and not total:
        text = t(f"ui.train.phase.{loading_phase(status)}", lang)  # no step to count before the trainer starts
    # The state leads the line: the bar is what updates every two seconds.
    text = f"{state_label(state, lang)} · {text}"
    attrs = (f'data-step="{step}" data-total="{total}" data-run="{html.escape(run.run_id)}" '
             f'data-lang="{html.escape(lang)}" data-state="{state}" data-live="{0 if finished else 1}"')
    return bar_html(share, text, attrs)


def loading_phase(status: dict) -> str:
    """What a running job does before its first step, read from what it has recorded so far."""
    if "trainable_params" in status:
        return "starting"
    return "model" if "data_stats" in status else "data"


def bar_html(share: float, text: str, attrs: str = "") -> str:
    """A progress bar (`share` in percent) with a line of text under it (styled by app.CSS)."""
    return (f'<div class="studio-progress" {attrs}>'
            f'<div class="studio-progress-bar" style="width:{share:.1f}%"></div></div>'
            f'<div class="studio-progress-text">{html.escape(text)}</div>')


SERIES_COLORS = {"loss": PALETTE[0], "eval_loss": PALETTE[1], "learning_rate": PALETTE[2], "reward": PALETTE[3],
                 "kl": PALETTE[4]}


def series_name(key: str, lang: str) -> str:
    return t(f"ui.train.series.{key}", lang) if has(f"ui.train.series.{key}") else key


def charts(events: list[dict], lang: str) -> dict[str, str]:
    """The Train tab's charts by element id: loss, learning rate, and reward/KL (empty but for RL
    runs). The x axis spans the whole run, so a curve grows across a fixed frame."""
    x_max = max([e.get("total_steps") or 0 for e in events] + [1])

    def series(keys) -> list[Series]:
        return [Series(series_name(k, lang), [(e["step"], e[k]) for e in events if k in e],
                       SERIES_COLORS.get(k)) for k in keys]

    def chart(keys, label: str, y_title: str, **options) -> str:
        return line_chart(series(keys), label=t(label, lang), x_title=t("ui.train.step", lang),
                          y_title=t(y_title, lang), x_max=x_max, empty=t("ui.train.nothing_yet", lang), **options)

    rl_keys = sorted({k for e in events for k in e if k in ("reward", "kl") or k.startswith("rewards/")})
    return {"loss-plot": chart(LOSS_SERIES, "ui.train.loss_plot", "ui.train.loss",
                               caption=loss_caption(events, lang)),
            "lr-plot": chart(("learning_rate",), "ui.train.lr_plot", "ui.train.lr", scientific=True),
            "rl-plot": chart(rl_keys, "ui.train.rl_plot", "ui.train.reward") if rl_keys else ""}


def log_html(run: RunFolder, lines: int = 40) -> str:
    """The tail of the run's train.log, as the Train tab's log panel shows it."""
    return f'<pre class="studio-log">{html.escape(run.log_tail(lines))}</pre>'


def loss_caption(events: list[dict], lang: str) -> str:
    points = [e["loss"] for e in events if "loss" in e]
    if not points:
        return t("ui.train.no_points", lang)
    return t("ui.train.points", lang, count=len(points), last=f"{points[-1]:.4f}")


RUN_COLUMNS = ("run", "state", "objective", "method", "model", "loss", "eval_loss", "trainable", "wall", "size")


def runs_table(lang: str):
    import pandas as pd

    rows = []
    for status in Registry().runs():
        rows.append([status["run_id"], state_label(status["state"], lang),
                     _choice("objective.kind", status.get("objective"), lang),
                     _choice("method.kind", status.get("method"), lang), Path(str(status.get("model", ""))).name or status.get("model", ""),
                     _number(status.get("final_loss")), _number(status.get("final_eval_loss")),
                     _number(status.get("trainable_percent"), 3), duration(status.get("wall_time")),
                     human_bytes(status.get("saved_bytes")) if status.get("saved_bytes") else "-"])
    headers = [t(f"ui.train.col.{c}", lang) for c in RUN_COLUMNS]
    return pd.DataFrame(rows, columns=headers)


def _choice(field: str, value: str | None, lang: str) -> str:
    key = f"ui.choice.{field}.{value}"
    return t(key, lang) if has(key) else (value or "")


def run_path(run_id: str) -> str | None:
    return Registry().path_of(run_id)


def finished_run_choices(lang: str, objectives: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(label, run folder) of the runs that ended with trained weights, newest first: what the
    Evaluate and Export tabs can work on."""
    choices = []
    for run in Registry().runs():
        if run["state"] in ("completed", "stopped") and (Path(run["path"]) / "model").is_dir() \
                and (objectives is None or run.get("objective") in objectives):
            choices.append((t("ui.chat.run_choice", lang, name=run.get("name", ""), run=run["run_id"],
                              method=_choice("method.kind", run.get("method"), lang),
                              objective=_choice("objective.kind", run.get("objective"), lang)), run["path"]))
    return choices
