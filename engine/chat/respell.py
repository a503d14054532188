"""Words a person misspells, shortens or types without their apostrophe, read as the words the
workspace's files and tables write: "guarentee" as "guarantee", "defib" as "defibrillator",
"mens singles" as "men's singles".

Only a word typed in lower case that the model's vocabulary does not hold whole is looked at
(``words.terms``), and a name written with a capital is left alone ("Nixon" is no misspelling of
a Dixon the files hold; a question about a name the files lack is to be declined). Such a word
is read, in this order:

- as a possessive, when a table names something or someone (a short cell that begins it with a
  capital: "Becky Lund", "Men's singles", and no cell writes it in lower case) with "'s" or
  without the "s" ("beckys dbs": becky's): tables are matched word for word (the
  keyword index already reads "beckys" as "becky");
- as it is, when a file or table writes it, or when it is an English word the vocabulary holds
  with an ending ("durations", "honouring": duration + s, honour + ing);
- as the longer word it begins (four letters or more), when the files and tables hold words of
  one family that begin so and no other ("defib": defibrillator);
- as the one word of the files or tables it misspells (five letters or more) by one slip of
  the keyboard (``slipped``): "guarentee" as guarantee, "recieve" as receive; not "serde" as
  serve, nor "actix" as active.

The answer says how it read the question.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import extract
from sqlalchemy import Connection, text

from ..search import doc_freq, in_names, index_terms
from ..tables.mentions import text_places
from ..tables.names import quote_ident
from .aggregates import MISSPELT_LETTERS, PERSON
from .words import LETTERS, terms

BEGUN_LETTERS = 4  # a shorter beginning stands for too many words ("elec": electric, election)
NEAREST = 5  # index terms near a misspelt word whose written forms are compared with it
SHORT_CELL = 4  # a cell of at most this many words names a thing or a person
TABLE_WORDS_KEPT = 200_000  # the words of the tables' text cells looked at, at most
# word pieces that end an English word the vocabulary holds whole ("duration" + "##s")
_ENDINGS = frozenset("##s ##es ##ed ##d ##ing ##er ##ers ##ly ##ion ##ions ##ness".split())
_CELL_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_ADDRESS = re.compile(r"[@/\\]|\w\.\w")  # e-mail addresses, links, paths and file names


@dataclass(frozen=True)
class TableWords:
    """The words of the tables, in lower case: all of them (names, columns, cells), and the names
    among them: those a short cell begins with a capital ("Becky Lund", "Men's singles") and no
    cell writes in lower case."""

    every: frozenset[str]
    named: frozenset[str]
    people: frozenset[str]  # the names among them that a column of people writes ("becky" of coach)
    leading: frozenset[str] = frozenset()  # the names among them that begin a short cell ("lego" of "Lego and …")


@dataclass(frozen=True)
class Respelled:
    """The question as read, and each word read otherwise: (typed, read as)."""

    text: str
    changes: tuple[tuple[str, str], ...] = ()

    def note(self) -> str:
        """How the question was read: "Read “guarentee” as “guarantee”." ("" when as typed)."""
        if not self.changes:
            return ""
        return "Read " + ", ".join(f"“{typed}” as “{read}”" for typed, read in self.changes) + "."


def respell(conn: Connection, question: str, pieces: Callable[[str], list[str]],
            table_words: Callable[[], TableWords]) -> Respelled:
    """``question`` with its misspelt, shortened or apostrophe-less words read as the workspace
    writes them (``pieces``: a word's model pieces; ``table_words``: the tables' words)."""
    changes: list[tuple[str, str]] = []
    for word in terms(question, lambda words: [len(pieces(w)) for w in words]):
        read = _read_as(conn, word, pieces(word), table_words())
        if read and read != word:
            changes.append((word, read))
    text_ = question
    for typed, read in changes:
        text_ = re.sub(rf"(?<![\w']){re.escape(typed)}(?![\w'])", read, text_)
    return Respelled(text_, tuple(changes))


def _read_as(conn: Connection, word: str, parts: list[str], tabled: TableWords) -> str | None:
    """How ``word`` is read (see the module's docstring); None when as typed."""
    if (possessive := _possessive(word, tabled)) is not None:
        return possessive
    if word in tabled.every or _english(parts) or _in_files(conn, word):
        return None
    if len(word) >= BEGUN_LETTERS and (begun := _begun(conn, word, tabled.every)) is not None:
        return begun
    if len(word) >= MISSPELT_LETTERS:
        return _misspelt(conn, word, tabled.every)
    return None


def _english(parts: list[str]) -> bool:
    """The word pieces are a whole word and its endings ("occur", "##ed")."""
    return len(parts[0]) >= 3 and not parts[0].startswith("##") and all(p in _ENDINGS for p in parts[1:])


def _possessive(word: str, tabled: TableWords) -> str | None:
    """``word`` read with its apostrophe, when a table names something so ("Men's singles") or
    without the "s" ("Becky"); "invoices" stays a plural where cells write "invoice" in lower case."""
    if len(word) < 4 or not word.endswith("s") or word in tabled.every:
        return None
    base = word[:-1]
    return f"{base}'s" if f"{base}'s" in tabled.named or base in tabled.named else None


def _in_files(conn: Connection, word: str) -> bool:
    """A passage holds ``word`` as the keyword index stems it, or a file's name or title holds it."""
    stems = index_terms([word])[0]
    return bool(stems) and len(doc_freq(conn, [stems])) == len(set(stems)) or in_names(conn, word)


def _vocabulary(conn: Connection, lo: str, hi: str, shortest: int, longest: int) -> dict[str, int]:
    """The keyword index's terms from ``lo`` up to ``hi`` of a length in range, with their counts."""
    rows = conn.execute(text("SELECT term, doc FROM chunks_vocab WHERE term >= :lo AND term < :hi "
                             "AND length(term) BETWEEN :s AND :l LIMIT 20000"),
                        {"lo": lo, "hi": hi, "s": shortest, "l": longest}).all()
    return {t: n for t, n in rows if t.isalpha()}


def _begun(conn: Connection, word: str, tabled: frozenset[str]) -> str | None:
    """The word of the one family of words that ``word`` begins (by three letters or more) in
    the files and tables: the shortest a table writes, else the most common a passage writes."""
    indexed = _vocabulary(conn, word, word + "\uffff", len(word) + 2, 60)
    written = [w for w in tabled if w.startswith(word) and len(w) >= len(word) + 3 and "'" not in w]
    stems = [*indexed, *(t for ts in index_terms(written) for t in ts)] if written else [*indexed]
    if not stems or len(os.path.commonprefix(stems)) < len(word) + 3:
        return None
    return min(written, key=len) if written else _written_as(conn, max(indexed, key=lambda t: indexed[t]))


def _misspelt(conn: Connection, word: str, tabled: frozenset[str]) -> str | None:
    """The one word of the files and tables that ``word`` misspells by a slip of the keyboard."""
    stem = index_terms([word])[0]
    if len(stem) != 1:
        return None
    near = _vocabulary(conn, stem[0][0], chr(ord(stem[0][0]) + 1), len(stem[0]) - 2, len(stem[0]) + 2)
    terms_near = sorted(_nearest([t for t in near if t != stem[0]], stem[0], 2).items(), key=lambda td: td[1])
    forms = [f for t, _ in terms_near[:NEAREST] if (f := _written_as(conn, t)) is not None]
    found = [w for w in _nearest([*forms, *(w for w in tabled if w[:1] == word[:1] and w != word)], word, 1)
             if slipped(word, w)]
    one = len({tuple(ts) for ts in index_terms(found)}) == 1
    return min(found, key=len) if found and one else None


def _nearest(candidates: list[str], word: str, limit: int) -> dict[str, int]:
    """Each of ``candidates`` within ``limit`` letters of ``word`` -> how many letters off."""
    found = extract(word, candidates, scorer=DamerauLevenshtein.distance, score_cutoff=limit, limit=None)
    return {choice: int(distance) for choice, distance, _ in found}


_VOWELS = frozenset("aeiouy")
_KEYS = {k: (row, col + (0, 0.25, 0.75)[row]) for row, keys in enumerate(("qwertyuiop", "asdfghjkl", "zxcvbnm"))
         for col, k in enumerate(keys)}  # each key's row and place across, as a keyboard staggers them


def _beside(a: str, b: str) -> bool:
    """Keys ``a`` and ``b`` touch on a keyboard ("d": s, f, e, r, x, c)."""
    if a not in _KEYS or b not in _KEYS:
        return False
    (ra, xa), (rb, xb) = _KEYS[a], _KEYS[b]
    return ra == rb and abs(xa - xb) == 1 or abs(ra - rb) == 1 and abs(xa - xb) <= 0.75


def slipped(typed: str, word: str) -> bool:
    """``typed`` is ``word`` with one slip of the keyboard: two letters swapped ("recieve"), a vowel
    for another ("guarentee") or a key for the one beside it, a letter doubled or left single
    ("accomodation"), or a letter left out or added in a word of six letters or more ("goverment").
    "serde" is no slip for "serve" (d and v are far apart)."""
    if len(typed) == len(word):
        diff = [i for i in range(len(word)) if typed[i] != word[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            return typed[diff[0]] == word[diff[1]] and typed[diff[1]] == word[diff[0]]
        if len(diff) != 1:
            return False
        a, b = typed[diff[0]], word[diff[0]]
        return a in _VOWELS and b in _VOWELS or _beside(a, b)
    longer, shorter = (typed, word) if len(typed) > len(word) else (word, typed)
    if len(longer) != len(shorter) + 1:
        return False
    at = next((i for i in range(len(shorter)) if longer[i] != shorter[i]), len(shorter))
    if longer[at + 1:] != shorter[at:]:
        return False
    doubled = at > 0 and longer[at] == longer[at - 1] or at + 1 < len(longer) and longer[at] == longer[at + 1]
    return doubled or len(shorter) >= 6


def _written_as(conn: Connection, term: str) -> str | None:
    """The word a passage writes that the keyword index holds as ``term`` (its most common form)."""
    rows = conn.execute(text("SELECT text FROM chunks_fts WHERE chunks_fts MATCH :q LIMIT 5"),
                        {"q": f'"{term}"*'}).all()  # a prefix: the query's term is stemmed again
    words = list(dict.fromkeys(w.lower() for (t,) in rows for w in LETTERS.findall(t)))
    forms = Counter(w for w, stems in zip(words, index_terms(words), strict=True) if stems == [term])
    return forms.most_common(1)[0][0] if forms else None


def table_words(tables: Any) -> TableWords:
    """The words of the tables' names, columns and text cells (kept until the next write)."""
    return tables.store.remembered(("respell", "words"), lambda: _read_table_words(tables))


def _read_table_words(tables: Any) -> TableWords:
    every: set[str] = set()
    lower: set[str] = set()  # words some cell writes in lower case
    capital: set[str] = set()  # words a short cell begins with a capital
    people: set[str] = set()  # words of the cells of columns that name people
    leading: set[str] = set()  # words a short cell begins with, with a capital
    for info in tables.list():
        every.update(_CELL_WORD.findall(info.name.replace("_", " ").lower()))
        for c in info.columns:
            every.update(_CELL_WORD.findall(c.name.replace("_", " ").lower()))
        if not info.rows or len(every) > TABLE_WORDS_KEPT:
            continue
        for column, value in _text_cells(tables.store, info):
            words = _CELL_WORD.findall(value.replace("\u2019", "'"))
            every.update(w.lower() for w in words)
            if not _ADDRESS.search(value):  # "chloe.dixon@…" writes no name in lower case
                lower.update(w for w in words if w.islower())
            if len(words) <= SHORT_CELL:
                capital.update(w.lower() for w in words if w[0].isupper())
                leading.update(w.lower() for w in words[:1] if w[0].isupper())
                if PERSON.search(column.lower()):
                    people.update(w.lower() for w in words if w[0].isupper())
    return TableWords(frozenset(every), frozenset(capital - lower), frozenset(people - lower),
                      frozenset(leading - lower))


def _text_cells(store: Any, info: Any) -> list[tuple[str, str]]:
    """(column, value) for the distinct values of ``info``'s text columns, in one query (a very
    large table's first ones)."""
    names = [info.columns[i].name for i in text_places(info.columns)]
    if not names:
        return []
    cells = " UNION ".join(f"SELECT DISTINCT {i} AS c, {quote_ident(n)} AS v FROM {quote_ident(info.name)}"
                           for i, n in enumerate(names))
    return [(names[c], v) for c, v in store.cursor().execute(
        f"SELECT c, v FROM ({cells}) WHERE v IS NOT NULL LIMIT 50000").fetchall()]
