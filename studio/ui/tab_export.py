"""Export tab: a finished run as an adapter, a merged model or a standalone chat demo (each with an
optional model.gguf for llama.cpp / Ollama), written to workspace/exports/<name>, shown as its model
card, offered as a .zip, and pushed to the Hub.

The Hub token is typed into a password box, handed to the Hub client for one push and cleared
from the page at once: it never enters a state, a file or a message.
"""
from __future__ import annotations

import re
from pathlib import Path

import gradio as gr

from ..errors import StudioError
from ..gguf_export import GGUF_TYPES
from ..i18n import t
from ..merge import MERGEABLE
from ..policy import chosen_run, export_folder, safe_name
from .background import in_background
from .runview import finished_run_choices
from .shell import Shell, error_text
from .tab_chat import note_text
from .texts import Key

ID = "export"
TITLE = Key("ui.tab.export")
KINDS = ("adapter", "merged", "demo")
GGUF = ("none", *GGUF_TYPES)
REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}/[A-Za-z0-9][\w.-]{0,95}$")


def build(shell: Shell, tab) -> None:
    make, ctx = shell.make, shell.ctx
    make(gr.Markdown, value=Key("ui.export.intro"))
    run, refresh = shell.run_picker("export", "ui.export")
    with gr.Row():
        kind = make(gr.Radio, label=Key("ui.export.kind"), choices=[(Key(f"ui.export.kind_{k}"), k) for k in KINDS],
                    value="adapter", elem_id="export-kind", scale=3)
        gguf = make(gr.Dropdown, label=Key("ui.export.gguf"), info=Key("ui.export.gguf_info"),
                    choices=[(Key(f"ui.export.gguf_{g}"), g) for g in GGUF], value="none", elem_id="export-gguf",
                    scale=2)
        name = make(gr.Textbox, label=Key("ui.export.name"), info=Key("ui.export.name_info"), elem_id="export-name",
                    scale=2)
    kind_note = gr.Markdown(elem_id="export-kind-note")
    start = make(gr.Button, value=Key("ui.export.start"), variant="primary", elem_id="export-start")
    status = gr.Markdown(elem_id="export-status")
    with gr.Row():
        with gr.Column(scale=3):
            make(gr.Markdown, value=Key("ui.export.card_title"))
            card = gr.Markdown(elem_id="export-card", container=True, max_height=520)
        with gr.Column(scale=1):
            download = make(gr.File, label=Key("ui.export.download"), interactive=False, elem_id="export-download")
    with make(gr.Accordion, label=Key("ui.export.push_title"), open=False, elem_id="export-push-section"):
        make(gr.Markdown, value=Key("ui.export.push_intro"))
        with gr.Row():
            repo = make(gr.Textbox, label=Key("ui.export.push_repo"), placeholder="your-name/my-model",
                        elem_id="export-push-repo", scale=2)
            # Never prefilled and never given back: the handler clears it as soon as it starts.
            token = make(gr.Textbox, label=Key("ui.export.push_token"), info=Key("ui.export.push_token_info"),
                         type="password", elem_id="export-push-token", scale=2)
            private = make(gr.Checkbox, label=Key("ui.export.push_private"), value=True,
                           elem_id="export-push-private", scale=1)
        push = make(gr.Button, value=Key("ui.export.push"), elem_id="export-push")
        push_status = gr.Markdown(elem_id="export-push-status")

    exported = gr.State(None)   # {"folder": str, "kind": str} of this page's last export
    # What the status lines say, kept as locale keys so that a language switch re-renders them.
    export_note, push_note = gr.State(None), gr.State(None)
    light = dict(concurrency_limit=None, show_progress="hidden")
    for trigger, api_name in ((refresh.click, "export_runs"), (tab.select, None)):
        trigger(refresh_choices, [run, shell.lang], run, trigger_mode="always_last", api_name=api_name, **light)
    for trigger in (run.change, kind.change, gguf.change):
        trigger(lambda value, chosen, lang, as_gguf: describe(ctx, value, chosen, lang, as_gguf),
                [run, kind, shell.lang, gguf], [kind_note, name], **light)
    start.click(lambda *args: (yield from run_export(ctx, *args)), [run, kind, name, shell.lang, gguf],
                [status, card, download, exported, export_note], concurrency_id="export", concurrency_limit=1,
                api_name="export")
    push.click(lambda *args: (yield from run_push(ctx, *args)), [exported, repo, token, private, shell.lang],
               [push_status, token, push_note], concurrency_id="push", concurrency_limit=2, api_name="export_push")

    def relabel(value: str | None, chosen: str, notes: dict | None, pushed: dict | None, lang: str, as_gguf: str):
        # One handler for the whole tab: every event a language switch sets off delays the page's switch.
        note, _ = describe(ctx, value, chosen, lang, as_gguf)
        return refresh_choices(value, lang), note, note_text(notes, lang), note_text(pushed, lang)

    shell.lang_applied.change(relabel, [run, kind, export_note, push_note, shell.lang, gguf],
                              [run, kind_note, status, push_status], **light)


# --- handlers ---------------------------------------------------------------------------------

def refresh_choices(current: str | None, lang: str):
    choices = finished_run_choices(lang)
    values = [v for _, v in choices]
    return gr.update(choices=choices, value=current if current in values else (values[0] if values else None))


