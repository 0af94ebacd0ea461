"""Which format a table is in, from its column names (after the user's column mapping).

`data.columns` maps the studio's names to the user's: {instruction: question, output: answer}.
"""
from __future__ import annotations

from ..errors import DataError
from .problems import Records

# format -> (required columns, optional columns), in the order detection tries them: the most
# specific first, so {prompt, completion, label} is KTO before it is prompt/completion.
FORMAT_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "messages": (("messages",), ()),
    "sharegpt": (("conversations",), ("system",)),
    "kto": (("prompt", "completion", "label"), ()),
    "preference": (("chosen", "rejected"), ("prompt",)),
    "alpaca": (("instruction", "output"), ("input", "system", "history")),
    "prompt_completion": (("prompt", "completion"), ()),
    "text": (("text",), ()),
}
FORMATS = ("text", "alpaca", "sharegpt", "messages", "prompt_completion", "preference", "kto")
CANONICAL_COLUMNS = tuple(dict.fromkeys(name for fmt in FORMATS for name in sum(FORMAT_COLUMNS[fmt], ())))


def source_columns(records) -> list[str]:
    """Every column name in the rows, in order of first appearance (JSONL rows may differ)."""
    seen: dict[str, None] = {}
    for record in records:
        for name in record:
            seen.setdefault(str(name), None)
    return list(seen)


def resolve_columns(records, columns: dict | None = None, file: str | None = None) -> dict[str, str]:
    """canonical name -> the user's column for every canonical name the data has.

    An explicit mapping wins over a column that happens to carry the canonical name. Names
    match regardless of case and surrounding spaces ("Instruction " is `instruction`).
    """
    records = Records.of(records, file)
    found = source_columns(records)
    resolved = {}
    by_folded = {name.strip().lower(): name for name in reversed(found)}
    for name in CANONICAL_COLUMNS:
        if name in found:
            resolved[name] = name
        elif name in by_folded:
            resolved[name] = by_folded[name]
    for canonical, theirs in (columns or {}).items():
        if canonical not in CANONICAL_COLUMNS:
            swapped = theirs in CANONICAL_COLUMNS and canonical in found
            raise DataError("data.err.mapping_swapped" if swapped else "data.err.mapping_unknown_name",
                            name=canonical, column=theirs,
                            names=", ".join(CANONICAL_COLUMNS))
        if theirs not in found:
            raise DataError("data.err.mapping_missing_column", file=records.file, name=canonical,
                            column=theirs, found=", ".join(found))
        resolved[canonical] = theirs
    return resolved


def detect_format(records, columns: dict | None = None, file: str | None = None) -> str:
    """The format of `records`: the first in FORMAT_COLUMNS whose required columns are all there."""
    records = Records.of(records, file)
    present = resolve_columns(records, columns)
    mapped = set(columns or {})
    candidates = [fmt for fmt, (required, _) in FORMAT_COLUMNS.items() if all(n in present for n in required)]
    # A mapping says what the user means: {text: body} is text even if the file also has
    # instruction/output columns.
    for fmt in candidates:
        required, optional = FORMAT_COLUMNS[fmt]
        if mapped <= set(required + optional):
            return fmt
    if candidates:
        return candidates[0]
    raise DataError("data.err.unknown_format", file=records.file,
                    found=", ".join(source_columns(records)) or "-", formats=format_signatures())


def check_format(records, fmt: str, columns: dict | None = None) -> dict[str, str]:
    """The column map for a format the user forced; says which required columns are missing."""
    present = resolve_columns(records, columns)
    required, _ = FORMAT_COLUMNS[fmt]
    missing = [name for name in required if name not in present]
    if missing:
        raise DataError("data.err.missing_columns", file=records.file, format=fmt,
                        missing=", ".join(missing), found=", ".join(source_columns(records)) or "-",
                        example=f"{{{missing[0]}: your_column}}")
    return present


def format_signatures() -> str:
    """One line per format with the columns it needs, e.g. `alpaca: instruction, output [input, ...]`."""
    lines = []
    for fmt in FORMATS:
        required, optional = FORMAT_COLUMNS[fmt]
        extra = f" [{', '.join(optional)}]" if optional else ""
        lines.append(f"  {fmt}: {', '.join(required)}{extra}")
    return "\n" + "\n".join(lines)
