"""Train tab: start and stop a run, watch it live (curves, progress, log), and browse past runs.

The page polls the run folder (train_live.js), so a reloaded page, or a run started from the CLI,
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
# The run is followed by a light poller (train_live.js): every two seconds it asks the server
# function live_progress for the progress bar, the log tail and, when new events have come, the
# curves (SVG drawn by svgchart), and hands each to its component. No Gradio event is sent while
# a run trains: each one costs the browser work in proportion to the whole page (it refreshes the
# loading state of every component events have touched), and on a small machine the browser
# shares the cores with the training (benchmarks/ui_throughput.py measures it). A change of the
# run's state (queued, running, ended) presses Refresh, which redraws the whole tab through Gradio.
LIVE_JS = (Path(__file__).with_name("train_live.js")).read_text(encoding="utf-8")
PART_JS = (Path(__file__).with_name("train_part.js")).read_text(encoding="utf-8")
LIVE_PARTS = ("loss-plot", "lr-plot", "rl-plot", "train-log")  # the components the poller feeds


def live_part(make, elem_id: str):
    """An HTML component that takes its content from the progress poller's reports."""
    return make(gr.HTML, elem_id=elem_id, js_on_load=f"const part = {elem_id!r};\n{PART_JS}")


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
        loss_plot = live_part(make, "loss-plot")
        lr_plot = live_part(make, "lr-plot")
    rl_plot = live_part(make, "rl-plot")
    with make(gr.Accordion, label=Key("ui.train.log"), open=False):
        log = live_part(make, "train-log")
    with gr.Row(equal_height=True):
        make(gr.Markdown, value=Key("ui.train.runs"))
        refresh = make(gr.Button, value=Key("ui.common.refresh"), elem_id="train-runs-refresh", size="sm", scale=0)
    runs = gr.Dataframe(interactive=False, wrap=True, elem_id="train-runs", max_height=320)

    watch = gr.State(None)         # the run folder the page follows
    view = [status, progress, loss_plot, lr_plot, rl_plot, log, runs]
    light = dict(concurrency_limit=None)
    quiet = dict(concurrency_limit=None, show_progress="hidden")  # refreshes must not flash a spinner

    # Gradio hands the request to a parameter annotated gr.Request, but not to one after *values.
    def start(request: gr.Request, origin: dict, lang: str, *values):
        return start_run(ctx, form.collect((origin or {}).get("recipe"), values), lang, owner(request))

    start_button.click(start, [shell.origin, shell.lang, *form.components], [watch, *view],
                       api_name="train_start", **light)

    def stop(path: str | None, lang: str, request: gr.Request):
        return stop_run(ctx, path, lang, owner(request))

    stop_button.click(stop, [watch, shell.lang], status, **light)
    for trigger in (shell.lang_applied.change, refresh.click):
        trigger(poll, [watch, shell.lang], view, **quiet)
    runs.select(pick_run, [shell.lang], [watch, *view], **quiet)
    shell.loaders.append((lambda path, lang: reattach(ctx, path, lang), [watch, shell.lang], [watch, *view]))


# --- handlers ---------------------------------------------------------------------------------

def start_run(ctx, recipe_dict: dict, lang: str, visitor: str | None = None) -> list:
    """Validate and queue the recipe: [run folder, *view], the view of the new run led by the
    start message; the page then follows the run.

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
        return [gr.skip(), f"⚠️ {error_text(exc, lang)}", *[gr.skip()] * (VIEW_SIZE - 1)]
    except Exception as exc:  # noqa: BLE001 - never a traceback on the page
        return [gr.skip(), f"⚠️ {error_text(exc, lang)}", *[gr.skip()] * (VIEW_SIZE - 1)]
    path = str(job.run.path)
    return [path, t("ui.train.started", lang, run=job.run_id), *poll(path, lang)[1:]]


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
    return [path, *poll(path, lang)]


def pick_run(lang: str, evt: gr.SelectData):
    """Clicking a row of the runs table shows that run's state, curves and log (followed live if it
    is still training)."""
    run_id = evt.row_value[0] if evt.row_value else None
    path = runview.run_path(run_id) if run_id else None
    if not path:
        return [gr.skip()] * (1 + VIEW_SIZE)
    return [path, *poll(path, lang)]


VIEW_SIZE = 7  # status, progress, loss, learning rate, reward, log, runs table


def poll(path: str | None, lang: str) -> list:
    """Everything the tab shows about the run at `path`, in the order of `view`."""
    if not path:
        return ["", "", "", "", "", "", runview.runs_table(lang)]
    run = RunFolder(path)
    events = run.metrics()
    parts = live_parts(run, events, lang)
    return [runview.status_markdown(run, lang), runview.progress_html(run, events, lang),
            *(parts[part] for part in LIVE_PARTS), runview.runs_table(lang)]


def live_parts(run: RunFolder, events: list[dict], lang: str, charts: bool = True) -> dict[str, str]:
    """The HTML of each component in LIVE_PARTS, by element id; the log alone without `charts`."""
    return {"train-log": runview.log_html(run), **(runview.charts(events, lang) if charts else {})}


def live_progress(query: dict) -> dict:
    """Server function of the train_live.js poller. For the run whose id and language the progress
    bar carries: {"html" (the bar), "state", "ended", "events" (how many metric events), "parts"
    (element id -> HTML for the log and, when `query["events"]` differs from "events", the charts)}.
    {} for an unknown run; only runs of this workspace are found."""
    query = query if isinstance(query, dict) else {}
    lang = query.get("lang") if query.get("lang") in LANGUAGES else "en"
    path = runview.run_path(str(query.get("run") or "")) if query.get("run") else None
    if not path:
        return {}
    run = RunFolder(path)
    state, events = run.state(), run.metrics()
    parts = live_parts(run, events, lang, charts=query.get("events") != len(events))
    return {"html": runview.progress_html(run, events, lang), "state": state, "ended": state in FINAL_STATES,
            "events": len(events), "parts": parts}
