"""What type a column of text values really holds, and the SQL that converts it.

DuckDB's sniffer knows ISO dates, numbers and booleans; files in the wild also
carry ``Jan-1-1995``, ``01/02/1995`` (day or month first?), ``19950101`` in a
column called ``date``, quarters such as ``1974Q1``, thousands separators,
decimal commas, ``N/A`` for missing values, codes with leading zeros, a sheet's dates typed
by hand each its own way, some without a year (``Sat 14 June``), and ``half`` a day. A type
is chosen only when every non-missing value in the sample fits it; anything else
stays text, so no value is ever turned into NULL by a guess.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from . import years

NULL_TOKENS = ("na", "n/a", "nan", "null", "none", "-", "--", "#n/a", "nil", "missing", "?")
_TOKEN_SQL = ", ".join(f"'{t}'" for t in NULL_TOKENS)  # constants from this module, never input
_BOOL_TRUE, _BOOL_FALSE = ("true", "t", "yes", "y"), ("false", "f", "no", "n")
_DATE_NAME = re.compile(r"(date|day|_dt$|^dt_|^dt$|time|when|period|ymd|_on$|^on_)", re.I)

_INT = re.compile(r"^[+-]?\d+$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")
_DEC_COMMA = re.compile(r"^[+-]?(\d+|\d{1,3}(\.\d{3})+),\d+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$")
_ISO_TS_NATIVE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")
_ISO_TZ = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$")
_NUMERIC_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_QUARTER = re.compile(r"^(\d{4})\s*[-_ ]?\s*[Qq]([1-4])$|^[Qq]([1-4])\s*[-_ ]?\s*(\d{4})$")
_MONTH = re.compile(r"^(\d{4})(?:[Mm](\d{1,2})|-(\d{2}))$")

# (pattern, format) for unambiguous textual dates; the format is valid for Python and DuckDB.
_DATE_FORMATS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "%Y/%m/%d"),
    (re.compile(r"^\d{4}\.\d{1,2}\.\d{1,2}$"), "%Y.%m.%d"),
    (re.compile(r"^[A-Za-z]{3}-\d{1,2}-\d{4}$"), "%b-%d-%Y"),
    (re.compile(r"^[A-Za-z]{3} \d{1,2} \d{4}$"), "%b %d %Y"),
    (re.compile(r"^[A-Za-z]{3} \d{1,2}, \d{4}$"), "%b %d, %Y"),
    (re.compile(r"^[A-Za-z]{3,9} \d{1,2}, \d{4}$"), "%B %d, %Y"),
    (re.compile(r"^\d{1,2}-[A-Za-z]{3}-\d{4}$"), "%d-%b-%Y"),
    (re.compile(r"^\d{1,2}-[A-Za-z]{3}-\d{2}$"), "%d-%b-%y"),
    (re.compile(r"^\d{1,2} [A-Za-z]{3} \d{4}$"), "%d %b %Y"),
    (re.compile(r"^\d{1,2} [A-Za-z]{3,9} \d{4}$"), "%d %B %Y"),
]
_MAX_CHECK = 3000  # distinct values validated one by one


@dataclass
class Detected:
    """A column's type and how to get there from its text."""

    type: str = "VARCHAR"  # DuckDB type name
    conv: str = "text"  # text | int | float | bool | strptime | cast | tz | quarter | month
    fmt: str | None = None
    note: str | None = None
    # A reading the person should check before it is applied: day/month order, or a period read
    # as its first day ("2024-01" shown as 2024-01-01). The text as written is kept, so approving
    # the column as VARCHAR restores it, and the proposal waits (below the auto-approve threshold).
    ambiguous: bool = False
    tokens: bool = False  # missing-value words such as N/A were seen
    thousands: bool = False
    decimal_comma: bool = False
    symbol: str | None = None  # a currency sign every value carries ("€39.90"), taken off
    days: bool = False  # a day of the week written before some dates ("Sat 25 July 26"), taken off
    known: dict[str, str] | None = None  # values read one by one ("half": "0.5"; "14 Oct": "2026-10-14")

    @property
    def native(self) -> bool:
        """True when the CSV reader can produce this type itself (fast path)."""
        if self.tokens or self.thousands or self.decimal_comma or self.symbol or self.known:
            return False
        return self.conv in ("text", "int", "float") or (self.conv == "cast" and self.fmt == "native")


