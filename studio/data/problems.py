"""Pointing at rows: the file's own way of counting, and the rows a step had to skip.

A CSV row is the number a spreadsheet shows (the header is row 1), a JSONL or TXT row is its
line number, and a JSON list element is an item. `Records` carries those numbers with the rows,
so a problem found late (while converting a conversation, say) still names the right place.
"""
from __future__ import annotations

from ..errors import DataError
from ..i18n import t

MAX_CELL_CHARS = 1_000_000
ROWS_SHOWN = 5  # how many row numbers a note lists before "..."


class RowError(DataError):
    """A DataError at one row (`row`) or several (`rows`), worded in the reader's language.

    "data.jsonl, line 5" and "data.jsonl 第 5 行" differ in more than the number, so the
    location is rendered per language into the `{at}` placeholder. `params["at"]` also holds the
    English text, for code that formats `t(key, **params)` itself.
    """

    def __init__(self, key: str, *, file: str, unit: str, row: int | None = None,
                 rows: list[int] | None = None, **params):
        params.update(file=file, unit=unit, row=row)
        if rows is not None:
            params["rows"] = rows
        params["at"] = _at("en", params)
        super().__init__(key, **params)

    def render(self, lang: str = "en") -> str:
        return t(self.key, lang, **{**self.params, "at": _at(lang, self.params)})

    def __reduce__(self):
        # Exceptions pickle (and deep-copy, as UI state does) by their args, which here are
        # only the English text: rebuild from the key and params instead.
        return _rebuilt, (self.key, self.params)


def _rebuilt(key: str, params: dict) -> RowError:
    return RowError(key, **{name: value for name, value in params.items() if name != "at"})


def _at(lang: str, params: dict) -> str:
    unit, file = params["unit"], params["file"]
    rows = params.get("rows")
    if rows and len(rows) == 1:
        return t(f"data.at.{unit}", lang, file=file, row=rows[0])
    if rows:
        sep = t("data.at.sep", lang)
        shown = sep.join(str(n) for n in rows[:ROWS_SHOWN]) + (f"{sep}..." if len(rows) > ROWS_SHOWN else "")
        return t(f"data.at.{unit}s", lang, file=file, rows=shown)
    if params.get("row") is not None:
        return t(f"data.at.{unit}", lang, file=file, row=params["row"])
    return file


class Records(list):
    """Rows (dicts) plus the file they came from and each row's number in that file."""

    def __init__(self, rows=(), file: str = "data", unit: str = "item", numbers: list[int] | None = None):
        super().__init__(rows)
        self.file, self.unit = file, unit
        self.numbers = list(numbers) if numbers is not None else list(range(1, len(self) + 1))

    @classmethod
    def of(cls, rows, file: str | None = None) -> "Records":
        """`rows` as Records: kept as they are when they already are, else counted as items."""
        if isinstance(rows, Records):
            return rows
        return cls(rows, file=file or "data", unit="item")

    def like(self, rows, numbers: list[int]) -> "Records":
        """New rows that stand for some of these (same file, their own numbers)."""
        return Records(rows, self.file, self.unit, numbers)

    def error(self, key: str, index: int | None = None, **params) -> RowError:
        row = self.numbers[index] if index is not None else None
        return RowError(key, file=self.file, unit=self.unit, row=row, **params)

    def note(self, key: str, numbers: list[int], **params) -> RowError:
        return RowError(key, file=self.file, unit=self.unit, rows=numbers, count=len(numbers), **params)


class Skip(Exception):
    """This row cannot be used but the rest can: it is skipped and reported, never silently."""

    def __init__(self, key: str, column: str):
        super().__init__(key)
        self.key, self.column = key, column


# A reason to skip rows that covered every row: the error then says why nothing is left.
_NOTHING_LEFT = {
    "data.note.empty_cell": "data.err.all_empty_cell",
    "data.note.empty_message": "data.err.all_empty_message",
    "data.note.same_answer": "data.err.all_same_answer",
}


class RowLog:
    """What went wrong row by row: fatal problems, and rows skipped grouped by reason and column."""

    def __init__(self, records: Records, max_problems: int = 100):
        self.records = records
        self.max_problems = max_problems
        self.problems: list[RowError] = []
        self.skipped: dict[tuple[str, str], list[int]] = {}

    def problem(self, error: RowError) -> None:
        if len(self.problems) < self.max_problems:
            self.problems.append(error)

    def skip(self, reason: Skip, index: int) -> None:
        self.skipped.setdefault((reason.key, reason.column), []).append(self.records.numbers[index])

    @property
    def skipped_count(self) -> int:
        return sum(len(rows) for rows in self.skipped.values())

    def notes(self) -> list[RowError]:
        return [self.records.note(key, rows, column=column) for (key, column), rows in self.skipped.items()]

    def nothing_left(self) -> RowError:
        """The error when every row was skipped, named after the commonest reason."""
        (key, column), rows = max(self.skipped.items(), key=lambda item: len(item[1]))
        return self.records.note(_NOTHING_LEFT[key], rows, column=column)


def excerpt(value, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."
