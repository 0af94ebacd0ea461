"""Data tab: upload a file or pick a built-in sample, then see what the studio makes of it:
the detected format (with a column mapping to override it), a preview, token statistics, and
every problem next to the row it is at."""
from __future__ import annotations

import gradio as gr

from ..errors import StudioError
from ..i18n import t
from ..paths import ASSETS, ROOT
from ..policy import store_upload
from .demo import problems_markdown as demo_problems
from .demo import source_problems
from .shell import Shell, error_text, validated
from .texts import Key

ID = "data"
TITLE = Key("ui.tab.data")
UPLOAD_TYPES = [".csv", ".json", ".jsonl", ".parquet", ".txt"]
MAPPING_SLOTS = 5            # the most columns a format has (alpaca: instruction, output, input, system, history)
PREVIEW_ROWS = 20
PROBLEM_ROWS_SHOWN = 20      # problem rows beyond the preview are added to the table, up to this many
# summary, problems, preview, stats, histogram, mapping hint, the slots, slot names, data info, inspected key
OUTPUT_COUNT = 6 + MAPPING_SLOTS + 3
TASK_SET = "assets/data/tasks/train.jsonl"
TASK_SET_HELDOUT = "assets/data/tasks/heldout.jsonl"


def sample_choices() -> list:
    """The shipped samples: the instruction task set, then one file per format and language."""
    choices = []
    if (ROOT / TASK_SET).is_file():
        choices.append((Key("ui.data.sample.tasks"), TASK_SET))
    for language in ("en", "zh"):
        folder = ASSETS / "data" / language
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            choices.append((Key("ui.data.sample.item", language=Key(f"ui.data.language.{language}"),
                                file=path.name, use=Key(f"ui.data.sample.use.{path.stem}")),
                            str(path.relative_to(ROOT))))
    return choices


def build(shell: Shell, tab) -> None:
    form, make = shell.form, shell.make
    make(gr.Markdown, value=Key("ui.data.intro"))
    with gr.Row():
        upload = make(gr.File, label=Key("ui.data.upload"), file_types=UPLOAD_TYPES, file_count="single",
                      elem_id="data-upload")
        with gr.Column():
            sample = make(gr.Dropdown, label=Key("ui.data.sample.label"), info=Key("ui.data.sample.info"),
                          choices=sample_choices(), value=None, elem_id="data-sample")
            # A public studio reads uploads and samples only: the paths are filled in, never typed.
            path = form.field("data.path", elem_id="data-path", interactive=not shell.ctx.demo)
            eval_path = form.field("data.eval_path", elem_id="data-eval-path", interactive=not shell.ctx.demo)
    with gr.Row():
        form.field("data.format", elem_id="data-format")
        form.field("data.max_length", elem_id="data-max-length")
        check = make(gr.Button, value=Key("ui.data.check"), elem_id="data-check", scale=0)
    with make(gr.Accordion, label=Key("ui.data.mapping"), open=False, elem_id="data-mapping"):
        mapping_hint = gr.Markdown(elem_id="data-mapping-hint")
        with gr.Row():
            slots = [gr.Dropdown(visible=False, interactive=True, elem_id=f"data-map-{i}")
                     for i in range(MAPPING_SLOTS)]
        columns = form.field("data.columns", elem_id="data-columns")
    with make(gr.Accordion, label=Key("ui.common.advanced"), open=False):
        with gr.Row():
            form.field("data.val_split", gr.Slider, minimum=0.0, maximum=0.5, step=0.01, elem_id="data-val-split")
            form.field("data.max_rows", elem_id="data-max-rows")
            form.field("data.packing", elem_id="data-packing")
        with gr.Row():
            form.field("data.prompt_style", elem_id="data-prompt-style")
            form.field("data.system_prompt", elem_id="data-system-prompt")

    summary = gr.Markdown(elem_id="data-summary")
    problems = gr.Markdown(elem_id="data-problems")
    preview = make(gr.Dataframe, label=Key("ui.data.preview"), interactive=False, wrap=True,
                   max_height=420, elem_id="data-preview")
    with gr.Row():
        stats = gr.Markdown(elem_id="data-stats")
        histogram = make(gr.BarPlot, x="tokens", y="rows", label=Key("ui.data.histogram"),
                         x_title=Key("ui.data.histogram_x"), y_title=Key("ui.data.histogram_y"),
                         sort=None, x_label_angle=-45, elem_id="data-histogram")

    slot_names = gr.State([])
    last_key = gr.State(None)
    upload.upload(lambda file, lang: upload_outputs(shell.ctx, file, lang), [upload, shell.lang],
                  [path, eval_path, sample, summary], concurrency_limit=None, api_name="data_upload")
    sample.input(pick_sample, sample, [path, eval_path], concurrency_limit=None)
    for slot in slots:
        slot.input(compose_mapping, [slot_names, *slots], columns, concurrency_limit=None)

    outputs = [summary, problems, preview, stats, histogram, mapping_hint, *slots, slot_names,
               shell.data_info, last_key]

    def refresh(recipe, lang, key):
        return inspect_outputs(shell.ctx, recipe, lang, key)

    def force(recipe, lang):
        return inspect_outputs(shell.ctx, recipe, lang, None)

    shell.recipe.change(refresh, [shell.recipe, shell.lang, last_key], outputs,
                        concurrency_id="inspect", concurrency_limit=2, trigger_mode="always_last")
    for trigger in (check.click, shell.lang_applied.change):
        trigger(force, [shell.recipe, shell.lang], outputs, concurrency_id="inspect", trigger_mode="always_last")
    tab.select(refresh, [shell.recipe, shell.lang, last_key], outputs, concurrency_id="inspect",
               trigger_mode="always_last")


