"""``Chat``: the workspace's chat face (``ws.chat``): ask, sessions, actions, facts, API key."""

from __future__ import annotations

import datetime
import decimal
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from .. import catalog, late
from ..errors import Cancelled, GraceError
from ..search import readable_text
from ..tables.domain import load_catalog
from ..tables.mentions import NAME_CELL, fold, words_in
from ..tables.model import source_file
from . import aggregates, checklist, intents, placing, summary
from .absent import Absent, absent, negated, without_negation
from .actions import Actions
from .context import Context, assemble, table_proposals
from .conversations import LIVE, Conversations, title_for
from .executors import memory_table_count, persons_tables
from .facts import Facts
from .followup import resolve
from .intents import SAY, IntentMatcher
from .openai_client import EndpointError, OpenAIClient
from .reasoner_offline import EmbedFn, OfflineReasoner
from .reasoner_openai import OpenAIReasoner
from .render import action_text, notes_text, row_citations, tables_text
from .respell import Respelled, TableWords, respell, table_words
from .secrets import KeyStore
from .store import reading
from .types import ABSTAIN_TEXT, Action, Answer, Draft, EmptyQuestion
from .words import (
    COLUMN_MEANING,
    LETTERS,
    MONTHS,
    TABLE_WORDS,
    column_words,
    content_words,
    not_in_tables,
    stem,
    weekday,
)
from .words import names as words_names

TABLE_CONFIDENCE = 0.9  # rows that account for every word of a question: exact, but read by words
# An answer's short sentences run faster in batches of 512 tokens than of the ingest's 1,024
# (bench/bench_answer.py on a CPU without VNNI: docs/PERFORMANCE.md, session 15).
SENTENCE_BATCH_TOKENS = 512
MEANING_CONFIDENCE = 0.75  # rows matched through a column's meaning (COLUMN_MEANING) answer less surely
ADDED_UP_TABLES = 3  # tables that could each answer a question that adds up: each added up, at most this many
RELATED_TABLES, RELATED_ROWS = 3, 5  # rows shown beside a declined question: a pointer, not every row of a person

if TYPE_CHECKING:
    from ..workspace import Workspace

TokenFn = Callable[[str], None]
CancelFn = Callable[[], bool]


