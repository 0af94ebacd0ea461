"""Training jobs: a background thread per device, a queue in front of it, and a state machine.

    queued -> running -> completed | stopped | failed

`execute` runs one job to the end and never raises: whatever goes wrong (a bad file, out of
memory, a NaN loss) ends as `failed` with a readable message in status.json and the traceback in
train.log, and the process carries on. Stop is cooperative: it takes effect after the current
optimizer step and keeps what was trained. Progress is read from the run folder (metrics.jsonl,
status.json), so a job launched later in a separate process (multi-GPU launch through accelerate,
supervised by this thread) can report through the same files and be stopped by the STOP file.
"""
from __future__ import annotations

import gc
import logging
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

from .errors import StudioError, TrainingError, render_error
from .progress import ProgressCallback
from .recipe import Recipe
from .runs import FINAL_STATES, RunFolder, create_run

log = logging.getLogger(__name__)

Listener = Callable[[str, dict], None]  # (run_id, event)


@dataclass
class Job:
    run: RunFolder
    recipe: Recipe
    resume: bool = False
    stop_event: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    callbacks: list = field(default_factory=list)  # extra TrainerCallbacks (tests, integrations)
    owner: str | None = None  # who asked for it (a demo visitor), for the queue's fairness

    @property
    def run_id(self) -> str:
        return self.run.run_id

    @property
    def state(self) -> str:
        return self.run.status().get("state", "queued")


class _RunLog(logging.Handler):
    """Sends this thread's log records (the studio's, transformers', TRL's) to the run's train.log."""

    def __init__(self, run: RunFolder):
        super().__init__(logging.INFO)
        self._thread = threading.get_ident()
        self._last: logging.LogRecord | None = None
        self._file = open(run.log_path, "a", encoding="utf-8")
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record):
        # The handler sits on the root logger and on libraries' own (some do not propagate), so a
        # record that propagates reaches it more than once: it is written once.
        if record.thread == self._thread and record is not self._last:
            self._last = record
            self._file.write(self.format(record) + "\n")
            self._file.flush()

    def close(self):
        self._file.close()
        super().close()


_LOGGERS = ("", "transformers", "trl", "peft", "studio", "py.warnings")


def _attach_log(run: RunFolder) -> _RunLog:
    handler = _RunLog(run)
    logging.captureWarnings(True)
    for name in _LOGGERS:
        logging.getLogger(name).addHandler(handler)
    # The studio's own progress notes are INFO; the libraries keep their levels (warnings and up),
    # so the console stays as quiet as they make it.
    logging.getLogger("studio").setLevel(logging.INFO)
    return handler


def _detach_log(handler: _RunLog) -> None:
    for name in _LOGGERS:
        logging.getLogger(name).removeHandler(handler)
    handler.close()


def _failure(exc: BaseException) -> StudioError | None:
    """Known failures, rephrased as what the user can do about them."""
    import torch

    if isinstance(exc, StudioError):
        return exc
    if isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower():
        return TrainingError("train.err.oom")
    return None


def _stopped_before_start(run: RunFolder) -> dict:
    run.clear_stop()
    return run.update_status(state="stopped", error=None, finished=time.time())


def _record_failure(run: RunFolder, message: str, known: StudioError | None) -> dict:
    """`failed` with a readable message; a known error also keeps its locale key, for the page."""
    return run.update_status(state="failed", error=message, finished=time.time(),
                             error_key=known.key if known else None,
                             error_params={k: str(v) for k, v in (known.params if known else {}).items()})


def execute(job: Job, listener: Listener | None = None) -> dict:
    """Run one job to its end state; returns the final status."""
    from .train import train_run

    run = job.run
    if job.stop_event.is_set() or run.stop_requested():
        return _stopped_before_start(run)
    handler = _attach_log(run)
    run.update_status(state="running", started=time.time(), pid=os.getpid(), host=socket.gethostname(),
                      error=None, error_key=None)
    emit = (lambda event: listener(job.run_id, event)) if listener else None
    callback = ProgressCallback(run, job.stop_event, emit, max_minutes=job.recipe.train.max_minutes)
    try:
        result = train_run(job.recipe, run, callback, resume=job.resume, extra_callbacks=job.callbacks)
        status = run.update_status(**result, finished=time.time())
    except BaseException as exc:  # noqa: BLE001 - a job must end in a state, whatever happened
        log.error("run failed:\n%s", traceback.format_exc())
        known = _failure(exc)
        status = _record_failure(run, known.render() if known else render_error(exc), known)
        if isinstance(exc, KeyboardInterrupt):
            raise
    finally:
        run.clear_stop()
        _detach_log(handler)
        _release_memory()
    if emit:
        emit({"state": status["state"]})
    return status