def detect(name: str, values: list[str | None]) -> Detected:
    """The narrowest type every non-missing value of ``values`` fits (text when none)."""
    present = [v.strip() for v in values if v is not None and v.strip()]
    data = [v for v in present if v.lower() not in NULL_TOKENS]
    tokens = len(data) < len(present)
    if not data:
        return Detected()
    distinct = list(dict.fromkeys(data))[:_MAX_CHECK]
    for check in (_bool, _yyyymmdd, _numbers, _signed_amounts, _mixed_amounts, _unit_amounts, _numbers_in_words,
                  _iso, _numeric_dates, _text_dates, _mixed_dates, _periods, _weekday_dates, _typed_dates):
        found = check(name, distinct)
        if found is not None:
            found.tokens = tokens and found.conv != "text"
            if found.tokens:
                found.note = _join(found.note, "missing-value words such as 'N/A' are read as empty")
            return found
    return Detected()


def _join(a: str | None, b: str) -> str:
    return f"{a}; {b}" if a else b


def _bool(name: str, vals: list[str]) -> Detected | None:
    lowered = {v.lower() for v in vals}
    if lowered <= set(_BOOL_TRUE + _BOOL_FALSE):
        native = lowered <= {"true", "false"}
        return Detected("BOOLEAN", "cast" if native else "bool", "native" if native else None)
    return None


def _yyyymmdd(name: str, vals: list[str]) -> Detected | None:
    if not _DATE_NAME.search(name) or not all(len(v) == 8 and v.isdigit() for v in vals):
        return None
    if all(fits_format(v, "%Y%m%d") and 1700 <= int(v[:4]) <= 2300 for v in vals):
        return Detected("DATE", "strptime", "%Y%m%d", note="8-digit numbers read as dates (YYYYMMDD)")
    return None


def _numbers(name: str, vals: list[str]) -> Detected | None:
    if all(_INT.match(v) for v in vals):
        digits = [v.lstrip("+-") for v in vals]
        if any(len(d) > 1 and d.startswith("0") for d in digits):
            return Detected(note="kept as text to keep leading zeros")
        if any(len(d) > 18 for d in digits):
            return Detected(note="numbers too long for an integer are kept as text")
        return Detected("BIGINT", "int")
    if all(_INT.match(v) or (_THOUSANDS.match(v) and "." not in v) for v in vals):
        return Detected("BIGINT", "int", thousands=True, note="thousands separators removed")
    if all(_FLOAT.match(v) or _THOUSANDS.match(v) for v in vals) and not all(map(_fits_double, vals)):
        return Detected(note="numbers too large or too long for a floating-point number are kept as text")
    if all(_FLOAT.match(v) for v in vals):
        return Detected("DOUBLE", "float")
    if all(_FLOAT.match(v) or _THOUSANDS.match(v) for v in vals):
        return Detected("DOUBLE", "float", thousands=True, note="thousands separators removed")
    if all(_INT.match(v) or _DEC_COMMA.match(v) for v in vals):
        commas = [v for v in vals if "," in v]
        if any(len(v.rsplit(",", 1)[1]) != 3 for v in commas):
            return Detected("DOUBLE", "float", decimal_comma=True, note="decimal commas read as decimal points")
    return None


_SYMBOLS = "€$£¥"


def _signed_amounts(name: str, vals: list[str]) -> Detected | None:
    """Amounts that each carry one currency sign, before or after ("€39.90", "1.451,40 €"): numbers,
    the sign taken off and said in the note; None unless every value has the same sign."""
    for sign in _SYMBOLS:
        if all(v.startswith(sign) or v.endswith(sign) or v.startswith("-" + sign) for v in vals):
            found = _numbers(name, [v.replace(sign, "").strip() for v in vals])
            if found is None or found.conv == "text":
                return None
            found.symbol = sign
            found.note = _join(found.note, f"the {sign} sign taken off each amount")
            return found
    return None


