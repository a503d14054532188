"""Questions that add up a memory table: "how much did we spend on groceries in January?", "how
many repairs did the car have in 2025?", "what is the average price of the books?".

Such a question becomes a read-only query (the ``query`` action, tier 1: it runs at once, and
the answer shows what was added up, the result, and the SQL on the action's card); one for each
table that could answer it, when there are several. It is planned
only when every content word of the question is accounted for: the table (by its name, or by a
value of one of its text columns), the column to add up (by its name, close in meaning, or the
money column for "spend" and "cost"), the values to keep, a month or a year of a date column,
and words about sums and counts. A word left over ("at Lidl" when no row says Lidl) leaves the
question to the files, so nothing is added up over the wrong rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..tables.domain import ROW_FIELDS, load_catalog
from ..tables.mentions import fold, folded, words_in
from ..tables.names import quote_ident
from ..tables.values import NUMERIC_TYPES
from .words import (
    COLUMN_MEANING,
    TABLE_WORDS,
    column_words,
    content_words,
    spelled_out,
    spoken,
    stem,
    table_noun,
    terms,
)

EmbedFn = Callable[[list[str]], np.ndarray]

# Which operation; the first that matches wins ("the average total" is an average).
_OPS = (("avg", re.compile(r"\b(?:average|mean|on average|typical(?:ly)?)\b")),
        ("max", re.compile(r"\b(?:most expensive|dearest|highest|largest|biggest|greatest|maximum|longest)\b")),
        ("min", re.compile(r"\b(?:cheapest|least expensive|lowest|smallest|minimum|shortest)\b")),
        # "who paid the most?", "which shop did we spend the most at?": the rows grouped, the top groups
        ("top", re.compile(r"\b(?:who|which)\b.*\bthe (?:most|least|fewest)\b")),
        ("count", re.compile(r"\b(?:how many|number of|count)\b")),
        ("sum", re.compile(r"\b(?:total|sum|altogether|in all|overall|how much)\b")),
        ("list", re.compile(r"\b(?:list|show|which|what)\b")))  # the rows, only with a comparison (below)
# Money, spent or taken in ("revenue", "sales" and "income" must still be accounted for by a
# column or table of that name: they are not operation words).
_MONEY = re.compile(r"\b(?:spen[dt]|spending|costs?|paid|pay|paying|price|charged?|money|expensive|dearest|"
                    r"cheapest|revenues?|sales|income|earn(?:ed|t|ings)?|turnover|takings)\b")
# Text columns that name who did something: "who paid the most?" groups by paid_by.
_PERSON = re.compile(r"(?:^|_)(?:by|who|name|names|person|people|owner|payer|customer|client|member|user|author|"
                     r"buyer|seller|driver|brewer)(?:_|$)")
_MONTHLY = re.compile(r"\b(?:monthly|per month|a month|each month|every month)\b")
_COMPOUND = re.compile(r"\b[^\W_]+(?:-[^\W_]+)+\b")  # "e-bikes", "x-ray"
_MOST_OF = re.compile(r"\bthe (?:most|least|fewest) (\w+)")  # "the most repairs": counted
_TOP_OF = re.compile(r"\b(?:who|which (\w+))\b")
_OP_WORDS = content_words("average mean typical typically total sum altogether overall much many number count "
                          "spend spent spending cost costs paid pay paying price charge charged money did do "
                          "have has had so far times go went been visit visited most expensive dearest highest largest "
                          "biggest greatest maximum longest cheapest least fewest lowest smallest minimum shortest "
                          "one ever")
_MONTHS = ("january february march april may june july august september october november december").split()
# Whole month names; "may", and short names ("Jan" may be a person, "mar" a verb), only after a
# word that makes them a month ("in May", "for Feb") or before a year ("Sept 2025").
_SHORT_MONTHS = "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
_MONTH = re.compile(r"\b(?:(" + "|".join(m for m in _MONTHS if m != "may")
                    + rf")|(?:in|of|since|during|until|for|last|this|next) (may|{_SHORT_MONTHS})\.?"
                    + rf"|({_SHORT_MONTHS})\.?(?= (?:19|20)\d\d\b))\b")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_RELATIVE = re.compile(r"\b(this|last) (year|month)\b")  # counted from today
_DATE_NAME = re.compile(r"(?:^|_)(?:date|day|when)(?:_|$)")  # due_date, not updated_at
# A number per something (a unit price, an hourly rate, a fee per person): averaged or compared,
# never added up unless named.
_RATE_NAME = re.compile(r"(?:^|_)(?:unit|per|rate|hourly|each|avg|average)(?:_|$)")
# Money spent: a table named for money taken in (sales, income) does not answer it.
_SPENDING = re.compile(r"\b(?:spen[dt]|spending|expenses?|expenditures?)\b")
_INCOME_NAME = re.compile(r"(?:^|_)(?:sales?|revenues?|income|earnings?|takings|turnover|sold)(?:_|$)")
_NOT_MEASURES = re.compile(r"(?:^|_)(?:id|year|month|day|no|number|code|zip|postcode|phone)$")
# A column not named for money is the money column when this close to "amount of money" or "price":
# "fee" 0.60, "amount eur" 0.59; not "quantity" 0.57, "value" 0.56, "total" 0.53, "km" 0.36.
MONEY_MEANING = 0.58
_MONEY_NAME = re.compile(r"(?:^|_)(?:amount|cost|costs|price|prices|paid|fee|fees|spend|spent|eur|euro|euros|usd|"
                         r"gbp|chf|dollars?|expense|expenses|charge|charges)(?:_|$)")
# A date column the money of a period is counted by: one that says when it was spent or taken
# ("date", "paid_on", "month"), not when something renews, falls due or expires.
_NOT_SPENT = re.compile(r"(?:^|_)(?:due|deadline|renew|renews|renewal|renewed|expires|expiry|expiration|birth|"
                        r"birthday|start|starts|end|ends|next|until|valid|created|updated|modified)(?:_|$)")
LIST_ROWS = 50  # rows a list answer reads (the answer shows the first 20 and says how many more)
VALUE_CELL = 60  # text cells this short can be values to filter on (longer ones are prose)
# Verbs that name the rows of a table called by their noun: "how many litres did we sell" is
# about the sales table, "what did we buy" about purchases. (Meaning alone does not tell them:
# "sold" and "sales" are 0.37 apart in the model, below any column's bar.)
_EVENT_VERBS = {stem(v): {stem(n), stem(n + "s")} for n, verbs in (("sale", "sell sells selling sold"),
                                                                   ("purchase", "buy buys buying bought"),
                                                                   ("expense", "spend spends spending spent"),
                                                                   ("payment", "pay pays paying paid"))
                for v in verbs.split()}


_HOW_MANY = re.compile(r"\b(?:how many|number of)\s+(\w+)(?:\s+(\w+))?(?:\s+(\w+))?")
# A unit as a column's name ends in it and as a question says it: each spelling to one name.
_UNIT_OF = {spelled: unit for unit, spellings in (
    ("km", "km kms kilometre kilometres kilometer kilometers"), ("mi", "mi mile miles"),
    ("min", "min mins minute minutes"), ("h", "h hr hrs hour hours"), ("kcal", "kcal cal calorie calories"),
    ("kg", "kg kgs kilo kilos kilogram kilograms"), ("l", "l litre litres liter liters"))
    for spelled in spellings.split()}


# "over 50 euros", "more than 10 km", "under €20": one numeric column compared with a number.
_COMPARE_SQL = {"over": ">", "above": ">", "more than": ">", "greater than": ">", "longer than": ">",
                "higher than": ">", "bigger than": ">", "larger than": ">", "more expensive than": ">",
                "at least": ">=", "under": "<", "below": "<", "less than": "<", "shorter than": "<",
                "lower than": "<", "smaller than": "<", "cheaper than": "<", "at most": "<="}
_COMPARE_WORDS = {">": "over", ">=": "at least", "<": "under", "<=": "at most"}
_COMPARE = re.compile(r"\b(" + "|".join(sorted(_COMPARE_SQL, key=len, reverse=True)) + r")\s+"
                      r"([€$£]?)\s?(\d+(?:\.\d+)?)(?:\s*([a-z€$£]+))?")
_CURRENCY = frozenset("€ $ £ eur euro euros usd dollar dollars gbp pound pounds chf francs".split())


@dataclass(frozen=True)
class Comparison:
    """What a question compares a column with: ``sql`` (">", "<=" …), ``number``, the unit said
    after it ("euros", "km"; None when none), and the question's words it accounts for."""

    said: str
    sql: str
    number: float
    unit: str | None
    words: frozenset[str]
    span: tuple[int, int] = (0, 0)  # where the question says it ("over 2000" is no year)


