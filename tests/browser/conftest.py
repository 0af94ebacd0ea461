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


@pytest.fixture(scope="session")
def studio_url(tmp_path_factory, artifacts):
    """`python app.py` on a free port; records the time until the first page is served."""
    home = tmp_path_factory.mktemp("studio-home")
    port = _free_port()
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "GRADIO_ANALYTICS_ENABLED": "False", "TOKENIZERS_PARALLELISM": "false"}
    log = open(artifacts / "server.log", "w", encoding="utf-8")
    started = time.time()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode}; see {artifacts / 'server.log'}")
            try:
                if urllib.request.urlopen(url, timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.time() - started > 120:
                pytest.fail("the app did not serve its page within 120 s")
            time.sleep(0.2)
        (artifacts / "time-to-first-page.txt").write_text(f"{time.time() - started:.2f} s\n")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


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
