"""Method and objective tab: the tuning scope, what the model learns, the hyperparameters, and the
recipe they make (YAML and the equivalent command), with guidance and a recommendation."""
from __future__ import annotations

import gradio as gr

from ..i18n import t
from ..rewards import FUNCTIONS
from ..runs import Registry
from .recipes import (command_for, initial_origin, load_preset, load_recipe_upload, preset_choices, recipe_yaml,
                      save_recipe)
from .shell import Shell, error_text, validated
from .texts import Key, choice_key

ID = "method"
TITLE = Key("ui.tab.method")
METHOD_GROUPS = {"lora": ("lora", "qlora"), "adapter": ("adapter",), "prompt": ("prompt",)}
OBJECTIVE_GROUPS = {"dpo": ("dpo",), "kto": ("kto",), "rl": ("rl",)}


def reward_run_choices(none: bool = False) -> list[tuple[str, str]]:
    """Finished reward-model runs; with `none`, an empty choice first (a dropdown that takes no
    typed value, as on a public studio, must still be able to hold "no reward model")."""
    runs = [(f"{r.get('name', '')} · {r['run_id']}", r["path"]) for r in Registry().runs(state="completed")
            if r.get("objective") == "reward"]
    return [("—", "")] + runs if none else runs


def build(shell: Shell, tab) -> None:
    form, make = shell.form, shell.make
    make(gr.Markdown, value=Key("ui.method.intro"))
    make(gr.Markdown, value=Key("ui.recipe.preset_title"))
    with gr.Row(equal_height=True):
        preset = make(gr.Dropdown, choices=preset_choices(), value=initial_origin()["preset"], show_label=False,
                      container=False, elem_id="recipe-preset", scale=3)
        load = make(gr.Button, value=Key("ui.recipe.preset_load"), elem_id="recipe-preset-load", scale=1)
        upload = make(gr.UploadButton, label=Key("ui.recipe.upload"), file_types=[".yaml", ".yml"],
                      elem_id="recipe-upload", scale=1)
        save = make(gr.Button, value=Key("ui.recipe.save"), elem_id="recipe-save", scale=1)
    saved = gr.File(visible=False, interactive=False, elem_id="recipe-file")

    with gr.Row():
        with gr.Column(scale=3):
            kind = form.field("method.kind", gr.Radio, elem_id="method-kind")
            method_guide = gr.Markdown(t(f"ui.guide.method.{form.initial['method']['kind']}"), elem_id="method-guide")
            objective = form.field("objective.kind", gr.Radio, elem_id="objective-kind")
            objective_guide = gr.Markdown(t(f"ui.guide.objective.{form.initial['objective']['kind']}"),
                                          elem_id="objective-guide")
        with gr.Column(scale=2):
            advice_box = gr.Markdown(elem_id="method-advice")
            use_advice = make(gr.Button, value=Key("ui.advice.use"), elem_id="method-use-advice", size="sm")
            with make(gr.Accordion, label=Key("ui.guide.compare_title"), open=False):
                make(gr.Markdown, value=Key("ui.guide.compare"))

    make(gr.Markdown, value=Key("ui.method.basic"))
    with gr.Row():
        form.field("train.max_steps", elem_id="train-max-steps")
        form.field("train.epochs")
        form.field("train.batch_size", elem_id="train-batch-size")
        learning_rate = form.field("train.learning_rate", elem_id="train-learning-rate")
    method_groups = _option_groups(shell, "method", METHOD_ROWS, METHOD_GROUPS)
    objective_groups = _option_groups(shell, "objective", OBJECTIVE_ROWS, OBJECTIVE_GROUPS)
    with make(gr.Accordion, label=Key("ui.common.advanced"), open=False, elem_id="method-advanced"):
        with gr.Row():
            for path in ("train.grad_accum", "train.lr_scheduler", "train.warmup", "train.weight_decay"):
                form.field(path)
        with gr.Row():
            for path in ("train.max_grad_norm", "train.optimizer", "train.seed", "train.threads",
                         "train.max_minutes"):
                form.field(path)
        with gr.Row():
            for path in ("train.logging_steps", "train.eval_steps", "train.save_steps", "train.save_total_limit"):
                form.field(path)
        with gr.Row():
            form.field("train.gradient_checkpointing")
            form.field("name", elem_id="recipe-name")
            form.field("output.name")

    with gr.Row():
        with gr.Column():
            problems = gr.Markdown(elem_id="recipe-problems")
            command = make(gr.Code, label=Key("ui.recipe.command"), language="shell", interactive=False,
                           elem_id="recipe-command", lines=2)
        yaml_box = make(gr.Code, label=Key("ui.recipe.yaml"), language="yaml", interactive=False,
                        elem_id="recipe-yaml", lines=16, max_lines=28)

    # --- wiring ---
    advised = gr.State(None)
    light = dict(concurrency_limit=None, trigger_mode="always_last", show_progress="hidden")
    render_inputs = [shell.recipe, shell.origin, shell.lang]
    for trigger in (shell.recipe.change, shell.lang_applied.change):
        trigger(render_recipe, render_inputs, [yaml_box, command, problems], **light)
    shell.loaders.append((render_recipe, render_inputs, [yaml_box, command, problems]))
    for trigger in (kind.change, shell.lang_applied.change):
        trigger(method_view, [kind, shell.lang], [method_guide, *method_groups], **light)
    for trigger in (objective.change, shell.lang_applied.change):
        trigger(objective_view, [objective, shell.lang], [objective_guide, *objective_groups], **light)
    for trigger in (shell.recipe.change, shell.data_info.change, shell.lang_applied.change, tab.select):
        trigger(advice_markdown, [shell.recipe, shell.data_info, shell.lang], [advice_box, advised, use_advice],
                concurrency_id="advice", trigger_mode="always_last")
    # A new scope gets its own default learning rate (full 2e-5 ... prompt 3e-2): empty means that.
    kind.input(lambda: None, None, learning_rate, **light)
    use_advice.click(lambda m: (m, None) if m else (gr.skip(), gr.skip()), advised, [kind, learning_rate], **light)

    everything = [shell.origin, shell.recipe, *form.components]
    load.click(lambda name, lang: load_preset(form, name, lang), [preset, shell.lang], [*everything, problems],
               **light)
    upload.upload(lambda path, origin, lang: load_recipe_upload(form, path, origin, lang, demo=shell.ctx.demo),
                  [upload, shell.origin, shell.lang], [*everything, problems], **light)
    save.click(lambda origin, lang, *values: save_recipe(form, origin, values, lang),
               [shell.origin, shell.lang, *form.components], [saved, problems], **light)
    tab.select(lambda: gr.update(choices=reward_run_choices(none=shell.ctx.demo)), None,
               form.component("objective.rl.reward_model"), **light)


