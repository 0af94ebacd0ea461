"""Translations: one YAML file per language, nested by section, looked up with dotted keys.

    t("data.err.empty_file", "zh", file="a.csv")

Both files must hold the same keys with the same {placeholders} (tests/test_i18n.py checks).
Values are translated; identifiers the code compares (choices, states) never are.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path

import yaml

LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).parent


@functools.lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The flattened {dotted.key: text} table of one language."""
    with open(_DIR / f"{lang}.yaml", encoding="utf-8") as fh:
        tree = yaml.safe_load(fh) or {}
    flat: dict[str, str] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            dotted = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, dotted + ".")
            else:
                flat[dotted] = str(value)

    walk(tree, "")
    return flat


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def has(key: str, lang: str = DEFAULT_LANGUAGE) -> bool:
    return key in catalog(lang)


def t(key: str, lang: str | None = None, **params) -> str:
    """The text for `key` in `lang`, formatted with `params`.

    A missing key falls back to English, then to the key itself, so a forgotten translation
    shows up as a readable identifier instead of breaking the page.
    """
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return key
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text