_AMOUNT_SIGNS = re.compile(f"[{_SYMBOLS}]")
_DOTTED_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def _mixed_amounts(name: str, vals: list[str]) -> Detected | None:
    """Amounts a person typed in several ways in one column ("€ 850,00", "850.00", "€850",
    "€ 1.020,00"): numbers, each read as written (a sign taken off; a decimal comma where one is
    written, a thousands comma or point otherwise). None unless every value is such an amount."""
    plain = [_AMOUNT_SIGNS.sub("", v).strip() for v in vals]
    signs = [_AMOUNT_SIGNS.findall(v) for v in vals]
    if any(len(found) > 1 for found in signs) or len({x for found in signs for x in found}) > 1 or not all(
            _FLOAT.match(v) or _THOUSANDS.match(v) or _DEC_COMMA.match(v) or _DOTTED_THOUSANDS.match(v) for v in plain):
        return None
    if not all(_fits_double(v.replace(".", "").replace(",", "")) for v in plain):
        return None
    commas = any(_DEC_COMMA.match(v) and not _THOUSANDS.match(v) for v in plain)  # "850,00": "1.020" is 1020
    if not commas and any(_DOTTED_THOUSANDS.match(v) and not _FLOAT.match(v) for v in plain):
        return None
    whole = all(_INT.match(v) or _THOUSANDS.match(v) and "." not in v or commas and _DOTTED_THOUSANDS.match(v)
                for v in plain)
    points = any("." in v and not _DOTTED_THOUSANDS.match(v) or _THOUSANDS.match(v) for v in plain)
    return Detected("BIGINT" if whole else "DOUBLE", "amount", decimal_comma=commas, ambiguous=commas and points,
                    note="amounts written in several ways read as numbers, each as written"
                         + (", currency signs taken off" if any(signs) else ""))


# Units a person writes after a number ("4.05 kg", "3.2kg", "4.5 hrs"), by the one they stand for
UNITS = {"kg": "kg", "kgs": "kg", "g": "g", "lb": "lb", "lbs": "lb", "oz": "oz", "hrs": "hrs", "hr": "hrs",
         "h": "hrs", "hours": "hrs", "hour": "hrs", "mins": "mins", "min": "mins", "km": "km", "mi": "miles",
         "miles": "miles", "l": "litres", "ltr": "litres", "litres": "litres", "liters": "litres", "ml": "ml",
         "cm": "cm", "kwh": "kwh"}  # not mm: "15mm" is a pipe's size, which a question says as a value
_LABEL_NAME = re.compile(r"(?:^|_)(?:size|sizes|diameter|dia|bore|gauge|thread)(?:_|$)")  # 15mm, 8L: labels
_UNIT_VALUE = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*([A-Za-z]+)?\.?$")


