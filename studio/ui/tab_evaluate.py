"""Evaluate tab: a finished run against its base model on held-out data (table, chart, forgetting
check), and several runs side by side (the method trade-off table).

Evaluation takes from seconds to minutes on a CPU, so it runs in a thread of its own while the
handler streams which stage it is at; the result is kept in the run's eval.json, so choosing the
run again (or reopening the page) shows it at once.
"""
from __future__ import annotations

import time

import gradio as gr

from ..errors import StudioError
from ..i18n import t
from ..policy import DemoLimits, check_data_path, chosen_run, store_upload
from . import evalview
from .background import in_background
from .runview import bar_html, finished_run_choices
from .shell import Shell, error_text
from .tab_data import UPLOAD_TYPES, sample_choices
from .texts import Key

ID = "evaluate"
TITLE = Key("ui.tab.evaluate")
VALIDATION = ":validation:"   # the run's own validation split (a value no file is called)
# The core's evaluate.STAGES, repeated so that building the page does not import torch.
STAGES = ("load", "base", "tuned", "general")
DEFAULT_EXAMPLES, MAX_EXAMPLES = 100, 500


def build(shell: Shell, tab) -> None:
    make, ctx = shell.make, shell.ctx
    make(gr.Markdown, value=Key("ui.evaluate.intro"))
    make(gr.Markdown, value=Key("ui.evaluate.run_title"))
    run, refresh = shell.run_picker("eval", "ui.evaluate")
    with gr.Row():
        # Custom values let an uploaded file be chosen; policy checks every value before it is read.
        data = make(gr.Dropdown, label=Key("ui.evaluate.data"), info=Key("ui.evaluate.data_info"),
                    choices=[(Key("ui.evaluate.data_validation"), VALIDATION)] + sample_choices(),
                    value=VALIDATION, allow_custom_value=True, elem_id="eval-data", scale=3)
        upload = make(gr.UploadButton, label=Key("ui.evaluate.upload"), file_types=UPLOAD_TYPES,
                      elem_id="eval-upload", scale=1)
        examples = make(gr.Slider, label=Key("ui.evaluate.max_examples"), info=Key("ui.evaluate.max_examples_info"),
                        minimum=1, maximum=MAX_EXAMPLES, step=1, value=DEFAULT_EXAMPLES, elem_id="eval-max-examples",
                        scale=2)
    start = make(gr.Button, value=Key("ui.evaluate.start"), variant="primary", elem_id="eval-start")
    progress = gr.HTML(elem_id="eval-progress")
    summary = gr.Markdown(elem_id="eval-summary")
    with gr.Row():
        table = make(gr.Dataframe, label=Key("ui.evaluate.table_label"), interactive=False, wrap=True,
                     elem_id="eval-table", scale=1)
        chart = make(gr.BarPlot, x="bar", y="value", color="model", label=Key("ui.evaluate.chart"),
                     x_title=Key("ui.evaluate.chart_x"), y_title=Key("ui.evaluate.chart_y"),
                     color_title=Key("ui.evaluate.chart_series"), x_label_angle=-30, sort=None,
                     elem_id="eval-chart", visible=False, scale=1)
    forgetting = gr.Markdown(elem_id="eval-forgetting")

    make(gr.Markdown, value=Key("ui.evaluate.compare_title"))
    runs = make(gr.Dropdown, label=Key("ui.evaluate.compare_runs"), info=Key("ui.evaluate.compare_runs_info"),
                choices=[], multiselect=True, elem_id="compare-runs")
    compare = make(gr.Button, value=Key("ui.evaluate.compare_start"), variant="primary", elem_id="compare-start")
    compare_progress = gr.HTML(elem_id="compare-progress")
    compare_note = gr.Markdown(elem_id="compare-note")
    compare_table = make(gr.Dataframe, label=Key("ui.evaluate.compare_table"), interactive=False, wrap=True,
                         elem_id="compare-table", visible=False)

    shown = gr.State(None)           # {"result": eval result, "fresh": bool}: re-rendered on a language switch
    compared = gr.State(None)        # the last compare_runs result
    light = dict(concurrency_limit=None, show_progress="hidden")
    view = [progress, summary, table, chart, forgetting, shown]
    for trigger, api_name in ((refresh.click, "evaluate_runs"), (tab.select, None)):
        trigger(refresh_choices, [run, runs, shell.lang], [run, runs], trigger_mode="always_last", api_name=api_name,
                **light)
    run.change(lambda value, lang: show_saved(ctx, value, lang), [run, shell.lang], view, **light)
    upload.upload(lambda path, lang: use_upload(ctx, path, lang), [upload, shell.lang], [data, summary], **light)
    # One evaluation at a time in the whole app: each one keeps both CPU cores busy.
    start.click(lambda *args: (yield from run_evaluation(ctx, *args)), [run, data, examples, shell.lang], view,
                concurrency_id="evaluate", concurrency_limit=1, api_name="evaluate")
    compare.click(lambda *args: (yield from run_comparison(ctx, *args)), [runs, shell.lang],
                  [compare_progress, compare_table, compare_note, compared],
                  concurrency_id="evaluate", concurrency_limit=1, api_name="compare")
    # One handler for the whole tab: every event a language switch sets off delays the page's switch.
    shell.lang_applied.change(relabel, [run, runs, shown, compared, shell.lang],
                      [run, runs, summary, table, chart, forgetting, compare_table, compare_note, progress,
                       compare_progress], **light)


