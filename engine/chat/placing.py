"""A row said in words, placed in the columns of the table the request names in words.

"add a row to the guest list: Hollie Grant, bride side, rsvp yes, table 6" names the table
``guest_list`` as a person says it, and gives values as people write them: a part that holds
a word of a column's name goes to that column ("rsvp yes", "table 6", "bride side", "6 kg"),
a yes/no column is said by its name or with "not" ("fragile", "not fragile"), and the other
parts fill the remaining columns in the table's order, each in the first column of a type that
can hold it. The result is a proposal, shown with its columns before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from .intents import _ASK, _NUMBER, _PAIR, _ROWS, SAY, Proposal, _unquote, values
from .words import DATE_PARTS, stem

Columns = list[tuple[str, str]]  # (name, DuckDB type)

_ADD_TO_NAMED = re.compile(
    _ASK + r"(?:add|insert|append|put)\s+(?:" + _ROWS + r")?(?:to|into|in)\s+(?:the\s+|my\s+|our\s+)?"
    r"(?P<name>[A-Za-z][\w'-]*(?:\s+[A-Za-z][\w'-]*){0,3}?)(?:\s+table)?\s*(?::|—|\s-\s|\bwith\b)\s*"
    r"(?P<vals>\S.*?)\s*[.!]?\s*$", re.IGNORECASE | re.DOTALL)
_NOT = re.compile(r"^(?:not|no|non|isn'?t|is\s+not)[\s-]+(?P<rest>.+)$", re.IGNORECASE)
_PARTS = re.compile(r"\s*(?:,|;)\s*")
# Parts of a column's name too common to say which column a value is for ("table_no", "box_no").
_VAGUE = frozenset("no nr num id is the of a".split())
_NUMERIC = ("INT", "DOUBLE", "DECIMAL", "FLOAT", "REAL", "NUMERIC", "HUGEINT")
_AMOUNT = re.compile(_NUMBER.pattern + r"\s*%?")  # a number, as a row's value may be written ("12%")


def named_row(question: str, tables: Callable[[], list[tuple[str, Columns]]]) -> list[Proposal]:
    """add_rows for a request to add a row to a table named in words (see the module's text);
    [] when the request names no one table, so the other readings of the request are tried."""
    m = _ADD_TO_NAMED.search(question)
    if not m:
        return []
    found = table_named(m["name"], tables())
    if found is None:
        return []
    name, columns = found
    rows, unread = values(m["vals"])
    if rows and not unread:
        return [("add_rows", {"table": name, "rows": rows})]
    parts = [p for p in _PARTS.split(m["vals"].strip()) if p.strip()]
    if len(parts) == 1 and len(columns) > 2 and len(parts[0].split()) > 3 and not _PAIR.match(parts[0]):
        names = ", ".join(c for c, _ in columns)  # a sentence: which of its words go where is not said
        return [(SAY, {"text": f"I could not tell which part of “{parts[0]}” goes in which column of {name}. "
                               f"Give the values separated by commas, in the order {names}, or write column = "
                               "value for each."})]
    placed = place(parts, columns)
    if isinstance(placed, str):
        return [(SAY, {"text": placed})]
    return [("add_rows", {"table": name, "rows": [placed]})]


def table_named(said: str, tables: list[tuple[str, Columns]]) -> tuple[str, Columns] | None:
    """The one table whose name begins with the words said ("guest list" → guest_list; "packing
    inventory" → packing_inventory), by their stems; the table whose name has no more words
    than said wins over longer ones ("moving budget" → moving_budget, not moving_budget_v1)."""
    words = [stem(w) for w in re.split(r"[\s_]+", said.strip().lower().replace("'s", "")) if w]
    matches = [(name, cols) for name, cols in tables if _name_words(name)[: len(words)] == words]
    exact = [t for t in matches if len(_name_words(t[0])) == len(words)]
    chosen = exact or matches or [(name, cols) for name, cols in tables if _within(words, _name_words(name))]
    return chosen[0] if len(chosen) == 1 else None


def _within(words: list[str], name: list[str]) -> bool:
    """Whether ``words`` (two or more) come together in a table's name: "maintenance log" of
    equipment_maintenance_log."""
    n = len(words)
    return n >= 2 and any(name[i:i + n] == words for i in range(1, len(name) - n + 1))


def _name_words(name: str) -> list[str]:
    return [stem(p) for p in name.lower().split("_") if p]


def place(parts: list[str], columns: Columns, today: dt.date | None = None) -> dict[str, str] | str:
    """One row of ``parts`` in ``columns`` (see the module's text), or a sentence saying which
    part found no column. "today", "yesterday" and "tomorrow" are dates (from ``today``); a
    number column takes the number of "£75" or "3.4 kg"."""
    row: dict[str, str] = {}
    loose = []
    for part in (_dated(p.strip(), today) for p in parts if p.strip()):
        named = _named_part(part, [c for c in columns if c[0] not in row])
        if named:
            row[named[0]] = named[1]
        else:
            loose.append(part)
    for part in loose:
        column = next((c for c, kind in columns if c not in row and _holds(kind, part)), None)
        if column is None:
            names = ", ".join(c for c, _ in columns)
            return (f"I could not place “{part}” in a column of the table (its columns: {names}). Write each "
                    "value as column = value, separated by commas.")
        row[column] = part
    kinds = dict(columns)
    return {c: _amount(row[c]) if kinds[c].upper().startswith(_NUMERIC) else row[c] for c, _ in columns if c in row}


_DAYS = {"today": 0, "yesterday": -1, "tomorrow": 1}


def _dated(part: str, today: dt.date | None) -> str:
    """``part`` with a day said in words as its date ("today": 2026-11-24)."""
    shift = _DAYS.get(part.lower())
    return part if shift is None else ((today or dt.date.today()) + dt.timedelta(days=shift)).isoformat()


def _amount(value: str) -> str:
    """The number of a value written with its currency or unit ("£1,075" -> "1075", "3.4 kg" -> "3.4")."""
    m = _NUMBER.search(value)
    return re.sub(r"[£$€,]", "", m.group(0)) if m else value


def _named_part(part: str, columns: Columns) -> tuple[str, str] | None:
    """(column, value) when ``part`` names a column: as column = value; a yes/no column by its
    name, with or without "not"; another column by a word of its name at the part's start or end."""
    pair = _PAIR.match(part)
    key = re.sub(r"\W+", "_", _unquote(pair["k"]).lower()).strip("_") if pair else ""
    if pair and (column := next((c for c, _ in columns if c.lower() == key), None)):
        return column, _unquote(pair["v"])
    negated = _NOT.match(part)
    said = negated["rest"] if negated else part
    for column, kind in columns:
        if kind == "BOOLEAN" and _words(said) == _column_words(column):
            return column, "no" if negated else "yes"
    words = part.split()
    if len(words) < 2:
        return None
    for word, rest in ((words[0], words[1:]), (words[-1], words[:-1])):
        named = [(c, kind) for c, kind in columns if stem(word) in _column_words(c)]
        if len(named) == 1:
            while len(rest) > 1 and stem(rest[0]) in _column_words(named[0][0]):
                rest = rest[1:]  # "weighed by Mrs H" of weighed_by: Mrs H
            if _holds(named[0][1], " ".join(rest)):
                return named[0][0], " ".join(rest)
    return None


def _words(text: str) -> list[str]:
    return [stem(w) for w in re.split(r"[\s_-]+", text.lower()) if w]


def _column_words(column: str) -> list[str]:
    return [stem(p) for p in column.lower().split("_") if p and p not in _VAGUE and p not in DATE_PARTS]


def _holds(kind: str, value: str) -> bool:
    """Whether a column of DuckDB type ``kind`` can hold ``value`` as said."""
    kind = kind.upper()
    if kind.startswith(_NUMERIC):
        return bool(_AMOUNT.fullmatch(value.strip()))
    if kind == "BOOLEAN":
        return value.strip().lower() in ("yes", "no", "true", "false", "y", "n")
    if kind.startswith(("DATE", "TIMESTAMP")):
        return bool(_DATE_SAID.search(value)) and len(value.split()) <= 4  # "10C" is no date
    return True


_DATE_SAID = re.compile(r"^\s*(?:\d{4}-\d\d-\d\d|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b|"
                        r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b)",
                        re.IGNORECASE)
