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

import csv
import os
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .executors import KINDS, documents_like, documents_named, folders_named, split_type, sql_typed
from .words import content_words, stem, table_noun

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

# A request for a new table: a verb of making (or "new", or "I need/want"), "table", then its
# name (called X, named X, for [tracking] X, X before "table", or one word after it) and its
# columns (after with/having/":"/"(" ); see ``_create_table``.
_TABLE_ASK = re.compile(
    _ASK + r"(?:(?P<want>(?:i|we)(?:'d|\s+would)?\s+(?:need|want|like)\s+(?:you\s+to\s+)?|let'?s\s+))?"
    r"(?P<verb>(?:create|make|set\s+up|start|add|build)\s+(?:me\s+|us\s+)?)?(?:a\s+|an\s+)?(?P<new>new\s+)?"
    r"(?:memory\s+)?(?:(?P<pre>[A-Za-z_]\w*)\s+)?table\b\s*(?P<rest>.*?)\s*[.?!]?\s*$", _I | re.DOTALL)
_NAME_INTRO = re.compile(r"^(?P<intro>called|named|(?:for|to|of)(?:\s+(?:track(?:ing)?|stor(?:e|ing)|keep(?:ing)?"
                         r"(?:\s+track\s+of)?|record(?:ing)?|hold(?:ing)?|list(?:ing)?|my|our|all|the))*)\s+"
                         r"['\"`]?(?P<name>[A-Za-z_][\w' ]{0,60}?)['\"`]?"
                         r"(?P<after>(?:\s*(?:\b(?:with|having|containing)\b|[:(]).*)?)$", _I | re.DOTALL)
_BARE_NAME = re.compile(r"^['\"`]?(?P<name>[A-Za-z_]\w*)['\"`]?(?P<after>(?:\s*(?:\b(?:with|having|containing)\b"
                        r"|[:(]).*)?)$", _I | re.DOTALL)
_COLUMNS = re.compile(r"^\s*(?:(?:with|having|containing)\b\s*)?(?:the\s+)?(?:following\s+)?(?P<word>(?:fields|columns)"
                      r"\b)?\s*[:(]?\s*(?P<cols>.*?)\s*\)?\s*(?P<tail>\b(?:fields|columns))?\s*$", _I | re.DOTALL)
_NOT_A_NAME = frozenset("a an the in on of with from for to at by as that which where like using".split())
# Words no column's name holds ("the same name as a regular one" is a question, not columns).
_PHRASE_WORDS = frozenset("the as than that which same like from into with one this these those".split())
# "start: date and time" is one type, not a column "time": said so before the columns are split.
_DATE_AND_TIME = re.compile(r"((?:[:(]|\bas\b)\s*(?:an?\s+)?)date\s+and\s+time\b", _I)
# Rows to add: "add a row to books: ...", "insert into books ...", "add to the books table: ...".
_ROWS = r"(?:(?:a|an|one|two|three|four|five|\d+|these|this|the\s+following|some)\s+)?(?:new\s+)?" \
        r"(?P<rows>rows?|records?|entry|entries)\s+"
_ADD_ROW = re.compile(_ASK + r"(?:add|insert|append|put)\s+(?:" + _ROWS + r")?(?:to|into|in)\s+(?:the\s+|my\s+)?"
                      r"(?:table\s+)?" + _WORD_NAME + r"(?:\s+table)?\s*(?:with|:|where|values?|-)?\s*(?P<vals>.+?)"
                      r"\s*[.!]?$", _I | re.DOTALL)
_INSERT_SQL = re.compile(r"^\s*insert\s+into\s+" + _WORD_NAME + r"\s*\((?P<cols>[^()]+)\)\s*values\s*"
                         r"(?P<vals>\(.+\))\s*;?\s*$", _I | re.DOTALL)
