"""A summary of one file, quoted: "Summarize the team meeting", "What does the bike maintenance
log say?", "What's in wifi.txt?".

The offline answerer picks the sentences that answer a question; a request for the gist of a
whole file has no such sentence, and was declined. Here the file is found by its name or title
(every word the request says of it), and its key sentences are quoted in reading order, each
cited: those closest to the file's own centre of meaning (the mean of its sentences' vectors),
with a little weight on where it opens, none repeating another (maximal marginal relevance).
Nothing is made up: it is an extract. A request naming no file goes on to the answerer (it
may be a topic: "tell me about varroa mites").
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text

from ..search import SearchHit
from .context import Passage
from .reasoner_offline import Candidate, citation, readable, sentence_kinds, titled
from .sentences import split_sentences
from .types import Draft
from .words import content_words

# "summarize X", "a summary of X", "what does X say", "what's in X", "what is X about"
_ASKED = re.compile(
    r"\b(?:summari[sz]e|summari[sz]ing|sum up|summary of|overview of|gist of|recap of|recap|tl;?dr of|"
    r"main points (?:of|in)|key points (?:of|in)|highlights of)\s+(?P<a>.+)"
    r"|\bwhat (?:does|do|did) (?P<b>.+?) (?:say|cover|contain)\b"
    r"|\bwhat(?:'s| is| are) in (?P<c>.+)"
    r"|\bwhat(?:'s| is) (?P<d>.+?) about\b", re.I)
_ON_TOPIC = re.compile(r"\s+(?:about|on|of|regarding|concerning)\s+\w")
# Words a request says of a file that are not its name: "the meeting notes", "my wifi file"
_NOT_NAME = content_words("the a an my our this that these those file files document documents doc docs note notes "
                          "pdf docx text page pages please me us for briefly short quick brief")
MAX_SENTENCES = 160  # sentences read of a long file (spread over it), to keep a summary quick
LEAD_WEIGHT = 0.05  # the file's first sentences say what it is about: a little more likely picked
MMR_LAMBDA = 0.7
SUMMARY_CONFIDENCE = 0.8  # an extract of the file asked for: sure of its source, not of its choice


@dataclass(frozen=True)
class Asked:
    """A request for a file's summary: the words it names the file by."""

    words: frozenset[str]


def asked(question: str) -> Asked | None:
    """The file words of a request for a summary, or None when the question is no such request."""
    m = _ASKED.search(question)
    if m is None or _ON_TOPIC.match(question, m.end()):
        return None  # "what did the inspector say about the electrics?" asks of a topic, not for the gist
    named = next(g for g in m.groups() if g is not None)
    words = content_words(named.rstrip("?.! ")) - _NOT_NAME
    return Asked(frozenset(words)) if words else None


def name_words(doc: dict[str, Any]) -> set[str]:
    """The words a file is called by: its title and its file name (extension included)."""
    name = re.sub(r"[._-]+", " ", os.path.basename(doc["path"]))
    return content_words(f"{doc.get('title') or ''} {name}")


def files_named(request: Asked, documents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The readable documents (not tables) whose title or file name has every word of the request."""
    return [d for d in documents if d.get("status") == "ok" and d.get("kind") != "table"
            and request.words <= name_words(d)]


def which_one(found: Sequence[dict[str, Any]]) -> Draft:
    """Several files match the request: it asks which one, naming them."""
    names = [os.path.basename(d["path"]) for d in found[:6]]
    more = f" and {len(found) - 6} more" if len(found) > 6 else ""
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return Draft(f"Several files match: {listed}{more}. Which one should I summarise? Name it as in its file name.",
                 [], 0.5, False, "offline")


def summarise(conn: Any, doc: dict[str, Any], vectors: Callable[[list[str]], np.ndarray],
              count: int | None = None) -> Draft:
    """The key sentences of ``doc`` in reading order, each cited (``count``, or about the square
    root of its sentences, 3 to 5)."""
    candidates = _sentences(conn, doc)
    if not candidates:
        return Draft(f"{os.path.basename(doc['path'])} has no sentences I can quote.", [], 0.5, False, "offline")
    vecs = vectors([c.sentence.meaning for c in candidates])
    centre = vecs.mean(axis=0)
    centre /= float(np.linalg.norm(centre)) or 1.0
    lead = np.array([LEAD_WEIGHT if i < 3 else 0.0 for i in range(len(candidates))])
    scores = vecs @ centre + lead
    k = count or min(5, max(3, round(math.sqrt(len(candidates)))))
    chosen = _mmr(scores, vecs, min(k, len(candidates)))
    picked = [candidates[i] for i in sorted(chosen)]
    citations = [citation(n + 1, c) for n, c in enumerate(picked)]
    body = " ".join(f"{readable(c.sentence.display)} [{n + 1}]" for n, c in enumerate(picked))
    head = f"From **{os.path.basename(doc['path'])}**, its key sentences in order:"
    return Draft(f"{head} {body}", citations, SUMMARY_CONFIDENCE, False, "offline")


def _mmr(scores: np.ndarray, vecs: np.ndarray, k: int) -> list[int]:
    chosen: list[int] = []
    while len(chosen) < k:
        penalty = (vecs @ vecs[chosen].T).max(axis=1) if chosen else np.zeros(len(scores))
        mmr = MMR_LAMBDA * scores - (1 - MMR_LAMBDA) * penalty
        mmr[chosen] = -np.inf
        chosen.append(int(np.argmax(mmr)))
    return chosen


def passages_of(conn: Any, doc_id: int) -> list[Any]:
    """A document's passages in order: id, text, heading, page, line_start, line_end."""
    return list(conn.execute(text(
        "SELECT c.id, c.text, c.heading, c.page, c.line_start, c.line_end FROM chunks c "
        "JOIN documents d ON d.content_hash = c.content_hash WHERE d.id = :id ORDER BY c.ordinal"),
        {"id": doc_id}).all())


def _sentences(conn: Any, doc: dict[str, Any]) -> list[Candidate]:
    """The quotable sentences of ``doc``'s passages in order (title lines left out), at most
    ``MAX_SENTENCES`` spread evenly over the file."""
    rows = passages_of(conn, doc["id"])
    notes, _ = sentence_kinds(doc["path"])
    out = []
    for n, r in enumerate(rows, 1):
        hit = SearchHit(doc["path"], r.id, 1.0, r.page, r.line_start, r.line_end, r.heading or "", r.text)
        passage = Passage(n, hit, 1.0, np.zeros(1, dtype=np.float32))
        sentences, _ = titled(passage, split_sentences(r.text, None, notes))
        out += [Candidate(passage, s, 0.0, passage.vector) for s in sentences]
    once = {" ".join(c.sentence.meaning.split()): c for c in reversed(out)}  # boilerplate said many times: once
    out = sorted(once.values(), key=lambda c: (c.passage.n, c.sentence.start))
    if len(out) > MAX_SENTENCES:
        step = len(out) / MAX_SENTENCES
        out = [out[int(i * step)] for i in range(MAX_SENTENCES)]
    return out
