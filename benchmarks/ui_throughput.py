"""Training started from the web page against the same recipe from the CLI, side by side.

    python benchmarks/ui_throughput.py [--steps 300] [--rounds 6]     # about 13 minutes

The UI side starts `python app.py`, opens it in headless Chromium (Playwright, Debian's
chromium), sets the quickstart preset's steps, presses Start and keeps the page open on the Train
tab, so its progress bar and charts poll the server during the whole run, as a user's page would. The CLI side runs
`python -m studio train quickstart train.max_steps=N`. Each round runs both, the first side
alternating from round to round. The ratio is UI / CLI in
optimizer steps per second over the training loop (`train_seconds` in status.json), medians over the
rounds; each round's own ratio is kept too. Both sides must have trained the same recipe.
Results go to benchmarks/results/ui_throughput.json.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


def _env(home: str) -> dict:
    return dict(os.environ, STUDIO_HOME=home, HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False")


def _status(home: str) -> dict:
    found = list(Path(home, "runs").glob("*/status.json"))
    return json.loads(found[0].read_text()) if found else {}


def _recipe(home: str) -> dict:
    """The recipe the run trained, less where it was written: both sides must train the same thing."""
    import yaml

    recipe = yaml.safe_load(next(Path(home, "runs").glob("*/recipe.yaml")).read_text())
    recipe.pop("output", None)
    return recipe


def cli_side(steps: int) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as home:
        subprocess.run([sys.executable, "-m", "studio", "train", "quickstart", f"train.max_steps={steps}", "--quiet"],
                       cwd=ROOT, env=_env(home), check=True, capture_output=True)
        return _status(home)["train_seconds"], _recipe(home)


def ui_side(steps: int) -> tuple[float, dict]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        app = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=_env(home),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/"
            for _ in range(300):
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=FLAGS)
                page = browser.new_page()
                page.goto(url)
                # The steps field lives on the Method tab; the recipe command there confirms the edit
                # reached the recipe before the Train tab's Start reads it.
                page.locator("#tab-method-button").click()
                steps_box = page.locator("#train-max-steps input")
                steps_box.fill(str(steps))
                steps_box.press("Tab")
                page.wait_for_function(
                    "n => (document.querySelector('#recipe-command')?.innerText || '')"
                    ".includes('train.max_steps=' + n)", arg=steps, timeout=60_000)
                page.locator("#tab-train-button").click()
                page.locator("#train-start").click()
                while _status(home).get("state") not in ("completed", "failed", "stopped"):
                    time.sleep(1.0)
                browser.close()
            status = _status(home)
            if status["state"] != "completed" or status.get("step") != steps:
                raise SystemExit(f"UI run ended {status.get('state')} at step {status.get('step')}: {status.get('error')}")
            return status["train_seconds"], _recipe(home)
        finally:
            app.terminate()
            app.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)  # long runs: single rounds of 120 steps varied by +-15%
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    rates = {"cli": [], "ui": []}
    for round_ in range(args.rounds):
        recipes = {}
        sides = (("cli", cli_side), ("ui", ui_side))
        for side, measure in sides if round_ % 2 == 0 else sides[::-1]:  # a drift in speed favours neither
            seconds, recipes[side] = measure(args.steps)
            rates[side].append(args.steps / seconds)
            print(f"round {round_ + 1} {side}: {rates[side][-1]:.3f} steps/s", flush=True)
        if recipes["cli"] != recipes["ui"]:
            raise SystemExit(f"the two sides trained different recipes: {recipes}")
    pairs = [ui / cli for ui, cli in zip(rates["ui"], rates["cli"])]
    summary = {"benchmark": "quickstart training started from the web page vs the CLI", "steps": args.steps,
               "rounds": args.rounds, "steps_per_s": rates,
               "ratio": statistics.median(rates["ui"]) / statistics.median(rates["cli"]),
               "round_ratios": [round(r, 3) for r in pairs], "date": time.strftime("%Y-%m-%d")}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "ui_throughput.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"ratio UI/CLI = {summary['ratio']:.3f} (target >= 0.95)")


if __name__ == "__main__":
    main()