_DROP = r"(?:delete|drop|remove|erase|get\s+rid\s+of)\s+"
_DELETE_TABLE = re.compile(_ASK + _DROP + r"(?:the\s+)?(?:memory\s+)?table\s+" + _NAME + _END, _I)
# A word of a table's name: not an article, pronoun or preposition ("delete the table" names none).
_NOT_NAME_WORDS = _NOT_A_NAME | {"my", "our", "your", "this", "these", "those", "it", "its"}
_NAME_WORD = r"(?!(?:" + "|".join(_NOT_NAME_WORDS) + r")\b)[A-Za-z_][\w']*"
# One-word names may be followed by a remark: "remove table vendors, we don't need it".
_REMARK = r"(?:\s*,?\s*(?:please|thanks|thank\s+you))?\s*(?:[,;:.!-]+\s*(?:\w.*)?)?$"
_DELETE_NAMED_TABLE = (
    re.compile(_ASK + _DROP + r"(?:the\s+|my\s+)?(?:memory\s+)?table\s+" + _WORD_NAME + _REMARK, _I | re.DOTALL),
    re.compile(_ASK + _DROP + r"(?:the\s+|my\s+)?['\"`]?(?P<name>" + _NAME_WORD + r"(?:\s+" + _NAME_WORD + r"){0,2})"
               r"['\"`]?\s+table" + _REMARK, _I | re.DOTALL))
_DELETE_DOC = re.compile(_ASK + r"(?:delete|remove|forget)\s+(?:the\s+)?(?:document|file|doc)\s+(?:called\s+|named\s+)?"
                         r"(?P<path>.+?)" + _WHERE + _END, _I)
# "forget the lease document", "remove my tax notes file"; and a bare "remove Pepper's vet records,
# they're outdated", which is a request only when a document's file name holds its words.
_DELETE_DOC_AFTER = re.compile(_ASK + r"(?:delete|remove|forget)\s+(?:the\s+|my\s+)?(?P<path>[^,;!?]+?)\s+"
                               r"(?:document|file|doc)" + _WHERE + _REMARK, _I | re.DOTALL)
_FORGET = re.compile(_ASK + r"(?:delete|remove|forget)\s+(?P<path>[^,;!?]+?)" + _WHERE + _REMARK, _I | re.DOTALL)
_INGEST = re.compile(_ASK + r"(?:ingest|import|index|read\s+in|load|add)\s+(?:(?:the|my|this|these)\s+)?"
                     r"(?:(?P<word>folder|directory|files?|documents?|docs)\s+)?(?:(?:in|at|from|called|named)\s+)?"
                     r"(?P<path>.+?)" + _WHERE + _END, _I)
# "please re-scan the corpus folder": a folder Grace has read documents from, by its name.
_RESCAN = re.compile(_ASK + r"(?:re-?scan|re-?read|refresh|update|sync|re-?ingest|re-?load|re-?import|check)\s+"
                     r"(?:the\s+|my\s+)?['\"`]?(?P<name>[\w .'-]+?)['\"`]?\s+(?:folder|directory)" + _WHERE + _REMARK,
                     _I | re.DOTALL)
_REINDEX = re.compile(_ASK + r"(?:re-?index|rebuild\s+(?:the\s+)?(?:search\s+|vector\s+)?index)\b", _I)
_WHY_FAIL = re.compile(_ASK + r"why\s+(?:did|does|do|has|have|was|were|is|are)\s+(?P<about>.+?)\s+"
                       r"(?:fail\w*|break|broken|(?:not\s+)?(?:get\s+|be\s+)?(?:ingest|import|load|index|read)\w*)"
                       r"(?P<tail>.*?)" + _END, _I)
# "Why couldn't you read my json file?", "why isn't report.pdf indexed?"
_WHY_NOT = (
    re.compile(_ASK + r"why\s+(?:couldn'?t|could\s+not|can'?t|cannot|didn'?t|did\s+not|won'?t|wouldn'?t)\s+"
               r"(?:you|grace|it|i|we)\s+(?:be\s+able\s+to\s+)?(?:read|load|ingest|import|index|open|parse|process)"
               r"\w*\s+(?P<about>.+?)(?P<tail>)" + _END, _I),
    re.compile(_ASK + r"why\s+(?:isn'?t|wasn'?t|aren'?t|weren'?t|is\s+not|was\s+not)\s+(?P<about>.+?)\s+"
               r"(?P<tail>(?:being\s+)?(?:read|loaded|ingested|imported|indexed|searchable|showing|there|found)\b.*?)"
               + _END, _I))
