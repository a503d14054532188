"""Identifiers: untrusted names become safe ones, and every identifier is quoted.

No name from a file ever reaches SQL unquoted: ``quote_ident`` doubles embedded
quotes, and ``safe_name`` turns a header like ``x"; DROP TABLE y; --`` into
``x_drop_table_y``. Values always travel as parameters, never inside SQL text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

import duckdb

MAX_NAME = 63
HIDDEN_PREFIX = "_grace"  # internal tables and the row key; safe names never start with "_"
ROW_KEY = "_grace_id"


def quote_ident(name: str) -> str:
    """``name`` as a quoted SQL identifier (embedded double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    """``value`` as a quoted SQL string (embedded single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def qualified(schema: str, name: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(name)}"


@functools.cache
def _reserved() -> frozenset[str]:
    con = duckdb.connect()
    try:
        # reserved words and those that only work unquoted in some places (e.g. "semi", "when")
        rows = con.execute("SELECT keyword_name FROM duckdb_keywords() "
                           "WHERE keyword_category <> 'unreserved'").fetchall()
    finally:
        con.close()
    return frozenset(r[0].lower() for r in rows)


# A price per something written as its sign over the thing ("£/box", "€ / hr"): a rate, so named
_CURRENCY_SIGNS = {"£": "gbp", "€": "eur", "$": "usd"}
_PER_UNIT = re.compile(r"^([£€$])\s*/\s*(?=\w)")


def plain_name(raw: object) -> str:
    """``raw`` in snake case, without accents, anything but letters and digits made "_"
    ("Start Date" and "StartDate" -> "start_date"): the rename nobody needs told of."""
    text = "" if raw is None else str(raw)
    text = _PER_UNIT.sub(lambda m: f"{_CURRENCY_SIGNS[m[1]]} per ", text.strip())  # "£/box": gbp_per_box
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()


def safe_name(raw: object, fallback: str, digit_prefix: str = "c") -> str:
    """A lowercase ``[a-z][a-z0-9_]*`` identifier made from ``raw`` (or ``fallback``).

    CamelCase becomes snake_case, accents are dropped, anything else becomes "_",
    a leading digit gets a prefix and SQL reserved words get a trailing "_".
    """
    text = plain_name(raw)
    if not text:
        text = fallback
    if text[0].isdigit():
        text = f"{digit_prefix}_{text}"
    text = text[:MAX_NAME].rstrip("_")
    if text in _reserved():
        text += "_"
    return text


def unique_names(raws: list[object], taken: set[str] | None = None) -> list[str]:
    """Safe, distinct column names for ``raws`` (``column_N`` where a name is empty)."""
    seen = set(taken or ())
    out = []
    for i, raw in enumerate(raws, 1):
        base = safe_name(raw, f"column_{i}")
        name, n = base, 2
        while name in seen:
            name = f"{base[:MAX_NAME - 4]}_{n}"
            n += 1
        seen.add(name)
        out.append(name)
    return out


def table_name_for(path: Path, sheet: str | None = None) -> str:
    """The table a file (and sheet) proposes by default: its stem, made safe, and the sheet's
    name after it unless the two are one ("tenants.xlsx", sheet "Tenants": ``tenants``)."""
    stem = path.name.split(".")[0] if path.name else "table"
    name = safe_name(stem, "table", "t")
    if sheet and safe_name(sheet, name, "t") != name:
        name = safe_name(f"{name}_{sheet}", name, "t")
    return name


def is_hidden(name: str) -> bool:
    """Internal tables (staging, bookkeeping) are never listed."""
    return name.startswith(HIDDEN_PREFIX) or name.startswith("_")
