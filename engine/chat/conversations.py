"""Chat sessions and their messages, feedback on answers, and Markdown export.

An answer that declines keeps the closest passages it found (``closest``, apart from the
citations: they are not sources of the answer, so feedback never reaches them).
"""

from __future__ import annotations

import builtins
import json
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .. import audit
from ..changes import Changes
from ..errors import GraceError
from .render import confidence_words, late_result, outcome, weighed, without_proposals
from .store import reading, writing
from .types import Action, where

if TYPE_CHECKING:
    from ..workspace import Workspace

TITLE_CHARS = 60
CHAT_DELETED = "its chat was deleted"  # the reason of an action rejected because its chat was deleted
PURGE_AFTER = 30 * 24 * 3600.0  # seconds a deleted chat is kept (restorable) before it is removed for good
LIVE = "deleted_at IS NULL"  # a session not deleted


def title_for(question: str) -> str:
    """A session title from its first question (one line, at most TITLE_CHARS)."""
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


class Conversations:
    """Start, rename, search, delete and export chat sessions; store messages and feedback."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # -- sessions ----------------------------------------------------------------------------

    def new(self, title: str = "New chat") -> int:
        """Start a session; returns its id."""
        now = time.time()
        with writing(self.ws) as conn:
            sid = int(conn.execute(text("INSERT INTO chat_sessions(title, created_at, updated_at) "
                                        "VALUES (:t, :n, :n)"), {"t": title, "n": now}).lastrowid)
            audit.append(conn, "chat.session", str(sid), {"title": title})
        return sid

    def rename(self, session_id: int, title: str) -> Changes:
        title = " ".join(title.split())
        if not title:
            raise GraceError("A chat needs a title with at least one word.")
        with writing(self.ws) as conn:
            self._require(conn, session_id)
            conn.execute(text("UPDATE chat_sessions SET title=:t WHERE id=:i"), {"t": title, "i": session_id})
            audit.append(conn, "chat.rename", str(session_id), {"title": title})
        return Changes(conversations=True, audit=True)

    def delete(self, session_id: int, *, for_good: bool = False) -> Changes:
        """Delete a session: it leaves every list and search at once, and is kept with its messages,
        feedback and actions until ``purge`` removes it for good (PURGE_AFTER after), so that
        ``restore`` can undo the deletion. ``for_good``: removed now (a chat that holds nothing).
        Its actions waiting for approval are rejected first (``CHAT_DELETED``, audited as any
        rejection): without their chat no card is left to decide them; ``restore`` puts them back."""
        self.get(session_id)  # a sentence for an unknown session, before anything is rejected
        now = time.time()
        rejected: builtins.list[int] = []
        for action_id in self.waiting(session_id):
            try:
                self.ws.chat.actions.reject(action_id, CHAT_DELETED)
                rejected.append(action_id)
            except GraceError:  # decided meanwhile (approved elsewhere): it keeps that decision
                continue
        with writing(self.ws) as conn:
            title = self._require(conn, session_id)
            if for_good:
                conn.execute(text("DELETE FROM chat_sessions WHERE id=:i"), {"i": session_id})
            else:
                conn.execute(text("UPDATE chat_sessions SET deleted_at=:n WHERE id=:i"), {"n": now, "i": session_id})
            audit.append(conn, "chat.delete", str(session_id),
                         {"title": title, "rejected": rejected} | ({"for_good": True} if for_good else {}))
        self.purge()  # the chats deleted long enough ago
        return Changes(conversations=True, audit=True, actions=bool(rejected))

    def restore(self, session_id: int) -> Changes:
        """Undo ``delete``: the session is listed again with its messages, citations, feedback and
        actions, and the actions its deletion rejected wait for approval again (audited)."""
        with writing(self.ws) as conn:
            row = conn.execute(text("SELECT title, deleted_at FROM chat_sessions WHERE id=:i"),
                               {"i": session_id}).first()
            if row is None:
                raise GraceError(f"The chat session {session_id} cannot be restored: it was deleted for good.")
            if row.deleted_at is None:
                return Changes()  # restored already (Undo pressed twice)
            reopened = [int(r[0]) for r in conn.execute(text(
                "SELECT id FROM actions WHERE session_id=:s AND status='rejected' AND reason=:why "
                "AND decided_at >= :at ORDER BY id"), {"s": session_id, "why": CHAT_DELETED, "at": row.deleted_at})]
            for action_id in reopened:  # rejected by the deletion, not by the person: the deletion is undone
                conn.execute(text("UPDATE actions SET status='pending', reason=NULL, decided_at=NULL WHERE id=:i"),
                             {"i": action_id})
                audit.append(conn, "action.reopen", str(action_id), {"because": "its chat was restored"})
            conn.execute(text("UPDATE chat_sessions SET deleted_at=NULL WHERE id=:i"), {"i": session_id})
            audit.append(conn, "chat.restore", str(session_id), {"title": row.title, "reopened": reopened})
        return Changes(conversations=True, audit=True, actions=bool(reopened))

    def purge(self, older_than: float | None = PURGE_AFTER) -> int:
        """Remove for good the sessions deleted more than ``older_than`` seconds ago (None: every
        deleted session), with their messages and feedback; their actions stay, unlinked. Returns
        how many were removed."""
        before = time.time() - older_than if older_than is not None else float("inf")
        with writing(self.ws) as conn:
            ids = [int(r[0]) for r in conn.execute(text(
                "SELECT id FROM chat_sessions WHERE deleted_at IS NOT NULL AND deleted_at <= :b ORDER BY id"),
                {"b": before})]
            if ids:
                conn.execute(text("DELETE FROM chat_sessions WHERE deleted_at IS NOT NULL AND deleted_at <= :b"),
                             {"b": before})
                audit.append(conn, "chat.purge", ",".join(map(str, ids)), {"sessions": len(ids)})
        return len(ids)

    def deleted(self) -> builtins.list[dict[str, Any]]:
        """The deleted sessions not yet purged, the most recently deleted first."""
        with reading(self.ws) as conn:
            rows = conn.execute(text("SELECT id, title, deleted_at FROM chat_sessions WHERE deleted_at IS NOT NULL "
                                     "ORDER BY deleted_at DESC, id DESC"))
            return [dict(r._mapping) for r in rows]

    def waiting(self, session_id: int) -> builtins.list[int]:
        """The ids of the session's actions waiting for approval (deleting the chat rejects them)."""
        with reading(self.ws) as conn:
            rows = conn.execute(text("SELECT id FROM actions WHERE session_id=:s AND status='pending' ORDER BY id"),
                                {"s": session_id})
            return [int(r[0]) for r in rows]

    def get(self, session_id: int) -> dict[str, Any]:
        with reading(self.ws) as conn:
            row = conn.execute(text(f"SELECT id, title, created_at, updated_at FROM chat_sessions WHERE id=:i "
                                    f"AND {LIVE}"), {"i": session_id}).first()
        if row is None:
            raise GraceError(f"There is no chat session {session_id}.")
        return dict(row._mapping)

    def list(self, query: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Sessions not deleted, newest first; ``query`` keeps those whose title or messages contain it."""
        sql = ("SELECT s.id, s.title, s.created_at, s.updated_at, "
               "(SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id) AS messages FROM chat_sessions s "
               f"WHERE s.{LIVE}")
        params: dict[str, Any] = {"n": limit}
        if query and query.strip():
            sql += (" AND (instr(casefold(s.title), :q) OR EXISTS (SELECT 1 FROM chat_messages m "
                    "WHERE m.session_id = s.id AND instr(casefold(m.text), :q)))")
            params["q"] = query.strip().casefold()
        with reading(self.ws) as conn:
            rows = conn.execute(text(sql + " ORDER BY s.updated_at DESC, s.id DESC LIMIT :n"), params)
            return [dict(r._mapping) for r in rows]

    @staticmethod
    def _require(conn: Any, session_id: int) -> str:
        row = conn.execute(text(f"SELECT title FROM chat_sessions WHERE id=:i AND {LIVE}"), {"i": session_id}).first()
        if row is None:
            raise GraceError(f"There is no chat session {session_id}.")
        return str(row[0])

    # -- messages ----------------------------------------------------------------------------

    def add_message(self, session_id: int, role: str, body: str, *, trace_id: str | None = None,
                    confidence: float | None = None, abstained: bool = False, reasoner: str | None = None,
                    citations: builtins.list[dict[str, Any]] | None = None,
                    closest: builtins.list[dict[str, Any]] | None = None) -> int:
        """Store one message (with the ``closest`` passages of an answer that declines); returns its id."""
        now = time.time()
        with writing(self.ws) as conn:
            self._require(conn, session_id)
            mid = conn.execute(text(
                "INSERT INTO chat_messages(session_id, role, text, trace_id, confidence, abstained, reasoner, "
                "citations, closest, created_at) VALUES (:s, :r, :t, :tr, :c, :a, :re, :ci, :cl, :n)"),
                {"s": session_id, "r": role, "t": body, "tr": trace_id, "c": confidence, "a": int(abstained),
                 "re": reasoner, "ci": json.dumps(citations or []), "cl": json.dumps(closest or []),
                 "n": now}).lastrowid
            conn.execute(text("UPDATE chat_sessions SET updated_at=:n WHERE id=:s"), {"n": now, "s": session_id})
        return int(mid)

    def messages(self, session_id: int, last: int | None = None) -> builtins.list[dict[str, Any]]:
        """A session's messages in order (only the ``last`` few if given), with their actions, the
        person's rating of an answer (+1, -1 or None) and the ``closest`` passages of one that declined.
        A deleted session has none (until it is restored)."""
        with reading(self.ws) as conn:
            rows = conn.execute(text(
                "SELECT id, role, text, trace_id, confidence, abstained, reasoner, citations, closest, created_at, "
                "(SELECT rating FROM chat_feedback f WHERE f.message_id = m.id AND f.chunk_id IS NULL LIMIT 1) "
                "AS rating FROM chat_messages m WHERE session_id=:s "
                f"AND EXISTS (SELECT 1 FROM chat_sessions s WHERE s.id = m.session_id AND s.{LIVE}) "
                "ORDER BY id DESC LIMIT :n"),
                {"s": session_id, "n": last if last is not None else -1}).all()
            acts = conn.execute(text("SELECT id, message_id FROM actions WHERE session_id=:s ORDER BY id"),
                                {"s": session_id}).all()
        by_message: dict[int, list[int]] = {}
        for aid, mid in acts:
            by_message.setdefault(mid, []).append(aid)
        out = []
        for r in reversed(rows):
            d = dict(r._mapping)
            d["citations"], d["closest"] = json.loads(d["citations"]), json.loads(d["closest"])
            d["abstained"] = bool(d["abstained"])
            d["actions"] = by_message.get(d["id"], [])
            out.append(d)
        return out

    # -- feedback ----------------------------------------------------------------------------

    def feedback(self, message_id: int, rating: int) -> Changes:
        """Thumbs up (+1) or down (-1) on an answer: stored on the answer and on each cited source."""
        if rating not in (1, -1):
            raise GraceError("Feedback is +1 (helpful) or -1 (not helpful).")
        now = time.time()
        with writing(self.ws) as conn:
            row = conn.execute(text("SELECT citations FROM chat_messages WHERE id=:i AND role='assistant'"),
                               {"i": message_id}).first()
            if row is None:
                raise GraceError(f"There is no answer {message_id} to rate.")
            conn.execute(text("DELETE FROM chat_feedback WHERE message_id=:i"), {"i": message_id})
            rows = [(None, None)] + [(c.get("chunk_id"), c.get("path")) for c in json.loads(row[0])
                                   if c.get("chunk_id")]  # a passage's; a table row's has none
            for chunk_id, path in rows:
                conn.execute(text("INSERT INTO chat_feedback(message_id, rating, chunk_id, path, created_at) "
                                  "VALUES (:m, :r, :c, :p, :n)"),
                             {"m": message_id, "r": rating, "c": chunk_id, "p": path, "n": now})
            audit.append(conn, "chat.feedback", str(message_id), {"rating": rating, "sources": len(rows) - 1})
        return Changes(conversations=True, audit=True)

    def clear_feedback(self, message_id: int) -> Changes:
        """Take back the rating of an answer (and of its cited sources); nothing to take back is fine."""
        with writing(self.ws) as conn:
            gone = conn.execute(text("DELETE FROM chat_feedback WHERE message_id=:i"), {"i": message_id}).rowcount
            if gone:
                audit.append(conn, "chat.feedback", str(message_id), {"rating": None})
        return Changes(conversations=True, audit=bool(gone))

    def source_feedback(self, chunk_id: int) -> int:
        """The sum of ratings given to answers that cited ``chunk_id`` (in chats not deleted)."""
        with reading(self.ws) as conn:
            return int(conn.execute(text(
                "SELECT COALESCE(sum(f.rating), 0) FROM chat_feedback f JOIN chat_messages m ON m.id = f.message_id "
                f"JOIN chat_sessions s ON s.id = m.session_id WHERE f.chunk_id=:c AND s.{LIVE}"),
                {"c": chunk_id}).scalar_one())

    # -- export ------------------------------------------------------------------------------

    def export_markdown(self, session_id: int) -> str:
        """The session as Markdown: questions, answers, each action with where it stands now (as
        its card shows it), confidence where the pane shows one, and numbered sources."""
        session = self.get(session_id)
        out = [f"# {session['title']}", ""]
        for m in self.messages(session_id):
            if m["role"] == "user":
                out += [f"**You:** {m['text']}", ""]
                continue
            actions = [self.ws.chat.actions.get(a) for a in m["actions"]]
            out += [f"**Grace:** {without_proposals(m['text'], actions)}".rstrip(), ""]
            for action in actions:
                out += _action_lines(action)
            if m["confidence"] is not None and weighed(m["text"], m["citations"], m["abstained"], actions):
                out += [f"*{confidence_words(m['confidence'], m['abstained'])}*", ""]
            for c in m["citations"]:
                out.append(_source(c))
            if m["closest"]:
                out.append("*The closest passages:*")
            for c in m["closest"]:
                out.append(_source(c))
            if m["citations"] or m["closest"]:
                out.append("")
        return "\n".join(out).rstrip() + "\n"


def _action_lines(a: Action) -> list[str]:
    """An action in an export: what it does (a query's SQL), where it stands now, and what it
    found when it ran after approval (as its card shows it)."""
    sql = a.params.get("sql") if a.type == "query" else None
    what = f"Read-only query `{sql}`" if isinstance(sql, str) else f"**{a.summary}**"
    found = late_result(a)
    return [f"- Action {a.id}: {what} → {outcome(a)}", ""] + ([found, ""] if found else [])


def _source(c: dict[str, Any]) -> str:
    """One source as an export's list item (lines of their own ran together into one paragraph in
    a Markdown reader): number, path, where, and its quote."""
    said = where(c["path"], c.get("page"), c.get("line_start"), c.get("line_end"))  # "paragraph 2" of a DOCX
    quote = " ".join(c["quote"].split())
    return f"- [{c['n']}] `{c['path']}`{' (' + said + ')' if said else ''}: “{quote}”"
