"""How a number column's cells read in a grid: with the same decimal places all the way down, so
money keeps its cents (42.10 beside 3.50, not 42.1 beside 3.5). Only the text shown changes; the
stored value never does."""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal

from engine.chat.aggregates import MONEY_NAME
from engine.tables.model import cell_text, decimal_places

CENTS = 2
_FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL", "FLOAT4", "FLOAT8")


def column_places(name: str, sql_type: str | None, values: Iterable[object]) -> int | None:
    """The decimal places every number of a column shows, or None to show each as it is.

    A fixed-point type keeps its scale (DECIMAL(18,2): 2). A column of floats (``sql_type`` a float
    type, or None for a query's result) shows 2 when it has cents (a value has two decimals, none has
    more) or its name is money's (amount, cost, price…) and no value has more than two."""
    if sql_type is not None:
        scale = decimal_places(sql_type)
        if scale is not None:
            return scale or None
        if sql_type.upper().split("(")[0].strip() not in _FLOAT_TYPES:
            return None
    decimals = [_decimals(v) for v in values if isinstance(v, float)]
    if not decimals or max(decimals) > CENTS:
        return None
    return CENTS if CENTS in decimals or MONEY_NAME.search(name.lower()) else None


def _decimals(value: float) -> int:
    """How many decimals ``value`` shows as the grid writes it (a huge or tiny one: more than any)."""
    if not math.isfinite(value):
        return 99
    text = cell_text(value)
    return 99 if "e" in text else len(text.partition(".")[2])


def number_text(value: object, places: int | None) -> str:
    """``value`` as a cell reads, with ``places`` decimals if it is a finite number."""
    if places is None or isinstance(value, bool) or not isinstance(value, float | Decimal):
        return cell_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return cell_text(value)
    return f"{value:.{places}f}"