class Chat:
    """Grounded answers with citations and confidence; actions under governance tiers.

    Creating it is cheap: nothing is loaded until the first question.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.sessions = Conversations(ws)
        self.actions = Actions(ws)
        self.facts = Facts(ws)
        self.keys = KeyStore()
        self.offline = OfflineReasoner(lambda texts: ws.embedder.embed(texts, batch_tokens=SENTENCE_BATCH_TOKENS),
                                       self._layouts)
        self.intents = IntentMatcher(lambda texts: ws.embedder.embed(texts))

    # -- asking ------------------------------------------------------------------------------

    def ask(self, question: str, session_id: int | None = None, on_token: TokenFn | None = None,
            offline: bool = False, is_cancelled: CancelFn | None = None) -> Answer:
        """Answer ``question`` in a session (a new one when None); the answer is stored with it.

        ``on_token`` receives the answer's text as it is produced. The endpoint in the
        settings is used unless ``offline``; when it fails, the offline answerer answers
        and the answer says why. A blank question raises ``EmptyQuestion``; nothing is
        stored until the answer is ready. Once ``is_cancelled()`` says True (asked between
        the steps, and while the endpoint is awaited) ``Cancelled`` is raised and nothing is
        stored; an answer being stored is stored whole.
        """
        question = readable_text(question).strip()
        if not question:
            raise EmptyQuestion("Ask a question with at least one word in it.")
        if session_id is not None:
            self.sessions.get(session_id)  # raises a sentence for an unknown session
        threshold = float(self.ws.setting("abstain_threshold"))
        read = self._respelled(question)
        asked = read.text
        ctx = assemble(self.ws, asked, session_id)
        proposals = (self._named_row(asked) or self.intents.match(asked, ctx.qvec, self._document_paths)
                     or self._logged_row(asked) or self._adding_up(asked, ctx, threshold))
        if not proposals:
            ctx = resolve(ctx, threshold, self.offline.candidates,
                          lambda joined: assemble(self.ws, asked, session_id, trace_id=ctx.trace_id, query=joined),
                          lambda text: self.ws.embedder.encode_query(text).vector)
        _check(is_cancelled)
        draft = self._draft(ctx, proposals, on_token, offline, threshold, is_cancelled)
        if changed := changed_since_read(self.ws, [c.path for c in draft.citations]):
            draft.text += "\n\n" + changed_note(changed)
        if not proposals and (waiting := self._tables_waiting(asked)):
            draft.text += "\n\n" + waiting
        if read.changes:
            draft.text += "\n\n" + read.note()
        _check(is_cancelled)  # the last moment: from here on the answer is stored whole
        return self._store(question, session_id, ctx, draft)

    def _respelled(self, question: str) -> Respelled:
        """``question`` with the words it misspells or shortens read as the files and tables write them."""
        with reading(self.ws) as conn:
            return respell(conn, question, self._pieces, self._table_words)

    def _table_words(self) -> TableWords:
        """The tables' words; none when the tables cannot be read (in use by another process):
        the question is then read as typed, as the tables' rows are left out of its answer."""
        try:
            return table_words(self.ws.tables)
        except GraceError:
            return TableWords(frozenset(), frozenset(), frozenset())

    def _pieces(self, word: str) -> list[str]:
        """The model's word pieces of ``word`` ("durations": duration, ##s)."""
        return list(self.ws.embedder.tokenizer.encode(word, add_special_tokens=False).tokens)

    def _store(self, question: str, session_id: int | None, ctx: Context, draft: Draft) -> Answer:
        """Keep the question, its proposals and the answer in the session (a new one when None)."""
        if session_id is None:
            session_id = self.sessions.new(title_for(question))
        self.sessions.add_message(session_id, "user", question, trace_id=ctx.trace_id)
        actions, notes = self._propose_all(draft, session_id)
        if draft.proposals:
            requested = not draft.citations and not draft.abstained  # a request: the actions are the answer
            draft.text = f"{draft.text}\n\n{action_text(actions, notes)}".strip()
            if requested:
                draft.confidence = 1.0 if actions and all(a.status == "executed" for a in actions) else 0.9
        mid = self.sessions.add_message(
            session_id, "assistant", draft.text, trace_id=ctx.trace_id, confidence=draft.confidence,
            abstained=draft.abstained, reasoner=draft.reasoner, citations=[c.as_dict() for c in draft.citations],
            closest=[c.as_dict() for c in draft.closest])
        self.actions.link([a.id for a in actions], mid)
        return Answer(draft.text, draft.confidence, draft.abstained, draft.citations,
                      [self.actions.get(a.id) for a in actions], session_id, mid, ctx.trace_id, draft.reasoner,
                      draft.fallback, draft.closest)

    def _draft(self, ctx: Context, proposals: list[tuple[str, dict[str, Any]]], on_token: TokenFn | None,
               offline: bool, threshold: float, is_cancelled: CancelFn | None = None) -> Draft:
        if proposals:  # a request, not a question: the action (and its result) is the answer
            return Draft("", [], 1.0, False, "offline", proposals=proposals)
        if (summed := self._summary(ctx.question)) is not None:  # "summarize the team meeting"
            if on_token:
                on_token(summed.text)
            return summed
        if (listed := self._checklist(ctx.question)) is not None:  # "what's left on my to do list?"
            if on_token:
                on_token(listed.text)
            return listed
        base_url = str(self.ws.setting("llm_base_url")).strip()
        if base_url and not offline:
            client = OpenAIClient(base_url, str(self.ws.setting("llm_model")), self.keys.get(base_url),
                                  float(self.ws.setting("llm_timeout_s")), is_cancelled)
            ctx.status["memory_tables"] = memory_table_count(self.ws)  # for the prompt (7 ms: not offline)
            try:
                draft = OpenAIReasoner(client, self.offline.candidates).answer(ctx, threshold, on_token)
                return self._tabled(ctx, draft) if draft.abstained else draft
            except EndpointError as exc:
                draft = self._tabled(ctx, self.offline.answer(ctx, threshold))
                draft.fallback = str(exc)
                draft.text = f"*Answered offline from your files: {exc}.*\n\n{draft.text}"
                if on_token:
                    on_token("\n\n" + draft.text)
                return draft
        return self._tabled(ctx, self.offline.answer(ctx, threshold, on_token))

    def _tabled(self, ctx: Context, draft: Draft) -> Draft:
        """``draft`` with the memory tables' rows that answer or relate to the question."""
        if ctx.tables and negated(ctx.question) \
                and (found := absent(self.ws.tables, ctx.question, said_in_rows(ctx))) is not None \
                and not self._unaccounted(ctx, found):
            return with_absent(ctx, draft, found)
        return with_tables(ctx, draft, self.offline.vectors)

    def _unaccounted(self, ctx: Context, found: Absent) -> list[str]:
        """The words of a negated question that neither table accounts for (as ``with_tables``
        asks of rows that answer); paying words count for a table with money."""
        shown = [*ctx.tables, found.rows]
        _, missing = unaccounted(ctx.question, shown, self.offline.vectors)
        money = any(aggregates.MONEY_NAME.search(str(c).lower()) for m in shown for c in m["columns"])
        return [w for w in missing if not (money and aggregates.MONEY.fullmatch(w.lower()))]

    def _propose_all(self, draft: Draft, session_id: int) -> tuple[list[Action], list[str]]:
        """Record the draft's proposals (tier 1 runs at once); plain replies and malformed
        proposals become sentences, and so does a policy setting that cannot be read."""
        actions, notes = [], []
        for kind, params in draft.proposals:
            if kind == SAY:
                notes.append(str(params["text"]))
                continue
            try:
                actions.append(self.actions.propose(kind, params, proposed_by=draft.reasoner, session_id=session_id))
            except GraceError as exc:
                notes.append(f"I could not propose that: {exc}")
        policy = self.actions.policy_note() if actions else None
        return actions, notes + ([f"Note: {policy}"] if policy else [])

    def _layouts(self, texts: Mapping[int, str]) -> dict[int, late.Layout]:
        """The passages' token layouts, for scoring their sentences (``engine.late.layouts``)."""
        with reading(self.ws) as conn:
            return late.layouts(conn, self.ws.embedder, texts)

    def _summary(self, question: str) -> Draft | None:
        """A request for the gist of a file its words name ("summarize the team meeting", "what's
        in wifi.txt?"): its key sentences, quoted (``summary``); which one, when several match;
        None when the question is no such request or names no file (a topic is answered as asked)."""
        request = summary.asked(question)
        found = summary.files_named(request, self.ws.documents()) if request is not None else []
        if len(found) > 1:
            return summary.which_one(found)
        if not found:
            return None
        with reading(self.ws) as conn:
            return summary.summarise(conn, found[0], self.offline.vectors)

    def _checklist(self, question: str) -> Draft | None:
        """The open (or ticked) items of the to-do lists a question asks about (``checklist``);
        None when it asks no such thing, or the workspace has no such list."""
        request = checklist.asked(question)
        if request is None:
            return None
        with reading(self.ws) as conn:
            found = checklist.lists(conn, request)
        return checklist.answer(request, found) if found else None

    def _named_row(self, question: str) -> list[tuple[str, dict[str, Any]]]:
        """A row for "add a row to the guest list: Hollie Grant, table 6" (``placing.named_row``)."""
        tables = getattr(self.ws, "tables", None)
        if tables is None:
            return []
        return placing.named_row(question, lambda: [(t.name, [(c.name, c.type) for c in t.columns])
                                                    for t in persons_tables(tables)])

    def _logged_row(self, question: str) -> list[tuple[str, dict[str, Any]]]:
        """A row for "log a repair: 2026-03-02, QuickFix, 180" (``intents.logged_row``)."""
        tables = getattr(self.ws, "tables", None)
        if tables is None:
            return []
        return intents.logged_row(question, lambda: [(t.name, [c.name for c in t.columns])
                                                     for t in persons_tables(tables)])

    def _adding_up(self, question: str, ctx: Context | None = None,
                   threshold: float = 0.0) -> list[tuple[str, dict[str, Any]]]:
        """A read-only query when the question adds up a memory table (``aggregates``); one for
        each table that could answer it (at most ``ADDED_UP_TABLES``), said to be so. A period
        outside every such table's dates ("how many consultations in 2023?" of 2024's months) is
        left to the files when they answer it (an annual report's figure)."""
        tables = getattr(self.ws, "tables", None)
        found = aggregates.plans(question, tables, self.offline.vectors,
                                 self.ws.embedder.count_tokens) if tables is not None else []
        if found and ctx is not None and all(p.outside for p in found) \
                and not self.offline.answer(ctx, threshold).abstained:
            return []
        queries: list[tuple[str, dict[str, Any]]] = [("query", {"sql": p.sql, "about": p.about})
                                                     for p in found[:ADDED_UP_TABLES]]
        if len(queries) > 1:
            tables_said = " and ".join(p.table for p in found[:ADDED_UP_TABLES])
            queries.append((SAY, {"text": f"*{tables_said} could each answer this, so each is added up on its own.*"}))
        if found and found[0].left_out:
            away = " and ".join(found[0].left_out)
            queries.append((SAY, {"text": f"*Left out {away}: its file is in a folder of old files.*"}))
        return queries + _notes_said(tables, [p.table for p in found[:ADDED_UP_TABLES]])

    def _tables_waiting(self, question: str) -> str | None:
        """For a question that adds up when no table could: the tables waiting for approval,
        which might ("household_budget, from household-budget.csv")."""
        if aggregates.operation(question) in (None, "list"):  # a total or count, not a look-up
            return None
        try:
            waiting = [p for p in self.ws.tables.proposals("pending") if p.kind in ("new", "append")]
        except GraceError:
            return None
        if not waiting:
            return None
        listed = "; ".join(f"{p.table}, from {os.path.basename(p.source)}" for p in waiting[:3])
        more = f" and {len(waiting) - 3} more" if len(waiting) > 3 else ""
        tables = "A table waits" if len(waiting) == 1 else f"{len(waiting)} tables wait"
        return (f"*{tables} for your approval in Approvals ({listed}{more}); once approved, questions "
                "like this one can be added up from it.*")

    def _document_paths(self) -> list[str]:
        return [d["path"] for d in self.ws.documents()]

    # -- the API key ---------------------------------------------------------------------------

    def set_api_key(self, key: str, base_url: str | None = None) -> str:
        """Keep the endpoint's API key (keyring, else this session); returns where it went."""
        url = (base_url or str(self.ws.setting("llm_base_url"))).strip()
        return self.keys.set(url, key)

    # -- telemetry -----------------------------------------------------------------------------

    def telemetry(self) -> dict[str, Any]:
        """What the side panel shows: documents, tables, approvals, queue, failures, average trust."""
        status = self.ws.status()
        table_count = memory_table_count(self.ws)
        failures = [{"path": f["path"], "reason": f["error"]} for f in self.ws.failures()]
        failures += [{"path": f"action {a.id}: {a.summary}", "reason": a.error} for a in self.actions.list("failed", 5)]
        waiting, proposals = self.actions.pending(), table_proposals(self.ws)
        return {"documents": status["documents"], "passages": status["chunks"], "tables": table_count,
                "pending_approvals": len(waiting) + proposals, "pending_actions": len(waiting),
                "pending_proposals": proposals, "pending_session": waiting[0].session_id if waiting else None,
                "queued": status["queued"], "failed": len(failures), "failures": failures[:5],
                "average_trust": self.average_trust()}

    def average_trust(self, answers: int = 50) -> float | None:
        """The mean trust of the sources cited by the last ``answers`` answers in chats not deleted
        (None before any)."""
        with reading(self.ws) as conn:
            rows = conn.execute(text("SELECT m.citations FROM chat_messages m JOIN chat_sessions s "
                                     f"ON s.id = m.session_id WHERE m.role='assistant' AND s.{LIVE} "
                                     "ORDER BY m.id DESC LIMIT :n"), {"n": answers}).all()
        trusts = [float(c.get("trust", 1.0)) for (raw,) in rows for c in json.loads(raw)]
        return round(sum(trusts) / len(trusts), 3) if trusts else None


