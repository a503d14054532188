"""What each action kind does, through the workspace's normal operations only."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..changes import Changes
from ..errors import GraceError, NotApproved, PolicyViolation
from ..progress import CancelFn, ProgressFn
from ..tables.domain import persons_own
from ..tables.names import safe_name
from .words import stem

if TYPE_CHECKING:
    from ..workspace import Workspace



@dataclass(frozen=True)
class Watch:
    """Progress and cancel for a long action (an ingest, a re-index) run as an app's job."""

    progress: ProgressFn | None = None
    is_cancelled: CancelFn | None = None


QUIET = Watch()  # no progress shown, never cancelled (the CLI, tests, tier-1 actions)
Run = Callable[["Workspace", dict[str, Any], Watch], tuple[Any, Changes]]
Prepare = Callable[["Workspace", dict[str, Any]], dict[str, Any]]
_READ_ONLY_SQL = re.compile(r"^\s*(select|with|describe|show|summarize|pragma\s+table_info)\b", re.I)


@dataclass(frozen=True)
class Kind:
    """An action kind: its own governance tier, required parameters, summary and runner."""

    name: str
    tier: int  # 1 read-only, 2 write (approval), 3 destructive or system (confirmation + reason)
    required: tuple[str, ...]
    summary: Callable[[dict[str, Any]], str]
    run: Run
    description: str
    prepare: Prepare | None = None  # checks and normalises parameters when proposed (PolicyViolation)


def tables_of(ws: Workspace) -> Any:
    """The workspace's memory tables, or raise a sentence saying they are not available."""
    tables = getattr(ws, "tables", None)
    if tables is None:
        raise GraceError("Memory tables are not available in this build of Grace.")
    return tables


def persons_tables(tables: Any) -> list[Any]:
    """The person's memory tables (``engine.tables.domain.persons_own``)."""
    return persons_own(tables.list())


def memory_table_count(ws: Workspace) -> int:
    """How many memory tables the person has (0 when they cannot be listed)."""
    try:
        return len(persons_tables(tables_of(ws)))
    except Exception:  # noqa: BLE001 - a count for people: never stops an answer
        return 0


