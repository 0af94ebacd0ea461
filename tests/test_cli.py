"""The command line as a user meets it, in real subprocesses: train prints the run folder last,
chat prints the reply only, eval prints one JSON object, data explains a bad file and exits 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def studio(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studio", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=dict(os.environ))


@pytest.fixture(scope="module")
def trained_run(tiny_llama, data_files):
    done = studio("train", "quickstart", f"model.name={tiny_llama}", f"data.path={data_files['alpaca']}",
                  "data.eval_path=null", "data.val_split=0.2", "train.max_steps=40", "train.batch_size=8",
                  "train.learning_rate=5e-3", "train.logging_steps=5", "--quiet")
    assert done.returncode == 0, done.stderr
    run_dir = Path(done.stdout.strip().splitlines()[-1])
    assert (run_dir / "status.json").is_file()
    return run_dir


def test_train_prints_the_run_folder_last_and_records_the_run(trained_run):
    status = json.loads((trained_run / "status.json").read_text())
    assert status["state"] == "completed"
    for name in ("recipe.yaml", "metrics.jsonl", "train.log", "model/adapter_model.safetensors",
                 "model/tokenizer_config.json", "data/validation.jsonl"):
        assert (trained_run / name).exists(), name
    for key in ("trainable_params", "total_params", "peak_memory_mb", "wall_time", "saved_bytes"):
        assert status[key] is not None, key
    event = json.loads((trained_run / "metrics.jsonl").read_text().splitlines()[0])
    assert {"step", "loss"} <= set(event)


def test_chat_prints_the_reply_only_and_base_differs(trained_run):
    tuned = studio("chat", trained_run, "--prompt", "Write the word in capitals.\ncat", "--temperature", "0",
                   "--max-new-tokens", "8")
    again = studio("chat", trained_run, "--prompt", "Write the word in capitals.\ncat", "--temperature", "0",
                   "--max-new-tokens", "8")
    base = studio("chat", trained_run, "--prompt", "Write the word in capitals.\ncat", "--temperature", "0",
                  "--max-new-tokens", "8", "--base")
    assert tuned.returncode == 0 and base.returncode == 0, tuned.stderr + base.stderr
    assert tuned.stdout == again.stdout            # greedy is deterministic
    assert len(tuned.stdout.strip().splitlines()) <= 1
    assert tuned.stdout != base.stdout


def test_sampling_with_a_seed_is_reproducible(trained_run):
    runs = [studio("chat", trained_run, "--prompt", "cat", "--temperature", "1.0", "--seed", "7",
                   "--max-new-tokens", "12").stdout for _ in range(2)]
    assert runs[0] == runs[1]


def test_eval_prints_base_and_tuned_metrics_as_one_json_object(trained_run, data_files):
    done = studio("eval", trained_run)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for side in ("base", "tuned"):
        assert {"loss", "perplexity", "exact_match"} <= set(result[side])
    assert result["tuned"]["loss"] < result["base"]["loss"]
    other = json.loads(studio("eval", trained_run, "--data", data_files["alpaca"], "--max-examples", "8").stdout)
    assert other["examples"] == 8


def test_data_reports_format_and_stats(data_files):
    done = studio("data", data_files["preference"])
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["format"] == "preference" and report["rows"] == 48
    assert report["stats"]["tokens"]["max"] > 0


def test_data_explains_a_bad_file_and_exits_2(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "fine"}\n{"text": "broken"\n', encoding="utf-8")
    done = studio("data", bad)
    assert done.returncode == 2
    assert "bad.jsonl" in done.stdout + done.stderr and "line 2" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_bad_recipe_lists_every_problem_and_exits_2():
    done = studio("train", "quickstart", "train.max_steps=-9", "method.kind=lorra", "train.batchsize=2")
    assert done.returncode == 2
    for needle in ("train.max_steps", "method.kind", "train.batchsize"):
        assert needle in done.stderr
    assert "Traceback" not in done.stderr


def test_presets_are_listed():
    done = studio("presets")
    assert done.returncode == 0 and "quickstart" in done.stdout


def test_chat_with_a_folder_that_is_not_a_run_is_a_clear_error(tmp_path):
    done = studio("chat", tmp_path, "--prompt", "hi")
    assert done.returncode == 2 and "not a run folder" in done.stderr