# --- handlers ---------------------------------------------------------------------------------

def refresh_choices(current: str | None, chosen: list | None, lang: str):
    choices = finished_run_choices(lang)
    values = [v for _, v in choices]
    keep = [v for v in (chosen or []) if v in values]
    return (gr.update(choices=choices, value=current if current in values else (values[0] if values else None)),
            gr.update(choices=choices, value=keep))


def render(result: dict | None, fresh: bool, lang: str) -> list:
    """[summary, table, chart, forgetting] for an evaluation result (None: not evaluated yet)."""
    return [evalview.summary_markdown(result, lang, fresh), evalview.metrics_table(result, lang),
            evalview.chart_update(result, lang), evalview.forgetting_markdown(result, lang)]


def show_saved(ctx, run_value: str | None, lang: str) -> list:
    """What the tab shows for a run chosen in the list: its saved evaluation, if it has one."""
    if not run_value:
        return ["", t("ui.evaluate.no_runs", lang), *render(None, False, lang)[1:], None]
    try:
        run_dir = chosen_run(run_value, ctx.demo)
    except StudioError as exc:
        return ["", f"⚠️ {error_text(exc, lang)}", *render(None, False, lang)[1:], None]
    result = saved_results(run_dir)
    return ["", *render(result, False, lang), {"result": result, "fresh": False}]


def relabel(current: str | None, chosen: list | None, shown: dict | None, compared: dict | None, lang: str) -> list:
    """Everything the tab shows, in `lang`; progress lines belong to their moment and are cleared."""
    return [*refresh_choices(current, chosen, lang), *render_shown(shown, lang), *render_compared(compared, lang),
            "", ""]


def render_shown(shown: dict | None, lang: str) -> list:
    if not shown:
        return [gr.skip()] * 4
    return render(shown["result"], shown["fresh"], lang)


def eval_data_path(ctx, value: str | None) -> str | None:
    """The held-out file to use (None: the run's validation split); on a public studio only an
    upload or a shipped sample."""
    value = (value or "").strip()
    if value in ("", VALIDATION):
        return None
    problem = check_data_path(value, "eval data") if ctx.demo else None
    if problem:
        raise problem
    return value


def use_upload(ctx, path: str | None, lang: str):
    """An uploaded held-out file, copied into the workspace and chosen as the data to evaluate on."""
    if not path:
        return gr.skip(), gr.skip()
    try:
        stored = store_upload(path, ctx.demo)
    except StudioError as exc:
        return gr.skip(), f"⚠️ {error_text(exc, lang)}"
    return gr.update(value=str(stored)), t("ui.evaluate.uploaded", lang, file=stored.name)


def saved_results(run_dir):
    from ..evaluate import saved_results as saved  # the evaluation core imports torch

    return saved(run_dir)


