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
import functools
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np

from ..search import STOPWORDS
from ..tables.domain import ROW_FIELDS, load_catalog
from ..tables.mentions import fold, folded, kept_rows, text_places, words_in
from ..tables.model import WHOLE_TYPES
from ..tables.names import quote_ident, quote_literal
from ..tables.values import NUMERIC_TYPES
from .mentioned import REMARKS_NAME, Mention, mentioned, searchable, widened
from .spans import ABSENT_CELL, HOURS, MINUTES, Span, derived_from, labelled, numbered, spanned
from .spans import SAID as SPAN_SAID
from .spans import WORDS as SPAN_WORDS
from .ticks import as_flags, flag_sql, ticked
from .words import (
    COLUMN_MEANING,
    DATE_PARTS,
    LETTERS,
    MONTHS,
    NOW,
    QUESTION_WORDS,
    SHORT_MONTHS,
    TABLE_WORDS,
    UNIT_OF,
    WEEKDAYS,
    YEAR,
    column_words,
    content_words,
    day_of_column,
    is_time_unit,
    private,
    private_unasked,
    short_for,
    spelled_out,
    spoken,
    stem,
    table_noun,
    terms,
    weekday_words,
)

EmbedFn = Callable[[list[str]], np.ndarray]

# Which operation; the first that matches wins ("the average total" is an average).
# When, as a superlative: the row of the latest (or earliest) date ("who moved in most recently?")
# "the last MOT" is the latest; "the last month", "the last three visits" are periods and counts
_LAST = (r"\bthe last (?!(?:week|weekend|month|year|quarter|day|night|time|few|couple|\d+|two|three|four|five|six|"
         r"seven|eight|nine|ten|twelve)\b)")
# "when did Tomasz last come?", "when was the boiler last serviced?": the latest row's date
_LAST_WHEN = r"\bwhen (?:did|was|were|has|have|had|is|are)\b.*\blast\b(?! (?:week|weekend|month|year|night|time)\b)"
# "the balance at the end of october": the last row of that month
_END_OF = (r"\b(?:at|by) the (?:very )?end of (?:the |last |this )?(?:month|year|week|quarter|q[1-4]|"
           rf"{'|'.join(MONTHS)}|{SHORT_MONTHS})\b")
# "whats the bank balance": the latest row's (not "the balance on invoice 39", "the balance of the deposit")
_BALANCE_NOW = r"^\s*what(?:'s|’s|s| is)\s+(?:the |my |our )?(?:bank |account |current )?balance\s*\??\s*$"
_LATEST = re.compile(rf"\b(?:most recent(?:ly)?|latest|newest)\b|{_LAST}|{_LAST_WHEN}|{_END_OF}|{_BALANCE_NOW}")
# "whens my next shoot": the earliest row from today on (not "next week", "next May": periods)
_NEXT = (r"\b(?:my|our|the|his|her|their|your|its) next (?!(?:week|weekend|month|year|quarter|day|time|few|couple|"
         rf"\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|{'|'.join(MONTHS)}|{SHORT_MONTHS})\b)")
_NEXT_ONE = re.compile(_NEXT)
# "what weddings have i got coming up": the rows from today on
_AHEAD = re.compile(r"\b(?:coming up|upcoming|still to come|yet to come|in the future|from now on)\b")
# "when did we first pick tomatoes": the earliest row's date (not "the first quarter", "first aid")
_FIRST_WHEN = r"\bwhen (?:did|was|were|has|have|had|is|are)\b.*\bfirst\b(?! (?:quarter|half|time|aid)\b)"
_EARLIEST = re.compile(rf"\b(?:earliest|least recent(?:ly)?)\b|{_NEXT}|{_FIRST_WHEN}")
_OPS = (("avg", re.compile(r"\b(?:average|avg|mean|on average|typical(?:ly)?|usually|normally)\b")),
        ("max", re.compile(r"\b(?:most expensive|dearest|highest|largest|biggest|greatest|maximum|max|peak|longest|"
                           r"farthest|furthest|"
                           r"heaviest|tallest|warmest|hottest|most recent(?:ly)?|latest|newest|youngest|"
                           r"(?:top|best) (?:marks?|scores?|results?)|best (?:day|week|month|year)|"
                           r"(?:the )?most (?:i|we|you|they|he|she|anyone|someone) (?:\w+ )?(?:paid|spent|paid out|"
                           r"charged|got|made|took|earned))\b"
                           + "|" + _LAST + "|" + _LAST_WHEN + "|" + _END_OF + "|" + _BALANCE_NOW)),
        ("min", re.compile(r"\b(?:cheapest|least expensive|lowest|smallest|minimum|shortest|lightest|earliest|oldest|"
                           r"coldest|coolest|"
                           r"worst (?:day|week|month|year)|"
                           r"nearest|closest|"
                           r"least recent(?:ly)?)\b|" + _NEXT + "|" + _FIRST_WHEN)),
        # "who paid the most?", "which shop did we spend the most at?": the rows grouped, the top groups
        ("top", re.compile(r"\b(?:who(?:['’]?s)?|which|what \w+)\b.*\bthe (?:most|least|fewest)\b")),
        # "number of" counts ("the number of bookings"), unless it names a field ("phone number of Jakub")
        ("count", re.compile(r"\b(?:how many|count)\b|(?:^|\b(?:the|a|total|what|whats|what's|is|was|give|me)\s+)"
                             r"number of\b")),
        ("sum", re.compile(r"\b(?:total|sum|altogether|in all|overall|how much|add(?:s|ed)? up|come to)\b|"
                           r"\bwhat (?:did|do|does|have|has|had) \w+(?: \w+){0,2} "
                           r"(?:spen[dt]|pa(?:y|id)|earn(?:ed|t)?|ma[dk]e|cost|"
                           r"take|took|taken|raised?|bring|brought)\b")),  # "what did we spend in March?"
        # the rows, only with a comparison (below); "do i owe priya anything": the rows not paid
        ("list", re.compile(r"\b(?:list|show|which|what|whats|whos?)\b|"
                            r"\b(?:do|does|did|have)\s+(?:i|we)\s+(?:still\s+)?owe\b")))
# Money, spent or taken in ("revenue", "sales" and "income" must still be accounted for by a
# column or table of that name: they are not operation words).
MONEY = re.compile(r"\b(?:spen[dt]|spending|expenses?|expenditures?|"
                   r"costs?|paid|pay|paying|price|charged?|money|expensive|dearest|worth|"
                   r"collect(?:ed|ing)?|"
                    r"cheapest|revenues?|sales|income|earn(?:ed|t|ings)?|turnover|takings|fees?|"
                    r"take|took|taken|make|made|received?|receiving|(?:bring|brought|came|come|coming) in|"
                    r"invoiced?|invoicing|bill|billed|billing|budget(?:s|ed)?|quoted?|quotation|owe[sd]?|owing|outstanding)\b")
# Text columns that name who did something: "who paid the most?" groups by paid_by.
PERSON = re.compile(r"(?:^|_)(?:by|who|name|names|person|people|owner|payer|customer|client|member|user|author|"
                    r"buyer|seller|driver|brewer|teacher|student|tutor|employee|staff|trainer|coach|patient|"
                    r"volunteer|guest|actor|actress|performer|player|vet|nurse|doctor|director|contact|lead|tenant|"
                    r"landlord|resident|carer|caregiver|helper|worker|assignee|attendee|participant|pupil|child|manager|agent|"
                    r"cleaner|sender|recipient|speaker|host|winner|surname|forename|first_name|last_name)(?:_|$)")
# Sayings that ask nothing of their own: "what do the unpaid invoices add up to?", "how much has
# Priya paid out of her own pocket?" (what she paid)
_SAYINGS = re.compile(r"\badd(?:s|ed)? up\b|\bcomes? to\b|\bin full\b|"
                      r"\b(?:out of|from) (?:my|his|her|their|our|your) own pockets?\b")
_MONTHLY = re.compile(r"\b(?:monthly|per month|a month|each month|every month)\b")
_COMPOUND = re.compile(r"\b[^\W_]+(?:-[^\W_]+)+\b")  # "e-bikes", "x-ray"
_MOST_OF = re.compile(r"\bthe (?:most|least|fewest) (\w+)")  # "the most repairs": counted
_TOP_OF = re.compile(r"\b(?:who(?:['’]?s)?|(?:which|what) (\w+))\b")  # "what crop gave us the most"
_OP_WORDS = content_words("average avg mean typical typically total sum altogether overall much many number count "
                          "spend spent spending cost costs paid pay paying price charge charged money did do "
                          "take took taken receive received bring brought came come work worked "
                          "bill billed still during throughout everything worth last collected "
                          "usually normally have has had so far times go went been visit visited most expensive off "
                          "dearest highest largest top best worst "
                          "biggest greatest maximum max peak longest cheapest least fewest lowest smallest minimum "
                          "shortest one single ever recent recently latest newest earliest across oldest youngest "
                          "nearest closest farthest furthest warmest hottest coldest coolest end first "
                          "business")  # "business miles" of a sole trader's mileage log: its every row
# Who did it, said of no one in particular: "how much did people donate?" (but "how many people
# came?" counts people, which a table's rows need not be)
_ANYONE = content_words("people anyone everyone someone")
# Whole month names; "may", and short names ("Jan" may be a person, "mar" a verb), only after a
# word that makes them a month ("in May", "for Feb") or before a year ("Sept 2025").
_MONTH = re.compile(r"\b(?:(" + "|".join(m for m in MONTHS if m != "may")
                    + rf")|(?:in|of|since|during|until|for|last|this|next) (may|{SHORT_MONTHS})\.?"
                    + rf"|({SHORT_MONTHS})\.?(?= (?:19|20)\d\d\b))\b")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_RELATIVE = re.compile(r"\b(this|last) (year|month)\b")  # counted from today
_RELATIVE_WEEK = re.compile(r"\b(this|last) week\b")
# "this term", "last term": a school term, counted from today
_RELATIVE_TERM = re.compile(r"\b(this|last) term\b")
_TERM_STARTS = (1, 4, 9)  # spring from January, summer from April (Easter), autumn from September
# "on a saturday", "on saturdays", "saturdays": the rows of that day of the week
_ON_WEEKDAY = re.compile(r"\b(?:on\s+(?:a\s+)?)?(" + "|".join(WEEKDAYS) + r")s?\b")
_DATE_NAME = re.compile(r"(?:^|_)(?:date|day|when)(?:_|$)")  # due_date, not updated_at
# A number per something (a unit price, an hourly rate, a fee per person): averaged or compared,
# never added up unless named.
# A running count (a meter's reading, an odometer): its values add up to nothing ("how much gas did
# flat a use" is the rise between two readings, not their sum)
_RUNNING_NAME = re.compile(r"(?:^|_)(?:readings?|odometer|mileage|meter|counter)(?:_|$)")
_RATE_NAME = re.compile(r"(?:^|_)(?:unit|per|rate|hourly|each|avg|average|pcm|pw|pa)(?:_|$)")  # rent_pcm: a month's
# Money spent: a table named for money taken in (sales, income) does not answer it.
_SPENDING = re.compile(r"\b(?:spen[dt]|spending|expenses?|expenditures?|cost (?:me|us))\b")
_INCOME_NAME = re.compile(r"(?:^|_)(?:sales?|revenues?|income|earnings?|takings|turnover|sold|gross)(?:_|$)")
# A bound, not an amount: "how many students" is not the sum of max_students (not "min": minutes).
_BOUND_NAME = re.compile(r"(?:^|_)(?:max|maximum|minimum|limit|capacity|target|quota)(?:_|$)")
# A number that names one of a kind of thing, not an amount of it: court 3, floor 2, lane 5 (the
# whole name: cost_per_term is an amount)
_LABEL_NAME = re.compile(r"^(?:court|floor|lane|room|table|seat|pitch|bay|desk|locker|bed|ward|gate|platform|"
                         r"flat|unit|week|quarter|term|round|rank|grade|version|team|group|hole|heat|stage|set)$")
_NOT_MEASURES = re.compile(r"(?:^|_)(?:id|year|month|day|no|number|code|zip|postcode|phone)$")
# A column not named for money is the money column when this close to "amount of money" or "price":
# "fee" 0.60, "amount eur" 0.59; not "quantity" 0.57, "value" 0.56, "total" 0.53, "km" 0.36.
MONEY_MEANING = 0.58
_PAYMENT_WORDS = content_words("payment payments transaction transactions")
MONEY_NAME = re.compile(r"(?:^|_)(?:amount|cost|costs|price|prices|paid|fee|fees|spend|spent|eur|euro|euros|usd|"
                         r"gbp|chf|dollars?|expense|expenses|charge|charges|gross|revenue|revenues|takings|"
                         r"income|sales|turnover|money|debits?|credits?|withdrawals?|deposits?|value|valuation)(?:_|$)")
# A bank statement's two columns of money: out (spent) and in (received). A question that says
# which way the money went adds up that one ("how much did we spend at Tesco": money_out).
_OUT_NAME = re.compile(r"(?:^|_)(?:out|outgoings?|debits?|withdrawals?|spent|paid_out)(?:_|$)")
_IN_NAME = re.compile(r"(?:^|_)(?:in|incoming|credits?|deposits?|received|paid_in)(?:_|$)")
_MONEY_OUT = re.compile(r"\b(?:spen[dt]|spending|expenses?|expenditures?|"
                        r"cost|costs|bought|buy|paid (?:for|out)|pay for|outgoings|"
                        r"went out|go(?:es)? out|"
                        r"(?:i|we|i've|we've|ive|weve) (?:\w+ )?(?:paid|pay)(?! (?:in|me|us)\b))\b")  # "have i paid X"
_MONEY_IN = re.compile(r"\b(?:(?:came|come|comes|coming) in|received?|receiving|collect(?:ed|ing)?|earn(?:ed|t)?|"
                       r"income|paid in|got paid|deposited|salary|wages|pa(?:y|id) (?:me|us)|"
                       # "how much did sumup pay out": another's payout is money in
                       r"(?:did|does|has|have)\s+(?!(?:i|we|you)\b)[\w&'-]+(?:\s+[\w&'-]+)?\s+pa(?:y|id)\s+out)\b")
# A date column the money of a period is counted by: one that says when it was spent or taken
# ("date", "paid_on", "month"), not when something renews, falls due or expires.
_NOT_SPENT = re.compile(r"(?:^|_)(?:due|deadline|renew|renews|renewal|renewed|expires|expiry|expiration|birth|"
                        r"birthday|start|starts|end|ends|next|until|valid|created|updated|modified|move|moved)(?:_|$)")
LIST_ROWS = 50  # rows a list answer reads (the answer shows the first 20 and says how many more)
VALUE_CELL = 60  # text cells this short can be values to filter on (longer ones are prose)
# Verbs that name the rows of a table called by their noun: "how many litres did we sell" is
# about the sales table, "what did we buy" about purchases. (Meaning alone does not tell them:
# "sold" and "sales" are 0.37 apart in the model, below any column's bar.)
_VISITS = ("visit", "come comes coming came visit visits visiting visited")
# Of several tables that could answer, the visits' for "came" (not blood-pressure readings taken
# by the same person); money verbs leave each table that could answer ("spend at Lidl": expenses, gifts)
_VISIT_VERBS = content_words(_VISITS[1])
_DRIVES = "drive drives driving drove driven"  # "how many miles did i drive": the mileage log's, a journey's
_SPENDS = "buy buys buying bought spend spends spending spent"  # "what did i buy yesterday": a card statement's rows
_PICKS = "pick picks picking picked harvest harvests harvesting harvested produce produces produced yield yielded gave"


def _verbs_of(nouns: tuple[tuple[str, str], ...]) -> dict[str, set[str]]:
    """Each verb's stem -> the stems of the nouns (singular and plural) whose rows it names."""
    out: dict[str, set[str]] = {}
    for noun, verbs in nouns:
        for verb in verbs.split():
            out.setdefault(stem(verb), set()).update({stem(noun), stem(noun + "s")})
    return out


_EVENT_VERBS = _verbs_of((("sale", "sell sells selling sold"), ("purchase", "buy buys buying bought"),
                          ("expense", "spend spends spending spent"), ("payment", "pay pays paying paid"),
                          ("donation", "give gives giving gave given donate donates donating donated"), _VISITS,
                          ("mileage", _DRIVES), ("journey", _DRIVES), ("trip", _DRIVES),
                          ("statement", _SPENDS), ("transaction", _SPENDS),
                          ("harvest", _PICKS)))  # "what did we pick yesterday", "what crop gave us the most"


_HOW_MANY = re.compile(r"\b(?:how many|number of)\s+(\w+)(?:\s+(\w+))?(?:\s+(\w+))?")


# "over 50 euros", "more than 10 km", "under €20": one numeric column compared with a number.
_COMPARE_SQL = {"over": ">", "above": ">", "more than": ">", "greater than": ">", "longer than": ">",
                "higher than": ">", "bigger than": ">", "larger than": ">", "more expensive than": ">",
                "at least": ">=", "under": "<", "below": "<", "less than": "<", "shorter than": "<",
                "lower than": "<", "smaller than": "<", "cheaper than": "<", "at most": "<="}
_COMPARE_WORDS = {">": "over", ">=": "at least", "<": "under", "<=": "at most", "=": ""}
_COMPARE = re.compile(r"\b(" + "|".join(sorted(_COMPARE_SQL, key=len, reverse=True)) + r")\s+"
                      r"([€$£]?)\s?(\d+(?:\.\d+)?)(?:\s*([a-z€$£]+))?")
_CURRENCY = frozenset("€ $ £ eur euro euros usd dollar dollars gbp pound pounds chf francs".split())
# Money in several currencies: a text column that says each row's currency (named so, or all its
# values currency codes), whose totals are never added together; and a question's words for one.
_CURRENCY_NAME = re.compile(r"(?:^|_)(?:currency|currencies|ccy|curr)(?:_|$)")
_CURRENCY_CODES = ("CHF", "EUR", "USD", "GBP", "JPY", "CNY", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
                   "HUF", "RON", "BGN", "ISK", "INR", "BRL", "MXN", "ZAR", "TRY", "HKD", "SGD", "KRW", "ILS", "THB",
                   "AED")
_CODE_OF = {word: code for code, words in (("EUR", "eur euro euros €"), ("CHF", "chf franc francs sfr fr."),
                                           ("USD", "usd dollar dollars $"), ("GBP", "gbp pound pounds sterling £"))
            for word in words.split()}
_SAID_CURRENCY = (r"\b(?:(?:swiss|us|british)\s+)?(euros?|eur|francs?|chf|sfr|dollars?|usd|pounds?|gbp|sterling)\b"
                  r"|\bfr\.(?=\s?\d)|[€$£]")


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
    column: str | None = None  # or compared with this column of the same row ("below their reorder level")


_SAID_EQUAL = re.compile(r"\b([a-z]+)\s+(?:no\.?\s*|number\s+|#\s*)?(\d+)\b(?![.,:/-]\d)")


def equal_to(lowered: str, columns: Sequence[Any]) -> Comparison | None:
    """A number said after the name of a number column ("on floor 1", "room 12"): that column
    equal to it; None when no such column is named before a number."""
    for m in _SAID_EQUAL.finditer(lowered):
        named = [n for n in _measures(columns) if stem(m.group(1)) in column_words(n, lowered)]
        # "paper 1" of paper_1_100 names the column, not a value of it
        if len(named) == 1 and not YEAR.fullmatch(m.group(2)) and not _number_named(m.group(1), m.group(2), named[0]):
            return Comparison("", "=", float(m.group(2)), None, frozenset(content_words(m.group(0))), m.span())
    return None


def _number_named(word: str, number: str, column: str) -> bool:
    """Whether ``number`` follows ``word`` in a column's name ("paper 1" of paper_1_100, not
    "effort 4" of effort_1_4, which is its value)."""
    return any(a.startswith(stem(word)) and b == number for a, b in pairwise(column.lower().split("_")))


def _blanked(lowered: str, span: tuple[int, int]) -> str:
    return lowered[:span[0]] + " " * (span[1] - span[0]) + lowered[span[1]:]


def _numbered_names_blanked(lowered: str, columns: Sequence[Any], table: str) -> str:
    """``lowered`` without the numbers that are part of a column's name said with the word before
    them ("paper 1" of paper_1_100), or of the table's code ("9 y3" of t_9_y3_chem_marks): they
    name the column or table, they are no value to keep."""
    def blank(m: re.Match[str]) -> str:
        return " " * len(m.group(0))
    for c in columns:
        for word, number in pairwise(c.name.lower().split("_")):
            if number.isdigit() and word.isalpha():
                lowered = re.sub(rf"\b{re.escape(stem(word))}\w*\s+{number}\b", blank, lowered)
    for a, b in _codes(table):
        lowered = re.sub(rf"\b{a} {re.escape(b)}\b", blank, lowered)
    return lowered


def _codes(table: str) -> list[tuple[str, str]]:
    """The codes in a table's name, as (number, letters) pairs: ("10", "x2") of t_10_x2_gradebook."""
    return [(a, b) for a, b in pairwise(table.lower().split("_"))
            if a.isdigit() and b[:1].isalpha() and len(b) <= 3 and b not in DATE_PARTS]


def _quarter_named(lowered: str, table: str) -> tuple[str, set[str]]:
    """``lowered`` without the quarter a table's name says ("q3" of vat_q3_2026_purchases, whose
    quarter may end in October: not July to September), and "quarter" as a word of its name."""
    quarters = [p for p in table.lower().split("_") if re.fullmatch(r"q[1-4]", p)]
    if not quarters:
        return lowered, set()
    # "the vat quarter": the quarter of the table, whichever word of its name comes before it
    said = rf"\b(?:{'|'.join(quarters)}|(?:(?:{'|'.join(_name_parts(table))})\s+)?quarter)\b"
    return re.sub(said, lambda m: " " * len(m.group()), lowered), _QUARTER_WORDS


_QUARTER_WORDS = content_words("quarter quarterly")


def _name_parts(table: str) -> list[str]:
    return [re.escape(p) for p in table.lower().split("_") if p.isalpha() and len(p) > 1]


