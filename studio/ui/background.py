"""Slow work (evaluation, merging) in a thread of its own, with its progress as a stream of events.

    for kind, value in in_background(lambda report: evaluate_run(path, progress=report)):
        ...  # ("stage", name) as the work reports, ("tick", seconds) while it is quiet,
             # then ("done", result) or ("error", exception)

A Gradio generator handler iterates this and yields a page update per event: the work never
blocks the event loop, and the page shows which stage is running and for how long.
"""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Iterator

TICK_SECONDS = 1.0


def in_background(work: Callable[[Callable[[str], None]], Any],
                  tick: float = TICK_SECONDS) -> Iterator[tuple[str, Any]]:
    events: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            events.put(("done", work(lambda stage: events.put(("stage", stage)))))
        except BaseException as exc:  # noqa: BLE001 - handed to the page, which explains it
            events.put(("error", exc))

    started = time.monotonic()
    threading.Thread(target=run, daemon=True, name="studio-background").start()
    while True:
        try:
            kind, value = events.get(timeout=tick)
        except queue.Empty:
            yield "tick", time.monotonic() - started
            continue
        yield kind, value
        if kind in ("done", "error"):
            return
