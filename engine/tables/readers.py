"""JSON, JSON Lines, Parquet and XLSX sources.

JSON and Parquet are read by DuckDB itself; nested objects are flattened into
``parent_child`` columns, kept as STRUCTs, or kept as JSON text, by the policy's
``nested_json`` choice. Numbers DuckDB would read as doubles are read as written and
typed like text (a double rounds 23-digit integers and holds 1e400 as infinity), and a
field with no value in the sample is text rather than DuckDB's NULL type. A JSON
document that is one object wrapping a list of records (``{"data": [...]}``) is read
as that list. XLSX sheets are streamed with openpyxl in read-only mode into a
temporary UTF-8 CSV, which then goes through the same inference as any CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import TableError, in_words
from .names import quote_ident

NESTED_CHOICES = ("flatten", "struct", "json")


@dataclass
class SourceColumn:
    """One column a source yields: the SQL that reads it, its original name and type."""

    sql: str
    source_name: str
    type: str


# -- JSON ----------------------------------------------------------------------------------


def json_relation(path: Path, unwrap: str | None = None,
                  types: dict[str, str] | None = None) -> tuple[str, list[Any]]:
    """The ``read_json`` call (optionally unnesting the wrapped list ``unwrap``, reading the
    top-level fields with ``types``) and its parameters."""
    size = max(16 << 20, min(os.path.getsize(path) + (1 << 20), 1 << 30))
    rel = "read_json(?, format='auto', maximum_object_size=?, sample_size=?"
    params: list[Any] = [str(path), size, 20480]
    if types:
        rel += ", columns=?"
        params.append(types)
    rel += ")"
    if unwrap:
        return f"(SELECT unnest({quote_ident(unwrap)}) AS __row FROM {rel})", params
    return rel, params


@dataclass
class JsonColumns:
    """What a JSON file yields: its columns, the wrapped list it unnests, the types its
    top-level fields are read with (None: as DuckDB finds them) and notes."""

    columns: list[SourceColumn]
    unwrap: str | None = None
    types: dict[str, str] | None = None
    notes: list[str] = field(default_factory=list)


def json_columns(con: duckdb.DuckDBPyConnection, path: Path, nested: str) -> JsonColumns:
    """The columns of a JSON or JSON Lines file and how to read them."""
    names, types = _json_fields(con, path, None)
    wrapped = _wrapped_list(path, names, types)
    read_types = _read_types(names, types, nested, wrapped)
    if read_types:
        names, types = _json_fields(con, path, read_types)
    found = JsonColumns([], wrapped, read_types)
    if wrapped:
        others = [n for n in names if n != wrapped]
        found.notes.append(f"the list under {wrapped!r} is read as the table"
                           + (f"; other top-level fields ({', '.join(others[:5])}) are left out" if others else ""))
        rel, params = json_relation(path, wrapped, read_types)
        row_type = con.sql(f"SELECT * FROM {rel}", params=params).dtypes[0]
        if row_type.id != "struct":
            found.columns = [SourceColumn('"__row"', wrapped, str(row_type))]
        else:
            found.columns = _expand("", '"__row"', row_type, nested, top_level=True)
        return found
    for name, t in zip(names, types, strict=True):
        found.columns += _expand(name, quote_ident(name), t, nested, top_level=False)
    return found


def _json_fields(con: duckdb.DuckDBPyConnection, path: Path, read_types: dict[str, str] | None
                 ) -> tuple[list[str], list[Any]]:
    rel, params = json_relation(path, None, read_types)
    try:
        top = con.sql(f"SELECT * FROM {rel}", params=params)
        return top.columns, top.dtypes
    except duckdb.Error as exc:
        raise TableError(f"it could not be read as JSON ({in_words(exc)})") from exc


def _read_types(names: list[str], types: list[Any], nested: str, wrapped: str | None) -> dict[str, str] | None:
    """The types to read the top-level fields with, when any differ from DuckDB's own finding."""
    flatten = nested == "flatten"
    out = {}
    for name, t in zip(names, types, strict=True):
        if name == wrapped and t.id == "list":
            out[name] = f"{_read_type(t.child, True, flatten)}[]"  # each record's fields become columns
        else:
            out[name] = _read_type(t, True, flatten)
    return out if any(out[n] != str(t) for n, t in zip(names, types, strict=True)) else None