def _stray_number(lowered: str, span: tuple[int, int], values: list[str]) -> bool:
    """A number of one digit that neither the comparison at ``span`` nor a value of the query says
    ("on floor 1" with no floor column): the query would drop it, so it makes none. (Longer numbers
    are content words, accounted for or not like any other word.)"""
    rest = fold(_blanked(lowered, span))
    for value in values:
        rest = rest.replace(fold(value), " ")
    return re.search(r"(?<![\w.,])\d(?![\w.,:/-])", rest) is not None


def comparison(lowered: str) -> Comparison | None:
    """The comparison a question makes ("expenses over 50 euros"), or None (``equal_to`` reads "floor 1")."""
    m = _COMPARE.search(lowered)
    if m is None:
        return _or_more(lowered)
    after = m.group(4)
    unit = "€" if m.group(2) else after if after in _CURRENCY or after in UNIT_OF else None
    end = m.end(4) if unit and not m.group(2) else m.end(3)
    return Comparison(m.group(1), _COMPARE_SQL[m.group(1)], float(m.group(3)), unit,
                      frozenset(content_words(lowered[m.start():end]) | {stem(w) for w in m.group(1).split()}),
                      (m.start(), end))


# "a 7 or above", "7 or more", "5+": the number itself counts
_OR_MORE = re.compile(r"\b(?:an?\s+)?([€$£]?)(\d+(?:\.\d+)?)\s*(?:or\s+(?:(above|more|higher|over|better|greater|plus)|"
                      r"(below|less|lower|under|fewer|worse))\b|(\+)(?![\w+]))")


# "below their reorder level", "over budget", "more than the quote": another column of the row
_COMPARE_COLUMN = re.compile(r"\b(" + "|".join(sorted(_COMPARE_SQL, key=len, reverse=True)) + r")\s+"
                             r"(?:(?:the|their|its|his|her|our|my|your)\s+)?([a-z]+(?:[\s_-]+[a-z]+){0,2})")
_COLUMN_TRAIL = content_words("level levels point limit threshold figure amount")


def column_compared(lowered: str, columns: Sequence[Any]) -> Comparison | None:
    """A number column compared with another of the same row: the one whose name the words after
    "below", "over" … say ("items below their reorder level": reorder_at; "lines over budget");
    None when those words name no number column, or more than one."""
    numeric = _measures(columns)
    for m in _COMPARE_COLUMN.finditer(lowered):
        said = m.group(2).split()
        for n in range(len(said), 0, -1):  # the longest run of words that names one column
            words = content_words(" ".join(said[:n]))
            named = [c for c in numeric if words - _COLUMN_TRAIL and words - _COLUMN_TRAIL <= column_words(c, lowered)]
            if len(named) == 1:
                end = m.start(2) + len(" ".join(said[:n]))
                return Comparison(m.group(1), _COMPARE_SQL[m.group(1)], math.nan, None,
                                  frozenset(words | {stem(w) for w in m.group(1).split()}), (m.start(), end), named[0])
    return None


def _or_more(lowered: str) -> Comparison | None:
    m = _OR_MORE.search(lowered)
    if m is None:
        return None
    sql = "<=" if m.group(4) else ">="
    return Comparison(_COMPARE_WORDS[sql], sql, float(m.group(2)), "€" if m.group(1) else None,
                      frozenset(content_words(m.group(0))), m.span())


@dataclass
class Where:
    """Which rows a question means: the values it says (``filters``), those it says "not" of
    (``excluded``), a month or year of the ``dated`` column, and a comparison with a number."""

    filters: dict[str, list[str]]
    excluded: dict[str, list[str]] = field(default_factory=dict)
    dated: str | None = None
    period: Period = field(default_factory=lambda: Period())
    compare: tuple[str, Comparison] | None = None
    blank: tuple[str, bool] | None = None  # a date column empty (True: "not paid yet") or filled in
    outside: str = ""  # the dates the column holds, when the period asked lies outside them
    flags: dict[str, bool] = field(default_factory=dict)  # yes/no columns said: "insured", "not insured"
    ticks: frozenset[str] = frozenset()  # of them, those of ticks kept as text ("Y", "may")
    voided: tuple[str, list[str]] | None = None  # a column's values for rows that do not count ("VOID")
    mention: Mention | None = None  # words a text column's cells hold: "fernox f1" of a description
    partly: list[str] = field(default_factory=list)  # values kept that say a row is part paid ("Part paid")
    through: dt.date | None = None  # today, when ``blank``'s column says until when a row is paid ("paid up to")
    overdue: tuple[str, dt.date] | None = None  # a due date column and today: "overdue" rows fell due before it
    done: tuple[str, dt.date] | None = None  # a date column and today: "have i done" counts rows until today


    def clauses(self) -> tuple[str, str]:
        """`` WHERE …`` (or "") and the same in words (`` where category is groceries``, or "")."""
        where, said = [], []
        for (values, negated) in ((self.filters, False), (self.excluded, True)):
            for c, vs in values.items():
                where.append(f"{folded(quote_ident(c))} {'NOT IN' if negated else 'IN'} "
                             f"({', '.join(quote_literal(fold(v)) for v in vs)})")
                said.append(f"{spoken(c)} is {'not ' if negated else ''}{' or '.join(vs)}")
        if self.compare is not None:
            column, cmp = self.compare
            other = quote_ident(cmp.column) if cmp.column else repr(cmp.number)
            where.append(f"{quote_ident(column)} {cmp.sql} {other}")
            said.append(" ".join(f"{spoken(column)} is {_COMPARE_WORDS[cmp.sql]} "
                                 f"{spoken(cmp.column) if cmp.column else format(cmp.number, 'g')}".split()))
        if self.dated is not None:
            where += self.period.sql(self.dated)
            said.append(f"{spoken(self.dated)} is {self.period.said()}{self.outside}")
        for column, yes in self.flags.items():
            exact = not yes and _REPLY_NAME.search(column.lower())  # "said no": not those who have not replied
            cell = quote_ident(column) if exact else f"coalesce({quote_ident(column)}, false)"
            where.append(flag_sql(column, yes) if column in self.ticks else f"{'' if yes else 'NOT '}{cell}")
            said.append(f"{spoken(column)} is {'yes' if yes else 'no'}")
        if self.voided is not None:  # a blank status counts: only the rows it says are void are left out
            column, void = self.voided
            where.append(f"coalesce({folded(quote_ident(column))}, '') NOT IN "
                         f"({', '.join(quote_literal(fold(v)) for v in void)})")
            said.append(f"{spoken(column)} is not {' or '.join(void)}")
        if self.mention is not None:
            where.append(self.mention.sql())
            said.append(self.mention.said())
        if self.blank is not None and self.through is not None:  # paid up to a day before today: not paid
            column, empty = self.blank
            day = f"DATE '{self.through}'"
            where.append(f"({quote_ident(column)} IS NULL OR {quote_ident(column)} < {day})" if empty
                         else f"{quote_ident(column)} >= {day}")
            said.append(f"{spoken(column)} is " + (f"empty or before {self.through:%d %B %Y}" if empty
                                                   else f"{self.through:%d %B %Y} or later"))
        elif self.blank is not None:
            column, empty = self.blank
            where.append(f"{quote_ident(column)} IS {'' if empty else 'NOT '}NULL")
            said.append(f"{spoken(column)} is {'empty' if empty else 'filled in'}")
        if self.overdue is not None:
            column, today = self.overdue
            where.append(f"{quote_ident(column)} < DATE '{today}'")
            said.append(f"{spoken(column)} is before {today:%d %B %Y}")
        if self.done is not None:
            column, today = self.done
            where.append(f"{quote_ident(column)} <= DATE '{today}'")
            said.append(f"{spoken(column)} is {today:%d %B %Y} or before")
        partly = f" (rows {' or '.join(self.partly)} counted in full)" if self.partly else ""
        return (f" WHERE {' AND '.join(where)}" if where else "",
                f" where {' and '.join(said)}{partly}" if said else "")


@dataclass
class Plan:
    """One read-only query that answers the question, and a sentence saying what it adds up."""

    table: str
    sql: str
    about: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    fit: int = 0  # how closely the question's words pick this table (``_fit``): of several, the closest answer
    outside: bool = False  # the period asked lies wholly outside the table's dates ("in 2023" of 2024's months)
    last: dt.date | None = None  # then, the table's last date
    left_out: list[str] = field(default_factory=list)  # tables of old files that could answer too, left out
    named_for: bool = False  # the period asked is that of the table's name, not of a date column's dates


# "how many ushers do I need", "how many are required", "how many should we have": a number a rule gives
_REQUIRED = re.compile(r"\bhow (?:many|much)\b[^?.]*?(?:\b(?:do|does|did|should|must|would|will|shall)\s+"
                       r"(?:i|we|you|they|it|one|he|she)\s+(?:\w+\s+)?(?:need|require|have to|has to)\b"
                       r"|\b(?:are|is)\s+(?:needed|required)\b|\bshould\s+(?:i|we|you|they)\s+have\b)")


def operation(question: str) -> str | None:
    """``"sum"``, ``"avg"`` or ``"count"`` when the question asks for one, else None."""
    lowered = question.lower()
    found = next((op for op, pattern in _OPS if pattern.search(lowered)), None)
    if found in (None, "list") and any(m.group(1) not in _SPEND_VERB for m in _SPEND_NOUN.finditer(lowered)):
        return "sum"  # "repairs spend on flat c": spend as a noun, the money spent
    return found


_SPEND_NOUN = re.compile(r"\b([\w']+)\s+spend\b")
_SPEND_VERB = frozenset("i we you they he she it did do does to will can would should could might must not "
                        "i'll we'll don't didn't doesn't won't can't let lets usually".split())


def plans(question: str, tables: Any, embed: EmbedFn | None = None,
          pieces: Callable[[list[str]], list[int]] | None = None) -> list[Plan]:
    """The queries that answer ``question``, one for each of ``tables`` (a ``Tables``) that could.
    Several tables that could ("how much did we spend in January?" over expenses and car repairs)
    are each added up, not one guessed; the person's own tables come before the catalog's (rows
    Grace filled from documents). With ``pieces`` (the model's word pieces of each word), a word
    its vocabulary lacks may be a table's value misspelt ("groseries")."""
    op = operation(question)
    lowered = _SHIP.sub(r"\1s", question.lower())  # "membership fees" are the members' fees
    lowered = _PPL.sub("people", _RN.sub("right now", _YR.sub("year", lowered)))  # "this yr", "owed rn", "ppl"
    if _REQUIRED.search(lowered):
        return []  # "how many ushers do I need?" asks what a rule says, not what rows hold
    if op is None or (op == "list" and comparison(lowered) is None and not re.search(_NOT, lowered)
                      and not _unpaid(lowered) and not _OVERDUE.search(lowered) and not _undone(lowered)
                      and not _MISSING.search(lowered)
                      and not _ONGOING.search(lowered) and not _ENDED.search(lowered)
                      and not (_ROWS_ASKED.match(lowered) and _period(lowered)) and not _AHEAD.search(lowered)
                      and not _names_a_flag(lowered, [as_flags(tables.store, i) for i in tables.list()])
                      and not _asks_reply(lowered)
                      and not (_WHO_ARE.match(lowered) and any(_people_columns(info) for info in tables.list()))
                      and not any(equal_to(lowered, info.columns) or _opposed_flags(lowered, info.columns)
                                  or _day_column(lowered, info.columns)  # "whos working sat" of a rota
                                  or column_compared(lowered, info.columns)  # "which are below reorder level"
                                  for info in tables.list())):  # "got effort 4", "still broken"
        return []  # "which tank was batch 24-007 in?" is a look-up, not a list ("which … end in 2025?" is)
    rare = terms(lowered, pieces) if pieces else []  # words the model's vocabulary lacks
    unknown = [w for w in rare if len(w) >= MISSPELT_LETTERS]
    listed = [info for info in tables.list() if info.rows]
    if op == "list" and _asks_reply(lowered) and not _names_a_flag(lowered, listed) and comparison(lowered) is None:
        listed = [info for info in listed if _reply(tables.store, info, lowered)[0]]  # "who can't come": replies
    # capitalised names, and rare words ("tesco" of "TESCO STORES 3041"), may be part of a value
    partial = _partial_names(question) + [w for w in rare if w not in _OP_WORDS]

    firsts = [_first_name_word(info.name) for info in listed]
    asked = {stem(m[1]) for m in _ASKED_NOUN.finditer(lowered)} | content_words(lowered) & _PEOPLE_NOUNS
    asked |= _counted_words(lowered) - _OP_WORDS  # "how many menu items": menu and item
    folders = tables.folders()
    name_words = {info.name: content_words(info.name.replace("_", " ")) for info in listed}
    all_names = frozenset().union(*name_words.values())

    def plan_of(info: Any, today: dt.date | None = None) -> Plan | None:
        respelled = _initialled(tables.store, info, _respelled(tables.store, info, _abbreviated(
            tables.store, info, _became(tables.store, info, lowered)), unknown))
        coded = _coded(info.name, _unabbreviated(info.name, respelled))
        said = _meant(tables.store, info, _completed(tables.store, info, coded,
                                                    partial + _person_words(tables.store, info, coded)),
                      embed)
        nouns = _row_nouns(tables.store, info, firsts, asked) | _folder_nouns(info.name, folders, said)
        elsewhere = all_names - name_words[info.name]  # "rent" of rent_ledger is no expenses' "Ground rent"
        return _plan_table(op, said, info, tables.store, embed, today, nouns, elsewhere)

    found = [p for info in listed if (p := plan_of(info)) is not None]
    catalog = load_catalog()
    own = [p for p in found if p.table not in catalog]
    if not own and any(_names_table(lowered, info.name) for info in listed if info.name not in catalog):
        return []  # "how many invoices…" of invoices_2026, which could not say: not the invoice rows filed from notes
    found = own or found
    if found and all(p.outside for p in found) and (relative := _RELATIVE.search(lowered)):
        by_name = {info.name: info for info in listed}
        # one "this year" for all: the newest table's (a 2022 ledger beside the 2024 one answers nothing)
        last = max((p.last for p in found if p.last is not None), default=None)
        found = [_from_last_date(p, relative.group(0), functools.partial(plan_of, by_name[p.table]), last)
                 for p in found]
    if found and all(p.outside for p in found) and _RELATIVE_WEEK.search(lowered):
        return []  # "this week" past a timesheet's last date: no week of it answers ("no rows match" would)
    found = [p for p in found if not p.outside] or found  # a table whose dates hold the period asked
    found = [p for p in found if not p.named_for] or found  # before one only named for it (a week's rota)
    found = _current(found, tables)
    # a table the question names whole ("members", "subscriptions") before those it names only in
    # part (members_export_2023_09, an older copy) or not at all (attendance rows of juniors; a
    # budget's row of subscriptions, however closely its monthly_budget fits "monthly")
    unsaid = {p.table: len(content_words(p.table.replace("_", " ")) - content_words(lowered)) for p in found}
    found = [p for p in found if unsaid[p.table] == 0] if 0 in unsaid.values() else found
    # "how many pupils in 10c": the table named by its code (t_10_c_class_list), not 10C's rows elsewhere
    found = [p for p in found if _says_code(_coded(p.table, lowered), p.table)] or found
    # "how many visits did Helen B do": visit_log's rows, not blood_pressure's taken by Helen B
    said = content_words(lowered)
    nouned = [p for p in found if table_noun(p.table) in said
              or any(table_noun(p.table) in _EVENT_VERBS[w] for w in said & _VISIT_VERBS)]
    found = nouned or found
    return _together([p for p in found if p.fit == max(f.fit for f in found)],
                     {info.name: info.columns for info in listed})


def _together(found: list[Plan], columns: dict[str, Any]) -> list[Plan]:
    """``found`` with the plans of tables of the same columns that ask the same of each (the sheets
    of a workbook kept a term or a year to a sheet) made one, over all their rows: "how much has
    daniel paid me this year" is one total of this year's sheet and last year's, not two to add.
    (Not a row picked by the order rows were written in: that is one table's.)"""
    out: list[tuple[tuple[Any, ...], Plan]] = []
    for plan in found:
        key = (_shape(columns[plan.table]), *_anonymous(plan))
        same = next((o for k, o in out if k == key), None) if "rowid" not in plan.sql else None
        if same is None:
            out.append((key, plan))
            continue
        first = quote_ident(same.table)  # (the first table's name stands for them all in the query)
        same.sql = same.sql.replace(f"FROM {first}", f"FROM (SELECT * FROM {first} UNION ALL SELECT * FROM "
                                                     f"{quote_ident(plan.table)}) AS {first}", 1)
        same.about = same.about.replace(same.table, f"{same.table} and {plan.table}", 1)
    return [plan for _, plan in out]


def _shape(columns: Any) -> list[tuple[str, str]]:
    return [(c.name, c.type.upper()) for c in columns]


def _anonymous(plan: Plan) -> tuple[str, str]:
    """A plan's query and words without its table's name, to compare with another table's."""
    return plan.sql.replace(quote_ident(plan.table), "\0"), plan.about.replace(plan.table, "\0")


_HOURS = re.compile(r"\b(?:hours?|hrs?)\b")
_SHIP = re.compile(r"\b(\w{4,})ship\b")
_YR = re.compile(r"\byr\b")
_RN = re.compile(r"\brn\b")
_PPL = re.compile(r"\bppl\b")


# What a dated row of some kind is called, whatever the table: a session, a job, a shoot
_OCCASIONS = content_words("session sessions job jobs shoot shoots appointment appointments event events gig gigs "
                           "lesson lessons")  # (not "bookings": "on our books" is no booking)
# A table of occasions by its name: "my next shoot", "how many jobs this year" of a bookings sheet
_OCCASION_TABLE = re.compile(r"(?:^|_)(?:bookings?|appointments?|sessions?|jobs?|events?|gigs?|lessons?|diary|"
                             r"calendar|schedule)(?:_|$)")
_WHO_NAME = re.compile(r"who|name|person|payee|worker|staff|employee|helper|volunteer")  # a column only of people


def _current(found: list[Plan], tables: Any) -> list[Plan]:
    """``found`` without the tables of old files ("Old/rent ledger 2022.csv") when others answer,
    each remaining plan naming those it left out."""
    away = tables.put_away() if found else frozenset()
    current = [p for p in found if p.table not in away]
    if not current or len(current) == len(found):
        return found
    best = max(p.fit for p in current)  # an old table fitting less than the current answer was never a rival
    for p in current:
        p.left_out = [q.table for q in found if q.table in away and q.fit >= best]
    return current
# rows, not "what is the fee for 2024?"; "what did i buy yesterday": the rows of what was bought
_ROWS_ASKED = re.compile(r"\s*(?:which|list|show)\b|\s*what (?:did|have) (?:i|we) (?:\w+ )?(?:buy|bought|order(?:ed)?|"
                         r"sell|sold|pick(?:ed)?|harvest(?:ed)?)\b")


# "who are my singing pupils", "whos on the waiting list", "who have i got on thursdays": the rows
# of people the rest of the question picks, not a look-up of one ("who is the tenant")
_WHO_ARE = re.compile(r"\s*who(?:['’]?s| is)? (?:are|on|in|(?:have|do) (?:i|we) (?:got|have))\b")


def _names_table(lowered: str, table: str) -> bool:
    """Whether the question calls a table by its name ("expenses") or its rows' noun ("invoices" of
    invoices_2026)."""
    words, name_words = content_words(lowered), content_words(table.replace("_", " "))
    return bool(name_words) and (name_words <= words or table_noun(table) in words)


def _unabbreviated(table: str, lowered: str) -> str:
    """``lowered`` with the initials of a table's name of two to four words said out in full
    ("his latest bp" of blood_pressure: "his latest blood pressure"), unless they are a word
    already ("to", "it")."""
    parts = [p for p in table.lower().split("_") if p.isalpha() and p not in DATE_PARTS]
    initials = "".join(p[0] for p in parts)
    if not 2 <= len(parts) <= 4 or initials in STOPWORDS or initials in QUESTION_WORDS:
        return lowered
    return re.sub(rf"\b{initials}\b", " ".join(parts), lowered)


def _coded(table: str, lowered: str) -> str:
    """``lowered`` with a code written whole said as the parts of a table's name ("10x2" and
    "10x2's" of t_10_x2_gradebook: "10 x2"), and a year of such a code ("y11", "year 11" of
    t_11_x1_mocks: "11"): class, set and room codes are one word to a person, and a name's
    digits stand apart from its letters."""
    for a, b in _codes(table):
        lowered = re.sub(rf"\b{a}{b}(?:['’]?s)?\b", f"{a} {b}", lowered)
        lowered = re.sub(rf"\b(?:y|yr|year\s?){a}\b", a, lowered)
    return lowered


def _says_code(lowered: str, table: str) -> bool:
    """Whether ``lowered`` (with its codes spaced out by ``_coded``) says the code in a table's name
    ("10 x2" of t_10_x2_chemistry_gradebook)."""
    return any(re.search(rf"\b{a} {b}\b", lowered) for a, b in _codes(table))


_CAPITALISED = re.compile(r"\b[A-ZÀ-Þ][^\W\d_]{2,}\b")


def _partial_names(question: str) -> list[str]:
    """The capitalised words of a question that may be part of a value ("Anna" of "Anna Kowalski",
    "Hafenweg" of "Hafenweg 3"), at a sentence's start too ("Greta's email?"), folded; not words
    about the question's form ("How", "Which", "Total"), nor months and days (a period, not a value)."""
    plain = STOPWORDS | QUESTION_WORDS | set(MONTHS) | set(SHORT_MONTHS.split("|")) | _WEEKDAYS
    return list(dict.fromkeys(fold(w) for w in _CAPITALISED.findall(question)
                              if w.lower() not in plain and not content_words(w) & (_OP_WORDS | TABLE_WORDS)))


_WEEKDAYS = frozenset(WEEKDAYS)


