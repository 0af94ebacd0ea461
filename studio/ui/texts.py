"""Every visible string of the UI goes through here, so one switch re-renders the page in another language.

Components are made with `texts.make(gr.Button, value=Key("ui.train.start"), elem_id=...)`: any
argument given as a `Key` (or a list of `(Key, value)` choices) is rendered in English for the
first page and recorded as (component, attribute, key). `texts.updates(lang)` then returns one
update per recorded component, in `texts.components` order, for the language switch.
"""
from __future__ import annotations

from typing import Any, Callable

import gradio as gr

from ..i18n import DEFAULT_LANGUAGE, has, t


class Key:
    """A locale key (with its parameters, which may be Keys too), rendered later in whichever
    language is chosen."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params

    def render(self, lang: str) -> str:
        return t(self.key, lang, **{name: value.render(lang) if isinstance(value, Key) else value
                                    for name, value in self.params.items()})

    def __repr__(self) -> str:
        return f"Key({self.key!r})"


def choice_key(prefix: str, value: str) -> Key | str:
    """The label of a choice: `<prefix>.<value>` when the locale files have it, else the value itself
    (identifiers such as `adamw_torch` read the same in every language)."""
    key = f"{prefix}.{value}"
    return Key(key) if has(key) else str(value)


Spec = Any  # a Key, a list of (Key | str, value) choices, or a callable(lang) -> value


def render(spec: Spec, lang: str):
    if isinstance(spec, Key):
        return spec.render(lang)
    if callable(spec):
        return spec(lang)
    if isinstance(spec, list):  # choices
        return [(render(label, lang) if isinstance(label, Key) else label, value) for label, value in spec]
    return spec


def _translatable(spec) -> bool:
    if isinstance(spec, Key):
        return True
    return isinstance(spec, list) and any(isinstance(c, tuple) and isinstance(c[0], Key) for c in spec)


class Texts:
    def __init__(self):
        self._specs: dict[Any, dict[str, Spec]] = {}

    def make(self, factory: Callable, **kwargs):
        """`factory(**kwargs)` with every Key argument rendered in English and recorded."""
        keyed = {name: spec for name, spec in kwargs.items() if _translatable(spec)}
        component = factory(**{name: render(spec, DEFAULT_LANGUAGE) if name in keyed else spec
                               for name, spec in kwargs.items()})
        return self.bind(component, **keyed)

    def bind(self, component, **specs: Spec):
        """Record attributes of an existing component (e.g. a callable that renders a table header)."""
        self._specs.setdefault(component, {}).update(specs)
        return component

    @property
    def components(self) -> list:
        return list(self._specs)

    def updates(self, lang: str) -> list:
        return [gr.update(**{attr: render(spec, lang) for attr, spec in specs.items()})
                for specs in self._specs.values()]
