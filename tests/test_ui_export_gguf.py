"""The Export tab's GGUF choice: labelled in both languages, explained before the export (a GGUF means
the merged model), and written into the export folder and its zip."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from studio.jobs import JobManager
from studio.recipe import recipe_from_dict

gr = pytest.importorskip("gradio")

from studio.ui import tab_export  # noqa: E402
from studio.ui.context import AppContext  # noqa: E402


@pytest.fixture(scope="module")
def lora_run(tiny_llama, data_files):
    manager = JobManager()
    job = manager.submit(recipe_from_dict({
        "name": "ui-gguf", "model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"])},
        "method": {"kind": "lora"}, "train": {"max_steps": 2, "batch_size": 8}}))
    assert manager.wait(job.run_id, 300) == "completed"
    return str(job.run.path)


def test_gguf_choices_are_labelled_in_both_languages():
    from studio.i18n import catalog

    keys = [f"ui.export.gguf_{g}" for g in tab_export.GGUF]
    for lang in ("en", "zh"):
        assert [k for k in keys if k not in catalog(lang)] == [], lang


def test_the_note_says_what_a_gguf_export_holds(lora_run):
    ctx = AppContext()
    note, _ = tab_export.describe(ctx, lora_run, "adapter", "en", "f16")
    assert "merged model and model.gguf (f16) instead of the adapter" in note
    note, _ = tab_export.describe(ctx, lora_run, "merged", "zh", "q8_0")
    assert "model.gguf（q8_0）" in note
    assert "GGUF" not in tab_export.describe(ctx, lora_run, "merged", "en", "none")[0]


def test_a_gguf_export_lands_in_the_folder_and_the_zip(lora_run, workspace):
    ctx = AppContext()
    status, card, download, exported, _ = list(tab_export.run_export(ctx, lora_run, "merged", "with-gguf", "en",
                                                                     "q8_0"))[-1]
    assert status.startswith("✅") and "model.gguf" in status and "llama-cli -m model.gguf" in card
    assert (Path(exported["folder"]) / "model.gguf").stat().st_size > 0
    with zipfile.ZipFile(download) as zf:
        assert "model.gguf" in zf.namelist()
    refused = list(tab_export.run_export(ctx, lora_run, "merged", "bad-gguf", "en", "q2_k"))[-1][0]
    assert refused.startswith("⚠️") and "q2_k" in refused and not (workspace / "exports" / "bad-gguf").exists()


def test_the_gguf_choice_keeps_its_element_id():
    from studio.ui.app import build_app

    blocks, _ = build_app()
    ids = [getattr(b, "elem_id", None) for b in blocks.blocks.values()]
    assert ids.count("export-gguf") == 1
