"""Ranking tab (human feedback): a placeholder until the ranking issue lands.

Rankings will be collected here and exported as preference data for reward models and DPO.
"""
from __future__ import annotations

import gradio as gr

from .texts import Key

ID = "ranking"
TITLE = Key("ui.tab.ranking")


def build(shell, tab) -> None:
    shell.make(gr.Markdown, value=Key("ui.later.ranking"), elem_id="ranking-note")
