"""Evaluation core: base vs tuned on a finished run, its stages reported as they begin, the
forgetting check on general text, and the result kept in eval.json for pages opened later."""
from __future__ import annotations

import pytest

from studio.evaluate import STAGES, evaluate_run, save_results, saved_results
from studio.jobs import JobManager
from studio.recipe import recipe_from_dict


@pytest.fixture(scope="module")
def lora_run(tiny_llama, data_files):
    manager = JobManager()
    job = manager.submit(recipe_from_dict({
        "name": "eval-core", "model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"])},
        "train": {"max_steps": 4, "batch_size": 8, "learning_rate": 5e-3}}))
    assert manager.wait(job.run_id, 300) == "completed"
    return job.run.path


def test_stages_are_reported_in_order_and_results_are_kept(lora_run, tmp_path):
    general = tmp_path / "general.txt"
    general.write_text("The sun rises in the east.\n太阳从东方升起。\nWater boils at 100 degrees.\n", encoding="utf-8")
    assert saved_results(lora_run) is None
    seen = []
    result = evaluate_run(lora_run, max_examples=3, general_path=general, progress=seen.append)
    assert seen == list(STAGES)
    assert {"loss", "perplexity", "exact_match", "general_perplexity"} <= set(result["tuned"])
    assert result["examples"] == 3 and result["forgetting"] == pytest.approx(
        result["tuned"]["general_perplexity"] / result["base"]["general_perplexity"] - 1)
    save_results(lora_run, result)
    kept = saved_results(lora_run)
    assert kept["forgetting"] == result["forgetting"] and "samples" not in kept["tuned"]


def test_a_prompt_tuning_run_evaluates_too(tiny_llama, data_files):
    """Prompt tuning prepends virtual tokens: the scores must still line up with the text."""
    manager = JobManager()
    job = manager.submit(recipe_from_dict({
        "name": "eval-prompt", "model": {"name": str(tiny_llama)}, "data": {"path": str(data_files["alpaca"])},
        "method": {"kind": "prompt"}, "train": {"max_steps": 2, "batch_size": 8}}))
    assert manager.wait(job.run_id, 300) == "completed"
    result = evaluate_run(job.run.path, max_examples=2, general_path=None)
    assert result["tuned"]["loss"] > 0 and result["base"]["loss"] > 0
