"""Proposals from files and documents, decisions on them, and crash repair.

A change that spans the two stores follows one order: the decision is committed
in ``grace.sqlite`` (status approved, audited), then the proposal is applied in
one DuckDB transaction that also records its id in ``_grace.applied``, then the
catalog marks it applied (audited). A crash between any two steps leaves a state
that ``repair`` finishes on the next open.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from .. import audit
from ..errors import TableError
from . import apply as applier
from . import dateorder, edits, proposals
from .infer import Inference, infer_file
from .load import Staged, stage, stage_name
from .model import Column, Proposal, described, jsonable, source_file
from .names import plain_name, quote_ident, safe_name
from .targets import choose_target, fits

if TYPE_CHECKING:
    from .api import Tables

SAMPLE_ROWS = 20
LOAD_KINDS = ("new", "append", "schema_change")


# -- proposals from files ------------------------------------------------------------------


def propose_file(t: Tables, path: Path, source_hash: str | None = None) -> list[Proposal]:
    """Infer the tables in ``path``, stage their rows and propose them (auto-approving by policy)."""
    policy = t.policy()
    store = t.store
    found = infer_file(store.cursor(), path, t.tmpdir, policy["nested_json"], date_orders(t))
    if shown := next((inf.date_order for inf in found if inf.date_order), None):
        with t.sqlite_write() as conn:  # what the next file whose dates cannot say goes by
            dateorder.remember(conn, shown)
    out = []
    for inf in found:
        try:
            pid = _propose_inference(t, inf, source_hash)
        finally:
            for tmp in inf.temp:
                tmp.unlink(missing_ok=True)
        auto_decide(t, pid, policy)
        out.append(t.proposal(pid))
    return out


def date_orders(t: Tables) -> tuple[str | None, str | None, str | None]:
    """What settles the order of numeric dates a file cannot (``dateorder.workspace_orders``)."""
    with t.sqlite_read() as conn:
        return dateorder.workspace_orders(conn)


def _propose_inference(t: Tables, inf: Inference, source_hash: str | None) -> int:
    store = t.store
    staged = stage(store, inf, stage_name())
    try:
        columns = [Column(c.name, c.source_name, c.type) for c in inf.columns]
        target = choose_target(store, inf.table, columns, inf.source, str(inf.path) if inf.sheet else None)
        confidence, reasons = _confidence(inf, staged, target.penalties)
        reasons += target.notes
        picked = ", ".join(quote_ident(c.name) for c in columns)
        sample = store.cursor().execute(f"SELECT {picked} FROM {quote_ident(staged.name)} "
                                        f"ORDER BY _grace_id LIMIT {SAMPLE_ROWS}").fetchall()
        plan = {"stage": staged.name, "stage_columns": [c.name for c in columns], "replace": target.replace,
                "raw": staged.raw,
                "description": described(inf.path.name + (f" (sheet {inf.sheet})" if inf.sheet else ""),
                                         inf.foot_notes),
                "format": inf.fmt, "notes": {c.name: c.note for c in inf.columns if c.note}}
        with t.sqlite_write() as conn:
            for old in proposals.pending_for_source(conn, inf.source, LOAD_KINDS):
                _supersede(conn, old)
            pid = proposals.create(conn, kind=target.kind, target=target.table, confidence=confidence,
                                   reasons=reasons, row_count=staged.rows, columns=columns,
                                   sample=[list(r) for r in sample], source=inf.source, plan=plan,
                                   source_hash=source_hash)
            audit.append(conn, "propose", f"proposal {pid}", {"kind": target.kind, "table": target.table,
                                                              "source": inf.source, "rows": staged.rows,
                                                              "confidence": confidence}, actor="tables")
    except BaseException:
        _drop_stage(t, staged.name)
        raise
    t.drop_unused_stages()
    return pid


def _supersede(conn: Any, proposal_id: int) -> None:
    proposals.decide(conn, proposal_id, "rejected", "system", "superseded by a newer version of the same source")
    audit.append(conn, "reject", f"proposal {proposal_id}", {"reason": "superseded"}, actor="system")


def _confidence(inf: Inference, staged: Staged, target_penalties: list[tuple[str, float]]) -> tuple[float, list[str]]:
    """Confidence in [0, 1] and the reasons behind it (what was found, then each doubt)."""
    typed = sum(1 for c in inf.columns if c.type != "VARCHAR")
    kinds = ("every column is text" if not typed else
             f"{typed} column{'' if typed == 1 else 's'} typed beyond text, every value checked against its type")
    reasons = [f"{staged.rows:,} row{'' if staged.rows == 1 else 's'} and {len(inf.columns)} "
               f"column{'' if len(inf.columns) == 1 else 's'} read from the {inf.fmt.upper()} file; {kinds}"]
    reasons += inf.notes
    if renamed := [f"{c.source_name} → {c.name}" for c in inf.columns
                   if c.source_name and c.name != plain_name(c.source_name)]:
        reasons.append(f"columns renamed to be usable in SQL: {', '.join(renamed[:8])}"
                       f"{' …' if len(renamed) > 8 else ''}")
    reasons += [f"column {c.name}: {c.note}" for c in inf.columns
                if c.note and c.name not in staged.conflicts and not (c.detected and c.detected.ambiguous)]
    doubts = list(inf.penalties) + list(target_penalties)
    for name, (count, example) in staged.conflicts.items():
        eg = f" (e.g. {example!r})" if example else ""
        doubts.append((f"column {name}: {count:,} value(s){eg} did not fit the type the sample suggested, so "
                       "the column stays text", 0.9))
    if staged.rejected_lines:
        share = len(staged.rejected_lines) / max(1, staged.rows + len(staged.rejected_lines))
        shown = ", ".join(map(str, staged.rejected_lines[:5]))
        doubts.append((f"{len(staged.rejected_lines):,} line(s) could not be read and were left out "
                       f"(line {shown}{'…' if len(staged.rejected_lines) > 5 else ''})", 0.6 if share > 0.01 else 0.8))
    if staged.widened:
        doubts.append((f"some rows have more fields than the header; {staged.widened} column(s) were added", 0.9))
    if inf.dialect is not None and not inf.dialect.strict:
        doubts.append(("some lines break the CSV quoting rules and were read leniently, as written", 0.9))
    if staged.reencoded:
        doubts.append((f"bytes that are not UTF-8 appear past the sample; the file was read as {staged.reencoded}",
                       0.95))
    if staged.rows == 0:
        doubts.append(("the file holds no data rows", 0.3))
    empty = [n for n, rate in staged.null_rates.items() if rate >= 1.0 and staged.rows]
    if empty:
        reasons.append(f"empty in every row: {', '.join(empty[:8])}")
    rates = list(staged.null_rates.values())
    if rates and sum(rates) / len(rates) > 0.5:
        doubts.append((f"{sum(rates) / len(rates):.0%} of the cells are empty", 0.9))
    confidence = 1.0
    for sentence, factor in doubts:
        confidence *= factor
        reasons.append(sentence)
    return round(max(0.0, min(1.0, confidence)), 3), reasons


def _drop_stage(t: Tables, name: str) -> None:
    with contextlib.suppress(duckdb.Error), t.store.write() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {quote_ident(name)}")


# -- decisions -----------------------------------------------------------------------------


def auto_decide(t: Tables, proposal_id: int, policy: dict[str, Any]) -> bool:
    """Approve and apply ``proposal_id`` if its confidence reaches the policy's threshold."""
    prop = t.proposal(proposal_id)
    threshold = policy["auto_approve_threshold"]
    if prop.status != "pending" or prop.confidence < threshold or threshold >= 1.0:  # 1 means never
        return False
    approve(t, proposal_id, None, None, None, "policy",
            f"auto-approved: confidence {prop.confidence:.2f} is at or above the threshold {threshold:.2f}")
    return True