def _read_type(t: Any, own_column: bool, flatten: bool) -> str:
    """How to read a field of type ``t``: a number that becomes a column of its own as written (DuckDB
    rounds integers past 64 bits into doubles and reads 1e400 as infinity), and NULL as text."""
    if t.id == "null" or (t.id == "double" and own_column):
        return "VARCHAR"
    if t.id == "struct":
        kids = [(n, c, _read_type(c, own_column and flatten, flatten)) for n, c in t.children]
        if all(r == str(c) for _, c, r in kids):
            return str(t)
        return "STRUCT(" + ", ".join(f"{quote_ident(n)} {r}" for n, _, r in kids) + ")"
    if t.id == "list":
        inner = _read_type(t.child, False, flatten)
        return str(t) if inner == str(t.child) else f"{inner}[]"
    return str(t)


_CLOSERS = {b"[": b"]", b"{": b"}"}


def json_cut_short(path: Path) -> str | None:
    """Why a JSON file looks cut off (a download or copy that stopped): it opens a list or an object
    it never closes; None when it ends as it began. DuckDB reads the whole records before such a cut
    without a word; a cut inside a record fails to read anyway."""
    if path.suffix.lower() == ".gz":
        return None  # its bytes are compressed; a cut one fails to decompress
    blank = b"\xef\xbb\xbf \t\r\n"
    with open(path, "rb") as f:
        first = f.read(4096).lstrip(blank)[:1]
        f.seek(max(0, os.fstat(f.fileno()).st_size - 4096))
        last = f.read().rstrip(blank)[-1:]
    closer = _CLOSERS.get(first)
    if closer is None or last == closer:
        return None
    return (f"the file ends with {last.decode('utf-8', 'replace')!r}, before its closing {closer.decode()}, so it "
            "may have been cut short and records may be missing")


def _wrapped_list(path: Path, names: list[str], types: list[Any]) -> str | None:
    """The key of the one list of records a top-level JSON object wraps, else None."""
    with open(path, "rb") as f:
        head = f.read(1 << 20).lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"{"):
        return None
    lines = [line for line in head.split(b"\n") if line.strip()]
    try:
        json.loads(lines[0])
        if len(lines) > 1:
            return None  # complete objects line after line: JSON Lines
    except ValueError:
        pass
    lists = [n for n, t in zip(names, types, strict=True) if t.id == "list" and t.child.id == "struct"]
    return lists[0] if len(lists) == 1 else None


def _expand(name: str, sql: str, t: Any, nested: str, top_level: bool) -> list[SourceColumn]:
    """Flatten STRUCT ``t`` into one column per leaf field (or keep it, by ``nested``)."""
    if t.id == "struct" and nested == "flatten":
        out = []
        for child_name, child_type in t.children:
            full = f"{name}_{child_name}" if name else child_name
            out += _expand(full, f"{sql}.{quote_ident(child_name)}", child_type, nested, False)
        return out
    if str(t) == "JSON" and nested != "json":
        return [SourceColumn(f"({sql} ->> '$')", name, "VARCHAR")]  # mixed values: as text, then typed
    if t.id in ("struct", "list", "map") and nested == "json":
        return [SourceColumn(f"CAST(to_json({sql}) AS VARCHAR)", name, "JSON")]
    if t.id == "null":
        return [SourceColumn(f"CAST({sql} AS VARCHAR)", name, "VARCHAR")]  # no value seen: text can hold any
    if t.id == "timestamp with time zone":
        return [SourceColumn(f"CAST({sql} AS TIMESTAMP)", name, "TIMESTAMP")]
    return [SourceColumn(sql, name, str(t))]


# -- Parquet -------------------------------------------------------------------------------


def parquet_relation(path: Path) -> tuple[str, list[Any]]:
    return "read_parquet(?)", [str(path)]


