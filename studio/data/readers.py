"""Reading a data file into rows: CSV/TSV, JSON, JSONL, Parquet and TXT.

Every way a file can be unreadable ends in a DataError that names the file and, where there is
one, the row or line, and says what to do. The rows come back as `Records`, numbered the way the
user counts them in that kind of file.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..errors import DataError
from ..paths import ROOT
from .problems import Records, RowError

SUPPORTED_EXTENSIONS = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".parquet", ".txt")
_SPREADSHEETS = (".xlsx", ".xls", ".ods", ".numbers")

# csv refuses cells over 128 KiB by default; the studio's own limit (MAX_CELL_CHARS) is checked
# later with a clearer message, so the csv module must let such cells through.
csv.field_size_limit(2**31 - 1)


def read_records(path, max_rows: int | None = None) -> Records:
    """The rows of a data file, each a dict of column -> value. Raises DataError."""
    path = _checked_path(path)
    file = path.name
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_parquet(path, file, max_rows)
    text = _decode(path, file)
    if not text.strip():
        raise DataError("data.err.empty_file", file=file)
    if suffix in (".csv", ".tsv"):
        records = _read_csv(text, file, max_rows, delimiter="\t" if suffix == ".tsv" else None)
    elif suffix == ".json":
        records = _read_json(text, file, max_rows)
    elif suffix == ".txt":
        records = _read_txt(text, file, max_rows)
    else:
        records = _read_jsonl(text, file, max_rows)
    if not records:
        raise DataError("data.err.no_rows", file=file)
    return records


def _checked_path(path) -> Path:
    if path is None or not str(path).strip():
        raise DataError("data.err.no_path")
    path = Path(str(path)).expanduser()
    if not path.is_absolute() and not path.exists() and (ROOT / path).exists():
        path = ROOT / path  # the shipped samples (`assets/data/...`) work from any folder
    if path.is_dir():
        raise DataError("data.err.is_directory", file=str(path))
    if not path.exists():
        raise DataError("data.err.file_missing", file=str(path))
    suffix = path.suffix.lower()
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    if not suffix:
        raise DataError("data.err.no_extension", file=path.name, supported=supported)
    if suffix in _SPREADSHEETS:
        raise DataError("data.err.spreadsheet", file=path.name, ext=suffix, supported=supported)
    if suffix not in SUPPORTED_EXTENSIONS:
        raise DataError("data.err.unsupported_extension", file=path.name, ext=suffix, supported=supported)
    if path.stat().st_size == 0:
        raise DataError("data.err.empty_file", file=path.name)
    return path


def _decode(path: Path, file: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError("data.err.unreadable", file=file, reason=exc.strerror or str(exc)) from None
    try:
        return raw.decode("utf-8-sig")  # a BOM is what Excel's "CSV UTF-8" writes
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataError("data.err.not_utf8", file=file, line=line, byte=exc.start + 1,
                        value=f"0x{raw[exc.start]:02x}") from None


def _read_csv(text: str, file: str, max_rows: int | None, delimiter: str | None) -> Records:
    first_line = text.lstrip().split("\n", 1)[0]
    if delimiter is None:
        # A CSV saved where the comma is the decimal mark uses ';' (or tabs): guess only from
        # a header that has no comma at all, so ordinary files are never second-guessed.
        delimiter = next((d for d in (";", "\t") if "," not in first_line and d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, rows, numbers = None, [], []
    row_number, line_after_last = 0, 1  # spreadsheet row of the last record read; its next line
    while max_rows is None or len(rows) < max_rows:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            key = "data.err.csv_unclosed_quote" if "end of data" in str(exc) else "data.err.csv_bad_quote"
            raise RowError(key, file=file, unit="row", row=row_number + 1, line=line_after_last,
                           reason=str(exc)) from None
        row_number += 1
        line_after_last = reader.line_num + 1
        if not any(cell.strip() for cell in fields):
            continue  # blank lines between rows are common and harmless
        if header is None:
            header = _csv_header(fields, file)
            continue
        while len(fields) > len(header) and not fields[-1].strip():
            fields.pop()  # trailing delimiters, as some exporters write
        if len(fields) != len(header):
            raise RowError("data.err.csv_field_count", file=file, unit="row", row=row_number,
                           expected=len(header), found=len(fields))
        rows.append(dict(zip(header, fields)))
        numbers.append(row_number)
    if header is None:
        raise DataError("data.err.empty_file", file=file)
    return Records(rows, file, "row", numbers)


def _csv_header(fields: list[str], file: str) -> list[str]:
    header = [name.strip() for name in fields]
    seen = set()
    for number, name in enumerate(header, start=1):
        if not name:
            raise DataError("data.err.csv_blank_header", file=file, position=number)
        if name in seen:
            raise DataError("data.err.csv_duplicate_header", file=file, column=name)
        seen.add(name)
    return header


def _read_jsonl(text: str, file: str, max_rows: int | None) -> Records:
    if text.lstrip().startswith("["):  # a JSON list saved as .jsonl
        try:
            return _json_document(json.loads(text), file, max_rows)
        except json.JSONDecodeError:
            pass  # lines that each hold a list: reported line by line below
    rows, numbers = [], []
    # split on "\n" only: str.splitlines() would also split on U+2028 inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if max_rows is not None and len(rows) >= max_rows:
            break
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RowError("data.err.bad_json_line", file=file, unit="line", row=number,
                           reason=exc.msg, position=exc.colno) from None
        if not isinstance(value, dict):
            raise RowError("data.err.line_not_object", file=file, unit="line", row=number,
                           kind=_json_kind(value))
        rows.append(value)
        numbers.append(number)
    return Records(rows, file, "line", numbers)


def _read_json(text: str, file: str, max_rows: int | None) -> Records:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # one object per line, saved as .json
            return _read_jsonl(text, file, max_rows)
        raise DataError("data.err.bad_json", file=file, line=exc.lineno, position=exc.colno,
                        reason=exc.msg) from None
    return _json_document(value, file, max_rows)


def _json_document(value, file: str, max_rows: int | None) -> Records:
    items = _json_rows(value, file)
    if max_rows is not None:
        items = items[:max_rows]
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise RowError("data.err.item_not_object", file=file, unit="item", row=number,
                           kind=_json_kind(item))
    return Records(items, file, "item")


def _json_rows(value, file: str) -> list:
    """The list of rows in a JSON document: the document itself, or the one list inside it."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        raise DataError("data.err.json_not_list", file=file, kind=_json_kind(value))
    lists = [key for key, item in value.items() if isinstance(item, list)]
    if len(lists) > 1:  # {"train": [...], "meta": [...]}: prefer the one that holds rows
        lists = [key for key in lists if value[key] and all(isinstance(x, dict) for x in value[key])]
    if len(lists) == 1:
        return value[lists[0]]
    if not lists:
        raise DataError("data.err.json_not_list", file=file, kind=_json_kind(value))
    raise DataError("data.err.json_ambiguous", file=file, keys=", ".join(lists))


