"""A public demo studio in a real browser: its login, its limits, then evaluating, comparing and
exporting a finished run (a demo does all three on its own runs), in English and in Chinese.

The app runs in demo mode with its own workspace; a short run is trained from the CLI while the
app starts, so these tests run alone or after the first-session tests, in either order."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from .conftest import ROOT, start_studio, stop_studio
from .test_studio import shot, tab, wait_text

TOKEN = "hf_browser_secret_123"


@pytest.fixture(scope="module")
def demo_studio(tmp_path_factory, artifacts, base_model):
    """(url, run id): `python app.py --demo --auth visitor:pw`, with one short finished run."""
    home = tmp_path_factory.mktemp("demo-home")
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    train = subprocess.Popen([sys.executable, "-m", "studio", "train", "quickstart", f"model.name={base_model}",
                              "data.path=assets/data/en/alpaca.json", "data.eval_path=null", "train.max_steps=3",
                              "train.batch_size=4", "data.max_length=64", "--quiet"],
                             cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    log = artifacts / "server-demo.log"
    log.write_text("", encoding="utf-8")
    proc, url, _ = start_studio(home, log, args=("--demo", "--auth", "visitor:pw"))
    try:
        out, err = train.communicate(timeout=300)
        assert train.returncode == 0, err[-2000:]
        yield url, out.strip().splitlines()[-1].rsplit("/", 1)[-1]
    finally:
        stop_studio(proc)


@pytest.fixture(scope="module")
def page(browser, demo_studio):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def test_demo_asks_for_a_login_then_shows_its_limits(page, demo_studio, artifacts):
    page.goto(demo_studio[0])
    page.locator("input[type=password]").wait_for()
    shot(page, artifacts, "09-demo-login")
    page.locator("input").first.fill("visitor")
    page.locator("input[type=password]").fill("pw")
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector("#lang-select")
    assert not page.locator("#model-trust-remote-code").is_visible()
    tab(page, "data")
    assert page.locator("#data-path textarea, #data-path input").first.is_disabled()
    tab(page, "method")  # an edit rebuilds the recipe from every widget: none may refuse its value
    steps = page.locator("#train-max-steps input")
    steps.fill("5000")
    steps.press("Tab")
    wait_text(page, "#recipe-command", r"train\.max_steps=5000")
    tab(page, "train")
    wait_text(page, "#train-limits", r"at most 300 steps")
    page.locator("#train-start").click()  # over the demo's step limit: refused, with the reason
    wait_text(page, "#train-status", r"train\.max_steps must be between 1 and 300")
    shot(page, artifacts, "09-demo-train")


def test_evaluate_shows_table_chart_and_forgetting(page, artifacts, demo_studio):
    tab(page, "evaluate")
    page.wait_for_function(f"() => document.querySelector('#eval-run input').value.includes('{demo_studio[1]}')")
    wait_text(page, "#eval-summary", r"not been evaluated")
    examples = page.locator("#eval-max-examples input[type=number]")
    examples.fill("3")
    examples.press("Enter")
    started = time.time()
    page.locator("#eval-start").click()
    wait_text(page, "#eval-progress", r"Evaluation finished", timeout=180)
    (artifacts / "evaluation-time.txt").write_text(f"evaluated 3 examples in {time.time() - started:.1f} s\n")
    table = page.locator("#eval-table").inner_text()
    assert "Loss (lower is better)" in table and "Exact match" in table
    wait_text(page, "#eval-forgetting", r"Forgetting check|forgetting check did not run")
    assert page.locator("#eval-chart").is_visible()
    page.wait_for_timeout(500)  # the chart draws after its data arrives
    shot(page, artifacts, "07-evaluate")


def test_compare_lines_runs_up(page, artifacts, demo_studio):
    page.locator("#compare-runs input").click()
    page.locator("[role=option]").first.click()
    page.locator("#compare-start").click()
    wait_text(page, "#compare-note", r"run\(s\) compared", timeout=120)
    assert demo_studio[1] in page.locator("#compare-table").inner_text()
    shot(page, artifacts, "07-compare")


def test_export_writes_card_and_zip_and_the_token_never_stays(page, artifacts):
    tab(page, "export")
    wait_text(page, "#export-kind-note", r"adapter alone")
    page.locator("#export-name textarea, #export-name input").first.fill("../../my export")
    page.locator("#export-start").click()
    wait_text(page, "#export-status", r"Exported to .*/exports/my_export", timeout=120)
    wait_text(page, "#export-card", r"Training")
    assert ".zip" in page.locator("#export-download").inner_text()
    page.locator("#export-push-section").get_by_text("Push to the Hugging Face Hub").first.click()
    page.locator("#export-push-repo textarea, #export-push-repo input").first.fill("someone/tiny-model")
    token = page.locator("#export-push-token input")
    token.fill(TOKEN)
    assert page.locator("#export-push-private input").is_checked()
    page.locator("#export-push").click()
    wait_text(page, "#export-push-status", r"⚠️|✅", timeout=60)  # offline here: the push fails, politely
    assert token.input_value() == "" and TOKEN not in page.content()
    shot(page, artifacts, "08-export")


def test_everything_in_chinese(page, artifacts):
    t0=time.time()
    page.locator("#lang-select").get_by_text("中文", exact=True).click()
    wait_text(page, "#tab-export-button", "导出", timeout=15)
    print("T tabs", time.time()-t0)
    wait_text(page, "#export-status", r"已导出到")
    print("T status", time.time()-t0)
    wait_text(page, "#export-push-status", r"失败")
    print("T push", time.time()-t0)
    shot(page, artifacts, "08-zh-export")
    print("T shot", time.time()-t0)
    tab(page, "evaluate")
    wait_text(page, "#eval-table", r"指标", timeout=15)
    print("T evtable", time.time()-t0)
    wait_text(page, "#compare-table", r"方法", timeout=15)
    print("T cmp", time.time()-t0)
    shot(page, artifacts, "07-zh-evaluate")
    print("T shot2", time.time()-t0)
    tab(page, "train")
    wait_text(page, "#train-limits", r"公开工作室", timeout=15)
    shot(page, artifacts, "09-zh-demo-train")
    assert TOKEN not in page.content()
