"""Jobs: queueing, cooperative stop that keeps what was trained, resume, and failures that end
as `failed` with a readable message while the process carries on."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import torch
from transformers import TrainerCallback

from studio.jobs import Job, JobManager, execute
from studio.recipe import recipe_from_dict
from studio.runs import Registry, RunFolder, create_run

ROOT = Path(__file__).resolve().parent.parent


def small_recipe(tiny_llama, data_files, **train):
    settings = {"max_steps": 30, "batch_size": 4, "logging_steps": 1, "save_steps": 5, "learning_rate": 1e-3}
    settings.update(train)
    return recipe_from_dict({"name": "job", "model": {"name": str(tiny_llama)}, "method": {"kind": "lora"},
                             "objective": {"kind": "sft"}, "data": {"path": str(data_files["alpaca"])},
                             "train": settings}).resolved()


def test_stop_keeps_what_was_trained_and_resume_finishes(tiny_llama, data_files):
    manager = JobManager(listener=lambda run_id, event: event.get("step", 0) >= 7 and manager.stop(run_id))
    job = manager.submit(small_recipe(tiny_llama, data_files))
    assert manager.wait(job.run_id, timeout=300) == "stopped"
    run = job.run
    steps = [e["step"] for e in run.metrics() if "loss" in e]
    assert 7 <= max(steps) <= 8, steps  # stopped within one optimizer step of the request
    assert (run.model_dir / "adapter_model.safetensors").is_file()
    checkpoint = run.last_checkpoint()
    assert checkpoint is not None and int(checkpoint.name.split("-")[1]) == max(steps)
    assert not run.stop_requested()

    manager = JobManager()
    resumed = manager.submit(job.recipe, resume_run=run)
    assert manager.wait(resumed.run_id, timeout=300) == "completed"
    steps_after = [e["step"] for e in run.metrics() if "loss" in e][len(steps):]
    assert min(steps_after) > max(steps) and max(steps_after) == 30


def test_queue_runs_one_job_at_a_time(tiny_llama, data_files):
    manager = JobManager()
    first = manager.submit(small_recipe(tiny_llama, data_files, max_steps=15))
    second = manager.submit(small_recipe(tiny_llama, data_files, max_steps=5))
    assert second.state == "queued"
    assert manager.wait(first.run_id, 300) == "completed" and manager.wait(second.run_id, 300) == "completed"
    a, b = first.run.status(), second.run.status()
    assert a["finished"] <= b["started"]
    # The log the Train tab tails follows the steps, each record once (handlers on several loggers).
    lines = first.run.log_path.read_text().splitlines()
    progress = [line for line in lines if "studio.progress: step " in line]
    assert len(progress) >= 15 and "loss" in progress[0] and any("step 15/15" in line for line in progress)
    stamped = [line for line in lines if line[:4].isdigit()]  # a record's first line (time, level, logger)
    assert len(stamped) == len(set(stamped)), "a log record was written twice"
    listed = {r["run_id"]: r["state"] for r in Registry().runs()}
    assert listed[first.run_id] == listed[second.run_id] == "completed"


def test_bad_data_fails_with_a_readable_message_and_the_next_job_runs(tiny_llama, data_files, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"instruction": "a", "output": "b"}\n{"instruction": "c", "output": \n', encoding="utf-8")
    recipe = small_recipe(tiny_llama, data_files).model_copy(deep=True)
    recipe.data.path = str(broken)
    manager = JobManager()
    bad = manager.submit(recipe)
    good = manager.submit(small_recipe(tiny_llama, data_files, max_steps=3))
    assert manager.wait(bad.run_id, 120) == "failed"
    status = bad.run.status()
    assert "broken.jsonl" in status["error"] and "line 2" in status["error"]
    assert "Traceback" not in status["error"] and "Traceback" in bad.run.log_path.read_text()
    assert manager.wait(good.run_id, 300) == "completed"


class PoisonWeights(TrainerCallback):
    """Turns the trainable weights into NaN after a few steps, as a diverging run would."""

    def on_step_end(self, args, state, control, model=None, **kwargs):
        if state.global_step == 3:
            with torch.no_grad():
                for p in model.parameters():
                    if p.requires_grad:
                        p.fill_(float("nan"))


def test_nan_loss_ends_the_job_as_failed_with_advice(tiny_llama, data_files):
    recipe = small_recipe(tiny_llama, data_files, max_steps=10)
    run = create_run(recipe)
    status = execute(Job(run=run, recipe=recipe, callbacks=[PoisonWeights()]))
    assert status["state"] == "failed"
    assert "NaN" in status["error"] and "learning_rate" in status["error"]
    assert status["error_key"] == "train.err.nan"


def test_a_killed_run_resumes_from_its_last_checkpoint(tiny_llama, data_files, tmp_path):
    out = tmp_path / "killed-run"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "studio", "train", "quickstart", f"model.name={tiny_llama}",
           f"data.path={data_files['alpaca']}", "data.eval_path=null", "method.kind=lora", "objective.kind=sft",
           "train.max_steps=60", "train.save_steps=5", "train.batch_size=4", "train.logging_steps=2",
           f"output.dir={out}"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    run = RunFolder(out)
    deadline = time.time() + 240
    while run.last_checkpoint() is None and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    time.sleep(0.5)  # let the checkpoint finish writing
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert run.status()["state"] == "running"   # what the file says...
    assert run.state() == "failed"               # ...and what the studio knows: the process is gone
    killed_at = int(run.last_checkpoint().name.split("-")[1])
    assert killed_at < 60

    done = subprocess.run([sys.executable, "-m", "studio", "train", "--resume", str(out), "--quiet"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == str(run.path)
    assert run.status()["state"] == "completed"
    steps = [e["step"] for e in run.metrics() if "loss" in e]
    assert steps[-1] == 60 and min(s for s in steps if s > killed_at) <= killed_at + 2


def test_an_isolated_job_trains_in_a_child_process_and_stops_on_request(tiny_llama, data_files):
    """The web studio's manager trains in a child process, reporting through the run folder."""
    manager = JobManager(isolated=True)
    done = manager.submit(small_recipe(tiny_llama, data_files, max_steps=6))
    assert manager.wait(done.run_id, timeout=300) == "completed"
    status = done.run.status()
    assert status["pid"] != os.getpid() and (done.run.model_dir / "adapter_model.safetensors").is_file()
    assert max(e["step"] for e in done.run.metrics() if "loss" in e) == 6

    long = manager.submit(small_recipe(tiny_llama, data_files, max_steps=2000, save_steps=1000))
    deadline = time.time() + 60
    while long.run.status().get("state", "queued") == "queued" and time.time() < deadline:
        time.sleep(0.05)
    # Running as soon as the child exists, long before its imports let it log a step.
    early = long.run.status()
    assert early["state"] == "running" and early["pid"] != os.getpid() and not long.run.metrics()
    deadline = time.time() + 240
    while not long.run.metrics() and time.time() < deadline:
        time.sleep(0.3)
    assert manager.stop(long.run_id)
    assert manager.wait(long.run_id, timeout=240) == "stopped"
    assert max(e["step"] for e in long.run.metrics() if "loss" in e) < 2000