# A policy change: "set ingest to tier 3", "require confirmation for adding rows".
_CONFIRM = r"(?:an?\s+)?(?:typed\s+|explicit\s+|my\s+)?(?P<what>confirmation|approval)"
_KIND = r"(?:the\s+)?(?P<kind>[\w -]+?)(?:\s+actions?)?"
_SO_THAT = r"(?:(?:please\s+)?change\s+(?:the\s+)?policy\s+(?:so\s+)?(?:that\s+)?)?"
_POLICY = tuple(re.compile(_ASK + _SO_THAT + p + _END, _I) for p in (
    r"(?:set|change|raise|make|put|move|bump)\s+" + _KIND + r"\s+(?:to\s+|at\s+|a\s+|need\s+|require\s+)?"
    r"tier[\s-]*(?P<tier>[123])",
    r"(?:set|change|raise|make|put|move|bump)\s+(?:the\s+)?(?:governance\s+)?tier\s+(?:of|for)\s+" + _KIND
    + r"\s+to\s+(?:tier\s*)?(?P<tier>[123])",
    _KIND + r"\s+(?:is|are|should\s+be|must\s+be|becomes?|needs?|requires?)\s+(?:at\s+)?tier[\s-]*(?P<tier>[123])",
    r"(?:always\s+)?(?:require|need|ask\s+(?:me\s+)?for)\s+" + _CONFIRM + r"\s+(?:for|before)\s+"
    r"(?:every\s+|each\s+|all\s+|any\s+)?" + _KIND,
    r"(?:make|let)\s+" + _KIND + r"\s+(?:need|require|wait\s+for)\s+" + _CONFIRM))
# An action kind by its own name ("add_rows", "add rows") or by the words people use for it.
_KIND_WORDS = {k: k for k in KINDS if k != "change_policy"} | {
    "ingests": "ingest", "ingesting": "ingest", "ingestion": "ingest", "import": "ingest", "imports": "ingest",
    "importing": "ingest", "adding_rows": "add_rows", "add_row": "add_rows", "rows": "add_rows",
    "new_rows": "add_rows", "creating_tables": "create_table", "table_creation": "create_table",
    "new_tables": "create_table", "creating_a_table": "create_table", "re_index": "reindex",
    "reindexing": "reindex", "re_indexing": "reindex", "queries": "query", "errors": "show_errors"}
_ACTION = re.compile(r"action\s+#?\d+", _I)
_ERROR_WORDS = re.compile(r"\b(?:errors?|failures?|fail(?:ed|s|ing)?|problems?|wrong|broken|broke|issues?)\b", _I)
_STATUS_WORDS = re.compile(r"\b(?:status|overview|how\s+many|how\s+much|what(?:'s|\s+is|\s+are)\s+in|hold|holds"
                           r"|contain|contains|(?:do|have)\s+i\s+(?:have|got))\b", _I)
# A word pointing back into the chat, and the nouns that keep a request about the workspace.
_REFERS = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|one)\b", _I)
_WORKSPACE_NOUNS = re.compile(r"\b(?:workspace|files?|documents?|docs?|folders?|director(?:y|ies)|tables?|index"
                              r"|ingest\w*|import\w*|upload\w*|library|approvals?|actions?|queue)\b", _I)
# The kinds of file a request can name ("why did the PDF fail?"), as the words people use.
FORMAT_WORDS = {"pdf": "pdf", "docx": "docx", "html": "htm", "htm": "htm", "markdown": "md",
                "md": "md", "txt": "txt", "text": "txt", "csv": "csv", "tsv": "tsv", "json": "json", "xlsx": "xlsx",
                "excel": "xls", "spreadsheet": "xls", "parquet": "parquet", "rst": "rst", "log": "log"}
# The words a request about the workspace is made of (its files, their state, its errors).
WORKSPACE_WORDS = content_words("""workspace file files document documents doc docs folder folders directory
directories table tables memory passage passages chunk chunks index indexed indexing reindex search vector vectors
status state overview summary error errors failure failures fail failed failing fails problem problems wrong went
gone broken broke recent recently latest last lately today yesterday week far now currently right ingest ingested
ingesting ingestion import imported importing imports load loaded loading loads read reading upload uploaded
uploads hold holds contain contains stored store many much count number total all every library approval added adding
approvals pending queue queued waiting action actions grace list display see show give happened anything
everything overall whole rebuild re report during while occur occurred issue issues """ + " ".join(FORMAT_WORDS))

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


def _columns(spec: str) -> tuple[list[str], dict[str, str]]:
    """'a name, an email and phone' -> ['name', 'email', 'phone']; and the type word of each column
    written with one ('cost (number)', 'cost: number', 'cost as number', 'age INTEGER': see
    ``executors.split_type``) by its name: {'cost': 'number'}."""
    names, types = [], {}
    columns = [re.sub(r"^(?:a|an|the)\s+", "", _unquote(part).strip(" ."), flags=_I)
               for part in _column_parts(_DATE_AND_TIME.sub(r"\1date_and_time", spec))]
    as_sql = sql_typed(columns)
    for column in columns:
        name, word = split_type(column, as_sql)
        if name := _unquote(name):
            names.append(name)
            if word:
                types[name] = word.replace("date_and_time", "date and time")
    return names, types


