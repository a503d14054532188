"""Staging: read a whole file once into a hidden DuckDB table, checking every value.

The sample decided the types; the full read checks them. A value the sample did
not foresee (``n.a.`` deep inside a number column) turns its column back into
text and the file is read again, so no value is ever lost to a wrong guess. Rows
with more fields than the header widen the table; rows that cannot be read at all
(an unterminated quote) are counted and named in the proposal's reasons.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import duckdb

from ..errors import TableError, in_words
from . import csvsource
from .infer import ColumnPlan, Inference
from .names import quote_ident, unique_names
from .store import Store
from .values import missing_sql

MAX_ATTEMPTS = 5
_FOUND = re.compile(r"Found:\s*(\d+)")
_STRING = re.compile(r'string "(.*?)" to', re.S)


@dataclass
class Staged:
    """What the full read found."""

    name: str
    rows: int = 0
    rejected_lines: list[int] = field(default_factory=list)
    conflicts: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    null_rates: dict[str, float] = field(default_factory=dict)
    widened: int = 0
    reencoded: str | None = None
    raw: dict[str, str] = field(default_factory=dict)  # column -> staged column with its text as written


class _Retry(Exception):
    """The plan changed; read the file again."""


def stage_name() -> str:
    return f"_grace_stage_{uuid.uuid4().hex[:12]}"


def stage(store: Store, inf: Inference, name: str) -> Staged:
    """Read all of ``inf``'s rows into table ``name``; returns what the read found."""
    result = Staged(name)
    for _ in range(MAX_ATTEMPTS):
        try:
            with store.write() as cur:
                _attempt(cur, inf, result)
            return result
        except _Retry:
            continue
    raise TableError("its layout kept changing while it was read; it could not be staged")


def _attempt(cur: duckdb.DuckDBPyConnection, inf: Inference, result: Staged) -> None:
    token = uuid.uuid4().hex[:8]
    rejects = (f"_grace_rej_{token}", f"_grace_scan_{token}") if inf.kind == "csv" else None
    sql, params, raws = inf.select(rejects)
    table = quote_ident(result.name)
    try:
        cur.execute(f"CREATE TABLE {table} AS {sql}", params)
    except duckdb.Error as exc:
        if inf.dialect and csvsource.relax(exc, inf.dialect):
            raise _Retry() from exc
        raise TableError(f"it could not be read in full ({in_words(exc)})") from exc
    errors = cur.execute(f"SELECT error_type, line, column_name, error_message FROM {quote_ident(rejects[0])}"
                         ).fetchall() if rejects else []
    if _adjust_for_rejects(inf, errors, result) | _check_conversions(cur, table, raws, result):
        raise _Retry()
    result.rejected_lines = sorted({int(e[1]) for e in errors})
    for plan, raw in raws:
        if plan.detected and plan.detected.ambiguous:  # kept: approving as VARCHAR restores the text as written
            result.raw[plan.name] = f"_grace_raw_{plan.name}"
            cur.execute(f"ALTER TABLE {table} RENAME COLUMN {quote_ident(raw)} TO {quote_ident(result.raw[plan.name])}")
        else:
            cur.execute(f"ALTER TABLE {table} DROP COLUMN {quote_ident(raw)}")
    counts = cur.execute("SELECT count(*)" + "".join(f", count({quote_ident(c.name)})" for c in inf.columns)
                         + f" FROM {table}").fetchone()
    assert counts is not None
    result.rows = int(counts[0])
    result.null_rates = {c.name: (1 - n / result.rows if result.rows else 0.0)
                         for c, n in zip(inf.columns, counts[1:], strict=True)}


def _adjust_for_rejects(inf: Inference, errors: list[tuple], result: Staged) -> bool:
    """Change the plan for what the reader rejected; True when the file must be read again."""
    retry = False
    cast: dict[int, list[str]] = {}
    for error_type, _line, column, message in errors:
        if error_type == "CAST" and column and column.startswith("c") and column[1:].isdigit():
            match = _STRING.search(message or "")
            cast.setdefault(int(column[1:]) - 1, []).append(match.group(1) if match else "")
    for index, examples in cast.items():
        plan = inf.columns[index]
        _keep_text(plan, len(examples), examples[0] or None, result)
        retry = True
    widths = [int(m.group(1)) for t, _, _, msg in errors if t == "TOO MANY COLUMNS" and (m := _FOUND.search(msg))]
    if widths and max(widths) > len(inf.columns):
        _widen(inf, max(widths), result)
        retry = True
    if any(e[0] == "INVALID ENCODING" for e in errors) and inf.dialect and result.reencoded is None:
        _reencode(inf, result)
        retry = True
    return retry


def _check_conversions(cur: duckdb.DuckDBPyConnection, table: str, raws: list[tuple[ColumnPlan, str]],
                       result: Staged) -> bool:
    """Compare converted columns with their text; a column with misfits goes back to text."""
    raws = [(plan, raw) for plan, raw in raws if plan.detected or plan.check]  # not turned to text meanwhile
    if not raws:
        return False
    parts = []
    for plan, raw in raws:
        r = quote_ident(raw)
        misfit = {"whole": f"{r} IS NOT NULL AND {r} <> trunc({r})",  # a fraction (too large: below)
                  "finite": f"{r} IS NOT NULL AND NOT isfinite({r})"}.get(
            plan.check or "", f"NOT {missing_sql(r)} AND {quote_ident(plan.name)} IS NULL")
        parts += [f"count(*) FILTER (WHERE {misfit})", f"any_value({r}) FILTER (WHERE {misfit})",
                  f"count(*) FILTER (WHERE {r} IS NOT NULL AND {quote_ident(plan.name)} IS NULL)"]
    row = cur.execute(f"SELECT {', '.join(parts)} FROM {table}").fetchone()
    assert row is not None
    retry = False
    for i, (plan, _) in enumerate(raws):
        count, example, unread = int(row[3 * i]), row[3 * i + 1], int(row[3 * i + 2])
        if count:
            _keep_text(plan, count, None if example is None else str(example), result)
            retry = True
        elif plan.check == "whole" and unread:  # whole, but too large for a double: read as text and checked
            plan.convert_from_text()
            retry = True
    return retry


def _keep_text(plan: ColumnPlan, count: int, example: str | None, result: Staged) -> None:
    was = plan.type
    eg = f" (e.g. {example!r})" if example else ""
    plan.keep_as_text(f"{count:,} value(s) do not fit {was}{eg}; kept as text")
    prev = result.conflicts.get(plan.name, (0, None))
    result.conflicts[plan.name] = (prev[0] + count, prev[1] or example)


def _widen(inf: Inference, width: int, result: Staged) -> None:
    assert inf.dialect is not None
    extra = width - len(inf.columns)
    names = unique_names([None] * width, taken=set())[len(inf.columns):]
    taken = {c.name for c in inf.columns}
    for i, name in enumerate(names, len(inf.columns) + 1):
        while name in taken:
            name += "_x"
        inf.columns.append(ColumnPlan(name, "", "VARCHAR", f'"c{i}"'))
        taken.add(name)
    inf.dialect.width = width
    inf.dialect.names += [""] * extra
    result.widened += extra


def _reencode(inf: Inference, result: Staged) -> None:
    """Bytes that are not UTF-8 turned up past the sample: read the file as cp1252."""
    copy, _ = csvsource.utf8_copy(inf.read_path, "cp1252", inf.tmpdir or inf.read_path.parent)
    inf.temp.append(copy)
    inf.read_path = copy
    result.reencoded = "cp1252"
