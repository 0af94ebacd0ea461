"""Ranking tab (human feedback): prompts in, K answers per prompt from any model, people rank
them (or give thumbs), and the judgements become preference data and a ready training recipe.

The handlers live in ranking_annotate (prompts, answers, judgements) and ranking_train (data and
training); this module lays the tab out and wires it. Judgements go straight into the feedback
store (SQLite, one insert each), so a reload, a restart or a second annotator loses nothing.
"""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from ..feedback import MAX_K, MIN_K, PAIR_MODES
from ..recipe import RLOptions
from . import ranking_annotate as annotate
from . import ranking_train as train
from .demo import owner
from .shell import Shell
from .tab_chat import note_text
from .texts import Key

ID = "ranking"
TITLE = Key("ui.tab.ranking")
SLOTS = annotate.SLOTS
PROMPT_TYPES = [".txt", ".jsonl", ".json", ".csv", ".parquet"]
KEYS_JS = (Path(__file__).with_name("ranking_keys.js")).read_text(encoding="utf-8")
# A run trained from here is followed by its status line only; each Gradio event costs the browser
# work across the whole page (see tab_train), so every five seconds is enough for a line of text.
POLL_SECONDS = 5.0
NAME_KEY = "studio-ranking-annotator"
REMEMBER_JS = f"(name) => {{ if (name && name.trim()) localStorage.setItem('{NAME_KEY}', name.trim()); return []; }}"
RECALL_JS = f"(name) => name || localStorage.getItem('{NAME_KEY}') || ''"


