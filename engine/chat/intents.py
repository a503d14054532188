"""The offline reasoner's intent matcher: requests for actions, by pattern and by meaning.

A request is an action only when it is about the workspace. Patterns match whole requests
and extract parameters (a table's name and fields, a row's values, a document of the
workspace, a folder that exists); the parameterless requests (status, errors, re-index)
are recognised only when every content word of the question is a word about the
workspace. So "Why did the Western Roman Empire fail?" or "How many documents must a
customer send?" stay questions for the files, while "Why did report.pdf fail?" and "How
many documents are in my workspace?" are requests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .executors import documents_named
from .words import content_words

Proposal = tuple[str, dict[str, Any]]
SAY = "say"  # not an action: a plain answer to a request that cannot be proposed as asked
_I = re.IGNORECASE
_NAME = r"['\"`]?(?P<name>[A-Za-z_][\w ]{0,60}?)['\"`]?"
_ASK = r"^\s*(?:please\s+|(?:can|could|would)\s+you\s+(?:please\s+)?|grace[,:]?\s+|now\s+)*"
_END = r"(?:\s*,?\s*(?:please|thanks|thank\s+you))?\s*[.?!]*\s*$"
_WHERE = r"(?:\s+(?:in|into|to|from)\s+(?:my|the)\s+(?:workspace|library|index))?"
_WORD_NAME = r"['\"`]?(?P<name>[A-Za-z_]\w*)['\"`]?"
_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*", _I)
# A row's values: "key = value" pairs; a separator splits only where another pair starts.
_KEY = r"['\"`]?(?!and\b)[^\W\d][\w'-]*(?:\s+(?!and\b)[\w'-]+){0,3}['\"`]?"
_PAIR_SPLIT = re.compile(r"\s*(?:,|;|\band\b)\s*(?=" + _KEY + r"(?:\s*[=:]|\s+is\b))", _I)
_PAIR = re.compile(r"\s*(?P<k>[^=:]+?)\s*(?:=|:|\bis\b)\s*(?P<v>.+?)\s*$", re.DOTALL)

_CREATE = re.compile(_ASK + r"(?:create|make|set up|start|add)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:memory\s+)?table\s+"
                     r"(?:called\s+|named\s+)?" + _NAME + r"\s+(?:with|having)\s+(?:the\s+)?"
                     r"(?:fields|columns)\s*:?\s*(?P<cols>.+?)\s*[.?!]?$", _I)
# Without the word "fields" or "columns" before them, the name must be "called X" or come
# before "table" with the columns' word after them; or the request is written as SQL.
_MAKE = _ASK + r"(?:create|make|set up|start|add)\s+(?:a\s+|an\s+)?(?:new\s+)?(?:memory\s+)?"
_CREATE_CALLED = re.compile(_MAKE + r"table\s+(?:called|named)\s+" + _WORD_NAME + r"\s+(?:with|having)\s+"
                            r"(?:the\s+)?(?P<cols>.+?)(?:\s+(?:fields|columns))?\s*[.?!]?$", _I)
_CREATE_BEFORE = re.compile(_MAKE + _WORD_NAME + r"\s+table\s+(?:with|having)\s+(?:the\s+)?(?P<cols>.+?)\s+"
                            r"(?:fields|columns)\s*[.?!]?$", _I)
_CREATE_SQL = re.compile(r"^\s*create\s+table\s+" + _WORD_NAME + r"\s*\((?P<cols>[^()]+)\)\s*;?\s*$", _I)
_ADD_ROW = re.compile(_ASK + r"add\s+(?:a\s+|an\s+|one\s+)?(?:new\s+)?(?:row|record|entry)\s+(?:to|into|in)\s+"
                      r"(?:the\s+)?(?:table\s+)?" + _WORD_NAME
                      + r"(?:\s+table)?\s*(?:with|:|where)\s*(?P<vals>.+?)\s*[.!]?$", _I | re.DOTALL)
_DELETE_TABLE = re.compile(_ASK + r"(?:delete|drop|remove)\s+(?:the\s+)?(?:memory\s+)?table\s+" + _NAME
                           + r"\s*[.!]?$", _I)
_DELETE_NAMED_TABLE = re.compile(_ASK + r"(?:delete|drop|remove)\s+(?:the\s+|my\s+)?" + _WORD_NAME
                                 + r"\s+table\s*[.!]?$", _I)
_DELETE_DOC = re.compile(_ASK + r"(?:delete|remove|forget)\s+(?:the\s+)?(?:document|file|doc)\s+(?:called\s+|named\s+)?"
                         r"(?P<path>.+?)" + _WHERE + _END, _I)
_INGEST = re.compile(_ASK + r"(?:ingest|import|index|read\s+in|load|add)\s+(?:(?:the|my|this|these)\s+)?"
                     r"(?:(?P<word>folder|directory|files?|documents?|docs)\s+)?(?:(?:in|at|from|called|named)\s+)?"
                     r"(?P<path>.+?)" + _WHERE + _END, _I)
_REINDEX = re.compile(_ASK + r"(?:re-?index|rebuild\s+(?:the\s+)?(?:search\s+|vector\s+)?index)\b", _I)
_WHY_FAIL = re.compile(_ASK + r"why\s+(?:did|does|do|has|have|was|were|is|are)\s+(?P<about>.+?)\s+"
                       r"(?:fail\w*|break|broken|(?:not\s+)?(?:get\s+|be\s+)?(?:ingest|import|load|index|read)\w*)"
                       r"(?P<tail>.*?)" + _END, _I)
_ACTION = re.compile(r"action\s+#?\d+", _I)
_ERROR_WORDS = re.compile(r"\b(?:errors?|failures?|fail(?:ed|s|ing)?|problems?|(?:went|gone|goes|go)\s+wrong"
                          r"|broken|broke)\b", _I)
_STATUS_WORDS = re.compile(r"\b(?:status|overview|how\s+many|how\s+much|what(?:'s|\s+is|\s+are)\s+in|hold|holds"
                           r"|contain|contains|(?:do|have)\s+i\s+(?:have|got))\b", _I)
# The words a request about the workspace is made of (its files, their state, its errors).
WORKSPACE_WORDS = content_words("""workspace file files document documents doc docs folder folders directory
directories table tables memory passage passages chunk chunks index indexed indexing reindex search vector vectors
status state overview summary error errors failure failures fail failed failing fails problem problems wrong went
gone broken broke recent recently latest last lately today yesterday week far now currently right ingest ingested
ingesting ingestion import imported importing imports load loaded loading loads read reading upload uploaded
uploads hold holds contain contains stored store many much count number total all every library approval added adding
approvals pending queue queued waiting action actions grace list display see show give happened anything
everything overall whole rebuild re""")

PROTOTYPES: dict[str, list[str]] = {
    "status": ["show me the workspace status", "what does my workspace hold", "give me an overview of my files"],
    "show_errors": ["show me recent errors", "which of my files failed to load", "what went wrong recently"],
    "reindex": ["rebuild the search index", "re-index everything"],
}
PROTOTYPE_MIN = 0.80


def about_workspace(text: str) -> bool:
    """Every content word of ``text`` (numbers aside) is a word about the workspace."""
    return {w for w in content_words(text) if not w.isdigit()} <= WORKSPACE_WORDS


def _unquote(s: str) -> str:
    return s.strip().strip("\"'`").strip()


def _columns(spec: str) -> list[str]:
    return [c for c in (_unquote(x).strip(" .") for x in _SPLIT.split(spec)) if c]


def values(spec: str) -> tuple[dict[str, str], list[str]]:
    """'title = War and Peace, year: 1869' -> ({'title': 'War and Peace', 'year': '1869'}, parts not read)."""
    out: dict[str, str] = {}
    unread = []
    for part in _PAIR_SPLIT.split(spec.strip()):
        m = _PAIR.match(part)
        key, value = (_unquote(m["k"]), _unquote(m["v"])) if m else ("", "")
        if key and value and key not in out:
            out[key] = value
        elif part.strip():
            unread.append(part.strip())
    return out, unread


def _add_row(m: re.Match[str]) -> list[Proposal]:
    row, unread = values(m["vals"])
    if unread or not row:
        what = ", ".join(f"“{p}”" for p in unread) or f"“{m['vals']}”"
        return [(SAY, {"text": f"I could not add that row: I cannot read {what} as column = value. Write each "
                               "value as column = value, separated by commas."})]
    return [("add_rows", {"table": _unquote(m["name"]), "rows": [row]})]


def _delete_document(raw: str, documents: Callable[[], list[str]] | None) -> list[Proposal]:
    name = _unquote(raw)
    if documents is None:
        return [("delete_document", {"path": os.path.abspath(os.path.expanduser(name))})]
    found = documents_named(name, documents())
    if len(found) == 1:
        return [("delete_document", {"path": found[0]})]
    if not found:
        return [(SAY, {"text": f"No document in your workspace is called {name}, so there is nothing to forget."})]
    listed = "\n".join(f"- `{p}`" for p in found[:10])
    return [(SAY, {"text": f"Several documents in your workspace are called {name}; say which one by its "
                           f"path:\n\n{listed}"})]


_PATHLIKE = re.compile(r"^(?:[~.]|[A-Za-z]:)?[\\/]|[\\/]")
_FOLDER_WORDS = re.compile(r"\s+(?:folder|directory)$", _I)


def _ingest_path(m: re.Match[str]) -> str | None:
    """The path to ingest: one that exists or is written as a path (quoted, or one word with a
    slash or ``~``), or "my Documents folder" when the home folder has one of that name; else None."""
    raw = m["path"].strip()
    quoted = len(raw) > 1 and raw[0] == raw[-1] and raw[0] in "\"'`"
    path = os.path.abspath(os.path.expanduser(_unquote(raw)))
    if os.path.exists(path) or quoted or (_PATHLIKE.search(raw) and not re.search(r"\s", raw)):
        return path
    phrase = f"{m['word'] or ''} {raw}".strip()
    named = _FOLDER_WORDS.sub("", phrase)
    home = os.path.join(os.path.expanduser("~"), named)
    return home if named != phrase and os.path.isdir(home) else None


def _why_failed(m: re.Match[str], documents: Callable[[], list[str]] | None) -> list[Proposal] | None:
    """show_errors when the subject names a document, a failed file or action, or the ingestion;
    None (a question for the files) when it names anything else."""
    if not about_workspace(m["tail"]):
        return None
    about = re.sub(r"^(?:the|my|this|that)\s+", "", _unquote(m["about"]), flags=_I)
    if _ACTION.fullmatch(about) or (documents is not None and documents_named(about, documents())):
        return [("show_errors", {"about": about})]
    return [("show_errors", {})] if about_workspace(about) else None


def match(question: str, documents: Callable[[], list[str]] | None = None) -> list[Proposal]:
    """Actions asked for in ``question`` by pattern (the first kind that matches wins)."""
    q = question.strip()
    if m := _CREATE.search(q) or _CREATE_CALLED.search(q) or _CREATE_BEFORE.search(q):
        return [("create_table", {"table": _unquote(m["name"]), "columns": _columns(m["cols"])})]
    if m := _CREATE_SQL.search(q):  # "create table pets (name text, age int)": the names only
        return [("create_table", {"table": m["name"], "columns": [c.split()[0] for c in _columns(m["cols"])]})]
    if m := _ADD_ROW.search(q):
        return _add_row(m)
    if m := _DELETE_TABLE.search(q) or _DELETE_NAMED_TABLE.search(q):
        return [("delete_table", {"table": _unquote(m["name"]).replace(" ", "_")})]
    if m := _DELETE_DOC.search(q):
        return _delete_document(m["path"], documents)
    if _REINDEX.search(q) and about_workspace(q):
        return [("reindex", {})]
    if (m := _INGEST.search(q)) and (path := _ingest_path(m)):
        return [("ingest", {"paths": [path]})]
    if m := _WHY_FAIL.search(q):
        return _why_failed(m, documents) or []
    if not about_workspace(q):
        return []
    if _ERROR_WORDS.search(q):
        return [("show_errors", {})]
    if _STATUS_WORDS.search(q):
        return [("status", {})]
    return []


class IntentMatcher:
    """Patterns first; then, for short requests about the workspace, nearness to example phrasings."""

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
        if found or qvec is None or len(question.split()) > 9 or not about_workspace(question):
            return found
        sims = self._prototypes() @ qvec
        best = int(np.argmax(sims))
        return [(self._kinds[best], {})] if float(sims[best]) >= PROTOTYPE_MIN else []
