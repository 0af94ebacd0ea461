"""The UI's handlers, called directly (no browser): recipe form, recipe preview, data inspection,
estimates, and a tiny run followed from start to chat."""
import json
import os
import shlex
import socket
import time
from pathlib import Path

import pytest
import yaml

from studio.recipe import load_recipe, recipe_from_dict
from tests.conftest import write_jsonl

gr = pytest.importorskip("gradio")

from studio.ui import runview, tab_chat, tab_data, tab_method, tab_model, tab_train  # noqa: E402
from studio.ui.context import AppContext  # noqa: E402
from studio.ui.form import RecipeForm  # noqa: E402
from studio.ui.recipes import command_for, initial_origin, load_preset, load_recipe_upload, save_recipe  # noqa: E402
from studio.ui.runview import status_markdown  # noqa: E402
from studio.ui.texts import Texts  # noqa: E402


@pytest.fixture(scope="module")
def form():
    origin = initial_origin()
    with gr.Blocks():
        form = RecipeForm(Texts(), recipe_from_dict(origin["recipe"]).to_dict())
        for path in ("model.name", "data.path", "data.columns", "method.kind", "method.lora.targets",
                     "method.adapter.placement", "train.max_steps", "train.learning_rate", "objective.rl.reward_functions",
                     "data.system_prompt", "train.max_minutes"):
            form.field(path)
    return form


def test_form_round_trips_a_recipe(form):
    origin = initial_origin()
    values = form.widget_values(recipe_from_dict(origin["recipe"]).to_dict())
    assert recipe_from_dict(form.collect(origin["recipe"], values)) == recipe_from_dict(origin["recipe"])


def test_form_converts_widget_values(form):
    values = form.widget_values(recipe_from_dict({}).to_dict())
    values[form.paths.index("data.columns")] = "instruction: question, output: answer"
    values[form.paths.index("method.lora.targets")] = "q_proj, v_proj"
    values[form.paths.index("train.max_steps")] = 30.0
    values[form.paths.index("train.learning_rate")] = None     # empty: the scope's default
    values[form.paths.index("data.system_prompt")] = "  "
    recipe = recipe_from_dict(form.collect({}, values))
    assert recipe.data.columns == {"instruction": "question", "output": "answer"}
    assert recipe.method.lora.targets == ["q_proj", "v_proj"]
    assert recipe.train.max_steps == 30 and recipe.train.learning_rate is None
    assert recipe.data.system_prompt is None


def test_recipe_preview_shows_yaml_command_and_problems():
    origin = initial_origin()
    recipe = recipe_from_dict(origin["recipe"], ["train.max_steps=30"]).to_dict()
    text, command, problems = tab_method.render_recipe(recipe, origin, "en")
    assert "max_steps: 30" in text
    assert command == "python -m studio train quickstart train.max_steps=30"
    assert _cli_recipe(command) == recipe_from_dict(recipe)
    assert problems.startswith("✅")
    bad = {**recipe, "train": {**recipe["train"], "batch_size": 0}}
    _, command, problems = tab_method.render_recipe(bad, origin, "zh")
    assert command == "" and "train.batch_size" in problems and "太小" in problems


def _cli_recipe(command: str):
    """The recipe the CLI would train for `command`, through the CLI's own parser."""
    from studio.cli import build_parser

    args = build_parser().parse_args(shlex.split(command.replace("\\\n", " "))[3:])
    return load_recipe(args.recipe, args.overrides)


def test_long_commands_wrap_one_override_a_line():
    recipe = recipe_from_dict({}, ["train.max_steps=30", "method.kind=full", "data.path=some/long/path/data.jsonl",
                                   "train.batch_size=4", "objective.kind=sft"])
    command = command_for(recipe, "quickstart")
    assert command.startswith("python -m studio train quickstart \\\n  ")
    assert all(line.endswith("\\") for line in command.splitlines()[:-1])
    assert _cli_recipe(command) == recipe


def test_presets_and_recipe_files_load_into_every_widget(form, tmp_path):
    out = load_preset(form, "quickstart", "en")
    assert out[0]["preset"] == "quickstart" and len(out) == 3 + len(form.components)
    assert out[2 + form.paths.index("method.kind")] == "lora"
    bad = tmp_path / "bad.yaml"
    bad.write_text("train:\n  max_stepz: 3\n", encoding="utf-8")
    out = load_recipe_upload(form, str(bad), initial_origin(), "zh")
    assert "max_stepz" in out[-1] and "未知" in out[-1]
    file, message = save_recipe(form, initial_origin(), form.widget_values(form.initial), "en")
    saved = Path(file["value"])
    assert saved.is_file() and yaml.safe_load(saved.read_text())["name"] == "quickstart"
    assert "python -m studio train" in message


