"""Ranking tab, first half: prompts in, answers generated, people's judgements saved.

Handlers read the store on every call and keep nothing but the shown prompt in the page (a
gr.State per browser tab): two tabs, or two annotators, only ever add judgements.
"""
from __future__ import annotations

import html
import random
import re

import gradio as gr

from ..feedback import MAX_K, FeedbackStore
from ..feedback.loop import add_new_prompts, pending_prompt_ids
from ..i18n import t
from ..paths import ROOT
from .tab_chat import check_target, note_text
from .tab_data import TASK_SET, sample_choices

SLOTS = MAX_K                     # answer rows on the page; a prompt with more shows its first six
VIEW_SIZE = 4 + 4 * SLOTS         # outputs of a view: queue, prompt, better, current, four per slot
PROMPT_FILE_STEMS = ("alpaca", "prompt_completion", "preference", "kto")  # samples that hold prompts
UNRANKED = 0                      # the "–" choice of a rank radio: leave this answer out
THUMBS = [("👍", "up"), ("👎", "down")]


def store() -> FeedbackStore:
    # Opened per call: the workspace (STUDIO_HOME) is read when asked, and nothing is cached.
    return FeedbackStore()


def said(lang: str, key: str, **params) -> tuple[str, dict]:
    """(a status line in `lang`, the note that re-renders it when the language changes)."""
    note = {"key": key, "params": params}
    return note_text(note, lang), note


def failed(lang: str, exc: BaseException) -> tuple[str, dict]:
    """The same for an error: a StudioError says what to do, in `lang`."""
    note = {"error": exc}
    return note_text(note, lang), note


def prompt_sources() -> list:
    """Shipped files that hold prompts: the task set, then each language's prompt-bearing samples."""
    return [(label, path) for label, path in sample_choices()
            if path == TASK_SET or path.rsplit("/", 1)[-1].split(".")[0] in PROMPT_FILE_STEMS]


# --- progress, queue and guidelines ---------------------------------------------------------------

def progress_html(annotator: str | None, lang: str) -> str:
    name = (annotator or "").strip()
    found = store().progress(name or None)
    if not name:
        return f'<div class="studio-progress-text">{t("ui.ranking.progress_no_name", lang, rankable=found["rankable"])}</div>'
    ranked, rankable = found["ranked"], found["rankable"]
    width = 100 * min(ranked, rankable) / rankable if rankable else 0
    text = t("ui.ranking.progress", lang, ranked=ranked, rankable=rankable, skipped=found["skipped"],
             annotators=len(found["annotators"]))
    # The locale texts mark numbers **bold** (Markdown); this line is HTML, under the progress bar.
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(text))
    return (f'<div class="studio-progress"><div class="studio-progress-bar" style="width:{width:.1f}%"></div></div>'
            f'<div class="studio-progress-text">{text}</div>')


def queue_text(current: dict | None, lang: str) -> str:
    """What the rank area shows above the answers: which prompt, or why there is none."""
    if current:
        return t("ui.ranking.prompt_head", lang, id=current["prompt_id"], n=len(current["ids"]))
    found = store().progress()
    if not found["prompts"]:
        return t("ui.ranking.queue_empty", lang)
    if not found["rankable"] or pending_prompt_ids(store()):
        return t("ui.ranking.queue_generate", lang, pending=len(pending_prompt_ids(store())))
    return t("ui.ranking.queue_done", lang)


def guidelines_view(lang: str):
    """(the guidelines as shown, the text in the edit box): the owner's text, else the default."""
    text = store().guidelines()
    return text or t("ui.ranking.guidelines_default", lang), text


def save_guidelines(text: str, lang: str):
    try:
        store().set_guidelines((text or "").strip())
    except Exception as exc:  # noqa: BLE001 - a readable message, never a traceback
        return gr.skip(), *failed(lang, exc)
    return guidelines_view(lang)[0], *said(lang, "ui.ranking.guidelines_saved")


# --- prompts and answers ----------------------------------------------------------------------

def add_prompts(typed: str, upload: str | None, sample: str | None, limit, lang: str):
    """Typed lines (all of them) plus up to `limit` new prompts from the uploaded or picked file.

    Returns (prompt box, upload, status, note)."""
    from ..feedback.cli import prompt_texts

    try:
        lines = [line.strip() for line in (typed or "").splitlines() if line.strip()]
        found = add_new_prompts(store(), lines, source="typed")
        added, known, left = len(found["added"]), found["known"], 0
        path = upload or (str(ROOT / sample) if sample else None)
        if path:
            texts, references = prompt_texts(path)
            name = path.replace("\\", "/").rsplit("/", 1)[-1]
            found = add_new_prompts(store(), texts, references, source=name,
                                    limit=max(1, int(limit)) if limit else None)
            added, known, left = added + len(found["added"]), known + found["known"], found["left"]
        if not lines and not path:
            return gr.skip(), gr.skip(), *said(lang, "ui.ranking.no_prompts_given")
    except Exception as exc:  # noqa: BLE001 - a bad file is explained, never a traceback
        return gr.skip(), gr.skip(), *failed(lang, exc)
    return "", None, *said(lang, "ui.ranking.prompts_added", added=added, known=known, left=left)


