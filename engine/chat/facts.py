"""Canonical facts: short statements the person has confirmed, given to every answer."""

from __future__ import annotations

import builtins
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .. import audit
from ..changes import Changes
from ..errors import GraceError
from .store import reading, writing
from .words import content_words, overlap

if TYPE_CHECKING:
    from ..workspace import Workspace


class Facts:
    """A small store of confirmed statements (kept in ``grace.sqlite``, audited)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def add(self, statement: str, source: str = "") -> Changes:
        """Confirm a statement (adding it again only refreshes its date)."""
        statement = " ".join(statement.split())
        if not statement:
            raise GraceError("A fact needs at least one word.")
        with writing(self.ws) as conn:
            conn.execute(text("INSERT INTO facts(statement, source, confirmed_at) VALUES (:s, :src, :t) "
                              "ON CONFLICT(statement) DO UPDATE SET confirmed_at=excluded.confirmed_at"),
                         {"s": statement, "src": source, "t": time.time()})
            audit.append(conn, "fact.confirm", statement[:120], {"source": source})
        return Changes(conversations=True, audit=True)

    def remove(self, fact_id: int) -> Changes:
        with writing(self.ws) as conn:
            row = conn.execute(text("SELECT statement FROM facts WHERE id=:i"), {"i": fact_id}).first()
            if row is None:
                raise GraceError(f"There is no fact {fact_id}.")
            conn.execute(text("DELETE FROM facts WHERE id=:i"), {"i": fact_id})
            audit.append(conn, "fact.remove", str(row[0])[:120], {})
        return Changes(conversations=True, audit=True)

    def list(self) -> list[dict[str, Any]]:
        with reading(self.ws) as conn:
            rows = conn.execute(text("SELECT id, statement, source, confirmed_at FROM facts ORDER BY id"))
            return [dict(r._mapping) for r in rows]

    def relevant(self, question: str, limit: int = 5) -> builtins.list[str]:
        """The confirmed statements sharing the most words with ``question``."""
        words = content_words(question)
        scored = [(overlap(words, f["statement"]), f["statement"]) for f in self.list()]
        return [s for score, s in sorted(scored, key=lambda x: -x[0]) if score > 0][:limit]