def _check(is_cancelled: CancelFn | None) -> None:
    """``Cancelled`` when the caller asked to stop."""
    if is_cancelled is not None and is_cancelled():
        raise Cancelled("The answer was stopped before it was stored.")


def changed_since_read(ws: Workspace, paths: list[str]) -> list[str]:
    """The cited files whose size or time differs from when Grace read them (or that are gone). A
    file Grace has no record of reading (a table imported from it, not ingested) counts only if gone."""
    out = []
    with reading(ws) as conn:
        for path in dict.fromkeys(paths):
            doc = catalog.doc_by_path(conn, path)
            try:
                st = os.stat(path if doc is not None else source_file(path))
            except OSError:
                out.append(path)
                continue
            if doc is not None and (doc.size, doc.mtime_ns) != (st.st_size, st.st_mtime_ns):
                out.append(path)
    return out


def changed_note(paths: list[str]) -> str:
    names = ", ".join(os.path.basename(p) for p in paths)
    verb = "has changed or gone" if len(paths) == 1 else "have changed or gone"
    return (f"Note: {names} {verb} since Grace read it; the quotes are from the version it read. "
            "Ingest it again (a watched folder does this by itself) to answer from what it says now.")


def with_tables(ctx: Context, draft: Draft, embed: EmbedFn | None = None) -> Draft:
    """Add the rows of memory tables the question named or whose cells it mentions. A table's rows
    answer only if that table alone accounts for every content word of the question (``not_in_tables``,
    or a column's name close in meaning with ``embed``: "who wrote Dune?" over an author column) and
    every name in it: "the senior fee for 2024" is not answered by the 2023 fees' Senior rows nor by
    the members' Senior rows. Then they follow the files' answer, or answer when the files do not;
    else a declined question shows them as related, and an answered one leaves them out unless it
    names their table ("Tom" in a subscriptions row says nothing of Tom's marathon time)."""
    if not ctx.tables:
        return draft
    ctx.tables, dated = on_day(ctx.question, ctx.tables)
    cells = _cells(ctx.tables)
    held = said_in_rows(ctx, cells)
    # "who hasn't paid for October?" is not answered by the rows that have October (see ``absent``)
    looked = [] if negated(ctx.question) else looked_up(ctx, held, every=not ctx.held)
    if looked and draft.abstained and not any(cell for _, _, cell, _ in looked):
        return _blank_cells(draft, looked, ctx)
    found = [x for x in looked if x[2]]
    if found and not draft.abstained:  # "what's Anna's phone number?": the row's phone before her call notes
        shown = [m for m in ctx.tables if any(x[3][0] == m["table"] for x in found)]
        citations, marks = row_citations(shown, len(draft.citations) + 1)
        draft.text = f"{_looked_lines(found, marks)}\n\n{draft.text}\n\n{tables_text(shown, marks)}"
        draft.citations = draft.citations + citations
        return draft
    # each table alone: (table, whether it accounts for the question, whether only by a column's meaning)
    fits = [(m, *_fits(ctx.question, m, embed, dated)) for m in ctx.tables]
    answering = [] if negated(ctx.question) or not content_words(ctx.question) else [m for m, ok, _ in fits if ok]
    if not draft.abstained:
        shown = [m for m in ctx.tables if m in answering or m.get("named")]
        citations, marks = row_citations(shown, len(draft.citations) + 1)
        if shown:
            draft.text = f"{draft.text}\n\n{tables_text(shown, marks)}"
            draft.citations = draft.citations + citations
        return draft
    # "when can the cat travel?" is not answered by the budget's travel row (no date in it), nor by
    # the row a document was filed as (its title and date): the document itself answers or not
    catalog = load_catalog()
    answering = [m for m in answering if _holds_asked_kind(ctx.question, m) and m["table"] not in catalog]
    looked = [x for x in looked if x[3][0] not in catalog]
    if answering or looked:
        worded = any(by_meaning for m, _, by_meaning in fits if any(m is x for x in answering or ctx.tables))
        shown = [_narrowed(ctx.question, m, dated) for m in answering] or ctx.tables
        if looked and not answering:  # "what did Noah get for rp1": the gradebook's row, not his other tables
            shown = [m for m in shown if any(x[3][0] == m["table"] for x in looked)] or shown
        citations, marks = row_citations(shown, 1)
        rows = tables_text(shown, marks)
        draft.text = f"{_looked_lines(looked, marks)}\n\n{rows}" if looked else rows
        draft.abstained, draft.citations = False, citations
        draft.confidence = MEANING_CONFIDENCE if worded else TABLE_CONFIDENCE
        return draft
    unmatched = _unmatched(ctx.question, cells, dated)
    _, missing = unaccounted(ctx.question, ctx.tables, embed, dated)
    lacks = (f"; no column or value in them matches {', '.join(f'“{w}”' for w in missing)}"
             if missing and not unmatched else "")
    related = tables_text(ctx.tables[:RELATED_TABLES], limit=RELATED_ROWS)  # a pointer, not every row of a person
    draft.text += f"\n\nRelated rows (they do not answer it{lacks}):\n\n{related}"
    return draft


