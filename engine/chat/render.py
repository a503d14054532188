"""Actions and their results as short Markdown for the answer."""

from __future__ import annotations

import decimal
import os
from typing import Any

from ..tables.domain import ROW_FIELDS
from ..tables.model import cell_text
from .aggregates import MONEY_NAME
from .context import rows_of
from .types import Action, Citation
from .words import spoken

# What a proposal needs, in words that stay true once it is decided (the card shows where it stands).
_WAIT = {2: "runs once you approve it", 3: "runs once you confirm it with a reason"}
_PROPOSED = "I have proposed: "
_PENDING = {2: "waiting for your approval", 3: "waiting for your confirmation with a reason"}
_REFUSED = "I could not "  # "I could not propose that: …" (an answer that declines is ``abstained``)


def action_text(actions: list[Action], notes: list[str] | None = None) -> str:
    """One paragraph per action (its result when it ran, or what it waits for), then the notes."""
    return "\n\n".join([_one(a) for a in actions] + list(notes or []))


def _one(a: Action) -> str:
    if a.status == "executed":
        return _result(a)
    if a.status == "failed":
        return f"I tried to {a.summary[0].lower() + a.summary[1:]}, but it failed: {a.error}"
    return f"{_PROPOSED}**{a.summary}**; it {_WAIT.get(a.tier, 'runs once approved')}."


def proposes(paragraph: str, a: Action) -> bool:
    """``paragraph`` is the one that proposed ``a`` (as now, or with the "(action 4, tier 2)"
    of answers written before session 21)."""
    return paragraph.strip().startswith(f"{_PROPOSED}**{a.summary}**")


def without_proposals(text: str, actions: list[Action]) -> str:
    """``text`` without the paragraphs that propose ``actions``: their cards (or, in an export,
    their outcomes) say what they do."""
    return "\n\n".join(p for p in text.split("\n\n") if not any(proposes(p, a) for a in actions))


def weighed(text: str, citations: list[Any], abstained: bool, actions: list[Action]) -> bool:
    """An answer whose confidence is shown and which can be rated: one from the files (or one that
    declines). An answer that is an action's outcome, or a request refused ("I could not propose
    that: …"), has nothing of the files to weigh or rate: its card or its sentence ends it."""
    if citations or abstained:
        return True
    paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
    return not actions and not (paragraphs and all(p.startswith(_REFUSED) for p in paragraphs))


def outcome(a: Action) -> str:
    """Where an action stands, in words that follow it ("done · reason: …", "rejected: …")."""
    if a.status == "pending":
        return _PENDING.get(a.tier, "waiting for your approval")
    words = {"executed": "done", "approved": "approved, running"}.get(a.status, a.status)
    said = a.error if a.status == "failed" else a.reason
    if said and a.status in ("rejected", "failed"):
        return f"{words}: {said}"
    return f"{words} · reason: {a.reason}" if a.reason else words


def late_result(a: Action) -> str | None:
    """What an action that waited for approval found, for its card: the rows a query added up, the
    status, the errors. The answer was written before it ran, so only the card can show it (an
    action that ran at once has its result in the answer; one that only did something says "done")."""
    if a.status != "executed" or a.tier < 2 or a.type not in ("query", "status", "show_errors"):
        return None
    return _result(a)


def _result(a: Action) -> str:
    if a.type == "status":
        return status_text(a.result or {})
    if a.type == "show_errors":
        return errors_text(a.result or [], a.params.get("about"))
    if a.type == "query":
        return query_text(a.result, a.params.get("about"))
    if isinstance(a.result, dict) and a.result.get("existed"):
        return f"Table {a.result.get('table')} already exists, so nothing was created."
    if isinstance(a.result, dict) and (waiting := [p for p in a.result.get("proposals") or [] if p is not None]):
        added = int(a.result.get("rows") or 0)
        ids = ", ".join(str(p) for p in waiting)
        text = (f"{'added ' + _n(added, 'row') + '; ' if added else ''}table {a.result.get('table')} keeps new rows "
                f"for your approval, so {_n(len(waiting), 'row')} wait{'s' if len(waiting) == 1 else ''} as "
                f"proposal{'' if len(waiting) == 1 else 's'} {ids} in Approvals.")
        return text[0].upper() + text[1:]
    return f"Done: {a.summary}."


def status_text(s: dict[str, Any]) -> str:
    """The workspace's status in one or two sentences: documents (with how many are tabular
    files) and memory tables are counted apart."""
    text = (f"Your workspace holds **{_n(s.get('documents', 0), 'document')}** ({_n(s.get('chunks', 0), 'passage')}; "
            f"{_n(s.get('table_files', 0), 'tabular file')}) and **{_n(s.get('memory_tables', 0), 'memory table')}**; "
            f"{s.get('failed', 0)} could not be read and {s.get('queued', 0)} are waiting to be read.")
    if s.get("vectors") is not None and s.get("vectors") != s.get("chunks"):
        text += f" The search index holds {s['vectors']} vectors."
    return text


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def errors_text(failures: list[dict[str, Any]], about: str | None = None) -> str:
    """Recent failures as a list with their reasons."""
    if not failures:
        return f"Nothing about {about} has failed." if about else "Nothing has failed recently."
    head = f"Recent failures about {about}:" if about else "Recent failures:"
    lines = [f"- `{os.path.basename(f['path']) or f['path']}`: {f['reason']}" for f in failures[:20]]
    return head + "\n\n" + "\n".join(lines)