def describe(ctx, run_value: str | None, kind: str, lang: str, gguf: str = "none"):
    """What the chosen export will hold, whether this run can give it, and a folder name for it."""
    if not run_value:
        return t("ui.export.no_runs", lang), gr.skip()
    try:
        from ..loading import read_run_recipe

        run_dir = chosen_run(run_value, ctx.demo)
        method = read_run_recipe(run_dir).method.kind
    except StudioError as exc:
        return f"⚠️ {error_text(exc, lang)}", gr.skip()
    method_label = t(f"ui.choice.method.kind.{method}", lang)
    as_gguf = gguf in GGUF_TYPES
    if (kind != "adapter" or as_gguf) and method not in MERGEABLE:
        note = "⚠️ " + t("ui.export.cannot_merge", lang, method=method_label)
    elif as_gguf and kind == "adapter" and method != "full":  # a GGUF is written from the merged model
        note = t("ui.export.about_gguf_adapter", lang, type=gguf)
    else:
        note = t(f"ui.export.about_{'full' if kind == 'adapter' and method == 'full' else kind}", lang)
        if as_gguf:
            note += " " + t("ui.export.about_gguf", lang, type=gguf)
    return note, f"{run_dir.name}-{kind}"


def _export(run_dir: Path, out: Path, kind: str, gguf: str | None) -> tuple[dict, Path]:
    from ..export import archive, export_run

    result = export_run(run_dir, out, merge=kind == "merged", demo=kind == "demo", gguf=gguf)
    return result, archive(out)


def run_export(ctx, run_value: str | None, kind: str, name: str | None, lang: str, gguf: str | None = "none"):
    """Yields [status, card, download, exported, note] as the export is written."""
    from ..export import card_text

    def said(key: str | None = None, error: StudioError | None = None, **params) -> list:
        note = {"error": error} if error is not None else {"key": key, "params": params}
        return [note_text(note, lang), note]

    skip = gr.skip()
    if not run_value:
        text, note = said("ui.export.pick_run")
        yield [text, skip, skip, skip, note]
        return
    try:
        run_dir = chosen_run(run_value, ctx.demo)
        if kind not in KINDS:
            raise StudioError("ui.export.bad_kind", kind=str(kind)[:40], kinds=", ".join(KINDS))
        if (gguf or "none") not in GGUF:
            raise StudioError("gguf.err.type", value=str(gguf)[:40], choices=", ".join(GGUF_TYPES))
    except StudioError as exc:
        text, note = said(error=exc)
        yield [text, skip, skip, skip, note]
        return
    # Always a plain name inside the studio's exports folder, whatever was typed.
    out = export_folder(name or f"{run_dir.name}-{kind}")
    yield [t("ui.export.working", lang, folder=out.name), "", None, skip, None]
    as_gguf = gguf if gguf in GGUF_TYPES else None
    for event, value in in_background(lambda report: _export(run_dir, out, kind, as_gguf)):
        if event == "tick":
            yield [t("ui.export.working_for", lang, folder=out.name, elapsed=f"{value:.0f}"), skip, skip, skip, skip]
        elif event == "error":
            text, note = said(error=value if isinstance(value, StudioError) else
                              StudioError("error.unexpected", kind=type(value).__name__, detail=str(value)[:300]))
            yield [text, skip, skip, skip, note]
        elif event == "done":
            result, zipped = value
            text, note = said("ui.export.done", folder=result["out"], files=", ".join(result["files"]))
            yield [text, card_text(out), str(zipped), {"folder": result["out"], "kind": kind}, note]


def run_push(ctx, exported: dict | None, repo: str | None, token: str | None, private: bool, lang: str):
    """Yields [status, token box, note]: the box is emptied first, whatever happens next."""
    from ..export import push_to_hub

    def said(key: str | None = None, error: StudioError | None = None, **params) -> list:
        note = {"error": error} if error is not None else {"key": key, "params": params}
        return [note_text(note, lang), "", note]

    repo = (repo or "").strip()
    token = (token or "").strip()
    if not exported:
        problem = StudioError("ui.export.push_nothing")
    elif not REPO_ID.match(repo):
        problem = StudioError("ui.export.push_bad_repo", repo=safe_name(repo, "?")[:100])
    elif not token and ctx.demo:
        # A public studio never falls back to its own HF_TOKEN: visitors push with their own.
        problem = StudioError("ui.export.push_need_token")
    else:
        problem = None
    if problem:
        yield said(error=problem)
        return
    yield [t("ui.export.pushing", lang, repo=repo), "", None]
    try:
        url = push_to_hub(exported["folder"], repo, token or None, private=bool(private),
                          repo_type="space" if exported.get("kind") == "demo" else "model")
    except StudioError as exc:  # the core keeps the token out of its message
        yield said(error=exc)
        return
    except Exception as exc:  # noqa: BLE001 - the message may quote the request: keep the token out
        detail = str(exc).replace(token, "***") if token else str(exc)
        yield said(error=StudioError("error.unexpected", kind=type(exc).__name__, detail=detail[:300]))
        return
    yield said("ui.export.pushed_private" if private else "ui.export.pushed_public", repo=repo, url=url)