def _fits(question: str, table: dict[str, Any], embed: EmbedFn | None, dated: set[str]) -> tuple[bool, bool]:
    """Whether ``table``'s rows account for every content word and every name of ``question`` on
    their own, and whether some word only by a column's meaning (not by a name or value)."""
    worded, missing = unaccounted(question, [table], embed, dated)
    rows = _whole_rows(question, table, dated)
    return not _unmatched(question, _cells([table]), dated) and not missing and bool(rows), bool(worded)


def _whole_rows(question: str, table: dict[str, Any], dated: set[str]) -> list[int]:
    """The rows (indexes) of ``table`` that hold every word of ``question`` only cells account for
    (not the table's or a column's name, and not a name, which may be in rows of its own: "Anna's and
    Tom's phones"); all of them when fewer than two such words are said. None: "consultations in July
    2024" is not answered by a row in Consult room 3 and another sold in July 2024."""
    named = content_words(" ".join(n for n in words_names(question) if n.lower() not in MONTHS))  # not "July"
    wanted = (content_words(without_negation(question)) - named - content_words(table["table"].replace("_", " "))
              - set().union(*(column_words(c, question) for c in table["columns"])) - TABLE_WORDS
              - content_words(" ".join(dated)))
    rows = [content_words(" ".join(str(c) for c in row)) for row in table["rows"]]
    needed = {w for w in wanted if any(w in r for r in rows)}  # words no cell holds are judged elsewhere
    return [i for i, r in enumerate(rows) if len(needed) < 2 or needed <= r]


