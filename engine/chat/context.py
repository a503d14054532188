"""Context assembly: everything a reasoner may use to answer one question, under one trace id.

Passages (hybrid retrieval, with path, page, lines, trust and relevance), rows of memory
tables the question names, confirmed facts, the workspace's own status, the session's
last messages, the trust context, and recent failures when the question asks for them.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import catalog
from ..errors import GraceError
from ..search import SearchHit, hybrid_search, mentioned_together, unseen
from ..tables.mentions import words_in
from .respell import TableWords, table_words
from .store import reading
from .versions import ASKS_OLD, replacements
from .words import LETTERS, acronyms, codes, content_words, names, private_unasked, terms, weekday

if TYPE_CHECKING:
    from ..embed import QueryVectors
    from ..workspace import Workspace

PASSAGES = 8
HISTORY = 10
# Words about the answer's form, not its subject: "a markdown table of the tyre pressures" asks
# about tyre pressures, and no file need say "markdown" for it to be answered.
FORM_WORDS = frozenset("""markdown md table tabular list bullet bullets bulleted numbered summary summarize
summarise overview paragraph paragraphs format formatted""".split())
_ERRORS = re.compile(r"\b(errors?|fail(?:ed|ures?|s|ing)?|broken|problems?|went wrong)\b", re.I)


@dataclass
class Passage:
    """A retrieved passage, numbered for citing ([n]), with its cosine relevance to the question."""

    n: int
    hit: SearchHit
    relevance: float
    vector: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        h = self.hit
        return {"n": self.n, "path": h.path, "page": h.page, "line_start": h.line_start, "line_end": h.line_end,
                "heading": h.heading, "trust": h.trust, "relevance": round(self.relevance, 4),
                "chunk_id": h.chunk_id}


@dataclass
class Context:
    trace_id: str
    question: str
    qvec: np.ndarray
    passages: list[Passage]
    tables: list[dict[str, Any]] = field(default_factory=list)  # {table, columns, rows}
    facts: list[str] = field(default_factory=list)
    status: dict[str, Any] = field(default_factory=dict)
    failures: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, str]] = field(default_factory=list)
    pending_approvals: int = 0
    wants_errors: bool = False
    unknown_names: list[str] = field(default_factory=list)  # names (and codes, years) in the question no file mentions
    unknown_terms: list[str] = field(default_factory=list)  # lower-case terms (``words.terms``) no file mentions
    # What the question names that only the person's tables hold: a name, code or cell ("batch 24-007")
    # no file mentions. The question is about those rows, so a file's sentence answers it only strongly.
    held: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)  # names typed in lower case that tables write ("becky")
    query: str = ""  # what was retrieved for, when not the question alone (a follow-up joined to its thread)
    focus: frozenset[str] = frozenset()  # a follow-up's own new words: the sentences quoted must have one
    focus_vec: np.ndarray | None = None  # the follow-up read alone (for when no sentence uses its words)
    thread_vec: np.ndarray | None = None  # the questions it follows, read together
    replaced: set[tuple[str, str]] = field(default_factory=set)  # (older, newer) files the newer says it replaces

    @property
    def searched(self) -> str:
        """The text the passages were retrieved for."""
        return self.query or self.question

    def trust(self, cited: list[int] | None = None) -> float:
        """Average trust of the cited passages (all passages when none are named)."""
        chosen = [p.hit.trust for p in self.passages if cited is None or p.n in cited]
        return float(np.mean(chosen)) if chosen else 1.0

    def passage(self, n: int) -> Passage | None:
        return next((p for p in self.passages if p.n == n), None)


def assemble(ws: Workspace, question: str, session_id: int | None = None, k: int = PASSAGES,
             trace_id: str | None = None, query: str | None = None) -> Context:
    """Build the context for ``question`` (the model runs once, for the embedding of ``query``,
    the text to retrieve for: the question itself unless given)."""
    searched = query or question
    people = named(ws, searched)
    tables = _tables_worker().submit(table_matches, ws, searched, people=people)  # DuckDB, beside the search
    made: list[QueryVectors] = []  # search encodes the question beside its keyword stage; kept here

    def encode(text: str) -> QueryVectors:
        made.append(ws.embedder.encode_query(text))
        return made[-1]

    with reading(ws) as conn:
        hits = hybrid_search(conn, ws.index, encode, searched, k)
        qvec = np.asarray(made[-1].vector, dtype=np.float32)
        keys, vectors = catalog.embeddings_for(conn, [h.chunk_id for h in hits])
        unknown = unseen(conn, _subject(names(searched) + codes(searched) + acronyms(searched)))
        unknown_terms = unseen(conn, _subject(terms(searched, ws.embedder.count_tokens)))
        # "under the old policy, …" asks what the replaced file said
        replaced = set() if ASKS_OLD.search(question) else replacements(conn, [h.path for h in hits])
    by_id = {int(key): vec for key, vec in zip(keys, vectors, strict=True)}
    passages: list[Passage] = []
    for hit in hits:
        vec = by_id.get(hit.chunk_id)
        vec = vec / (np.linalg.norm(vec) or 1.0) if vec is not None else np.zeros_like(qvec)
        passages.append(Passage(len(passages) + 1, hit, float(vec @ qvec), vec))
    ctx = Context(trace_id or uuid.uuid4().hex[:12], question, qvec, passages, unknown_names=unknown,
                  unknown_terms=unknown_terms, query=query or "", replaced=replaced)
    ctx.wants_errors = bool(_ERRORS.search(question))
    ctx.people = people
    _workspace_state(ws, ctx, session_id)
    ctx.tables = tables.result()
    if unknown or unknown_terms:  # a word the files lack but a table holds is not unknown
        cells = [str(c) for m in ctx.tables for row in m["rows"] for c in row]
        said = " ".join([_table_words(ws), *cells]).lower().replace("_", " ")  # revenue_gbp says "gbp"
        dated = any(isinstance(c, datetime.date) for m in ctx.tables for row in m["rows"] for c in row)
        # "Saturday" of a rota's dates: a day its date cells say, though no cell writes it
        ctx.unknown_names = [n for n in unknown if not words_in(n.lower(), said)
                             and not (dated and weekday(n) is not None)]
        ctx.unknown_terms = [t for t in unknown_terms if not words_in(t, said)]
    held = [n for n in [*unknown, *unknown_terms] if n not in ctx.unknown_names + ctx.unknown_terms]
    held += _cells_only_in_tables(ws, searched, ctx.tables)
    ctx.held = list(dict.fromkeys(held))  # a name that is a whole cell ("Dune") once
    return ctx


def _cells_only_in_tables(ws: Workspace, question: str, tables: list[dict[str, Any]]) -> list[str]:
    """The cells of the matched rows that ``question`` says and no file mentions, when they are
    the names of things (a digit or a capital in them: "24-007", "Spotify Family"), not plain words."""
    lowered = question.lower()
    said = list(dict.fromkeys(c for m in tables for row in m["rows"] for c in row
                              if isinstance(c, str) and len(c) >= 3
                              and _named(c) and words_in(c.lower(), lowered)))
    if not said:
        return []
    with reading(ws) as conn:
        return [cell for cell in said if not mentioned_together(conn, cell)]


def _named(cell: str) -> bool:
    return any(ch.isdigit() or ch.isupper() for ch in cell)


@cache
def _tables_worker() -> ThreadPoolExecutor:
    """One thread that looks for table rows a question mentions while the search runs (DuckDB
    and the search's model and SQLite release the GIL)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="grace-tables")


def _workspace_state(ws: Workspace, ctx: Context, session_id: int | None) -> None:
    chat = getattr(ws, "chat", None)
    ctx.status = ws.status()
    ctx.failures = [{"path": f["path"], "reason": f["error"]} for f in ws.failures()[:20]] if ctx.wants_errors else []
    if chat is not None:
        ctx.facts = chat.facts.relevant(ctx.question)
        ctx.pending_approvals = len(chat.actions.pending())
        if session_id is not None:
            ctx.history = [{"role": m["role"], "text": m["text"]}
                           for m in chat.sessions.messages(session_id, last=HISTORY)]
    ctx.pending_approvals += table_proposals(ws)


def _subject(words: list[str]) -> list[str]:
    """``words`` without those about the answer's form (``FORM_WORDS``)."""
    return [w for w in words if w.lower() not in FORM_WORDS]


def table_proposals(ws: Workspace) -> int:
    """How many table proposals wait for approval (0 when there are no memory tables)."""
    try:
        return ws.tables.pending_count()
    except Exception:  # noqa: BLE001 - telemetry must never stop an answer
        return 0


def _table_words(ws: Workspace) -> str:
    """The names of the person's tables and of their columns ("revenue_gbp"): words a question
    may use that no file says."""
    try:
        listed = [t for t in ws.tables.list() if t.rows]
    except Exception:  # noqa: BLE001 - tables that cannot be listed leave the words to the files
        return ""
    return " ".join(name for t in listed for name in [t.name, *(c.name for c in t.columns)])


def table_matches(ws: Workspace, question: str, limit: int = 10,
                  people: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows of memory tables the question names, whose cell values it mentions, or whose cells
    hold a name it says ("Spotify" in "Spotify Family"; "lidl", a word the model's vocabulary
    lacks, in "LIDL GB THORNBURY"; ``people``, else ``named``: "becky" of Becky Lund)."""
    try:
        people = named(ws, question) if people is None else people
        said = names(question) + codes(question) + terms(question, ws.embedder.count_tokens) + people
        said += written_as_names(ws, question)  # "lego" of a box's "Lego and craft box"
        found = ws.tables.mentioned(question, limit, tuple(dict.fromkeys(said)))
        away = ws.tables.put_away() if found else frozenset()
        found = [m for m in found if m["table"] not in away or not _newer_matched(m, found, away, question)]
        found = [_private_left_out(m, question) for m in found]
        return sorted(found, key=lambda m: m["table"] in away)  # a folder of old files' tables last
    except Exception:  # noqa: BLE001 - a table that cannot be read leaves the answer without table rows
        return []


def _private_left_out(match: dict[str, Any], question: str) -> dict[str, Any]:
    """``match`` without its health and special-needs columns when the question neither names its
    table nor says a word of those columns: "what did Noah get for rp1" is no reason to show his
    dyslexia or a pupil's nut allergy."""
    said = content_words(question)
    keep = [i for i, c in enumerate(match["columns"]) if match.get("named") or not private_unasked(c, said)]
    if len(keep) == len(match["columns"]):
        return match
    rows = [[row[i] for i in keep] for row in match["rows"]]
    return {**match, "columns": [match["columns"][i] for i in keep], "rows": rows}


def _newer_matched(old: dict[str, Any], found: list[dict[str, Any]], away: frozenset[str], question: str) -> bool:
    """Whether a current table with most of ``old``'s columns (its newer version: the medication
    list beside Old/'s March list) has matched rows too, and the question says no word of the old
    one's name that the newer one's lacks ("the march list"): then the old rows would be said as if
    they were still so."""
    columns, asked = set(old["columns"]), content_words(question)
    own = content_words(old["table"].replace("_", " "))
    return any(m["table"] not in away and len(columns & set(m["columns"])) * 2 > len(columns)
               and not (own - content_words(m["table"].replace("_", " "))) & asked for m in found)


def written_as_names(ws: Workspace, question: str) -> list[str]:
    """The question's words typed in lower case that the tables write only as names, with a
    capital, at the start of a short cell ("lego" of "Lego and craft box"; not "family" of "Spotify
    Family", a word a name ends with; see ``respell.TableWords``)."""
    return [w for w in _typed_lower(ws, question, lambda words: words.leading) if len(w) >= 3]


def named(ws: Workspace, question: str) -> list[str]:
    """The question's words that the tables write as people's names, though typed in lower case
    ("becky" of a coach "Becky Lund"; see ``respell.TableWords``); none while another process holds
    the tables."""
    return _typed_lower(ws, question, lambda words: words.people)


def _typed_lower(ws: Workspace, question: str, kind: Callable[[TableWords], frozenset[str]]) -> list[str]:
    """The question's words typed in lower case that are among ``kind`` of the tables' words; none
    while another process holds the tables."""
    try:
        written = kind(table_words(ws.tables))
    except GraceError:
        return []
    return [w for w in LETTERS.findall(question) if w.islower() and w in written]


def rows_of(result: Any) -> tuple[list[str], list[list[Any]]]:
    """(columns, rows) from a query result: a list of dicts, a (columns, rows) pair, or a cursor-like."""
    if isinstance(result, dict) and "columns" in result:
        return list(result["columns"]), [list(r) for r in result.get("rows", [])]
    if isinstance(result, tuple | list) and len(result) == 2 and _pair(result):  # a list once stored as JSON
        return list(result[0]), [list(r) for r in result[1]]
    if isinstance(result, list):
        if result and isinstance(result[0], dict):
            columns = list(result[0])
            return columns, [[r.get(c) for c in columns] for r in result]
        return [], [list(r) for r in result]
    columns = [d[0] for d in getattr(result, "description", None) or []]
    return columns, [list(r) for r in result.fetchall()] if hasattr(result, "fetchall") else []


def _pair(result: Any) -> bool:
    columns, rows = result
    return (isinstance(columns, list | tuple) and all(isinstance(c, str) for c in columns)
            and isinstance(rows, list | tuple) and all(isinstance(r, list | tuple) for r in rows))
