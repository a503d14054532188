"""The records the tables API hands out (the panes and the CLI build on these)."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import os
import re
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Column:
    """One visible column: its safe name, the name it had in the source, its DuckDB type."""

    name: str
    source_name: str
    type: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def kind(self) -> str:
        """The column's type as a person says it ("a whole number", "a date (YYYY-MM-DD)"), not
        as the database spells it (BIGINT, DATE)."""
        return type_in_words(self.type)


WHOLE_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                         "UBIGINT", "UHUGEINT"})
_TYPE_WORDS = {"DOUBLE": "a number", "FLOAT": "a number", "REAL": "a number", "VARCHAR": "text", "TEXT": "text",
               "DATE": "a date (YYYY-MM-DD)", "TIMESTAMP": "a date and time (YYYY-MM-DD HH:MM)",
               "TIMESTAMP WITH TIME ZONE": "a date and time with its zone (YYYY-MM-DD HH:MM+01)",
               "TIME": "a time (HH:MM)", "BOOLEAN": "yes or no (true/false)"}


def source_file(source: str) -> str:
    """The file a table's source names: "book.xlsx#Books" is a workbook's sheet (a path that holds
    a "#" of its own stays as it is when it exists)."""
    if "#" in source and not os.path.exists(source):
        return source.rsplit("#", 1)[0]
    return source


_NOTES_UNDER = "Notes under the table:"


def described(imported_from: str, notes: list[str]) -> str:
    """A table's description: "Imported from stock.csv", then the notes written under its rows."""
    return "\n".join([f"Imported from {imported_from}.", _NOTES_UNDER, *notes]) if notes \
        else f"Imported from {imported_from}"


def notes_under(description: str) -> list[str]:
    """The notes under a table's rows its description (``described``) keeps."""
    lines = description.split("\n")
    return lines[lines.index(_NOTES_UNDER) + 1:] if _NOTES_UNDER in lines else []


def cell_text(value: object) -> str:
    """How a cell value reads in a grid or an answer: NULL is blank; a float to 15 significant
    digits, which drops binary noise (a sum of 127.95 stored as 127.94999999999999) and a whole
    number's ".0" (1150, not 1150.0); a list or record as JSON (``["Anna", "Bram"]``, which a cell
    of the list's type takes back when typed); everything else is ``str()``."""
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


def same_type(sql_type: str) -> str:
    """``sql_type`` spelled one way, to compare types: "decimal(18, 2)" is "DECIMAL(18,2)"."""
    return sql_type.upper().replace(" ", "")


def decimal_places(sql_type: str) -> int | None:
    """How many decimal places a column of ``sql_type`` keeps (None: not a whole-number or
    fixed-point type)."""
    upper = same_type(sql_type)
    if upper in WHOLE_TYPES:
        return 0
    fixed = re.fullmatch(r"(?:DECIMAL|NUMERIC)\((\d+),(\d+)\)", upper)
    return int(fixed.group(2)) if fixed else None


def type_in_words(sql_type: str) -> str:
    """A DuckDB type as a person says it; one without words of its own keeps its name."""
    places = decimal_places(sql_type)
    if places is not None:
        return "a whole number" if places == 0 else f"a number with at most {places} decimal places"
    upper = " ".join(sql_type.upper().split())
    if upper.endswith("[]"):
        return _list_in_words(sql_type.strip()[:-2])
    return _TYPE_WORDS.get(upper, sql_type)


_LIST_WORDS = {"text": ("", '["first", "second"]'), "a number": (" of numbers", "[1, 2.5]"),
               "a whole number": (" of whole numbers", "[1, 2]"),
               "a date (YYYY-MM-DD)": (" of dates", "[2025-01-31, 2025-02-28]")}


def _list_in_words(item_type: str) -> str:
    """A list type in words: "a list in square brackets, like ["first", "second"]"."""
    what, example = _LIST_WORDS.get(type_in_words(item_type), (f" of {item_type}", "[…]"))
    return f"a list{what} in square brackets, like {example}"


@dataclass
class TableInfo:
    name: str
    rows: int
    columns: list[Column]
    protected: bool
    description: str

    @property
    def notes(self) -> list[str]:
        """The notes written under the rows of the table's file, which its description keeps."""
        return notes_under(self.description)


@dataclass
class Proposal:
    """A proposed change to the tables, waiting for (or past) a decision.

    ``kind`` is 'new', 'append', 'schema_change', 'row' (a catalog row from a prose
    document) or 'edit' (a cell edit on a table whose edits need approval).
    """

    id: int
    kind: str
    table: str
    status: str
    confidence: float
    reasons: list[str]
    row_count: int
    columns: list[Column]
    sample: list[list[Any]]
    source: str
    decided_by: str | None
    decided_at: str | None
    reason: str | None
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (columns as dicts)."""
        out = asdict(self)
        out["columns"] = [c.as_dict() for c in self.columns]
        return out


@dataclass
class RowFilter:
    """Free text matched (case-insensitively) against every column, and per-column 'contains'."""

    text: str = ""
    columns: dict[str, str] = field(default_factory=dict)

    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.text, tuple(sorted(self.columns.items()))

    def empty(self) -> bool:
        return not self.text and not any(self.columns.values())


def jsonable(value: Any) -> Any:
    """A JSON-friendly form of a DuckDB value: ISO strings for times, floats for decimals."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)