def _narrowed(question: str, table: dict[str, Any], dated: set[str]) -> dict[str, Any]:
    """``table`` with only the rows that hold every word the question says of its cells ("the bar at
    the Saturday matinee": not the matinee's ushers)."""
    whole = _whole_rows(question, table, dated)
    if not whole or len(whole) == len(table["rows"]):
        return table
    keys = table.get("keys", [])
    return {**table, "rows": [table["rows"][i] for i in whole], "keys": [keys[i] for i in whole if i < len(keys)]}


def _unmatched(question: str, cells: str, dated: set[str]) -> list[str]:
    """The names of ``question`` that no cell of ``cells`` holds (the words of a day aside)."""
    return [n for n in words_names(question) if fold(n) not in cells and n.lower() not in dated]


_DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]{3,9})\b"
                        r"|\b([a-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?\b")


def _day_said(question: str) -> tuple[int, int, set[str]] | None:
    """The day and month a question says ("on 13 July", "July 13th") and its words as said."""
    for m in _DAY_MONTH.finditer(question.lower()):
        day, word = (m[1], m[2]) if m[1] else (m[4], m[3])
        month = aggregates.month_of(word)
        if month and 1 <= int(day) <= 31:
            return int(day), month, set(m.group().split()) - {"of"}
    return None


def _weekday_said(question: str) -> tuple[int, set[str]] | None:
    """The day of the week a question names ("the Saturday matinee", "on Thursdays") and its word."""
    for word in re.findall(r"[a-z]+", question.lower()):
        if (day := weekday(word)) is not None:
            return day, {word}
    return None


def on_day(question: str, tables: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], set[str]]:
    """The matched rows narrowed, in each table that has rows of it, to those dated on the day the
    question says ("who is the launch driver on 13 July?": the rota's 13 July row, not its July
    rows; "the Saturday matinee": the rows of Saturdays); and the words that say the day, then
    accounted for (a date cell says them)."""
    said, weekday = _day_said(question), _weekday_said(question)
    if said is not None:
        day, month, words = said
        def on_it(c: datetime.date) -> bool:
            return (c.day, c.month) == (day, month)
    elif weekday is not None:  # "the Saturday matinee": the rows dated on a Saturday
        number, words = weekday
        def on_it(c: datetime.date) -> bool:
            return c.weekday() == number
    else:
        return tables, set()
    out, found = [], False
    for m in tables:
        on = [i for i, row in enumerate(m["rows"]) if any(isinstance(c, datetime.date) and on_it(c) for c in row)]
        if on:
            found, keys = True, m.get("keys", [])
            m = {**m, "rows": [m["rows"][i] for i in on], "keys": [keys[i] for i in on if i < len(keys)]}
        out.append(m)
    return (out, words) if found else (tables, set())


