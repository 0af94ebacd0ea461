"""The app's own state, made once per app by the builder and closed over by the handlers.

Nothing here lives at module level: two apps in one process (tests do that) share nothing.
Heavy libraries load on first use: the job manager pulls in transformers, the chat model torch.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class AppContext:
    demo: bool = False
    _jobs: Any = None
    _chat: tuple[str, Any] | None = None           # (what was loaded, LoadedRun): one at a time
    _tokenizers: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _chat_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def jobs(self):
        """The JobManager, created (and transformers imported) when the first job is started."""
        with self._lock:
            if self._jobs is None:
                from ..jobs import JobManager

                # Each run trains in a child process: the page's requests never compete with it.
                self._jobs = JobManager(isolated=True)
            return self._jobs

    @property
    def has_jobs(self) -> bool:
        return self._jobs is not None

    def active_job(self):
        """The newest job of this app that has not finished, if any (without creating the manager)."""
        if self._jobs is None:
            return None
        active = self._jobs.active()
        return active[-1] if active else None

    def chat_model(self, target: str):
        """The LoadedRun for `target` (a run folder, or `base:<model name>`), kept until another
        target is asked for: loading takes seconds, answering many prompts should not."""
        with self._chat_lock:
            if self._chat is not None and self._chat[0] == target:
                return self._chat[1]
            from ..loading import load_base, load_run

            self._chat = None  # let the previous model go before the next one loads
            loaded = load_base(target.removeprefix("base:")) if target.startswith("base:") else load_run(target)
            self._chat = (target, loaded)
            return loaded

    def forget_chat_model(self) -> None:
        with self._chat_lock:
            self._chat = None

    def tokenizer(self, model_name: str):
        """A tokenizer for data statistics, cached per model name; None when it cannot be loaded."""
        with self._lock:
            if model_name not in self._tokenizers:
                from ..models import load_tokenizer, resolve_source

                try:
                    self._tokenizers[model_name] = load_tokenizer(resolve_source(model_name))
                except Exception:  # noqa: BLE001 - offline hub id, broken folder: stats go without tokens
                    self._tokenizers[model_name] = None
            return self._tokenizers[model_name]