# The options of each scope and objective, row by row, shown only while that choice is selected.
METHOD_ROWS = {
    "lora": [["method.lora.r", "method.lora.alpha", "method.lora.dropout"],
             ["method.lora.targets", "method.lora.dora", "method.lora.rslora"]],
    "adapter": [["method.adapter.bottleneck", "method.adapter.activation", "method.adapter.placement",
                 "method.adapter.dropout"]],
    "prompt": [["method.prompt.num_virtual_tokens", "method.prompt.init", "method.prompt.init_text"]],
}
OBJECTIVE_ROWS = {
    "dpo": [["objective.dpo.beta", "objective.dpo.loss_type"]],
    "kto": [["objective.kto.beta"]],
    "rl": [["objective.rl.algorithm", "objective.rl.reward_functions", "objective.rl.reward_model"],
           ["objective.rl.num_generations", "objective.rl.max_completion_length", "objective.rl.temperature",
            "objective.rl.beta"]],
}
_DROPOUT = dict(widget=gr.Slider, minimum=0.0, maximum=0.9, step=0.01)


def _widget(path: str, demo: bool) -> dict:
    """Fields whose widget is not the schema's default one."""
    if path.endswith(".dropout"):
        return _DROPOUT
    if path == "objective.rl.reward_functions":
        return dict(widget=gr.Dropdown, multiselect=True, choices=[
            (choice_key("ui.choice.objective.rl.reward_functions", n), n) for n in sorted(FUNCTIONS)])
    if path == "objective.rl.reward_model":
        # A public studio takes its own reward-model runs only, never a typed folder.
        return dict(widget=gr.Dropdown, choices=reward_run_choices(none=demo), allow_custom_value=not demo)
    return {}


def _option_groups(shell: Shell, section: str, rows: dict, kinds: dict) -> list:
    """One hidden-unless-chosen group per entry of `rows`, in the order of `kinds`."""
    chosen = shell.form.initial[section]["kind"]
    groups = []
    for name, fields in rows.items():
        with gr.Group(visible=chosen in kinds[name], elem_id=f"{section}-{name}") as group:
            for row in fields:
                with gr.Row():
                    for path in row:
                        shell.form.field(path, **_widget(path, shell.ctx.demo))
        groups.append(group)
    return groups


# --- handlers ---------------------------------------------------------------------------------

def method_view(kind: str, lang: str):
    guide = t(f"ui.guide.method.{kind}", lang)
    return [guide] + [gr.update(visible=kind in kinds) for kinds in METHOD_GROUPS.values()]


def objective_view(kind: str, lang: str):
    guide = t(f"ui.guide.objective.{kind}", lang)
    return [guide] + [gr.update(visible=kind in kinds) for kinds in OBJECTIVE_GROUPS.values()]


def render_recipe(recipe_dict: dict, origin: dict, lang: str):
    """(YAML, command, problems) of the current recipe; invalid values are listed, never raised."""
    recipe, problem = validated(recipe_dict)
    if recipe is None:
        return recipe_yaml(recipe_dict), "", f"⚠️ {error_text(problem, lang)}"
    found = recipe.problems(for_training=True)
    if found:
        text = "⚠️ " + t("ui.recipe.not_ready", lang) + "\n" + "\n".join(f"- {p.render(lang)}" for p in found)
    else:
        text = "✅ " + t("ui.recipe.ready", lang, lr=f"{recipe.learning_rate:g}")
    # The YAML as it will run (automatic choices written out, as saved next to the weights).
    return recipe.resolved().to_yaml(), command_for(recipe, (origin or {}).get("preset")), text


def advice_markdown(recipe_dict: dict, data_info: dict | None, lang: str):
    from ..advice import recommend

    recipe, _ = validated(recipe_dict)
    if recipe is None:
        return "", None, gr.update(visible=False)
    try:
        advice = recommend(recipe, (data_info or {}).get("rows"))
    except Exception as exc:  # noqa: BLE001 - advice is a help, never a blocker
        return error_text(exc, lang), None, gr.update(visible=False)
    head = (t("ui.advice.title", lang, method=t(f"ui.choice.method.kind.{advice.method}", lang))
            if advice.method else t("ui.advice.title_none", lang))
    show_button = bool(advice.method) and advice.method != recipe.method.kind
    return f"#### {head}\n{advice.render(lang)}", advice.method, gr.update(visible=show_button)
