"""Train tab: start and stop a run, watch it live (curves, progress, log), and browse past runs.

The page polls the run folder with a timer, so a reloaded page, or a run started from the CLI,
is followed the same way as one started here.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from ..errors import StudioError
from ..i18n import LANGUAGES, t
from ..policy import demo_recipe
from ..recipe import recipe_from_dict
from ..runs import FINAL_STATES, Registry, RunFolder
from . import runview
from .demo import limits_markdown, owner
from .shell import Shell, error_text
from .texts import Key

ID = "train"
TITLE = Key("ui.tab.train")
# The progress bar follows a run every two seconds through a server function (train_live.js); the
# state line, curves and log through a Gradio timer, less often: each Gradio event costs the browser
# work in proportion to the whole page (it refreshes the loading state of every component events
# have touched), and on a small machine the browser shares the cores with the training
# (benchmarks/ui_throughput.py measures the cost).
CHART_SECONDS = 15.0  # the Refresh button redraws at once
LIVE_JS = (Path(__file__).with_name("train_live.js")).read_text(encoding="utf-8")


def build(shell: Shell, tab) -> None:
    make, ctx, form = shell.make, shell.ctx, shell.form
    make(gr.Markdown, value=Key("ui.train.intro"))
    if ctx.demo:
        shell.texts.bind(gr.Markdown(limits_markdown("en"), elem_id="train-limits"), value=limits_markdown)
    with gr.Row(equal_height=True):
        start_button = make(gr.Button, value=Key("ui.train.start"), variant="primary", elem_id="train-start", scale=1)
        stop_button = make(gr.Button, value=Key("ui.train.stop"), variant="stop", elem_id="train-stop", scale=1)
        status = gr.Markdown(elem_id="train-status")
    progress = gr.HTML(elem_id="train-progress", js_on_load=LIVE_JS, server_functions=[live_progress])
    with gr.Row():
        loss_plot = make(gr.LinePlot, x="step", y="value", color="series", label=Key("ui.train.loss_plot"),
                         color_title=Key("ui.train.series_title"),
                         x_title=Key("ui.train.step"), y_title=Key("ui.train.loss"), elem_id="loss-plot")
        lr_plot = make(gr.LinePlot, x="step", y="value", color="series", label=Key("ui.train.lr_plot"),
                       color_title=Key("ui.train.series_title"),
                       x_title=Key("ui.train.step"), y_title=Key("ui.train.lr"), elem_id="lr-plot",
                       y_axis_format=".1e")
    rl_plot = make(gr.LinePlot, x="step", y="value", color="series", label=Key("ui.train.rl_plot"),
                   color_title=Key("ui.train.series_title"),
                   x_title=Key("ui.train.step"), y_title=Key("ui.train.reward"), elem_id="rl-plot", visible=False)
    with make(gr.Accordion, label=Key("ui.train.log"), open=False):
        log = gr.Code(language=None, interactive=False, lines=14, max_lines=30, elem_id="train-log")
    with gr.Row(equal_height=True):
        make(gr.Markdown, value=Key("ui.train.runs"))
        refresh = make(gr.Button, value=Key("ui.common.refresh"), elem_id="train-runs-refresh", size="sm", scale=0)
    runs = gr.Dataframe(interactive=False, wrap=True, elem_id="train-runs", max_height=320)

    watch = gr.State(None)         # the run folder the page follows
    shown = gr.State(None)         # (run folder, events) the charts last drew
    timer = gr.Timer(CHART_SECONDS, active=False)
    view = [status, progress, loss_plot, lr_plot, rl_plot, log, timer, runs, shown]
    followed = [c for c in view if c is not progress]  # the timer's outputs: train_live.js keeps the bar
    light = dict(concurrency_limit=None)
    quiet = dict(concurrency_limit=None, show_progress="hidden")  # polls must not flash a spinner

    # Gradio hands the request to a parameter annotated gr.Request, but not to one after *values.
    def start(request: gr.Request, origin: dict, lang: str, *values):
        return start_run(ctx, form.collect((origin or {}).get("recipe"), values), lang, owner(request))

    start_button.click(start, [shell.origin, shell.lang, *form.components], [watch, status, progress, timer],
                       api_name="train_start", **light)

    def stop(path: str | None, lang: str, request: gr.Request):
        return stop_run(ctx, path, lang, owner(request))

    stop_button.click(stop, [watch, shell.lang], status, **light)
    # Polls go through without waiting in the queue: a chart must not stall behind a slow chat answer.
    timer.tick(follow, [watch, shell.lang, shown], followed, **quiet)
    for trigger in (shell.lang_applied.change, refresh.click):
        trigger(lambda path, lang: poll(path, lang, final=True), [watch, shell.lang], view, **quiet)
    runs.select(pick_run, [shell.lang], [watch, *view], **quiet)
    shell.loaders.append((lambda path, lang: reattach(ctx, path, lang), [watch, shell.lang], [watch, *view]))


# --- handlers ---------------------------------------------------------------------------------

def start_run(ctx, recipe_dict: dict, lang: str, visitor: str | None = None):
    """Validate and queue the recipe; the page then follows the new run.

    On a public studio the recipe first goes through studio.policy (paths, models, limits), and
    each visitor has one run in the shared queue at a time."""
    try:
        recipe = recipe_from_dict(recipe_dict)
        if ctx.demo:
            job = ctx.jobs.submit(demo_recipe(recipe), owner=visitor, one_per_owner=True)
        else:
            job = ctx.jobs.submit(recipe)
    except StudioError as exc:
        gr.Warning(error_text(exc, lang))
        return gr.skip(), f"⚠️ {error_text(exc, lang)}", gr.skip(), gr.skip()
    except Exception as exc:  # noqa: BLE001 - never a traceback on the page
        return gr.skip(), f"⚠️ {error_text(exc, lang)}", gr.skip(), gr.skip()
    return (str(job.run.path), t("ui.train.started", lang, run=job.run_id),
            runview.progress_html(job.run, [], lang), gr.Timer(active=True))


def stop_run(ctx, path: str | None, lang: str, visitor: str | None = None) -> str:
    if not path:
        return t("ui.train.nothing_to_stop", lang)
    run = RunFolder(path)
    if run.state() in FINAL_STATES:
        return runview.status_markdown(run, lang)
    if ctx.demo:  # a visitor stops their own runs only
        job = ctx.jobs.get(run.run_id) if ctx.has_jobs else None
        if job is None or job.owner != visitor:
            return t("ui.demo.not_yours", lang)
        ctx.jobs.stop(run.run_id)
        return t("ui.train.stopping", lang, run=run.run_id)
    # Through the job manager when this app started the run; the STOP file reaches any process.
    if not (ctx.has_jobs and ctx.jobs.stop(run.run_id)):
        run.request_stop()
    return t("ui.train.stopping", lang, run=run.run_id)


def running_run(ctx) -> str | None:
    """This app's unfinished job, else a run another process (the CLI) is training, else None."""
    job = ctx.active_job()
    if job is not None:
        return str(job.run.path)
    running = Registry().runs(state="running") + Registry().runs(state="queued")
    return running[0]["path"] if running else None


