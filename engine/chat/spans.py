"""Numbers a table holds that no numeric column gives, read as if it had them:

- the time between two time columns of a row: a visit's arrived and left, a shift's start and
  end. No column holds it, so "how long do the carers usually stay?" and "how many hours did Joy
  work in October?" had nothing to add up; a table with one such pair of columns is read as if it
  also had the minutes (and hours) each row lasted;
- a column of marks or amounts kept as text because a few cells say something else ("absent",
  "abs", "16 (late)"): read as its numbers, the other cells left out;
- a column of a word and a number ("Grade 5", "Grade 7", "Initial"), compared by the number after
  that word when the question says them together ("grade 5 or above")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..tables.names import quote_ident
from .words import content_words, is_time_unit

# The pair's names: what begins a row's time, and what ends it
_START = re.compile(r"(?:^|_)(?:arrived|arrival|arrive|arrives|start|starts|started|begin|begins|began|from|in|"
                    r"checked_in|clock_in|clocked_in|time_in)(?:_|$)")
_END = re.compile(r"(?:^|_)(?:left|leave|leaves|departed|departure|end|ends|ended|finish|finishes|finished|to|"
                  r"until|out|checked_out|clock_out|clocked_out|time_out)(?:_|$)")
_TIME_TEXT = r"^\s*\d{1,2}[:.]\d{2}\s*$"  # "08:00", "8.05": times kept as text
# The measures a span gives, each the name a question's words find it by ("how many hours")
MINUTES, HOURS = "minutes", "hours"
# A question about how long rows lasted: these words ask for the span
SAID = re.compile(r"\bhow long\b|\b(?:longest|shortest|duration|length|stay|stays|stayed|staying|hours|hrs|"
                  r"minutes|mins)\b")
WORDS = content_words("how long longest shortest duration length stay stays stayed staying hours hrs minutes mins "
                      "there actually")


@dataclass(frozen=True)
class Span:
    start: str
    end: str
    text: bool  # the times are kept as text ("08:00"), not as TIME values

    def minutes_sql(self) -> str:
        """SQL of the minutes from start to end (past midnight when the end is earlier)."""
        a, b = (self._time(c) for c in (self.start, self.end))
        return f"((date_diff('minute', {a}, {b}) + 1440) % 1440)"

    def _time(self, column: str) -> str:
        if not self.text:
            return f"{quote_ident(column)}::TIME"
        return f"try_strptime(replace(trim({quote_ident(column)}), '.', ':'), '%H:%M')::TIME"

    def columns_sql(self) -> str:
        """The rows' minutes and hours, as columns to select besides the table's own."""
        return f", {self.minutes_sql()} AS {quote_ident(MINUTES)}, {quote_ident(MINUTES)} / 60 AS {quote_ident(HOURS)}"


def derived_from(table: str, span: Span | None, numbered: list[str], labels: dict[str, str] | None = None) -> str:
    """FROM the table with the ``span``'s minutes and hours added and the ``numbered`` text
    columns read as their numbers (the number after a column's word in ``labels``: "Grade 5"),
    in place of FROM the table."""
    def number(c: str) -> str:
        label = (labels or {}).get(c)
        pattern = f"(?i)\\b{re.escape(label)}\\s*" if label else "^\\s*"
        return f"TRY_CAST(regexp_extract({quote_ident(c)}, '{pattern}(-?\\d+(?:\\.\\d+)?)', 1) AS DOUBLE)"
    replaced = ", ".join(f"{number(c)} AS {quote_ident(c)}" for c in numbered)
    star = f"* REPLACE ({replaced})" if replaced else "*"
    return f"FROM (SELECT {star}{span.columns_sql() if span else ''} FROM {quote_ident(table)}) AS {quote_ident(table)}"


# A cell that is a number, perhaps with a note after it ("16 (late)", "12 kg"); not a time ("08:00")
_NUMBER_CELL = r"^\s*-?\d+(?:\.\d+)?(?:\s*\([^)]*\)|\s+[^\W\d_]+|\s*%)?\s*$"  # not a code: "10C"
NUMBERED_SHARE = 0.7  # of a text column's cells, this share or more numbers: the rest say why one is missing
_OTHER_CELL = 20  # and those others are short ("absent", "n/a"), not prose
# or half of them numbers and the rest words for nothing there: "n/a (warranty)", "tbc"; a rota's
# day off ("off", "hol", "a/l") says the same of a shift
ABSENT_CELL = (r"^\s*(?:n/?a|tbc|tba|tbd|none|nil|unknown|pending|absent|closed|sick|hol|holiday|off|day off|"
               r"leave|a/l|al|x|rest|-|–|—|\?)\.?\s*(?:\([^)]*\))?\s*$")


def numbered(store: Any, info: Any) -> dict[str, str]:
    """The text columns of a table whose cells are nearly all numbers, each with one of its other
    cells ("absent"), kept until the next write."""
    def read() -> dict[str, str]:
        out = {}
        for c in (c for c in info.columns if c.type.upper() == "VARCHAR"):
            column = quote_ident(c.name)
            held, numbers, longest, other, absent = store.cursor().execute(
                f"SELECT count({column}), count(*) FILTER (WHERE regexp_matches({column}, ?)), "
                f"max(length({column})) FILTER (WHERE NOT regexp_matches({column}, ?)), "
                f"min({column}) FILTER (WHERE NOT regexp_matches({column}, ?)), "
                f"count(*) FILTER (WHERE regexp_matches(lower({column}), ?)) FROM {quote_ident(info.name)}",
                [_NUMBER_CELL] * 3 + [ABSENT_CELL]).fetchone()
            if numbers >= 3 and (numbers >= NUMBERED_SHARE * held or numbers >= held / 2 and numbers + absent == held) \
                    and (longest or 0) <= _OTHER_CELL:
                out[c.name] = other or ""
        return out

    return store.remembered(("numbered", info.name), read)


# A cell that is a word and a number: "Grade 5", "Level 3", "Band 6"
_LABELLED_CELL = r"^\s*([^\W\d_]{2,})\s*(\d+)\s*$"


def labelled(store: Any, info: Any) -> dict[str, tuple[str, str]]:
    """The text columns most of whose cells are one word and a number ("Grade 5", "Grade 7",
    "Initial"), each with that word (lower case) and one of its other cells; kept until the next write."""
    def read() -> dict[str, tuple[str, str]]:
        out = {}
        for c in (c for c in info.columns if c.type.upper() == "VARCHAR"):
            column = quote_ident(c.name)
            rows = store.cursor().execute(
                f"SELECT lower(regexp_extract({column}, ?, 1)) AS label, count(*) FROM {quote_ident(info.name)} "
                f"WHERE {column} IS NOT NULL GROUP BY label ORDER BY count(*) DESC", [_LABELLED_CELL]).fetchall()
            held = sum(n for _, n in rows)
            label, most = next(((w, n) for w, n in rows if w), ("", 0))
            if most >= 3 and most >= held / 2:
                other = store.cursor().execute(
                    f"SELECT min({column}) FROM {quote_ident(info.name)} WHERE NOT regexp_matches({column}, ?)",
                    [_LABELLED_CELL]).fetchone()[0]
                out[c.name] = (label, other or "")
        return out

    return store.remembered(("labelled", info.name), read)


def span_of(store: Any, info: Any) -> Span | None:
    """The one pair of time columns of a table, one named as a start and one as an end, and whose
    every value is a time; None when it has no such pair, several, or a column named for minutes or
    hours ("hrs"), which says how long itself."""
    names = {c.name.lower() for c in info.columns}
    if any(len(p) > 1 and is_time_unit(p) or p == "duration" for n in names for p in n.split("_")):  # "hrs" kept
        return None

    def timed(c: Any) -> bool | None:
        """True for times kept as text, False for TIME or TIMESTAMP values, None for neither."""
        kind = c.type.upper()
        if kind in ("TIME", "TIMESTAMP"):
            return False
        if kind != "VARCHAR":
            return None
        column = quote_ident(c.name)
        held, times = store.cursor().execute(
            f"SELECT count({column}), count(*) FILTER (WHERE regexp_matches({column}, ?)) "
            f"FROM {quote_ident(info.name)}", [_TIME_TEXT]).fetchone()
        return True if held and held == times else None

    starts = [c for c in info.columns if _START.search(c.name.lower())]
    ends = [c for c in info.columns if _END.search(c.name.lower()) and c not in starts]
    if len(starts) != 1 or len(ends) != 1:
        return None
    kinds = (timed(starts[0]), timed(ends[0]))
    if None in kinds or kinds[0] != kinds[1]:
        return None
    return Span(starts[0].name, ends[0].name, bool(kinds[0]))


def spanned(store: Any, info: Any) -> Span | None:
    """``span_of`` the table, kept until the next write."""
    return store.remembered(("span", info.name), lambda: span_of(store, info))