# --- handlers ---------------------------------------------------------------------------------

def save_upload(file_path: str | None, demo: bool = False):
    """Copy an upload into the workspace (under a plain name; on a public studio within the size
    limit) so that runs (and the CLI) can read it later."""
    if not file_path:
        return gr.skip(), gr.skip(), gr.skip()
    target = store_upload(file_path, demo)
    # A new file makes the previous evaluation file meaningless: hold out part of this one instead.
    return str(target), "", None


def upload_outputs(ctx, file_path: str | None, lang: str):
    """[path, eval path, sample, summary]: the stored upload, or why it was refused."""
    try:
        return [*save_upload(file_path, ctx.demo), gr.skip()]
    except StudioError as exc:
        return [gr.skip(), gr.skip(), gr.skip(), f"⚠️ {error_text(exc, lang)}"]


def pick_sample(value: str | None):
    if not value:
        return gr.skip(), gr.skip()
    return value, TASK_SET_HELDOUT if value == TASK_SET else ""


def compose_mapping(names: list[str], *chosen: str) -> str:
    """The data.columns text for the mapping dropdowns: studio name -> the user's column."""
    pairs = [f"{name}: {column}" for name, column in zip(names, chosen) if column]
    return "{" + ", ".join(pairs) + "}" if pairs else ""


def _inspect_key(recipe: dict) -> tuple:
    data, model = recipe.get("data") or {}, recipe.get("model") or {}
    return (data.get("path"), data.get("format"), str(data.get("columns")), data.get("max_length"),
            data.get("prompt_style"), (recipe.get("objective") or {}).get("kind"), model.get("name"))


def inspect_outputs(ctx, recipe_dict: dict, lang: str, last_key):
    """Everything the data tab shows for the recipe's data; skipped when nothing it depends on changed."""
    key = list(_inspect_key(recipe_dict or {}))
    if key == last_key:
        return [gr.skip()] * OUTPUT_COUNT
    recipe, problem = validated(recipe_dict)
    refused = source_problems(ctx, recipe) if recipe is not None else []
    if recipe is None or not recipe.data.path.strip() or refused:
        message = demo_problems(refused, lang) if refused else \
            t("ui.data.none", lang) if recipe is not None else error_text(problem, lang)
        return [message, "", gr.update(value=None, visible=False), "", gr.update(value=None, visible=False), "",
                *[gr.update(visible=False)] * MAPPING_SLOTS, [], None, key]
    from ..data import FORMAT_COLUMNS, FORMAT_FOR_OBJECTIVE, inspect  # pandas and datasets: loaded when data is first looked at

    try:
        found = inspect(recipe.data.path, fmt=recipe.data.format, columns=recipe.data.columns or None,
                        tokenizer=ctx.tokenizer(recipe.model.name), max_length=recipe.data.max_length,
                        objective=recipe.objective.kind, preview_rows=PREVIEW_ROWS, prompt_style=recipe.prompt_style)
    except Exception as exc:  # noqa: BLE001 - inspect reports data problems itself; this is the unexpected
        return [f"⚠️ {error_text(exc, lang)}", "", gr.update(value=None, visible=False), "",
                gr.update(value=None, visible=False), "",
                *[gr.update(visible=False)] * MAPPING_SLOTS, [], None, key]
    # Columns to map: the chosen format's, else the detected one's, else those the objective reads first
    # (so data with other column names can be mapped without first choosing a format).
    shown_format = (recipe.data.format if recipe.data.format != "auto" else found.format) \
        or (FORMAT_FOR_OBJECTIVE[recipe.objective.kind][0] if found.columns else None)
    names = [n for group in FORMAT_COLUMNS.get(shown_format, ((), ())) for n in group][:MAPPING_SLOTS]
    slots = [gr.update(visible=i < len(names), label=t("ui.data.map_label", lang, column=names[i]) if i < len(names)
                       else None, choices=[(t("ui.data.map_auto", lang), "")] + found.columns,
                       value=(recipe.data.columns or {}).get(names[i], "") if i < len(names) else "")
             for i in range(MAPPING_SLOTS)]
    hint = t("ui.data.mapping_hint", lang, format=shown_format, columns=", ".join(names)) if names else \
        t("ui.data.mapping_choose_format", lang)
    info = {"rows": found.rows, "format": found.format, "ok": not found.problems}
    return [summary_markdown(found, recipe, lang), problems_markdown(found, lang),
            preview_table(found, recipe.data.path, lang),
            stats_markdown(found.stats, lang) if not found.problems else "",
            histogram_frame(found.stats), hint, *slots, names, info, key]


