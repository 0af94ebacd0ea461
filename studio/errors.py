"""Errors a user can act on.

Every message lives in the locale files (studio/i18n/*.yaml) under a key, so the same error reads
in English on the CLI and in Chinese in the UI. The text names what is wrong (file, row, column,
field) and says what to do next. Tracebacks belong in the run log, never in these messages.
"""
from __future__ import annotations

from .i18n import t


class StudioError(Exception):
    """One problem: a locale key plus the values its message needs.

    `row` and `column` (when known) let the UI point at the offending cell.
    """

    def __init__(self, key: str, **params):
        self.key = key
        self.params = params
        super().__init__(self.render())

    @property
    def row(self):
        return self.params.get("row")

    @property
    def column(self):
        return self.params.get("column")

    def render(self, lang: str = "en") -> str:
        return t(self.key, lang, **self.params)

    def __reduce__(self):
        # Rebuild from key and params (not the English text), so a copy still speaks every language.
        return (_rebuild, (type(self), self.key, self.params))

    def __str__(self) -> str:  # English by default: logs, CLI, tracebacks
        return self.render()


def _rebuild(cls, key, params):
    error = cls.__new__(cls)
    StudioError.__init__(error, key, **params)
    return error


class DataError(StudioError):
    """A problem with a data file: names the file and, where it can, the row/line and column."""


class RecipeError(StudioError):
    """One or more invalid recipe fields, all reported at once."""

    def __init__(self, problems: list[StudioError]):
        self.problems = problems
        super().__init__("recipe.err.invalid", count=len(problems))

    def __reduce__(self):
        return (RecipeError, (self.problems,))

    def render(self, lang: str = "en") -> str:
        head = t("recipe.err.invalid", lang, count=len(self.problems))
        return "\n".join([head] + [f"  - {p.render(lang)}" for p in self.problems])


class TrainingError(StudioError):
    """Training went wrong in a way the user can fix (out of memory, NaN loss, ...)."""


def render_error(exc: BaseException, lang: str = "en") -> str:
    """A readable one-paragraph message for any exception (unknown ones keep their own text)."""
    if isinstance(exc, StudioError):
        return exc.render(lang)
    return t("error.unexpected", lang, kind=type(exc).__name__, detail=str(exc)[:500])
