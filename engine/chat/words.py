"""Content words and keyword overlap (a light stemmer, no dependencies)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..search import STOPWORDS
from ..tables.domain import ROW_FIELDS
from ..tables.mentions import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
LETTERS = re.compile(r"[^\W\d_]+")  # a word of letters only
QUESTION_WORDS = frozenset("""
what which who whom whose when where why how does did done doing is are was were be been can could
should would will shall may might must want need needs wanted like get gets got make makes use used
using way ways tell show give find know some any one thing things there here just also only please
i me my we us our you your it its they them their he him his she her hers something anything kind sort
whats wheres whos hows whens whys thats theres dont doesnt didnt cant wont isnt arent wasnt havent hasnt
hadnt werent shouldnt couldnt wouldnt mustnt theyd theyll theyre theyve youd youll youre youve weve ive im itll
hed hes shes am
ve ll re
""".split())  # the last lines: contractions typed without their apostrophe ("whats the number…"), and
# the parts of those typed with one ("we've": "we" and "ve"); not "haven" of "haven't", which negates
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ness", "ment", "ers", "er", "es", "ed", "ly", "s")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude stem: lower case without accents, one common suffix off, at most 6 letters kept."""
    w = fold(word)
    for suffix in _SUFFIXES:
        if len(w) > len(suffix) + 2 and w.endswith(suffix):
            w = w[: -len(suffix)]
            break
    if len(w) > 3 and w.endswith("e"):  # "bike" as "bikes" (bik), "course" as "courses"
        w = w[:-1]
    return w[:6]


def content_words(textual: str) -> set[str]:
    """Stems of the words that carry meaning (no stop or question words, no 1-letter words)."""
    return {stem(w) for w in _WORD.findall(textual.lower())
            if len(w) > 1 and w not in STOPWORDS and w not in QUESTION_WORDS}


# Columns about a person's health or needs: shown beside an answer only when the question asks of them
_PRIVATE_NAME = re.compile(r"(?:^|_)(?:medical|allerg(?:y|ies)|sen|eal|send|diagnos[ie]s|health|conditions?|"
                           r"safeguarding|disabilit(?:y|ies)|medications?|meds)(?:_|$)")


def private_unasked(column: str, said: set[str] | frozenset[str]) -> bool:
    """Whether ``column`` holds health or special-needs notes (medical_allergies, sen_eal) and the
    question's words (``said``, stems) say none of its name's: "who is the youngest in 10c" is no
    reason to show a pupil's nut allergy."""
    return private(column) and not content_words(column.replace("_", " ")) & said


def private(name: str) -> bool:
    """Whether a column's or table's name says it holds health or special-needs notes."""
    return bool(_PRIVATE_NAME.search(name.lower()))


def overlap(question_words: set[str], textual: str) -> float:
    """Share of ``question_words`` found in ``textual`` (0..1)."""
    if not question_words:
        return 0.0
    return len(question_words & content_words(textual)) / len(question_words)


_SENTENCE_START = re.compile(r"(?:^|[.?!:;]\s+|[\"'(\[]\s*)$")
_NOT_NAMES = frozenset({"Grace"})  # "Hi Grace, how do I…": the assistant's own name


def names(question: str) -> list[str]:
    """Words the question capitalises mid-sentence ("Mercurial", "GitLab", "Kilimanjaro"): the
    names of things. Not sentence starts (unless possessive: "Greta's email?"), not all-capital words
    (acronyms, shouting)."""
    out = []
    for m in _NAME.finditer(question):
        word = m.group(0)
        possessive = (question[m.end():m.end() + 2] in ("'s", "’s")  # "Greta's email?" opens with a name
                      and word.lower() not in QUESTION_WORDS and word.lower() not in STOPWORDS)  # "What's"
        if (word[0].isupper() and not word.isupper() and word not in _NOT_NAMES
                and (possessive or not _SENTENCE_START.search(question[:m.start()]))):
            out.append(word)
    return list(dict.fromkeys(out))


_NAME = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)  # "Wi-Fi" is one name, not "Wi" and "Fi"


