"""Which way round numeric dates are written: is 07/09/2024 the 7th of September or July 9th?

One file's dates often cannot say (no day above 12), while the person's other files can: a bank
export's 16/01/2024 settles that they write the day first. So the order is settled by the best
evidence at hand, in this order: the file's own unambiguous dates, the order the workspace's
earlier table files showed (kept in its ``meta`` table), the order its documents' passages write
dates in, the region the computer is set to (its ``LC_ALL``, ``LC_TIME`` or ``LANG``), and else
month first, as before.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, text

from ..db import meta_get, meta_set

DAY, MONTH = "day", "month"
CLEAR_SHARE = 0.8  # of the dates that show an order, the share that must agree for it to settle others
PASSAGES_READ = 2000
META_KEY = "date_order"  # the order the workspace's files showed last, "day" or "month"
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(?:\d{4}|\d{2})(?![\d/-]|\.\d)")
# Regions that write the month first (the United States and a few others); the rest write the day first.
_MONTH_FIRST_REGIONS = frozenset({"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "UM", "VI", "BZ"})
_REGION = re.compile(r"^[a-z]{2,3}_([A-Z]{2})")
# A numeric date's strptime format read month first ("%m/%d/%Y", with a time perhaps)
_MONTH_FORMAT = re.compile(r"^%m([/.-])%d\1(%[Yy].*)$")


def order_of(texts: Iterable[str]) -> str | None:
    """The order the numeric dates in ``texts`` show (a first part above 12: day first; a second:
    month first), when at least ``CLEAR_SHARE`` of those that show one agree; else None."""
    seen: Counter[str] = Counter()
    for said in texts:
        for m in _NUMERIC.finditer(said):
            first, second = int(m.group(1)), int(m.group(3))
            seen[DAY if first > 12 >= second else MONTH if second > 12 >= first else ""] += 1
    del seen[""]
    if not seen:
        return None
    order, n = seen.most_common(1)[0]
    return order if n >= CLEAR_SHARE * sum(seen.values()) else None


def order_in_passages(conn: Connection) -> str | None:
    """The order the workspace's passages write numeric dates in (the first ``PASSAGES_READ`` that
    hold a slash or a dot between digits), when they clearly agree."""
    rows = conn.execute(text("SELECT text FROM chunks WHERE text GLOB '*[0-9][/.-][0-9]*' LIMIT :n"),
                        {"n": PASSAGES_READ})
    return order_of(r[0] for r in rows)


def region_order(environ: Mapping[str, str] = os.environ) -> str | None:
    """The order the computer's region writes dates in, from the locale variables; None when they
    name no region (C, POSIX, unset)."""
    for name in ("LC_ALL", "LC_TIME", "LANG"):
        if value := environ.get(name):
            m = _REGION.match(value)
            return (MONTH if m[1] in _MONTH_FIRST_REGIONS else DAY) if m else None
    return None


def remembered(conn: Connection) -> str | None:
    """The order the workspace's earlier files showed, if any did."""
    value = meta_get(conn, META_KEY)
    return value if value in (DAY, MONTH) else None


def remember(conn: Connection, order: str) -> None:
    meta_set(conn, META_KEY, order)


def settled(*orders: str | None) -> tuple[str, int]:
    """The first order known of ``orders`` (best evidence first), and which of them it was; month
    first (and ``len(orders)``) when none is known."""
    for i, order in enumerate(orders):
        if order is not None:
            return order, i
    return MONTH, len(orders)


def day_first_format(fmt: str) -> str | None:
    """``fmt`` ("%m/%d/%Y") read day first ("%d/%m/%Y"); None when it is no month-first numeric date."""
    parts = fmt.split("|")  # "%Y-%m-%d|%m/%d/%y|%m/%d/%Y": each numeric one
    found = [_MONTH_FORMAT.match(f) for f in parts]
    return "|".join(f"%d{m[1]}%m{m[1]}{m[2]}" if m else f for f, m in zip(parts, found, strict=True)) \
        if any(found) else None


def order_of_formats(formats: Iterable[Any]) -> str | None:
    """The order unambiguous numeric-date columns were read in ("%d/%m/%Y": day first)."""
    seen = {DAY if f.startswith("%d") else MONTH for f in formats if f and re.match(r"^%[dm][/.-]%[dm]", f)}
    return seen.pop() if len(seen) == 1 else None


def workspace_orders(conn: Connection) -> tuple[str | None, str | None, str | None]:
    """What settles the order of numeric dates a file cannot, best first: the order the workspace's
    earlier table files showed, its documents' passages, the computer's region."""
    return remembered(conn), order_in_passages(conn), region_order()