def _completed(store: Any, info: Any, lowered: str, partial: list[str]) -> str:
    """``lowered`` with each of the ``partial`` names read as the one short text value of the table
    that holds it as a word ("how much has anna paid" -> "how much has anna kowalski paid"), when
    no other value does and the question does not say that value already."""
    for word in partial:
        if not words_in(word, fold(lowered)):
            continue
        held = _values_holding(store, info, word)
        if len(held) == 1 and not words_in(fold(held[0]), fold(lowered)):
            text = lowered if words_in(word, lowered) else fold(lowered)  # "chloé" said, or "chloe"
            lowered = re.sub(rf"\b{re.escape(word)}\b", held[0], text, count=1)
    return lowered


def _people_columns(info: Any) -> list[str]:
    """The text columns of a table that name people (pupil, staff, first_name)."""
    return [c.name for c in info.columns if c.type.upper() == "VARCHAR" and PERSON.search(c.name.lower())]


def _person_words(store: Any, info: Any, lowered: str) -> list[str]:
    """The words of ``lowered`` that are words of a person's name in the table ("maya" of "Maya
    Desai" in a pupil column): people type names in lower case too."""
    people = _people_columns(info)
    if not people:
        return []
    known = store.remembered(("person words", info.name), lambda: _name_words(store, info.name, people))
    return [w for w in dict.fromkeys(re.findall(r"[^\W\d_]{3,}", fold(lowered)))
            if w in known and w not in STOPWORDS and w not in QUESTION_WORDS and w not in _OP_WORDS]


def _name_words(store: Any, table: str, people: list[str]) -> frozenset[str]:
    cells = store.cursor().execute(f"SELECT DISTINCT {folded('v')} FROM ({_text_cells(table, people)}) "
                                   f"WHERE length(v) <= {VALUE_CELL} LIMIT 5000").fetchall()
    return frozenset(w for (v,) in cells for w in re.findall(r"[^\W\d_]{3,}", v))


def _values_holding(store: Any, info: Any, word: str, plural: bool = False) -> list[str]:
    """Up to two distinct short text values of the table with ``word`` (folded) as a word of theirs
    (with ``plural``, or its plural: "vet" of "MEADOWBANK VETS")."""
    pattern = rf"\b{re.escape(word)}{'(?:e?s)?' if plural else ''}\b"
    kept = kept_rows(store, info)
    if kept is not None:
        return list(dict.fromkeys(c for _, _, cells in kept for c in cells if c is not None
                                  and len(c) <= VALUE_CELL and re.search(pattern, fold(c))))[:2]
    texts = [c.name for c in info.columns if c.type == "VARCHAR"]
    if not texts:
        return []
    return [v for (v,) in store.cursor().execute(
        f"SELECT DISTINCT {folded('v')} FROM ({_text_cells(info.name, texts)}) WHERE length(v) <= {VALUE_CELL} "
        f"AND regexp_matches({folded('v')}, ?) LIMIT 2", [pattern]).fetchall()]


MISSPELT_LETTERS = 5  # shorter words are too often another word one letter off ("cafe", "cake")


_INITIALLED = re.compile(r"([^\W\d_])\.?\s+([^\W\d_][\w'-]{2,})")


def _initialled(store: Any, info: Any, lowered: str) -> str:
    """``lowered`` with a first name and surname read as the table writes that person, by the first
    name's initial ("tom hargreaves": "T. Hargreaves" of an operator column), when it writes no one
    by that whole name."""
    texts = [c.name for c in info.columns if c.type == "VARCHAR"]
    if not texts:
        return lowered
    cells = {fold(v) for (v,) in store.cursor().execute(
        f"SELECT DISTINCT v FROM ({_text_cells(info.name, texts)}) WHERE regexp_matches(v, ?) LIMIT 500",
        [r"^[^\W\d_]\.?\s+[^\W\d_][\w'-]{2,}$"]).fetchall()}
    for cell in cells:
        m = _INITIALLED.fullmatch(cell)
        if m is None:
            continue
        said = re.search(rf"\b{re.escape(m[1])}[^\W\d_]+\s+{re.escape(m[2])}\b", lowered)
        if said and not _holds_cell(store, info, texts, said.group(0)):
            lowered = lowered[:said.start()] + cell + lowered[said.end():]
    return lowered


def _holds_cell(store: Any, info: Any, texts: list[str], value: str) -> bool:
    """A text column of ``info`` has a cell that is ``value`` (case aside)."""
    return store.cursor().execute(f"SELECT 1 FROM ({_text_cells(info.name, texts)}) WHERE lower(v) = ? LIMIT 1",
                                  [value]).fetchone() is not None


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


# "how many enquiries turned into bookings": what a row became is a value of it ("booked")
_BECAME = re.compile(r"\b(?:turn(?:ed|s)?|convert(?:ed|s)?|became|become|becomes)\s+(?:into|in to|to)?\s*"
                     r"(?:a |an )?([a-z]{4,})\b")


def _became(store: Any, info: Any, lowered: str) -> str:
    """``lowered`` with "turned into X" read as the one-word category value X's stem is ("turned
    into bookings" of an outcome "booked"): what a row became, said as a noun."""
    texts = [c.name for c in info.columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS]
    for m in _BECAME.finditer(lowered) if texts else ():
        words = {w for (w,) in store.cursor().execute(
            f"SELECT DISTINCT lower(trim(v)) FROM ({_text_cells(info.name, texts)}) "
            "WHERE regexp_matches(trim(v), '^[A-Za-z]+$')").fetchall() if stem(w) == stem(m[1])}
        if len(words) == 1:
            return lowered[:m.start()] + words.pop() + lowered[m.end():]
    return lowered


ABBREVIATED_SHARE = 0.6  # an abbreviation keeps at least this share of the word's letters ("facebk": 6 of 8)


def _abbreviated(store: Any, info: Any, lowered: str) -> str:
    """``lowered`` with each word the table's text cells hold only shortened read as they write it
    ("facebook" of a statement's "FACEBK *ADS", "amazon" of "AMZN MKTP"): a word of theirs of four
    letters or more that starts as the question's word does (two letters: not "cubs" of "clubs")
    and keeps its letters in order (not its first letters only: "elbow" of "elbows"), the only
    such word, when no cell holds the question's word whole."""
    tokens = store.remembered(("tokens", info.name), functools.partial(_cell_words, store, info))
    for word in {w for w in re.findall(r"\b[a-z]{5,}\b", lowered) if not content_words(w) & _OP_WORDS} - tokens \
            - _PLAIN_WORDS:
        short = {t for t in tokens if t[:2] == word[:2] and len(word) > len(t) >= max(4, ABBREVIATED_SHARE * len(word))
                 and not word.startswith(t) and _in_order(t, word)}  # not "elbow" of "elbows"
        if len(short) == 1:
            lowered = re.sub(rf"\b{word}\b", short.pop(), lowered)
    return lowered


def _in_order(short: str, word: str) -> bool:
    """Whether the letters of ``short`` appear in ``word`` in the same order."""
    letters = iter(word)
    return all(ch in letters for ch in short)


def _cell_words(store: Any, info: Any) -> frozenset[str]:
    """The words of four letters or more of the table's short text cells, lower case."""
    texts = [c.name for c in info.columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS]
    if not texts:
        return frozenset()
    rows = store.cursor().execute(
        f"SELECT DISTINCT unnest(regexp_extract_all({folded('v')}, '[a-z]{{4,}}')) FROM "
        f"({_text_cells(info.name, texts)}) WHERE length(v) <= {VALUE_CELL}").fetchall()
    return frozenset(w for (w,) in rows)


# "How much did we spend on food?" of a statement whose category says Groceries: a word no value,
# column or name of the table holds is read as the category value it means, when the model puts
# that value far closer to it than any other, and the phrase it is part of ("food shopping": the
# Shopping category, nearly as close as Groceries) means the same one.
MEANT_COSINE = 0.6
MEANT_MARGIN = 0.1
CATEGORY_VALUES = 40  # a text column of at most this many distinct values, each of a few words
_CATEGORY_WORDS = 3
# (and words of a period: "this week" is no "weekly" box)
_PLAIN_WORDS = STOPWORDS | QUESTION_WORDS | set(MONTHS) | set(SHORT_MONTHS.split("|")) | set(WEEKDAYS) | set(
    "day days week weeks weekend month months year years today yesterday tomorrow tonight".split())


def _meant(store: Any, info: Any, lowered: str, embed: EmbedFn | None) -> str:
    """``lowered`` with each word the table does not hold read as the category value it means
    (see ``MEANT_COSINE``): "how much did we spend on food in march" -> "… on groceries in march"."""
    if embed is None:
        return lowered
    named = content_words(info.name.replace("_", " ")).union(*(column_words(c.name, lowered) for c in info.columns))
    unknown = [m for m in _WORD_AT.finditer(lowered) if _unheld(store, info, m.group(), named)]
    values = _category_values(store, info) if unknown else []
    if not values:
        return lowered
    phrases = [_phrase(lowered, m) for m in unknown]
    vectors = np.asarray(embed([m.group() for m in unknown] + phrases + values), dtype=np.float32)
    meant = vectors[2 * len(unknown):]
    for i, m in reversed(list(enumerate(unknown))):
        value = _closest(meant @ vectors[i], values)
        if value is not None and _closest(meant @ vectors[len(unknown) + i], values) == value:
            lowered = lowered[:m.start()] + value.lower() + lowered[m.end():]
    return lowered


_WORD_AT = re.compile(r"\b[a-z]{3,}\b")


def _unheld(store: Any, info: Any, word: str, named: set[str]) -> bool:
    """``word`` carries meaning, and no value of the table holds it nor is it among the words
    ``named`` by its name and columns."""
    return _naming(word) and not content_words(word) & named \
        and not _values_holding(store, info, fold(word), plural=True)


def _phrase(lowered: str, m: re.Match[str]) -> str:
    """The words next to ``m`` in ``lowered`` that may name a thing, with it ("food shopping", not
    "dog cost")."""
    before, after = lowered[:m.start()].split()[-1:], lowered[m.end():].split()[:1]
    return " ".join([*filter(_naming, before), m.group(), *filter(_naming, after)])


def _naming(word: str) -> bool:
    """``word`` may name a thing: not a stop, question, month or day word, nor one of an operation."""
    return word not in _PLAIN_WORDS and bool(stems := content_words(word)) and not stems & (_OP_WORDS | TABLE_WORDS)


def _closest(cosines: np.ndarray, values: list[str]) -> str | None:
    order = np.argsort(-cosines)
    best, second = float(cosines[order[0]]), float(cosines[order[1]]) if len(order) > 1 else -1.0
    return values[order[0]] if best >= MEANT_COSINE and best - second >= MEANT_MARGIN else None


def _category_values(store: Any, info: Any) -> list[str]:
    """The distinct values of the table's category columns: text of a few words, at most
    ``CATEGORY_VALUES`` of them in the column."""
    out: list[str] = []
    for column in (c.name for c in info.columns if c.type == "VARCHAR"):
        out += _category_column(store, info.name, column)
    return list(dict.fromkeys(out))


_LETTERS_ONLY = re.compile(r"[^\W\d_]+(?:[ &'/-]+[^\W\d_]+)*")


_YES_NO_PARTS = frozenset("y n yn yes no".split())  # first_aider_y_n: "(Y/N)" says its values


def _names_a_flag(lowered: str, listed: Sequence[Any]) -> bool:
    """Whether the question names a yes/no column of a table ("which flats had a lift?": lift),
    which a list of rows is kept to."""
    return any(c.type.upper() == "BOOLEAN" and all(re.search(rf"\b{re.escape(part)}s?\b", lowered)
                                                     for part in c.name.lower().split("_")
                                                     if part.isalpha() and part not in _YES_NO_PARTS)
               for info in listed for c in info.columns)  # whole words: "Peter" is no "pets"


def _folder_nouns(table: str, folders: dict[str, frozenset[str]], lowered: str) -> set[str]:
    """The words of the folder a table's file lies in, when the question says them with a word of
    the table's name ("the removals quote" of Removals/quote Q-2291 line items.csv): they call it."""
    words = content_words(lowered)
    said = content_words(" ".join(folders.get(table, ()))) & words
    named = content_words(table.replace("_", " ")) & words
    return said | named if said and named else set()


def _first_name_word(table: str) -> str | None:
    """The stem of the first word of a table's name that is no code, date or number ("flat" of
    flat_viewings_march_2026, "quote" of quote_q_2291_line_items), when its name has two or more."""
    parts = [p for p in table.lower().split("_") if len(p) > 1 and p.isalpha() and p not in DATE_PARTS]
    return stem(parts[0]) if len(parts) > 1 else None


_KEY_NAME = re.compile(r"^([a-z]{3,})_(?:no|nr|num|number|id|ref)$")


# the noun a question asks which one of, or counts: "which flat", "the biggest flat", "how many boxes"
_ASKED_NOUN = re.compile(r"\b(?:which|what|how many|[a-z]{3,}est|most [a-z]+|least [a-z]+)\s+([a-z]{3,})\b")


def _row_nouns(store: Any, info: Any, firsts: list[str | None], asked: set[str]) -> set[str]:
    """The nouns that call a table's rows, besides its name's last word (``table_noun``): the
    first word of its name, when the question asks which one of those it is ("which flat was the
    biggest" of flat_viewings_march_2026; not "how many km has the car done" of car_repairs) and
    no other table's name begins with it, and the thing its key column numbers when each row has
    its own ("box" of box_no in packing_inventory: each row is a box; not "sample" of a sample_id
    that three rows share, one for each analyte)."""
    first = _first_name_word(info.name)
    nouns = {first} if first and first in asked and firsts.count(first) == 1 else set()
    keys = [(c.name, m[1]) for c in info.columns if (m := _KEY_NAME.match(c.name.lower())) and stem(m[1]) in asked]
    # "how many students" of a gradebook whose student column names each row's own pupil; "how many
    # menu items" of an allergen grid whose menu_item column names each row's own dish
    keys += [(c.name, c.name) for c in info.columns if c.type.upper() == "VARCHAR"
             and (words := content_words(c.name.replace("_", " "))) and words <= asked]
    for name, noun in keys:
        rows, distinct = store.cursor().execute(
            f"SELECT count(*), count(DISTINCT {quote_ident(name)}) FROM {quote_ident(info.name)}").fetchone()
        if rows == distinct:
            nouns |= content_words(noun.replace("_", " "))
    # "how many pupils" of a class list: a row for each person (surname and first name)
    people = _people_columns(info)
    if asked & _PEOPLE_NOUNS and people:
        together = ", ".join(quote_ident(p) for p in people)
        rows, distinct = store.cursor().execute(
            f"SELECT count(*), count(DISTINCT ({together})) FROM {quote_ident(info.name)}").fetchone()
        if rows == distinct:
            nouns |= asked & _PEOPLE_NOUNS
    return nouns


_PEOPLE_NOUNS = content_words("students pupils children kids people persons members employees staff patients "
                              "clients customers guests players learners")