def approve(t: Tables, proposal_id: int, table: str | None, renames: dict[str, str] | None,
            types: dict[str, str] | None, actor: str, reason: str | None = None) -> None:
    """Record the approval (with any renames and type changes), then apply the proposal."""
    prop, plan = t.proposal_and_plan(proposal_id)
    if prop.status != "pending":
        raise TableError(f"Proposal {proposal_id} is already {prop.status}.")
    original = t.proposal_and_plan(proposal_id)  # restored if the amended proposal cannot be applied
    amended = _amend(t, prop, plan, table, renames or {}, types or {})
    with t.sqlite_write() as conn:
        proposals.update(conn, proposal_id, target=amended.table, kind=amended.kind, columns=amended.columns,
                         plan=plan)
        proposals.decide(conn, proposal_id, "approved", actor, reason)
        audit.append(conn, "approve", f"proposal {proposal_id}",
                     {"table": amended.table, "kind": amended.kind, "renames": renames or {}, "types": types or {},
                      "reason": reason}, actor=actor)
    try:
        apply_approved(t, proposal_id)
    except TableError:
        old, old_plan = original
        with t.sqlite_write() as conn:
            proposals.update(conn, proposal_id, target=old.table, kind=old.kind, columns=old.columns, plan=old_plan)
        raise