def _column_parts(spec: str) -> list[str]:
    """``spec`` split at commas, semicolons and "and", except within parentheses ("(yes, no)")."""
    parts, start = [], 0
    for sep in _SPLIT.finditer(spec):
        if spec.count("(", 0, sep.start()) <= spec.count(")", 0, sep.start()):
            parts.append(spec[start:sep.start()])
            start = sep.end()
    return [*parts, spec[start:]]


def _plain(columns: list[str]) -> bool:
    """Columns that read as names (at most three words, no phrase words), not a sentence."""
    return bool(columns) and all(len(c.split()) <= 3 and not set(c.lower().split()) & _PHRASE_WORDS
                                 for c in columns)


def _table_name(m: re.Match[str]) -> tuple[str, str, str] | None:
    """(name, text after it, how it was named: called, before, for or bare) of a new-table
    request, or None without a name."""
    rest, pre = m["rest"], m["pre"]
    if (named := _NAME_INTRO.match(rest)) and named["name"].strip().lower() not in _NOT_A_NAME:
        how = "called" if named["intro"].lower() in ("called", "named") else "for"
        return named["name"].strip(), named["after"], how
    if pre and pre.lower() not in _NOT_A_NAME | {"new", "memory"}:
        return pre, rest, "before"
    if (bare := _BARE_NAME.match(rest)) and bare["name"].lower() not in _NOT_A_NAME and bare["after"]:
        return bare["name"], bare["after"], "bare"
    return None


def _create_table(q: str) -> list[Proposal] | None:
    """create_table for a request to make a table with named columns; a question when a table
    is named without columns; None when ``q`` is not such a request."""
    m = _TABLE_ASK.match(q)
    if not m or not (m["verb"] or m["new"] or m["want"]) or not (found := _table_name(m)):
        return None
    name, after, how = found
    spec = _COLUMNS.match(after) if after.strip() else None
    columns, types = _columns(spec["cols"]) if spec else ([], {})
    said = bool(spec and (spec["word"] or spec["tail"] or after.lstrip()[:1] in ":("))
    if columns and (said or how == "called" or _plain(columns)):
        return [("create_table", {"table": _unquote(name), "columns": columns} | ({"types": types} if types else {}))]
    if not after.strip() and how in ("called", "before"):
        return [(SAY, {"text": f"Which columns should the table {name} have? Say, for example: create a table "
                               f"called {name} with columns name, email and phone."})]
    return None


def values(spec: str) -> tuple[list[dict[str, str]], list[str]]:
    """'title = War and Peace, year: 1869' -> ([{'title': 'War and Peace', 'year': '1869'}], parts
    not read); a column named again starts the next row ('title = A, year = 1; title = B, year = 2')."""
    rows: list[dict[str, str]] = [{}]
    unread = []
    for part in _PAIR_SPLIT.split(spec.strip()):
        m = _PAIR.match(part)
        key, value = (_unquote(m["k"]), _unquote(m["v"])) if m else ("", "")
        if key and value:
            if key in rows[-1]:
                rows.append({})
            rows[-1][key] = value
        elif part.strip():
            unread.append(part.strip())
    return [r for r in rows if r], unread


def _add_row(m: re.Match[str]) -> list[Proposal] | None:
    if m["name"].lower() in ("workspace", "library", "index") or not (m["rows"] or re.search(r"[=:]", m["vals"])):
        return None  # "add to my workspace the folder ~/x" is not a row
    rows, unread = values(m["vals"])
    if unread and m["rows"] and (loose := _loose_values(m["vals"])):
        rows, unread = [loose], []
    if unread or not rows:
        what = ", ".join(f"“{p}”" for p in unread) or f"“{m['vals']}”"
        return [(SAY, {"text": f"I could not add that row: I cannot read {what} as column = value. Write each "
                               "value as column = value, separated by commas."})]
    return [("add_rows", {"table": _unquote(m["name"]), "rows": rows})]