def test_an_isolated_job_whose_process_dies_ends_as_failed(tiny_llama, data_files):
    manager = JobManager(isolated=True)
    job = manager.submit(small_recipe(tiny_llama, data_files, max_steps=2000, save_steps=1000))
    deadline = time.time() + 240
    while not job.run.metrics() and time.time() < deadline:
        time.sleep(0.3)
    os.kill(job.run.status()["pid"], signal.SIGKILL)
    assert manager.wait(job.run_id, timeout=120) == "failed"
    status = job.run.status()
    assert "exit code -9" in status["error"] and "--resume" in status["error"]
    assert status["error_key"] == "train.err.process_ended"


def test_a_checkpoint_cut_short_by_a_kill_is_not_resumed_from(tmp_path):
    run = RunFolder(tmp_path / "run")
    for step, complete in ((5, True), (10, False)):
        folder = run.checkpoints_dir / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        if complete:
            (folder / "trainer_state.json").write_text("{}")
    assert run.last_checkpoint().name == "checkpoint-5"


def test_a_progress_line_names_the_values_and_skips_the_end_summary():
    from studio.progress import describe

    assert describe({"step": 3, "total_steps": 9, "loss": 1.5, "learning_rate": 2e-4, "eta": 2.0}) == \
        "step 3/9  loss 1.5  lr 0.0002  eta_s 2"
    assert describe({"step": 9, "total_steps": 9, "eval_loss": 1.25}) == "step 9/9  eval_loss 1.25"
    assert describe({"step": 9, "total_steps": 9, "train_loss": 1.2, "eta": 0.0, "elapsed": 5.0}) is None
