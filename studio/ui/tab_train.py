"""Train tab: start and stop a run, watch it live (curves, progress, log), and browse past runs.

The page polls the run folder with a timer, so a reloaded page, or a run started from the CLI,
is followed the same way as one started here.
"""
from __future__ import annotations

import time

import gradio as gr

from ..errors import StudioError
from ..i18n import t
from ..policy import demo_recipe
from ..recipe import recipe_from_dict
from ..runs import FINAL_STATES, Registry, RunFolder
from . import runview
from .demo import limits_markdown, owner
from .shell import Shell, error_text
from .texts import Key

ID = "train"
TITLE = Key("ui.tab.train")
# Every two seconds: each update re-draws three charts in the browser, which on a small machine
# shares the cores with the training (benchmarks/ui_throughput.py measures the cost).
POLL_SECONDS = 2.0
CHART_SECONDS = 6.0  # the charts, the costliest part to draw, follow at most this often while a run trains


def build(shell: Shell, tab) -> None:
    make, ctx, form = shell.make, shell.ctx, shell.form
    make(gr.Markdown, value=Key("ui.train.intro"))
    if ctx.demo:
        shell.texts.bind(gr.Markdown(limits_markdown("en"), elem_id="train-limits"), value=limits_markdown)
    with gr.Row(equal_height=True):
        start_button = make(gr.Button, value=Key("ui.train.start"), variant="primary", elem_id="train-start", scale=1)
        stop_button = make(gr.Button, value=Key("ui.train.stop"), variant="stop", elem_id="train-stop", scale=1)
        status = gr.Markdown(elem_id="train-status")
    progress = gr.HTML(elem_id="train-progress")
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
    shown = gr.State(None)         # (run folder, events, time) the charts last drew
    timer = gr.Timer(POLL_SECONDS, active=False)
    view = [status, progress, loss_plot, lr_plot, rl_plot, log, timer, runs, shown]
    light = dict(concurrency_limit=None)
    quiet = dict(concurrency_limit=None, show_progress="hidden")  # polls must not flash a spinner

    # Gradio hands the request to a parameter annotated gr.Request, but not to one after *values.
    def start(request: gr.Request, origin: dict, lang: str, *values):
        return start_run(ctx, form.collect((origin or {}).get("recipe"), values), lang, owner(request))

    start_button.click(start, [shell.origin, shell.lang, *form.components], [watch, status, timer],
                       api_name="train_start", **light)

    def stop(path: str | None, lang: str, request: gr.Request):
        return stop_run(ctx, path, lang, owner(request))

    stop_button.click(stop, [watch, shell.lang], status, **light)
    # Polls go through without waiting in the queue: a chart must not stall behind a slow chat answer.
    timer.tick(lambda path, lang, drawn: poll(path, lang, drawn=drawn), [watch, shell.lang, shown], view, **quiet)
    for trigger in (shell.lang_applied.change, refresh.click):
        trigger(lambda path, lang: poll(path, lang, final=True), [watch, shell.lang], view, **quiet)
    runs.select(pick_run, [shell.lang], [watch, timer], **quiet)
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
        return gr.skip(), f"⚠️ {error_text(exc, lang)}", gr.skip()
    except Exception as exc:  # noqa: BLE001 - never a traceback on the page
        return gr.skip(), f"⚠️ {error_text(exc, lang)}", gr.skip()
    return str(job.run.path), t("ui.train.started", lang, run=job.run_id), gr.Timer(active=True)


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
    """Clicking a row of the runs table shows that run's curves and log."""
    run_id = evt.row_value[0] if evt.row_value else None
    path = runview.run_path(run_id) if run_id else None
    if not path:
        return gr.skip(), gr.skip()
    return path, gr.Timer(active=RunFolder(path).state() not in FINAL_STATES)


def poll(path: str | None, lang: str, final: bool = False, drawn=None):
    """Everything the tab shows about the followed run; the timer stops once the run has ended.

    `drawn` is what the charts last showed and when: they are re-drawn when new events have
    arrived and CHART_SECONDS have passed (or the run has ended), so polls cost the browser, which
    may share the cores with the training, little drawing; status and progress follow every poll."""
    if not path:
        return ["", "", None, None, gr.update(visible=False), "", gr.Timer(active=False), runview.runs_table(lang),
                None]
    run = RunFolder(path)
    events = run.metrics()
    state = run.state()
    ended = state in FINAL_STATES
    drawn = list(drawn or [None, None, 0.0])
    now = [path, len(events), time.time()]
    fresh = drawn[:2] != now[:2] and now[2] - drawn[2] >= CHART_SECONDS
    if final or ended or drawn[0] != path or fresh:
        loss, lr, rl = runview.curves(events, lang)
        # The whole run on the x axis: the plot would otherwise keep an axis from an earlier draw.
        steps = dict(x_lim=[0, max([e.get("total_steps") or 0 for e in events] + [1])])
        charts = [gr.update(value=loss, caption=runview.loss_caption(events, lang), **steps),
                  gr.update(value=lr, **steps), gr.update(value=rl, visible=rl is not None, **steps),
                  run.log_tail(40)]
    else:
        charts, now = [gr.skip()] * 4, drawn
    return [runview.status_markdown(run, lang), runview.progress_html(run, events, lang), *charts,
            gr.Timer(active=not ended),
            runview.runs_table(lang) if (ended or final) else gr.skip(), now]
