"""Prose documents become proposed rows of the domain catalog's tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import audit
from . import dateorder, proposals
from .classify import extract_fields, load_doc
from .governance import auto_decide

if TYPE_CHECKING:
    from .api import Tables
    from .model import Proposal


def propose_document(t: Tables, path: str, content_hash: str, title: str | None = None,
                     fmt: str | None = None) -> Proposal | None:
    """Classify the ingested document into a catalog table and propose its row (none for a
    document without text: an emptied file has nothing to file)."""
    with t.sqlite_read() as conn:
        doc = load_doc(conn, path, content_hash, title, fmt)
    if not doc.text.strip():
        return None
    policy = t.policy()
    verdict = t.classifier.classify(doc, policy["min_classification_similarity"])
    table = t.catalog[verdict.table]
    with t.sqlite_read() as conn:
        orders = dateorder.workspace_orders(conn)
    values = extract_fields(table, doc, verdict.keywords, orders)
    found = [k for k, v in values.items() if v not in (None, "") and k not in ("title", "summary")]
    reasons = [*verdict.reasons, _found_sentence(found)]
    columns = [c for c in table.columns() if c.name in values]
    plan: dict[str, Any] = {"values": values, "trust": verdict.confidence, "scores": verdict.scores}
    with t.sqlite_write() as conn:
        for old in proposals.pending_for_source(conn, path, ("row",)):
            proposals.decide(conn, old, "rejected", "system", "superseded by a newer version of the document")
            audit.append(conn, "reject", f"proposal {old}", {"reason": "superseded"}, actor="system")
        pid = proposals.create(conn, kind="row", target=table.name, confidence=verdict.confidence, reasons=reasons,
                               row_count=1, columns=columns, sample=[[values[c.name] for c in columns]],
                               source=path, plan=plan, source_hash=content_hash)
        audit.append(conn, "propose", f"proposal {pid}", {"kind": "row", "table": table.name, "source": path,
                                                          "confidence": verdict.confidence}, actor="tables")
    auto_decide(t, pid, policy)
    return t.proposal(pid)


def _found_sentence(found: list[str]) -> str:
    """What was found in a document for its row besides a title and a summary, as a sentence."""
    if not found:
        return "Only a title and a summary were found in it."
    return f"Found in it besides a title and a summary: {', '.join(f.replace('_', ' ') for f in found)}."