def test_estimate_markdown_in_both_languages():
    recipe = recipe_from_dict(initial_origin()["recipe"]).to_dict()
    en, zh = tab_model.estimate_markdown(recipe, "en"), tab_model.estimate_markdown(recipe, "zh")
    assert "parameters" in en and "Total" in en and "fits" in en
    assert "参数" in zh and "合计" in zh
    hub = {**recipe, "model": {**recipe["model"], "name": "Qwen/Qwen2.5-1.5B-Instruct"}}
    assert "1.54B" in tab_model.estimate_markdown(hub, "en")


def test_uploads_are_copied_into_the_workspace(workspace, tmp_path):
    source = write_jsonl(tmp_path / "mine.jsonl", [{"text": "hello"}])
    path, eval_path, sample = tab_data.save_upload(str(source))
    assert Path(path).parent == workspace / "uploads" and Path(path).read_text() == source.read_text()
    assert eval_path == "" and sample is None
    again, _, _ = tab_data.save_upload(str(source))
    assert again != path and Path(again).is_file()
    assert tab_data.pick_sample(tab_data.TASK_SET) == (tab_data.TASK_SET, tab_data.TASK_SET_HELDOUT)


def test_no_data_chosen_yet():
    out = tab_data.inspect_outputs(AppContext(), recipe_from_dict({}).to_dict(), "zh", None)
    assert len(out) == tab_data.OUTPUT_COUNT and "还没有选择数据" in out[0]


def test_compose_mapping():
    assert tab_data.compose_mapping(["instruction", "output", "input"], "q", "a", "") == "{instruction: q, output: a}"
    assert tab_data.compose_mapping(["instruction"], "") == ""


def _inspect(recipe: dict, lang: str):
    out = tab_data.inspect_outputs(AppContext(), recipe, lang, None)
    assert len(out) == tab_data.OUTPUT_COUNT
    unchanged = tab_data.inspect_outputs(AppContext(), recipe, lang, out[-1])  # nothing it reads changed
    assert len(unchanged) == tab_data.OUTPUT_COUNT and all(o == gr.skip() for o in unchanged)
    names = ["summary", "problems", "preview", "stats", "histogram", "hint"]
    return dict(zip(names, out[:6])), out[-2]


def test_data_inspection_points_at_bad_rows(tmp_path, tiny_llama):
    rows = [{"instruction": f"Say {i}", "output": str(i)} for i in range(30)]
    rows[25] = {"instruction": "Say 25", "output": ["not", "text"]}
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    recipe = recipe_from_dict({"model": {"name": str(tiny_llama)}, "data": {"path": str(path)}}).to_dict()
    shown, info = _inspect(recipe, "en")
    assert "line 26" in shown["problems"] and "output" in shown["problems"]
    table = shown["preview"]["value"].data  # a pandas Styler: the problem rows are highlighted
    assert 26 in table["Row"].tolist()
    flagged = table[table["⚠️ Problem"] != ""]
    assert flagged["Row"].tolist() == [26]
    assert info == {"rows": 30, "format": "alpaca", "ok": False}
    shown_zh, _ = _inspect(recipe, "zh")
    assert "第 26 行" in shown_zh["problems"]


def test_data_inspection_stats_and_truncation(data_files, tiny_llama):
    recipe = recipe_from_dict({"model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"]),
                                                                           "max_length": 16}}).to_dict()
    shown, info = _inspect(recipe, "en")
    assert "alpaca" in shown["summary"] and info["ok"] and info["rows"] == 48
    assert "⚠️ Problem" not in shown["preview"]["value"].columns
    assert "truncated" in shown["stats"]
    assert shown["histogram"]["value"]["rows"].sum() == 48
    assert shown["histogram"]["sort"] == shown["histogram"]["value"]["tokens"].tolist()


def test_failed_run_shows_its_error_in_the_ui_language(workspace):
    from studio.runs import create_run

    run = create_run(recipe_from_dict({"data": {"path": "x.jsonl"}}).resolved())
    run.update_status(state="failed", error="Out of memory. (English)", error_key="train.err.oom", error_params={})
    assert "Out of memory" in status_markdown(run, "en")
    zh = status_markdown(run, "zh")
    assert "失败" in zh and "内存" in zh
    run.update_status(error_key=None)
    assert "(English)" in status_markdown(run, "zh")