def acronyms(question: str) -> list[str]:
    """Words of three or more letters the question writes in capitals ("PFNA", "HMRC"), when it is
    not written in capitals throughout: like names, the names of things, which a file that answers
    would mention."""
    words = _NAME.findall(question)
    shouted = sum(w.isupper() for w in words) * 2 > len(words)
    return [] if shouted else list(dict.fromkeys(w for w in words if w.isupper() and w.isalpha() and len(w) >= 3))


_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)", re.I)
YEAR = re.compile(r"(?:1[89]|20)\d\d")  # a year as a question or a file says it


def codes(question: str) -> list[str]:
    """Words that mix letters and digits ("E999", "IPv6", "psycopg2") or are years ("2021"): like
    names, the names of things, which a file that answers would mention. Not ordinals ("1st")
    nor plain numbers (a quantity need not be in the files)."""
    out = []
    for word in _WORD.findall(question):
        mixed = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
        if (mixed and len(word) > 1 and not _ORDINAL.fullmatch(word)) or YEAR.fullmatch(word):
            out.append(word)
    return list(dict.fromkeys(out))


def terms(question: str, pieces: Callable[[list[str]], list[int]]) -> list[str]:
    """Lower-case words that the model's vocabulary does not hold whole (``pieces`` counts the
    word pieces of each word): "serde", "tlmgr", "zsh", "makeglossaries". Like names, they
    are usually the names of things; an everyday word ("nudge" aside) is one piece."""
    words = [w for w in dict.fromkeys(_WORD.findall(question))
             if w.islower() and w.isalpha() and len(w) > 2 and w not in STOPWORDS and w not in QUESTION_WORDS]
    return [w for w, n in zip(words, pieces(words) if words else [], strict=True) if n > 1]


def spoken(name: str) -> str:
    """A column's name as an answer says it: ``paid_by`` -> "paid by", ``total_amount`` -> "total amount"."""
    return " ".join(name.replace("_", " ").split())


MONTHS = ("january february march april may june july august september october november december").split()
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # as date.weekday()


def weekday(word: str) -> int | None:
    """The day of the week ``word`` names, as ``date.weekday()`` counts ("Saturdays": 5), or None."""
    lowered = word.lower()
    day = lowered[:-1] if lowered.endswith("days") else lowered
    return WEEKDAYS.index(day) if day in WEEKDAYS else None
SHORT_MONTHS = "jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
# the words of a date in a table's name, seasons too ("lesson_log_autumn_2026": a log of lessons)
DATE_PARTS = frozenset(MONTHS) | frozenset(SHORT_MONTHS.split("|")) | {"to", "and", "from", "spring", "summer",
                                                                       "autumn", "winter"}


def table_noun(table: str) -> str:
    """The stem of a table's last name word, the noun a person calls its rows by: "repair" for
    car_repairs ("log a repair: …", "the most expensive repair"); "sale" for sales_2024_q1 and
    "attendance" for attendance_apr_may_2024 (words with digits and months are dates, not nouns)."""
    parts = [p for p in table.split("_") if p and not any(c.isdigit() for c in p) and p.lower() not in DATE_PARTS]
    if len(parts) > 1 and parts[-1].lower() in _HOLDERS:  # "club" of kids_clubs_timetable
        parts.pop()
    return stem(parts[-1] if parts else table.rsplit("_", 1)[-1])


# What a table is kept as, not what its rows are: the noun is the word before it
_HOLDERS = frozenset("timetable timetables schedule schedules list lists log logs register tracker sheet sheets "
                     "export exports history records overview".split())


# A question word this close in meaning (cosine) to a column's name asks for that column: "wrote"
# and author 0.66, "cost" and price 0.73, "owns" and owner 0.79. Unlike pairs reach 0.55
# ("publisher" and author) and "published" and author 0.60, so the bar is above them; half of 26
# like pairs pass it ("paid" and amount 0.55 does not).
COLUMN_MEANING = 0.62
# Words about tables as such, and the generic nouns that come with a column's name ("phone number").
TABLE_WORDS = frozenset(stem(w) for w in "table tables row rows column columns entry entries record records list "
                        "all every each show number numbers value values detail details info information data "
                        "much many per total sum average mean overall altogether count".split())


