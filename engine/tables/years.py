"""Which year a date written without one means: "Sat 14 June" or "14 Oct" typed into a sheet
among dates that have their year.

People type the year when it matters and leave it off when it is plain from the rows around,
as a spreadsheet does not (it reads "14 Oct" as this year's, whatever the rows say). Here the
year is the one that puts the date nearest the dated row before it (or, for the first rows,
the one after), within half a year of it; a day of the week written with it must fall on the
date. Where no row has a year, or no year that near fits, the year is not settled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NEAR = dt.timedelta(days=183)  # a date's year is plain from a row within half a year of it, no further
_LEAP = 2000  # a year in which every day and month written exists (29 Feb), to read one without its year


@dataclass(frozen=True)
class DayOfYear:
    """A day and month with no year; ``weekday`` (0 Monday) when written beside it."""

    month: int
    day: int
    weekday: int | None = None

    def on(self, year: int) -> dt.date | None:
        """This day in ``year``; None when it does not exist then (29 Feb) or falls on another weekday."""
        try:
            date = dt.date(year, self.month, self.day)
        except ValueError:
            return None
        return date if self.weekday is None or date.weekday() == self.weekday else None


def without_year(value: str, formats: tuple[str, ...], weekday: int | None) -> DayOfYear | None:
    """``value`` ("14 Oct") read by the first of ``formats`` ("%d %b") that fits; None when none does."""
    for fmt in formats:
        try:
            read = dt.datetime.strptime(f"{value} {_LEAP}", f"{fmt} %Y")
        except ValueError:
            continue
        return DayOfYear(read.month, read.day, weekday)
    return None


def settle(found: list[dt.date | DayOfYear]) -> list[dt.date] | None:
    """``found`` in row order with each day of the year given the year nearest its neighbour's
    date (``DayOfYear.on``); None when one cannot be settled."""
    out: list[dt.date] = []
    for i, item in enumerate(found):
        if isinstance(item, dt.date):
            out.append(item)
            continue
        near = next((f for f in reversed(found[:i]) if isinstance(f, dt.date)), None) or \
            next((f for f in found[i + 1:] if isinstance(f, dt.date)), None)
        if near is None:
            return None
        choices = [d for year in (near.year - 1, near.year, near.year + 1)
                   if (d := item.on(year)) and abs(d - near) <= _NEAR]
        if not choices:
            return None
        out.append(min(choices, key=lambda d: abs(d - near)))
    return out
