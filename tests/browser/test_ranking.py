"""The ranking tab in a real browser: type prompts, generate answers, rank them with the keyboard
and the mouse (with a tie), submit, and find the ranking in the store; then kill -9 the studio,
start it again on the same workspace, and find the ranking still there, in the store and in the
page's progress count. Runs its own studio (not the shared one): it has to kill it."""
from __future__ import annotations

import os
import signal

from studio.feedback import FeedbackStore

from .conftest import start_studio, stop_studio
from .test_studio import shot, tab, wait_text

PROMPTS = ["Say something about cats", "Say something about rain"]


def _open(browser_context, url: str):
    page = browser_context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url)
    page.wait_for_selector("#lang-select")
    return page


def _judgements(home) -> list:
    return [j for j in FeedbackStore(home / "feedback.sqlite").judgements() if j.kind == "ranking"]


def test_a_ranking_survives_kill_minus_9(browser, artifacts, base_model, tmp_path):
    home = tmp_path / "home"
    log = artifacts / "server-ranking.log"
    log.write_text("", encoding="utf-8")
    proc, url, _ = start_studio(home, log)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        page = _open(context, url)
        if base_model != "builtin":  # the answers come from the model the Model tab names
            box = page.locator("#model-name input")
            box.fill(base_model)
            box.press("Enter")
            wait_text(page, "#model-estimate", r"read from the folder")
        tab(page, "ranking")
        page.locator("#ranking-annotator input").fill("ana")
        page.locator("#ranking-prompts-input textarea").fill("\n".join(PROMPTS))
        page.locator("#ranking-add-prompts").click()
        wait_text(page, "#ranking-prompts-status", r"Added 2 prompt")
        page.locator("#ranking-model input").click()
        page.get_by_role("option", name=f"Base model alone: {base_model}").click()
        for slider, value in (("#ranking-k", "3"), ("#ranking-max-new-tokens", "12")):
            number = page.locator(f"{slider} input[type=number]")
            number.fill(value)
            number.press("Enter")
        page.locator("#ranking-generate").click()
        wait_text(page, "#ranking-prompts-status", r"^Wrote \d+ new answer", timeout=120)
        wait_text(page, "#ranking-queue", r"Prompt #1")
        shown = sum(page.locator(f"#ranking-candidate-{i}").is_visible() for i in range(6))
        assert shown >= 2

        # Keyboard: focus the first answer, "1" ranks it and moves on, "2" ranks the next; the mouse
        # ties a third answer with the second. Ctrl+Enter submits.
        page.locator("#ranking-candidate-0").click()
        page.keyboard.press("1")
        page.keyboard.press("2")
        if shown >= 3:
            page.locator("#ranking-rank-2").get_by_text("2", exact=True).click()
        shot(page, artifacts, "ranking-01-ranked")
        page.keyboard.press("Control+Enter")
        wait_text(page, "#ranking-status", r"Saved your ranking of prompt #1")
        wait_text(page, "#ranking-progress", r"1 / 2 prompts judged by you")
        wait_text(page, "#ranking-queue", r"Prompt #2")
        (stored,) = _judgements(home)
        assert stored.annotator == "ana" and sorted(stored.marks.values()) == [1, 2, 2][:min(shown, 3)]
        wait_text(page, "#ranking-pairs-count", rf"{1 if shown == 2 else 2} pairs from 1 rankings")
        shot(page, artifacts, "ranking-02-saved")

        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        proc, url, _ = start_studio(home, log, port=int(url.rstrip("/").rsplit(":", 1)[1]))
        page = _open(context, url)          # the same browser and address: it remembers the annotator
        tab(page, "ranking")
        wait_text(page, "#ranking-progress", r"1 / 2 prompts judged by you")
        assert page.locator("#ranking-annotator input").input_value() == "ana"
        wait_text(page, "#ranking-queue", r"Prompt #2")
        assert [j.marks for j in _judgements(home)] == [stored.marks]
        shot(page, artifacts, "ranking-03-after-restart")

        page.locator("#lang-select").get_by_text("中文", exact=True).click()
        wait_text(page, "#ranking-progress", r"你已判断 1 / 2", timeout=20)
        wait_text(page, "#ranking-submit", r"提交")
        shot(page, artifacts, "ranking-04-zh")
    finally:
        context.close()
        stop_studio(proc)
    text = log.read_text(encoding="utf-8")
    assert "Traceback" not in text, text[text.index("Traceback"):][:3000]
