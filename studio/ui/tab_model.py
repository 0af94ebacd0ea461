"""Model tab: which base model, how it is loaded, and whether training it fits this machine."""
from __future__ import annotations

import gradio as gr

from ..estimate import KNOWN_MODELS, estimate_training, human_bytes, human_count, model_size
from ..advice import device_label
from ..i18n import has, t
from ..policy import check_model
from .demo import model_choices as demo_model_choices
from .shell import Shell, error_text, validated
from .texts import Key

ID = "model"
TITLE = Key("ui.tab.model")


def model_choices() -> list:
    return [(Key("ui.model.builtin_choice"), "builtin")] + [
        (f"{info['label']} ({name})", name) for name, info in KNOWN_MODELS.items()]


def build(shell: Shell, tab) -> None:
    form, make, demo = shell.form, shell.make, shell.ctx.demo
    make(gr.Markdown, value=Key("ui.model.intro"))
    with gr.Row():
        with gr.Column(scale=3):
            # A public studio offers its allow-list only: no typed names, so no local folders.
            name = form.field("model.name", gr.Dropdown, allow_custom_value=not demo, elem_id="model-name",
                              choices=demo_model_choices("en") if demo else model_choices())
            with gr.Row():
                form.field("model.quantization", gr.Radio, elem_id="model-quantization")
                form.field("model.dtype", elem_id="model-dtype")
            with make(gr.Accordion, label=Key("ui.common.advanced"), open=False):
                with gr.Row():
                    form.field("model.device", elem_id="model-device")
                    form.field("model.init", elem_id="model-init")
                with gr.Row():
                    form.field("model.revision", elem_id="model-revision")
                    # Hub code never runs on a public studio: the switch is not even shown.
                    form.field("model.trust_remote_code", elem_id="model-trust-remote-code", visible=not demo)
        with gr.Column(scale=2):
            estimate_box = gr.Markdown(elem_id="model-estimate")

    def estimate(recipe: dict, lang: str) -> str:
        return estimate_markdown(recipe, lang, demo=demo)

    for trigger in (shell.recipe.change, shell.lang_applied.change, tab.select):
        trigger(estimate, [shell.recipe, shell.lang], estimate_box, concurrency_limit=None,
                trigger_mode="always_last", show_progress="hidden")
    shell.loaders.append((estimate, [shell.recipe, shell.lang], estimate_box))
    if demo:  # this studio's finished runs can be bases too: list them as they appear
        for trigger in (tab.select, shell.lang_applied.change):
            trigger(lambda lang: gr.update(choices=demo_model_choices(lang)), shell.lang, name,
                    concurrency_limit=None, show_progress="hidden")


def estimate_markdown(recipe_dict: dict, lang: str, demo: bool = False) -> str:
    """Parameter count and training memory of the current recipe, as Markdown in `lang`."""
    recipe, problem = validated(recipe_dict)
    if recipe is None:
        return t("ui.estimate.invalid", lang, detail=error_text(problem, lang))
    problem = check_model(recipe.model.name) if demo else None
    if problem:  # before reading a config: a typed path must not even be looked at
        return f"⚠️ {error_text(problem, lang)}"
    try:
        size = model_size(recipe.model.name)
        est = estimate_training(recipe, size)
    except Exception as exc:  # noqa: BLE001 - an estimate must never break the page
        return error_text(exc, lang)
    name = KNOWN_MODELS.get(recipe.model.name, {}).get("label", recipe.model.name)
    lines = [f"### {t('ui.estimate.title', lang)}"]
    if est is None:
        lines.append(t("ui.estimate.unknown", lang, name=recipe.model.name))
        return "\n\n".join(lines)
    lines.append(t("ui.estimate.params", lang, name=name, params=human_count(size.params),
                   source=t(f"ui.estimate.source.{size.source}", lang)))
    lines.append(t("ui.estimate.trainable", lang, method=t(f"ui.choice.method.kind.{recipe.method.kind}", lang),
                   trainable=human_count(est.trainable), percent=f"{est.trainable_percent:.2f}"))
    rows = [
        (t("ui.estimate.weights", lang, quant=t(f"ui.choice.model.quantization.{recipe.quantization}", lang)),
         est.weights),
        (t("ui.estimate.gradients", lang), est.gradients),
        (t("ui.estimate.optimizer", lang, optimizer=recipe.train.optimizer), est.optimizer),
        (t("ui.estimate.activations", lang, batch=recipe.train.batch_size, length=recipe.data.max_length,
           checkpointing=t("ui.estimate.checkpointing_on" if recipe.train.gradient_checkpointing
                           else "ui.estimate.checkpointing_off", lang)), est.activations),
        (t("ui.estimate.overhead", lang), est.overhead),
    ]
    table = [f"| {t('ui.estimate.part', lang)} | {t('ui.estimate.memory', lang)} |", "|---|---:|"]
    table += [f"| {label} | {human_bytes(value)} |" for label, value in rows]
    table.append(f"| **{t('ui.estimate.total', lang)}** | **{human_bytes(est.total)}** |")
    lines.append("\n".join(table))
    device = est.device
    if est.fits is None:
        verdict = t("ui.estimate.fits_unknown", lang)
    else:
        share = 100 * est.total / device.total_bytes
        verdict = t("ui.estimate.fits" if est.fits else "ui.estimate.no_fit", lang, percent=f"{share:.0f}")
    name = device_label(device)
    lines.append(t("ui.estimate.device", lang, device=t(name, lang) if has(name) else name,
                   memory=human_bytes(device.total_bytes), verdict=verdict))
    lines += [t(note, lang) for note in est.notes]
    lines.append(f"<small>{t('ui.estimate.caveat', lang)}</small>")
    return "\n\n".join(lines)
