"""Export tab: a placeholder until the export issue lands (adapter, merged model, hub, demo app)."""
from __future__ import annotations

import gradio as gr

from .texts import Key

ID = "export"
TITLE = Key("ui.tab.export")


def build(shell, tab) -> None:
    shell.make(gr.Markdown, value=Key("ui.later.export"), elem_id="export-note")