def _plan_table(op: str, lowered: str, info: Any, store: Any, embed: EmbedFn | None,
                today: dt.date | None = None, nouns: set[str] | frozenset[str] = frozenset(),
                elsewhere: frozenset[str] = frozenset()) -> Plan | None:
    if _SPENDING.search(lowered) and (_INCOME_NAME.search(info.name.lower()) or _only_income(info.columns)
                                      or _clients_pay(info.columns)):
        return None  # "how much did we spend?" is not the bike sales, nor a box office's gross, nor clients' fees
    words = content_words(NOW.sub(" ", lowered))  # "how many pupils at the moment": the rows as they stand
    name_words = content_words(info.name.replace("_", " "))
    verbs = {w for w in words if table_noun(info.name) in _EVENT_VERBS.get(w, ()) or _verb_of(w, info.name)}
    # named: every word of its name, or the last one ("the most expensive repair": car_repairs), or its verb
    named = _names_table(lowered, info.name) or bool(verbs) or bool(nouns & words)  # or a noun of its rows
    occasions = (_OCCASIONS & words if _OCCASION_TABLE.search(info.name.lower()) and _date_column(info.columns)
                 else set())
    named = named or bool(occasions)
    # marks kept as text for a few "absent" cells are read as their numbers
    as_text = numbered(store, info)
    graded = _graded(store, info, lowered)  # "grade 5 or above" of cells "Grade 6", "Grade 4", "Initial"
    as_text |= {c: other for c, (_, other) in graded.items()}
    counted = [replace(c, type="DOUBLE") if c.name in as_text else c for c in info.columns]
    ticks = ticked(store, info)  # an allergen grid's "Y", "may" and blank: yes/no columns to ask of
    flagging = as_flags(store, info)
    compared = comparison(lowered) or equal_to(lowered, counted) or column_compared(lowered, counted)
    named = named or bool(compared and compared.column)  # "below their reorder level" names two of its columns
    per, rates = _per_unit(lowered, counted) if op != "list" else (None, [])  # "what do i pay sophie an hour"
    # "the average discount"; not the hours of a rota for "an hour"
    named = named or op in ("avg", "sum", "max", "min") and _measure_said(
        words - (content_words(per.group(0)) if per else set()), counted, lowered)
    named = named or len(rates) == 1  # hourly_rate
    # "which customer brought the most repairs?": the rows of each group counted, not a column added up;
    # "who did the most hours?", "which teacher worked the most hours?": the hours added up, which name the table
    most = _MOST_OF.search(lowered) if op == "top" else None
    most_column = most is not None and _names_a_measure(most.group(1), counted)
    named = named or most_column
    # "how many consultations"; "how many miles" of miles_return
    named = named or op == "count" and _measure_said(_counted_words(lowered), info.columns, lowered)
    named = named or op in ("max", "min") and _when_said(lowered, info.columns)  # "who moved in most recently?"
    # "how long do the carers usually stay?": the minutes between arrived and left
    span = spanned(store, info) if op != "list" and SPAN_SAID.search(lowered) else None
    named = named or span is not None
    # "workshop tickets" of workshop_signups_oct26's ticket: a word of its name and a text column of what
    # each row is (not "the car's km" of car_repairs: a number of each repair)
    named = named or bool(name_words & words - {table_noun(info.name)}) and any(
        column_words(c.name, lowered) & words - name_words for c in info.columns
        if c.type.upper() == "VARCHAR" and c.name not in ROW_FIELDS)
    worded = named  # said in words, not by the code in its name: "how much did 10c make" is no merit points
    named = named or _says_code(lowered, info.name)  # "how many students in 10x2" of t_10_x2_gradebook
    filters = _values(store, info, lowered, elsewhere)
    excluded = _negated(filters, lowered)  # "the invoices not paid": status is not paid
    # "which invoices are overdue": asked as "unpaid", and due before today, whatever a status says
    if due := _due_column(info, lowered):  # (a part paid one is overdue too)
        filters = {c: vs for c, vs in filters.items() if not all(_OVERDUE.fullmatch(fold(v)) for v in vs)}
    owing = _owing(store, info, lowered, bool(due))  # "who still owes me": status is not Paid (OVERDUE, Part paid)
    partly = _keep_owed(store, info, lowered, owing, filters, excluded) if owing else []
    currencies = _currencies_said(lowered)
    currency = _currency_column(store, info)
    if currencies is None or not _kept_to_currencies(currencies[0], currency, filters, excluded):
        return None
    a, b = compared.span if compared else (0, 0)
    day = _day_column(lowered, info.columns)  # "on wednesday" of a rota names its wed_25, not a date's weekday
    quarter, quarter_words = _quarter_named(lowered, info.name)  # "the vat quarter" of vat_q3_2026_purchases
    period = _period(_blanked(_weekdays_blanked(quarter) if day else quarter, (a, b)), today)
    dated = _date_column(info.columns, lowered) if period else None
    if period.weekdays and dated is None and (days := _weekday_column(store, info)):
        filters = {**filters, days[0]: [v for v in days[1] if day_of_column(v) in period.weekdays]}
        period = replace(period, weekdays=[])  # "who have i got on thursdays" of a day column of Mon, Thu …
    if period and dated is None and not _named_for(info.name, period):
        return None  # "this week" of rota_w_c_23_nov_2026 is the whole table
    if dated is not None and len(period.months) == 1 and not period.years and period.span is None:
        period = _latest_year(store, info.name, dated, period)  # "in oct" of two years' rows: the last October
    # Money over a period needs no table named ("how much did we spend in January?") when the
    # date says when the money was spent: not a subscription's "renews"
    spent = dated is not None and op != "count" and MONEY.search(lowered) and _spent_date(dated)
    values_said = [v for values in (filters, excluded) for vs in values.values() for v in vs]
    blank, state_words = _payment_state(store, info, lowered, dated, values_said, bool(due))
    if blank is None:  # "members with no phone number": phone is blank
        blank, state_words = _missing(lowered, info.columns, functools.partial(_says_no, store, info.name))
    reply, reply_words = _reply(store, info, lowered) if blank is None else (None, set())
    if reply and reply[1] in ("blank", "filled"):
        blank, state_words = (reply[0], reply[1] == "blank"), reply_words
    if day is not None and day not in filters and day not in excluded and blank is None:
        blank, duty_words = _on_duty(store, info.name, day, lowered, filters, excluded)
        state_words = state_words | duty_words
    grouped = _group_column(lowered, info.columns) if op == "top" else None
    if op == "top" and grouped is None:
        return None
    # "average end of unit test mark by form": each form's average (not "average spend each month": of monthly totals)
    by_group = op in ("sum", "count") or op == "avg" and not _MONTHLY.search(lowered)
    each = _each_group(lowered, info.columns) if by_group else None
    # "which shop …", "who paid …" name their column, and so its table
    by_column = grouped is not None and (grouped[1] != "who" or bool(column_words(grouped[0], lowered) & words))
    opposed = _opposed_flags(lowered, flagging.columns) if op in ("list", "count") else {}  # "still broken"
    flagged = op in ("list", "count") and (_names_a_flag(lowered, [flagging]) or bool(opposed))  # "plus one"
    # "where's cheapest for fernox f1": rows whose description holds the words, no cell being them
    texts = [c.name for c in info.columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS
             and not PERSON.search(c.name.lower()) and searchable(c.name)]
    if not (named or filters or excluded or spent or by_column or blank and blank[1] or reply or flagged) and (
            op == "list" or not (loose := words - _OP_WORDS - TABLE_WORDS - name_words - period.words - quarter_words
                                 - elsewhere - content_words(" ".join(values_said))
                                 - set().union(*(column_words(c.name, lowered) for c in counted)))
            or mentioned(store, info.name, texts, lowered, loose) is None):
        return None
    unnamed = _numbered_names_blanked(lowered, counted, info.name)  # "paper 1", "9 y3": no stray numbers
    if _stray_number(unnamed, compared.span if compared else (0, 0), values_said):
        return None
    # a hyphenated word counts whole: "e-bikes" is not "bikes" unless a value says it
    words |= {c for c in _COMPOUND.findall(lowered)  # nor a hyphenated word inside a value said ("2-port")
              if stem(c) not in {stem(v.lower()) for v in values_said} and not any(c in fold(v) for v in values_said)}
    accounted = (name_words | nouns | verbs | occasions | _OP_WORDS | TABLE_WORDS | period.words | quarter_words
                 | content_words(" ".join(values_said)))
    by_columns = {c.name: column_words(c.name, lowered) & words for c in info.columns}
    by_names = set().union(*by_columns.values())  # words only a column's name accounts for, checked below
    if any(_said_not(lowered, by_columns[c.name]) for c in flagging.columns if c.type.upper() == "BOOLEAN"):
        accounted |= _NOT_WORDS  # "not insured": the yes/no column's no
    accounted |= compared.words if compared else set()
    accounted |= set().union(*(content_words(m.group(0)) for m in _SAYINGS.finditer(lowered)))
    # "the fees we took in 2025" are money over a period; "how much is the consultation fee?" is a price
    accounted |= content_words("fee fees") if spent else set()
    # "how many rent payments are in my ledger?": the rows of a table of money are its payments
    accounted |= _PAYMENT_WORDS if any(MONEY_NAME.search(n.lower()) for n in _measures(info.columns)) else set()
    kept = {v for vs in filters.values() for v in vs}
    # "private" of bus_priv's "Priv": the word a short value its column's name lists begins
    accounted |= {w for w in words for c, vs in filters.items() for v in vs
                  if fold(v).strip() in c.lower().split("_") and w.startswith(fold(v).strip())}
    accounted |= _said_of_values(lowered, kept) | _said_of_joining(lowered, dated)
    accounted |= (_NOT_WORDS if excluded else set()) | state_words | reply_words
    accounted |= _UNPAID_WORDS | _OWING_WORDS | _ONGOING_WORDS if owing else set()
    accounted |= content_words("overdue past due late") if due else set()
    accounted |= content_words(grouped[1]) if grouped else set()
    accounted |= _members_of(lowered, name_words | {table_noun(info.name)})  # "staff members" are the staff
    # "how many people …" counts the rows of a table of people (one with a column of names)
    accounted |= _ANYONE if op != "count" or any(PERSON.search(c.name.lower()) for c in info.columns) else set()
    # "the latest pfos result": pfos says what is measured, and the result is its number
    by_value = op in ("sum", "avg", "max", "min") and _says_measured(store, info, filters)
    # "how many sugar readings …": each row of a long table is one reading of what it measures
    accounted |= _MEASURED_WORDS if by_value or op == "count" and _says_measured(store, info, filters) else set()
    # "the bank balance" of a statement's balance column
    accounted |= _BANK_WORDS if any(_BALANCE_NAME.search(c.name.lower()) for c in info.columns) else set()
    accounted |= content_words(each[1]) if each else set()
    monthly = _MONTHLY.search(lowered) if op == "avg" else None  # "the average monthly grocery spend"
    if monthly and any("monthly" in name.lower().split("_") for name in _measures(info.columns)):
        monthly = None  # "the average monthly rent" of monthly_rent: the rent, not a total each month
    by_month = _date_column(info.columns, lowered) if monthly else None
    if monthly and by_month is None:
        return None
    accounted |= content_words(monthly.group(0)) if monthly else set()
    # "who attended the most sessions?" of attendance (date, session, member): each row one attended
    noun = table_noun(info.name)
    most_rows = most is not None and not most_column and (stem(most.group(1)) == noun or bool(verbs or noun in words)
                                                          and _names_a_column(most.group(1), info.columns, lowered))
    if most is not None and (most_rows or most_column):
        accounted |= _verb_before_most(lowered, most)  # and the verb between: "brought in", "worked"
    # "the rent of flats on floor 1": floor picks the rows, it is not what is added up
    measured = _blanked(quarter, compared.span) if compared and compared.sql == "=" else quarter
    if span is not None and not most_rows:
        measures, meant = [HOURS if _HOURS.search(lowered) else MINUTES], SPAN_WORDS & words
    elif per is not None and len(rates) == 1:
        measures, meant = rates, content_words(per.group(0))  # "how much a week … for hire": weekly costs added
    else:  # "an hour" names no hours column to add up
        measures, meant = ([], set()) if op == "list" or most_rows else _measure(
            op, _blanked(measured, per.span()) if per else measured, words - accounted - by_names, counted, embed,
            worded, name_words, by_value)
    # "who books the courts the most?" of court bookings, with nothing to add up: each row one booked
    most_rows = most_rows or op == "top" and most is None and not measures and bool(verbs or noun in words)
    in_currency = _currency_words(currencies, currency, measures)
    if in_currency is None:
        return None  # "how much in euros" of prices in francs
    accounted |= in_currency
    accounted |= _SCORE_WORDS if measures else set()  # "the highest paper 2 mark": paper_2_100's numbers
    # "how many days was tom off sick": a dated table's rows are its days
    # (and "toms longest day": the row of the most hours)
    accounted |= _DAY_WORDS if (op == "count" and not measures or op in ("max", "min") and measures) \
        and _date_column(info.columns) else set()
    accounted |= set(opposed.values()) | (_STILL_WORDS if opposed else set())
    accounted |= _CONTAIN_WORDS if flagged else set()  # "which items contain sesame": its yes
    # "how many portrait sessions", "headshot jobs": the dated rows of a kind said are the occasions
    kinds = [c for c in filters if not REMARKS_NAME.search(c.lower())]  # a type said, not a note's word
    accounted |= _OCCASIONS if kinds and _date_column(info.columns) else set()
    mention = None
    if left := words - accounted - by_names - meant:
        if left & elsewhere or (mention := mentioned(store, info.name, texts, lowered, left)) is None:
            return None
        mention, filters = widened(store, info.name, texts, mention, lowered, filters)
    if op == "count" and not measures and mention is not None:  # "how many 15mm elbows": the qty of those items
        measures = _stock_counted(lowered, mention, counted)
    if op not in ("count", "list") and not measures and not most_rows:
        return None
    if len(measures) > 1 and op not in ("sum", "avg") or monthly and len(measures) > 1:
        return None  # "who paid the most?" with labour and parts: which total is meant is not said
    measure = measures[0] if len(measures) == 1 else None
    if measure is not None:  # "how much did parts come to": the parts column, not the paid status "part"
        filters = _not_of_column(filters, column_words(measure, lowered))
    against = next(iter(graded), None) or _compared_column(compared, measure, counted, lowered, embed) \
        if compared else None
    filters = {c: vs for c, vs in filters.items() if c not in graded}  # not the cells "Grade 5" alone
    if compared and compared.sql == "=" and against in filters:
        compared = against = None  # "bed 5" of beds 5, 3 and T1: the value kept, not a number compared too
    if compared and against in (None, compared.column):
        return None  # "how much over budget is training" adds up no budget over itself
    if op in ("max", "min") and measure is not None and not compared and _spent_below_zero(
            store, info, measure, lowered):
        # "my biggest expense" of a statement's signed amounts: the most money out is the lowest amount below 0
        op, compared, against = {"max": "min", "min": "max"}[op], Comparison("", "<", 0.0, None, frozenset()), measure
    used = {*measures, *filters, *excluded, dated, by_month, against, blank[0] if blank else None,
            *(g[0] for g in (grouped, each) if g), currency[0] if currency else None}
    flags = _flags(lowered, flagging.columns, {c: ws for c, ws in by_columns.items() if c not in used},
                   words - accounted - meant | (set() if _MONEY_IN.search(lowered) else words & _VISIT_VERBS),
                   used)  # "how many came": attended is yes (not "money that came in")
    if flags is None:
        return None
    flags |= dict.fromkeys(opposed, False)
    voided_flags = _void_flags(info, lowered, flags)
    own = name_words | nouns | {table_noun(info.name)} | content_words(" ".join(kept))  # "students enrolled"
    # "how many got grade 7 or above", "how many paid the deposit" count the rows whose grade is
    # compared, whose deposit_paid is yes: not grades, nor deposits
    if op == "count" and not measures and _counts_other_things(
            lowered, [c for c in info.columns if c.name != against and c.name not in flags], own):
        return None
    if op == "count" and any(content_words(f.replace("_", " ")) == {_counted_head(lowered)} for f in flags) \
            and not _date_column(info.columns):  # (a dated log's "how many frosts" are its days of frost)
        return None  # "how many eggs go in the sponge" counts eggs, not the rows whose eggs is yes
    if reply and reply[1] in ("yes", "no"):
        flags[reply[0]] = reply[1] == "yes"
    # a currency column splits sums of money, not of discount_pct or hours
    by_currency = currency[0] if currency is not None and (
        not measures or any(_money_columns([m], embed) if embed else MONEY_NAME.search(m.lower()) for m in measures)
    ) else None
    if by_currency and against and compared and compared.number and op != "list" and not currencies[0] \
            and MONEY_NAME.search(against.lower()):
        return None  # "over 1000" of amounts in francs and euros: 1000 of which is not said (0 is 0 in each)
    if measures and op == "count":
        op = "sum"  # "how many km did I run": the km added up
    if each is not None and len(measures) > 1:
        return None  # "how much did we charge each month?" with labour and parts: which total is not said
    if op == "list" and not (filters or excluded or period or against or blank or flags or reply or mention) \
            and not (_WHO_ARE.match(lowered) and _names_table(lowered, info.name)):  # "whos on the waiting list"
        return None  # a list of every row: what keeps some of them was not understood
    rows = Where(filters, excluded, dated, period, (against, compared) if against and compared else None, blank,
                 _outside(store, info.name, dated, period) if dated else "", flags | voided_flags, ticks,
                 _voided(store, info, lowered, filters, excluded), mention, partly,
                 today or dt.date.today() if blank and _THROUGH_NAME.search(blank[0].lower()) else None,
                 (due, today or dt.date.today()) if due else None,
                 _done_so_far(store, info, lowered, dated, period, today or dt.date.today()))
    if op == "top":
        assert grouped is not None
        plan = _top(info.name, grouped[0], measure, not re.search(r"\b(?:least|fewest)\b", lowered), rows,
                    by_currency)
    elif each is not None:
        plan = _top(info.name, each[0], measure, None, rows, by_currency, "avg" if op == "avg" else "sum")
    elif op == "avg" and monthly and measure is not None:
        single = by_currency is None or len(filters.get(by_currency, [])) == 1
        if not single:
            return None
        plan = _monthly(info.name, by_month, measure, rows)
    else:
        plan = _build(by_age(op, measure, lowered), info, measures, rows, by_currency, frozenset(words))
    # the rows counted by the table's own noun ("which court gets booked the most") fit as a column named would
    _derive(plan, measure, span if measure in (MINUTES, HOURS) else None,
            {c: as_text[c] for c in (measure, against) if c in as_text}, {c: g[0] for c, g in graded.items()})
    # and so does a rota's column of the day said ("whos working sat": not the takings of Saturdays)
    # (a word a value of the rows says is not also a column named: "paid" of status PAID, not balance_paid)
    unvalued = words - content_words(" ".join(values_said))
    # and a person said who is a row's own person ("paid tom": who is Tom, not the bookings he worked on),
    # and a yes/no column said ("how many came to the workshop": the sign-ups' attended, not a job's client)
    plan.fit = _fit(lowered, unvalued, measures, dated) + int(most_rows and noun in words) + int(day is not None) \
        + int(any(_WHO_NAME.fullmatch(c.lower()) for c in filters)) + int(bool(flags)) \
        + int(measure is not None and not filters and mention is None and _spent_out(store, info, measure, lowered))
    plan.outside = bool(rows.outside)
    plan.named_for = bool(period) and dated is None
    plan.last = _last_date(store, info.name, dated) if rows.outside and dated else None
    return plan


# A column of how many of a row's thing there are: "how many 15mm elbows are on the van" adds it up
_QUANTITY_NAME = re.compile(r"(?:^|_)(?:qty|quantity|quantities|stock|on_hand|in_stock|units|count)(?:_|$)")


def _stock_counted(lowered: str, mention: Mention, columns: Sequence[Any]) -> list[str]:
    """The one quantity column to add up when "how many X" counts the things the cells mention
    (X among their words), not the rows; [] else."""
    if _counted_head(lowered) not in {stem(w) for w in mention.words}:
        return []
    found = [n for n in _measures(columns) if _QUANTITY_NAME.search(n.lower())]
    return found if len(found) == 1 else []


def _not_of_column(filters: dict[str, list[str]], named: set[str]) -> dict[str, list[str]]:
    """``filters`` without the values whose words are all words of a column's name (``named``)."""
    kept = {c: [v for v in vs if not (said := content_words(v)) or not said <= named] for c, vs in filters.items()}
    return {c: vs for c, vs in kept.items() if vs}


def _derive(plan: Plan, measure: str | None, span: Span | None, as_text: dict[str, str],
            labels: dict[str, str]) -> None:
    """``plan`` reading the ``span``'s minutes and hours (its ``measure``), and the numbers of the
    text columns ``as_text`` (each with a cell that is none; the number after its word in
    ``labels``), from the table, and saying so."""
    if span is None and not as_text:
        return
    plan.sql = plan.sql.replace(f"FROM {quote_ident(plan.table)}",
                                derived_from(plan.table, span, list(as_text), labels), 1)
    if span is not None and measure is not None:
        plan.about = plan.about.replace(measure, f"{measure} from {spoken(span.start)} to {spoken(span.end)}", 1)
    for column, other in as_text.items():
        plan.about = plan.about.removesuffix(":") + f" (cells of {spoken(column)} that are no number, such as " \
                                                    f"“{other}”, left out):"


def _fit(lowered: str, words: set[str], measures: list[str], dated: str | None) -> int:
    """How closely a table's query fits the question, beyond answering it: money taken in counted
    by when it was paid (paid_on, not a course's start_date), and a column added up that the
    question names ("pay Markus": pay_chf of teacher_hours, not price_chf of the courses he teaches).
    Money spent is not money taken in: "what did we spend in May?" puts no members' date_paid first."""
    paid = (dated is not None and bool(PAID_NAME.search(dated.lower())) and bool(MONEY.search(lowered))
            and not _SPENDING.search(lowered))
    said = any(content_words(m.replace("_", " ")) & words for m in measures)
    return int(paid) + int(said)


def _flags(lowered: str, columns: Sequence[Any], unused: dict[str, set[str]], left: set[str],
           used: set[str | None]) -> dict[str, bool] | None:
    """The yes/no columns the question names and nothing else uses ("how many patients are
    insured?": insured is yes; "not insured": no), for rows kept to them. None when a word of the
    question is accounted for only by the name of a date column the query does not use ("on our
    books" and booked_for): the query would not mean what was asked. (A text column named, as
    "course" of course_code in "how much did we take in course fees?", says what the rows are of.)"""
    types = {c.name: c.type.upper() for c in columns}
    named_used = set().union(*(column_words(c, lowered) for c in used if c and c in types))
    said: dict[str, set[str]] = {}
    for word in left - named_used:
        naming = [c for c, ws in unused.items() if word in ws]
        if naming and all(types[c].startswith(("DATE", "TIMESTAMP")) for c in naming):
            return None
        if len(naming) != 1 or types[naming[0]] != "BOOLEAN":
            continue
        said.setdefault(naming[0], set()).add(word)
    # "not got their consent form back": the no, by whichever of its words "not" comes before
    return {column: not _said_not(lowered, words) for column, words in said.items()}


# Words for a yes/no column's no: "broken" of fixed; "unpaid", "unconfirmed": un- and the column's word
_OPPOSITE = {stem(w): {stem(v) for v in vs.split()} for w, vs in (
    ("broken", "fixed working repaired"), ("faulty", "fixed working"), ("outstanding", "paid"),
    ("pending", "confirmed"))}


_STILL_WORDS = content_words("still yet currently")
_CONTAIN_WORDS = content_words("contain contains containing include includes including")


def _opposed_flags(lowered: str, columns: Sequence[Any]) -> dict[str, str]:
    """The yes/no columns a word of the question says the no of, by column: the word's stem
    ("whats still broken": fixed, "broken"; "which are unconfirmed": confirmed, "unconfirmed")."""
    out: dict[str, str] = {}
    for word in re.findall(r"[a-z]{4,}", lowered):
        said = stem(word)
        meant = _OPPOSITE.get(said, set()) | ({stem(word[2:])} if word.startswith("un") and len(word) > 5 else set())
        for c in columns:
            if c.type.upper() == "BOOLEAN" and meant & column_words(c.name, ""):
                out.setdefault(c.name, said)
    return out


# "an hour", "per night", "a kg": a rate's unit, which a column such as hourly_rate or price_per_kg is of
_PER_UNIT = re.compile(r"\b(?:an?|per|each|every)\s+(hour|day|night|week|month|year|kg|kilo|litre|person|head)\b")
_UNIT_NAMES = {"hour": ("hourly", "ph"), "day": ("daily",), "night": ("nightly", "pn"), "week": ("weekly", "pw"),
               "month": ("monthly", "pcm"), "year": ("yearly", "annual", "pa"), "kilo": ("kg",), "head": ("person",)}
_RATE_PARTS = frozenset("rate rates per price cost pay wage fee charge".split())


def _per_unit(lowered: str, columns: Sequence[Any]) -> tuple[re.Match[str] | None, list[str]]:
    """The rate the question asks for by its unit ("what do i pay sophie an hour": hourly_rate, not
    the hours of the rota), and the number columns of rates of that unit."""
    m = _PER_UNIT.search(lowered)
    if m is None:
        return None, []
    unit = m.group(1)
    names = {unit, *_UNIT_NAMES.get(unit, ())}
    return m, [c.name for c in columns if c.type.upper() in NUMERIC_TYPES and (parts := set(c.name.lower().split("_")))
               & names and (parts & _RATE_PARTS or parts & set(_UNIT_NAMES.get(unit, ())))]


def _day_column(lowered: str, columns: Sequence[Any]) -> str | None:
    """The column of a rota or timetable (a column for each day of the week: mon_23 … sun_29) of
    the one day the question says ("whos working sat", "who's off on wednesday"); None else."""
    days = {c.name: d for c in columns if (d := day_of_column(c.name)) is not None}
    if len(set(days.values())) < _GRID_DAYS:
        return None
    words = content_words(lowered)
    said = [c for c, d in days.items() if weekday_words(d) & words]
    return said[0] if len(said) == 1 else None


_GRID_DAYS = 3  # days of the week with a column each: a rota, not a table with a "sun" column


def _graded(store: Any, info: Any, lowered: str) -> dict[str, tuple[str, str]]:
    """The text column of a word and a number ("Grade 6") whose word the question says before the
    number it compares with ("grade 5 or above", "grade 7+"), with its word and another cell."""
    compared = comparison(lowered)
    if compared is None or compared.sql == "=":
        return {}
    number = f"{compared.number:g}"
    said = ((c, found) for c, found in labelled(store, info).items()
            if re.search(rf"\b{found[0]}s?\s*{re.escape(number)}\b", lowered))
    return dict(itertools.islice(said, 1))  # (the first such column only)


def _weekday_column(store: Any, info: Any) -> tuple[str, list[str]] | None:
    """The text column whose every value is a day of the week ("Mon", "Thursday"), and its values:
    the day each row falls on, in a table with no dates (a register's lesson day); None when none."""
    for c in info.columns:
        if c.type.upper() == "VARCHAR" and (values := _category_column(store, info.name, c.name)) \
                and all(day_of_column(v) is not None and len(v.split()) == 1 for v in values):
            return c.name, values
    return None


def _weekdays_blanked(lowered: str) -> str:
    return _ON_WEEKDAY.sub(lambda m: " " * len(m.group()), lowered)


_ON_DUTY_WORDS = content_words("working work works rostered shift shifts rota doing")


def _on_duty(store: Any, table: str, day: str, lowered: str, filters: dict[str, list[str]],
             excluded: dict[str, list[str]]) -> tuple[tuple[str, bool] | None, set[str]]:
    """Keeps a rota's rows to those working on ``day`` (its column), or off when the question says
    so: the cells that say "off" (``filters``, or ``excluded`` for those working), else the blank
    ones (returned as the column's blank, with the words accounted for)."""
    off = [v for (v,) in store.cursor().execute(
        f"SELECT DISTINCT {quote_ident(day)} FROM {quote_ident(table)} WHERE {quote_ident(day)} IS NOT NULL")
        .fetchall() if re.match(ABSENT_CELL, str(v).lower())]
    is_off = _OFF_DUTY.search(lowered) is not None
    words = _ON_DUTY_WORDS | (_NOT_WORDS if is_off else set())
    if off:
        (filters if is_off else excluded)[day] = off
        return None, words
    return (day, is_off), words


def _named_for(table: str, period: Period) -> bool:
    """Whether a table with no date column is named for a day, month or year within ``period``
    (rota_w_c_23_nov_2026 for "this week", budget_2026 for "this year"): its rows are of then."""
    m = _NAME_DATE.search(table.lower())
    if m is None:
        return False
    year, month = int(m["year"]), _month_number(m["month"]) if m["month"] else None
    days = _month_days(year, month)[1].day if month else 0
    day = dt.date(year, month, int(m["day"])) if month and m["day"] and 1 <= int(m["day"]) <= days else None
    if period.weekdays:
        return False
    if period.span is not None:
        start, end = period.span
        first = day or dt.date(year, month or 1, 1)
        last = day or (_month_days(year, month)[1] if month else dt.date(year, 12, 31))
        return start <= first and last < end
    if period.years and year not in period.years:
        return False
    return not period.months or month in period.months