def _json_kind(value) -> str:
    """The JSON name of a value's type; JSON words read the same in every language."""
    for kind, types in (("null", type(None)), ("boolean", bool), ("number", (int, float)),
                        ("string", str), ("array", list), ("object", dict)):
        if isinstance(value, types):
            return kind
    return type(value).__name__


def _read_txt(text: str, file: str, max_rows: int | None) -> Records:
    """One row per paragraph when the file has blank lines between paragraphs, else per line."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    by_paragraph = any(not line.strip() for line in text.strip().split("\n"))
    rows, numbers, paragraph, start = [], [], [], 0
    for number, line in enumerate(lines + [""], start=1):
        if line.strip():
            start = start if paragraph else number
            paragraph.append(line)
            if by_paragraph:
                continue
        if paragraph:
            rows.append({"text": "\n".join(paragraph)})
            numbers.append(start)
            paragraph = []
            if max_rows is not None and len(rows) >= max_rows:
                break
    return Records(rows, file, "line", numbers)


def _read_parquet(path: Path, file: str, max_rows: int | None) -> Records:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        if max_rows is None:
            rows = parquet.read().to_pylist()
        else:
            rows = []
            for batch in parquet.iter_batches(batch_size=min(max_rows, 65536)):
                rows.extend(batch.to_pylist())
                if len(rows) >= max_rows:
                    break
            rows = rows[:max_rows]
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DataError("data.err.bad_parquet", file=file, reason=str(exc)[:200]) from None
    if not rows:
        raise DataError("data.err.no_rows", file=file)
    return Records(rows, file, "row")