def unaccounted(question: str, tables: list[dict[str, Any]], embed: EmbedFn | None,
                dated: set[str] | frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """The content words of ``question`` (its negation aside, and the words of a day ``on_day``
    found) that ``tables`` do not account for by name or value (``not_in_tables``), and of those
    the ones that, with ``embed``, no column's name is close to in meaning either (``not_columns``)."""
    worded = [w for w in not_in_tables(without_negation(question), tables) if w.lower() not in dated]
    columns = [str(c).lower() for m in tables for c in m["columns"]]
    framed = {w for w in worded for kind, verb in _framed(question)
              if stem(w.lower()) == verb and any(kind.search(c) for c in columns)}
    worded = [w for w in worded if w not in framed and stem(w.lower()) not in _ROW_NOUNS]
    return worded, not_columns(worded, tables, embed) if worded and embed is not None else worded


# What a table's rows of numbers are called, whatever the table: "which results were below LOD?"
_ROW_NOUNS = frozenset(stem(w) for w in "result results reading readings measurement measurements".split())
# Columns of places: where a thing is kept, or a person lives
PLACE = re.compile(r"(?:^|_)(?:location|locations|place|where|room|shelf|cabinet|cupboard|drawer|storage|stored|"
                   r"store|box|bin|building|area|position|address|site|kept)(?:_|$)")
# "where is the nitric acid kept?": a column of places answers the verb, whatever its name
_WHERE_PUT = re.compile(r"\bwhere(?:\s+(?:is|are|was|were|do|does|did|should|can|will|i|we))*\b.*?"
                        r"\b(kept|stored|located|found|keep|store|put|stashed|filed|lives?|living|stays?)\b")
# "what belongs to tom r?", "what is owned by Anna?", "whose is the van?": a column of people answers
_BELONGS = re.compile(r"\b(belongs?|belonging|owned|owns|whose)\b")


def _framed(question: str) -> list[tuple[re.Pattern[str], str]]:
    """The verbs of ``question`` that a kind of column answers whatever its name, each with that
    kind: "who runs cardio tennis?" (a column of people: its coach), "what belongs to Tom?" (its
    owner), "where is the nitric acid kept?" (a column of places: its location)."""
    lowered = question.lower()
    out = []
    if (did := _who_did(question)) and stem(did) in _IN_CHARGE:
        out.append((aggregates.PERSON, stem(did)))
    out += [(aggregates.PERSON, stem(m[1])) for m in _BELONGS.finditer(lowered)]
    out += [(PLACE, stem(m[1])) for m in _WHERE_PUT.finditer(lowered)]
    return out


# Verbs of being in charge of a thing, which any column of people answers ("who runs cardio tennis?":
# its coach); "who published Dune?" asks for a publisher, which an author column does not hold
_IN_CHARGE = frozenset(stem(v) for v in "run runs lead leads organise organises organize organizes manage manages "
                       "coach coaches teach teaches host hosts take takes handle handles cover covers look "
                       "looks supervise supervises coordinate coordinates chair chairs".split())
_WHO_DID = re.compile(r"\bwho(?:\s+(?:is|was|will|does|did|can|should|usually|normally))*\s+([a-z]+)\b")


def _who_did(question: str) -> str | None:
    """The verb "who" asks the doer of ("runs" of "who runs cardio tennis?"), which a table's column
    of people answers whatever its name; None when the question does not start a clause with "who"."""
    m = _WHO_DID.search(question.lower())
    return m[1] if m and m[1] not in ("is", "was", "the", "a", "an") else None


def _cells(tables: list[dict[str, Any]]) -> str:
    """Every cell of ``tables`` as one folded text ("Chloé" reads "chloe", as a person may type it)."""
    return fold(" ".join(str(c) for m in tables for row in m["rows"] for c in row))


def said_in_rows(ctx: Context, cells: str | None = None) -> list[str]:
    """The names a look-up finds its rows by: those only the tables hold, or any name of the
    question a row holds ("Mateusz", also named in the minutes); ``cells``: ``_cells(ctx.tables)``."""
    cells = _cells(ctx.tables) if cells is None else cells
    return ctx.held or [n for n in [*words_names(ctx.question), *ctx.people] if fold(n) in cells]


def with_absent(ctx: Context, draft: Draft, found: Absent) -> Draft:
    """The names no row picked by the question's values holds ("who hasn't paid for October?"),
    each cited by its roster row, before what the files say."""
    citations, marks = row_citations([found.rows], len(draft.citations) + 1)
    roster = f"{found.roster[0]} › {found.roster[1]}"
    picked = " and ".join(f"“{v}”" for v in found.said)
    if found.missing:
        lines = "\n".join(f"- **{name}**" + (f" [{marks[(found.roster[0], key)]}]"
                                              if (key := found.keys.get(name)) is not None
                                              and (found.roster[0], key) in marks else "")
                           for name in found.missing)
        said = (f"{len(found.missing)} of the {len(found.names)} in {roster} have no row for {picked} in "
                f"**{found.table}** ({found.column}):\n\n{lines}\n\n{tables_text([found.rows], marks)}")
    else:
        said = f"Every one of the {len(found.names)} in {roster} has a row for {picked} in **{found.table}**."
    if draft.abstained:
        return Draft(said, citations, TABLE_CONFIDENCE, False, draft.reasoner)
    return Draft(f"{said}\n\nFrom your files:\n\n{draft.text}", draft.citations + citations, TABLE_CONFIDENCE,
                 False, draft.reasoner)


def _looked_lines(looked: list[tuple[str, str, str, tuple[str, int]]], marks: dict[tuple[str, int], int]) -> str:
    """A line for each cell looked up: "phone of Anna Kowalski: **+49 170 4412 883** [3]"."""
    return "\n".join(f"{column} of {name}: **{cell}**" + (f" [{marks[key]}]" if key in marks else "")
                     for name, column, cell, key in looked)


def _blank_cells(draft: Draft, looked: list[tuple[str, str, str, tuple[str, int]]], ctx: Context) -> Draft:
    """A look-up whose every cell is blank ("What's Mateusz's mobile number?" of a row with no
    mobile): declined, saying the table has the row but not the value, not the row as an answer."""
    said = "; ".join(dict.fromkeys(f"the {column.replace('_', ' ')} of {held} is blank in {key[0]}"
                                   for held, column, _, key in looked))
    draft.text = f"{ABSTAIN_TEXT.rstrip('.')}: {said}.\n\nRelated rows:\n\n{tables_text(ctx.tables)}"
    draft.abstained, draft.citations = True, []
    return draft


LOOKUP_ROWS = 3  # a question that points at more rows than this is not a look-up of one thing


Looked = tuple[str, str, Any, tuple[str, int]]  # (the name a row is found by, a column, its cell, (table, key))


def looked_up(ctx: Context, held: list[str] | None = None,
              every: bool = False) -> list[tuple[str, str, str, tuple[str, int]]]:
    """A question that looks up rows only the tables hold ("Which tank was batch 24-007 fermented
    in?"): (the cell it names, a column it asks for, that column's cell, (table, row key)) for each
    of those rows and each column whose name it says ("tank"; not the first cell holding "24-007", nor
    one named like the table: "batch_id" in batches).
    The words left over ("fermented") say what the column means, not what to find. Empty when
    the question names nothing only the tables hold, names no other column, or points at more
    than ``LOOKUP_ROWS`` rows. With ``held``, the rows are found by those names instead (with
    ``every``, rows that hold every one of them). A blank cell is "" (not "None")."""
    held = ctx.held if held is None else held
    # names in cells ("Chloe", "Dixon"), not a column's name ("fob")
    held = [h for h in held if any(_holds_every(row, [h]) for m in ctx.tables for row in m["rows"])]
    every = every or len(held) > 1 and any(_holds_every(row, held) for m in ctx.tables for row in m["rows"])
    out, dates = [], []
    people: set[str] = set()  # each row's cells it is found by ("liam owen"; "chloe dixon" of two cells)
    for m in ctx.tables if held else []:
        # not the words of the names the rows are found by: "Peter" is no "pets" column
        asked = (content_words(ctx.question) - TABLE_WORDS - content_words(m["table"].replace("_", " "))
                 - content_words(" ".join(held)))
        for key, row in zip(m.get("keys", []), m["rows"], strict=False):
            holding = [i for i, c in enumerate(row) if any(words_in(fold(h), fold(str(c))) for h in held)
                       and not _thing_of(str(c), held, ctx.question)]
            if not holding or every and not _holds_every(row, held):
                continue  # "Gráinne Walsh": her row, not Conor Walsh's
            people.add(_person(row, holding, held))
            # the columns naming the most of its words: "actual … in January" is jan_actual, not feb_actual
            naming = {i: _naming(column, ctx.question, asked) for i, column in enumerate(m["columns"])
                      if i != holding[0]}
            most = max(naming.values(), default=0)
            said = [(str(row[holding[0]]), column, row[i], (m["table"], key)) for i, column in enumerate(m["columns"])
                    if most and naming.get(i) == most]
            if not said and _WHO_IS.match(ctx.question):  # "who's playing Lady Bracknell?": the row's person
                said = [(str(row[holding[0]]), column, row[i], (m["table"], key))
                        for i, column in enumerate(m["columns"])
                        if i != holding[0] and aggregates.PERSON.search(column.lower())][:1]
            out += said  # and of a row the question points at, its date of what it says ("pay": paid_on)
            dates += _when_of(ctx.question, str(row[holding[0]]), m["columns"], row, (m["table"], key)) if said else []
    out = _most_told(ctx.question, out) if every and len(held) > 1 else out  # "megan jackson": her own row
    if len({x[3] for x in out}) > LOOKUP_ROWS or len(people - {""}) > 1:
        return []  # too many rows, or "liam" of Liam Owen and Liam Fairbrother: which one is not said
    kind = _asked_kind(ctx.question)  # "When was it brewed?": brew_date, not brewer
    # "how many keys did Peter get when he moved in?" is no date of moving in; a date may be written as text
    fitting = ([x for x in out if kind is None or isinstance(x[2], kind)] or (dates if kind == _DATES else [])
               or (out if kind in (None, _DATES) else []))
    return [(name, column, "" if cell is None else str(cell), key) for name, column, cell, key in fitting]


def _person(row: Sequence[Any], holding: list[int], held: list[str]) -> str:
    """Who a row found by ``held`` names, by the word after the name: "owen" of "Liam Owen", "ruane"
    of "From: Declan Ruane <…>", a first name's next cell ("Chloe" | "Dixon"); "" when nothing
    follows (an e-mail address says no one)."""
    names = [fold(h) for h in held]
    for i in holding:
        cell = row[i]
        if not isinstance(cell, str) or len(cell) > NAME_CELL or "@" in cell:
            continue
        words = LETTERS.findall(fold(cell))
        after = [words[j + 1] for j, w in enumerate(words[:-1]) if w in names and words[j + 1] not in names]
        if after:
            return after[0]
        following = row[i + 1] if len(words) == 1 and i + 1 < len(row) else None
        if isinstance(following, str) and LETTERS.fullmatch(following.strip()) and fold(following) not in names:
            return fold(following.strip())
    return ""


def _thing_of(cell: str, held: list[str], question: str) -> bool:
    """``cell`` names a thing of the person held ("Ngozi's magazine") that the question does not
    say ("Ngozi's residential"): not the row the question is about."""
    lowered = fold(question).replace("\u2019", "'")
    return any(m.group(1) not in lowered for h in held
               for m in re.finditer(rf"\b{re.escape(fold(h))}['\u2019]s\s+(\w+)", fold(cell)))


def _naming(column: str, question: str, asked: set[str]) -> int:
    """How many of the ``asked`` words name ``column``; none when a single word names a column of
    three or more ("pay" names no payment_terms_days: "how much does Corrib pay" is no term of days)."""
    named = len(column_words(column, question) & asked)
    return 0 if named == 1 and len(content_words(column.replace("_", " "))) >= 3 else named


def _holds_every(row: Sequence[Any], held: list[str]) -> bool:
    """Each of the names ``held`` is in ``row``, a cell's or neighbouring cells' words ("Megan
    Jackson" of a first and a last name)."""
    cells = fold(" ".join(str(c) for c in row))
    return all(words_in(fold(h), cells) for h in held)


def _most_told(question: str, out: list[Looked]) -> list[Looked]:
    """The look-ups of the table whose columns say the most of the question's words ("megan
    jackson phone no": the members' phone and member_no, not the bookings' member_no alone), of
    those the one with the fewest of the rows (her membership row, not her bookings)."""
    asked = content_words(question)
    told: dict[str, set[str]] = {}
    rows: dict[str, set[int]] = {}
    for _, column, _, (table, key) in out:
        told.setdefault(table, set()).update(column_words(column, question) & asked)
        rows.setdefault(table, set()).add(key)
    if not told:
        return out
    best = min(told, key=lambda t: (-len(told[t]), len(rows[t])))
    return [x for x in out if len(told[x[3][0]]) == len(told[best]) and len(rows[x[3][0]]) == len(rows[best])]


# "who is …", "who's playing …": the person a row names, when no column is said
_WHO_IS = re.compile(r"\s*who(?:'s|’s|\s+(?:is|was|are|were|will\s+be)\b|\s+(?:plays|played|covers|covered)\b)",
                     re.IGNORECASE)
_DATES = (datetime.date, datetime.time)
_PAID_WORDS = frozenset({"pay", "paid", "paying", "pays", "payment"})


def _when_of(question: str, held: str, columns: list[str], row: Sequence[Any],
             key: tuple[str, int]) -> list[tuple[str, str, Any, tuple[str, int]]]:
    """For "when" of a row whose date column the question does not name ("When did Małgorzata
    pay?" of enrolled_on and paid_on): the row's only date, or of several the one of paying
    (paid_on) when the question says pay; [] otherwise."""
    found = [(column, cell) for column, cell in zip(columns, row, strict=False) if isinstance(cell, _DATES)]
    paying = set(question.lower().replace("?", " ").split()) & _PAID_WORDS
    if len(found) > 1 or paying:  # "when did they pay" of client_since alone: no date of paying
        found = [(c, v) for c, v in found if paying and aggregates.PAID_NAME.search(c.lower())]
    return [(held, column, cell, key) for column, cell in found] if len(found) == 1 else []


def _holds_asked_kind(question: str, table: dict[str, Any]) -> bool:
    """Whether a cell of ``table``'s rows is of the kind of value the question asks for (a date
    for "when"; ``_asked_kind``), or it asks for no kind. No rows are a count ("how many guests are
    on hannah's side?" is not answered by the two rows that say "Hannah's"): a count is a query's."""
    if question.lower().split()[:2] == ["how", "many"]:
        return False
    kind = _asked_kind(question)
    return kind is None or any(isinstance(c, kind) and not isinstance(c, bool) for row in table["rows"] for c in row)


def _asked_kind(question: str) -> type | tuple[type, ...] | None:
    """The type of value a question's first word asks for: a date for "when", text for "who",
    a number for "how many" or "how much"; None for others."""
    opening = question.lower().replace("\u2019", "'").split()[:2]
    if opening[:1] in (["when"], ["whens"], ["when's"]):
        return _DATES
    if opening[:1] in (["who"], ["whom"]):
        return str
    if opening in (["how", "many"], ["how", "much"]):
        return (int, float, decimal.Decimal)
    return None


def not_columns(words: list[str], tables: list[dict[str, Any]], embed: EmbedFn) -> list[str]:
    """Those of ``words`` that no column's name of ``tables`` is close to in meaning."""
    columns = list(dict.fromkeys(str(c).replace("_", " ") for m in tables for c in m["columns"]))
    if not columns:
        return words
    vectors = embed([w.lower() for w in words] + columns)
    closest = (vectors[:len(words)] @ vectors[len(words):].T).max(axis=1)
    return [w for w, near in zip(words, closest, strict=True) if near < COLUMN_MEANING]


def _notes_said(tables: Any, names: list[str]) -> list[tuple[str, dict[str, Any]]]:
    """What the notes under the answering tables' rows say ("* prices exclude VAT"), to read
    beside the figure."""
    notes = {t.name: t.notes for t in tables.list() if t.name in names} if names else {}
    return [(SAY, {"text": notes_text(name, notes[name])}) for name in names if notes.get(name)]