def summary_markdown(found, recipe, lang: str) -> str:
    if found.format is None and not found.rows:
        return t("ui.data.unreadable", lang)
    from ..data.shapes import objectives_for

    fits = ", ".join(t(f"ui.choice.objective.kind.{o}", lang) for o in objectives_for(found.format)) \
        if found.format else "-"
    text = t("ui.data.summary", lang, format=found.format or t("ui.data.format_unknown", lang), rows=found.rows,
             columns=", ".join(found.columns), fits=fits)
    if recipe.data.eval_path:
        text += "\n\n" + t("ui.data.eval_file", lang, path=recipe.data.eval_path)
    return text


def _rows_of(problem) -> list[int]:
    params = getattr(problem, "params", {})
    if params.get("rows"):
        return list(params["rows"])
    return [params["row"]] if isinstance(params.get("row"), int) else []


def problems_markdown(found, lang: str) -> str:
    lines = []
    if found.problems:
        lines.append(f"#### ⚠️ {t('ui.data.problems', lang, count=len(found.problems))}")
        lines += [f"- {p.render(lang)}" for p in found.problems]
    if found.notes:
        lines.append(f"#### {t('ui.data.notes', lang)}")
        lines += [f"- {n.render(lang)}" for n in found.notes]
    if not lines and found.rows:
        lines.append(t("ui.data.no_problems", lang))
    return "\n".join(lines)


def _cell(value) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "…"


def preview_table(found, path: str, lang: str):
    """The first rows, plus rows that have problems, each with its number and its problem."""
    import pandas as pd

    flagged: dict[int, list[str]] = {}
    for problem in found.problems:
        for row in _rows_of(problem):
            flagged.setdefault(row, []).append(problem.render(lang))
    rows = list(zip(found.row_numbers, found.preview))
    missing = [n for n in sorted(flagged) if n not in found.row_numbers][:PROBLEM_ROWS_SHOWN]
    if missing:
        from ..data import read_records

        try:
            records = read_records(path)
            wanted = set(missing)
            rows += [(n, dict(r)) for n, r in zip(records.numbers, records) if n in wanted]
        except Exception:  # noqa: BLE001 - the problem list already names these rows
            pass
    if not rows:
        return gr.update(value=None, visible=False)
    number, problem_col = t("ui.data.row", lang), t("ui.data.problem_column", lang)
    table = pd.DataFrame([{number: n, **{c: _cell(r.get(c, "")) for c in found.columns},
                           problem_col: " / ".join(flagged.get(n, []))} for n, r in rows])
    if not flagged:
        return gr.update(value=table.drop(columns=[problem_col]), visible=True)

    def highlight(row):
        bad = bool(row[problem_col])
        return ["background-color: #fde8e8; color: #8a1c1c" if bad else "" for _ in row]

    return gr.update(value=table.style.apply(highlight, axis=1), visible=True)


def stats_markdown(stats: dict | None, lang: str) -> str:
    if not stats:
        return t("ui.data.stats_no_tokenizer", lang)
    lines = [f"#### {t('ui.data.stats', lang)}",
             t("ui.data.stats_rows", lang, rows=stats["rows"], dropped=stats.get("dropped", 0))]
    tokens = stats.get("tokens")
    if tokens:
        lines.append(t("ui.data.stats_tokens", lang, **tokens))
        limit = stats.get("max_length")
        if limit:
            share = 100 * stats["truncated"] / max(stats["rows"], 1)
            key = "ui.data.stats_truncated" if stats["truncated"] else "ui.data.stats_fits"
            lines.append(t(key, lang, count=stats["truncated"], limit=limit, percent=f"{share:.1f}"))
    else:
        lines.append(t("ui.data.stats_no_tokenizer", lang))
    return "\n\n".join(lines)


def histogram_frame(stats: dict | None):
    import pandas as pd

    hist = (stats or {}).get("histogram")
    if not hist:
        return gr.update(value=None, visible=False)
    edges, counts = hist["edges"], hist["counts"]
    labels = [f"{lo}" if hi - lo <= 1 else f"{lo}–{hi - 1}" for lo, hi in zip(edges, edges[1:])]
    # Bars in length order: the plot would sort the text labels alphabetically ("100" before "28").
    return gr.update(value=pd.DataFrame({"tokens": labels, "rows": counts}), sort=labels, visible=True)
