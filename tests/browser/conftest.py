"""Browser tests: the real app in a subprocess (its own workspace, offline), driven by Playwright
with Debian's chromium. Skipped, with the reason, where playwright or chromium is missing.

    python -m pytest tests/browser -q          # screenshots land in test-artifacts/browser/
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("STUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def start_studio(home: Path, log_path: Path, port: int | None = None, timeout: float = 120, args: tuple = ()
                 ) -> tuple[subprocess.Popen, str, float]:
    """`python app.py` with workspace `home` on `port` (default: a free one): (process, url, seconds
    to the first page). A restart on the same port is the same origin to the browser (its storage)."""
    port = port or _free_port()
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}
    log = open(log_path, "a", encoding="utf-8")
    started = time.time()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    log.close()  # the child keeps its own handle
    url = f"http://127.0.0.1:{port}/"
    while True:
        if proc.poll() is not None:
            pytest.fail(f"the app exited with {proc.returncode}; see {log_path}")
        try:
            if urllib.request.urlopen(url, timeout=2).status == 200:
                return proc, url, time.time() - started
        except OSError:
            pass
        if time.time() - started > timeout:
            stop_studio(proc)
            pytest.fail(f"the app did not serve its page within {timeout:.0f} s")
        time.sleep(0.2)


def stop_studio(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(15)


@pytest.fixture(scope="session")
def studio_url(tmp_path_factory, artifacts):
    """`python app.py` on a free port; records the time until the first page is served."""
    log_path = artifacts / "server.log"
    log_path.write_text("", encoding="utf-8")
    proc, url, seconds = start_studio(tmp_path_factory.mktemp("studio-home"), log_path)
    try:
        (artifacts / "time-to-first-page.txt").write_text(f"{seconds:.2f} s\n")
        yield url
    finally:
        stop_studio(proc)


@pytest.fixture(scope="session")
def browser():
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                     headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def base_model(tmp_path_factory) -> str:
    """The built-in model; until its weights exist, a tiny local model typed into the model box
    (STUDIO_BROWSER_MODEL names another folder to use instead)."""
    if os.environ.get("STUDIO_BROWSER_MODEL"):
        return os.environ["STUDIO_BROWSER_MODEL"]
    if (ROOT / "assets" / "builtin-model" / "config.json").exists():
        return "builtin"
    from tests.tiny import tiny_model_dir

    return str(tiny_model_dir("llama", tmp_path_factory.mktemp("tiny")))