_NAME_DATE = re.compile(rf"(?:^|_)(?:(?P<day>\d{{1,2}})_)?(?:(?P<month>{'|'.join(MONTHS)}|{SHORT_MONTHS})_)?"
                        r"(?P<year>(?:19|20)\d\d)(?:_|$)")


def _said_not(lowered: str, words: set[str]) -> bool:
    """Whether the question says "not" (or "n't", "never") right before one of ``words`` (stems)."""
    said = [t for t in re.findall(r"[\w'’]+", lowered) if stem(t) in words]
    return any(re.search(_NOT + r"(?:\w+\s+)?(?:(?:the|their|a|an|his|her|my|our|your|its|any)\s+)?"
                         + re.escape(t) + r"\b", lowered) for t in said)  # "not paid the deposit"


def _verb_of(word: str, table: str) -> bool:
    """Whether a stem of the question is the table's noun as a verb, by their first five letters or
    more: "enrolled" (enroll) and "enrol" of enrolments (enrolm); "sell" of sales is in _EVENT_VERBS."""
    noun = table_noun(table)
    word = word[:-1] if len(word) > 5 and word[-1] == word[-2] else word  # "enroll": enrol
    return len(word) >= 5 and noun != word and noun.startswith(word)


# "live in Basel", "come from Germany": a verb of where someone is, before a value kept
_PLACE_VERB = (r"\b(lives?|living|lived|comes?|came|coming|based|located|situated|resides?|residing)\s+"
               r"(?:in|from|at|near)\s+")
# A verb of saying before a value kept: "how many people said i was too expensive" of outcome "too expensive"
_SAYING_VERB = (r"\b(said|says|say|saying|told me|tell me|replied|answered|mentioned|wrote|complained)\s+"
                r"(?:(?:that|it|i|we|you|they|he|she|was|were|is|are|am|be|been)\s+){0,3}")


def _said_of_values(lowered: str, values: set[str]) -> set[str]:
    """The words of a verb of place said before a value kept ("live in Basel", "come from Germany",
    "based in Zurich"), or of saying ("said i was too expensive"): accounted for by the value, as
    "are in Basel" or "whose outcome is too expensive" would be."""
    folded_question = fold(lowered)
    return set().union(*(content_words(m.group(1)) for v in values for verb in (_PLACE_VERB, _SAYING_VERB)
                         for m in re.finditer(verb + re.escape(fold(v)) + r"\b", folded_question)))


# A date column that says when a row was paid; empty while it is not: "which enrolments haven't been paid?"
PAID_NAME = re.compile(r"(?:^|_)(?:paid|payment|received|settled)(?:_|$)")
_PAID = re.compile(r"\b(?:paid|received|settled)\b|\bdid\b.*\bpay\b")
_UNPAID_WORDS = content_words("unpaid outstanding unsettled still yet owe owes owed owing")
# "which invoices are overdue": not paid, and due before today (by a due date column, else as a status says)
_OVERDUE = re.compile(r"\b(?:overdue|past due|late)\b")
_DUE_NAME = re.compile(r"(?:^|_)(?:due|deadline|pay_by)(?:_|$)")  # due, due_date, due_on


def _unpaid(lowered: str) -> bool:
    return bool(re.search(_NOT + r"(?:been\s+)?(?:paid|received|settled)\b|"
                          r"\b(?:unpaid|outstanding|unsettled|owes?|owed|owing)\b", lowered))


# A status whose value says a row is paid ("Paid"): what is still owed is every other row
# ("Unpaid", "OVERDUE", "Part paid", "Sent"), not only those whose value is the word said ("unpaid")
_PAID_VALUES = frozenset({"paid", "paid in full", "settled", "received"})
# and "paid late", "paid (cash)": paid, whatever else is said; a debt written off is owed no more
_PAID_AFTER = re.compile(r"^\s*paid\b(?!\s*(?:-\s*)?(?:part|in part|partly|partially|half|some)\b)")
_FORGIVEN_VALUES = frozenset({"written off", "written-off", "write off", "write-off", "waived", "bad debt"})
_PARTLY = re.compile(r"\bpart(?:ly|ially)?\b|\bpartial")
_OWING_WORDS = content_words("owe owes owed owing money")  # and "right now" (_ONGOING_WORDS)


def _due_column(info: Any, lowered: str) -> str | None:
    """The one date column that says when a row falls due, when the question asks what is overdue."""
    if not _OVERDUE.search(lowered):
        return None
    due = [c.name for c in info.columns if c.type.upper() == "DATE" and _DUE_NAME.search(c.name.lower())]
    return due[0] if len(due) == 1 else None


def _owing(store: Any, info: Any, lowered: str, overdue: bool = False) -> tuple[str, list[str], list[str]] | None:
    """The text column of few values one of which says paid, those paid values and all its values,
    when the question asks what is not paid ("who still owes me money", "unpaid", "outstanding"),
    or is ``overdue`` (asks what is overdue of a table with a due date)."""
    if not (overdue or _unpaid(lowered)):
        return None
    for column in (c.name for c in info.columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS):
        values = _category_column(store, info.name, column)
        paid = [v for v in values if _says_paid(v)]
        if any(fold(v).strip() not in _PAID_VALUES and _said_value(fold(v), fold(lowered)) for v in paid):
            return None  # "who paid late this year": the rows "paid late", not what is owed
        if paid and len(values) > len(paid):
            return column, paid, values
    return None


def _says_paid(value: str) -> bool:
    """Whether a status cell says paid ("Paid", "paid late", "settled"), not part paid."""
    folded = fold(value).strip()
    return folded in _PAID_VALUES or bool(_PAID_AFTER.match(folded)) and not _PARTLY.search(folded)


def _keep_owed(store: Any, info: Any, lowered: str, owing: tuple[str, list[str], list[str]],
               filters: dict[str, list[str]], excluded: dict[str, list[str]]) -> list[str]:
    """Keeps the rows ``owing``'s column says are not paid, nor void (in place: the value said
    gives way, unless it is the only one owed, "unpaid"); returns the values that say part paid,
    whose rows count whole."""
    column, paid, values = owing
    void = dict(_void_columns(store, info, lowered))
    left_out = paid + ([] if _VOID_SAID.search(lowered) else void.get(column, []))
    left_out += [v for v in values if fold(v).strip() in _FORGIVEN_VALUES]  # "written off": owed no more
    owed = {fold(v) for v in values} - {fold(v) for v in left_out}
    if not owed or {fold(v) for v in filters.get(column, [])} != owed:  # (nothing owed: every row left out)
        filters.pop(column, None)
        excluded[column] = left_out
    return sorted(v for v in values if _PARTLY.search(fold(v)))


# A date column that says when a row was done; empty while it is not: "which repairs are still open?"
_DONE_NAME = re.compile(r"(?:^|_)(?:fixed|done|resolved|closed|completed|finished|repaired|returned)(?:_|$)")
_DONE = re.compile(r"\b(?:fixed|resolved|closed|completed|finished|repaired)\b")
_DONE_WORDS = content_words("open still yet outstanding pending unresolved unfixed")


def _undone(lowered: str) -> bool:
    return bool(re.search(_NOT + r"(?:been\s+)?(?:fixed|resolved|closed|completed|finished|repaired|done)\b|"
                          r"\b(?:still open|open|unresolved|unfixed|outstanding|pending)\b", lowered))


# A date column that says when something stopped; empty while it goes on: "which meds is he still
# taking?", "what are we renting right now?" (end_date empty); "which has he stopped?" (filled in)
_ENDED_NAME = re.compile(r"(?:^|_)(?:stopped|stop|ended|end|ends|discontinued|cancelled|canceled|until)(?:_|$)")
_ENDED = re.compile(r"\b(?:stopped|ended|discontinued|cancelled|canceled|came off|come off|no longer)\b")
_ONGOING = re.compile(r"\b(?:still|currently|at the moment|right now|ongoing|at present)\b")
_ONGOING_WORDS = content_words("still currently moment right now ongoing present taking using having")


def _ongoing(lowered: str) -> bool:
    return bool(_ONGOING.search(lowered))


# (the date column's name, "not yet" said, "done" said, the words "not yet" accounts for, a value saying it)
# A date until which a row is paid ("paid up to", paid_until): before today, it is not paid
_THROUGH_NAME = re.compile(r"(?:^|_)(?:up_to|until|till|thru|through)(?:_|$)")
_STATES = ((PAID_NAME, _unpaid, _PAID.search, _UNPAID_WORDS, "paid"),
           (_DONE_NAME, _undone, _DONE.search, _DONE_WORDS, "open"),
           (_ENDED_NAME, _ongoing, _ENDED.search, _ONGOING_WORDS, "current"))


def _payment_state(store: Any, info: Any, lowered: str, dated: str | None, said: list[str],
                   overdue: bool = False) -> tuple[tuple[str, bool] | None, set[str]]:
    """Rows kept to those paid (or done) or not by the one date column that says when a row was
    paid (paid_on; or fixed, closed …): "haven't been paid yet", "unpaid", "still open" (and what is
    ``overdue``) keep those where it is empty, "paid", "received", "did … pay", "fixed" those where
    it is filled in (when some are not). Nothing when a value says it (a status "paid"), when the
    period asked is of that column, or with no such column. Returns (column, empty) or None, and
    the words it accounts for."""
    for name, undone, done, words, value in _STATES:
        empty = undone(lowered) or overdue and name is PAID_NAME
        if any(value in fold(v) for v in said) or not empty and not done(lowered):
            continue
        dates = [c.name for c in info.columns if c.type.upper().startswith(("DATE", "TIMESTAMP"))
                 and name.search(c.name.lower())]
        if len(dates) != 1 or dates[0] == dated:
            continue
        if not empty and not _any_row(store, info.name, f"{quote_ident(dates[0])} IS NULL"):
            continue  # every row is paid: "where paid on is filled in" would say nothing
        return (dates[0], empty), (_NOT_WORDS | words if empty else set())
    return None, set()


# "no phone", "without an email address", "missing a due date": the rows where that column is blank
# "who hasn't done the acids homework", "not handed in the rp1 write up": its blank cells
_MISSING = re.compile(r"\b(?:no|without|missing|lacking|lack|(?:(?:don|doesn|didn|haven|hasn)['’]?t|do not|does not|"
                      r"did not|have not|has not)\s+(?:have|has|got)(?:\s+got)?|"
                      r"(?:(?:didn|haven|hasn)['’]?t|did not|have not|has not|not)\s+(?:yet\s+)?"
                      r"(?:done|handed in|submitted|completed|turned in|sent in|given in|returned))"
                      r"\s+(?:an?\s+|any\s+|the\s+|their\s+|his\s+|her\s+)?(\w+)(?:\s+(\w+))?")
_MISSING_WORDS = content_words("no without missing lacking lack any don doesn didn haven hasn not have has got "
                               "hasnt havent didnt yet done handed submitted completed turned sent given returned")


# Rows that do not count: an invoice "VOID" (reissued as another), a booking "cancelled"
_VOID_VALUES = ("void", "voided", "cancelled", "canceled", "superseded", "withdrawn")
_VOID_SAID = re.compile(r"\b(?:void\w*|cancel\w*|supersed\w*|withdrawn|refund\w*)\b")
# and a yes/no column that says so: a ticket "refunded", a booking "cancelled"
_VOID_FLAG = re.compile(r"(?:^|_)(?:void|voided|cancell?ed|withdrawn|refunded)(?:_|$)")


def _voided(store: Any, info: Any, lowered: str, filters: dict[str, list[str]],
            excluded: dict[str, list[str]]) -> tuple[str, list[str]] | None:
    """The text column whose cells say a row does not count ("VOID", "Cancelled"), and those
    values: rows left out of what is added up, counted or listed, unless the question says them
    or picks that column's values itself."""
    if _VOID_SAID.search(lowered):
        return None
    found = _void_columns(store, info, lowered)
    return next(((c, vs) for c, vs in found if c not in filters and c not in excluded), None)


# Rows that owe nothing while they rest: "who hasn't paid for their box" is not the paused customers
_IDLE_VALUES = ("paused", "on hold", "suspended", "inactive")


# Rows that are not among those one has now: "how many pupils have i got at the moment" is not
# those who left or are paused
_GONE_VALUES = (*_IDLE_VALUES, "left", "former", "lapsed", "ended", "stopped", "finished", "closed", "archived")
_HAVE_NOW = re.compile(r"\b(?:have|has)\s+(?:i|we)\s+got\b|\b(?:do|does)\s+(?:i|we)\s+have\b|\b(?:i|we)\s+have\b|"
                       r"\b(?:i|we)(?:'ve|ve)\s+got\b")


def _void_columns(store: Any, info: Any, lowered: str) -> list[tuple[str, list[str]]]:
    """The text columns whose cells say a row does not count, with those values; asked what is
    owed, also the cells that say a row is paused, and asked what one has now, those that say
    it is paused or has ended."""
    found = store.remembered(("voided", info.name), functools.partial(_void_cells, store, info, _VOID_VALUES))
    now = bool(NOW.search(lowered) or _HAVE_NOW.search(lowered) or _WHO_ARE.match(lowered))  # "who are my pupils"
    if not _unpaid(lowered) and not now:
        return list(found)
    resting = _GONE_VALUES if now else _IDLE_VALUES
    idle = dict(store.remembered((resting, info.name), functools.partial(_void_cells, store, info, resting)))
    merged = [(c, vs + idle.pop(c, [])) for c, vs in found]
    return merged + list(idle.items())


def _void_flags(info: Any, lowered: str, flags: dict[str, bool]) -> dict[str, bool]:
    """The yes/no columns whose yes says a row does not count (refunded, cancelled), each no:
    "how much did i make from workshop tickets" leaves out the refunded ones, unless the
    question says them or picks that column itself."""
    if _VOID_SAID.search(lowered):
        return {}
    return {c.name: False for c in info.columns
            if c.type.upper() == "BOOLEAN" and c.name not in flags and _VOID_FLAG.search(c.name.lower())}


def _void_cells(store: Any, info: Any, values: tuple[str, ...]) -> list[tuple[str, list[str]]]:
    texts = [c.name for c in info.columns if c.type.upper() == "VARCHAR" and c.name not in ROW_FIELDS]
    if not texts:
        return []
    void = ", ".join(quote_literal(v) for v in values)
    picked = ", ".join(f"list(DISTINCT trim({quote_ident(c)})) FILTER (WHERE lower(trim({quote_ident(c)})) IN ({void}))"
                       for c in texts)
    row = store.cursor().execute(f"SELECT {picked} FROM {quote_ident(info.name)}").fetchone()
    return [(c, sorted(vs)) for c, vs in zip(texts, row, strict=True) if vs]


def _any_row(store: Any, table: str, where: str) -> bool:
    """Whether a row of ``table`` meets the SQL condition ``where``."""
    return bool(store.cursor().execute(f"SELECT EXISTS (SELECT 1 FROM {quote_ident(table)} WHERE {where})")
                .fetchone()[0])


def _says_no(store: Any, table: str, column: str) -> bool:
    """Whether a yes/no column has a no in it (not only yes and blanks)."""
    return _any_row(store, table, f"NOT {quote_ident(column)}")


def _missing(lowered: str, columns: Sequence[Any],
             says_no: Callable[[str], bool] = lambda column: False) -> tuple[tuple[str, bool] | None, set[str]]:
    """As ``_payment_state``: (the column said to be blank, True) for "no phone number" and the
    like, the one column the word after "no" names (or, when it names none, the one the next word
    names), and the words it accounts for; (None, set()) when there is none."""
    for m in _MISSING.finditer(lowered):
        for word in m.groups():
            said = content_words(word or "") - TABLE_WORDS
            # (a yes/no column with noes in it: "not got the form back" is its no, not its blanks, ``_flags``)
            named = [c.name for c in columns if said and said <= column_words(c.name, lowered)]
            if any(c.type.upper() == "BOOLEAN" and says_no(c.name) for c in columns if c.name in named):
                break
            if len(named) == 1:
                return (named[0], True), _MISSING_WORDS
            if named:
                break
    return None, set()


# A yes/no column that keeps the reply to an invitation (rsvp, attending, confirmed): empty while
# there is none, so "said no" is its no, not "not yes", and "hasn't replied" its empty cells
_REPLY_NAME = re.compile(r"(?:^|_)(?:rsvp|rsvpd|repl(?:y|ied)|respon(?:se|ded)|attending|coming|confirmed|accepted)"
                         r"(?:_|$)")
_NEG = r"(?:(?:has|have|did|do|does|had)n['’]?t|(?:has|have|did|do|does)\s+not|not|yet\s+to|still\s+to)\s+(?:yet\s+)?"
_REPLIED = r"(?:repl(?:y|ied)|respond(?:ed)?|answer(?:ed)?|rsvp['’]?d|rsvped|got\s+back)"
_REPLIES = (("blank", re.compile(_NEG + _REPLIED + r"\b|\bno\s+(?:reply|response|answer|rsvp)\b")),
            ("no", re.compile(r"\b(?:said|say|says|replied|answered|rsvp|rsvp['’]?d|rsvped)\s+no\b|\bdeclined\b|"
                              r"\b(?:can['’]?t|cannot|can\s+not|won['’]?t|not)\s+(?:be\s+)?(?:come|coming|attend(?:ing)?)\b")),
            ("yes", re.compile(r"\b(?:said|say|says|replied|answered|rsvp|rsvp['’]?d|rsvped)\s+yes\b|\baccepted\b|"
                               r"\b(?:is|are|['’]s|['’]re|who)\s+(?:coming|attending)\b|\bconfirmed\b")),
            ("filled", re.compile(r"\b" + _REPLIED + r"\b")))
_REPLY_WORDS = content_words("said say says replied reply replies responded response answered answer rsvp rsvpd "
                             "rsvped got back yes no declined accepted coming come attending attend confirmed can "
                             "cannot won will be yet still not haven hasn didn don doesn hadn")


def _asks_reply(lowered: str) -> bool:
    return any(pattern.search(lowered) for _, pattern in _REPLIES)


def _reply(store: Any, info: Any, lowered: str) -> tuple[tuple[str, str] | None, set[str]]:
    """(the one reply column, "yes", "no", "blank" or "filled") for "said yes", "can't come",
    "hasn't replied" and "replied" when the table has one such column (and, for the last two, some
    rows without a reply), and the words it accounts for; (None, set()) otherwise."""
    replies = [c.name for c in info.columns if c.type.upper() == "BOOLEAN" and _REPLY_NAME.search(c.name.lower())]
    state = next((state for state, pattern in _REPLIES if pattern.search(lowered)), None) if len(replies) == 1 \
        else None
    if state in ("blank", "filled") and not _any_row(store, info.name, f"{quote_ident(replies[0])} IS NULL"):
        return None, set()  # replies sent in (a form's): none is missing one
    return ((replies[0], state), _REPLY_WORDS) if state else (None, set())


_JOINED_NAME = re.compile(r"(?:^|_)(?:registered|registration|joined|signup|signed|subscribed)(?:_|$)")
_JOINING = re.compile(r"\b(?:(new)\s+(?:\w+\s+)?)?(signed up|sign up|signups?|registered|register|joined|join|"
                      r"subscribed)\b")


def _said_of_joining(lowered: str, dated: str | None) -> set[str]:
    """"signed up", "joined", "registered" (and "new" before what joined) when the month or year
    asked is of the date something joined (registered_on, joined): the words its period accounts for."""
    if dated is None or not _JOINED_NAME.search(dated.lower()):
        return set()
    return set().union(*(content_words(" ".join(w for w in m.groups() if w)) for m in _JOINING.finditer(lowered)))


def _kept_to_currencies(codes: set[str], currency: tuple[str, dict[str, str]] | None,
                        filters: dict[str, list[str]], excluded: dict[str, list[str]]) -> bool:
    """Keeps the rows to the currencies the question says ("in euros": currency is EUR) when the
    table has a currency column; False when it holds none of them ("in dollars") or the question
    also says "not" of one."""
    if not codes or currency is None:
        return True
    column, values = currency
    if not codes <= values.keys() or column in excluded:
        return False
    filters[column] = [values[c] for c in sorted(codes)]
    return True


# the parts of a column's name that say its unit: "turbidity_ntu", "do_mg_l", "water_temp_c"
_UNIT_PARTS = frozenset({"pct", "percent", "perc", "pc", "pts"} | set(UNIT_OF) | {c.lower() for c in _CURRENCY_CODES}
                        | set("ntu mg ug ng ml ul us ms cm mm g c f degc ppm ppb psi kpa hpa mv kw kwh mph kph db "
                              "rpm bpm lux".split())
                        | {"am", "pm"})  # and the time of day a reading was taken: freezer_am is the freezer's


def _unitless(name: str) -> str:
    """A column's name without the parts that say its unit ("do_mg_l": "do"; "km": nothing)."""
    return " ".join(p for p in name.lower().split("_") if p not in _UNIT_PARTS)


def _names_measure(name: str, words: set[str], lowered: str) -> bool:
    """The question names the number column ``name`` whole, but for its unit: "turbidity" of
    turbidity_ntu, or the words its short name stands for ("dissolved oxygen" of do_mg_l)."""
    base = _unitless(name)
    if not base and is_time_unit(name):  # a column that is only its unit of time ("hrs") is named by it, however spelt
        return bool(column_words(name, lowered) & words)
    if base and (unit := UNIT_OF.get((_counted(lowered) or [""])[-1])) and unit in {
            UNIT_OF.get(p, p) for p in name.lower().split("_") if p in _UNIT_PARTS}:
        return True  # "how many miles did i do" of miles_return: what is counted, of what (not a bare "km" reading)
    named = {w for w in content_words(base) - _OP_WORDS if not w.isdigit()}  # "the atomic test" of atomic_test_40
    return bool(named) and named <= words or bool(base) and bool(spelled_out(base.replace(" ", ""), lowered))


