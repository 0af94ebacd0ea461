"""Starting the web studio.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--auth user:password]
    python -m studio serve ...          (the same)

Only gradio and the light core load before the page is served; torch, transformers and the
training stack load when a run starts, data is inspected or a chat model is loaded.
"""
from __future__ import annotations

import os
import sys

from ..errors import StudioError
from ..i18n import t
from ..paths import workspace

# Serving must not wait on the network: no usage reports, no fonts from the web.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise StudioError("ui.err.auth_format")
    return user, password


def _theme():
    import gradio as gr

    local = ["ui-sans-serif", "system-ui", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "sans-serif"]
    return gr.themes.Soft(font=local, font_mono=["ui-monospace", "Consolas", "monospace"])


def serve(host: str = "127.0.0.1", port: int = 7860, share: bool = False, auth: str | None = None,
          demo: bool = False) -> None:
    credentials = parse_auth(auth)
    from .app import CSS, build_app

    blocks, _ctx = build_app(demo=demo)
    # Polls, form edits and chat streams set their own limits; everything else runs two at a time.
    blocks.queue(default_concurrency_limit=2)
    try:
        blocks.launch(server_name=host, server_port=port, share=share, auth=credentials,
                      prevent_thread_lock=True, theme=_theme(), css=CSS, show_error=False,
                      allowed_paths=[str(workspace())], footer_links=["gradio", "settings"])
    except OSError as exc:
        raise StudioError("ui.err.port", host=host, port=port, detail=str(exc)[:200]) from None
    if share and not blocks.share_url:
        # Gradio keeps serving locally when its tunnel cannot be set up (offline machines): say so plainly.
        print(t("ui.launch.share_failed", url=blocks.local_url), file=sys.stderr, flush=True)
    print(t("ui.launch.ready", url=blocks.local_url), file=sys.stderr, flush=True)
    try:
        blocks.block_thread()
    except KeyboardInterrupt:
        blocks.close()
