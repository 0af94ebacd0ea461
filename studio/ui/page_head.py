"""Scripts that must run before any of Gradio's own: put first into the <head> of each page.

Gradio's `head=` is inserted by its frontend after its scripts have loaded, too late for a script
that wraps a browser function those scripts keep a copy of (frame_budget.js). So the studio's
server adds them to the HTML itself: an ASGI middleware, given to Gradio's FastAPI app through
`launch(app_kwargs=...)`, that rewrites HTML responses only; everything else (the event streams,
files, the API) passes through untouched and unbuffered.
"""
from __future__ import annotations

from pathlib import Path

FRAME_BUDGET_JS = Path(__file__).with_name("frame_budget.js").read_text(encoding="utf-8")


def early_scripts() -> bytes:
    return f"<script>\n{FRAME_BUDGET_JS}</script>".encode("utf-8")


def insert_after_head(html: bytes, snippet: bytes) -> bytes:
    """`html` with `snippet` right after its opening <head> tag; unchanged when it has none."""
    start = html.find(b"<head")
    end = html.find(b">", start) if start >= 0 else -1
    if end < 0:
        return html
    return html[:end + 1] + snippet + html[end + 1:]


class EarlyScripts:
    """ASGI middleware: HTML pages get the early scripts; all other responses stream as they were."""

    def __init__(self, app):
        self.app = app
        self.snippet = early_scripts()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET":
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def rewrite(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if not headers.get(b"content-type", b"").startswith(b"text/html"):
                    await send(message)
                    return
                start = message  # held back until the whole page is here, for its new length
                return
            if start is None:  # not a page
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = insert_after_head(b"".join(chunks), self.snippet)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode("ascii")))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, rewrite)
