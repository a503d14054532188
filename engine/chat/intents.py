"""The offline reasoner's intent matcher: requests for actions, by pattern and by meaning.

Patterns extract parameters (a table's name and fields, a folder, a row's values); the
embedding check only recognises the parameterless requests (status, errors, re-index),
so a question about a document's own "status" or "errors" is not taken for a command.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np

Proposal = tuple[str, dict[str, Any]]
_I = re.IGNORECASE
_NAME = r"['\"`]?(?P<name>[A-Za-z_][\w ]{0,60}?)['\"`]?"
_PATH = r"(?P<path>\"[^\"]+\"|'[^']+'|[~./][^\s,;]*|[A-Za-z]:\\[^\s,;]*|\S+/\S*)"
_PAIR = re.compile(r"\s*(?P<k>[^=:]+?)\s*(?:=|:|\bis\b)\s*(?P<v>.+?)\s*$")
_ASK = r"^\s*(?:please\s+|(?:can|could|would)\s+you\s+(?:please\s+)?|grace[,:]?\s+|now\s+)*"
_WORD_NAME = r"['\"`]?(?P<name>[A-Za-z_]\w*)['\"`]?"
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&)\s*", _I)

_CREATE = re.compile(_ASK + r"(?:create|make|set up|start|add)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:memory\s+)?table\s+"
                     r"(?:called\s+|named\s+)?" + _NAME + r"\s+(?:with|having)\s+(?:the\s+)?"
                     r"(?:fields|columns)\s*:?\s*(?P<cols>.+?)\s*[.?!]?$", _I)
_ADD_ROW = re.compile(_ASK + r"add\s+(?:a\s+|an\s+|one\s+)?(?:new\s+)?(?:row|record|entry)\s+(?:to|into|in)\s+"
                      r"(?:the\s+)?(?:table\s+)?" + _WORD_NAME
                      + r"(?:\s+table)?\s*(?:with|:|where)\s*(?P<vals>.+?)\s*[.!]?$", _I)
_DELETE_TABLE = re.compile(_ASK + r"(?:delete|drop|remove)\s+(?:the\s+)?(?:memory\s+)?table\s+" + _NAME
                           + r"\s*[.!]?$", _I)
_DELETE_DOC = re.compile(_ASK + r"(?:delete|remove|forget)\s+(?:the\s+)?(?:document|file|doc)\s+"
                         r"(?P<path>\"[^\"]+\"|'[^']+'|\S+)", _I)
_INGEST = re.compile(_ASK + r"(?:ingest|import|index|read in|load|add)\s+(?:the\s+|my\s+)?(?:folder|directory|files?"
                     r"|documents?|docs)?\s*(?:in|at|from)?\s*" + _PATH, _I)
_REINDEX = re.compile(_ASK + r"(?:re-?index|rebuild\s+(?:the\s+)?(?:search\s+|vector\s+)?index)\b", _I)
_ERRORS = re.compile(r"\b(?:show|list|see|display)\s+(?:me\s+)?(?:the\s+|all\s+|any\s+)?"
                     r"(?:recent\s+|latest\s+|last\s+)?(?:errors|failures|problems)\b|\b(?:recent|latest|my)\s+(?:errors|failures)\b"
                     r"|\bwhat\s+(?:has\s+)?failed\b", _I)
_WHY_FAIL = re.compile(r"\bwhy\s+(?:did|does|has)\s+(?P<about>.+?)\s+(?:fail|not\s+ingest|break)", _I)
_STATUS = re.compile(r"^\s*(?:(?:show|give|tell)\s+(?:me\s+)?)?(?:the\s+|my\s+)?(?:workspace(?:'s)?\s+)?status\s*\??$"
                     r"|\bworkspace(?:'s)?\s+status\b|\bhow\s+many\s+(?:documents|files|tables)\b"
                     r"|\bwhat(?:'s|\s+is)\s+in\s+(?:my|the)\s+workspace\b", _I)

PROTOTYPES: dict[str, list[str]] = {
    "status": ["show me the workspace status", "what does my workspace hold", "give me an overview of my files"],
    "show_errors": ["show me recent errors", "which of my files failed to load", "what went wrong recently"],
    "reindex": ["rebuild the search index", "re-index everything"],
}
PROTOTYPE_MIN = 0.80


def _unquote(s: str) -> str:
    return s.strip().strip("\"'`").strip()


def _columns(spec: str) -> list[str]:
    return [c for c in (_unquote(x).strip(" .") for x in _SPLIT.split(spec)) if c]


def _values(spec: str) -> dict[str, str]:
    """'name=Ann, qty: 3 and city = Lyon' -> {'name': 'Ann', 'qty': '3', 'city': 'Lyon'}."""
    out = {}
    for part in re.split(r"\s*(?:,|;|\band\b)\s*", spec):
        m = _PAIR.match(part)
        if m:
            out[_unquote(m["k"])] = _unquote(m["v"])
    return out


def _path(raw: str, documents: Callable[[], list[str]] | None) -> str:
    """An absolute path; a bare file name is matched against the workspace's documents."""
    raw = _unquote(raw).rstrip(".?!")
    expanded = os.path.expanduser(raw)
    if os.path.isabs(expanded) or documents is None:
        return os.path.abspath(expanded)
    matches = [d for d in documents() if d.endswith(os.sep + raw) or os.path.basename(d) == raw]
    return matches[0] if len(matches) == 1 else os.path.abspath(expanded)


def match(question: str, documents: Callable[[], list[str]] | None = None) -> list[Proposal]:
    """Actions asked for in ``question`` by pattern (the first kind that matches wins)."""
    q = question.strip()
    if m := _CREATE.search(q):
        return [("create_table", {"table": _unquote(m["name"]).replace(" ", "_"), "columns": _columns(m["cols"])})]
    if (m := _ADD_ROW.search(q)) and _values(m["vals"]):
        return [("add_rows", {"table": _unquote(m["name"]).replace(" ", "_"), "rows": [_values(m["vals"])]})]
    if m := _DELETE_TABLE.search(q):
        return [("delete_table", {"table": _unquote(m["name"]).replace(" ", "_")})]
    if m := _DELETE_DOC.search(q):
        return [("delete_document", {"path": _path(m["path"], documents)})]
    if _REINDEX.search(q):
        return [("reindex", {})]
    if m := _INGEST.search(q):
        return [("ingest", {"paths": [_path(m["path"], None)]})]
    if m := _WHY_FAIL.search(q):
        return [("show_errors", {"about": _unquote(m["about"]).removeprefix("the ").strip()})]
    if _ERRORS.search(q):
        return [("show_errors", {})]
    if _STATUS.search(q):
        return [("status", {})]
    return []


class IntentMatcher:
    """Patterns first; then, for parameterless requests, nearness to a few example phrasings."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray]) -> None:
        self._embed = embed
        self._kinds: list[str] = []
        self._vectors: np.ndarray | None = None

    def _prototypes(self) -> np.ndarray:
        if self._vectors is None:
            phrases = [(kind, p) for kind, ps in PROTOTYPES.items() for p in ps]
            self._kinds = [k for k, _ in phrases]
            self._vectors = self._embed([p for _, p in phrases])
        return self._vectors

    def match(self, question: str, qvec: np.ndarray | None,
              documents: Callable[[], list[str]] | None = None) -> list[Proposal]:
        found = match(question, documents)
        if found or qvec is None or len(question.split()) > 9:
            return found
        sims = self._prototypes() @ qvec
        best = int(np.argmax(sims))
        return [(self._kinds[best], {})] if float(sims[best]) >= PROTOTYPE_MIN else []