def comparison(lowered: str) -> Comparison | None:
    """The comparison a question makes ("expenses over 50 euros"), or None."""
    m = _COMPARE.search(lowered)
    if m is None:
        return None
    after = m.group(4)
    unit = "€" if m.group(2) else after if after in _CURRENCY or after in _UNIT_OF else None
    end = m.end(4) if unit and not m.group(2) else m.end(3)
    return Comparison(m.group(1), _COMPARE_SQL[m.group(1)], float(m.group(3)), unit,
                      frozenset(content_words(lowered[m.start():end]) | {stem(w) for w in m.group(1).split()}),
                      (m.start(), end))


@dataclass
class Where:
    """Which rows a question means: the values it says (``filters``), those it says "not" of
    (``excluded``), a month or year of the ``dated`` column, and a comparison with a number."""

    filters: dict[str, list[str]]
    excluded: dict[str, list[str]] = field(default_factory=dict)
    dated: str | None = None
    period: Period = field(default_factory=lambda: Period())
    compare: tuple[str, Comparison] | None = None

    def clauses(self) -> tuple[str, str]:
        """`` WHERE …`` (or "") and the same in words (`` where category is groceries``, or "")."""
        where, said = [], []
        for (values, negated) in ((self.filters, False), (self.excluded, True)):
            for c, vs in values.items():
                where.append(f"{folded(quote_ident(c))} {'NOT IN' if negated else 'IN'} "
                             f"({', '.join(_literal(fold(v)) for v in vs)})")
                said.append(f"{spoken(c)} is {'not ' if negated else ''}{' or '.join(vs)}")
        if self.compare is not None:
            column, cmp = self.compare
            where.append(f"{quote_ident(column)} {cmp.sql} {cmp.number!r}")
            said.append(f"{spoken(column)} is {_COMPARE_WORDS[cmp.sql]} {cmp.number:g}")
        if self.dated is not None:
            where += self.period.sql(self.dated)
            said.append(f"{spoken(self.dated)} is {self.period.said()}")
        return (f" WHERE {' AND '.join(where)}" if where else "", f" where {' and '.join(said)}" if said else "")