def generate(ctx, target: str | None, k, temperature, top_p, max_new, seed, lang: str,
             progress=gr.Progress()):
    """K answers for every prompt that has fewer than two; returns (status, note)."""
    from ..feedback import generate_candidates
    from ..inference import Sampling

    if not target:
        return said(lang, "ui.ranking.pick_model")
    pending = pending_prompt_ids(store())
    if not pending:
        return said(lang, "ui.ranking.nothing_pending")
    try:
        progress(0, desc=t("ui.ranking.loading_model", lang))
        check_target(ctx, target)  # a public studio loads only its own runs and allowed models
        loaded = ctx.chat_model(target)
        sampling = Sampling(temperature=float(temperature), top_p=float(top_p), max_new_tokens=int(max_new),
                            seed=int(seed) if seed is not None else None)
        desc = t("ui.ranking.generating", lang)
        added = generate_candidates(store(), loaded, pending, int(k), sampling, origin=target,
                                    on_batch=lambda done, total: progress((done, total), desc=desc))
    except Exception as exc:  # noqa: BLE001 - a readable message, never a traceback
        return failed(lang, exc)
    return said(lang, "ui.ranking.generated", prompts=len(pending), answers=added)


# --- the prompt being ranked ------------------------------------------------------------------

def next_view(annotator: str | None, mode: str, lang: str) -> list:
    """Outputs for [queue, prompt, *rows, *answers, *ranks, *thumbs, better, current]: the next
    prompt this annotator has not judged, answers in an order shuffled per annotator (the position
    of an answer should not hint at its rank, nor at the model that wrote it)."""
    name = (annotator or "").strip()
    db = store()
    prompt_id = db.next_prompt(name)
    if prompt_id is None:
        return _view(None, [], mode, lang)
    candidates = db.candidates(prompt_id)[:SLOTS]
    random.Random(f"{prompt_id}:{name}").shuffle(candidates)
    current = {"prompt_id": prompt_id, "ids": [c.id for c in candidates]}
    return _view(current, candidates, mode, lang, db.prompt(prompt_id)["text"])


def _view(current: dict | None, candidates: list, mode: str, lang: str, prompt: str = "") -> list:
    shown = len(candidates)
    thumbs = mode == "thumbs"
    rows = [gr.update(visible=i < shown) for i in range(SLOTS)]
    answers = [gr.update(value=candidates[i].text if i < shown else "") for i in range(SLOTS)]
    ranks = [gr.update(choices=rank_choices(shown), value=None, visible=not thumbs) for _ in range(SLOTS)]
    marks = [gr.update(value=None, visible=thumbs) for _ in range(SLOTS)]
    return [queue_text(current, lang), gr.update(value=prompt, visible=current is not None), *rows, *answers,
            *ranks, *marks, gr.update(value="", visible=current is not None and not thumbs), current]


def rank_choices(shown: int) -> list:
    # Numbers and a dash read the same in every language: the choices need no translation.
    return [("–", UNRANKED)] + [(str(r), r) for r in range(1, max(shown, 2) + 1)]


def mode_view(mode: str, current: dict | None) -> list:
    """Rank radios or thumbs per answer (and the better-answer box, which ranks first)."""
    thumbs = mode == "thumbs"
    return ([gr.update(visible=not thumbs) for _ in range(SLOTS)] + [gr.update(visible=thumbs) for _ in range(SLOTS)]
            + [gr.update(visible=current is not None and not thumbs)])


def view_if_idle(annotator: str | None, mode: str, current: dict | None, lang: str) -> list:
    """The next prompt, unless one is on the page and still waiting (its marks are kept)."""
    if current and current["prompt_id"] == store().next_prompt((annotator or "").strip()):
        return [gr.skip()] * VIEW_SIZE
    return next_view(annotator, mode, lang)


def submit(annotator: str, mode: str, current: dict | None, better: str, lang: str, *marks) -> list:
    """Save the shown prompt's ranking (or thumbs) as a new judgement, then show the next prompt.

    Returns the view outputs, then (status, note)."""
    keep = [gr.skip()] * VIEW_SIZE
    if not current:
        return keep + list(said(lang, "ui.ranking.nothing_to_submit"))
    ranks, thumbs = marks[:SLOTS], marks[SLOTS:]
    ids = current["ids"]
    try:
        if mode == "thumbs":
            judged = {cid: mark == "up" for cid, mark in zip(ids, thumbs) if mark}
            store().save_thumbs(current["prompt_id"], annotator, judged)
        else:
            judged = {cid: int(rank) for cid, rank in zip(ids, ranks) if rank}
            store().save_ranking(current["prompt_id"], annotator, judged, better_answer=better)
    except Exception as exc:  # noqa: BLE001 - the page says what to fix; the marks stay
        return keep + list(failed(lang, exc))
    key = "ui.ranking.saved_thumbs" if mode == "thumbs" else "ui.ranking.saved"
    return next_view(annotator, mode, lang) + list(said(lang, key, id=current["prompt_id"]))


def skip(annotator: str, mode: str, current: dict | None, lang: str) -> list:
    keep = [gr.skip()] * VIEW_SIZE
    if not current:
        return keep + list(said(lang, "ui.ranking.nothing_to_submit"))
    try:
        store().skip(current["prompt_id"], annotator)
    except Exception as exc:  # noqa: BLE001
        return keep + list(failed(lang, exc))
    return next_view(annotator, mode, lang) + list(said(lang, "ui.ranking.skipped", id=current["prompt_id"]))