# "log a repair: 2026-03-02, QuickFix, 180": a row of the table whose name ends in that noun,
# its values in the table's column order.
_LOG_ROW = re.compile(_ASK + r"(?:log|record|add|note(?:\s+down)?|track|enter)\s+(?:a|an|another|one|this|my|our)\s+"
                      r"(?:new\s+)?(?P<noun>[A-Za-z][\w-]*)\s*(?::|-|—)\s*(?P<vals>\S.*?)\s*[.!]?\s*$", _I | re.DOTALL)


def logged_row(question: str, tables: Callable[[], list[tuple[str, list[str]]]]) -> list[Proposal]:
    """add_rows for "log a repair: 2026-03-02, QuickFix, 180" when exactly one of ``tables()``
    (name, column names) is named by the noun (car_repairs, repairs); values in column order."""
    m = _LOG_ROW.search(question)
    if not m:
        return []
    noun = stem(m["noun"])
    values = [v.strip() for v in next(csv.reader([m["vals"]], skipinitialspace=True))]
    found = [(name, columns) for name, columns in tables() if table_noun(name) == noun]
    if len(found) != 1:  # one value is a note ("add a note: ring the plumber"), not a row
        return [(SAY, {"text": _no_table_for(m["noun"], values, [n for n, _ in found])})] if len(values) > 1 else []
    name, columns = found[0]
    if len(values) != len(columns):
        return [(SAY, {"text": f"I could not add that {m['noun']}: {name} has {len(columns)} columns "
                               f"({', '.join(columns)}) and I read {len(values)} values. Give one value per "
                               "column in that order, separated by commas, or write column = value."})]
    return [("add_rows", {"table": name, "rows": [dict(zip(columns, values, strict=True))]})]


_NUMBER = re.compile(r"[-+]?[£$€]?\d[\d,]*(?:\.\d+)?")
_DATE = re.compile(r"\d{4}-\d\d-\d\d|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")


def _no_table_for(noun: str, values: list[str], tables: list[str]) -> str:
    """What to say to "log a repair: …" when no table, or more than one, is named by the noun:
    which tables could take it, or how to make one (a column per value, of the kinds given)."""
    if tables:
        listed = " or ".join(tables)
        return (f"Which table should the {noun} go in: {listed}? Say, for example: add to {tables[0]}: "
                "column = value, column = value.")
    kinds = [("date" if _DATE.fullmatch(v) else "number" if _NUMBER.fullmatch(v) else "text") for v in values]
    example = ", ".join(f"column {i}{f' ({kind})' if kind != 'text' else ''}" for i, kind in enumerate(kinds, 1))
    return (f"There is no table of {noun}s to log this in. Create one first, with a column for each of the "
            f"{len(values)} values in their order, naming the columns as you like; for example: create a table "
            f"called {noun}s with columns {example}. Then log the {noun} again.")


def _loose_values(spec: str) -> dict[str, str] | None:
    """'date 2026-04-01, garage AutoFix and cost 95' -> one row keyed by each part's first word;
    None unless every part is a word and a value."""
    parts = [p.split(None, 1) for p in _SPLIT.split(spec.strip().rstrip(".")) if p.strip()]
    if not parts or any(len(p) != 2 or not re.fullmatch(r"[^\W\d]\w*", p[0]) for p in parts):
        return None
    row = {key.lower(): _unquote(value) for key, value in parts}
    return row if len(row) == len(parts) else None


def _insert_sql(m: re.Match[str]) -> list[Proposal]:
    """INSERT INTO t (a, b) VALUES ('x', 1), ('y', 2): one row per tuple, quotes taken off."""
    columns = [_unquote(c) for c in m["cols"].split(",")]
    tuples = re.findall(r"\(((?:[^()'\"]|'[^']*'|\"[^\"]*\")*)\)", m["vals"])
    rows = [dict(zip(columns, (v.strip() for v in next(csv.reader([t], skipinitialspace=True, quotechar="'"))),
                     strict=False)) for t in tuples]
    if not rows or any(len(r) != len(columns) for r in rows):
        return [(SAY, {"text": f"I could not read the values for {', '.join(columns)}: give one value per column."})]
    return [("add_rows", {"table": m["name"], "rows": rows})]


def _delete_document(raw: str, documents: Callable[[], list[str]] | None, bare: bool = False) -> list[Proposal]:
    """delete_document for the one document ``raw`` names (by path, file name, or the words of its
    file name); a sentence when none or several do; with ``bare`` (no "document" said), nothing
    unless some document is meant."""
    name = _unquote(raw)
    if documents is None:
        return [] if bare else [("delete_document", {"path": os.path.abspath(os.path.expanduser(name))})]
    paths = documents()
    found = documents_named(name, paths) or documents_like(name, paths)
    if bare and not found:
        return []
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