@dataclass
class Plan:
    """One read-only query that answers the question, and a sentence saying what it adds up."""

    table: str
    sql: str
    about: str
    filters: dict[str, list[str]] = field(default_factory=dict)


def operation(question: str) -> str | None:
    """``"sum"``, ``"avg"`` or ``"count"`` when the question asks for one, else None."""
    lowered = question.lower()
    return next((op for op, pattern in _OPS if pattern.search(lowered)), None)


def plans(question: str, tables: Any, embed: EmbedFn | None = None,
          pieces: Callable[[list[str]], list[int]] | None = None) -> list[Plan]:
    """The queries that answer ``question``, one for each of ``tables`` (a ``Tables``) that could.
    Several tables that could ("how much did we spend in January?" over expenses and car repairs)
    are each added up, not one guessed; the person's own tables come before the catalog's (rows
    Grace filled from documents). With ``pieces`` (the model's word pieces of each word), a word
    its vocabulary lacks may be a table's value misspelt ("groseries")."""
    op = operation(question)
    lowered = question.lower()
    if op is None or (op == "list" and comparison(lowered) is None and not re.search(_NOT, lowered)):
        return []  # "which tank was batch 24-007 in?" is a look-up, not a list
    unknown = [w for w in terms(lowered, pieces) if len(w) >= MISSPELT_LETTERS] if pieces else []
    found = [p for info in tables.list() if info.rows
             if (p := _plan_table(op, _respelled(tables.store, info, lowered, unknown), info, tables.store,
                                  embed)) is not None]
    return [p for p in found if p.table not in load_catalog()] or found


MISSPELT_LETTERS = 5  # shorter words are too often another word one letter off ("cafe", "cake")


def _respelled(store: Any, info: Any, lowered: str, unknown: list[str]) -> str:
    """``lowered`` with each of the ``unknown`` words read as the one-word value of a text column
    it misspells ("groseries": groceries): one letter off (or two letters swapped) in a word of up
    to 7 letters, two in a longer one, and only when a single value is that close."""
    for word in unknown:
        limit = 1 if len(word) < 8 else 2
        close: set[str] = set()
        for c in (c for c in info.columns if c.type == "VARCHAR"):
            cell = f"lower({quote_ident(c.name)})"
            close |= {v for (v,) in store.cursor().execute(
                f"SELECT DISTINCT {cell} FROM {quote_ident(info.name)} WHERE length({cell}) BETWEEN ? AND ? "
                f"AND damerau_levenshtein({cell}, ?) <= ? LIMIT 3", [len(word) - limit, len(word) + limit, word,
                                                                     limit]).fetchall() if v.isalpha()}
        if len(close) == 1 and word not in close:
            lowered = re.sub(rf"\b{re.escape(word)}\b", close.pop(), lowered)
    return lowered