def execute_in_subprocess(job: Job, listener: Listener | None = None) -> dict:
    """Run one job in a child process (`python -m studio train --resume RUN_DIR`) and supervise it.

    A web server training in one of its own threads shares the interpreter lock with every page
    request: on a small CPU, polls from an open page slowed training by a fifth or more. The child
    has the interpreter to itself; it reports through the run folder as any run does, the STOP
    file stops it, and a child that dies without a final state ends the job as `failed`."""
    from .paths import workspace

    run = job.run
    if job.stop_event.is_set() or run.stop_requested():
        return _stopped_before_start(run)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, STUDIO_HOME=str(workspace()),
               PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
    stderr_path = run.path / "process.log"
    with stderr_path.open("wb") as stderr:
        child = subprocess.Popen([sys.executable, "-m", "studio", "train", "--resume", str(run.path), "--quiet"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        # Running from the moment the process exists: the page shows it at once, not after the
        # child's imports, and the page's refresh on that change falls before training starts.
        run.update_status(state="running", started=time.time(), pid=child.pid, host=socket.gethostname(),
                          error=None, error_key=None)
        while child.poll() is None:
            if job.stop_event.wait(0.5):
                run.request_stop()  # the child checks the STOP file after each optimizer step
                child.wait()
    status = run.status()
    if status.get("state") not in FINAL_STATES:
        tail = stderr_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
        error = StudioError("train.err.process_ended", code=child.returncode, detail=" / ".join(tail)[-400:] or "-")
        status = _record_failure(run, error.render(), error)
    run.clear_stop()
    if listener:
        listener(job.run_id, {"state": status["state"]})
    return status


def _release_memory() -> None:
    gc.collect()
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except ImportError:
        pass


class JobManager:
    """Queues jobs and runs them one at a time per device in background threads.

    With `isolated` (the web studio), each job trains in a child process the thread supervises
    (see execute_in_subprocess); otherwise in the thread itself (the CLI, tests, notebooks)."""

    def __init__(self, listener: Listener | None = None, isolated: bool = False):
        self._listener = listener
        self._isolated = isolated
        self._jobs: dict[str, Job] = {}
        self._queues: dict[str, queue.Queue] = {}
        self._lock = threading.Lock()

    def submit(self, recipe: Recipe, resume_run: RunFolder | None = None, owner: str | None = None,
               one_per_owner: bool = False) -> Job:
        """Validate `recipe`, create its run folder (or reuse `resume_run`) and queue it.

        With `one_per_owner` (public demos), an owner with a job queued or running must wait for
        it, so that one visitor cannot fill the shared queue.
        """
        recipe = recipe.resolved().validate_for_training()
        if one_per_owner and any(j.owner == owner for j in self.active()):
            raise StudioError("demo.err.one_job")
        run = resume_run or create_run(recipe)
        if resume_run:
            run.update_status(state="queued", error=None)
        job = Job(run=run, recipe=recipe, resume=resume_run is not None, owner=owner)
        device = recipe.model.device if recipe.model.device != "auto" else "default"
        with self._lock:
            self._jobs[job.run_id] = job
            if device not in self._queues:
                self._queues[device] = queue.Queue()
                threading.Thread(target=self._work, args=(self._queues[device],), daemon=True,
                                 name=f"studio-jobs-{device}").start()
        self._queues[device].put(job)
        return job

    def _work(self, jobs: queue.Queue) -> None:
        while True:
            job = jobs.get()
            try:
                # Extra callbacks are Python objects a child process cannot receive: such jobs stay here.
                if self._isolated and not job.callbacks:
                    execute_in_subprocess(job, self._listener)
                else:
                    execute(job, self._listener)
            except Exception:  # noqa: BLE001 - execute records failures; the worker must survive
                log.exception("job %s", job.run_id)
            finally:
                job.done.set()

    def get(self, run_id: str) -> Job | None:
        return self._jobs.get(run_id)

    def jobs(self) -> list[Job]:
        return list(self._jobs.values())

    def active(self) -> list[Job]:
        return [j for j in self._jobs.values() if not j.done.is_set()]

    def stop(self, run_id: str) -> bool:
        job = self._jobs.get(run_id)
        if job is None or job.done.is_set():
            return False
        job.stop_event.set()
        job.run.request_stop()
        return True

    def wait(self, run_id: str, timeout: float | None = None) -> str:
        job = self._jobs[run_id]
        job.done.wait(timeout)
        return job.state

    def is_final(self, run_id: str) -> bool:
        job = self._jobs.get(run_id)
        return job is not None and job.state in FINAL_STATES
