"""The Evaluate and Export tabs' handlers, called directly on tiny finished runs: evaluation streams
its stages and is kept for later, runs compare side by side, exports land in workspace/exports
with their card and a zip, and a Hub push never lets the token out."""
from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from studio.jobs import JobManager
from studio.recipe import recipe_from_dict

gr = pytest.importorskip("gradio")

from studio.ui import evalview, tab_evaluate, tab_export  # noqa: E402
from studio.ui.context import AppContext  # noqa: E402


def _train(manager, tiny_llama, data_path, name: str, method: str, steps: int) -> str:
    job = manager.submit(recipe_from_dict({
        "name": name, "model": {"name": str(tiny_llama)}, "data": {"path": str(data_path)},
        "method": {"kind": method}, "train": {"max_steps": steps, "batch_size": 8, "learning_rate": 5e-3}}))
    assert manager.wait(job.run_id, 300) == "completed"
    return str(job.run.path)


@pytest.fixture(scope="module")
def runs(tiny_llama, data_files):
    """{"lora": run folder, "prompt": run folder}: two finished runs on the same data."""
    manager = JobManager()
    return {"lora": _train(manager, tiny_llama, data_files["alpaca"], "ui-lora", "lora", 4),
            "prompt": _train(manager, tiny_llama, data_files["alpaca"], "ui-prompt", "prompt", 2)}


@pytest.fixture
def general_text(tmp_path, monkeypatch):
    from studio import evaluate

    path = tmp_path / "general.txt"
    path.write_text("The sun rises in the east.\n太阳从东方升起。\nRivers run to the sea.\n", encoding="utf-8")
    monkeypatch.setattr(evaluate, "GENERAL_TEXT", path)
    return path


def test_evaluation_streams_its_stages_then_shows_table_chart_and_forgetting(runs, general_text):
    ctx = AppContext()
    steps = list(tab_evaluate.run_evaluation(ctx, runs["lora"], tab_evaluate.VALIDATION, 4, "en"))
    progress = [s[0] for s in steps[:-1] if isinstance(s[0], str)]
    assert any("Measuring the base model" in p for p in progress), progress
    bar, summary, table, chart, forgetting, shown = steps[-1]
    assert "Evaluation finished" in bar and "validation split" in summary and "(4 examples)" in summary
    assert table.columns.tolist() == ["Metric", "Base", "Tuned", "Change"]
    assert table["Metric"].tolist()[:2] == ["Loss (lower is better)", "Perplexity (lower is better)"]
    assert chart["visible"] and chart["sort"] == chart["value"]["bar"].tolist()
    assert chart["value"]["bar"].tolist()[:2] == ["Loss · Base", "Loss · Tuned"]
    assert "Forgetting check" in forgetting and "%" in forgetting and "full fine-tuning on little data" in forgetting
    saved = json.loads((Path(runs["lora"]) / "eval.json").read_text())
    assert saved["examples"] == 4 and shown["fresh"]

    # Choosing the run again (a reopened page) shows the kept result at once, in either language.
    again = tab_evaluate.show_saved(ctx, runs["lora"], "zh")
    assert "上次评估" in again[1] and again[2]["指标"].tolist()[0].startswith("损失")
    assert "遗忘检查" in again[4]
    assert tab_evaluate.render_shown(again[5], "en")[1]["Metric"].tolist()[0].startswith("Loss")


def test_evaluation_on_an_uploaded_file(runs, tmp_path, workspace):
    ctx = AppContext()
    source = tmp_path / "held.jsonl"
    source.write_text("".join(json.dumps({"instruction": "Write the word in capitals.", "input": w, "output": w.upper()})
                              + "\n" for w in ("cat", "dog", "owl")), encoding="utf-8")
    value, message = tab_evaluate.use_upload(ctx, str(source), "en")
    stored = Path(value["value"])
    assert stored.parent == workspace / "uploads" and "held.jsonl" in message
    *_, (bar, summary, table, *_rest) = tab_evaluate.run_evaluation(ctx, runs["lora"], str(stored), 10, "en")
    assert "(3 examples)" in summary and str(stored) in summary
    assert "Exact match (higher is better)" in table["Metric"].tolist()