def query_text(result: Any, about: str | None = None) -> str:
    """A query's result; one that adds rows up (``engine.chat.aggregates``) as a sentence:
    "Adding up amount in expenses where category is groceries: **412.3**, over 12 rows."."""
    columns, rows = rows_of(result)
    if about and not rows:
        return f"{about} none."
    if not about:
        return table_text(result)
    if len(rows) != 1 or not columns or columns[-1] not in ("rows", "months"):
        if about.startswith(_ONE_ROW) and len(rows) > 1:  # rows tied at the top
            about = f"The {len(rows)} rows of {about[len(_ONE_ROW):]}"
        return f"{about}\n\n{table_text(([spoken(c) for c in columns], rows))}"
    *values, count = rows[0]
    noun = columns[-1][:-1]  # what was counted: rows, or the months of a monthly average
    if not values:
        return f"{about} **{_n(count, noun)}**."
    if not count:
        return f"{about} no {noun}s match."
    if len(values) == 1:
        return f"{about} **{_figure(values[0])}**, over {_n(count, noun)}."
    each = " and ".join(f"{spoken(c)} **{_figure(v)}**" for c, v in zip(columns, values, strict=False))
    return f"{about} {each}, over {_n(count, noun)}."


_ONE_ROW = "The row of "  # a superlative's answer (``engine.chat.aggregates``): several when tied


def _figure(value: Any) -> str:
    """A sum or an average as an answer says it: 1,484.85, 3,640 (of a DECIMAL column too); of a
    column whose matching cells are all empty, "nothing"."""
    if value is None:
        return "nothing"
    if isinstance(value, decimal.Decimal) and value.is_finite():
        value = float(value)
    if isinstance(value, float):
        return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def table_text(result: Any, limit: int = 20) -> str:
    """A query result as a Markdown table."""
    columns, rows = rows_of(result)
    if not rows:
        return "The query returned no rows."
    columns = columns or [f"column {i + 1}" for i in range(len(rows[0]))]
    cents = _cents(columns, rows[:limit])
    lines = ["| " + " | ".join(map(str, columns)) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(f"{v:.2f}" if i in cents and _number(v) else _cell(v) for i, v in enumerate(r)) + " |"
              for r in rows[:limit]]
    if len(rows) > limit:
        lines.append(f"\n({len(rows) - limit} more rows)")
    return "\n".join(lines)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cents(columns: list[Any], rows: list[Any]) -> set[int]:
    """The columns of money (amount, price_chf, "total amount") that hold cents somewhere: each
    of their numbers is written with two decimals (61.30 and 71.00, not 61.3 and 71)."""
    return {i for i, c in enumerate(columns) if MONEY_NAME.search(str(c).lower().replace(" ", "_"))
            and any(isinstance(r[i], float) and r[i] % 1 for r in rows)}


def _cell(value: Any) -> str:
    """A cell as the grid shows it (1150, not 1150.0), on one line and with its "|" kept from
    ending the Markdown cell."""
    return " ".join(cell_text(value).split()).replace("|", "\\|")


TABLE_ROWS = 10  # rows shown (and cited) a table


def tables_text(matches: list[dict[str, Any]], marks: dict[tuple[str, int], int] | None = None,
                limit: int = TABLE_ROWS) -> str:
    """Rows of the memory tables a question named (or whose values it mentioned); with ``marks``
    ((table, row key) -> citation number), a last column cites each row's source."""
    parts = []
    for m in matches:
        why = "" if m.get("named") else " (rows that mention your words)"
        shown = [i for i, c in enumerate(m["columns"]) if c not in ROW_FIELDS]  # not trust_score, created_at
        columns, rows = [m["columns"][i] for i in shown], [[row[i] for i in shown] for row in m["rows"]]
        cited = [marks.get((m["table"], k)) for k in m.get("keys", [])] if marks else []
        if any(cited):
            columns = [*columns, "source"]
            rows = [[*row, f"[{n}]" if n else ""] for row, n in zip(rows, cited, strict=False)]
        parts.append(f"From table **{m['table']}**{why}:\n\n" + table_text((columns, rows), limit=limit))
        parts += [notes_text(m["table"], m["notes"])] if m.get("notes") else []
    return "\n\n".join(parts)


def notes_text(table: str, notes: list[str]) -> str:
    """The notes written under a table's rows ("* prices exclude VAT"), to read beside its figures."""
    return f"*Under {table}'s rows:* " + " ".join(f"“{n}”" for n in notes)


def row_citations(matches: list[dict[str, Any]], first: int) -> tuple[list[Citation], dict[tuple[str, int], int]]:
    """Citations, numbered from ``first``, of the shown rows that came from a file: the file, and
    the row's line quoted verbatim where a line holds it; and (table, row key) -> number."""
    citations: list[Citation] = []
    marks: dict[tuple[str, int], int] = {}
    for m in matches:
        for key in m.get("keys", [])[:TABLE_ROWS]:
            source = m.get("sources", {}).get(key)
            if source is None:
                continue
            n = first + len(citations)
            citations.append(Citation(n, source.path, None, source.line, source.line, source.quote, 0))
            marks[(m["table"], key)] = n
    return citations, marks


def confidence_words(confidence: float, abstained: bool) -> str:
    """'Confidence 82% (high)': the number and a word for it (the pane and the export say the same)."""
    if abstained:
        return f"Not found in your files · confidence {confidence:.0%}"
    word = "high" if confidence >= 0.75 else "medium" if confidence >= 0.5 else "low"
    return f"Confidence {confidence:.0%} ({word})"
