"""Live progress and cooperative stop, as a TrainerCallback.

Each log becomes one JSON line in metrics.jsonl (step, loss, learning rate, grad norm, tokens/s,
elapsed, ETA, eval loss, and whatever else the trainer reports, e.g. reward and KL for RL). The
UI and the CLI read the same lines. A stop request (an event in this process, or the run's STOP
file from any process) ends training after the current optimizer step and saves a checkpoint.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from typing import Callable

from transformers import TrainerCallback

from .errors import TrainingError
from .runs import RunFolder

log = logging.getLogger(__name__)

# Summary values the trainer logs once at the end; they are not points of a curve.
_DROP = {"total_flos", "train_runtime", "train_samples_per_second", "train_steps_per_second", "epoch"}
# What a progress line shows, in order (metrics.jsonl keeps every value).
_DESCRIBED = (("loss", "loss"), ("eval_loss", "eval_loss"), ("learning_rate", "lr"), ("grad_norm", "grad_norm"),
              ("reward", "reward"), ("kl", "kl"), ("tokens_per_second", "tok/s"), ("eta", "eta_s"))


def describe(event: dict) -> str | None:
    """One line for a metrics event, as the CLI prints it and train.log keeps it; None for an event
    without a curve's value (the trainer's end summary)."""
    values = [(label, event[key]) for key, label in _DESCRIBED if key in event]
    if not any(label not in ("tok/s", "eta_s") for label, _ in values):
        return None
    parts = [f"step {event.get('step')}/{event.get('total_steps')}"]
    parts += [f"{label} {value:.4g}" if isinstance(value, float) else f"{label} {value}" for label, value in values]
    return "  ".join(parts)


class ProgressCallback(TrainerCallback):
    def __init__(self, run: RunFolder, stop_event: threading.Event | None = None,
                 listener: Callable[[dict], None] | None = None, max_minutes: float | None = None):
        self.run = run
        self.max_seconds = max_minutes * 60 if max_minutes else None
        self.stop_event = stop_event or threading.Event()
        self.listener = listener
        self.trainer = None  # set after the trainer exists: tokens are counted there
        self._start_time = None
        self._start_step = 0
        self._last = None  # (time, tokens) at the previous log, for tokens/s
        self.stopped = False

    def on_train_begin(self, args, state, control, **kwargs):
        self._start_time = time.time()
        self._start_step = state.global_step
        self._last = (self._start_time, self._tokens())

    def _tokens(self, logs: dict | None = None) -> int:
        counted = getattr(self.trainer, "studio_tokens", 0) if self.trainer is not None else 0
        # Trainers that generate (GRPO, RLOO) count their own tokens and log the running total.
        return counted or int((logs or {}).get("num_tokens", 0))

    def on_step_end(self, args, state, control, **kwargs):
        out_of_time = self.max_seconds is not None and time.time() - self._start_time > self.max_seconds
        if out_of_time and not self.stopped:
            self.run.update_status(stop_reason="time_limit")
        if self.stop_event.is_set() or self.run.stop_requested() or out_of_time:
            self.stopped = True
            control.should_training_stop = True
            control.should_save = True  # so that a resume continues from here

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = dict(logs or {})
        now = time.time()
        event = {"step": state.global_step, "total_steps": state.max_steps, "time": now,
                 "epoch": round(state.epoch or 0.0, 4)}
        for key, value in logs.items():
            if key in _DROP or not isinstance(value, (int, float)):
                continue
            event[key] = float(value)
        if "loss" in event and not math.isfinite(event["loss"]):
            raise TrainingError("train.err.nan", step=state.global_step)
        elapsed = now - (self._start_time or now)
        done = state.global_step - self._start_step
        if done > 0 and state.max_steps:
            event["eta"] = elapsed / done * (state.max_steps - state.global_step)
        event["elapsed"] = elapsed
        if "loss" in event:  # a training log: measure throughput since the previous one
            tokens = self._tokens(logs)
            then, tokens_then = self._last
            if now > then and tokens > tokens_then:
                event["tokens_per_second"] = (tokens - tokens_then) / (now - then)
            self._last = (now, tokens)
        self.run.append_metrics(event)
        line = describe(event)
        if line:  # the log tail the Train tab shows follows the run too
            log.info("%s", line)
        self.run.update_status(step=state.global_step, total_steps=state.max_steps)
        if self.listener:
            self.listener(event)