def _amend(t: Tables, prop: Proposal, plan: dict[str, Any], table: str | None, renames: dict[str, str],
           types: dict[str, str]) -> Proposal:
    if prop.kind in ("row", "edit"):
        if renames or types:
            raise TableError(f"Proposal {prop.id} adds a {prop.kind}; its columns cannot be renamed or retyped.")
        if table and prop.kind == "row":
            name = safe_name(table, "")
            if name not in t.catalog:
                raise TableError(f"{table!r} is not a catalog table; a document's row goes into one of those.")
            prop.table = name
        return prop
    names = [c.name for c in prop.columns]
    for old in list(renames) + list(types):
        if old not in names and old not in renames.values():
            raise TableError(f"Proposal {prop.id} has no column called {old!r}.")
    for col in prop.columns:
        if col.name in renames:
            col.name = safe_name(renames[col.name], col.name)
        wanted = types.get(col.name) or types.get(next((o for o, n in renames.items() if n == col.name), ""), "")
        if wanted:
            col.type = t.type_name(wanted)
    if len({c.name for c in prop.columns}) != len(prop.columns):
        raise TableError("Two columns would have the same name; choose different names.")
    own = prop.table
    if table:
        prop.table = safe_name(table, prop.table, "t")
    if table or renames or types:
        # naming its own table (in any case) keeps a re-import's replace; another table gets an append
        prop.kind, plan["replace"] = _kind_for(t, prop), plan.get("replace", False) and prop.table == own
    return prop


def _kind_for(t: Tables, prop: Proposal) -> str:
    if not t.store.exists(prop.table):
        return "new"
    existing = t.store.columns(prop.table)
    verdict = fits(existing, prop.columns)
    if verdict is None:
        raise TableError(f"Table {prop.table!r} exists and its columns do not fit this data; choose another name.")
    return verdict


def _failed(prop: Proposal) -> str:
    """What could not be done, in words: "The table 'savings' could not be made from savings.csv"."""
    source = Path(source_file(prop.source)).name if prop.source else "its document"
    if prop.kind == "new":
        return f"The table {prop.table!r} could not be made from {source}"
    if prop.kind in ("append", "schema_change"):
        return f"The rows of {source} could not be added to the table {prop.table!r}"
    return f"The change to the table {prop.table!r} from {source} could not be made"


def apply_approved(t: Tables, proposal_id: int) -> None:
    """Apply an approved proposal in DuckDB and mark it applied; on failure it goes back to pending."""
    prop, plan = t.proposal_and_plan(proposal_id)
    try:
        with t.store.write() as cur:
            touched = applier.apply(t.store, cur, prop, plan)
    except (TableError, duckdb.Error) as exc:
        why = str(exc).strip().splitlines()[0]
        with t.sqlite_write() as conn:
            proposals.reopen(conn, proposal_id, f"could not be applied: {why}")
            audit.append(conn, "apply_failed", f"proposal {proposal_id}", {"error": why}, actor="tables")
        raise TableError(f"{_failed(prop)}: {why}") from exc
    t.store.touch(*touched)
    with t.sqlite_write() as conn:
        proposals.mark_applied(conn, proposal_id)
        audit.append(conn, "apply", f"proposal {proposal_id}", {"table": prop.table, "kind": prop.kind,
                                                               "rows": prop.row_count}, actor="tables")
    t.audit_edits()