def test_no_run_and_a_broken_run_are_explained(tmp_path):
    ctx = AppContext()
    assert list(tab_evaluate.run_evaluation(ctx, None, tab_evaluate.VALIDATION, 5, "zh"))[-1][1] == "请先选择一次运行。"
    out = list(tab_evaluate.run_evaluation(ctx, str(tmp_path), tab_evaluate.VALIDATION, 5, "en"))[-1]
    assert out[1].startswith("⚠️") and "not a run folder" in out[1]
    assert tab_evaluate.show_saved(ctx, None, "en")[1].startswith("No finished run")


def test_compare_evaluates_missing_runs_first_then_lines_them_up(runs):
    ctx = AppContext()
    assert (Path(runs["prompt"]) / "eval.json").exists() is False
    steps = list(tab_evaluate.run_comparison(ctx, [runs["lora"], runs["prompt"]], "en"))
    assert any(isinstance(s[0], str) and "Evaluating" in s[0] and "1 of 1" in s[0] for s in steps[:-1])
    _, table, note, result = steps[-1]
    table = table["value"]
    assert len(table) == 2 and table.columns.tolist()[:3] == ["Run", "Method", "Objective"]
    assert table["Method"].tolist() == ["LoRA", "Prompt tuning"] or "LoRA" in table["Method"].tolist()
    assert "2 run(s) compared" in note and "different data" not in note
    assert (Path(runs["prompt"]) / "eval.json").is_file()
    zh_table, zh_note = tab_evaluate.render_compared(result, "zh")
    assert zh_table["value"].columns.tolist()[0] == "运行" and "已比较 2 次运行" in zh_note
    other = {**result, "same_data": False, "datasets": ["a.jsonl", "b.jsonl"]}
    assert "different data" in evalview.compare_note(other, "en")
    assert list(tab_evaluate.run_comparison(ctx, [], "en"))[-1][2].startswith("Choose")


def test_compare_columns_follow_the_core():
    from studio.compare import COLUMNS

    assert evalview.COMPARE_SHOWN == tuple(c for c in COLUMNS if c != "score_name")


def test_value_built_keys_exist_in_both_languages():
    from studio.i18n import catalog

    keys = [f"ui.evaluate.stage.{s}" for s in tab_evaluate.STAGES]
    keys += [f"ui.evaluate.metric.{m}" for m in evalview.METRICS]
    keys += [f"ui.evaluate.chart_metric.{m}" for m in evalview.CHART_METRICS]
    keys += [f"ui.evaluate.col.{c}" for c in evalview.COMPARE_SHOWN]
    keys += [f"ui.evaluate.score_name.{s}" for s in ("exact_match", "pairwise_accuracy", "loss", "eval_loss")]
    keys += [f"ui.evaluate.table.{c}" for c in ("metric", "base", "tuned", "change")]
    keys += [f"ui.evaluate.forgetting_{r}" for r in ("no_text", "reward", "high", "low")]
    keys += [f"ui.export.kind_{k}" for k in tab_export.KINDS]
    keys += [f"ui.export.about_{k}" for k in (*tab_export.KINDS, "full")]
    from studio.evaluate import STAGES

    assert tab_evaluate.STAGES == STAGES
    for lang in ("en", "zh"):
        assert [k for k in keys if k not in catalog(lang)] == [], lang


def test_export_adapter_and_merged_with_card_and_zip(runs, workspace):
    ctx = AppContext()
    note, name = tab_export.describe(ctx, runs["lora"], "adapter", "en")
    assert "adapter alone" in note and name == f"{Path(runs['lora']).name}-adapter"
    steps = list(tab_export.run_export(ctx, runs["lora"], "adapter", "../../../tmp/my export", "en"))
    status, card, download, exported, note = steps[-1]
    folder = workspace / "exports" / "my_export"
    assert status.startswith("✅") and exported == {"folder": str(folder), "kind": "adapter"}
    assert "## Training" in card and "lora" in card
    with zipfile.ZipFile(download) as zf:
        assert "adapter_model.safetensors" in zf.namelist()
    assert Path(download).parent == workspace / "exports"
    again = list(tab_export.run_export(ctx, runs["lora"], "adapter", "my export", "zh"))[-1]
    assert again[0].startswith("⚠️") and "不是空的" in again[0]
    from studio.ui.tab_chat import note_text

    assert note_text(note, "zh").startswith("✅ 已导出到")  # the status line follows a language switch

    merged = list(tab_export.run_export(ctx, runs["lora"], "merged", "", "en"))[-1]
    assert merged[0].startswith("✅") and merged[3]["kind"] == "merged"
    assert (Path(merged[3]["folder"]) / "config.json").is_file()


