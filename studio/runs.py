"""Run folders and the run registry.

A run folder holds everything about one run, so it can be copied, inspected or resumed alone:

    recipe.yaml      the resolved recipe          status.json   state, error, sizes, timings
    metrics.jsonl    one JSON event per line      train.log     the full log, tracebacks included
    model/           what the run trained         checkpoints/  for resuming
    data/            the validation split as used  STOP          present while a stop is requested

The registry (SQLite in the workspace) lists runs for the UI; status.json stays the truth.
"""
from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from .errors import StudioError
from .paths import database, runs_dir

STATES = ("queued", "running", "completed", "failed", "stopped")
FINAL_STATES = ("completed", "failed", "stopped")


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path).resolve()
        self._lock = threading.Lock()

    # --- layout ---
    recipe_path = property(lambda self: self.path / "recipe.yaml")
    status_path = property(lambda self: self.path / "status.json")
    metrics_path = property(lambda self: self.path / "metrics.jsonl")
    log_path = property(lambda self: self.path / "train.log")
    model_dir = property(lambda self: self.path / "model")
    checkpoints_dir = property(lambda self: self.path / "checkpoints")
    data_dir = property(lambda self: self.path / "data")
    stop_path = property(lambda self: self.path / "STOP")

    @property
    def run_id(self) -> str:
        return self.path.name

    # --- status ---
    def status(self) -> dict:
        try:
            return json.loads(self.status_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def update_status(self, **fields) -> dict:
        """Merge `fields` into status.json atomically (readers never see a half-written file)."""
        with self._lock:
            status = self.status()
            status.update(fields, updated=time.time())
            tmp = self.status_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(status, indent=2, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, self.status_path)
        Registry().record(self, status)
        return status

    def state(self) -> str:
        """The recorded state, except that a `running` run whose process is gone is `failed`."""
        status = self.status()
        state = status.get("state", "queued")
        if state in ("running", "queued") and not _process_alive(status):
            return "failed"
        return state

    # --- metrics ---
    def append_metrics(self, event: dict) -> None:
        with open(self.metrics_path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(event, ensure_ascii=False) + "\n")

    def metrics(self, since_line: int = 0) -> list[dict]:
        if not self.metrics_path.exists():
            return []
        events = []
        with open(self.metrics_path, encoding="utf-8") as fh:
            for index, line in enumerate(fh):
                if index >= since_line and line.strip():
                    try:
                        events.append(json.loads(line))
                    except ValueError:  # a line being written right now
                        break
        return events

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, encoding="utf-8", errors="replace") as fh:
            return "".join(fh.readlines()[-lines:])

    # --- stop ---
    def request_stop(self) -> None:
        """Ask the run to stop after its current step; works across processes."""
        self.stop_path.touch()

    def stop_requested(self) -> bool:
        return self.stop_path.exists()

    def clear_stop(self) -> None:
        self.stop_path.unlink(missing_ok=True)

    def last_checkpoint(self) -> Path | None:
        if not self.checkpoints_dir.is_dir():
            return None
        # trainer_state.json is the Trainer's last write to a checkpoint: a folder without it was cut
        # short (a killed process) and cannot be resumed from.
        found = [p for p in self.checkpoints_dir.glob("checkpoint-*")
                 if p.name.split("-")[-1].isdigit() and (p / "trainer_state.json").is_file()]
        return max(found, key=lambda p: int(p.name.split("-")[-1]), default=None)


def _process_alive(status: dict) -> bool:
    pid, host = status.get("pid"), status.get("host")
    if not pid or host != socket.gethostname():
        return True  # cannot tell from here: trust the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:60] or "run"


def create_run(recipe) -> RunFolder:
    """A new, empty run folder for `recipe` (resolved), with recipe.yaml and a `queued` status."""
    if recipe.output.dir:
        path = Path(recipe.output.dir).expanduser()
        if (path / "status.json").exists():
            raise StudioError("run.err.exists", path=str(path))
    else:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        base = runs_dir() / f"{_slug(recipe.output.name or recipe.name)}-{stamp}"
        path, n = base, 1
        while path.exists():
            n += 1
            path = base.with_name(f"{base.name}-{n}")
    path.mkdir(parents=True, exist_ok=True)
    run = RunFolder(path)
    recipe.save(run.recipe_path)
    run.update_status(state="queued", created=time.time(), name=recipe.name, method=recipe.method.kind,
                      objective=recipe.objective.kind, model=recipe.model.name, error=None)
    return run


# --- registry ----------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, path TEXT NOT NULL, name TEXT, state TEXT, method TEXT,
    objective TEXT, model TEXT, created REAL, updated REAL, status_json TEXT
)"""


class Registry:
    """The list of runs, in SQLite so that several processes (CLI and app) can share it."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else database("runs.sqlite")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(_SCHEMA)
        return conn

    def record(self, run: RunFolder, status: dict) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute(
                "INSERT OR REPLACE INTO runs VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run.run_id, str(run.path), status.get("name"), status.get("state"), status.get("method"),
                 status.get("objective"), status.get("model"), status.get("created"), status.get("updated"),
                 json.dumps(status, ensure_ascii=False)))

    def runs(self, state: str | None = None) -> list[dict]:
        """Newest first; each row is the run's status plus `run_id`, `path` and its live `state`."""
        with closing(self._connect()) as conn:
            rows = conn.execute("SELECT run_id, path, status_json FROM runs ORDER BY created DESC").fetchall()
        out = []
        for run_id, path, status_json in rows:
            if not Path(path).is_dir():
                continue  # deleted by hand
            status = json.loads(status_json or "{}")
            status.update(run_id=run_id, path=path, state=RunFolder(path).state())
            if state is None or status["state"] == state:
                out.append(status)
        return out

    def path_of(self, run_id: str) -> str | None:
        """The folder of run `run_id`, or None when it is not recorded or was deleted by hand."""
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT path FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return row[0] if row and Path(row[0]).is_dir() else None

    def forget(self, run_id: str) -> None:
        with closing(self._connect()) as conn, conn:
            conn.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