def _evaluate(run_dir, data_path: str | None, limit: int, report) -> dict:
    from .. import evaluate

    # The general text is looked up at each call (not bound at import), so a test can point it elsewhere.
    result = evaluate.evaluate_run(run_dir, data_path, max_examples=limit, progress=report,
                                   general_path=evaluate.GENERAL_TEXT)
    evaluate.save_results(run_dir, result)
    return result


def _progress(stage: str, started: float, lang: str, prefix: str = "") -> str:
    done = STAGES.index(stage) if stage in STAGES else 0
    text = t("ui.evaluate.progress", lang, stage=t(f"ui.evaluate.stage.{stage}", lang),
             elapsed=f"{time.monotonic() - started:.0f}")
    return bar_html(100.0 * done / len(STAGES), prefix + text)


def _stream(run_dir, data_path: str | None, limit: int, lang: str, prefix: str = ""):
    """Yields ("progress", html) while `run_dir` is evaluated, then ("done", result) or ("error", exc)."""
    started, stage = time.monotonic(), STAGES[0]
    for kind, value in in_background(lambda report: _evaluate(run_dir, data_path, limit, report)):
        if kind in ("done", "error"):
            yield kind, value
            return
        stage = value if kind == "stage" else stage
        yield "progress", _progress(stage, started, lang, prefix)


def run_evaluation(ctx, run_value: str | None, data_value: str | None, max_examples, lang: str):
    """Yields [progress, summary, table, chart, forgetting, shown] as the evaluation goes on."""
    keep = [gr.skip()] * 4

    def failed(exc: BaseException) -> list:
        return ["", f"⚠️ {error_text(exc, lang)}", *keep]

    if not run_value:
        yield ["", t("ui.evaluate.pick_run", lang), *keep]
        return
    try:
        run_dir = chosen_run(run_value, ctx.demo)
        data_path = eval_data_path(ctx, data_value)
    except StudioError as exc:
        yield failed(exc)
        return
    most = DemoLimits().max_eval_examples if ctx.demo else MAX_EXAMPLES
    limit = max(1, min(int(max_examples or DEFAULT_EXAMPLES), most))
    for kind, value in _stream(run_dir, data_path, limit, lang):
        if kind == "progress":
            yield [value, gr.skip(), *keep]
        elif kind == "error":
            yield failed(value)
        else:
            yield [bar_html(100.0, t("ui.evaluate.finished", lang)), *render(value, True, lang),
                   {"result": value, "fresh": True}]


def run_comparison(ctx, values: list | None, lang: str):
    """Yields [progress, table, note, compared]: runs never evaluated are evaluated first."""
    from ..compare import compare_runs

    if not values:
        yield ["", gr.skip(), t("ui.evaluate.compare_pick", lang), gr.skip()]
        return
    try:
        run_dirs = [chosen_run(v, ctx.demo) for v in values]
    except StudioError as exc:
        yield ["", gr.skip(), f"⚠️ {error_text(exc, lang)}", gr.skip()]
        return
    missing = [d for d in run_dirs if saved_results(d) is None]
    for number, run_dir in enumerate(missing, start=1):
        prefix = t("ui.evaluate.compare_evaluating", lang, run=run_dir.name, number=number, total=len(missing)) + " "
        for kind, value in _stream(run_dir, None, DEFAULT_EXAMPLES, lang, prefix):
            if kind == "progress":
                yield [value, gr.skip(), gr.skip(), gr.skip()]
            elif kind == "error":
                yield ["", gr.skip(), f"⚠️ {run_dir.name}: {error_text(value, lang)}", gr.skip()]
                return
    try:
        result = compare_runs(run_dirs, evaluate_missing=False)
    except StudioError as exc:
        yield ["", gr.skip(), f"⚠️ {error_text(exc, lang)}", gr.skip()]
        return
    yield ["", *render_compared(result, lang), result]


def render_compared(result: dict | None, lang: str) -> list:
    if not result:
        return [gr.skip(), gr.skip()]
    return [gr.update(value=evalview.compare_frame(result["rows"], lang), visible=True),
            evalview.compare_note(result, lang)]
