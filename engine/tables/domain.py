"""The domain catalog: one YAML file per memory table in ``resources/catalog/``.

Each file declares the table's description (what the classifier embeds), a few
keywords (cues), its fields with DuckDB types and how each is extracted from a
document, and the fields every row carries: source document, trust score,
created and updated times.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ..errors import TableError
from ..paths import resources_dir
from .model import Column
from .names import ROW_KEY, quote_ident, safe_name
from .store import Store

ROW_FIELDS = ("source_document", "trust_score", "created_at", "updated_at")
EXTRACT_KINDS = ("title", "summary", "tags", "date", "owner", "labeled", "amount", "currency", "none")
_TYPE = re.compile(r"^(VARCHAR|BIGINT|INTEGER|DOUBLE|BOOLEAN|DATE|TIMESTAMP)(\[\])?$")
FALLBACK = "notes"


@dataclass
class Field:
    name: str
    type: str
    extract: str = "none"
    description: str = ""
    aliases: list[str] = field(default_factory=list)


@dataclass
class DomainTable:
    name: str
    title: str
    description: str
    keywords: list[str]
    fields: list[Field]  # extracted fields, then the row fields

    def columns(self) -> list[Column]:
        return [Column(f.name, f.name, f.type) for f in self.fields]

    def embed_text(self) -> str:
        """What the classifier embeds for this table."""
        return f"{self.title}. {self.description} Typical topics: {', '.join(self.keywords)}."


def bookkeeping(columns: Iterable[Column]) -> frozenset[str]:
    """The row fields among ``columns`` when they are a catalog table's (all of ``ROW_FIELDS``): what
    Grace fills in for a row, not the person; empty for any other table."""
    names = {c.name for c in columns}
    return frozenset(ROW_FIELDS) if set(ROW_FIELDS) <= names else frozenset()


def stamped(columns: Iterable[Column], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` of a row a person adds, with the created and updated times of now when the table
    is a catalog table (its source document and trust score stay empty: it came from no document)."""
    if not bookkeeping(columns):
        return values
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    return {**values, "created_at": values.get("created_at") or now, "updated_at": values.get("updated_at") or now}


def _parse(path: Path) -> DomainTable:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 30x faster
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    name = data.get("name")
    if name != path.stem or safe_name(name, "") != name:
        raise TableError(f"Catalog file {path.name}: its name must be a safe identifier equal to the file name.")
    fields = [Field(**f) for f in data.get("fields", [])] + [Field(**f) for f in data.get("row_fields", [])]
    names = [f.name for f in fields]
    missing = [r for r in ROW_FIELDS if r not in names]
    if missing or len(set(names)) != len(names):
        raise TableError(f"Catalog file {path.name}: fields must be distinct and include {', '.join(ROW_FIELDS)}.")
    for f in fields:
        if not _TYPE.match(f.type) or f.extract not in EXTRACT_KINDS or safe_name(f.name, "") != f.name:
            raise TableError(f"Catalog file {path.name}: field {f.name!r} has a bad name, type or extract kind.")
    return DomainTable(name, data.get("title", name), " ".join(str(data.get("description", "")).split()),
                       [str(k).lower() for k in data.get("keywords", [])], fields)


def persons_own(infos: Iterable[Any]) -> list[Any]:
    """Of ``infos`` (``TableInfo``), the person's tables: their own, and the catalog's domain
    tables that hold rows (the empty catalog tables every workspace starts with are not theirs yet)."""
    catalog = load_catalog()
    return [t for t in infos if t.rows or t.name not in catalog]


@functools.cache
def load_catalog(folder: Path | None = None) -> dict[str, DomainTable]:
    """Every catalog table, by name (read once per process)."""
    folder = folder or resources_dir() / "catalog"
    tables = {t.name: t for t in (_parse(p) for p in sorted(folder.glob("*.yaml")))}
    if FALLBACK not in tables:
        raise TableError(f"The catalog in {folder} has no {FALLBACK!r} table to fall back on.")
    return tables


def ensure_tables(store: Store, catalog: dict[str, DomainTable]) -> list[str]:
    """Create missing catalog tables and add fields the YAML gained; returns tables changed."""
    have = store.all_columns()
    todo = [t for t in catalog.values() if t.name not in have or {f.name for f in t.fields} - {
        c.name for c in have[t.name]}]
    if not todo:
        return []
    created = [t for t in todo if t.name not in have]
    with store.write() as cur:
        for table in created:
            cols = ", ".join(f"{quote_ident(f.name)} {f.type}" for f in table.fields)
            cur.execute(f"CREATE TABLE {quote_ident(table.name)} ({ROW_KEY} BIGINT NOT NULL, {cols})")
        if created:
            _describe(cur, created)
        for table in todo:
            if table.name in have:
                _add_fields(store, cur, table, have[table.name])
    store.touch(*(t.name for t in todo))
    return [t.name for t in todo]


def _describe(cur: duckdb.DuckDBPyConnection, tables: list[DomainTable]) -> None:
    """Bookkeeping rows for new catalog tables, in two statements."""
    names = [t.name for t in tables]
    cur.execute("DELETE FROM _grace.tables WHERE name IN (SELECT unnest(?::VARCHAR[]))", [names])
    cur.execute("DELETE FROM _grace.columns WHERE table_name IN (SELECT unnest(?::VARCHAR[]))", [names])
    cur.execute("INSERT INTO _grace.tables SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), 'catalog', true, "
                "now()::TIMESTAMP", [names, [t.description for t in tables]])
    pairs = [(t.name, f.name) for t in tables for f in t.fields]
    cur.execute("INSERT INTO _grace.columns SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), "
                "unnest(?::VARCHAR[])", [[p[0] for p in pairs], [p[1] for p in pairs], [p[1] for p in pairs]])


def _add_fields(store: Store, cur: duckdb.DuckDBPyConnection, table: DomainTable, have: list[Column]) -> None:
    present = {c.name for c in have}
    added = [f for f in table.fields if f.name not in present]
    for f in added:
        cur.execute(f"ALTER TABLE {quote_ident(table.name)} ADD COLUMN {quote_ident(f.name)} {f.type}")
    store.record_columns(cur, table.name, [Column(f.name, f.name, f.type) for f in added])