def test_page_load_reattaches_to_a_run_in_training(workspace):
    from studio.runs import create_run

    run = create_run(recipe_from_dict({"data": {"path": "x.jsonl"}}).resolved())
    run.update_status(state="running", pid=os.getpid(), host=socket.gethostname())
    try:
        path, status, *_ = tab_train.reattach(AppContext(), None, "en")
        assert path == str(run.path) and "Running" in status
    finally:
        run.update_status(state="stopped")


def test_a_tiny_run_from_start_to_chat(data_files, tiny_llama):
    ctx = AppContext()
    recipe = recipe_from_dict({"model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"])},
                               "train": {"max_steps": 4, "batch_size": 4, "logging_steps": 1}}).to_dict()
    path, message, progress, *_ = tab_train.start_run(ctx, recipe, "en")
    assert "queued" in message and 'data-live="1"' in progress
    run_id = Path(path).name
    assert ctx.jobs.wait(run_id, timeout=300) == "completed"
    status, progress, loss, lr, rl, log, runs = tab_train.poll(path, "en")
    assert "Completed" in status and 'data-step="4"' in progress and 'data-live="0"' in progress
    assert "training loss" in loss and "points logged: 4" in loss and "<polyline" in lr and rl == ""
    assert log.startswith('<pre class="studio-log">') and log.count("\n") >= 3
    assert run_id in runs.iloc[:, 0].tolist()
    picked = tab_train.pick_run("en", gr.SelectData(None, {"row_value": [run_id], "index": [0, 0], "value": run_id}))
    assert picked[0] == path and len(picked) == 8 and picked[3] == loss

    choices = tab_chat.chat_choices(recipe, "en")
    assert choices[0][1] == path and choices[-1][1] == f"base:{tiny_llama}"
    steps = list(tab_chat.answer(ctx, path, "Write cat in capitals.", [], [], 0.0, 1.0, 8, 0, "en"))
    before, after, _, status, note = steps[-1]
    assert status.startswith("Done")
    assert before[-1]["role"] == "assistant" and after[-1]["role"] == "assistant"
    assert ctx.chat_model(path) is ctx.chat_model(path)  # loaded once, kept
    assert tab_chat.note_text(note, "zh").startswith("完成")  # the status line follows a language switch
    base = list(tab_chat.answer(ctx, f"base:{tiny_llama}", "Hi", [], [], 0.0, 1.0, 4, 0, "zh"))[-1]
    assert base[1] == [] and base[3].startswith("完成")
    broken = list(tab_chat.answer(ctx, str(Path(path).parent / "no-such-run"), "Hi", [], [], 0.0, 1.0, 4, 0, "en"))
    assert broken[-1][3].startswith("⚠️") and "not a run folder" in broken[-1][3]
    assert "不是运行目录" in tab_chat.note_text(broken[-1][4], "zh")


def test_the_live_poller_gets_the_charts_only_when_new_events_came(tmp_path):
    """The page's poller (train_live.js) says how many events its charts show; the server function
    sends the charts again only when that changed. The bar and the log come every time."""
    from studio.runs import create_run

    run = create_run(recipe_from_dict({"data": {"path": "x.jsonl"}}).resolved())
    run.update_status(state="running", step=3, total_steps=12)
    live = tab_train.live_progress({"run": run.run_id, "lang": "zh"})
    assert live["ended"] is False and 'data-step="3"' in live["html"] and f'data-run="{run.run_id}"' in live["html"]
    assert 'data-lang="zh"' in live["html"] and 'data-live="1"' in live["html"] and live["events"] == 0
    assert set(live["parts"]) == {"train-log", "loss-plot", "lr-plot", "rl-plot"}
    assert "等待" in live["parts"]["loss-plot"] and "<polyline" not in live["parts"]["loss-plot"]
    with (run.path / "metrics.jsonl").open("a") as f:
        f.write(json.dumps({"step": 1, "total_steps": 12, "loss": 2.0, "learning_rate": 1e-4}) + "\n")
    grown = tab_train.live_progress({"run": run.run_id, "lang": "en", "events": 0})
    assert grown["events"] == 1 and "points logged: 1" in grown["parts"]["loss-plot"]
    same = tab_train.live_progress({"run": run.run_id, "lang": "en", "events": 1})
    assert set(same["parts"]) == {"train-log"} and same["html"] == grown["html"]
    run.update_status(state="completed", step=12)
    done = tab_train.live_progress({"run": run.run_id, "lang": "fr"})  # an unknown language falls back to English
    assert done["ended"] is True and 'data-live="0"' in done["html"] and 'data-lang="en"' in done["html"]
    for query in ({"run": "no-such-run"}, {"run": "../../etc"}, {}, None, "text"):
        assert tab_train.live_progress(query) == {}