_MEMBERS = re.compile(r"\b(\w+)\s+(members?|people|persons?)\b")


def _members_of(lowered: str, own: set[str]) -> set[str]:
    """"members" of "staff members", "cast members": a word for the rows a table name says."""
    return {stem(m[2]) for m in _MEMBERS.finditer(lowered) if stem(m[1]) in own}


def _only_income(columns: Sequence[Any]) -> bool:
    """Whether every money column is money taken in (gross, sales, revenue_gbp)."""
    money = [n for n in _measures(columns) if MONEY_NAME.search(n.lower())]
    if any(_NET_NAME.search(n.lower()) for n in _measures(columns)):
        return False  # gross beside net is an amount with its tax, spent or taken in
    return bool(money) and all(_INCOME_NAME.search(n.lower()) for n in money)


_NET_NAME = re.compile(r"(?:^|_)net(?:_|$)")
_CLIENT_NAME = re.compile(r"(?:^|_)(?:clients?|customers?|patients?|guests?)(?:_|$)")
_SPENT_NAME = re.compile(r"(?:^|_)(?:costs?|expenses?|spend|spent|parts|materials?|supplies|wages|paid_out|out)(?:_|$)")


def _clients_pay(columns: Sequence[Any]) -> bool:
    """Whether the table's money is what its clients pay: a column of clients and none of money
    spent (a bookings sheet's fee and deposit; not a job sheet's parts_cost)."""
    money = [n for n in _measures(columns) if MONEY_NAME.search(n.lower())]
    return bool(money) and any(_CLIENT_NAME.search(c.name.lower()) for c in columns) and not any(
        _SPENT_NAME.search(n.lower()) for n in money)


def _measure_said(words: set[str], columns: Sequence[Any], lowered: str = "") -> bool:
    """Whether the question names a number column, but for its unit ("the average discount" of
    discount_pct): that names its table, as the table's own name would; not by a word any money
    question says ("how much does it cost?" names no table with a cost column)."""
    return any(_names_measure(name, words, lowered) for name in _measures(columns))


def _names_a_column(word: str, columns: Sequence[Any], lowered: str) -> bool:
    """Whether ``word`` (after "the most") names a column: "sessions" the session of attendance."""
    return any(stem(word) in column_words(c.name, lowered) for c in columns)


def _names_a_measure(word: str, columns: Sequence[Any]) -> bool:
    """Whether ``word`` (after "the most") names a number column: "hours" the hours of teacher_hours
    (not "court" of court 1-4: "the most court bookings" are counted)."""
    return any(stem(word) in content_words(n.replace("_", " ")) for n in _measures(columns)
               if not _LABEL_NAME.search(n.lower()))


_AUXILIARIES = frozenset("has have had did does do was were is are".split())
_PARTICLES = frozenset("in up out on off away through".split())


def _verb_before_most(lowered: str, most: re.Match[str]) -> set[str]:
    """The words between "who" (or "which X") and "the most" when they are one verb, perhaps with a
    helper or a particle ("brought in", "has worked"): what each group did. None when more is said
    there ("which customer in Zurich brought …"), which must be accounted for on its own."""
    top = _TOP_OF.search(lowered)
    if top is None or top.end() > most.start():
        return set()
    between = lowered[top.end():most.start()].split()
    while between and between[0] in _AUXILIARIES:
        between = between[1:]
    if between and between[-1] in _PARTICLES:
        between = between[:-1]
    return content_words(between[0]) if len(between) == 1 else set()


def _group_column(lowered: str, columns: Sequence[Any]) -> tuple[str, str] | None:
    """The text column "who" or "which X" groups by, and the question's word for it: a column
    that names people for "who" (paid_by, owner), the column called X for "which X" ("which
    client"), or "month" for the months of the only date column."""
    said = _TOP_OF.search(lowered)
    if said is None:
        return None
    if said.group(1) is None:  # who
        texts = [c.name for c in columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS]
        people = _not_codes([t for t in texts if PERSON.search(t.lower())])
        # of several ("member", "coach"), the one the question names, else the first: the rows'
        # own subject comes before the others (date, session, member, coach)
        chosen = [t for t in people if column_words(t, lowered) & content_words(lowered)] or people[:1]
        return (chosen[0], "who") if len(chosen) == 1 else None
    key = _grouped_by(said.group(1), columns, lowered)
    return (key, said.group(1)) if key else None


def _grouped_by(word: str, columns: Sequence[Any], lowered: str) -> str | None:
    """What "which X" or "each X" groups by: the text column called X ("which client"), or for
    "month" the months of the date column (an SQL expression); None when not one column."""
    if stem(word) == stem("month") and (dated := _date_column(columns, lowered)) is not None:
        return f"strftime({quote_ident(dated)}, '%Y-%m')"
    texts = [c.name for c in columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS
             or _LABEL_NAME.search(c.name.lower())]  # "which court": court 1-4
    named = _not_codes([t for t in texts if stem(word) in content_words(t.replace("_", " ")) | short_for(t)])
    return named[0] if len(named) == 1 else None


_EACH = re.compile(r"\b(?:each|every|per|by) (\w+)")


def _each_group(lowered: str, columns: Sequence[Any]) -> tuple[str, str] | None:
    """The group "each X", "per X" or "by X" asks a total of ("how much did we take each month?",
    "hours per teacher"), and the word X; None when X names no one column."""
    for m in _EACH.finditer(lowered):
        if key := _grouped_by(m.group(1), columns, lowered):
            return key, m.group(1)
    return None


_CODE_NAME = re.compile(r"(?:^|_)(?:id|ids|code|codes|no|nr|number|num|key|ref)$")


def _not_codes(columns: list[str]) -> list[str]:
    """Of several columns a group word names, those that are not ids or codes ("which student":
    student_name, not student_id); the columns as they are when that leaves none."""
    named = [c for c in columns if not _CODE_NAME.search(c.lower())]
    return named if len(columns) > 1 and named else columns


def _measures(columns: Sequence[Any]) -> list[str]:
    """The number columns that can be added up or compared (not ids, years or phone numbers)."""
    return [c.name for c in columns if c.type.upper().startswith(NUMERIC_TYPES) and not _NOT_MEASURES.search(c.name)
            and c.name not in ROW_FIELDS]


def _compared_column(compared: Comparison, measure: str | None, columns: Sequence[Any], lowered: str,
                     embed: EmbedFn | None) -> str | None:
    """The numeric column a comparison is about: the money column for euros, the column named for a
    unit ("more than 10 km": distance_km), else the column added up, else a table's only number.
    Compared with another column, a number of the same kind where there is one: money with money,
    else not money ("below their reorder level": qty, not unit_price)."""
    numeric = [n for n in _measures(columns) if n != compared.column]
    if compared.column and measure is None:
        money = bool(MONEY_NAME.search(compared.column.lower()))
        numeric = [n for n in numeric if bool(MONEY_NAME.search(n.lower())) == money] or numeric
    a, b = compared.span  # the column named before it ("a deposit over 2500") or in it ("floor 1")
    before = content_words(" ".join(lowered[:a].split()[-3:]) + " " + lowered[a:b])
    if len(named := [n for n in numeric if column_words(n, lowered) & before]) == 1:
        return named[0]
    if compared.column:
        return measure or (numeric[0] if len(numeric) == 1 else None)
    if compared.unit in _CURRENCY and embed is not None:
        return _money_column(numeric, embed, lowered)
    if compared.unit:
        found = _counted_unit(f"how many {compared.unit}", numeric)
        return found[0] if found else None
    if measure is not None:
        return measure
    if MONEY.search(lowered) and embed is not None:
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
    weekdays: list[int] = field(default_factory=list)  # "on a saturday": 5 (as date.weekday())

    def __bool__(self) -> bool:
        return bool(self.months or self.years or self.span or self.weekdays)

    def sql(self, column: str) -> list[str]:
        days = ([f"isodow({quote_ident(column)}) IN ({', '.join(str(d + 1) for d in self.weekdays)})"]
                if self.weekdays else [])
        if self.span is not None:
            return [f"{quote_ident(column)} >= DATE '{self.span[0]}'",
                    f"{quote_ident(column)} < DATE '{self.span[1]}'", *days]
        clauses = [f"month({quote_ident(column)}) IN ({', '.join(map(str, self.months))})"] if self.months else []
        return clauses + ([f"year({quote_ident(column)}) IN ({', '.join(map(str, self.years))})"]
                          if self.years else []) + days

    def said(self) -> str:
        """"in March", "in February to April 2025", "from November 2024 to February 2025", "on a
        Saturday in November"."""
        days = " or ".join(WEEKDAYS[d].title() for d in self.weekdays)
        when = self._when()
        return f"on a {days}" + (f" {when}" if when else "") if days else when

    def _when(self) -> str:
        if self.span is not None and self.span[1] == dt.date.max:
            return f"from {self.span[0]:%d %B %Y} on"
        if self.span is not None:
            last = self.span[1] - dt.timedelta(days=1)
            if last == self.span[0]:
                return f"on {last:%d %B %Y}"
            if self.span[0].day != 1 or self.span[1].day != 1:  # a week: its days
                return f"from {self.span[0]:%d %B %Y} to {last:%d %B %Y}"
            return f"from {self.span[0]:%B %Y} to {last:%B %Y}"
        if not self.months and not self.years:
            return ""
        run = _run_of(self.months)
        months = (f"from {MONTHS[run[0] - 1].title()} to {MONTHS[run[-1] - 1].title()}" if run
                  else "in " + " or ".join(MONTHS[m - 1].title() for m in self.months))
        years = " or ".join(map(str, self.years))
        return f"{months} {years}" if self.months and years else months if self.months else f"in {years}"


def _from_last_date(plan: Plan, said: str, again: Callable[[dt.date], Plan | None], last: dt.date | None) -> Plan:
    """``plan``, whose "this year" (``said``) lies past all its table's dates, counted instead from
    ``last``, the last date of the newest table that could answer (``again``), saying so: a bank
    statement that ends in August 2024, asked in 2026 "what have we spent this year?", is added up
    for 2024. A table with no date in that year is left as it was (outside the period)."""
    later = again(last) if last is not None else None
    if later is None or later.outside or last is None:
        return plan
    note = f" (“{said}” counted from its last date, {last.day} {last:%B %Y}, as nothing in it is that recent)"
    head, colon = (later.about[:-1], ":") if later.about.endswith(":") else (later.about, "")
    later.about = head + note + colon
    return later


def _last_date(store: Any, table: str, column: str) -> dt.date | None:
    found = store.cursor().execute(f"SELECT max({quote_ident(column)})::DATE FROM {quote_ident(table)}").fetchone()
    return found[0] if found else None


def _outside(store: Any, table: str, column: str, period: Period) -> str:
    """" (its dates run from 8 January 2025 to 30 September 2026)" when the years or span asked
    lie wholly outside the dates ``column`` holds: "how many students in 2023?" of a table that
    starts in 2025 is not answered "0" without saying why; else ""."""
    low, high = store.cursor().execute(f"SELECT min({quote_ident(column)})::DATE, max({quote_ident(column)})::DATE "
                                       f"FROM {quote_ident(table)}").fetchone()
    if low is None:
        return ""
    if period.span is not None:
        asked = [(period.span[0], period.span[1] - dt.timedelta(days=1))]
    elif period.years:  # "in July 2024" of months from January to June 2024: each month asked
        asked = [_month_days(y, m) for y in period.years for m in period.months] or [
            (dt.date(min(period.years), 1, 1), dt.date(max(period.years), 12, 31))]
    elif period.months:  # a month alone comes round every year: in none of the table's years
        asked = [_month_days(y, m) for y in range(low.year, high.year + 1) for m in period.months]
    else:
        return ""
    if any(low <= last and first <= high for first, last in asked):
        return ""
    return f" (its dates run from {low.day} {low:%B %Y} to {high.day} {high:%B %Y})"


def _month_days(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The first and last day of ``month`` of ``year``."""
    return dt.date(year, month, 1), dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


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


_MONTH_WORD = rf"({'|'.join(MONTHS)}|{SHORT_MONTHS})\.?"
# "between February and April", "from Nov 2024 to Feb 2025", "March–May": every month from one to the other
_RANGE = re.compile(rf"\b(?:between |from )?{_MONTH_WORD}(?: ((?:19|20)\d\d))?\s*(?:and|to|through|thru|till|until|"
                    rf"-|–|—)\s*{_MONTH_WORD}(?: ((?:19|20)\d\d))?\b")
# "yesterday", "today", "last saturday": that one day
_ONE_DAY = re.compile(rf"\b(yesterday|today|tonight|last night|last ({'|'.join(WEEKDAYS)}))\b")
# "since September", "since sept 2025": from its first day until today
_SINCE = re.compile(rf"\bsince (?:the (?:start|beginning) of )?{_MONTH_WORD}(?: ((?:19|20)\d\d))?\b")
# "Q1", "the first quarter", "the second half of 2025"
_PART = re.compile(r"\b(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th|last) (quarter|half))\b")
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def months_named(lowered: str) -> list[int]:
    """The months a (lower-case) question names, 1-12, in order ("in June", "Sept 2025")."""
    return list(dict.fromkeys(_month_number(a or b or c) for a, b, c in _MONTH.findall(lowered)))


def month_of(word: str) -> int | None:
    """The month (1-12) a lower-case word names, whole or its start ("sept"); None for another word."""
    return next((i for i, name in enumerate(MONTHS, 1) if name.startswith(word)), None)


def _month_number(word: str) -> int:
    month = month_of(word)
    assert month is not None, word  # only words the month patterns matched come here
    return month


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
    if since := _SINCE.search(lowered):
        return _since(since, today)
    if day := _ONE_DAY.search(lowered):
        return _one_day(day, today)
    if onward := _NEXT_ONE.search(lowered) or _AHEAD.search(lowered):  # "my next wedding": from today on
        return Period(span=(today or dt.date.today(), dt.date.max), words=content_words(onward[0]) | {"next"})
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
    days = [WEEKDAYS.index(d) for d in dict.fromkeys(m[1] for m in _ON_WEEKDAY.finditer(lowered))]
    words |= set().union(*(content_words(m[0]) for m in _ON_WEEKDAY.finditer(lowered)))
    if week := _RELATIVE_WEEK.search(lowered):  # "last week": Monday to Sunday
        today = today or dt.date.today()
        monday = today - dt.timedelta(days=today.weekday(), weeks=int(week[1] == "last"))
        return Period(span=(monday, monday + dt.timedelta(weeks=1)), words=words | content_words(week[0]) | {week[1]},
                      weekdays=days)
    if term := _RELATIVE_TERM.search(lowered):
        return Period(span=_term(today or dt.date.today(), term[1] == "last"), weekdays=days,
                      words=words | content_words(term[0]) | {term[1]})
    if ranged.span is not None:
        return Period(span=ranged.span, words=words, weekdays=days)
    return Period(sorted(months, key=_calendar_order(ranged.months)), sorted(set(ranged.years + years)), words=words,
                  weekdays=days)


def _term(today: dt.date, last: bool) -> tuple[dt.date, dt.date]:
    """The first day of the school term ``today`` is in (or of the one before, when ``last``) and
    the first day of the next: autumn is September to December."""
    starts = [dt.date(today.year + y, m, 1) for y in (-1, 0, 1) for m in _TERM_STARTS]
    now = max(i for i, d in enumerate(starts) if d <= today) - int(last)
    return starts[now], starts[now + 1]


def _one_day(said: re.Match[str], today: dt.date | None) -> Period:
    """The one day "yesterday", "today" or "last saturday" (the latest before today) says."""
    today = today or dt.date.today()
    if said.group(1) in ("today", "tonight"):
        day = today
    elif said.group(1) in ("yesterday", "last night"):
        day = today - dt.timedelta(days=1)
    else:
        weekday = WEEKDAYS.index(said.group(2))
        day = today - dt.timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    return Period(span=(day, day + dt.timedelta(days=1)), words=content_words(said.group(0)) | {"last"})


def _latest_year(store: Any, table: str, column: str, period: Period) -> Period:
    """``period``'s months of the latest year ``column`` holds them in, when it holds them in
    several: "how much did we harvest in oct" of 2025's and 2026's rows is October 2026."""
    months = ", ".join(map(str, period.months))
    first, last = store.cursor().execute(
        f"SELECT min(year({quote_ident(column)})), max(year({quote_ident(column)})) FROM {quote_ident(table)} "
        f"WHERE month({quote_ident(column)}) IN ({months})").fetchone()
    return replace(period, years=[last]) if first is not None and first != last else period


def _since(since: re.Match[str], today: dt.date | None) -> Period:
    """The days from the first of the month said (this year's, or last year's when it is still to
    come) until today."""
    today = today or dt.date.today()
    month = _month_number(since.group(1))
    year = int(since.group(2)) if since.group(2) else today.year - (month > today.month)
    return Period(span=(dt.date(year, month, 1), today + dt.timedelta(days=1)), words=content_words(since.group(0)))


def _calendar_order(run: list[int]) -> Callable[[int], int]:
    """Sorts months as the range said them (November, December, January), others after."""
    return lambda m: run.index(m) if m in run else 12 + m


_NOT = (r"(?:\bnot|n[’']t|\b(?:has|have|had|did|does|do|is|are|was|were|could|would|should|wo|ca)nt|"
        r"\bnever|\bexcluding|\bexcept(?:\s+for)?|\bother than|\bapart from|\bleaving out)"
        r"(?:\s+(?:been|be|yet|fully|all|at|the))*\s+")
_NOT_WORDS = content_words("not never been be yet fully all haven hasn isn aren wasn weren don doesn didn excluding "
                           "hasnt havent hadnt didnt doesnt dont isnt arent wasnt werent couldnt wouldnt shouldnt "
                           "wont cant "
                           "except other apart leaving")
# "who's off on wednesday", "who isn't working": the day's "off" cells (or blank ones)
_OFF_DUTY = re.compile(r"\boff\b|" + _NOT + r"(?:working|in|on|rostered|rota['’]?d|on shift)\b")


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


def _values(store: Any, info: Any, lowered: str, elsewhere: frozenset[str] = frozenset()) -> dict[str, list[str]]:
    """Text columns' values that the question says as whole words (in the singular or the plural):
    ``{column: [values]}``. Cells of two characters only when one is a digit (levels "B1", sizes
    "3L"): two letters ("in", "us", "DE") are too often a word of the question."""
    question = lowered
    lowered = _table_phrase_blanked(_column_phrases_blanked(fold(_other_numbers(lowered)), info.columns), info.name)
    texts = [c.name for c in info.columns if c.type == "VARCHAR"]
    if not texts:
        return {}
    kept = kept_rows(store, info)
    rows = _said_cells(info, kept, lowered) if kept is not None else _said_cells_sql(store, info.name, texts, lowered)
    out: dict[str, list[str]] = {}
    for i, name in enumerate(texts):
        said = [v for c, v in rows if c == i and _said_value(fold(v), lowered)]
        # "car repairs" and "repairs" both said: the longer one is meant
        said = [v for v in said if not any(v != o and words_in(fold(v), fold(o)) for o in said)]
        if said and PERSON.search(name.lower()):
            said += _surnamed(store, info.name, name, said)
        if said:
            out[name] = sorted(said)
    for name, value in _labelled(store, info, lowered, kept):
        out.setdefault(name, [value])
    for name, value in _headed(store, info, fold(question), out, elsewhere):
        out.setdefault(name, [value])
    for name, value in _shortened(store, info, fold(question), out):
        out.setdefault(name, [value])
    return _one_column_each(_within_longer(out, lowered), question)


def _said_value(value: str, lowered: str) -> bool:
    """``value`` (folded) is said in ``lowered`` as whole words; a value of several words in the
    plural too ("no shows" of "no show", "make-ups"): ``lowered`` holds each word's plural (or
    singular) after it, which make no such phrase."""
    plural = "(?:s|es)?" if re.search(r"[\s-]", value.strip()) else ""
    return re.search(rf"\b{re.escape(value)}{plural}\b", lowered) is not None


def _shortened(store: Any, info: Any, lowered: str, said: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(column, value) for a question word a short value begins, of a column named by its values
    ("business" of bus_priv's "Bus", "private" of its "Priv"): a header that lists what it holds."""
    out = []
    for column in (c.name for c in info.columns if c.type == "VARCHAR" and c.name not in said):
        parts = column.lower().split("_")
        values = _category_column(store, info.name, column)
        if len(parts) < 2 or not values or any(fold(v).strip() not in parts for v in values):
            continue
        out += [(column, v) for v in values if len(v) >= 3
                and re.search(rf"\b{re.escape(fold(v).strip())}[a-z]{{2,}}\b", lowered)]
    return out


def _surnamed(store: Any, table: str, column: str, said: list[str]) -> list[str]:
    """The cells of a column of people that write one of the first names ``said`` with a surname,
    where only one person has that first name: "Tom Achebe" beside "Tom" (a log kept over two
    years, the name written out in one of them)."""
    out = []
    for name in (v for v in said if v.isalpha()):
        whole = [v for (v,) in store.cursor().execute(
            f"SELECT DISTINCT {quote_ident(column)} FROM {quote_ident(table)} WHERE {folded(quote_ident(column))} "
            "LIKE ? LIMIT 2", [fold(name) + " %"]).fetchall()]
        if len(whole) == 1 and re.fullmatch(r"[^\W\d_]+ [^\W\d_][\w'-]+", whole[0]):
            out.append(fold(whole[0]) if name == fold(name) else whole[0])
    return out


def _within_longer(found: dict[str, list[str]], lowered: str) -> dict[str, list[str]]:
    """``found`` without a value said only inside a longer one of another column ("Dairy", a
    category, in "dale dairy", a supplier): the question says the supplier, not the category."""
    spans = {(c, v): [m.span() for m in re.finditer(r"\b" + re.escape(fold(v)) + r"\b", lowered)]
             for c, vs in found.items() for v in vs}

    def inside(key: tuple[str, str]) -> bool:
        return bool(spans[key]) and all(any(a <= x and y <= b and (b - a) > (y - x) for o, places in spans.items()
                                            if o[0] != key[0] for a, b in places) for x, y in spans[key])
    kept = {c: [v for v in vs if not inside((c, v))] for c, vs in found.items()}
    return {c: vs for c, vs in kept.items() if vs}


