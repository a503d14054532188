"""Columns of ticks: a grid whose cells say yes with a mark ("Y", "yes", "✓"), perhaps "may" for
maybe, and nothing for no, as an allergen matrix or a skills grid keeps them. Import types such
a column as text when one cell says "may", so a question asks it as a yes/no column: "how many
menu items contain sesame" counts its "Y" cells."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..tables.names import quote_ident, quote_literal

YES = ("y", "yes", "✓", "✔", "true")
MAYBE = ("may", "maybe", "may contain", "trace", "traces", "?")
NO = ("n", "no", "false")
_MARKS = frozenset(YES + MAYBE + NO)


def ticked(store: Any, info: Any) -> frozenset[str]:
    """The text columns of ``info`` whose every cell is a mark and one at least a yes, kept until
    the next write."""
    def read() -> frozenset[str]:
        found = set()
        for column in (c.name for c in info.columns if c.type.upper() == "VARCHAR"):
            cells = {str(v).strip().lower() for (v,) in store.cursor().execute(
                f"SELECT DISTINCT {quote_ident(column)} FROM {quote_ident(info.name)} "
                f"WHERE {quote_ident(column)} IS NOT NULL LIMIT {len(_MARKS) + 1}").fetchall()}
            if cells and cells <= _MARKS and cells & set(YES):
                found.add(column)
        return frozenset(found)

    return store.remembered(("ticked", info.name), read)


def as_flags(store: Any, info: Any) -> Any:
    """``info`` with its columns of ticks typed as the yes/no columns they are."""
    ticks = ticked(store, info)
    if not ticks:
        return info
    return replace(info, columns=[replace(c, type="BOOLEAN") if c.name in ticks else c for c in info.columns])


def flag_sql(column: str, yes: bool) -> str:
    """The rows whose tick column says yes (or no: blank or a no, not "may")."""
    cell = f"lower(trim({quote_ident(column)}))"
    if yes:
        return f"{cell} IN ({', '.join(quote_literal(m) for m in YES)})"
    return f"({quote_ident(column)} IS NULL OR {cell} IN ({', '.join(quote_literal(m) for m in NO)}))"