def build(shell: Shell, tab) -> None:
    make, ctx, form = shell.make, shell.ctx, shell.form
    make(gr.Markdown, value=Key("ui.ranking.intro"))
    with gr.Row(equal_height=True):
        annotator = make(gr.Textbox, label=Key("ui.ranking.annotator"), info=Key("ui.ranking.annotator_info"),
                         elem_id="ranking-annotator", scale=1, max_lines=1)
        progress = gr.HTML(elem_id="ranking-progress")
    with make(gr.Accordion, label=Key("ui.ranking.guidelines_title"), open=False, elem_id="ranking-guidelines-panel"):
        guidelines = gr.Markdown(elem_id="ranking-guidelines")
        with make(gr.Accordion, label=Key("ui.ranking.guidelines_edit"), open=False, visible=not ctx.demo):
            guidelines_box = make(gr.Textbox, show_label=False, lines=5, elem_id="ranking-guidelines-edit",
                                  placeholder=Key("ui.ranking.guidelines_placeholder"))
            guidelines_save = make(gr.Button, value=Key("ui.ranking.guidelines_save"), size="sm",
                                   elem_id="ranking-guidelines-save")

    # --- 1. prompts and answers ---
    with make(gr.Accordion, label=Key("ui.ranking.step_prompts"), open=True, elem_id="ranking-prompts-panel"):
        with gr.Row():
            typed = make(gr.Textbox, label=Key("ui.ranking.prompts"), placeholder=Key("ui.ranking.prompts_placeholder"),
                         lines=4, elem_id="ranking-prompts-input", scale=3)
            with gr.Column(scale=2):
                upload = make(gr.File, label=Key("ui.ranking.prompts_upload"), file_types=PROMPT_TYPES,
                              elem_id="ranking-prompts-upload", height=110)
                sample = make(gr.Dropdown, label=Key("ui.ranking.prompts_sample"), choices=annotate.prompt_sources(),
                              value=None, elem_id="ranking-prompts-sample")
                limit = make(gr.Number, label=Key("ui.ranking.prompts_limit"), info=Key("ui.ranking.prompts_limit_info"),
                             value=8, precision=0, minimum=1, elem_id="ranking-prompts-limit")
        add = make(gr.Button, value=Key("ui.ranking.add_prompts"), elem_id="ranking-add-prompts")
        with gr.Row():
            model = make(gr.Dropdown, label=Key("ui.ranking.model"), info=Key("ui.ranking.model_info"), choices=[],
                         elem_id="ranking-model", scale=4)
            refresh = make(gr.Button, value=Key("ui.common.refresh"), elem_id="ranking-refresh", scale=0, size="sm")
        with gr.Row():
            k = make(gr.Slider, label=Key("ui.ranking.k"), info=Key("ui.ranking.k_info"), minimum=MIN_K, maximum=MAX_K,
                     step=1, value=4, elem_id="ranking-k")
            temperature = make(gr.Slider, label=Key("ui.chat.temperature"), info=Key("ui.ranking.temperature_info"),
                               minimum=0.0, maximum=2.0, step=0.05, value=1.0, elem_id="ranking-temperature")
            top_p = make(gr.Slider, label=Key("ui.chat.top_p"), minimum=0.05, maximum=1.0, step=0.05, value=0.95,
                         elem_id="ranking-top-p")
            max_new = make(gr.Slider, label=Key("ui.chat.max_new_tokens"), minimum=1, maximum=512, step=1, value=64,
                           elem_id="ranking-max-new-tokens")
            seed = make(gr.Number, label=Key("ui.chat.seed"), value=0, precision=0, elem_id="ranking-seed")
        generate = make(gr.Button, value=Key("ui.ranking.generate"), variant="primary", elem_id="ranking-generate")
        prompts_status = gr.Markdown(elem_id="ranking-prompts-status")

    # --- 2. rank ---
    make(gr.Markdown, value=Key("ui.ranking.step_rank"))
    with gr.Row(equal_height=True):
        mode = make(gr.Radio, choices=[(Key("ui.ranking.mode_rank"), "rank"), (Key("ui.ranking.mode_thumbs"), "thumbs")],
                    value="rank", show_label=False, container=False, elem_id="ranking-mode", scale=2)
        with gr.Column(scale=3):
            with make(gr.Accordion, label=Key("ui.ranking.keys_title"), open=False, elem_id="ranking-keys"):
                make(gr.Markdown, value=Key("ui.ranking.keys"))
    queue = gr.Markdown(elem_id="ranking-queue")
    prompt = make(gr.Textbox, label=Key("ui.ranking.prompt"), interactive=False, visible=False, lines=1, max_lines=8,
                  elem_id="ranking-prompt")
    rows, answers, ranks, thumbs = [], [], [], []
    for i in range(SLOTS):
        with gr.Row(visible=False, equal_height=True, elem_id=f"ranking-slot-{i}", elem_classes=["ranking-slot"]) as row:
            answers.append(make(gr.Textbox, label=Key("ui.ranking.answer", n=i + 1), interactive=False, lines=1,
                                max_lines=10, elem_id=f"ranking-candidate-{i}", scale=5))
            ranks.append(make(gr.Radio, label=Key("ui.ranking.rank"), choices=annotate.rank_choices(SLOTS),
                              elem_id=f"ranking-rank-{i}", scale=2, min_width=220))
            thumbs.append(make(gr.Radio, label=Key("ui.ranking.thumb"), choices=annotate.THUMBS, visible=False,
                               elem_id=f"ranking-thumb-{i}", scale=1, min_width=120))
        rows.append(row)
    better = make(gr.Textbox, label=Key("ui.ranking.better"), info=Key("ui.ranking.better_info"), lines=2,
                  visible=False, elem_id="ranking-better")
    with gr.Row():
        submit = make(gr.Button, value=Key("ui.ranking.submit"), variant="primary", elem_id="ranking-submit")
        skip = make(gr.Button, value=Key("ui.ranking.skip"), elem_id="ranking-skip")
    status = gr.Markdown(elem_id="ranking-status")
    gr.HTML(visible="hidden", js_on_load=KEYS_JS, elem_id="ranking-keys-script")

    # --- 3. data and training ---
    with make(gr.Accordion, label=Key("ui.ranking.step_data"), open=True, elem_id="ranking-data-panel"):
        with gr.Row(equal_height=True):
            pair_mode = make(gr.Radio, label=Key("ui.ranking.pair_mode"), value="all", elem_id="ranking-pair-mode",
                             choices=[(Key(f"ui.ranking.pair_mode_{m}"), m) for m in PAIR_MODES], scale=2)
            counts = gr.Markdown(elem_id="ranking-pairs-count")
        with gr.Row():
            shape = make(gr.Radio, label=Key("ui.ranking.export_shape"), value="pairs", elem_id="ranking-export-shape",
                         choices=[(Key(f"ui.ranking.shape_{s}"), s) for s in train.EXPORT_SHAPES], scale=3)
            suffix = make(gr.Dropdown, label=Key("ui.ranking.export_format"), choices=list(train.EXPORT_SUFFIXES),
                          value=".jsonl", elem_id="ranking-export-format", scale=1)
            with gr.Column(scale=1):
                export = make(gr.Button, value=Key("ui.ranking.export"), elem_id="ranking-export")
        with gr.Row():
            exported = make(gr.File, label=Key("ui.ranking.export_file"), visible=False, interactive=False,
                            elem_id="ranking-export-file")
            upload_prefs = make(gr.File, label=Key("ui.ranking.import"), file_types=[".jsonl", ".csv", ".parquet", ".json"],
                                elem_id="ranking-import", height=110)
        make(gr.Markdown, value=Key("ui.ranking.train_title"))
        train_model = make(gr.Dropdown, label=Key("ui.ranking.train_model"), info=Key("ui.ranking.train_model_info"),
                           choices=[], elem_id="ranking-train-model")
        with gr.Row():
            reward = make(gr.Button, value=Key("ui.ranking.train_reward"), elem_id="ranking-train-reward")
            dpo = make(gr.Button, value=Key("ui.ranking.train_dpo"), elem_id="ranking-train-dpo")
            kto = make(gr.Button, value=Key("ui.ranking.train_kto"), elem_id="ranking-train-kto", interactive=False)
        with gr.Column(elem_id="ranking-rl"):
            make(gr.Markdown, value=Key("ui.ranking.rl_title"))
            with gr.Row():
                reward_run = make(gr.Dropdown, label=Key("ui.ranking.reward_run"), choices=[], scale=3,
                                  elem_id="ranking-reward-run")
                algorithm = make(gr.Radio, label=Key("ui.ranking.rl_algorithm"), choices=["grpo", "rloo"],
                                 value=RLOptions().algorithm, elem_id="ranking-rl-algorithm", scale=1)
                beta = make(gr.Number, label=Key("ui.ranking.rl_beta"), info=Key("ui.ranking.rl_beta_info"),
                            value=RLOptions().beta, minimum=0.0, elem_id="ranking-rl-beta", scale=1)
            make(gr.Markdown, value=Key("ui.ranking.no_ppo"))
            with gr.Row():
                accuracy = gr.Markdown(elem_id="ranking-reward-accuracy")
                measure = make(gr.Button, value=Key("ui.ranking.measure"), size="sm", scale=0, min_width=120,
                               elem_id="ranking-reward-measure")
            rl = make(gr.Button, value=Key("ui.ranking.train_rl"), elem_id="ranking-train-rl")
        train_status = gr.Markdown(elem_id="ranking-train-status")
        start = make(gr.Button, value=Key("ui.ranking.start"), variant="primary", elem_id="ranking-train-start")
        run_status = gr.Markdown(elem_id="ranking-run-status")

    # --- wiring ---
    current = gr.State(None)        # the prompt on this page: {"prompt_id", "ids" of the shown answers}
    note, prompts_note, data_note = gr.State(None), gr.State(None), gr.State(None)  # status lines, as keys
    run_path = gr.State(None)
    timer = gr.Timer(POLL_SECONDS, active=False)
    light = dict(concurrency_limit=None, trigger_mode="always_last", show_progress="hidden")
    view = [queue, prompt, *rows, *answers, *ranks, *thumbs, better, current]
    marks = [*ranks, *thumbs]

    progress_inputs = [annotator, shell.lang]
    counts_out = [counts, kto]
    choices_out = [model, train_model, reward_run]
    refresh_choices = (train.model_choices, [model, train_model, reward_run, shell.recipe, shell.lang], choices_out)

    shell.loaders.append((annotate.guidelines_view, [shell.lang], [guidelines, guidelines_box]))
    shell.loaders.append(refresh_choices)
    # Who is ranking is remembered by this browser (localStorage), so a reload or a restarted studio
    # keeps it; the tab's contents mount when it is first opened, so that is when the name comes back.
    annotator.change(None, annotator, None, js=REMEMBER_JS)
    tab.select(None, annotator, annotator, js=RECALL_JS
               ).then(annotate.view_if_idle, [annotator, mode, current, shell.lang], view, **light
                      ).then(annotate.progress_html, progress_inputs, progress, **light)
    annotator.change(annotate.next_view, [annotator, mode, shell.lang], view, **light)
    annotator.change(annotate.progress_html, progress_inputs, progress, **light)
    for trigger in (tab.select, refresh.click):
        trigger(*refresh_choices, **light)
    tab.select(train.counts_view, [pair_mode, shell.lang], counts_out, **light)
    model.change(lambda choice: choice, model, train_model, **light)
    guidelines_save.click(annotate.save_guidelines, [guidelines_box, shell.lang], [guidelines, status, note], **light)

    add.click(annotate.add_prompts, [typed, upload, sample, limit, shell.lang], [typed, upload, prompts_status, prompts_note],
              concurrency_limit=None).then(annotate.view_if_idle, [annotator, mode, current, shell.lang], view, **light)
    # Answers come from the chat tab's loaded model: one generation at a time, shared with the chat.
    def generate_answers(target, k_, temperature_, top_p_, max_new_, seed_, lang, progress=gr.Progress()):
        # A named gr.Progress parameter is what makes Gradio show the per-batch progress bar.
        return annotate.generate(ctx, target, k_, temperature_, top_p_, max_new_, seed_, lang, progress)

    generate.click(generate_answers, [model, k, temperature, top_p, max_new, seed, shell.lang],
                   [prompts_status, prompts_note],
                   concurrency_id="chat", concurrency_limit=1
                   ).then(annotate.view_if_idle, [annotator, mode, current, shell.lang], view, **light
                          ).then(annotate.progress_html, progress_inputs, progress, **light)

    mode.change(annotate.mode_view, [mode, current], [*ranks, *thumbs, better], **light)
    judged = [*view, status, note]
    submit.click(annotate.submit, [annotator, mode, current, better, shell.lang, *marks], judged, concurrency_limit=None
                 ).then(annotate.progress_html, progress_inputs, progress, **light
                        ).then(train.counts_view, [pair_mode, shell.lang], counts_out, **light)
    skip.click(annotate.skip, [annotator, mode, current, shell.lang], judged, concurrency_limit=None
               ).then(annotate.progress_html, progress_inputs, progress, **light)

    pair_mode.change(train.counts_view, [pair_mode, shell.lang], counts_out, **light)
    export.click(train.export_file, [shape, suffix, pair_mode, shell.lang], [exported, train_status, data_note],
                 concurrency_limit=None)
    upload_prefs.upload(train.import_upload, [upload_prefs, shell.lang], [upload_prefs, train_status, data_note],
                        concurrency_limit=None
                        ).then(train.counts_view, [pair_mode, shell.lang], counts_out, **light
                               ).then(annotate.progress_html, progress_inputs, progress, **light)
    everything = [shell.origin, shell.recipe, *form.components, train_status, data_note]
    for button, objective in ((reward, "reward"), (dpo, "dpo"), (kto, "kto"), (rl, "rl")):
        button.click(lambda mode_, target, run, algo, b, lang, objective=objective: train.train_outputs(
            form, objective, mode_, target, run, algo, b, lang),
            [pair_mode, train_model, reward_run, algorithm, beta, shell.lang], everything, concurrency_limit=None)
    # Gradio hands the request to a parameter annotated gr.Request, but not to one after *values.
    def start_here(request: gr.Request, origin: dict, lang: str, *values):
        return train.start(ctx, form, origin, lang, values, owner(request))

    start.click(start_here, [shell.origin, shell.lang, *form.components], [run_path, run_status, timer],
                concurrency_limit=None)
    timer.tick(train.watch, [run_path, shell.lang], [run_status, timer], **light)
    # When the run ends, the new model is offered for the next round of answers.
    run_status.change(*refresh_choices, **light)
    for trigger in (reward_run.change, shell.lang_applied.change):
        trigger(train.accuracy_text, [reward_run, shell.lang], accuracy, **light)
    measure.click(train.measure, [reward_run, shell.lang], accuracy, concurrency_id="chat", concurrency_limit=1)

    # A language switch re-renders what handlers wrote (the texts registry does the labels).
    shell.lang_applied.change(lambda current_, lang: annotate.queue_text(current_, lang), [current, shell.lang], queue, **light)
    shell.lang_applied.change(annotate.progress_html, progress_inputs, progress, **light)
    shell.lang_applied.change(train.counts_view, [pair_mode, shell.lang], counts_out, **light)
    shell.lang_applied.change(lambda lang: annotate.guidelines_view(lang)[0], shell.lang, guidelines, **light)
    shell.lang_applied.change(note_text, [note, shell.lang], status, **light)
    shell.lang_applied.change(note_text, [prompts_note, shell.lang], prompts_status, **light)
    shell.lang_applied.change(note_text, [data_note, shell.lang], train_status, **light)
    shell.lang_applied.change(train.watch, [run_path, shell.lang], [run_status, timer], **light)
