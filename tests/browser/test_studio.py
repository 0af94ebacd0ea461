"""A user's first session, in a real browser: upload data, start from the quickstart preset with a
short run, watch the loss curve grow, stay responsive meanwhile, see the run complete, compare
answers before and after, and switch to Chinese. The tests run in order and share one page."""
from __future__ import annotations

import re
import time

import pytest

from .conftest import ROOT

STEPS = 120  # long enough to see the curves grow while it trains
TABS = ("model", "data", "method", "train", "chat", "ranking", "export")


@pytest.fixture(scope="module")
def page(browser, studio_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(studio_url)
    page.wait_for_selector("#lang-select")
    yield page
    context.close()


def tab(page, name: str) -> None:
    page.locator(f"#tab-{name}-button").click()


def shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def wait_text(page, selector: str, pattern: str, timeout: float = 60) -> str:
    """Poll an element's text until `pattern` (a regex) appears; returns the text."""
    deadline = time.time() + timeout
    text = ""
    while time.time() < deadline:
        text = page.locator(selector).inner_text()
        if re.search(pattern, text):
            return text
        page.wait_for_timeout(250)
    raise AssertionError(f"{selector}: no /{pattern}/ within {timeout}s; last text: {text[:300]!r}")


def loss_points(page) -> int:
    found = re.search(r"points logged: (\d+)", page.locator("#loss-plot").inner_text())
    return int(found.group(1)) if found else 0


def test_page_opens_on_the_model_tab(page, artifacts, base_model):
    for name in TABS:
        assert page.locator(f"#tab-{name}-button").count() == 1, name
    wait_text(page, "#model-estimate", r"parameters")
    if base_model != "builtin":  # the built-in weights are not there yet: a tiny local model stands in
        box = page.locator("#model-name input")
        box.fill(base_model)
        box.press("Enter")
        wait_text(page, "#model-estimate", r"read from the folder")
    shot(page, artifacts, "01-model")


def test_an_idle_page_asks_for_few_animation_frames(browser, studio_url):
    """Gradio's page loader leaves a 60-frames-a-second timer running; the studio's frame budget,
    first in the page's <head>, slows any loop older than a second to four frames a second. A
    counter put under everything (an init script runs before the page's own) sees what reaches
    the browser."""
    context = browser.new_context()
    context.add_init_script("""
        window.framesAsked = 0;
        const native = window.requestAnimationFrame.bind(window);
        window.requestAnimationFrame = (cb) => { window.framesAsked++; return native(cb); };
    """)
    idle = context.new_page()
    try:
        idle.goto(studio_url)
        idle.wait_for_selector("#lang-select")
        assert idle.evaluate("window.studioFrameBudget") is True
        assert "studioFrameBudget" in idle.evaluate("document.head.querySelector('script').textContent")
        idle.wait_for_timeout(9000)  # the first seconds load and draw the tabs
        before = idle.evaluate("window.framesAsked")
        idle.wait_for_timeout(3000)
        frames = idle.evaluate("window.framesAsked") - before
        assert frames < 40, f"{frames} animation frames asked for in 3 s by an idle page (60 a second without the budget)"
    finally:
        context.close()


def test_upload_shows_format_preview_and_stats(page, artifacts):
    tab(page, "data")
    page.locator("#data-upload input[type=file]").set_input_files(str(ROOT / "assets/data/tasks/train.jsonl"))
    page.wait_for_function("() => document.querySelector('#data-path textarea, #data-path input')"
                           ".value.includes('uploads')")
    wait_text(page, "#data-summary", r"alpaca.*rows", timeout=90)
    wait_text(page, "#data-stats", r"Tokens per example", timeout=60)
    assert page.locator("#data-preview").inner_text().count("\n") > 5
    shot(page, artifacts, "02-data")


def test_quickstart_with_a_short_run(page, artifacts):
    tab(page, "method")
    assert page.locator("#recipe-preset input").input_value().startswith("quickstart")
    steps = page.locator("#train-max-steps input")
    steps.fill(str(STEPS))
    steps.press("Tab")
    command = wait_text(page, "#recipe-command", rf"train\.max_steps={STEPS}")
    assert "python -m studio train quickstart" in command and "data.path=" in command
    shot(page, artifacts, "03-method")


def test_training_shows_live_progress_and_completes(page, artifacts, browser, studio_url):
    tab(page, "train")
    page.locator("#train-start").click()
    wait_text(page, "#train-status", r"Queued|Running", timeout=60)

    # The loss curve gains points while the run trains.
    seen, deadline = set(), time.time() + 240
    responsive_checked = reattach_checked = False
    while time.time() < deadline:
        status = page.locator("#train-status").inner_text()
        seen.add(loss_points(page))
        if "Running" in status and not responsive_checked and max(seen) >= 1:
            _check_responsive_while_training(page, artifacts)
            responsive_checked = True
            tab(page, "train")
        if "Running" in status and not reattach_checked:
            _check_reload_reattaches(browser, studio_url, artifacts)
            reattach_checked = True
        if re.search("Completed|Failed|Stopped", status):
            break
        page.wait_for_timeout(500)
    status = page.locator("#train-status").inner_text()
    shot(page, artifacts, "04-train-done")
    assert "Completed" in status, status
    seen.add(loss_points(page))
    growing = sorted(p for p in seen if p)
    assert len(growing) >= 2, f"the loss chart never gained points while running: {seen}"
    assert "Final loss" in status
    assert responsive_checked and reattach_checked
    wait_text(page, "#train-progress", rf"Step {STEPS} / {STEPS}")


def _check_responsive_while_training(page, artifacts) -> None:
    """A change in another tab is answered within a couple of seconds while the run trains."""
    tab(page, "model")
    started = time.time()
    page.locator("#model-quantization").get_by_text("8-bit", exact=True).click()
    wait_text(page, "#model-estimate", r"Weights \(8-bit\)", timeout=10)
    elapsed = time.time() - started
    (artifacts / "responsiveness.txt").write_text(f"estimate answered in {elapsed:.2f} s during training\n")
    shot(page, artifacts, "04-responsive-during-training")
    page.locator("#model-quantization").get_by_text("None (full precision)", exact=True).click()
    wait_text(page, "#model-estimate", r"Weights \(None", timeout=10)
    assert elapsed < 3.0, f"the page took {elapsed:.1f}s to answer during training"


def _check_reload_reattaches(browser, studio_url, artifacts) -> None:
    """A page opened while the run trains finds the run and follows it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    other = context.new_page()
    other.goto(studio_url)
    other.wait_for_selector("#lang-select")
    other.locator("#tab-train-button").click()
    wait_text(other, "#train-status", r"Running|Completed", timeout=30)
    shot(other, artifacts, "04-reloaded-page")
    context.close()


def test_chat_before_and_after(page, artifacts):
    tab(page, "chat")
    page.wait_for_function("() => document.querySelector('#chat-model input').value.includes('quickstart')")
    page.locator("#chat-input textarea").fill("What is the capital of France?")
    page.locator("#chat-send").click()
    wait_text(page, "#chat-status", r"^Done", timeout=180)
    before = page.locator("#chat-before [data-testid=bot]").all_inner_texts()
    after = page.locator("#chat-after [data-testid=bot]").all_inner_texts()
    shot(page, artifacts, "05-chat")
    assert len(before) == len(after) == 1
    assert before[0].strip() != after[0].strip(), (before, after)


def test_switch_to_chinese(page, artifacts):
    page.locator("#lang-select").get_by_text("中文", exact=True).click()
    wait_text(page, "#tab-model-button", "模型", timeout=15)
    assert "开始训练" in page.locator("#train-start").inner_text()
    assert "发送" in page.locator("#chat-send").inner_text()
    for number, name in enumerate(TABS, start=1):
        tab(page, name)
        page.wait_for_timeout(1200 if name in ("model", "data", "method") else 500)
        shot(page, artifacts, f"06-zh-{number}-{name}")
    tab(page, "method")
    wait_text(page, "#method-guide", "冻结基座")
    tab(page, "train")
    wait_text(page, "#train-status", "已完成")


def test_the_server_logged_no_errors(page, artifacts):
    page.wait_for_timeout(1000)
    log = (artifacts / "server.log").read_text(encoding="utf-8")
    assert "Traceback" not in log, log[log.index("Traceback"):][:3000]
