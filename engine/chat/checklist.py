"""What is left on a to-do list: "what's left on my to do list", "what have I ticked off the
house to-do?".

A list of tasks with tick boxes (``- [ ] call the plumber``, ``- [x] pay the deposit``, as
Markdown, Obsidian and most note apps write them) answers such a question with its items
that are not ticked (or those that are), not with the one sentence closest in meaning: the
answerer quoted one item, or declined, since no item is like "what's left". Every item is
quoted and cited. The list is the file whose name the question says ("the house to-do") or,
when it names none, every list of the workspace outside folders of old files. A question
about one task ("is the boiler service still on my to-do list?") goes on to the answerer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text

from ..chunk import HEADING_SEP
from ..search import SearchHit
from ..tables.provenance import in_old_folder
from .context import Passage
from .reasoner_offline import Candidate, citation
from .sentences import Sentence
from .summary import name_words, passages_of
from .types import Citation, Draft
from .words import content_words

# the question names a list of tasks, and asks what is open (or done) on it
_LIST = re.compile(r"\b(?:to[\s-]?do\s+lists?|to-?dos?|check\s?lists?|task\s?lists?|tasks|jobs list)\b", re.I)
_OPEN = re.compile(r"\b(?:left|outstanding|open|remaining|remain|pending|undone|unfinished|unticked|still|"
                   r"not\s+(?:yet\s+)?(?:done|ticked|finished|completed|checked)|(?:is|are|has|have)n[o']?t)\b", re.I)
_DONE = re.compile(r"\b(?:done|tick\w*|crossed|complet\w*|finish\w*|checked off|did i|have i)\b", re.I)
_ON = re.compile(r"\b(?:what(?:'s|s| is| are)?\s+on|show|list|read)\b", re.I)
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(\[([ xX])\][ \t]+\S[^\n]*)", re.M)
# the words of such a question that are not the list's name
_ASKING = content_words("what whats left outstanding open remaining remain pending undone unfinished unticked still "
                        "not yet done ticked crossed off completed finished checked list lists to do todo todos "
                        "check checklist task tasks jobs my our the on is are have has been i we do need items "
                        "item things thing show read anything everything else")
MAX_ITEMS = 25  # items quoted of one list; more are counted
MAX_LISTS = 3
CONFIDENCE = 0.8  # the items are quoted as they stand; which list was meant is the only doubt


@dataclass(frozen=True)
class Asked:
    """A question for a list's items: the open ones (or the ticked ones), of the list so named."""

    ticked: bool
    words: frozenset[str]


def asked(question: str) -> Asked | None:
    """What the question asks of a to-do list, or None when it is no such question."""
    if not _LIST.search(question):
        return None
    words = frozenset(content_words(question) - _ASKING)
    if _OPEN.search(question):
        return Asked(False, words)
    if _DONE.search(question):
        return Asked(True, words)
    return Asked(False, words) if _ON.search(question) else None


@dataclass(frozen=True)
class Item:
    candidate: Candidate
    ticked: bool


def lists(conn: Any, request: Asked) -> list[tuple[dict[str, Any], list[Item]]]:
    """The workspace's lists of tasks that ``request`` is about, each with its items in order:
    those whose name has the request's words (every list, when it says none; those outside
    folders of old files, when there are such)."""
    found = [(doc, items) for doc in _documents(conn) if len(items := _items(conn, doc)) >= 2]
    if request.words:
        found = [(doc, items) for doc, items in found if request.words <= _name_words(doc)]
    current = [x for x in found if not in_old_folder(x[0]["path"])]
    return (current or found)[:MAX_LISTS]


def answer(request: Asked, found: Sequence[tuple[dict[str, Any], list[Item]]]) -> Draft:
    """The list's open (or ticked) items, each quoted and cited, list by list."""
    parts: list[str] = []
    citations: list[Citation] = []
    for doc, items in found:
        wanted = [i for i in items if i.ticked == request.ticked]
        name = os.path.basename(doc["path"])
        if not wanted:
            parts.append(f"Everything on **{name}** is ticked off ({len(items)} items)." if not request.ticked
                         else f"Nothing on **{name}** is ticked off yet ({len(items)} items).")
            continue
        state = "Ticked off" if request.ticked else "Not done yet"
        lines = [f"{state} on **{name}** ({len(wanted)} of {len(items)}):"]
        headed = len({i.candidate.passage.hit.heading for i in wanted}) > 1
        under = None
        for item in wanted[:MAX_ITEMS]:
            heading = item.candidate.passage.hit.heading
            if headed and heading != under:  # a list in parts ("This month", "Sometime"): each part's heading
                lines.append(f"*{heading.rsplit(HEADING_SEP, 1)[-1].strip()}*")
                under = heading
            cited = citation(len(citations) + 1, item.candidate)
            citations.append(cited)
            lines.append(f"- {_shown(cited)} [{cited.n}]")
        if len(wanted) > MAX_ITEMS:
            lines.append(f"- …and {len(wanted) - MAX_ITEMS} more.")
        parts.append("\n".join(lines))
    return Draft("\n\n".join(parts), citations, CONFIDENCE, False, "offline")


def _shown(cited: Citation) -> str:
    """An item as an answer shows it: without its tick box."""
    return re.sub(r"^\[[ xX]\]\s+", "", cited.quote.strip())


def _documents(conn: Any) -> list[dict[str, Any]]:
    """The readable documents with a passage that may hold a tick box."""
    rows = conn.execute(text(
        "SELECT DISTINCT d.id, d.path, d.title FROM documents d JOIN chunks c ON c.content_hash = d.content_hash "
        "WHERE d.status = 'ok' AND d.kind != 'table' AND (c.text LIKE '%[ ]%' OR c.text LIKE '%[x]%') "
        "ORDER BY d.path")).all()
    return [dict(r._mapping) for r in rows]


def _items(conn: Any, doc: dict[str, Any]) -> list[Item]:
    """The items of ``doc``'s tick-box lists in order, each once and whole (passages overlap,
    and a long line may go on in the next passage)."""
    rows = passages_of(conn, doc["id"])
    lines: dict[tuple[int | None, int], tuple[Any, str]] = {}  # (page, line) -> (its first passage, its text)
    for r in rows:
        for i, piece in enumerate(r.text.split("\n")):
            at = (r.page, r.line_start + i)
            first, said = lines.get(at, (r, ""))
            lines[at] = (first, piece if not said or said in piece else said if piece in said else f"{said} {piece}")
    out = []
    for (page, line), (r, said) in sorted(lines.items(), key=lambda x: (x[0][0] or 0, x[0][1])):
        if m := _ITEM.match(said):
            hit = SearchHit(doc["path"], r.id, 1.0, page, line, line, r.heading or "", said)
            passage = Passage(1, hit, 1.0, np.zeros(1, dtype=np.float32))
            sentence = Sentence(m.start(1), m.end(1), m[1])
            out.append(Item(Candidate(passage, sentence, 0.0, passage.vector), m[2] != " "))
    return out


def _name_words(doc: dict[str, Any]) -> set[str]:
    """The words a list is called by: its title and file name (``summary.name_words``), and its folder's name."""
    folder = os.path.basename(os.path.dirname(str(doc["path"])))
    return name_words(doc) | content_words(re.sub(r"[._-]+", " ", folder))
