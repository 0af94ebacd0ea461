"""Chat tab: the same prompt and seed to the model before and after tuning, side by side, streamed.

A finished run answers twice from one loaded model (its tuning switched off for "before"), so the
two columns differ only by what training changed. A base model can also be chatted with alone.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from ..i18n import t
from ..policy import check_model, run_folder_in_workspace
from ..runs import Registry
from .shell import Shell, error_text
from .texts import Key

ID = "chat"
TITLE = Key("ui.tab.chat")
BASE_PREFIX = "base:"


def chat_choices(recipe: dict | None, lang: str, demo: bool = False) -> list[tuple[str, str]]:
    """Runs that trained a generating model and saved it (newest first), then base models alone
    (on a public studio only those it allows)."""
    choices = []
    for run in Registry().runs():
        if run["state"] in ("completed", "stopped") and run.get("objective") != "reward" \
                and (Path(run["path"]) / "model").is_dir():
            choices.append((t("ui.chat.run_choice", lang, name=run.get("name", ""), run=run["run_id"],
                              method=run.get("method", ""), objective=run.get("objective", "")), run["path"]))
    models = dict.fromkeys(["builtin", ((recipe or {}).get("model") or {}).get("name") or "builtin"])
    choices += [(t("ui.chat.base_choice", lang, model=m), BASE_PREFIX + m) for m in models
                if not demo or check_model(m) is None]
    return choices


def check_target(ctx, target: str) -> None:
    """On a public studio, a chat target (typed or sent through the API) must be one of this
    studio's runs or an allowed base model: nothing else is ever loaded."""
    if not ctx.demo:
        return
    if target.startswith(BASE_PREFIX):
        problem = check_model(target.removeprefix(BASE_PREFIX))
        if problem:
            raise problem
    else:
        run_folder_in_workspace(target)


def build(shell: Shell, tab) -> None:
    make, ctx = shell.make, shell.ctx
    make(gr.Markdown, value=Key("ui.chat.intro"))
    with gr.Row():
        target = make(gr.Dropdown, label=Key("ui.chat.model"), info=Key("ui.chat.model_info"), choices=[],
                      elem_id="chat-model", scale=4)
        refresh = make(gr.Button, value=Key("ui.common.refresh"), elem_id="chat-refresh", scale=0, size="sm")
    with make(gr.Accordion, label=Key("ui.chat.settings"), open=False, elem_id="chat-settings"):
        with gr.Row():
            temperature = make(gr.Slider, label=Key("ui.chat.temperature"), info=Key("ui.chat.temperature_info"),
                               minimum=0.0, maximum=2.0, step=0.05, value=0.7, elem_id="chat-temperature")
            top_p = make(gr.Slider, label=Key("ui.chat.top_p"), info=Key("ui.chat.top_p_info"), minimum=0.05,
                         maximum=1.0, step=0.05, value=0.95, elem_id="chat-top-p")
            max_new = make(gr.Slider, label=Key("ui.chat.max_new_tokens"), minimum=1, maximum=1024, step=1,
                           value=96, elem_id="chat-max-new-tokens")
            seed = make(gr.Number, label=Key("ui.chat.seed"), info=Key("ui.chat.seed_info"), value=0, precision=0,
                        elem_id="chat-seed")
    with gr.Row():
        before = make(gr.Chatbot, label=Key("ui.chat.before"), elem_id="chat-before", height=380,
                      buttons=["copy", "copy_all"])
        after = make(gr.Chatbot, label=Key("ui.chat.after"), elem_id="chat-after", height=380,
                     buttons=["copy", "copy_all"])
    with gr.Row():
        message = make(gr.Textbox, label=Key("ui.chat.input"), placeholder=Key("ui.chat.placeholder"),
                       elem_id="chat-input", scale=5, lines=1)
        send = make(gr.Button, value=Key("ui.chat.send"), variant="primary", elem_id="chat-send", scale=1)
        clear = make(gr.Button, value=Key("ui.chat.clear"), elem_id="chat-clear", scale=0)
    status = gr.Markdown(elem_id="chat-status")
    note = gr.State(None)  # what the status line says, kept as a key so a language switch re-renders it

    light = dict(concurrency_limit=None, trigger_mode="always_last")
    for trigger in (tab.select, refresh.click, shell.lang_applied.change):
        trigger(lambda current, recipe, lang: refresh_choices(current, recipe, lang, ctx.demo),
                [target, shell.recipe, shell.lang], target, **light)
    inputs = [target, message, before, after, temperature, top_p, max_new, seed, shell.lang]
    for trigger, api_name in ((send.click, "chat_answer"), (message.submit, "chat_answer_submit")):
        # One generation at a time: the model is shared and CPU cores are few.
        trigger(lambda *args: (yield from answer(ctx, *args)), inputs, [before, after, message, status, note],
                concurrency_id="chat", concurrency_limit=1, api_name=api_name)
    clear.click(lambda: ([], [], "", None), None, [before, after, status, note], **light)
    shell.lang_applied.change(note_text, [note, shell.lang], status, **light)