def _headed(store: Any, info: Any, lowered: str, said: dict[str, list[str]],
            elsewhere: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(column, value) for a question word that is the last word of one category value of the
    table and of no other ("his sugar" of a measure "blood sugar" beside "weight"): the thing it
    names. Not a word of an operation, of money, of a column's name or of another table's name
    ("rent" of rent_ledger_2024 is not the expenses' "Ground rent")."""
    named = set().union(*(column_words(c.name, lowered) for c in info.columns))
    named |= content_words(" ".join(v for vs in said.values() for v in vs)) | elsewhere  # "flowers" of flowers
    asked = {stem(w): w for w in re.findall(r"[a-z]{4,}", lowered)
             if _naming(w) and not MONEY.search(w) and not content_words(w) & named and month_of(w) is None}
    heads: dict[str, list[tuple[str, str]]] = {}
    for column in (c.name for c in info.columns if c.type == "VARCHAR" and c.name not in said):
        for value in _category_column(store, info.name, column):
            words = value.lower().split()
            if len(words) > 1:
                heads.setdefault(stem(words[-1]), []).append((column, value))
    return [found[0] for head, found in heads.items() if head in asked and len(found) == 1]


def _category_column(store: Any, table: str, column: str) -> list[str]:
    """The distinct values of a text column of few short values (see ``_category_values``); [] else.
    Kept until the next write: every question that adds up reads them of every text column."""
    def read() -> list[str]:
        values = [v for (v,) in store.cursor().execute(
            f"SELECT DISTINCT {quote_ident(column)} FROM {quote_ident(table)} WHERE {quote_ident(column)} "
            f"IS NOT NULL LIMIT {CATEGORY_VALUES + 1}").fetchall()]
        short = all(_LETTERS_ONLY.fullmatch(v) and len(LETTERS.findall(v)) <= _CATEGORY_WORDS  # "part paid - chasing"
                    for v in values)
        return values if len(values) <= CATEGORY_VALUES and short else []
    return list(store.remembered(("categories", table, column), read))


# a column's name and a short value after it: "flat c", "block 2b", "unit a3"
_LABELLED = re.compile(r"\b([^\W\d_]{3,})\s+([^\W_]{1,3})\b")


def _labelled(store: Any, info: Any, lowered: str,
              kept: list[tuple[int, list[Any], list[str | None]]] | None) -> list[tuple[str, str]]:
    """(column, value) for each short value said right after the name of the text column that holds
    it: "flat c" of a flat column of A, B and C, too short to be found as a word on its own."""
    out = []
    places = text_places(info.columns)
    for m in _LABELLED.finditer(lowered):
        for j, i in enumerate(places):
            name = info.columns[i].name
            if stem(m.group(1)) not in column_words(name, lowered):
                continue
            if kept is not None:
                held = [row[i] for _, row, cells in kept if cells[j] == m.group(2)]
            else:
                held = [v for (v,) in store.cursor().execute(
                    f"SELECT DISTINCT {quote_ident(name)} FROM {quote_ident(info.name)} "
                    f"WHERE {folded(quote_ident(name))} = ? LIMIT 1", [m.group(2)]).fetchall()]
            if held:
                out.append((name, str(held[0])))
    return out


def _column_phrases_blanked(lowered: str, columns: Sequence[Any]) -> str:
    """``lowered`` without the names of columns of several words it says ("fixed by"): there a
    word names the column, not a value ("Fixed" in status)."""
    for column in columns:
        phrase = column.name.replace("_", " ").lower()
        if " " in phrase:
            lowered = re.sub(r"\b" + re.escape(phrase) + r"\b", lambda m: " " * len(m.group()), lowered)
    return lowered


def _table_phrase_blanked(lowered: str, table: str) -> str:
    """``lowered`` without the table's name of several words when it says them in a row ("the
    bridesmaid dresses" of bridesmaid_dresses): they name the table, and "bridesmaid" is then no
    role to keep rows to (it would drop the maid of honour's dress)."""
    parts = [stem(p) for p in table.lower().split("_") if p and not any(c.isdigit() for c in p)
             and p not in DATE_PARTS]
    if len(parts) < 2:
        return lowered
    tokens = list(re.finditer(r"[^\W_]+", lowered))
    for i in range(len(tokens) - len(parts) + 1):
        if [stem(t.group()) for t in tokens[i:i + len(parts)]] == parts:
            a, b = tokens[i].start(), tokens[i + len(parts) - 1].end()
            return lowered[:a] + " " * (b - a) + lowered[b:]
    return lowered


def _one_column_each(found: dict[str, list[str]], question: str) -> dict[str, list[str]]:
    """``found`` with a value that several columns hold ("Paddy Joyce" in reported_by and fixed_by)
    kept only in the one the question names ("did Paddy Joyce fix"); in none when it names none or
    several, so it is left unaccounted for rather than required of every column at once."""
    columns: dict[str, list[str]] = {}
    for column, values in found.items():
        for value in values:
            columns.setdefault(fold(value), []).append(column)
    words = content_words(question)
    out = {column: list(values) for column, values in found.items()}
    for value, holding in columns.items():
        if len(holding) < 2:
            continue
        named = [c for c in holding if column_words(c, question) & words]
        for column in holding if len(named) != 1 else [c for c in holding if c != named[0]]:
            out[column] = [v for v in out[column] if fold(v) != value]
    return {column: values for column, values in out.items() if values}


def _value_cell(cell: str) -> bool:
    """A folded cell that can be a value: three characters up to ``VALUE_CELL``, or two with a digit."""
    return 3 <= len(cell) <= VALUE_CELL or len(cell) == 2 and re.search("[0-9]", cell) is not None


def _said_cells(info: Any, kept: list[tuple[int, list[Any], list[str | None]]], lowered: str) -> list[tuple[int, str]]:
    """(text column's place, value) for each value of a small table kept in memory that ``lowered``
    holds (of values folded alike, the least), as ``_said_cells_sql`` finds them in a large one."""
    places = text_places(info.columns)
    least: dict[tuple[int, str], str] = {}
    for _, row, cells in kept:
        for j, cell in enumerate(cells):
            if cell is not None and _value_cell(cell) and cell in lowered:
                raw = row[places[j]]
                least[j, cell] = min(least.get((j, cell), raw), raw)
    return [(j, v) for (j, _), v in least.items()]


def _said_cells_sql(store: Any, table: str, texts: list[str], lowered: str) -> list[tuple[int, str]]:
    """``_said_cells`` of a large table, by DuckDB."""
    cell = folded("v")
    return store.cursor().execute(
        f"SELECT c, min(v) FROM ({_text_cells(table, texts)}) WHERE (length({cell}) BETWEEN 3 AND {VALUE_CELL} "
        f"OR length({cell}) = 2 AND regexp_matches({cell}, '[0-9]')) AND strpos(?, {cell}) > 0 GROUP BY c, {cell} "
        "LIMIT 500",
        [lowered]).fetchall()


def _text_cells(table: str, texts: list[str]) -> str:
    """SQL of every cell of the text columns ``texts`` of ``table``: c, the column's place, and v, the cell."""
    return " UNION ALL ".join(f"SELECT {i} AS c, {quote_ident(name)} AS v FROM {quote_ident(table)}"
                              for i, name in enumerate(texts))


def _currency_column(store: Any, info: Any) -> tuple[str, dict[str, str]] | None:
    """The text column that says each row's currency, and its values by their upper case
    ({"EUR": "EUR", "CHF": "chf"}): the one named so (currency, ccy), else the one whose every
    value is a currency code (CHF, EUR, USD …); None when the table has none (or two)."""
    return store.remembered(("currency", info.name), lambda: _find_currency_column(store, info))


def _find_currency_column(store: Any, info: Any) -> tuple[str, dict[str, str]] | None:
    texts = [c.name for c in info.columns if c.type == "VARCHAR" and c.name not in ROW_FIELDS]
    if not texts:
        return None
    coded = [_all_codes(store, info.name, t) for t in texts]
    found = ([t for t in texts if _CURRENCY_NAME.search(t.lower())]
             or [t for t, ok in zip(texts, coded, strict=True) if ok])
    if len(found) != 1:
        return None
    column = quote_ident(found[0])
    values = store.cursor().execute(f"SELECT DISTINCT {column} FROM {quote_ident(info.name)} "
                                    f"WHERE {column} IS NOT NULL LIMIT 50").fetchall()
    return found[0], {str(v).strip().upper(): v for (v,) in values}


def _all_codes(store: Any, table: str, column: str) -> bool:
    """Every value of ``column`` (one at least) is a currency code. A question asks it of every
    text column of the tables it may be about, so a column stops at its first other value."""
    codes, cell = ", ".join(map(quote_literal, _CURRENCY_CODES)), quote_ident(column)
    row = store.cursor().execute(
        f"SELECT EXISTS (SELECT 1 FROM {quote_ident(table)} WHERE {cell} IS NOT NULL) AND NOT EXISTS "
        f"(SELECT 1 FROM {quote_ident(table)} WHERE upper(trim({cell})) NOT IN ({codes}))").fetchone()
    return bool(row and row[0])


def _currencies_said(lowered: str) -> tuple[set[str], set[str]] | None:
    """The currency codes ``lowered`` says ("in euros": EUR, "over 1000 francs": CHF, "$20": USD)
    and its words for them; None when it says "not" of one ("not in euros"), which is not read."""
    if re.search(_NOT + r"(?:in\s+)?(?:" + _SAID_CURRENCY + ")", lowered):
        return None
    found = list(re.finditer(_SAID_CURRENCY, lowered))
    return {_CODE_OF[m.group(1) or m.group(0)] for m in found}, content_words(" ".join(m.group(0) for m in found))


def _unit_code(column: str) -> str | None:
    """The currency a money column's name is in ("amount_chf", "price_eur", "cost_dollars"), else None."""
    words = {"euro": "EUR", "euros": "EUR", "franc": "CHF", "francs": "CHF", "dollar": "USD", "dollars": "USD"}
    codes = {p.upper() if p.upper() in _CURRENCY_CODES else words.get(p) for p in column.lower().split("_")} - {None}
    return codes.pop() if len(codes) == 1 else None


def _currency_words(said: tuple[set[str], set[str]], currency: tuple[str, Any] | None,
                    measures: list[str]) -> set[str] | None:
    """The question's words for a currency that the table accounts for: by its currency column
    (whose rows are kept to it), or by the unit its money column is named in ("in francs" of
    price_chf); None when its money is in another currency ("in euros" of price_chf)."""
    codes, words = said
    units = {_unit_code(m) for m in measures} - {None}
    if not codes or currency is None and not units:
        return set()  # "over 50 euros" of a column in no named currency: the comparison's words
    return words if currency is not None or units == codes else None


def _unit_said(measures: list[str], currency: str | None, rows: Where) -> str:
    """How the answer says the unit of its figures: ", in CHF" for columns named in it; ", each
    currency on its own" for a table with a currency column, unless the rows are of one currency."""
    if currency is not None:
        return "" if len(rows.filters.get(currency, [])) == 1 else ", each currency on its own"
    units = {_unit_code(m) for m in measures}
    return f", in {units.pop()}" if len(units) == 1 and None not in units else ""


_SCORE_WORDS = content_words("mark marks score scores")
_DAY_WORDS = content_words("day days night nights")
_BANK_WORDS = content_words("bank account current")
_BALANCE_NAME = re.compile(r"(?:^|_)balance(?:_|$)")
_MEASURED_WORDS = content_words("measure measured measurement measurements result results reading readings value "
                                "values level levels recorded")
LONG_REPEAT = 1.5  # rows for each distinct rest of a row, at least, in a table in long form


_UNIT_NAME = re.compile(r"(?i)units?(?:_of_measure)?$|uom$")


def _says_measured(store: Any, info: Any, filters: dict[str, list[str]]) -> bool:
    """Whether a column the question picks a value of says what each row's number measures, as a
    column's name would in a wide table: "pfos" of analyte in (site, date, analyte, concentration).
    Its table is in long form: the rest of its rows repeat, one row for each of its values."""
    measures = set(_measures(info.columns))
    for column in filters:
        rest = [quote_ident(c.name) for c in info.columns  # a unit goes with what is measured: not the rest
                if c.name != column and c.name not in measures and c.name not in ROW_FIELDS
                and not _UNIT_NAME.match(c.name)]
        if not rest:
            continue
        rows, distinct = store.cursor().execute(
            f"SELECT count(*), count(DISTINCT ({', '.join(rest)},)) FROM {quote_ident(info.name)}").fetchone()
        if rows >= 2 * LONG_REPEAT and distinct * LONG_REPEAT <= rows:
            return True
    return False


def _local_copies_left_out(numeric: list[str]) -> list[str]:
    """``numeric`` without a column that is another's in the transaction's own currency (a bank
    export's local_amount beside amount): the account's amount is the money, the other the same
    money in dollars or euros."""
    plain = {n.lower() for n in numeric}
    return [n for n in numeric if not any(part == "local" for part in n.lower().split("_"))
            or "_".join(p for p in n.lower().split("_") if p != "local") not in plain]


def _measure(op: str, lowered: str, open_words: set[str], columns: Sequence[Any],
             embed: EmbedFn | None, named: bool, name_words: set[str],
             by_value: bool = False) -> tuple[list[str], set[str]]:
    """The numeric column to add up (or, for money of several columns, each of them), and the
    question's words it accounts for: said by name, close in meaning to a word, the money column
    for money words, or a named table's only one. A rate (unit price, fee per person) is added up
    only when named."""
    if op in ("max", "min") and (aged := _aged_measure(lowered, columns)) is not None:
        return aged  # "the oldest boat": year_built
    if op in ("max", "min") and (_LATEST.search(lowered) or _EARLIEST.search(lowered)):
        return _dated_measure(lowered, columns), set()
    numeric = _directed(lowered, _local_copies_left_out(_measures(columns)))
    if op in ("sum", "avg", "count", "top"):  # court 1-4 names a court: its numbers add up to nothing
        numeric = [n for n in numeric if not _LABEL_NAME.search(n.lower())]
    if not numeric:
        return [], set()
    paid = [n for n in numeric if PAID_NAME.search(n.lower())]
    if op in ("sum", "avg") and _MONEY_IN.search(lowered) and len(paid) == 1:
        return paid, set()  # "how much have we collected in fees?": amount_paid, not fee_due
    billed = [n for n in numeric if MONEY_NAME.search(n.lower()) and not PAID_NAME.search(n.lower())]
    if op in ("sum", "avg") and _INVOICED.search(lowered) and paid and len(billed) == 1:
        return billed, set()  # "how much have i invoiced": amount, not amount_paid
    # "how many" adds up only what it counts ("how many hours", "how many km"); "how many repairs
    # cost over 200" counts repairs, and cost is compared, not added up
    counting = _counted_words(lowered) if op == "count" else None
    head = _counted_head(lowered) if op == "count" else None
    for name in numeric:  # said by name: "the km", "total cost", "original gravity" for og
        if counting is not None and not content_words(name.replace("_", " ")) & ({head} if head else counting):
            continue  # "how many court bookings" counts bookings: court is not added up
        # "cost a term" says cost_per_term
        if content_words(name.replace("_", " ")) - _PER <= content_words(lowered) or spelled_out(name, lowered):
            return [name], set()
    # said but for its unit: "turbidity" of turbidity_ntu (not "labour" of labour_chf and labour_hours)
    if op != "count" and len(bare := [n for n in numeric if _names_measure(n, content_words(lowered), lowered)]) == 1:
        return bare, set(spelled_out(_unitless(bare[0]).replace(" ", ""), lowered))
    if op in ("max", "min", "sum", "avg") and (weighed := _superlative_measure(lowered, numeric)):
        return weighed  # "the heaviest dog": weight_kg; "how heavy are the boxes altogether"
    unbound = [n for n in numeric if not _BOUND_NAME.search(n.lower())]
    unbound = [n for n in unbound if not _RATE_NAME.search(n.lower())]  # "how many boxes" adds up no gbp_per_box
    if op == "count" and (counted := _counted_unit(lowered, unbound)):  # "how many km": distance_km added up
        return [counted[0]], counted[1]  # with the unit's word, which the name may spell otherwise ("kilometres")
    addable = [n for n in numeric if op not in ("sum", "top", "count")
               or not _RATE_NAME.search(n.lower()) and not _RUNNING_NAME.search(n.lower())]
    if MONEY.search(lowered) and any(MONEY_NAME.search(n.lower()) for n in numeric) and not any(
            MONEY_NAME.search(n.lower()) or _TOTAL_NAME.search(n.lower()) for n in addable):
        return [], set()  # the table's money is a unit cost: "how much did we pay" is not its quantities
    said = content_words(lowered) - _OP_WORDS - TABLE_WORDS - name_words
    partly = [n for n in addable if content_words(n.replace("_", " ")) & said]
    if len(partly) > 1 and MONEY.search(lowered):  # "the labour charge": labour_chf, not labour_hours
        partly = [n for n in partly if MONEY_NAME.search(n.lower())]
    if len(partly) > 1:  # "the end of unit test": end_of_unit_test_60, not atomic_structure_test_40
        numbers = set(re.findall(r"\b\d+\b", lowered))  # "paper 1": paper_1_100, not paper_2_100
        overlap = {n: (len(content_words(n.replace("_", " ")) & said), len(numbers & set(n.split("_"))))
                   for n in partly}
        partly = [n for n in partly if overlap[n] == max(overlap.values())]
    if op != "count" and len(partly) == 1:  # the only one of which a word is said: "revenue" for revenue_gbp
        return partly, set()
    # "the total of the expenses"; "the longest" is not of it; "what crop gave us the most": its one number added up
    # (not "who books the lanes the most": the bookings counted)
    if named and len(addable) == 1 and (op in ("sum", "avg") or op == "top" and _YIELDED.search(lowered)):
        return addable, set()
    if by_value and len(addable) == 1 and op in ("sum", "avg", "max", "min"):  # "the highest pfos": its concentration
        return addable, set()
    # "the biggest expense", "the largest donation": the amount of money, the one money column
    # or, with none named for money, the one total ("the biggest job" of hrs, parts, labour and total)
    if named and op in ("max", "min") and _AMOUNT_SUPERLATIVE.search(lowered):
        for kind in (MONEY_NAME, _TOTAL_NAME):
            money = [n for n in addable if kind.search(n.lower())]
            if len(money) > 1:  # "the biggest invoice": its amount, not the amount paid towards it
                money = [n for n in money if not PAID_NAME.search(n.lower())]
            if len(money) == 1:
                return money, set()
        if len(sized := [n for n in addable if not _LABEL_NAME.search(n.lower())]) == 1:
            return sized, set()  # "the biggest single harvest": the log's one number, weight_kg (not bed 1-7)
    # "what did we take in october?" of card, cash and total: the total, not the nearest in meaning
    # (of a table named, a total of pounds and pence, or one beside money: not a packing sheet's whole
    # number total of small, medium and large boxes)
    if op in ("sum", "avg", "max", "min") and MONEY.search(lowered) and len(
            totals := [n for n in addable if _TOTAL_NAME.search(n.lower())]) == 1 and (
            named or MONEY_NAME.search(totals[0].lower()) or embed is None
            or not _whole_numbers(columns, totals[0])
            or _money_columns([n for n in numeric if n not in totals], embed)):
        return totals, set()
    # "what did we take last saturday" of a market's takings (cash, card, pitch fee): what came in, not the fee
    if op in ("sum", "avg") and _TAKEN.search(lowered) and name_words & _TAKINGS and (
            taken := [n for n in addable if not _COST_NAME.search(n.lower())]) and len(taken) < len(addable):
        return taken, set()
    # "the total value of my bookings": what each row is worth, its price (fee), not the deposits paid towards it
    if op in ("sum", "avg", "max", "min") and _VALUE_SAID.search(lowered) and len(
            priced := [n for n in addable if _PRICE_NAME.search(n.lower())]) == 1:
        return priced, set()
    if embed is None or not addable:
        return [], set()
    if named and op in ("sum", "avg") and len(money := _money_columns(addable, embed)) == 1:
        return money, set()  # "the total of the invoices": total_eur of net, vat and total
    asked = sorted(open_words & counting if counting is not None else open_words)
    if asked:
        vectors = embed(asked + [n.replace("_", " ") for n in addable])
        sims = vectors[:len(asked)] @ vectors[len(asked):].T
        i, j = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[i, j] >= COLUMN_MEANING:
            return [addable[j]], {asked[i]}
    if op != "count" and MONEY.search(lowered):
        return _money_columns(addable, embed), set()
    return [], set()


_TAKEN = re.compile(r"\b(?:take|took|taken|takings|make|made|earn(?:ed|t)?)\b")
_VALUE_SAID = re.compile(r"\b(?:value|worth)\b")
_YIELDED = re.compile(r"\b(?:gave|give|gives|produced?|produces|yield(?:ed|s)?|grew|grown)\b")
_PRICE_NAME = re.compile(r"(?:^|_)(?:fee|fees|price|prices|amount|total|value|cost|costs)(?:_|$)")
_TAKINGS = content_words("takings sales income revenue turnover")
_COST_NAME = re.compile(r"(?:^|_)(?:fee|fees|cost|costs|expense|expenses|spend|spent|charge|charges)(?:_|$)")


def _directed(lowered: str, numeric: list[str]) -> list[str]:
    """``numeric`` without the money going the other way than the question says, when the table
    has both ways (money_out and money_in): "what did we spend" is not what came in."""
    outs = [n for n in numeric if _OUT_NAME.search(n.lower())]
    ins = [n for n in numeric if _IN_NAME.search(n.lower())]
    if not outs or not ins:
        return numeric
    if _MONEY_OUT.search(lowered) and not _MONEY_IN.search(lowered):
        return [n for n in numeric if n not in ins]
    if _MONEY_IN.search(lowered) and not _MONEY_OUT.search(lowered):
        return [n for n in numeric if n not in outs]
    return numeric


_PER = content_words("per")
_AMOUNT_SUPERLATIVE = re.compile(r"\b(?:biggest|largest|highest|greatest|smallest|lowest)\b")
# A superlative that names what it measures: "heaviest" is of a weight column, "tallest" of a height
_SIZE = ("size", "area", "m2", "sqm", "sqft", "surface")
_WEIGHT = ("weight", "kg", "kilos", "mass", "lb", "lbs")
_HEIGHT = ("height", "cm", "tall")
_DISTANCE = ("distance", "km", "miles", "mi", "dist")
_DURATION = ("hrs", "hours", "hr", "h", "mins", "minutes", "duration", "length")
_TEMPERATURE = ("temp", "temperature", "degc", "celsius", "c", "f")
# and so do the words of its amount: "how heavy are the kitchen boxes altogether" adds up weight_kg
_MEASURED_BY = {"heaviest": _WEIGHT, "lightest": _WEIGHT, "heavy": _WEIGHT, "weigh": _WEIGHT, "weighs": _WEIGHT,
                "tallest": _HEIGHT, "tall": _HEIGHT, "biggest": _SIZE, "largest": _SIZE, "smallest": _SIZE,
                "big": _SIZE, "nearest": _DISTANCE, "closest": _DISTANCE, "farthest": _DISTANCE,
                "furthest": _DISTANCE, "far": _DISTANCE,
                "longest": _DURATION, "shortest": _DURATION, "warmest": _TEMPERATURE, "hottest": _TEMPERATURE,
                "coldest": _TEMPERATURE, "coolest": _TEMPERATURE}


# "the oldest boat" is the one built first: the lowest year or date of building or birth (oldest is
# "min", youngest and newest "max"), or the highest age
_AGED = re.compile(r"\b(?:oldest|youngest|newest)\b")
_MADE_PARTS = frozenset("year built build born birth dob founded made established manufactured".split())
_AGE_PARTS = frozenset({"age"})


def _aged_measure(lowered: str, columns: Sequence[Any]) -> tuple[list[str], set[str]] | None:
    """The one column "oldest", "youngest" or "newest" orders by: a year or date of making or
    birth (year_built, date_of_birth), else an age; None when the question says none of those
    words or the table has no one such column."""
    if not _AGED.search(lowered):
        return None
    ordered = [c for c in columns if c.name not in ROW_FIELDS
               and c.type.upper().startswith((*NUMERIC_TYPES, "DATE", "TIMESTAMP"))]
    for parts in (_MADE_PARTS, _AGE_PARTS):
        found = [c.name for c in ordered if set(c.name.lower().split("_")) & parts]
        if len(found) == 1:
            return found, set()
    return None


# "how many headshot jobs have i done", "how many days has priya worked this year": what has happened
_DONE_SO_FAR = re.compile(r"\b(?:have|has)\s+(?:[\w']+\s+){1,3}?(?:done|worked|shot|played|taught|visited|driven|"
                          r"run|completed|attended|had)\b|\bdid\s+(?:[\w']+\s+){1,3}?(?:do|work|shoot|play|teach|"
                          r"visit|drive|run|complete|attend|have)\b")


def _done_so_far(store: Any, info: Any, lowered: str, dated: str | None, period: Period,
                 today: dt.date) -> tuple[str, dt.date] | None:
    """The date column and today, when the question asks what has been done, or what is owed, and
    the table holds rows still to come: "how many weddings have i done this year" is not the one
    booked for December, and "how much do i owe priya" is not for a wedding she has yet to shoot."""
    if not (_DONE_SO_FAR.search(lowered) or _unpaid(lowered)) or _ended(period, today):
        return None
    column = dated or _date_column(info.columns, lowered)
    if column is None or _STATE_DATE.search(column.lower()) \
            or not _any_row(store, info.name, f"{quote_ident(column)} > DATE '{today}'"):
        return None  # (a date paid, paid up to or due says nothing of whether the work is done)
    return column, today


_STATE_DATE = re.compile(rf"{PAID_NAME.pattern}|{_THROUGH_NAME.pattern}|{_DUE_NAME.pattern}")


def _ended(period: Period, today: dt.date) -> bool:
    """Whether ``period`` is over by ``today`` ("in 2025", "in October 2026", "last week")."""
    if period.span is not None:
        return period.span[1] <= today
    if not period.years:
        return False
    last = max(period.years)
    return last < today.year or last == today.year and bool(period.months) and max(period.months) < today.month


def _whole_numbers(columns: Sequence[Any], name: str) -> bool:
    """Whether the column ``name`` is typed as whole numbers (a count, not pounds and pence)."""
    return any(c.name == name and c.type.upper() in WHOLE_TYPES for c in columns)


def _spent_below_zero(store: Any, info: Any, measure: str, lowered: str) -> bool:
    """Whether the question asks of money out ("my biggest expense", "the most I spent") and
    ``measure`` is a money column whose money out is written below zero (a statement's amount)."""
    if not (_MONEY_OUT.search(lowered) and not _MONEY_IN.search(lowered) and MONEY_NAME.search(measure.lower())):
        return False
    lowest, highest = store.cursor().execute(
        f"SELECT min(TRY_CAST({quote_ident(measure)} AS DOUBLE)), max(TRY_CAST({quote_ident(measure)} AS DOUBLE)) "
        f"FROM {quote_ident(info.name)}").fetchone()
    return lowest is not None and lowest < 0 < highest


def _spent_out(store: Any, info: Any, measure: str, lowered: str) -> bool:
    """Whether ``measure`` is money out said as such, of a question of money out: a paid_out
    column, or a statement's amounts below zero ("how much did i spend in october": the bank's
    paid out, before invoices whose money came in). (Asked of rows a value picks, "spend with
    marshfield", a table of that supplier's orders answers as well.)"""
    return bool(_MONEY_OUT.search(lowered) and not _MONEY_IN.search(lowered)) and (
        bool(_OUT_NAME.search(measure.lower())) or _spent_below_zero(store, info, measure, lowered))


def by_age(op: str, measure: str | None, lowered: str) -> str:
    """``op`` for "oldest" or "youngest" of an age column: the oldest has the highest age, though
    the earliest year."""
    if _AGED.search(lowered) and measure is not None and set(measure.lower().split("_")) & _AGE_PARTS:
        return {"max": "min", "min": "max"}.get(op, op)
    return op


def _when_said(lowered: str, columns: Sequence[Any]) -> bool:
    """The latest or earliest of a date column the question names ("moved in most recently")."""
    said = content_words(lowered)
    return bool((_LATEST.search(lowered) or _EARLIEST.search(lowered))
                and any(column_words(d, lowered) & said for d in _dated_measure(lowered, columns)))


def _dated_measure(lowered: str, columns: Sequence[Any]) -> list[str]:
    """The date column of "the latest", "most recently", "my next": the one the question names
    ("moved in": moved_in), else the table's only one, else the one called only "date" (a
    booking's, beside when its deposit was paid); [] when none."""
    dates = [c.name for c in columns if c.type.upper().startswith(("DATE", "TIMESTAMP")) and c.name not in ROW_FIELDS]
    said = content_words(lowered)
    named = [d for d in dates if column_words(d, lowered) & said]
    plain = [d for d in dates if d.lower() == "date"]
    return named if len(named) == 1 else dates if len(dates) == 1 else plain


def _superlative_measure(lowered: str, numeric: list[str]) -> tuple[list[str], set[str]] | None:
    """The one number column a superlative measures ("the heaviest dog": weight_kg), and its word."""
    for word, parts in _MEASURED_BY.items():
        if re.search(rf"(?<!\bso )(?<!\bthus )(?<!\bas )\b{word}\b", lowered):  # not "paid me so far"
            found = [n for n in numeric if set(n.lower().split("_")) & set(parts)]
            if len(found) > 1:  # "the coldest night in the tunnel": tunnel_min_c, of tunnel and outside, min and max
                found = _narrowed_by(found, lowered, _LOW_PARTS if word in _LOW_WORDS else _HIGH_PARTS)
            return ([found[0]], {stem(word)}) if len(found) == 1 else None
    return None


_LOW_WORDS = frozenset("lightest smallest nearest closest coldest coolest shortest".split())
_LOW_PARTS = frozenset("min minimum low lowest".split())
_HIGH_PARTS = frozenset("max maximum high highest".split())


def _narrowed_by(found: list[str], lowered: str, ends: frozenset[str]) -> list[str]:
    """Of several columns a superlative could measure, those whose other words the question says
    (tunnel of tunnel_min_c, not outside_min_c), then of those the one of its end (min for coldest)."""
    said = content_words(lowered)
    named = [n for n in found if content_words(n.replace("_", " ")) & said] or found
    return [n for n in named if set(n.lower().split("_")) & ends] or named


def _counts_other_things(lowered: str, columns: Sequence[Any], own: set[str]) -> bool:
    """Whether "how many X" counts what a column names, not the rows: "how many students" of
    courses (its max_students), "how many customers" of repairs (customer_name); ``own`` are the
    words that name the rows (the table's name and verbs, the values kept)."""
    said = _HOW_MANY.search(lowered)
    if said is None:
        return False
    counted = (content_words(" ".join(w for w in said.groups() if w and not w.isdigit()))
               - _OP_WORDS - TABLE_WORDS - _NOT_WORDS)  # "how many have not paid": no medical_notes
    return not counted & own and any(counted & column_words(c.name, lowered) for c in columns)


def _counted_words(lowered: str) -> set[str]:
    """The words "how many" (or "number of") counts, up to the noun: "how many volunteer hours" ->
    volunt, hour; "how many repairs cost over 200" -> repair (a plural or a unit ends the noun)."""
    return content_words(" ".join(_counted(lowered)))


def _counted_head(lowered: str) -> str | None:
    """The noun "how many" counts, when a plural or a unit ends it: "booking" of "how many court
    bookings", "hour" of "how many volunteer hours"; None otherwise."""
    counted = _counted(lowered)
    last = counted[-1] if counted else ""
    return next(iter(content_words(last)), None) if last in UNIT_OF or _plural(last) else None


def _counted(lowered: str) -> list[str]:
    said = _HOW_MANY.search(lowered)
    counted: list[str] = []
    for word in (w for w in (said.groups() if said else ()) if w):
        if not content_words(word):
            break  # "how many did we…"
        counted.append(word)
        if word in UNIT_OF or _plural(word):
            break
    return counted


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith("ss")


def _counted_unit(lowered: str, numeric: list[str]) -> tuple[str, set[str]] | None:
    """The one column whose name ends in the unit that "how many" counts, and the unit's word: "how
    many km did I run" is distance_km, "how many minutes of yoga" duration_min; not "how many runs"."""
    said = _HOW_MANY.search(lowered)
    if said is None:
        return None
    def unit(word: str) -> str:
        return UNIT_OF.get(word, stem(word))

    for word in (w for w in said.groups() if w):  # "how many volunteer hours": hours_2025
        counted = unit(word)
        # or a column that is only a unit of time: "how many hours" of hrs (a lone "km" may be an odometer's)
        found = ([n for n in numeric if ("_" in n or is_time_unit(n)) and unit(n.lower().rsplit("_", 1)[-1]) == counted]
                 or [n for n in numeric if "_" in n and counted in {unit(p) for p in n.lower().split("_")}])
        if found:
            return (found[0], {stem(word)}) if len(found) == 1 else None
    return None


_TOTAL_NAME = re.compile(r"(?:^|_)(?:total|gross|grand)(?:_|$)")
MONEY_COLUMNS = 3  # a table with more columns of money than this is not added up without one named


def _money_columns(numeric: list[str], embed: EmbedFn) -> list[str]:
    """The columns of sums of money: those named so (amount, cost, price_eur; several are each
    added up, not one guessed), else the one closest in meaning to "amount of money" or "price"
    when close enough."""
    named = [n for n in numeric if MONEY_NAME.search(n.lower())]
    totals = [n for n in named if _TOTAL_NAME.search(n.lower())]
    if len(named) > 1 and len(totals) == 1:
        return totals  # net_eur, vat_eur and total_eur: the total is what was paid
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
    said = content_words(lowered)
    dates = [c.name for c in columns if c.type.upper().startswith(("DATE", "TIMESTAMP")) and c.name not in ROW_FIELDS
             and (not _THROUGH_NAME.search(c.name.lower()) or column_words(c.name, lowered) & said)]  # paid_up_to
    named = [d for d in dates if _DATE_NAME.search(d.lower())]
    if len(named) == 1 or len(dates) == 1:
        return (named or dates)[0]
    candidates = named or dates
    own_word = [d for d in candidates if (content_words(d.replace("_", " ")) - {stem("date")}) & said]
    if len(own_word) == 1:
        return own_word[0]
    paid = [d for d in candidates if PAID_NAME.search(d.lower())]
    if len(paid) == 1 and MONEY.search(lowered) and not _INVOICED.search(lowered):  # "how much did we take in 2025?"
        return paid[0]
    spent = [d for d in candidates if _spent_date(d)]  # intake_date and pickup_date: the first (the answer says it)
    return (spent or candidates)[0] if candidates else None


_INVOICED = re.compile(r"\b(?:invoiced?|invoicing|billed|charged)\b")  # when it was invoiced, not paid


def _spent_date(name: str) -> bool:
    """Whether a date column says when money was spent or taken: "date", "paid_on", "month";
    not "renews", "due_date"."""
    return not _NOT_SPENT.search(name.lower())


GROUPS_SHOWN = 60  # groups an "each X" answer reads (the answer shows the first 20 and says how many more)


def _top(table: str, group: str, measure: str | None, most: bool | None, rows: Where,
         currency: str | None = None, fn: str = "sum") -> Plan:
    """The groups with the largest (or smallest) totals of ``measure`` (or the most rows, with
    none), three of them: "who paid the most?", "which customer brought the most repairs?"; with
    a ``currency`` column, three of each currency, never totals of two currencies compared. With
    ``most`` None, every group ("each month"): months in calendar order, others largest first."""
    where, said = rows.clauses()
    key = group if group.startswith("strftime(") else quote_ident(group)
    shown = "month" if group.startswith("strftime(") else group
    direction = "ASC" if most is False else "DESC"
    by = f"{fn}({quote_ident(measure)})" if measure else "count(*)"
    ranked = ("1" if shown == "month" else f"{by} {direction}") if most is None else f"{by} {direction} NULLS LAST"
    alias = "average" if fn == "avg" else "total"
    total = f"round({by}, 2) AS {quote_ident(_named(alias, measure))}, " if measure else ""
    if currency is not None and measure is not None:
        sql = (f"SELECT {key} AS {quote_ident(shown)}, {quote_ident(currency)}, {total}count(*) AS rows "
               f"FROM {quote_ident(table)}{where} GROUP BY 1, 2")
        sql += (f" ORDER BY 2, {ranked} LIMIT {GROUPS_SHOWN}" if most is None else
                f" QUALIFY row_number() OVER (PARTITION BY {quote_ident(currency)} ORDER BY {ranked}) <= 3 "
                f"ORDER BY 2, 3 {direction}")
    else:
        rows_of = f"count({quote_ident(measure)})" if fn == "avg" and measure else "count(*)"  # blanks: no marks
        # the top three and any tied with the third ("who has the most merits": both of 2 points), by name
        sql = (f"SELECT {key} AS {quote_ident(shown)}, {total}{rows_of} AS rows FROM {quote_ident(table)}{where}"
               f" GROUP BY 1" + (f" ORDER BY {ranked}" if most is None else
                                 f" QUALIFY rank() OVER (ORDER BY {ranked}) <= 3 ORDER BY {ranked}, 1")
               + f" LIMIT {GROUPS_SHOWN}")
    order = "" if most is None else ", " + (("largest" if most else "smallest") if measure else
                                            ("most" if most else "fewest")) + " first"
    verb = "Averaging" if fn == "avg" else "Adding up"
    doing = f"{verb} {spoken(measure)} {_in(measure)}" if measure else "Counting the rows of"
    unit = _unit_said([measure], currency, rows) if measure else ""
    return Plan(table, sql, f"{doing} {table} by {spoken(shown)}{said}{unit}{order}:", rows.filters)


def _in(measure: str) -> str:
    """The word before a table's name after its column's: "amount in expenses", "money in from bank"."""
    return "from" if spoken(measure).endswith(" in") else "in"


def _monthly(table: str, by_month: str | None, measure: str, rows: Where) -> Plan:
    """The average of each month's total: "what is our average monthly grocery spend?"."""
    where, said = rows.clauses()
    inner = (f"SELECT strftime({quote_ident(str(by_month))}, '%Y-%m') AS month, sum({quote_ident(measure)}) AS total "
             f"FROM {quote_ident(table)}{where} GROUP BY 1")
    sql = (f"SELECT round(avg(total), 2) AS {quote_ident(f'monthly_average_{measure}')}, count(*) AS months "
           f"FROM ({inner})")
    unit = _unit_said([measure], None, rows)
    return Plan(table, sql, f"Averaging the monthly totals of {spoken(measure)} in {table}{said}{unit}:", rows.filters)


def _named(alias: str, column: str) -> str:
    """The result column of ``alias`` ("total") of ``column``: total_amount, but total_eur not total_total_eur."""
    return column if column.lower().startswith(alias + "_") else f"{alias}_{column}"


def _date_type(columns: Sequence[Any], name: str) -> bool:
    return any(c.name == name and c.type.upper().startswith(("DATE", "TIMESTAMP")) for c in columns)


def _build(op: str, info: Any, measures: list[str], rows: Where, currency: str | None = None,
           asked: frozenset[str] = frozenset()) -> Plan:
    table = info.name
    used = {*measures, *rows.filters, *rows.excluded, rows.blank[0] if rows.blank else None, *rows.flags}
    shown = [c.name for c in info.columns if c.name not in ROW_FIELDS  # no allergies beside a birthday,
             and (c.name in used or private(table) or not private_unasked(c.name, asked))]  # but a meds list whole
    measure = measures[0] if measures else None
    where, said = rows.clauses()
    order, unit = "", ""
    if op == "list":  # the rows themselves: "list the expenses over 50 euros"
        select = ", ".join(quote_ident(c) for c in shown)
        order, doing = f" LIMIT {LIST_ROWS}", f"The rows of {table}"
    elif op == "count" or measure is None:
        select, doing = "count(*) AS rows", f"Counting the rows of {table}"
    elif op in ("max", "min"):  # the row itself: "what was the most expensive repair?"
        select = ", ".join(quote_ident(c) for c in shown)
        select += "" if any(c.name == measure for c in info.columns) else f", {quote_ident(measure)}"  # a span's
        direction = 'DESC' if op == 'max' else 'ASC'
        ordered = f"{quote_ident(measure)} {direction} NULLS LAST"
        # of rows of the same day, the one written last is the latest (a statement's closing balance)
        ordered += f", rowid {direction}" if _date_type(info.columns, measure) else ""
        # rows tied at the top are each the answer ("the biggest wedding fee": three weddings at 3,200)
        ranked = "row_number()" if _date_type(info.columns, measure) else "rank()"
        order = (f" QUALIFY {ranked} OVER (PARTITION BY {quote_ident(currency)} ORDER BY {ordered}) = 1 "
                 f"ORDER BY {quote_ident(currency)}" if currency else
                 f" ORDER BY {ordered} LIMIT 1" if ranked == "row_number()" else
                 f" QUALIFY rank() OVER (ORDER BY {ordered}) = 1 ORDER BY {ordered} LIMIT {LIST_ROWS}")
        most = ("highest", "lowest", "latest", "earliest")[(op == "min") + 2 * _date_type(info.columns, measure)]
        doing = f"The row of {table} with the {most} {spoken(measure)}"
        unit = " in each currency" if currency and len(rows.filters.get(currency, [])) != 1 else ""
    else:  # each of several money columns on its own: "how much did we charge?" with labour and parts
        fn, alias, verb = {"sum": ("sum", "total", "Adding up"), "avg": ("avg", "average", "Averaging")}[op]
        doing = f"{verb} {' and '.join(spoken(m) for m in measures)} {_in(measures[-1])} {table}"
        unit = _unit_said(measures, currency, rows)
        if currency is not None:
            return Plan(table, _in_each_currency(table, currency, fn, alias, measures, where), f"{doing}{said}{unit}:",
                        rows.filters)
        select = ", ".join(f"round({fn}({quote_ident(m)}), 2) AS {quote_ident(_named(alias, m))}" for m in measures)
        select += f", count({quote_ident(measure) if len(measures) == 1 else '*'}) AS rows"  # blanks are not counted
    sql = f"SELECT {select} FROM {quote_ident(table)}{where}{order}"
    return Plan(table, sql, f"{doing}{said}{unit}:", rows.filters)


def _in_each_currency(table: str, currency: str, fn: str, alias: str, measures: list[str], where: str) -> str:
    """SQL of one row that gives the total (or average) of each of ``measures`` in each currency,
    with its code, as text ("CHF 12,784 and EUR 8,365"), and the rows added up."""
    inner = ", ".join(f"round({fn}({quote_ident(m)}), 2) AS {quote_ident(m)}" for m in measures)
    said = ", ".join(f"string_agg(currency__ || ' ' || {_figure_sql(quote_ident(m))}, ' and ' ORDER BY currency__) "
                     f"AS {quote_ident(_named(alias, m))}" for m in measures)
    return (f"SELECT {said}, sum(rows__)::BIGINT AS rows FROM (SELECT coalesce({quote_ident(currency)}, '(none)') "
            f"AS currency__, {inner}, count(*) AS rows__ FROM {quote_ident(table)}{where} GROUP BY 1)")


def _figure_sql(value: str) -> str:
    """SQL that writes a sum as an answer does: 12,784 or 1,236.50."""
    return (f"CASE WHEN {value} IS NULL THEN 'nothing' WHEN {value} = round({value}) THEN format('{{:,}}', "
            f"{value}::BIGINT) ELSE format('{{:,.2f}}', {value}) END")
