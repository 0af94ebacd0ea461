"""What the web server adds around Gradio so an open page costs the training little: the early
scripts in each HTML page (and nothing else touched), and a calmer idle queue."""
import pytest

pytest.importorskip("gradio")

from starlette.applications import Starlette  # noqa: E402
from starlette.middleware import Middleware  # noqa: E402
from starlette.responses import HTMLResponse, JSONResponse, StreamingResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from studio.ui.launch import IDLE_QUEUE_POLL, ease_idle_queue  # noqa: E402
from studio.ui.page_head import EarlyScripts, early_scripts, insert_after_head  # noqa: E402

PAGE = "<!doctype html><html><head lang='en'><title>t</title><script src='gradio.js'></script></head><body>hi</body></html>"


def test_the_snippet_goes_right_after_the_opening_head_tag():
    out = insert_after_head(PAGE.encode(), b"<script>first()</script>").decode()
    assert out.index("<script>first()</script>") == out.index("<head lang='en'>") + len("<head lang='en'>")
    assert out.index("first()") < out.index("gradio.js")
    assert insert_after_head(b"no head here", b"<x>") == b"no head here"


def _client():
    async def page(request):
        return HTMLResponse(PAGE)

    async def data(request):
        return JSONResponse({"html": "<head>"})

    async def events(request):
        async def stream():
            for i in range(3):
                yield f"data: <head>{i}\n\n"
        return StreamingResponse(stream(), media_type="text/event-stream")

    app = Starlette(routes=[Route("/", page), Route("/data", data), Route("/events", events),
                            Route("/post", page, methods=["POST"])],
                    middleware=[Middleware(EarlyScripts)])
    return TestClient(app)


def test_html_pages_get_the_frame_budget_first_and_a_correct_length():
    client = _client()
    page = client.get("/")
    assert page.status_code == 200
    assert page.text.startswith("<!doctype html><html><head lang='en'><script>")
    assert "studioFrameBudget" in page.text and page.text.index("studioFrameBudget") < page.text.index("gradio.js")
    assert int(page.headers["content-length"]) == len(page.content)
    assert len(page.content) == len(PAGE.encode()) + len(early_scripts())


def test_other_responses_pass_through_unchanged():
    client = _client()
    assert client.get("/data").json() == {"html": "<head>"}
    assert client.get("/events").text == "".join(f"data: <head>{i}\n\n" for i in range(3))
    assert client.post("/post").text == PAGE  # only GET pages are rewritten


def test_the_idle_queue_polls_less_often_but_never_more():
    import gradio as gr

    with gr.Blocks() as blocks:
        gr.Markdown("x")
    blocks.queue()
    ease_idle_queue(blocks)
    for name, seconds in IDLE_QUEUE_POLL.items():
        assert getattr(blocks._queue, name) == seconds
    blocks._queue.sleep_when_free = 0.5  # already calmer: left alone
    ease_idle_queue(blocks)
    assert blocks._queue.sleep_when_free == 0.5

    class NoQueue:
        pass

    ease_idle_queue(NoQueue())  # a Gradio without the attribute: nothing happens, nothing breaks
