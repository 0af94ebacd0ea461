"""An evaluation (eval.json) and a comparison (studio.compare) as the Evaluate tab shows them:
a base-vs-tuned table, a bar chart, the forgetting check, and the runs side by side.

Pure functions of the core's results, so a page reopened later shows a saved evaluation exactly
as the one it has just run.
"""
from __future__ import annotations

import math

from ..i18n import t
from .runview import _choice, duration

# Metrics in the order shown; True where higher is better.
METRICS = {"loss": False, "perplexity": False, "exact_match": True, "pairwise_accuracy": True,
           "general_perplexity": False}
# The chart keeps to values of one scale (losses and shares): perplexities grow exponentially and
# would flatten every other bar, so general text is charted as its loss (the log of its perplexity).
CHART_METRICS = ("loss", "exact_match", "pairwise_accuracy", "general_loss")
FORGETTING_ALERT = 0.05  # a rise of general-text perplexity beyond 5% is called forgetting
# compare.COLUMNS without score_name (the score cell names its metric), written out here because
# studio.compare imports torch and the page must build without it; a UI test keeps them in step.
COMPARE_SHOWN = ("run", "method", "objective", "trainable_percent", "saved_mb", "peak_memory_mb", "wall_time",
                 "tokens_per_second", "score", "forgetting")


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def data_label(result: dict, lang: str) -> str:
    data = result.get("data") or ""
    return t("ui.evaluate.validation_split", lang) if data in ("", "validation split") else f"`{data}`"


def metrics_table(result: dict | None, lang: str):
    """Metric · base · tuned · change, one row per metric either side has."""
    import pandas as pd

    headers = [t(f"ui.evaluate.table.{c}", lang) for c in ("metric", "base", "tuned", "change")]
    base, tuned = (result or {}).get("base", {}), (result or {}).get("tuned", {})
    rows = []
    for key, higher_better in METRICS.items():
        if base.get(key) is None and tuned.get(key) is None:
            continue
        rows.append([t(f"ui.evaluate.metric.{key}", lang), _number(base.get(key)), _number(tuned.get(key)),
                     _change(base.get(key), tuned.get(key), higher_better, lang)])
    return pd.DataFrame(rows, columns=headers)


def _change(before, after, higher_better: bool, lang: str) -> str:
    if before is None or after is None:
        return "—"
    delta = after - before
    if abs(delta) < 1e-9:
        return t("ui.evaluate.same", lang)
    word = "better" if (delta > 0) == higher_better else "worse"
    return f"{delta:+.3g} {'✅' if word == 'better' else '⚠️'} {t(f'ui.evaluate.{word}', lang)}"


def chart_frame(result: dict | None, lang: str):
    """Bars for the chart: base and tuned side by side under each metric.

    Gradio's bar plot stacks bars that share an x value, so each bar gets its own x label
    ("Loss · Base", "Loss · Tuned") and the label order keeps each pair together."""
    import pandas as pd

    sides = {side: dict((result or {}).get(side, {})) for side in ("base", "tuned")}
    for values in sides.values():
        if values.get("general_perplexity"):
            values["general_loss"] = math.log(values["general_perplexity"])
    rows = []
    for key in CHART_METRICS:
        if all(sides[side].get(key) is not None for side in sides):
            for side in sides:
                model = t(f"ui.evaluate.table.{side}", lang)
                rows.append({"bar": f"{t(f'ui.evaluate.chart_metric.{key}', lang)} · {model}",
                             "value": float(sides[side][key]), "model": model})
    return pd.DataFrame(rows, columns=["bar", "value", "model"])


def chart_update(result: dict | None, lang: str) -> dict:
    import gradio as gr

    frame = chart_frame(result, lang)
    return gr.update(value=frame, sort=frame["bar"].tolist(), visible=not frame.empty)


def forgetting_markdown(result: dict | None, lang: str) -> str:
    """The forgetting check as a number, a verdict and the one line that says why it matters."""
    if not result:
        return ""
    base, tuned = result.get("base", {}), result.get("tuned", {})
    why = t("ui.evaluate.forgetting_why", lang)
    if result.get("forgetting") is None:
        reason = "no_text" if "loss" in tuned or "exact_match" in tuned else "reward"
        return t("ui.evaluate.forgetting_none", lang, reason=t(f"ui.evaluate.forgetting_{reason}", lang)) + "\n\n" + why
    change = result["forgetting"]
    verdict = "forgetting_high" if change > FORGETTING_ALERT else "forgetting_low"
    return "\n\n".join([
        t("ui.evaluate.forgetting", lang, base=_number(base.get("general_perplexity")),
          tuned=_number(tuned.get("general_perplexity")), change=f"{100 * change:+.1f}%"),
        t(f"ui.evaluate.{verdict}", lang), why])


def summary_markdown(result: dict | None, lang: str, fresh: bool) -> str:
    if not result:
        return t("ui.evaluate.not_yet", lang)
    key = "ui.evaluate.done" if fresh else "ui.evaluate.saved"
    return t(key, lang, data=data_label(result, lang), examples=result.get("examples", "?"))


def compare_frame(rows: list[dict], lang: str):
    import pandas as pd

    def cell(row: dict, column: str) -> str:
        value = row.get(column)
        if column in ("method", "objective"):
            return _choice(f"{column}.kind", value, lang)
        if column == "wall_time":
            return duration(value)
        if column == "score":
            name = t(f"ui.evaluate.score_name.{row.get('score_name')}", lang)
            return "—" if value is None else f"{value:.4g} · {name}"
        if column == "forgetting":
            return "—" if value is None else f"{100 * value:+.1f}%"
        if isinstance(value, float):
            return f"{value:,.4g}" if column != "saved_mb" else f"{value:,.1f}"
        return _number(value)

    headers = [t(f"ui.evaluate.col.{c}", lang) for c in COMPARE_SHOWN]
    return pd.DataFrame([[cell(r, c) for c in COMPARE_SHOWN] for r in rows], columns=headers)


def compare_note(result: dict, lang: str) -> str:
    lines = [t("ui.evaluate.compare_done", lang, count=len(result["rows"]))]
    if not result["same_data"]:
        lines.append(t("ui.evaluate.compare_other_data", lang, datasets=", ".join(f"`{d}`" for d in result["datasets"])))
    return "\n\n".join(lines)
