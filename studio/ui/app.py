"""The app builder: the page frame, the language switch, and one tab per module in TABS.

    blocks, ctx = build_app()
    blocks.queue(default_concurrency_limit=2).launch()

Adding a tab is adding a module with ID, TITLE and build(shell, tab), and listing it in TABS.
"""
from __future__ import annotations

import gradio as gr

from ..recipe import recipe_from_dict
from . import tab_chat, tab_data, tab_evaluate, tab_export, tab_method, tab_model, tab_ranking, tab_train
from .context import AppContext
from .form import RecipeForm
from .recipes import initial_origin
from .shell import Shell
from .texts import Key, Texts

TABS = (tab_model, tab_data, tab_method, tab_train, tab_chat, tab_ranking, tab_evaluate, tab_export)
LANGUAGES = [("English", "en"), ("中文", "zh")]  # each language named in itself: never translated

# No transition on the progress bar: animating its width re-laid the page out for half a second
# after every poll, the largest share of the browser's CPU while a run trains.
CSS = """
.studio-progress { height: 10px; border-radius: 5px; background: var(--neutral-200); overflow: hidden; }
.studio-progress-bar { height: 100%; background: var(--color-accent); }
.studio-progress-text { margin-top: 4px; font-size: var(--text-sm); color: var(--body-text-color-subdued); }
/* A live part of the Train tab with nothing to show takes no room (it stays mounted for its updates). */
#loss-plot:has(.prose:empty), #lr-plot:has(.prose:empty), #rl-plot:has(.prose:empty) { display: none; }
.studio-chart-head { display: flex; flex-wrap: wrap; gap: 4px 14px; align-items: baseline; font-size: var(--text-sm); }
.studio-chart-label { font-weight: 600; color: var(--body-text-color); }
.studio-chart-legend { display: flex; flex-wrap: wrap; gap: 4px 12px; color: var(--body-text-color-subdued); }
.studio-chart-key i { display: inline-block; width: 14px; height: 3px; margin: 0 5px 3px 0; vertical-align: middle; }
.studio-chart-svg { width: 100%; height: auto; display: block; }
.studio-chart-svg .grid { stroke: var(--border-color-primary); stroke-width: 1; }
.studio-chart-svg .frame { fill: none; stroke: var(--border-color-primary); }
.studio-chart-svg .tick, .studio-chart-svg .title, .studio-chart-svg .empty { fill: var(--body-text-color-subdued); font-size: 12px; }
.studio-chart-svg .line { fill: none; stroke-width: 2; stroke-linejoin: round; stroke-linecap: round; }
.studio-chart-svg .dot { opacity: 0; }
.studio-chart-svg .dot.shown, .studio-chart-svg .dot:hover { opacity: 1; }
.studio-chart-caption { font-size: var(--text-sm); color: var(--body-text-color-subdued); }
.studio-log { max-height: 28em; overflow: auto; font-size: var(--text-sm); white-space: pre-wrap; margin: 0; }
#studio-header { align-items: center; }
#lang-select { max-width: 280px; }
"""

# Gradio's own widget texts ("Drop File Here", ...) follow its locale store, set from the browser
# language at start. Switch it with ours; if a Gradio release renames its core bundle, this does
# nothing and those few texts keep the browser's language.
GRADIO_LOCALE_JS = """
(lang) => {
  const core = performance.getEntriesByType("resource").map((e) => e.name)
    .find((name) => /\\/assets\\/core-[^/]*\\.js$/.test(name));
  if (core) import(core).then((m) => m.changeLocale && m.changeLocale(lang === "zh" ? "zh-CN" : "en"))
    .catch(() => {});
  return lang;
}
"""


def build_app(demo: bool = False) -> tuple[gr.Blocks, AppContext]:
    ctx = AppContext(demo=demo)
    texts = Texts()
    origin = initial_origin()
    initial = recipe_from_dict(origin["recipe"]).to_dict()
    with gr.Blocks(title="Studio", analytics_enabled=False) as blocks:
        with gr.Row(elem_id="studio-header"):
            texts.make(gr.Markdown, value=Key("ui.app.header"), elem_id="studio-title")
            lang = gr.Radio(LANGUAGES, value="en", label="Language · 语言", elem_id="lang-select", scale=0,
                            min_width=260)
        shell = Shell(ctx=ctx, texts=texts, form=RecipeForm(texts, initial), lang=lang,
                      recipe=gr.State(initial), origin=gr.State(origin), data_info=gr.State(None),
                      lang_applied=gr.State("en"))
        with gr.Tabs(elem_id="studio-tabs"):
            for module in TABS:
                with texts.make(gr.Tab, label=module.TITLE, id=module.ID, elem_id=f"tab-{module.ID}") as tab:
                    module.build(shell, tab)
        _wire(blocks, shell)
    return blocks, ctx


def _wire(blocks: gr.Blocks, shell: Shell) -> None:
    form = shell.form
    # Any widget edit rebuilds the recipe from every widget, so two quick edits cannot overwrite
    # each other; tabs refresh from `shell.recipe.change`.
    gr.on([c.change for c in form.components], lambda origin, *values: form.collect(origin.get("recipe"), values),
          [shell.origin, *form.components], shell.recipe, concurrency_limit=None, trigger_mode="always_last",
          show_progress="hidden")
    shell.lang.change(shell.texts.updates, shell.lang, shell.texts.components, concurrency_limit=None,
                      show_progress="hidden").then(lambda lang: lang, shell.lang, shell.lang_applied,
                                                   concurrency_limit=None, show_progress="hidden")
    shell.lang.change(None, shell.lang, None, js=GRADIO_LOCALE_JS)
    for fn, inputs, outputs in shell.loaders:
        blocks.load(fn, inputs, outputs, concurrency_limit=None, show_progress="hidden")