def parquet_columns(con: duckdb.DuckDBPyConnection, path: Path, nested: str) -> tuple[list[SourceColumn], int]:
    """Columns of a Parquet file and its row count (from the footer, not a scan)."""
    try:
        rel = con.sql("SELECT * FROM read_parquet(?)", params=[str(path)])
        names, types = rel.columns, rel.dtypes
        rows = con.execute("SELECT sum(num_rows) FROM parquet_file_metadata(?)", [str(path)]).fetchone()
    except duckdb.Error as exc:
        raise TableError(f"it could not be read as Parquet ({in_words(exc)})") from exc
    cols = []
    for name, t in zip(names, types, strict=True):
        cols += _expand(name, quote_ident(name), t, nested, False)
    return cols, int(rows[0] or 0) if rows else 0


# -- XLSX ----------------------------------------------------------------------------------


def xlsx_sheets_to_csv(path: Path, tmpdir: Path, max_cells: int = 50_000_000) -> list[tuple[str, Path]]:
    """Each non-empty sheet of the workbook as (sheet name, temporary UTF-8 CSV path)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise TableError(f"it could not be read as an Excel workbook ({in_words(exc)})") from exc
    tmpdir.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, Path]] = []
    try:
        for index, ws in enumerate(wb.worksheets):
            target = tmpdir / f"xlsx-{os.getpid()}-{abs(hash(str(path)))}-{index}.csv"
            if _sheet_to_csv(ws.iter_rows(values_only=True), target, max_cells):
                out.append((ws.title, target))
            else:
                target.unlink(missing_ok=True)
    finally:
        wb.close()
    return out


def _sheet_to_csv(rows: Any, target: Path, max_cells: int) -> bool:
    """Write the sheet's non-empty rows (trailing empty cells dropped, then a row shorter than the
    widest so far filled to its width: an empty last cell is no missing field, and a title above
    the header is no table's width); False when there are none. A short sheet of labels and their
    values ("Trip | Y10 fieldwork", "Charge per pupil | 42") gets a header of its own, so that its
    first pair is a row, not the table's column names. A row of one cell after an empty row is
    written as one field: a note under the rows, as a CSV's reader finds it."""
    rest = _filled(rows)
    head: list[list[str]] = []  # the first KEY_VALUE_ROWS + 1 rows with cells, and the empty rows among them
    filled: list[list[str]] = []
    for row in rest:
        head.append(row)
        filled += [row] if row else []
        if len(filled) > KEY_VALUE_ROWS:
            break
    written, cells, width, gap = 0, 0, 0, False
    with open(target, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        if len(filled) <= KEY_VALUE_ROWS and _labels_and_values(filled):
            writer.writerow(KEY_VALUE_HEADER)
        for values in itertools.chain(head, rest):
            if not values:
                gap = written > 0
                continue
            width = max(width, len(values))
            # a line set apart under the rows with its first cell alone ("terms 14 days. Stone Hare =
            # Marco") is written as one field, as a note under a CSV's rows is: the table's reader
            # keeps such lines at its foot as its description, not as rows
            alone = gap and len(values) == 1 and written > 1
            writer.writerow(values if alone else values + [""] * (width - len(values)))
            gap = gap and alone
            written += 1
            cells += len(values)
            if cells > max_cells:
                raise TableError(f"a sheet has more than {max_cells:,} cells, more than Grace reads from a workbook")
    return written > 0


KEY_VALUE_ROWS = 60  # a sheet of labels and values longer than this is read as any table
KEY_VALUE_HEADER = ("field", "value")


def _filled(rows: Any) -> Iterator[list[str]]:
    """Each row's cells as text without its trailing empty cells ([] for an empty row)."""
    for row in rows:
        values = [_cell(v) for v in row]
        while values and values[-1] == "":
            values.pop()
        yield values


def _labels_and_values(rows: list[list[str]]) -> bool:
    """Whether ``rows`` are pairs of a label and its value: two cells each, every label text said
    once, and the values a mix of numbers and words (a header over a column of numbers, "item |
    cost", is no such pair)."""
    if len(rows) < 3 or any(len(r) != 2 or not r[0].strip() for r in rows):
        return False
    labels = [r[0].strip().lower() for r in rows]
    if len(set(labels)) != len(labels) or any(_number(label) for label in labels):
        return False
    numbers = [_number(r[1]) for r in rows]
    return any(numbers) and not all(numbers[1:])


def _number(text: str) -> bool:
    try:
        float(text.strip().lstrip("£$€").replace(",", ""))
    except ValueError:
        return False
    return True


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
