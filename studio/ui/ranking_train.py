"""Ranking tab, second half: judgements as preference data (counts, export, import) and the
buttons that turn them into a run (reward model, DPO, KTO, RL against a reward model).

A train button writes the data into the workspace and loads a ready recipe into the shared
recipe state, the same outputs as loading a preset: the Method and Train tabs show it, and Start
(here or in the Train tab) trains it through the app's job manager.
"""
from __future__ import annotations

import gradio as gr

from ..feedback import export, import_file, ranking_pairs, thumbs_rows
from ..feedback.loop import export_path, reward_accuracy, training_data, training_recipe
from ..i18n import t
from ..runs import FINAL_STATES, RunFolder
from . import runview
from .ranking_annotate import failed, said, store
from .tab_chat import BASE_PREFIX, chat_choices
from .tab_method import reward_run_choices
from .tab_train import start_run

EXPORT_SHAPES = ("pairs", "ranked", "kto")
EXPORT_SUFFIXES = (".jsonl", ".csv", ".parquet")


def counts_view(mode: str, lang: str):
    """(the counts line, the KTO button): pairs as they would be built now, and thumbs rows."""
    db = store()
    pairs = ranking_pairs(db, mode or "all").summary()
    thumbs = len(thumbs_rows(db))
    text = t("ui.ranking.pairs_count", lang, **pairs) + "  \n" + t("ui.ranking.thumbs_count", lang, rows=thumbs)
    return text, gr.update(interactive=thumbs > 0)


def export_file(shape: str, suffix: str, mode: str, lang: str):
    """Write the judgements as `shape` into workspace/feedback/ and offer the file; (file, status, note)."""
    try:
        found = export(store(), export_path(shape, suffix), shape, mode or "all")
    except Exception as exc:  # noqa: BLE001 - a readable message, never a traceback
        return gr.update(visible=False), *failed(lang, exc)
    # Each shape counts its own things (pairs and ties dropped, rankings, KTO rows): its own message.
    return gr.update(value=found["file"], visible=True), *said(lang, f"ui.ranking.exported_{shape}", **found)


def import_upload(path: str | None, lang: str):
    """Rankings from an uploaded pairs or ranked-list file; (upload box, status, note)."""
    if not path:
        return gr.skip(), gr.skip(), gr.skip()
    try:
        found = import_file(store(), path)
    except Exception as exc:  # noqa: BLE001
        return None, *failed(lang, exc)
    return None, *said(lang, "ui.ranking.imported", rankings=found["rankings"], thumbs=found["thumbs"])


def model_name(choice: str | None) -> str:
    """A dropdown value (a run folder, or `base:<name>`) as recipe.model.name: a finished run is
    the base of the next one."""
    return (choice or "builtin").removeprefix(BASE_PREFIX)


def train_outputs(form, objective: str, mode: str, target: str | None, reward_run: str | None,
                  algorithm: str, beta, lang: str) -> list:
    """Outputs for [origin, recipe, *form widgets, status, note]: the data exported, the recipe loaded."""
    keep = [gr.skip()] * (2 + len(form.components))
    if objective == "rl" and not reward_run:
        return keep + list(said(lang, "ui.ranking.pick_reward_run"))
    try:
        data = training_data(store(), objective, mode or "all")
        preset, recipe = training_recipe(objective, data["file"], model_name(target), reward_model=reward_run,
                                         algorithm=algorithm, beta=beta)
    except Exception as exc:  # noqa: BLE001
        return keep + list(failed(lang, exc))
    recipe_dict = recipe.to_dict()
    origin = {"preset": preset, "recipe": recipe_dict}
    return [origin, recipe_dict, *form.widget_values(recipe_dict),
            *said(lang, f"ui.ranking.loaded_{objective}", **data)]


def start(ctx, form, origin: dict, lang: str, values, visitor: str | None = None) -> tuple:
    """Start the recipe the form describes (the one a train button loaded); (run path, status, timer).
    `visitor` keeps a public studio's queue fair, as a start from the Train tab does."""
    path, status, *_view = start_run(ctx, form.collect((origin or {}).get("recipe"), values), lang, visitor)
    started = isinstance(path, str)  # a refused recipe leaves the path as it was (gr.skip())
    return path, status, gr.Timer(active=True) if started else gr.skip()


def watch(path: str | None, lang: str):
    """(status, timer): the started run's state line, until it ends."""
    if not path:
        return "", gr.Timer(active=False)
    run = RunFolder(path)
    if run.state() not in FINAL_STATES:
        return runview.status_markdown(run, lang), gr.Timer(active=True)
    # A reward run feeds RL; any other run writes the next round's answers.
    step = "ui.ranking.next_round_reward" if run.status().get("objective") == "reward" else "ui.ranking.next_round"
    return runview.status_markdown(run, lang) + "\n\n" + t(step, lang), gr.Timer(active=False)


def model_choices(current: str | None, train_current: str | None, reward_current: str | None, recipe: dict,
                  lang: str):
    """Fresh choices for the answer model, the model to train and the reward run (a run that just
    finished appears: the next round generates from it)."""
    choices = chat_choices(recipe, lang)
    values = [v for _, v in choices]
    rewards = reward_run_choices()
    reward_values = [v for _, v in rewards]
    return (gr.update(choices=choices, value=current if current in values else values[0]),
            gr.update(choices=choices, value=train_current if train_current in values else values[0]),
            gr.update(choices=rewards, value=reward_current if reward_current in reward_values
                      else (reward_values[0] if reward_values else None)))


def accuracy_text(run: str | None, lang: str) -> str:
    """The held-out pairwise accuracy of the chosen reward run, or how to measure it."""
    if not run:
        return t("ui.ranking.no_reward_run", lang)
    found = reward_accuracy(run)
    if found is None:
        return t("ui.ranking.accuracy_unknown", lang, run=run)
    key = "ui.ranking.accuracy_eval" if found["source"] == "eval" else "ui.ranking.accuracy_training"
    return t(key, lang, accuracy=f"{100 * found['accuracy']:.0f}%", examples=found.get("examples") or "-")


def measure(run: str | None, lang: str) -> str:
    """`python -m studio eval RUN` from the page: pairwise accuracy on the run's validation split."""
    if not run:
        return t("ui.ranking.no_reward_run", lang)
    from ..evaluate import evaluate_run, save_results

    try:
        save_results(run, evaluate_run(run, general_path=None))
    except Exception as exc:  # noqa: BLE001
        return failed(lang, exc)[0]
    return accuracy_text(run, lang)