def reattach(ctx, path: str | None, lang: str):
    """On page load (a reload, a second browser): follow the run that is training."""
    path = running_run(ctx) or path
    return [path, *poll(path, lang, final=True)]


def pick_run(lang: str, evt: gr.SelectData):
    """Clicking a row of the runs table shows that run's state, curves and log (followed live if it
    is still training)."""
    run_id = evt.row_value[0] if evt.row_value else None
    path = runview.run_path(run_id) if run_id else None
    if not path:
        return [gr.skip()] * 10
    return [path, *poll(path, lang, final=True)]


def poll(path: str | None, lang: str, final: bool = False, drawn=None):
    """Everything the tab shows about the followed run, in the order of `view`; the timer stops once
    the run has ended.

    `drawn` is the (run folder, event count) the charts last showed: they are re-drawn only when new
    events have arrived, the run has ended, or `final` asks for it."""
    if not path:
        return ["", "", None, None, gr.update(visible=False), "", gr.Timer(active=False), runview.runs_table(lang),
                None]
    run = RunFolder(path)
    events = run.metrics()
    ended = run.state() in FINAL_STATES
    now = [path, len(events)]
    if final or ended or list(drawn or []) != now:
        loss, lr, rl = runview.curves(events, lang)
        # The whole run on the x axis: the plot would otherwise keep an axis from an earlier draw.
        steps = dict(x_lim=[0, max([e.get("total_steps") or 0 for e in events] + [1])])
        charts = [gr.update(value=loss, caption=runview.loss_caption(events, lang), **steps),
                  gr.update(value=lr, **steps), gr.update(value=rl, visible=rl is not None, **steps),
                  run.log_tail(40)]
    else:
        charts = [gr.skip()] * 4
    return [runview.status_markdown(run, lang), runview.progress_html(run, events, lang), *charts,
            gr.Timer(active=not ended), runview.runs_table(lang) if (ended or final) else gr.skip(), now]


def follow(path: str | None, lang: str, drawn) -> list:
    """The timer's tick: all of `poll` but the progress bar, which train_live.js keeps current."""
    out = poll(path, lang, drawn=drawn)
    del out[1]
    return out


def live_progress(query: dict) -> dict:
    """Server function of the progress bar (train_live.js): {"html", "state", "ended"} for the run
    whose id and language the bar carries; {} for an unknown run. Only runs of this workspace are found."""
    query = query if isinstance(query, dict) else {}
    lang = query.get("lang") if query.get("lang") in LANGUAGES else "en"
    path = runview.run_path(str(query.get("run") or "")) if query.get("run") else None
    if not path:
        return {}
    run = RunFolder(path)
    state = run.state()
    return {"html": runview.progress_html(run, run.metrics(), lang), "state": state, "ended": state in FINAL_STATES}