def reject(t: Tables, proposal_id: int, reason: str, actor: str) -> None:
    """Record the rejection and its reason; the staged rows are dropped."""
    if not reason or not reason.strip():
        raise TableError("Say why the proposal is rejected (a reason is required).")
    prop, plan = t.proposal_and_plan(proposal_id)
    if prop.status != "pending":
        raise TableError(f"Proposal {proposal_id} is already {prop.status}.")
    with t.sqlite_write() as conn:
        proposals.decide(conn, proposal_id, "rejected", actor, reason.strip())
        audit.append(conn, "reject", f"proposal {proposal_id}", {"reason": reason.strip()}, actor=actor)
    if plan.get("stage"):
        _drop_stage(t, plan["stage"])


def propose_again(t: Tables, proposal_id: int, actor: str) -> int:
    """Read the file (or sheet) of the rejected ``proposal_id`` again and propose its table anew,
    left for the person to decide; returns the new proposal's id."""
    prop = t.proposal(proposal_id)
    if prop.status != "rejected" or prop.kind not in LOAD_KINDS:
        raise TableError(f"Only a rejected table from a file can be proposed again; this one is {prop.status}.")
    path = Path(source_file(prop.source))
    if not path.is_file():
        raise TableError(f"{path.name} can no longer be read ({path} is gone), so its table cannot be proposed "
                         "again.")
    found = infer_file(t.store.cursor(), path, t.tmpdir, t.policy()["nested_json"], date_orders(t))
    try:
        inf = next((i for i in found if i.source == prop.source), None)
        if inf is None:
            raise TableError(f"{path.name} no longer holds {prop.source.rsplit('#', 1)[-1]!r}.")
        pid = _propose_inference(t, inf, None)
    finally:
        for tmp in (tmp for i in found for tmp in i.temp):
            tmp.unlink(missing_ok=True)
    with t.sqlite_write() as conn:
        audit.append(conn, "propose_again", f"proposal {pid}", {"rejected": proposal_id}, actor=actor)
    return pid


def propose_edit(t: Tables, table: str, plan: dict[str, Any], summary: str, columns: list[Column],
                 sample: list[list[Any]]) -> int:
    """Keep an edit as a pending proposal (the policy wants edits to this table approved); ``sample``
    holds the rows it writes or removes, one value per column of ``columns``."""
    if any(len(row) != len(columns) for row in sample):
        raise TableError(f"The rows shown for the edit of {table} do not match its {len(columns)} column(s).")
    with t.sqlite_write() as conn:
        pid = proposals.create(conn, kind="edit", target=table, confidence=0.0,
                               reasons=[summary, f"the policy needs edits to {table} approved"],
                               row_count=len(plan.get("row_keys", [1])), columns=columns,
                               sample=jsonable(sample[:SAMPLE_ROWS]), source=f"edit of {table}", plan=plan)
        audit.append(conn, "propose", f"proposal {pid}", {"kind": "edit", "table": table, "edit": plan},
                     actor="tables")
    return pid


# -- repair --------------------------------------------------------------------------------


def repair(t: Tables) -> list[int]:
    """Finish what a crash interrupted: apply approved proposals, audit journalled edits."""
    with t.sqlite_read() as conn:
        approved = proposals.ids_with_status(conn, "approved")
    done = []
    for pid in approved:
        with contextlib.suppress(TableError):
            apply_approved(t, pid)
            done.append(pid)
    t.audit_edits()
    t.drop_unused_stages()
    with contextlib.suppress(duckdb.Error), t.store.write() as cur:
        edits.prune_snapshots(cur)
    return done