def _rescan(name: str, documents: Callable[[], list[str]] | None) -> list[Proposal]:
    """ingest of the folder ``name`` means: a path, or a folder Grace read documents from; nothing
    when there is none (an endpoint, if one is set, may still read the request)."""
    path = os.path.abspath(os.path.expanduser(name))
    written = _PATHLIKE.search(name) and os.path.isdir(path)  # (a bare name is not looked for where Grace runs)
    found = [path] if written else folders_named(name, documents() if documents else [])
    if len(found) == 1:
        return [("ingest", {"paths": found})]
    if not found:
        return []
    listed = "\n".join(f"- `{p}`" for p in found[:10])
    return [(SAY, {"text": f"Several folders are called {name}; say which one by its path:\n\n{listed}"})]


def _why_failed(m: re.Match[str], documents: Callable[[], list[str]] | None) -> list[Proposal] | None:
    """show_errors when the subject names a document, a failed file or action, a kind of file or
    the ingestion; None (a question for the files) when it names anything else."""
    about, tail = m["about"], m["tail"]
    if not about_workspace(tail):
        return None
    about = re.sub(r"^(?:the|my|this|that|your|a|an)\s+", "", _unquote(about), flags=_I)
    if _ACTION.fullmatch(about) or (documents is not None and documents_named(about, documents())):
        return [("show_errors", {"about": about})]
    if not about_workspace(about) or (_REFERS.fullmatch(about) and not _WORKSPACE_NOUNS.search(m.group(0))):
        return None  # "why did it fail?" asks about what "it" was in the chat
    kinds = [FORMAT_WORDS[w] for w in re.findall(r"\w+", about.lower()) if w in FORMAT_WORDS]
    return [("show_errors", {"about": kinds[0]} if len(kinds) == 1 else {})]


def _policy(m: re.Match[str]) -> list[Proposal] | None:
    """change_policy for one action kind; a question when the words about the workspace name no
    kind; None when they are not about the workspace ("set the thermostat to tier 2")."""
    said = m["kind"].strip()
    groups = m.groupdict()
    tier = int(groups["tier"]) if groups.get("tier") else 3 if groups["what"].lower() == "confirmation" else 2
    key = re.sub(r"^(?:all|every|each|any)\s+", "", said.lower())
    if kind := _KIND_WORDS.get(re.sub(r"[\s-]+", "_", key)):
        return [("change_policy", {"kind": kind, "tier": tier})]
    if not about_workspace(said):
        return None
    kinds = ", ".join(sorted(set(_KIND_WORDS.values())))
    return [(SAY, {"text": f"I can set the tier of these kinds of action: {kinds}. “{said}” is not one of them."})]


def match(question: str, documents: Callable[[], list[str]] | None = None) -> list[Proposal]:
    """Actions asked for in ``question`` by pattern (the first kind that matches wins)."""
    q = question.strip()
    if (made := _create_table(q)) is not None:
        return made
    if m := _INSERT_SQL.match(q):
        return _insert_sql(m)
    if (m := _ADD_ROW.search(q)) and (rows := _add_row(m)) is not None:
        return rows
    for pattern in (_DELETE_TABLE, *_DELETE_NAMED_TABLE):
        if m := pattern.search(q):
            return [("delete_table", {"table": _unquote(m["name"]).replace(" ", "_")})]
    for pattern in _POLICY:
        if (m := pattern.search(q)) and (policy := _policy(m)) is not None:
            return policy
    if m := _DELETE_DOC.search(q) or _DELETE_DOC_AFTER.search(q):
        return _delete_document(m["path"], documents)
    if (m := _FORGET.search(q)) and (forget := _delete_document(m["path"], documents, bare=True)):
        return forget
    if (m := _RESCAN.search(q)) and (rescan := _rescan(m["name"], documents)):
        return rescan
    if _REINDEX.search(q) and about_workspace(q):
        return [("reindex", {})]
    if (m := _INGEST.search(q)) and (path := _ingest_path(m)):
        return [("ingest", {"paths": [path]})]
    for pattern in (_WHY_FAIL, *_WHY_NOT):
        if m := pattern.search(q):
            return _why_failed(m, documents) or []
    if not about_workspace(q) or (_REFERS.search(q) and not _WORKSPACE_NOUNS.search(q)):
        return []  # "and what happens if it fails?" asks about what "it" was in the chat
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