def test_prompt_runs_cannot_merge_and_say_so(runs):
    ctx = AppContext()
    note, _ = tab_export.describe(ctx, runs["prompt"], "merged", "en")
    assert note.startswith("⚠️") and "cannot be merged" in note
    assert "无法合并" in tab_export.describe(ctx, runs["prompt"], "demo", "zh")[0]
    out = list(tab_export.run_export(ctx, runs["prompt"], "merged", "prompt-merged", "en"))[-1]
    assert out[0].startswith("⚠️") and "cannot be merged" in out[0]
    assert list(tab_export.run_export(ctx, runs["prompt"], "everything", "x", "en"))[-1][0].startswith("⚠️")


class FakeApi:
    calls: dict = {}

    def __init__(self, token):
        FakeApi.calls["token"] = token

    def create_repo(self, repo_id, private, exist_ok, repo_type):
        FakeApi.calls["create"] = (repo_id, private, repo_type)
        if repo_id.endswith("fail"):
            raise RuntimeError(f"401 Unauthorized for token {FakeApi.calls['token']}")
        return f"https://huggingface.co/{repo_id}"

    def upload_folder(self, folder_path, repo_id, repo_type):
        FakeApi.calls["upload"] = folder_path


def test_push_clears_the_token_and_never_shows_or_keeps_it(runs, monkeypatch, workspace):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    ctx = AppContext()
    exported = list(tab_export.run_export(ctx, runs["lora"], "adapter", "to-push", "en"))[-1][3]
    secret = "hf_SECRET_token_456"
    steps = list(tab_export.run_push(ctx, exported, "me/tiny", secret, True, "en"))
    assert all(box == "" for _, box, _ in steps), "the token box is emptied from the first update on"
    assert steps[-1][0].startswith("✅") and "private" in steps[-1][0]
    from studio.ui.tab_chat import note_text

    assert "私有仓库" in note_text(steps[-1][2], "zh")
    assert FakeApi.calls["create"] == ("me/tiny", True, "model") and FakeApi.calls["token"] == secret
    failed = list(tab_export.run_push(ctx, exported, "me/fail", secret, False, "en"))
    assert failed[-1][0].startswith("⚠️") and "***" in failed[-1][0]
    assert all(secret not in str(step) for step in steps + failed)
    for path in workspace.rglob("*"):
        if path.is_file() and path.stat().st_size < 5_000_000:
            assert secret.encode() not in path.read_bytes(), path

    assert "owner/name" in list(tab_export.run_push(ctx, exported, "../../etc", secret, True, "en"))[-1][0]
    assert "Export the run first" in list(tab_export.run_push(ctx, None, "me/x", secret, True, "en"))[-1][0]
    monkeypatch.setenv("HF_TOKEN", "hf_the_studio_owners_token")
    public = list(tab_export.run_push(AppContext(demo=True), exported, "me/tiny", "", True, "en"))[-1][0]
    assert "Type your Hub token" in public  # a public studio never pushes with its own token


def test_the_tabs_keep_their_element_ids():
    from studio.ui.app import TABS, build_app

    blocks, _ = build_app()
    ids = [getattr(b, "elem_id", None) for b in blocks.blocks.values()]
    for elem_id in ("eval-run", "eval-start", "eval-table", "eval-chart", "eval-forgetting", "compare-runs",
                    "compare-start", "compare-table", "export-run", "export-kind", "export-start", "export-card",
                    "export-download", "export-push-repo", "export-push-token", "export-push-private", "export-push"):
        assert ids.count(elem_id) == 1, elem_id
    order = [m.ID for m in TABS]
    assert order.index("evaluate") < order.index("export")