# --- handlers ---------------------------------------------------------------------------------

def refresh_choices(current: str | None, recipe: dict, lang: str, demo: bool = False):
    choices = chat_choices(recipe, lang, demo)
    values = [v for _, v in choices]
    return gr.update(choices=choices, value=current if current in values else values[0])


def _text(content) -> str:
    """Gradio 6 hands message content over as a list of parts: keep the text."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    if isinstance(content, dict):
        return content.get("text", "")
    return str(content or "")


EMPTY_MARK = "∅ "  # starts the note shown for an empty answer; the model is given "" instead


def _history(messages) -> list[dict]:
    return [{"role": m["role"], "content": "" if _text(m["content"]).startswith(EMPTY_MARK) else _text(m["content"])}
            for m in messages or []]


def _prompt(loaded, history: list[dict]):
    # A pre-trained model continues text; every other model answers the conversation.
    return history[-1]["content"] if loaded.recipe.objective.kind == "pretrain" else history


def note_text(note: dict | None, lang: str) -> str:
    """The status line for `note`: a locale key and its parameters, or an error to explain."""
    if not note:
        return ""
    if "error" in note:
        return f"⚠️ {error_text(note['error'], lang)}"
    return t(note["key"], lang, **note.get("params", {}))


def answer(ctx, target, message, before, after, temperature, top_p, max_new, seed, lang):
    """Streams the base answer into `before`, then the tuned answer into `after`.

    Yields (before, after, input box, status line, status note)."""
    from ..inference import Sampling, stream  # torch: loaded when the first prompt is sent

    def said(key, **params):
        note = {"key": key, "params": params}
        return note_text(note, lang), note

    message = (message or "").strip()
    if not message or not target:
        yield gr.skip(), gr.skip(), gr.skip(), *said("ui.chat.empty" if not message else "ui.chat.pick_model")
        return
    base_only = target.startswith(BASE_PREFIX)
    before = _history(before) + [{"role": "user", "content": message}]
    after = [] if base_only else _history(after) + [{"role": "user", "content": message}]
    yield before, after, "", *said("ui.chat.loading")
    try:
        check_target(ctx, target)
        loaded = ctx.chat_model(target)
        sampling = Sampling(temperature=float(temperature), top_p=float(top_p), max_new_tokens=int(max_new),
                            seed=int(seed) if seed is not None else None)
        sides = [(before, True)] if base_only else [(before, True), (after, False)]
        writing = said("ui.chat.writing")
        for history, base in sides:
            # A copy: stream() reads its prompt lazily, after the empty answer below is appended.
            prompt = _prompt(loaded, list(history))
            history.append({"role": "assistant", "content": ""})
            for text in stream(loaded, prompt, sampling, base=base):
                history[-1]["content"] = text
                yield before, after, gr.skip(), *writing
            if not history[-1]["content"]:
                history[-1]["content"] = EMPTY_MARK + t("ui.chat.no_answer", lang)
        yield before, after, gr.skip(), *said("ui.chat.done_base" if base_only else "ui.chat.done", seed=sampling.seed)
    except Exception as exc:  # noqa: BLE001 - a readable message, never a traceback
        note = {"error": exc}
        yield before, after, gr.skip(), note_text(note, lang), note