def _plan_table(op: str, lowered: str, info: Any, store: Any, embed: EmbedFn | None) -> Plan | None:
    if _SPENDING.search(lowered) and _INCOME_NAME.search(info.name.lower()):
        return None  # "how much did we spend?" is not the bike sales
    words = content_words(lowered)
    name_words = content_words(info.name.replace("_", " "))
    verbs = {w for w in words if table_noun(info.name) in _EVENT_VERBS.get(w, ())}  # "sell": sales
    # named: every word of its name, or the last one ("the most expensive repair": car_repairs), or its verb
    named = bool(name_words) and (name_words <= words or table_noun(info.name) in words or bool(verbs))
    filters = _values(store, info, lowered)
    excluded = _negated(filters, lowered)  # "the invoices not paid": status is not paid
    compared = comparison(lowered)
    a, b = compared.span if compared else (0, 0)
    period = _period(lowered[:a] + " " * (b - a) + lowered[b:])
    dated = _date_column(info.columns, lowered) if period else None
    if period and dated is None:
        return None
    # Money over a period needs no table named ("how much did we spend in January?") when the
    # date says when the money was spent: not a subscription's "renews"
    spent = dated is not None and op != "count" and _MONEY.search(lowered) and _spent_date(dated)
    grouped = _group_column(lowered, info.columns) if op == "top" else None
    if op == "top" and grouped is None:
        return None
    # "which shop …", "who paid …" name their column, and so its table
    by_column = grouped is not None and (grouped[1] != "who" or bool(column_words(grouped[0], lowered) & words))
    if not (named or filters or excluded or spent or by_column):
        return None
    # a hyphenated word counts whole: "e-bikes" is not "bikes" unless a value says it
    said_values = {stem(v.lower()) for values in (filters, excluded) for vs in values.values() for v in vs}
    words |= {c for c in _COMPOUND.findall(lowered) if stem(c) not in said_values}
    accounted = name_words | verbs | _OP_WORDS | TABLE_WORDS | period.words | content_words(" ".join(
        v for values in (filters, excluded) for vs in values.values() for v in vs)).union(
        *(column_words(c.name, lowered) for c in info.columns))
    accounted |= compared.words if compared else set()
    accounted |= _NOT_WORDS if excluded else set()
    accounted |= content_words(grouped[1]) if grouped else set()
    monthly = _MONTHLY.search(lowered) if op == "avg" else None  # "the average monthly grocery spend"
    by_month = _date_column(info.columns, lowered) if monthly else None
    if monthly and by_month is None:
        return None
    accounted |= content_words(monthly.group(0)) if monthly else set()
    # "which customer brought the most repairs?": the rows of each group counted, not a column added up
    most = _MOST_OF.search(lowered) if op == "top" else None
    most_rows = most is not None and stem(most.group(1)) == table_noun(info.name)
    if most is not None and most_rows and (top := _TOP_OF.search(lowered)) is not None:
        accounted |= content_words(lowered[top.end():most.start()])  # and the verb between: "brought in", "had"
    measures, meant = ([], set()) if op == "list" or most_rows else _measure(
        op, lowered, words - accounted, info.columns, embed, named, name_words)
    if (op not in ("count", "list") and not measures and not most_rows) or words - accounted - meant:
        return None
    if len(measures) > 1 and op not in ("sum", "avg") or monthly and len(measures) > 1:
        return None  # "who paid the most?" with labour and parts: which total is meant is not said
    measure = measures[0] if len(measures) == 1 else None
    against = _compared_column(compared, measure, info.columns, lowered, embed) if compared else None
    if compared and against is None:
        return None
    if measures and op == "count":
        op = "sum"  # "how many km did I run": the km added up
    rows = Where(filters, excluded, dated, period, (against, compared) if against and compared else None)
    if op == "top":
        assert grouped is not None
        return _top(info.name, grouped[0], measure, not re.search(r"\b(?:least|fewest)\b", lowered), rows)
    if op == "avg" and monthly and measure is not None:
        return _monthly(info.name, by_month, measure, rows)
    return _build(op, info, measures, rows)


def _group_column(lowered: str, columns: Sequence[Any]) -> tuple[str, str] | None:
    """The text column "who" or "which X" groups by, and the question's word for it: a column
    that names people for "who" (paid_by, owner), the column called X for "which X" ("which
    client"), or "month" for the months of the only date column."""
    said = _TOP_OF.search(lowered)
    if said is None:
        return None
    texts = [c.name for c in columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS]
    if said.group(1) is None:  # who
        people = [t for t in texts if _PERSON.search(t.lower())]
        return (people[0], "who") if len(people) == 1 else None
    word = stem(said.group(1))
    if word == stem("month") and (dated := _date_column(columns)) is not None:
        return f"strftime({quote_ident(dated)}, '%Y-%m')", said.group(1)
    named = [t for t in texts if word in content_words(t.replace("_", " "))]
    return (named[0], said.group(1)) if len(named) == 1 else None