# Numbers a person writes as words among figures ("half" a day among days of 1)
_NUMBER_WORDS = {"half": 0.5, "a half": 0.5, "quarter": 0.25, "a quarter": 0.25, "zero": 0, "one": 1, "two": 2,
                 "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def _numbers_in_words(name: str, vals: list[str]) -> Detected | None:
    """Numbers some of which are written as words ("1", "2", "half"): numbers, each word read as
    the number it says; None unless every other value is a plain number."""
    words = [v for v in vals if v.lower() in _NUMBER_WORDS]
    figures = [v for v in vals if v.lower() not in _NUMBER_WORDS]
    found = _numbers(name, figures) if words and figures else None
    if found is None or found.conv not in ("int", "float"):
        return None
    said = {w: _NUMBER_WORDS[w.lower()] for w in words}
    if found.conv == "int" and any(n != int(n) for n in said.values()):
        found.type, found.conv = "DOUBLE", "float"
    found.known = {w: str(n) for w, n in said.items()}
    found.note = _join(found.note, ", ".join(f"{w!r} read as {n:g}" for w, n in said.items()))
    return found


def _unit_amounts(name: str, vals: list[str]) -> Detected | None:
    """Numbers some of which carry one unit after them ("4.05 kg", "3.2kg", "6.5"): numbers, the
    unit taken off and kept in ``fmt`` for the column's name; None unless every value is such a
    number and their units are one."""
    found = [_UNIT_VALUE.match(v) for v in vals]
    if not all(found) or _LABEL_NAME.search(name.lower()):
        return None
    units = {UNITS.get(m[2].lower()) for m in found if m and m[2]}
    if len(units) != 1 or None in units:
        return None
    unit = units.pop()
    whole = all(m and "." not in m[1] for m in found)
    return Detected("BIGINT" if whole else "DOUBLE", "unit", unit, note=f"the unit {unit} taken off each value")


def named_with_unit(name: str, unit: str) -> str:
    """``name`` with the unit its values were written in, unless it says it already (hrs, hours_worked)."""
    parts = set(name.lower().split("_"))
    return name if parts & ({u for u, meant in UNITS.items() if meant == unit} | {unit}) else f"{name}_{unit}"


def _fits_double(value: str) -> bool:
    """False for 1e400 (infinity) and for an integer with more digits than a double keeps."""
    number = value.replace(",", "")
    if _INT.match(number):
        return int(float(number)) == int(number)
    return math.isfinite(float(number))


def _iso(name: str, vals: list[str]) -> Detected | None:
    if all(_ISO_DATE.match(v) for v in vals):
        if all(fits_format(v, "%Y-%m-%d") for v in vals):
            return Detected("DATE", "cast", "native")
        return None
    if all(_ISO_TS.match(v) for v in vals):
        native = all(_ISO_TS_NATIVE.match(v) for v in vals)
        return Detected("TIMESTAMP", "cast", "native" if native else None)
    if all(_ISO_TS.match(v) or _ISO_TZ.match(v) for v in vals):
        return Detected("TIMESTAMP", "tz", note="times with a UTC offset are converted to UTC")
    return None


def _numeric_dates(name: str, vals: list[str]) -> Detected | None:
    """``01/02/1995``-style dates: day or month first is settled by values above 12."""
    parts = [_NUMERIC_DATE.match(v) for v in vals]
    if not all(parts):
        return None
    shapes = {(m.group(2), m.group(5) is not None, m.group(7) is not None) for m in parts}  # type: ignore[union-attr]
    if len(shapes) != 1:
        return None
    sep, has_time, has_secs = shapes.pop()
    # "20/11/2026" and "23/11/26" in one column: the short year tried first, as the long one would
    # read "26" as the year 26
    years = ["%y", "%Y"] if {len(m.group(4)) for m in parts} == {2, 4} else [  # type: ignore[union-attr]
        "%Y" if len(parts[0].group(4)) == 4 else "%y"]  # type: ignore[union-attr]
    first_big = any(int(m.group(1)) > 12 for m in parts)  # type: ignore[union-attr]
    second_big = any(int(m.group(3)) > 12 for m in parts)  # type: ignore[union-attr]
    if first_big and second_big:
        return None
    day_first = first_big or (sep == "." and not second_big)
    order = "%d{s}%m{s}" if day_first else "%m{s}%d{s}"
    time = " %H:%M" + (":%S" if has_secs else "") if has_time else ""
    fmts = [order.format(s=sep) + year + time for year in years]
    if not all(any(fits_format(v, f) for f in fmts) for v in vals):
        return None
    out = Detected("TIMESTAMP" if has_time else "DATE", "strptime", "|".join(fmts))
    if not first_big and not second_big and sep != ".":
        out.ambiguous = True
        out.note = (f"dates such as {vals[0]!r} could be day/month or month/day; read as month/day "
                    "(approve with the type VARCHAR to keep the dates as written)")
    return out


def _text_dates(name: str, vals: list[str]) -> Detected | None:
    """Dates with month names or a year first; several spellings may share a column."""
    used: list[str] = []
    for v in map(_plain_date, vals):
        fmt = next((f for p, f in _DATE_FORMATS if p.match(v) and fits_format(v, f)), None)
        if fmt is None:
            return None
        if fmt not in used:
            used.append(fmt)
        if len(used) > 3:
            return None
    return Detected("DATE", "strptime", "|".join(used))


# "3rd Oct 2022", "9th Sept 2024": written dates with an ordinal day or a four-letter September,
# read as "3 Oct 2022" and "9 Sep 2024" (here and in ``conversion``'s SQL)
_ORDINAL = re.compile(r"(\d)(?:st|nd|rd|th)\b", re.I)
_SEPT = re.compile(r"\bsept\b", re.I)
_PLAIN_DATE_SQL = ("regexp_replace(regexp_replace({v}, '([0-9])(st|nd|rd|th)\\b', '\\1', 'gi'), "
                   "'\\bsept\\b', 'Sep', 'gi')")


def _plain_date(value: str) -> str:
    return _SEPT.sub("Sep", _ORDINAL.sub(r"\1", value))


def _mixed_dates(name: str, vals: list[str]) -> Detected | None:
    """Dates some written as above (``_text_dates``: "2024-01-12", "15 Feb 2024") and others with
    numbers only ("31/01/2024", read as ``_numeric_dates`` reads them alone): one column of dates,
    as typed by hand into a sheet over the months."""
    numeric = [v for v in vals if _NUMERIC_DATE.match(v)]
    written = [v for v in vals if not _NUMERIC_DATE.match(v)]
    if not numeric or not written:
        return None
    by_number, by_text = _numeric_dates(name, numeric), _text_dates(name, written)
    if by_number is None or by_text is None or by_number.type != "DATE":
        return None
    return Detected("DATE", "strptime", f"{by_text.fmt}|{by_number.fmt}", ambiguous=by_number.ambiguous,
                    note=_join(by_number.note, "dates written in several ways"))


# "Wed 07/05/2025", "Saturday, 3 May 2025": a date after its day of the week
_WEEKDAY_LEAD = re.compile(r"^(?P<day>(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*)(?P<sep>,? )(?P<date>\S.*)$", re.I)
_DAY_FORMATS = {"%a": "mon tue wed thu fri sat sun", "%A": "monday tuesday wednesday thursday friday saturday sunday"}


def _weekday_dates(name: str, vals: list[str]) -> Detected | None:
    """Dates after their day of the week, the day written one way in the column ("Wed" or
    "Wednesday") and the date one way after it. Where the numbers alone could be day/month or
    month/day ("Wed 07/05/2025"), the days of the week settle it: 7 May 2025 is a Wednesday."""
    parts = [_WEEKDAY_LEAD.match(v) for v in vals]
    if not all(parts):
        return None
    days = {m["day"].lower() for m in parts}  # type: ignore[index]
    day_fmt = next((f for f, names in _DAY_FORMATS.items() if days <= set(names.split())), None)
    seps = {m["sep"] for m in parts}  # type: ignore[index]
    if day_fmt is None or len(seps) != 1:
        return None
    dates = [m["date"] for m in parts]  # type: ignore[index]
    inner = _numeric_dates(name, dates) or _text_dates(name, dates)
    if inner is None or inner.type != "DATE" or "|" in (inner.fmt or ""):
        return None
    lead = day_fmt + seps.pop()
    fmts = [inner.fmt or ""]
    if inner.ambiguous:  # try both orders; keep the one whose days of the week are right
        fmts.append(re.sub(r"%([dm])(.)%([dm])", r"%\3\2%\1", fmts[0]))
    for fmt in fmts:
        if all(fits_format(v, lead + fmt) and _weekday_right(v, lead + fmt) for v in vals):
            return Detected("DATE", "strptime", lead + fmt, note="dates read after their day of the week")
    return None


def _weekday_right(value: str, fmt: str) -> bool:
    """Python's strptime reads the day of the week but does not check it against the date."""
    return dt.datetime.strptime(value, fmt).strftime("%a").lower() == value[:3].lower()


# A day of the week before a date ("Sat 14 June", "Wed, 3 May 2025"), taken off in Python and SQL
_DAY_LEAD = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+(?=\S)", re.I)
_DAY_LEAD_SQL = "regexp_replace({v}, '^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\\.?,?\\s+', '', 'i')"
# Tried before the formats with a four-digit year, as "%Y" would read "26" as the year 26
_SHORT_YEAR = ("%d %b %y", "%d %B %y", "%d-%b-%y")
_NO_YEAR = ("%d %b", "%d %B", "%b %d", "%B %d")


def _typed_dates(name: str, vals: list[str]) -> Detected | None:
    """Dates typed by hand into one column over the months, each its own way: the sheet's date
    cells ("2025-04-27"), "12th April 2025", "30/08/25", "Sat 25 July 26", and some with no year
    ("Sat 14 June", "14 Oct"), which take theirs from the rows around them (``years.settle``).
    The numeric ones share one order, as ``_numeric_dates`` reads them."""
    leads = [_DAY_LEAD.match(v) for v in vals]
    bare = [_plain_date(v[m.end():] if m else v) for v, m in zip(vals, leads, strict=True)]
    numeric = [b for b in bare if _NUMERIC_DATE.match(b)]
    by_number = _numeric_dates(name, numeric) if numeric else None
    if numeric and (by_number is None or by_number.type != "DATE"):
        return None
    fmts = [*(by_number.fmt or "").split("|"), *_SHORT_YEAR] if by_number else list(_SHORT_YEAR)
    fmts += [f for _, f in _DATE_FORMATS if f not in fmts]
    found: list[dt.date | years.DayOfYear] = []
    used: set[str] = set()
    for b, lead in zip(bare, leads, strict=True):
        weekday = years.WEEKDAYS.index(lead[1].lower()) if lead else None
        fmt = next((f for f in fmts if fits_format(b, f)), None)
        if fmt is None:
            day = years.without_year(b, _NO_YEAR, weekday)
            if day is None:
                return None
            found.append(day)
            continue
        date = dt.datetime.strptime(b, fmt).date()
        if weekday is not None and date.weekday() != weekday:
            return None
        found.append(date)
        used.add(fmt)
    dates = years.settle(found)
    if dates is None or not used:
        return None
    known = {v: d.isoformat() for v, d, f in zip(vals, dates, found, strict=True) if isinstance(f, years.DayOfYear)}
    note = _join(by_number.note if by_number else None, "dates written in several ways")
    if known:
        said, iso = next(iter(known.items()))
        note += f"; {said!r} read as {iso}, the year of the rows around it"
    return Detected("DATE", "strptime", "|".join(f for f in fmts if f in used), note=note, days=any(leads),
                    known=known or None, ambiguous=bool(by_number and by_number.ambiguous))


def _periods(name: str, vals: list[str]) -> Detected | None:
    if all(_QUARTER.match(v) for v in vals):
        return Detected("DATE", "quarter", note=f"quarters such as {vals[0]!r} read as the quarter's first day",
                        ambiguous=True)
    months = [_MONTH.match(v) for v in vals]
    if all(months) and all(1 <= int(m.group(2) or m.group(3)) <= 12 for m in months):  # type: ignore[union-attr]
        return Detected("DATE", "month", note=f"months such as {vals[0]!r} read as the month's first day",
                        ambiguous=True)
    return None


def fits_format(value: str, fmt: str) -> bool:
    """Whether ``value`` reads as a date or time written in ``fmt`` (``strptime``'s)."""
    try:
        dt.datetime.strptime(value, fmt)
        return True
    except ValueError:
        return False


# -- SQL ---------------------------------------------------------------------------------


def conversion(raw: str, d: Detected) -> str:
    """SQL turning the quoted text column ``raw`` into ``d.type``; NULL where a value does not fit."""
    v = f"NULLIF(trim({raw}), '')"
    if d.tokens:
        v = f"(CASE WHEN lower(trim({raw})) IN ({_TOKEN_SQL}) THEN NULL ELSE {v} END)"
    if d.conv == "text":
        return raw
    if not d.known:
        return _converted(v, d)
    known = " ".join(f"WHEN {_literal(said)} THEN CAST({_literal(value)} AS {d.type})"
                     for said, value in d.known.items())
    return f"COALESCE(CASE {v} {known} END, {_converted(v, d)})"


def _converted(v: str, d: Detected) -> str:
    if d.conv in ("int", "float"):
        if d.symbol:  # one of _SYMBOLS, never input
            v = f"trim(replace({v}, '{d.symbol}', ''))"
        if d.decimal_comma:
            v = f"replace(replace({v}, '.', ''), ',', '.')"
        elif d.thousands:
            v = f"replace({v}, ',', '')"
        if d.conv == "int":  # a cast from text would round '2.5' to 3; it must be a misfit instead
            return f"(CASE WHEN regexp_full_match({v}, '[+-]?[0-9]+') THEN TRY_CAST({v} AS {d.type}) END)"
        # 1e400 would become infinity; NULL makes it a misfit, and the column stays text
        return f"(CASE WHEN isfinite(TRY_CAST({v} AS {d.type})) THEN TRY_CAST({v} AS {d.type}) END)"
    if d.conv == "unit":  # the number before the unit
        number = f"regexp_extract({v}, '^([+-]?[0-9]+(\\.[0-9]+)?)', 1)"
        return f"TRY_CAST(NULLIF({number}, '') AS {d.type})"
    if d.conv == "amount":
        return reading(f"regexp_replace({v}, '[{_SYMBOLS}]', '', 'g')", d.type, dotted=d.decimal_comma)
    if d.conv == "bool":
        yes, no = ", ".join(f"'{x}'" for x in _BOOL_TRUE), ", ".join(f"'{x}'" for x in _BOOL_FALSE)
        return f"(CASE WHEN lower({v}) IN ({yes}) THEN true WHEN lower({v}) IN ({no}) THEN false END)"
    if d.conv == "strptime":
        return _strptime_sql(v, d)
    if d.conv == "cast":
        return f"TRY_CAST({v} AS {d.type})"
    if d.conv == "tz":
        return f"CAST(TRY_CAST({v} AS TIMESTAMPTZ) AS TIMESTAMP)"
    if d.conv == "quarter":
        year = f"TRY_CAST(regexp_extract({v}, '(\\d{{4}})', 1) AS INTEGER)"
        quarter = f"TRY_CAST(regexp_extract({v}, '[Qq]([1-4])', 1) AS INTEGER)"
        return f"try(make_date({year}, {quarter} * 3 - 2, 1))"
    if d.conv == "month":
        year = f"TRY_CAST(left({v}, 4) AS INTEGER)"
        month = f"TRY_CAST(regexp_extract({v}, '^\\d{{4}}(?:[Mm]|-)(\\d{{1,2}})$', 1) AS INTEGER)"
        return f"try(make_date({year}, {month}, 1))"
    raise ValueError(f"unknown conversion {d.conv}")


def _strptime_sql(v: str, d: Detected) -> str:
    fmts = ", ".join(f"'{f}'" for f in (d.fmt or "").split("|"))  # this module's constants, never input
    read = _DAY_LEAD_SQL.format(v=v) if d.days else v
    if any(c in (d.fmt or "") for c in ("%b", "%B")):
        read = _PLAIN_DATE_SQL.format(v=read)
    return f"CAST(try_strptime({read}, [{fmts}]) AS {d.type})"


def _literal(said: str) -> str:
    """A value read from a file as an SQL string literal."""
    return "'" + said.replace("'", "''") + "'"


_WHOLE = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
          "UHUGEINT")
