"""Training data: read a file, detect its format, normalise it, shape it for an objective.

    from studio.data import inspect, prepare
    look = inspect("chats.jsonl", tokenizer=tok)       # preview, problems at their rows, stats
    data = prepare(recipe.data, "sft", tok, "plain")    # datasets for the TRL trainer

Every problem is a DataError whose message names the file, the row or line, and the column.
"""
from .formats import FORMAT_COLUMNS, FORMATS, detect_format
from .inspection import Inspection, inspect
from .normalise import normalise
from .prepare import PreparedData, prepare
from .problems import Records, RowError
from .readers import SUPPORTED_EXTENSIONS, read_records
from .shapes import FORMAT_FOR_OBJECTIVE

__all__ = [
    "read_records", "detect_format", "normalise", "prepare", "inspect", "PreparedData", "Inspection",
    "FORMAT_FOR_OBJECTIVE", "FORMATS", "FORMAT_COLUMNS", "SUPPORTED_EXTENSIONS", "Records", "RowError",
]