def not_in_tables(question: str, tables: list[dict[str, Any]]) -> list[str]:
    """The question's content words (as written) that the matched tables do not account for: not
    their names, column names (or the words an abbreviated one stands for), the cells of their
    matched rows or words about tables as such. "What is the ISBN of Emma?" over a table of titles
    and years leaves ["ISBN"]."""
    question = NOW.sub(" ", question)  # "whos paused at the mo": the rows as they are
    own = [[i for i, c in enumerate(m["columns"]) if c not in ROW_FIELDS] for m in tables]  # not when Grace filed it
    parts = [str(p) for m, keep in zip(tables, own, strict=True)
             for p in [m["table"], *(row[i] for row in m["rows"] for i in keep if i < len(row))]]
    named = set().union(*(column_words(c, question) for m in tables for c in m["columns"]))
    cells = _GLUED_UNIT.sub(r"\1 ", " ".join(parts).replace("_", " "))  # "70-200mm" holds the "200" said
    missing = content_words(question) - content_words(cells) - named - TABLE_WORDS
    return list(dict.fromkeys(w for w in _WORD.findall(question) if content_words(w) & missing))


# Words for "now", which a table's rows are as they stand
NOW = re.compile(r"\b(?:at the (?:mo|moment|min|minute)|right now|just now|currently|at present|atm|rn|now)\b",
                  re.IGNORECASE)
_GLUED_UNIT = re.compile(r"(\d)(?:mm|cm|ml|kg|g|l|in)\b")  # a number and its unit written as one word


# A unit as a column's name ends in it and as a question says it: each spelling to one name.
UNIT_OF = {spelled: unit for unit, spellings in (
    ("km", "km kms kilometre kilometres kilometer kilometers"), ("mi", "mi mile miles"),
    ("min", "min mins minute minutes"), ("h", "h hr hrs hour hours"), ("kcal", "kcal cal calorie calories"),
    ("kg", "kg kgs kilo kilos kilogram kilograms"), ("l", "l litre litres liter liters"))
    for spelled in spellings.split()}


TIME_UNITS = ("h", "min")  # of UNIT_OF's units, those of how long something took


def is_time_unit(word: str) -> bool:
    """Whether ``word`` is a spelling of a unit of time ("hrs", "minutes")."""
    return UNIT_OF.get(word.lower()) in TIME_UNITS


def _unit_words(column: str) -> set[str]:
    """Every spelling of the unit a column named only by it says ("hrs": hour, hours, hr); none for
    a longer name ("contracted_hrs") or a lone letter."""
    unit = UNIT_OF.get(column.lower()) if len(column) > 1 else None
    return content_words(" ".join(s for s, u in UNIT_OF.items() if u == unit)) if unit else set()


def column_words(column: str, question: str) -> set[str]:
    """The content words that name ``column`` in ``question``: those of its name ("brew_date"), and
    the words an abbreviated name stands for when the question spells them out ("og": original
    gravity), and a unit's other spellings ("hrs": hours)."""
    return (content_words(column.replace("_", " ")) | spelled_out(column, question) | _joined(column) | _months(column)
            | _weekdays(column) | _unit_words(column) | short_for(column) | _ordinals(column) | _done_by(column))


# The words a name's common short parts stand for: "cust" is the customer, "qty" the quantity
_SHORT_FOR = {"cust": "customer", "qty": "quantity", "amt": "amount", "desc": "description", "descr": "description",
             "inv": "invoice", "tel": "telephone phone", "addr": "address", "dept": "department", "mgr": "manager",
             "ref": "reference", "pmt": "payment", "cat": "category", "temp": "temperature", "odo": "odometer",
             "reg": "registration", "veh": "vehicle", "dob": "birth", "est": "estimate", "prod": "product",
             "emp": "employee", "acct": "account", "bal": "balance", "wk": "week", "mth": "month",
             "supp": "supplier", "loc": "location", "cert": "certificate", "appt": "appointment"}


# The everyday verbs a name's part is asked by: "how many came" of attended (not in the model's
# reach: "came" and "attended" are far apart as single words)
_SAID_AS = {"attended": "came come turned showed", "attendance": "came come turned showed",
            "present": "came come turned showed", "showed": "came come turned"}


def short_for(column: str) -> set[str]:
    """The content words the short parts of a name stand for ("cust_name": customer), and the
    everyday verbs it is asked by ("attended": came)."""
    return content_words(" ".join(_SHORT_FOR.get(part, "") + " " + _SAID_AS.get(part, "")
                                  for part in column.lower().split("_")))


