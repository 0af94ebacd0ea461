"""Starting the web studio.

    python app.py [--host 127.0.0.1] [--port 7860] [--share] [--auth user:password] [--demo]
    python -m studio serve ...          (the same)

Demo mode (--demo, and always on a Hugging Face Space) is for a public studio: see
studio.policy. A demo others can reach must ask for a login: --auth, else the STUDIO_AUTH
environment variable ("user:password"), else the studio refuses to start.

Only gradio and the light core load before the page is served; torch, transformers and the
training stack load when a run starts, data is inspected or a chat model is loaded.
"""
from __future__ import annotations

import os
import sys

from ..errors import StudioError
from ..i18n import LANGUAGES, t
from ..paths import workspace
from ..policy import DemoLimits, exports_dir, login_required, on_space

# Serving must not wait on the network: no usage reports, no fonts from the web.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# How often Gradio's queue looks for new events and progress when it has none (seconds).
IDLE_QUEUE_POLL = {"sleep_when_free": 0.05, "progress_update_sleep_when_free": 0.1}


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise StudioError("ui.err.auth_format")
    return user, password


def demo_auth(auth: str | None, host: str, share: bool) -> str | None:
    """The login a demo asks for: --auth, else STUDIO_AUTH; a demo others can reach must have one."""
    auth = auth or os.environ.get("STUDIO_AUTH") or None
    if not auth and login_required(host, share):
        raise StudioError("ui.demo.need_auth", host=host)
    return auth


def served_folders(demo: bool) -> list[str]:
    """Folders whose files the page may link to (recipe downloads, export zips). A public studio
    serves only those two, never the uploads, runs or databases of other visitors."""
    if demo:
        return [str(exports_dir()), str(workspace() / "recipes")]
    return [str(workspace())]


def ease_idle_queue(blocks) -> None:
    """Let Gradio's queue look for work every 50 ms, not every millisecond, when it has none.

    Its 1 ms idle loop (10 ms for progress) kept the server at about 6% of a core with no page
    open: CPU the training child needs on a small machine. An event now waits at most 50 ms more
    before it starts; answers already streaming are not affected. A Gradio release without these
    attributes is left as it is."""
    queue = getattr(blocks, "_queue", None)
    for name, seconds in IDLE_QUEUE_POLL.items():
        current = getattr(queue, name, None)
        if isinstance(current, (int, float)) and current < seconds:
            setattr(queue, name, seconds)


def _theme():
    import gradio as gr

    local = ["ui-sans-serif", "system-ui", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", "sans-serif"]
    return gr.themes.Soft(font=local, font_mono=["ui-monospace", "Consolas", "monospace"])


def serve(host: str = "127.0.0.1", port: int = 7860, share: bool = False, auth: str | None = None,
          demo: bool = False) -> None:
    if on_space():
        demo = True
        # A Space reaches the app through its own proxy, which needs every interface.
        host = os.environ.get("GRADIO_SERVER_NAME", "0.0.0.0") if host == "127.0.0.1" else host
    credentials = parse_auth(demo_auth(auth, host, share) if demo else auth)
    from starlette.middleware import Middleware

    from .app import CSS, build_app
    from .page_head import EarlyScripts

    blocks, _ctx = build_app(demo=demo)
    # Polls, form edits and chat streams set their own limits; everything else runs two at a time.
    blocks.queue(default_concurrency_limit=2)
    ease_idle_queue(blocks)
    try:
        blocks.launch(server_name=host, server_port=port, share=share, auth=credentials,
                      prevent_thread_lock=True, theme=_theme(), css=CSS, show_error=False,
                      allowed_paths=served_folders(demo), footer_links=["gradio", "settings"],
                      app_kwargs={"middleware": [Middleware(EarlyScripts)]},
                      max_file_size=f"{DemoLimits().max_upload_mb:g}mb" if demo else None,
                      # The login page comes before any language choice: it says who it is in both.
                      auth_message=" · ".join(t("ui.demo.login", lang) for lang in LANGUAGES)
                      if credentials and demo else None)
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
