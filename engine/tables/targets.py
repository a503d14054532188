"""Where a staged file goes: a new table, or an existing one whose columns it fits."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Column
from .provenance import in_old_folder, put_away
from .store import Store

_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_NUMBERS = (*_INTEGERS, "FLOAT", "DOUBLE")


@dataclass
class Target:
    table: str
    kind: str  # new | append | schema_change
    replace: bool = False
    notes: list[str] = field(default_factory=list)
    penalties: list[tuple[str, float]] = field(default_factory=list)


def type_fits(target: str, incoming: str) -> bool:
    """True when every value of type ``incoming`` can be stored in a ``target`` column."""
    if target == incoming or target == "VARCHAR":
        return True
    if incoming in _INTEGERS and (target in _NUMBERS or target.startswith("DECIMAL")):
        return True
    if incoming in ("FLOAT",) and target == "DOUBLE":
        return True
    return incoming == "DATE" and target == "TIMESTAMP"


def fits(existing: list[Column], incoming: list[Column]) -> str | None:
    """'append' when ``incoming`` fits ``existing`` as is, 'schema_change' when it also adds
    columns, None when a shared column's type does not fit or too little is shared."""
    have = {c.name: c.type for c in existing}
    shared = [c for c in incoming if c.name in have]
    if not shared or len(shared) < max(1, len(have) // 2):
        return None
    if not all(type_fits(have[c.name], c.type) for c in shared):
        return None
    return "append" if len(shared) == len(incoming) else "schema_change"


def choose_target(store: Store, default: str, columns: list[Column], source: str,
                  workbook: str | None = None) -> Target:
    """The proposed destination of ``columns`` from ``source`` (default name ``default``;
    ``workbook`` is the file a sheet comes from).

    A file that loaded rows before (under any name: it may have been renamed) goes back
    to the table it loaded into, replacing those rows, when its columns still fit.
    """
    for table in _loaded_from(store, source):
        verdict = fits(store.columns(table), columns)
        if verdict:
            return _into(store, table, verdict, columns, source, same_name=True)
    if store.exists(default):
        verdict = fits(store.columns(default), columns)
        if verdict and workbook and _other_sources(store, default, source, f"{workbook}#"):
            name = _free_name(store, default)  # sheets whose names differ in case or spaces: still two sheets
            return Target(name, "new", notes=[f"another sheet of this workbook went into {default}, and each "
                                              f"sheet is its own table, so this proposes a new table {name}"])
        if verdict:
            return _into(store, default, verdict, columns, source, same_name=True)
        name = _free_name(store, default)
        return Target(name, "new", notes=[f"a table called {default} exists with other columns, so this proposes "
                                          f"a new table {name}"])
    old = in_old_folder(source.split("#", 1)[0])
    away = put_away(store)
    for other in store.table_names():
        if _is_domain(store, other) or old != (other in away):
            continue  # last year's file (in Old/) is not appended to this year's table, nor this year's to it
        existing = store.columns(other)
        if workbook and _other_sources(store, other, source, f"{workbook}#"):
            continue  # another sheet of this workbook: each sheet is its own table ("Autumn 2026", "2025-26")
        if len(columns) >= 2 and {c.name for c in existing} == {c.name for c in columns} \
                and fits(existing, columns) == "append":
            return _into(store, other, "append", columns, source, same_name=False)
    return Target(default, "new", notes=[f"a new table {default}"])


def _into(store: Store, table: str, kind: str, columns: list[Column], source: str, same_name: bool) -> Target:
    target = Target(table, kind)
    if kind == "schema_change":
        have = {c.name for c in store.columns(table)}
        added = [c.name for c in columns if c.name not in have]
        target.penalties.append((f"adds column(s) {', '.join(added)} to the existing table {table}", 0.85))
    else:
        target.notes.append(f"appends to the existing table {table}, whose columns it fits")
    if not same_name:
        target.penalties.append((f"table {table} has the same columns, though its name differs", 0.85))
    earlier = store.cursor().execute("SELECT coalesce(sum(id_hi - id_lo + 1), 0) FROM _grace.loads "
                                     "WHERE table_name = ? AND source = ?", [table, source]).fetchone()
    if earlier and earlier[0]:
        target.replace = True
        target.notes.append(f"replaces the {int(earlier[0]):,} rows loaded earlier from this same file")
        if changed := _hand_changes(store, table, source):
            target.penalties.append((changed, 0.85))  # the person's own edits: never replaced by the policy
    elif store.row_count(table):
        target.penalties.append(_mixing(store, table, source))
    return target


def _hand_changes(store: Store, table: str, source: str) -> str | None:
    """What replacing the rows ``source`` loaded into ``table`` would undo of the person's own
    work: rows edited in Grace (the file's values replace the edits) and rows deleted (they come
    back); None when there is none."""
    counts = dict(store.cursor().execute(
        "SELECT e.op, count(DISTINCT e.key) FROM (SELECT op, unnest(row_keys) AS key FROM _grace.edits "
        "WHERE table_name = ? AND op IN ('update', 'delete') AND NOT undone AND NOT coalesce(retired, false)) e "
        "JOIN _grace.loads l ON l.table_name = ? AND l.source = ? AND e.key BETWEEN l.id_lo AND l.id_hi "
        "GROUP BY e.op", [table, table, source]).fetchall())
    said = []
    if counts.get("update"):
        n = counts["update"]
        said.append(f"{n:,} of those rows {'was' if n == 1 else 'were'} edited in Grace, and the file's values "
                    "will replace those edits")
    if counts.get("delete"):
        n = counts["delete"]
        said.append(f"{n:,} row{' you deleted comes' if n == 1 else 's you deleted come'} back")
    return "; ".join(said) or None


def _mixing(store: Store, table: str, source: str) -> tuple[str, float]:
    """The doubt in putting a file's rows beside other rows: two files of one name may be two
    months of one ledger or two unrelated lists, so a person decides (0.85 is below the default
    auto-approval threshold, as for a table whose name differs)."""
    others = _other_sources(store, table, source)
    where = f"from {others[0]}" + (f" and {len(others) - 1} other file(s)" if len(others) > 1 else "") \
        if others else "that did not come from a file"
    return (f"table {table} already holds rows {where}; this file's rows would be added to them", 0.85)


def _other_sources(store: Store, table: str, source: str, prefix: str = "") -> list[str]:
    """The other files (starting with ``prefix``) whose rows ``table`` holds."""
    rows = store.cursor().execute("SELECT DISTINCT source FROM _grace.loads WHERE table_name = ? AND source <> ? "
                                  "AND starts_with(source, ?) ORDER BY 1", [table, source, prefix]).fetchall()
    return [r[0] for r in rows]


def _loaded_from(store: Store, source: str) -> list[str]:
    rows = store.cursor().execute("SELECT DISTINCT table_name FROM _grace.loads WHERE source = ? ORDER BY 1",
                                  [source]).fetchall()
    return [r[0] for r in rows if store.exists(r[0])]


def _is_domain(store: Store, table: str) -> bool:
    row = store.cursor().execute("SELECT domain FROM _grace.tables WHERE name = ?", [table]).fetchone()
    return bool(row and row[0])


def _free_name(store: Store, base: str) -> str:
    n = 2
    while store.exists(f"{base}_{n}"):
        n += 1
    return f"{base}_{n}"