def _months(column: str) -> set[str]:
    """The months a name's short month parts stand for ("jan_actual": January)."""
    parts = set(column.lower().split("_"))
    return content_words(" ".join(m for m in MONTHS if m[:3] in parts or m == "september" and "sept" in parts))


def day_of_column(column: str) -> int | None:
    """The day of the week a column of a rota or timetable is named by ("sat_28", "Wednesday",
    "tues"), as ``date.weekday()`` counts; None when its name says none."""
    days = {WEEKDAYS.index(d) for part in column.lower().split("_") for d in WEEKDAYS
            if part in _DAY_NAMES[d] or part == d}
    return days.pop() if len(days) == 1 else None


def _weekdays(column: str) -> set[str]:
    """The ways of saying the day a column is named by ("wed_25": wednesday, weds)."""
    day = day_of_column(column)
    return weekday_words(day) if day is not None else set()


def weekday_words(day: int) -> set[str]:
    """The content words of a day of the week and its short names (2: wednesday, wed, weds)."""
    return content_words(" ".join((WEEKDAYS[day], *_DAY_NAMES[WEEKDAYS[day]])))


_DAY_NAMES = {"monday": ("mon",), "tuesday": ("tue", "tues"), "wednesday": ("wed", "weds"),
              "thursday": ("thu", "thur", "thurs"), "friday": ("fri",), "saturday": ("sat",), "sunday": ("sun",)}


# Ordinals written both ways: "c_2nd_shooter" is the second shooter, "second_reader" the 2nd
_ORDINALS = dict(zip("1st 2nd 3rd 4th 5th 6th 7th 8th 9th 10th".split(),
                     "first second third fourth fifth sixth seventh eighth ninth tenth".split(), strict=True))
_ORDINALS |= {word: digits for digits, word in _ORDINALS.items()}


def _ordinals(column: str) -> set[str]:
    """The other spelling of each ordinal part of a name ("2nd": second; "second": 2nd)."""
    return content_words(" ".join(_ORDINALS.get(part, "") for part in column.lower().split("_")))


# The past of verbs whose doer names a column, where the stem does not find it: "who second shot
# the wedding" of c_2nd_shooter, "who drove" of driver, "who sold it" of seller
_PAST = {stem(verb): past for verb, past in (
    ("shoot", "shot"), ("drive", "drove driven"), ("buy", "bought"), ("sell", "sold"), ("teach", "taught"),
    ("pay", "paid"), ("make", "made"), ("run", "ran"), ("write", "wrote written"), ("lead", "led"),
    ("build", "built"), ("catch", "caught"), ("win", "won"), ("keep", "kept"), ("ride", "rode ridden"),
    ("speak", "spoke spoken"), ("find", "found"), ("bring", "brought"), ("send", "sent"), ("lend", "lent"))}


def _done_by(column: str) -> set[str]:
    """The irregular past of the verb of each part of a name that is its doer ("shooter": shot)."""
    return content_words(" ".join(_PAST.get(stem(part), "") for part in column.lower().split("_")
                                  if part.endswith("er")))


def _joined(column: str) -> set[str]:
    """A one-letter part of a name read with the next, as the word is written ("e_mail": email,
    "x_ray": xray), beside the parts."""
    parts = column.lower().split("_")
    return {stem(a + b) for a, b in zip(parts, parts[1:], strict=False) if len(a) == 1 and a.isalpha() and b}


_ABBREVIATION = re.compile(r"[a-z]{2,3}")


def spelled_out(name: str, question: str) -> set[str]:
    """The content words of the words of ``question`` whose first letters, in a row, spell the
    short name ``name`` ("og": "original gravity", "abv": "alcohol by volume"); empty when none do
    (or they would be fewer than two content words: "of the" spells no "ot")."""
    name = name.lower()
    if not _ABBREVIATION.fullmatch(name):
        return set()
    words = _WORD.findall(question.lower())
    for i in range(len(words) - len(name) + 1):
        run = " ".join(words[i:i + len(name)])
        if "".join(w[0] for w in words[i:i + len(name)]) == name and len(found := content_words(run)) >= 2:
            return found
    return set()