NUMERIC_TYPES = (*_WHOLE, "DOUBLE", "FLOAT", "REAL", "DECIMAL")  # type names a number column's type starts with


def plain_number(text: str) -> str:
    """A number as typed, in the form a cast reads: "1,200.50" -> "1200.50", "2,5" -> "2.5",
    "1.234,56" -> "1234.56" (as ``reading`` reads one); other text as it is."""
    v = text.strip()
    if _THOUSANDS.match(v):
        return v.replace(",", "")
    if _DEC_COMMA.match(v):
        return v.replace(".", "").replace(",", ".")
    return text


def reading(raw: str, type_: str, dotted: bool = False) -> str:
    """SQL reading the text in ``raw`` as ``type_`` value by value, as an import reads one value:
    "1,200.50", "2,5" and "1.234,56" are numbers, "31 March 2025" and "2025/03/31" dates, "yes"
    true. NULL where a value is missing or cannot be read so (a day-or-month-first date such as
    03/04/2025 cannot, alone); the caller tells those apart with ``missing_sql``."""
    kind = type_.upper()
    v = f"NULLIF(trim({raw}), '')"
    if kind.startswith(NUMERIC_TYPES):
        points = f"WHEN regexp_full_match({v}, '{_DOTTED_THOUSANDS.pattern[1:-1]}') THEN replace({v}, '.', '') " \
            if dotted else ""  # "1.020" among amounts with decimal commas: a thousand and twenty
        text = (f"(CASE WHEN regexp_full_match({v}, '{_THOUSANDS.pattern[1:-1]}') THEN replace({v}, ',', '') "
                f"WHEN regexp_full_match({v}, '{_DEC_COMMA.pattern[1:-1]}') "
                f"THEN replace(replace({v}, '.', ''), ',', '.') {points}ELSE {v} END)")
        if kind.startswith(_WHOLE):  # a cast from text would round '2.5' to 3
            return f"(CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+') THEN TRY_CAST({text} AS {type_}) END)"
        return f"(CASE WHEN isfinite(TRY_CAST({text} AS DOUBLE)) THEN TRY_CAST({text} AS {type_}) END)"
    if kind in ("DATE", "TIMESTAMP"):
        fmts = ", ".join(f"'{f}'" for _, f in _DATE_FORMATS)  # this module's constants, never input
        return f"COALESCE(TRY_CAST({v} AS {type_}), CAST(try_strptime({v}, [{fmts}]) AS {type_}))"
    if kind == "BOOLEAN":
        return conversion(raw, Detected("BOOLEAN", "bool"))
    return f"TRY_CAST({v} AS {type_})"


def missing_sql(raw: str) -> str:
    """SQL that is true when the text in ``raw`` counts as a missing value."""
    return f"(NULLIF(trim({raw}), '') IS NULL OR lower(trim({raw})) IN ({_TOKEN_SQL}))"