def test_the_progress_line_says_what_a_starting_run_does_before_its_first_step():
    from studio.runs import create_run

    run = create_run(recipe_from_dict({"data": {"path": "x.jsonl"}}).resolved())
    run.update_status(state="running")
    assert "loading libraries, preparing the data" in runview.progress_html(run, [], "en")
    run.update_status(data_stats={"rows": 3})
    assert "正在加载模型" in runview.progress_html(run, [], "zh")
    run.update_status(trainable_params=10, total_params=100)
    assert "starting the first step" in runview.progress_html(run, [], "en")
    run.update_status(step=2, total_steps=8)
    assert "Step 2 / 8" in runview.progress_html(run, [], "en")


def test_start_reports_an_invalid_recipe_in_the_ui_language(monkeypatch):
    monkeypatch.setattr(gr, "Warning", lambda *a, **k: None)
    out = tab_train.start_run(AppContext(), {"data": {"path": ""}}, "zh")
    assert "data.path" in out[1] and "选择" in out[1]


def test_chat_prompts_end_with_the_question_not_an_empty_answer(monkeypatch):
    """The prompt each side answers is the conversation up to the new question, as it was when sent."""
    import studio.inference

    seen = []

    def fake_stream(loaded, prompt, sampling, base=False):
        seen.append([dict(m) for m in prompt])  # read lazily, as the real stream() does
        yield "ok"

    class Loaded:
        recipe = recipe_from_dict({"data": {"path": "x.jsonl"}})

    ctx = AppContext()
    monkeypatch.setattr(studio.inference, "stream", fake_stream)
    monkeypatch.setattr(tab_chat, "check_target", lambda ctx, target: None)
    monkeypatch.setattr(ctx, "chat_model", lambda target: Loaded())
    list(tab_chat.answer(ctx, "/some/run", "Capital of France?", [], [], 0.7, 0.9, 8, 0, "en"))
    assert [p[-1] for p in seen] == [{"role": "user", "content": "Capital of France?"}] * 2


def test_chat_needs_a_message_and_a_model():
    ctx = AppContext()
    assert list(tab_chat.answer(ctx, None, "hi", [], [], 0.7, 0.9, 8, 0, "en"))[-1][3] == "Choose a run or a base model first."
    assert "输入" in list(tab_chat.answer(ctx, "base:builtin", "  ", [], [], 0.7, 0.9, 8, 0, "zh"))[-1][3]
    assert tab_chat._text([{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]) == "ab"
    shown = [{"role": "user", "content": [{"type": "text", "text": "hi"}]},
             {"role": "assistant", "content": tab_chat.EMPTY_MARK + "(no answer)"}]
    assert tab_chat._history(shown) == [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]


def test_stop_ends_a_run_after_its_current_step(data_files, tiny_llama):
    from studio.runs import RunFolder

    ctx = AppContext()
    recipe = recipe_from_dict({"model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"])},
                               "train": {"max_steps": 500, "batch_size": 2, "logging_steps": 1}}).to_dict()
    path, *_ = tab_train.start_run(ctx, recipe, "en")
    deadline = time.time() + 120
    while not RunFolder(path).metrics() and time.time() < deadline:
        time.sleep(0.2)
    assert "Stopping" in tab_train.stop_run(ctx, path, "en")
    assert ctx.jobs.wait(Path(path).name, timeout=120) == "stopped"
    assert "Stopped" in tab_train.poll(path, "en")[0]
    assert "No run" in tab_train.stop_run(ctx, None, "en")


def test_columns_with_other_names_can_be_mapped(tmp_path, tiny_llama):
    path = tmp_path / "qa.csv"
    path.write_text("question,answer\n" + "".join(f"What is {i} plus 1?,{i + 1}\n" for i in range(20)))
    recipe = recipe_from_dict({"model": {"name": str(tiny_llama)}, "data": {"path": str(path)}}).to_dict()
    out = tab_data.inspect_outputs(AppContext(), recipe, "en", None)
    slots, names = out[6:6 + tab_data.MAPPING_SLOTS], out[-3]
    assert names[:2] == ["instruction", "output"] and slots[0]["visible"] and "question" in str(slots[0]["choices"])
    assert out[-2]["ok"] is False
    recipe["data"]["columns"] = yaml.safe_load(tab_data.compose_mapping(names, "question", "answer"))
    out = tab_data.inspect_outputs(AppContext(), recipe, "en", None)
    assert out[-2] == {"rows": 20, "format": "alpaca", "ok": True}
    assert out[6]["value"] == "question"