def _measures(columns: Sequence[Any]) -> list[str]:
    """The number columns that can be added up or compared (not ids, years or phone numbers)."""
    return [c.name for c in columns if c.type.upper().startswith(NUMERIC_TYPES) and not _NOT_MEASURES.search(c.name)
            and c.name not in ROW_FIELDS]


def _compared_column(compared: Comparison, measure: str | None, columns: Sequence[Any], lowered: str,
                     embed: EmbedFn | None) -> str | None:
    """The numeric column a comparison is about: the money column for euros, the column named for a
    unit ("more than 10 km": distance_km), else the column added up, else a table's only number."""
    numeric = _measures(columns)
    if compared.unit in _CURRENCY and embed is not None:
        return _money_column(numeric, embed, lowered)
    if compared.unit:
        found = _counted_unit(f"how many {compared.unit}", numeric)
        return found[0] if found else None
    if measure is not None:
        return measure
    if _MONEY.search(lowered) and embed is not None:
        return _money_column(numeric, embed, lowered)
    return numeric[0] if len(numeric) == 1 else None


@dataclass
class Period:
    """The months and years a question says (either may be empty), or a ``span`` of months that
    crosses a year ("from November 2024 to February 2025": first day in, first day out), and the
    question's words for it."""

    months: list[int] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    span: tuple[dt.date, dt.date] | None = None
    words: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.months or self.years or self.span)

    def sql(self, column: str) -> list[str]:
        if self.span is not None:
            return [f"{quote_ident(column)} >= DATE '{self.span[0]}'", f"{quote_ident(column)} < DATE '{self.span[1]}'"]
        clauses = [f"month({quote_ident(column)}) IN ({', '.join(map(str, self.months))})"] if self.months else []
        return clauses + ([f"year({quote_ident(column)}) IN ({', '.join(map(str, self.years))})"]
                          if self.years else [])

    def said(self) -> str:
        """"in March", "in February to April 2025", "from November 2024 to February 2025"."""
        if self.span is not None:
            last = self.span[1] - dt.timedelta(days=1)
            return f"from {self.span[0]:%B %Y} to {last:%B %Y}"
        run = _run_of(self.months)
        months = (f"from {_MONTHS[run[0] - 1].title()} to {_MONTHS[run[-1] - 1].title()}" if run
                  else "in " + " or ".join(_MONTHS[m - 1].title() for m in self.months))
        years = " or ".join(map(str, self.years))
        return f"{months} {years}" if self.months and years else months if self.months else f"in {years}"


def _run_of(months: list[int]) -> list[int]:
    """``months`` in calendar order when they are three or more in a row (November to February
    too), else []."""
    if len(months) < 3:
        return []
    for first in months:
        run = [(first - 1 + i) % 12 + 1 for i in range(len(months))]
        if set(run) == set(months):
            return run
    return []


_MONTH_WORD = rf"({'|'.join(_MONTHS)}|{_SHORT_MONTHS})\.?"
# "between February and April", "from Nov 2024 to Feb 2025", "March–May": every month from one to the other
_RANGE = re.compile(rf"\b(?:between |from )?{_MONTH_WORD}(?: ((?:19|20)\d\d))?\s*(?:and|to|through|thru|till|until|"
                    rf"-|–|—)\s*{_MONTH_WORD}(?: ((?:19|20)\d\d))?\b")
# "Q1", "the first quarter", "the second half of 2025"
_PART = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th|last) (quarter|half))\b")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _month_number(word: str) -> int:
    return next(i for i, name in enumerate(_MONTHS, 1) if name.startswith(word))


def _months_between(first: int, last: int) -> list[int]:
    return [(first - 1 + i) % 12 + 1 for i in range((last - first) % 12 + 1)]