def _status(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    return ws.status() | {"memory_tables": memory_table_count(ws)}, Changes()


def _show_errors(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    needle = str(params.get("about") or "").lower()
    failures = [{"path": f["path"], "reason": f["error"], "when": f["updated_at"]} for f in ws.failures()]
    failures += _failed_actions(ws)
    if needle:
        failures = [f for f in failures if needle in f["path"].lower() or needle in str(f["reason"]).lower()]
    failures.sort(key=lambda f: -(f.get("when") or 0))
    return failures[: int(params.get("limit") or 20)], Changes()


def _failed_actions(ws: Workspace) -> list[dict[str, Any]]:
    chat = getattr(ws, "chat", None)
    if chat is None:
        return []
    return [{"path": f"action {a.id} ({a.type})", "reason": a.error, "when": a.created_at}
            for a in chat.actions.list(status="failed", limit=20)]


def _query(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    sql = str(params["sql"])
    if not _READ_ONLY_SQL.match(sql) or ";" in sql.strip().rstrip(";"):
        raise PolicyViolation("Only one read-only query (SELECT) can run without approval.")
    columns, rows = tables_of(ws).query(sql)
    return {"columns": columns, "rows": [list(r) for r in rows]}, Changes()


# The types a column of a table made in chat can have: the words the Approvals pane offers, and
# SQL's, each with the DuckDB type it stands for; TYPE_WORDS says each type back in one word.
COLUMN_TYPES = {
    "text": "VARCHAR", "string": "VARCHAR", "varchar": "VARCHAR", "char": "VARCHAR",
    "whole number": "BIGINT", "integer": "BIGINT", "int": "BIGINT", "bigint": "BIGINT", "smallint": "BIGINT",
    "number": "DOUBLE", "float": "DOUBLE", "double": "DOUBLE", "real": "DOUBLE", "numeric": "DOUBLE",
    "amount": "DECIMAL(18,2)", "decimal": "DECIMAL(18,2)", "money": "DECIMAL(18,2)",
    "yes/no": "BOOLEAN", "yes or no": "BOOLEAN", "boolean": "BOOLEAN", "bool": "BOOLEAN",
    "date": "DATE", "date and time": "TIMESTAMP", "datetime": "TIMESTAMP", "timestamp": "TIMESTAMP",
    "time": "TIME", "json": "JSON"}
TYPE_WORDS = {"VARCHAR": "text", "BIGINT": "whole number", "DOUBLE": "number", "DECIMAL(18,2)": "amount",
              "BOOLEAN": "yes/no", "DATE": "date", "TIMESTAMP": "date and time", "TIME": "time", "JSON": "JSON"}
_TYPE_LIST = ", ".join(TYPE_WORDS.values())
# "cost (number)", "cost: number", "cost as a number"; and "age INTEGER" (a bare SQL type after the name).
_TYPED = re.compile(r"^(?P<name>[^():]+?)\s*(?:\((?P<paren>[^()]*)\)?|:\s*(?P<colon>[^:]*)"
                    r"|\s+as\s+(?:an?\s+)?(?P<as>[\w/ -]{1,20}))$", re.I)
_BARE_TYPE = re.compile(r"^(?P<name>.+?)\s+(?P<type>[A-Za-z]+)(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?$")
_NAME_WORDS = frozenset({"text", "string", "number", "amount", "date", "time", "money"})  # "due date", "phone number"


def column_type(word: str) -> str | None:
    """The DuckDB type a type word means ("whole number", "Date and time", "VARCHAR(20)"), or None."""
    key = re.sub(r"\(\s*\d+(?:\s*,\s*\d+)?\s*\)$", "", " ".join(re.sub(r"[-_]", " ", word.lower()).split()))
    return COLUMN_TYPES.get(re.sub(r"^(?:an?|the)\s+", "", key).replace("yes / no", "yes/no"))


def split_type(spec: str, sql: bool = False) -> tuple[str, str | None]:
    """A column as written -> (its name, its type word as written, or None): "cost (number)",
    "cost: number", "cost as a number" and "age INTEGER" give a type; "due date" and "phone
    number" are names: a bare type word that often ends a name counts only in capitals ("date
    DATE"), or with ``sql`` (another column has a bare SQL type: "name text, age integer")."""
    spec = spec.strip()
    if (m := _TYPED.match(spec)) and not re.fullmatch(r"[\d\s,]*", m["paren"] or "-"):  # VARCHAR(20): a size
        word = next(w for w in (m["paren"], m["colon"], m["as"]) if w is not None).strip()
        if m["as"] is None or column_type(word):  # "as" names a type only when it is one
            return m["name"].strip(), word or None
    if (m := _BARE_TYPE.match(spec)) and column_type(m["type"]) and (
            sql or m["type"].isupper() or m["type"].lower() not in _NAME_WORDS):
        return m["name"].strip(), m["type"]
    return spec, None


def sql_typed(specs: list[str]) -> bool:
    """Some column of ``specs`` is written as in SQL, its name then a type no name ends with ("age integer")."""
    return any((m := _BARE_TYPE.match(s.strip())) and column_type(m["type"]) and m["type"].lower() not in _NAME_WORDS
               for s in specs)


def _typed_columns(raws: list[str], given: Any) -> tuple[list[str], dict[str, str]]:
    """The safe names of columns written as ``raws`` and the DuckDB type of each that is not text
    (a type written with the name, or in ``given``: name -> type word); an unknown type word is refused."""
    given = given if isinstance(given, dict) else {}
    names: list[str] = []
    types: dict[str, str] = {}
    as_sql = sql_typed(raws)
    for i, raw in enumerate(raws, 1):
        name, word = split_type(raw, as_sql)
        safe = safe_name(name, f"column_{i}")
        word = word or given.get(name) or given.get(safe)
        sql = column_type(str(word)) if word else "VARCHAR"
        if sql is None:
            raise PolicyViolation(f"“{word}” (the type of column {name}) is not a column type Grace knows; a column "
                                  f"can be {_TYPE_LIST}.")
        names.append(safe)
        if sql != "VARCHAR":
            types[safe] = sql
    return names, types


def _prepare_create(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """The table and column names as the tables will create them, with the columns' types
    (``types``: name -> DuckDB type, for those not text); two columns that would get the same
    name are refused rather than renamed, and so is a type Grace does not know."""
    given = params["columns"]
    if not isinstance(given, list | str):
        raise PolicyViolation("The create_table action needs its columns as a list of names.")
    given = re.split(r"\s*[,;]\s*", given) if isinstance(given, str) else given
    raws = [str(c).strip() for c in given if str(c).strip()]
    names, types = _typed_columns(raws, params.get("types"))
    for name in dict.fromkeys(names):
        same = [r for r, n in zip(raws, names, strict=True) if n == name]
        if len(same) > 1:
            raise PolicyViolation(f"The columns {', '.join(same)} would all be called {name!r}; give them "
                                  "different names.")
    if not names:
        raise PolicyViolation("The create_table action needs at least one column.")
    table = safe_name(params["table"], "table", "t")
    tables = tables_of(ws)
    if existing := _table_called(tables, table):
        columns = ", ".join(c.name for c in tables.columns(existing))
        raise PolicyViolation(f"A memory table called {existing} exists already (columns: {columns}); add rows to "
                              "it, or give the new table another name.")
    return params | {"table": table, "columns": names, "types": types}


def _create_table(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    """Create an empty table with exactly the named columns, each of its type (text when none)."""
    tables = tables_of(ws)
    name, columns = str(params["table"]), [str(c) for c in params["columns"]]
    if _table_called(tables, name):
        return {"table": name, "existed": True}, Changes()  # idempotent: a retried action does no harm
    changes = tables.create_empty(name, columns, source=f"chat action: {KINDS['create_table'].summary(params)}",
                                  types=dict(params.get("types") or {}))
    return {"table": name, "columns": [c.name for c in tables.columns(name)]}, changes


def _table_called(tables: Any, name: str) -> str | None:
    """The existing table ``name`` means (its own name, or the name the tables would make of it)."""
    existing = [t.name for t in tables.list()]
    wanted = {name, safe_name(name, name, "t")}
    return next((t for t in existing if t in wanted), None) or next(
        (t for t in existing if t.lower() == name.lower()), None)


def column_for(key: str, columns: list[Any]) -> str | None:
    """The column ``key`` names: its own name, or the same key normalised as the table's columns
    were (case, spaces and punctuation, SQL keywords), or the column's source name."""
    wanted = {key, safe_name(key, key)}
    for col in columns:
        if col.name in wanted or str(col.source_name).strip().lower() == key.strip().lower():
            return str(col.name)
    return None


def _resolve_rows(tables: Any, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows keyed by ``table``'s column names; a key that names no column is refused."""
    columns = tables.columns(table)
    out = []
    for row in rows:
        resolved = {}
        for key, value in dict(row).items():
            col = column_for(str(key), columns)
            if col is None:
                raise PolicyViolation(f"Table {table} has no column called {key!r}; its columns are "
                                      f"{', '.join(c.name for c in columns)}.")
            resolved[col] = value
        out.append(resolved)
    return out


def _prepare_rows(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Keys resolved to columns now when the table exists; when it does not, the rows wait only for
    a table that a pending action would create (they are resolved when they are added)."""
    if not isinstance(params["rows"], list) or not all(isinstance(r, dict) for r in params["rows"]):
        raise PolicyViolation("The add_rows action needs rows as objects of column: value.")
    tables = tables_of(ws)
    table = _table_called(tables, str(params["table"]))
    if table is None:
        if not _pending_create(ws, str(params["table"])):
            raise PolicyViolation(f"There is no memory table called {params['table']} to add rows to "
                                  f"(your tables: {_table_names(tables)}).")
        return params
    return params | {"table": table, "rows": _resolve_rows(tables, table, params["rows"])}


def _pending_create(ws: Workspace, table: str) -> bool:
    """A create_table action for ``table`` waits for approval."""
    chat = getattr(ws, "chat", None)
    wanted = {table, safe_name(table, "table", "t")}
    return chat is not None and any(
        a.type == "create_table" and a.params.get("table") in wanted for a in chat.actions.pending())


def _table_names(tables: Any, shown: int = 20) -> str:
    names = [t.name for t in persons_tables(tables)]
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more or "none yet"


def _add_rows(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    tables, changes, waiting = tables_of(ws), Changes(), []
    table = _table_called(tables, str(params["table"])) or str(params["table"])
    for row in _resolve_rows(tables, table, params["rows"]):
        try:
            out = tables.add_row(table, row)
        except NotApproved as exc:  # the table's own policy keeps the row as a proposal
            waiting.append(getattr(exc, "proposal_id", None))
            out = getattr(exc, "changes", None)
        changes = changes | (out if isinstance(out, Changes) else Changes(audit=True))
    return {"table": table, "rows": len(params["rows"]) - len(waiting), "proposals": waiting}, changes


def _ingest(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    report = ws.ingest(_existing_paths(params["paths"], GraceError), watch.progress, watch.is_cancelled)
    return report.as_dict(), Changes(documents=True, chunks=True, queue=True, audit=True)


def _reindex(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    changes = ws.reindex(watch.progress)
    return {"vectors": len(ws.index)}, changes


def _delete_table(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    tables = tables_of(ws)
    table = _table_called(tables, str(params["table"])) or str(params["table"])
    out = tables.drop_table(table, str(params.get("reason") or "asked in chat"))
    return {"table": table}, out if isinstance(out, Changes) else Changes(audit=True)


def _prepare_drop(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """The table the name means, or a refusal naming the tables there are, or saying the policy
    protects it."""
    tables = tables_of(ws)
    found = _table_called(tables, str(params["table"]))
    if not found:
        raise PolicyViolation(f"There is no memory table called {params['table']} (your tables: "
                              f"{_table_names(tables)}).")
    if found in tables.policy()["protected_tables"]:
        raise PolicyViolation(f"Table {found} is protected by the policy and cannot be dropped.")
    return params | {"table": found}


def _prepare_ingest(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """Absolute paths, each of which exists when proposed (and is checked again when run)."""
    return params | {"paths": _existing_paths(params["paths"], PolicyViolation)}


def _existing_paths(given: Any, error: type[GraceError]) -> list[str]:
    """``given`` (a path or a list of them) as absolute paths; ``error`` names those that do not exist."""
    paths = [os.path.abspath(os.path.expanduser(str(p))) for p in (given if isinstance(given, list) else [given])]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise error(f"Nothing to ingest at {', '.join(missing)}: no such file or folder.")
    return paths


def documents_named(name: str, paths: list[str]) -> list[str]:
    """The workspace documents ``name`` means: its full path, a path suffix or a file name
    (spaces allowed; case ignored when nothing matches exactly)."""
    name = name.strip().strip("\"'`").strip()
    if not name:
        return []
    full = os.path.abspath(os.path.expanduser(name))
    if full in paths:
        return [full]
    suffix = name.replace("/", os.sep)
    for fold in (str, str.lower):
        found = [p for p in paths if fold(p).endswith(fold(os.sep + suffix)) or fold(os.path.basename(p)) == fold(name)]
        if found:
            return found
    return []


_NOT_NAMING = frozenset("the my our your a an all every everything of document documents doc docs file files".split())


def documents_like(name: str, paths: list[str]) -> list[str]:
    """The documents whose file name holds every word of ``name`` (crudely stemmed): "the lease"
    means lease_summary.md, "Pepper's vet records" vet_records_pepper.txt."""
    def words(s: str) -> set[str]:
        return {stem(w) for w in re.findall(r"[a-z0-9]+", re.sub(r"'s\b", "", s.lower())) if w not in _NOT_NAMING}

    wanted = words(name)
    found = [p for p in paths if wanted <= words(os.path.basename(p))] if wanted else []
    same = [p for p in found if os.path.splitext(os.path.basename(p))[0].lower() == name.strip().lower()]
    return same or found


def folders_named(name: str, paths: list[str]) -> list[str]:
    """The folders holding documents of ``paths`` whose own name is ``name`` ("the recipes folder")."""
    want = name.strip().strip("\"'`").lower()
    found = set()
    for path in paths:
        folder = os.path.dirname(path)
        while folder and folder != os.path.dirname(folder):
            if os.path.basename(folder).lower() == want:
                found.add(folder)
            folder = os.path.dirname(folder)
    return sorted(found)


def _prepare_delete(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """The one document the path names, or a refusal saying there is none or which ones."""
    found = documents_named(str(params["path"]), [d["path"] for d in ws.documents()])
    if not found:
        raise PolicyViolation(f"No document in your workspace is called {params['path']}.")
    if len(found) > 1:
        raise PolicyViolation(f"Several documents are called {params['path']}: {', '.join(found[:10])}.")
    return params | {"path": found[0]}


def _delete_document(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    path = os.path.abspath(os.path.expanduser(str(params["path"])))
    known = {d["path"] for d in ws.documents()}
    if path not in known:
        raise GraceError(f"{path} is not in the workspace, so there is nothing to forget.")
    return {"path": path}, ws.remove_documents([path])


def _prepare_policy(ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
    """A known kind and a tier it can have: the policy raises a kind's tier, never lowers it."""
    kind, tier = str(params["kind"]), params["tier"]
    if kind not in KINDS or kind == "change_policy":
        raise PolicyViolation(f"There is no action kind {kind!r} the policy can set (kinds: "
                              f"{', '.join(k for k in KINDS if k != 'change_policy')}).")
    if str(tier) not in ("1", "2", "3"):
        raise PolicyViolation(f"A tier is 1, 2 or 3, not {tier!r}.")
    if int(tier) < KINDS[kind].tier:
        raise PolicyViolation(f"{kind} is a tier-{KINDS[kind].tier} action; the policy can raise its tier, never "
                              f"lower it below {KINDS[kind].tier}.")
    from .actions import read_policy  # noqa: PLC0415 - the policy's reader lives with the governance it serves

    if int(tier) == read_policy(str(ws.setting("action_tiers")))[0].get(kind, KINDS[kind].tier):
        raise PolicyViolation(f"{kind} actions are tier {tier} already, so the policy stays as it is.")
    return params | {"tier": int(tier)}


def _change_policy(ws: Workspace, params: dict[str, Any], watch: Watch) -> tuple[Any, Changes]:
    """Set one kind's tier in the setting action_tiers (the kind's own tier drops its entry)."""
    from .actions import read_policy  # the policy's reader lives with the governance it serves

    overrides = read_policy(str(ws.setting("action_tiers")))[0]
    kind, tier = str(params["kind"]), int(params["tier"])
    overrides.pop(kind, None)
    if tier > KINDS[kind].tier:
        overrides[kind] = tier
    spec = ", ".join(f"{k}={t}" for k, t in overrides.items())
    return {"action_tiers": spec}, ws.set_setting("action_tiers", spec)


def _rows_summary(p: dict[str, Any], shown: int = 2, width: int = 100) -> str:
    """"Add 2 rows to books: title=Dune, year=1965; title=Emma" (the first ``shown`` rows, each cut
    at ``width`` characters), so whoever approves sees what would be written."""
    rows = [r for r in p["rows"] if isinstance(r, dict)]
    n = len(p["rows"])
    parts = []
    for row in rows[:shown]:
        text = ", ".join(f"{k}={v}" for k, v in row.items())
        parts.append(text if len(text) <= width else text[: width - 1] + "…")
    more = f"; and {n - shown} more" if n > shown else ""
    return f"Add {n} row{'s' if n != 1 else ''} to {p['table']}" + (f": {'; '.join(parts)}{more}" if parts else "")


def _cols(p: dict[str, Any]) -> str:
    """"date: date, city: text, cost: number" once any column has a type; else the names alone."""
    types = p.get("types") or {}
    if not types:
        return ", ".join(str(c) for c in p.get("columns", []))
    return ", ".join(f"{c}: {TYPE_WORDS.get(types.get(c, 'VARCHAR'), types.get(c))}" for c in p.get("columns", []))


KINDS: dict[str, Kind] = {k.name: k for k in [
    Kind("status", 1, (), lambda p: "Show the workspace's status", _status,
         "Show what the workspace holds: documents, tables, approvals, failures."),
    Kind("show_errors", 1, (), lambda p: "Show recent errors" + (f" about {p['about']}" if p.get("about") else ""),
         _show_errors, "List recent failures (files that could not be read, actions that failed) with reasons."),
    Kind("query", 1, ("sql",), lambda p: f"Run a read-only query: {p['sql']}", _query,
         "Run one read-only SQL SELECT over the memory tables."),
    Kind("create_table", 2, ("table", "columns"), lambda p: f"Create table {p['table']} ({_cols(p)})",
         _create_table, "Create a memory table with the named columns (a column may give its type: 'cost (number)'; "
         f"types: {_TYPE_LIST}).", _prepare_create),
    Kind("add_rows", 2, ("table", "rows"), _rows_summary, _add_rows,
         "Add rows (objects of column: value) to a memory table.", _prepare_rows),
    Kind("ingest", 2, ("paths",), lambda p: "Ingest " + ", ".join(map(str, p["paths"])), _ingest,
         "Read files or folders into the workspace.", _prepare_ingest),
    Kind("reindex", 2, (), lambda p: "Rebuild the search index from stored embeddings", _reindex,
         "Rebuild the vector index from the embeddings stored in the catalog (no model run)."),
    Kind("delete_table", 3, ("table",), lambda p: f"Delete table {p['table']}", _delete_table,
         "Delete a memory table and its rows.", _prepare_drop),
    Kind("change_policy", 3, ("kind", "tier"), lambda p: f"Set the governance tier of {p['kind']} actions to "
         f"{p['tier']}", _change_policy, "Change the action policy: the tier (2 approval, 3 confirmation with a "
         "reason) one action kind needs; never below the kind's own.", _prepare_policy),
    Kind("delete_document", 3, ("path",), lambda p: f"Forget document {p['path']}", _delete_document,
         "Remove a document from the workspace (the file itself is left alone).", _prepare_delete),
]}