def _range(lowered: str) -> tuple[Period, str]:
    """The range of months ``lowered`` says, and ``lowered`` with it blanked out."""
    m = _RANGE.search(lowered)
    part = _PART.search(lowered) if m is None else None
    if m is None and (part is None or part.group(2) == "last"):
        return Period(), lowered
    match = m or part
    assert match is not None
    blanked = lowered[:match.start()] + " " * (match.end() - match.start()) + lowered[match.end():]
    words = content_words(match.group(0))
    if m is None:
        assert part is not None
        months = _part_months(part)
        return (Period(months, words=words), blanked) if months else (Period(), lowered)
    first, last = _month_number(m.group(1)), _month_number(m.group(3))
    start_year, end_year = (int(m.group(2)) if m.group(2) else None), (int(m.group(4)) if m.group(4) else None)
    end_year = end_year or start_year
    if end_year is not None and (start_year is not None and start_year != end_year or first > last):
        start_year = start_year or end_year - 1
        end = dt.date(end_year + last // 12, last % 12 + 1, 1)
        return Period(span=(dt.date(start_year, first, 1), end), words=words), blanked
    return Period(_months_between(first, last), [end_year] if end_year else [], words=words), blanked


def _part_months(part: re.Match[str]) -> list[int]:
    """The months of "Q2", "the third quarter", "the first half" ([] for "the third half")."""
    n = int(part.group(1)) if part.group(1) else _ORDINALS[part.group(2)]
    size = 6 if part.group(3) == "half" else 3
    return list(range((n - 1) * size + 1, n * size + 1)) if n * size <= 12 else []


def _period(lowered: str, today: dt.date | None = None) -> Period:
    """The months and years the question says, and their words; "this year", "last month" and
    the like count from ``today``."""
    ranged, lowered = _range(lowered)
    said = [a or b or c for a, b, c in _MONTH.findall(lowered)]
    years = [int(y) for y in _YEAR.findall(lowered)]
    months = set(ranged.months) | {_month_number(m) for m in said}
    words = ranged.words | content_words(" ".join(said + [str(y) for y in years]))
    if relative := _RELATIVE.search(lowered):
        today = today or dt.date.today()
        back = 0 if relative.group(1) == "this" else 1
        if relative.group(2) == "year":
            years.append(today.year - back)
        else:
            month = today.month - back or 12
            months.add(month)
            years.append(today.year - (month > today.month))
        words |= content_words(relative.group(0)) | {relative.group(1)}
    if ranged.span is not None:
        return Period(span=ranged.span, words=words)
    return Period(sorted(months, key=_calendar_order(ranged.months)), sorted(set(ranged.years + years)), words=words)


def _calendar_order(run: list[int]) -> Callable[[int], int]:
    """Sorts months as the range said them (November, December, January), others after."""
    return lambda m: run.index(m) if m in run else 12 + m


_NOT = (r"(?:\bnot|n[’']t|\bnever|\bexcluding|\bexcept(?:\s+for)?|\bother than|\bapart from|\bleaving out)"
        r"(?:\s+(?:been|be|yet|fully|all|at|the))*\s+")
_NOT_WORDS = content_words("not never been be yet fully all haven hasn isn aren wasn weren don doesn didn excluding "
                           "except other apart leaving")


def _negated(filters: dict[str, list[str]], lowered: str) -> dict[str, list[str]]:
    """The values the question says "not" of ("not paid", "haven't been paid"), taken out of
    ``filters`` (which keeps the rest) and returned by column."""
    out: dict[str, list[str]] = {}
    for column, values in list(filters.items()):
        negated = [v for v in values if re.search(_NOT + re.escape(v.lower()) + r"\b", lowered)]
        if negated:
            out[column] = negated
            filters[column] = [v for v in values if v not in negated]
            if not filters[column]:
                del filters[column]
    return out


def _other_numbers(lowered: str) -> str:
    """``lowered`` followed by the other number of each of its words ("grocery" -> "groceries",
    "runs" -> "run"), so a value is found whether the question says it in the singular or plural."""
    forms = []
    for word in re.findall(r"[a-z]{3,}", lowered):
        if word.endswith("ies"):
            forms.append(word[:-3] + "y")
        elif word.endswith("s") and not word.endswith("ss"):
            forms.append(word[:-1])
        elif word.endswith("y"):
            forms.append(word[:-1] + "ies")
        else:
            forms.append(word + "s")
    return lowered + " | " + " ".join(forms)


def _values(store: Any, info: Any, lowered: str) -> dict[str, list[str]]:
    """Text columns' values that the question says as whole words (in the singular or the plural):
    ``{column: [values]}``."""
    lowered = fold(_other_numbers(lowered))
    out: dict[str, list[str]] = {}
    for c in info.columns:
        if c.type != "VARCHAR":
            continue
        cell = folded(quote_ident(c.name))
        rows = store.cursor().execute(
            f"SELECT min({quote_ident(c.name)}) FROM {quote_ident(info.name)} WHERE length({cell}) "
            f"BETWEEN 3 AND {VALUE_CELL} AND strpos(?, {cell}) > 0 GROUP BY {cell} LIMIT 50", [lowered]).fetchall()
        said = [v for (v,) in rows if words_in(fold(v), lowered)]
        # "car repairs" and "repairs" both said: the longer one is meant
        said = [v for v in said if not any(v != o and words_in(fold(v), fold(o)) for o in said)]
        if said:
            out[c.name] = said
    return out


def _measure(op: str, lowered: str, open_words: set[str], columns: Sequence[Any],
             embed: EmbedFn | None, named: bool, name_words: set[str]) -> tuple[list[str], set[str]]:
    """The numeric column to add up (or, for money of several columns, each of them), and the
    question's words it accounts for: said by name, close in meaning to a word, the money column
    for money words, or a named table's only one. A rate (unit price, fee per person) is added up
    only when named."""
    numeric = _measures(columns)
    if not numeric:
        return [], set()
    for name in numeric:  # said by name: "the km", "total cost", "original gravity" for og
        if content_words(name.replace("_", " ")) <= content_words(lowered) or spelled_out(name, lowered):
            return [name], set()
    if op == "count" and (counted := _counted_unit(lowered, numeric)):  # "how many km": distance_km added up
        return [counted[0]], counted[1]  # with the unit's word, which the name may spell otherwise ("kilometres")
    addable = [n for n in numeric if op not in ("sum", "top", "count") or not _RATE_NAME.search(n.lower())]
    if _MONEY.search(lowered) and any(_MONEY_NAME.search(n.lower()) for n in numeric) and not any(
            _MONEY_NAME.search(n.lower()) for n in addable):
        return [], set()  # the table's money is a unit cost: "how much did we pay" is not its quantities
    said = content_words(lowered) - _OP_WORDS - TABLE_WORDS - name_words
    partly = [n for n in addable if content_words(n.replace("_", " ")) & said]
    if len(partly) > 1 and _MONEY.search(lowered):  # "the labour charge": labour_chf, not labour_hours
        partly = [n for n in partly if _MONEY_NAME.search(n.lower())]
    if op != "count" and len(partly) == 1:  # the only one of which a word is said: "revenue" for revenue_gbp
        return partly, set()
    if named and len(addable) == 1 and op != "count":  # "the total of the expenses"
        return addable, set()
    if embed is None or not addable:
        return [], set()
    asked = sorted(open_words)
    if asked:
        vectors = embed(asked + [n.replace("_", " ") for n in addable])
        sims = vectors[:len(asked)] @ vectors[len(asked):].T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[i, j] >= COLUMN_MEANING:
            return [addable[j]], {asked[i]}
    if op != "count" and _MONEY.search(lowered):
        return _money_columns(addable, embed), set()
    return [], set()


def _counted_unit(lowered: str, numeric: list[str]) -> tuple[str, set[str]] | None:
    """The one column whose name ends in the unit that "how many" counts, and the unit's word: "how
    many km did I run" is distance_km, "how many minutes of yoga" duration_min; not "how many runs"."""
    said = _HOW_MANY.search(lowered)
    if said is None:
        return None
    def unit(word: str) -> str:
        return _UNIT_OF.get(word, stem(word))

    for word in (w for w in said.groups() if w):  # "how many volunteer hours": hours_2025
        counted = unit(word)
        found = ([n for n in numeric if "_" in n and unit(n.lower().rsplit("_", 1)[-1]) == counted]
                 or [n for n in numeric if "_" in n and counted in {unit(p) for p in n.lower().split("_")}])
        if found:
            return (found[0], {stem(word)}) if len(found) == 1 else None
    return None


MONEY_COLUMNS = 3  # a table with more columns of money than this is not added up without one named


def _money_columns(numeric: list[str], embed: EmbedFn) -> list[str]:
    """The columns of sums of money: those named so (amount, cost, price_eur; several are each
    added up, not one guessed), else the one closest in meaning to "amount of money" or "price"
    when close enough."""
    named = [n for n in numeric if _MONEY_NAME.search(n.lower())]
    if named:
        return named if len(named) <= MONEY_COLUMNS else []
    vectors = embed(["amount of money", "price"] + [n.replace("_", " ") for n in numeric])
    sims = (vectors[2:] @ vectors[:2].T).max(axis=1)
    return [numeric[int(np.argmax(sims))]] if float(sims.max()) >= MONEY_MEANING else []


def _money_column(numeric: list[str], embed: EmbedFn, lowered: str) -> str | None:
    """The one column of sums of money (``_money_columns``), or of several the one a word of
    ``lowered`` names ("parts cost": parts_chf); else None."""
    found = _money_columns(numeric, embed)
    named = [n for n in found if content_words(n.replace("_", " ")) & content_words(lowered)]
    return found[0] if len(found) == 1 else named[0] if len(named) == 1 else None


def _date_column(columns: Sequence[Any], lowered: str = "") -> str | None:
    """The date column a month or year is about: the only one, or the only one called a date; of
    several ("issue_date", "due_date"), the one whose own word the question says ("due in April"),
    else the only one that says when a thing happened rather than falls due ("invoiced in April"),
    else the first of those (intake_date before pickup_date; the answer names the one used)."""
    dates = [c.name for c in columns if c.type.upper().startswith(("DATE", "TIMESTAMP")) and c.name not in ROW_FIELDS]
    named = [d for d in dates if _DATE_NAME.search(d.lower())]
    if len(named) == 1 or len(dates) == 1:
        return (named or dates)[0]
    candidates = named or dates
    said = content_words(lowered)
    own_word = [d for d in candidates if (content_words(d.replace("_", " ")) - {stem("date")}) & said]
    if len(own_word) == 1:
        return own_word[0]
    spent = [d for d in candidates if _spent_date(d)]  # intake_date and pickup_date: the first (the answer says it)
    return (spent or candidates)[0] if candidates else None


def _spent_date(name: str) -> bool:
    """Whether a date column says when money was spent or taken: "date", "paid_on", "month";
    not "renews", "due_date"."""
    return not _NOT_SPENT.search(name.lower())


def _top(table: str, group: str, measure: str | None, most: bool, rows: Where) -> Plan:
    """The groups with the largest (or smallest) totals of ``measure`` (or the most rows, with
    none), three of them: "who paid the most?", "which customer brought the most repairs?"."""
    where, said = rows.clauses()
    key = group if group.startswith("strftime(") else quote_ident(group)
    shown = "month" if group.startswith("strftime(") else group
    total = f"round(sum({quote_ident(measure)}), 2) AS {quote_ident('total_' + measure)}, " if measure else ""
    sql = (f"SELECT {key} AS {quote_ident(shown)}, {total}count(*) AS rows FROM {quote_ident(table)}{where}"
           f" GROUP BY 1 ORDER BY 2 {'DESC' if most else 'ASC'} NULLS LAST LIMIT 3")
    order = ("largest" if most else "smallest") if measure else ("most" if most else "fewest")
    doing = f"Adding up {spoken(measure)} in" if measure else "Counting the rows of"
    about = f"{doing} {table} by {spoken(shown)}{said}, {order} first:"
    return Plan(table, sql, about, rows.filters)


def _monthly(table: str, by_month: str | None, measure: str, rows: Where) -> Plan:
    """The average of each month's total: "what is our average monthly grocery spend?"."""
    where, said = rows.clauses()
    inner = (f"SELECT strftime({quote_ident(str(by_month))}, '%Y-%m') AS month, sum({quote_ident(measure)}) AS total "
             f"FROM {quote_ident(table)}{where} GROUP BY 1")
    sql = (f"SELECT round(avg(total), 2) AS {quote_ident(f'monthly_average_{measure}')}, count(*) AS months "
           f"FROM ({inner})")
    return Plan(table, sql, f"Averaging the monthly totals of {spoken(measure)} in {table}{said}:", rows.filters)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _build(op: str, info: Any, measures: list[str], rows: Where) -> Plan:
    table = info.name
    measure = measures[0] if measures else None
    where, said = rows.clauses()
    order = ""
    if op == "list":  # the rows themselves: "list the expenses over 50 euros"
        select = ", ".join(quote_ident(c.name) for c in info.columns if c.name not in ROW_FIELDS)
        order, doing = f" LIMIT {LIST_ROWS}", f"The rows of {table}"
    elif op == "count" or measure is None:
        select, doing = "count(*) AS rows", f"Counting the rows of {table}"
    elif op in ("max", "min"):  # the row itself: "what was the most expensive repair?"
        select = ", ".join(quote_ident(c.name) for c in info.columns if c.name not in ROW_FIELDS)
        order = f" ORDER BY {quote_ident(measure)} {'DESC' if op == 'max' else 'ASC'} NULLS LAST LIMIT 1"
        doing = f"The row of {table} with the {'highest' if op == 'max' else 'lowest'} {spoken(measure)}"
    else:  # each of several money columns on its own: "how much did we charge?" with labour and parts
        fn, alias, verb = {"sum": ("sum", "total", "Adding up"), "avg": ("avg", "average", "Averaging")}[op]
        select = ", ".join(f"round({fn}({quote_ident(m)}), 2) AS {quote_ident(f'{alias}_{m}')}" for m in measures)
        select += ", count(*) AS rows"
        doing = f"{verb} {' and '.join(spoken(m) for m in measures)} in {table}"
    sql = f"SELECT {select} FROM {quote_ident(table)}{where}{order}"
    return Plan(table, sql, f"{doing}{said}:", rows.filters)
