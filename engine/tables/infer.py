"""Schema inference: what a table file holds, worked out on a sample.

``infer_file`` never reads a whole large file: the dialect and types come from the
first rows (DuckDB's sniffer plus ``values.detect``); the full read happens once,
when the rows are staged (``load.stage``), and corrects anything the sample missed.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import TableError
from ..extract import format_for
from . import csvsource, dateorder, readers
from .names import ROW_KEY, quote_ident, quote_literal, table_name_for, unique_names
from .values import Detected, conversion, detect, named_with_unit

EXACT_IN_DOUBLE = 2**53  # whole numbers below this a double holds exactly
SAMPLE_ROWS = 10000
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".txt": "csv", ".json": "json", ".jsonl": "json",
                  ".ndjson": "json", ".xlsx": "xlsx", ".xlsm": "xlsx", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class ColumnPlan:
    """How one column is read and what it becomes."""

    name: str
    source_name: str
    type: str
    src: str  # SQL reading the raw value from the source relation
    read_type: str = "VARCHAR"  # delimited files: the type the reader produces itself
    detected: Detected | None = None  # set when text is converted in SQL (and checked)
    note: str | None = None
    # Numbers the CSV reader types itself are checked here: DuckDB's scanner casts non-strictly
    # (its issue 25824), rounding a "2.5" past the sample into an integer and reading 1e400 as
    # infinity. "whole": read as DOUBLE, kept when whole and exact in a double; "finite": kept when finite.
    check: str | None = None

    def select_sql(self) -> str:
        if self.detected:
            return conversion(self.src, self.detected)
        if self.check == "whole":
            return f"(CASE WHEN {self.src} = trunc({self.src}) AND abs({self.src}) < {EXACT_IN_DOUBLE} " \
                   f"THEN CAST({self.src} AS {self.type}) END)"
        if self.check == "finite":
            return f"(CASE WHEN isfinite({self.src}) THEN {self.src} END)"
        if self.type == "VARCHAR" and self.read_type == "VARCHAR":
            return f"NULLIF(trim({self.src}), '')"  # " Lee Wong " is Lee Wong; a blank cell is empty
        return self.src

    def keep_as_text(self, note: str) -> None:
        self.type = self.read_type = "VARCHAR"
        self.detected, self.note, self.check = None, note, None

    def convert_from_text(self) -> None:
        """Read as text and converted in SQL (each value checked): for whole numbers too large
        for a double to hold exactly."""
        self.read_type, self.check = "VARCHAR", None
        self.detected = Detected(self.type, "int")


@dataclass
class Inference:
    """A table found in a file (one per XLSX sheet), ready to be staged."""

    path: Path
    kind: str  # csv | json | parquet (XLSX sheets arrive as csv)
    read_path: Path
    columns: list[ColumnPlan]
    table: str
    sheet: str | None = None
    fmt: str = "csv"
    dialect: csvsource.Dialect | None = None
    unwrap: str | None = None
    json_types: dict[str, str] | None = None  # JSON: the types its top-level fields are read with
    est_rows: int = 0
    notes: list[str] = field(default_factory=list)
    penalties: list[tuple[str, float]] = field(default_factory=list)
    temp: list[Path] = field(default_factory=list)
    tmpdir: Path | None = None
    skip_header_repeats: bool = False  # delimited text with its header line repeated below (read as text)
    skip_totals: bool = False  # delimited text or a sheet with a "Total" row (a sum of the rows) or notes under them
    date_order: str | None = None  # "day" or "month": the order the file's unambiguous numeric dates show
    total_labels: list[str] = field(default_factory=list)  # "total expenses": the labels of such rows under the rows
    foot_notes: list[str] = field(default_factory=list)  # "* prices exclude VAT": lines of text under the rows
    subtotals: list[str] = field(default_factory=list)  # "sept total business": a later cell of a month's sum row

    @property
    def foot_labels(self) -> list[str]:
        """The notes under the rows as the first cell of their line reads, in lower case."""
        return [n.lower() for n in self.foot_notes]

    @property
    def source(self) -> str:
        return f"{self.path}#{self.sheet}" if self.sheet else str(self.path)

    def relation(self, rejects: tuple[str, str] | None = None) -> tuple[str, list[Any]]:
        """The table function reading the source, and its parameters."""
        if self.kind == "csv":
            assert self.dialect is not None
            rel, params = csvsource.relation(self.dialect, [c.read_type for c in self.columns], rejects)
            return rel, [str(self.read_path), *params]
        if self.kind == "json":
            return readers.json_relation(self.read_path, self.unwrap, self.json_types)
        return readers.parquet_relation(self.read_path)

    def select(self, rejects: tuple[str, str] | None = None) -> tuple[str, list[Any], list[tuple[ColumnPlan, str]]]:
        """SELECT producing the staged rows (row key first), its parameters, and the raw
        text columns kept alongside converted ones so the conversion can be checked."""
        rel, params = self.relation(rejects)
        parts = [f"row_number() OVER () AS {ROW_KEY}"]
        parts += [f"{c.select_sql()} AS {quote_ident(c.name)}" for c in self.columns]
        raws = [(c, f"__raw_{i}") for i, c in enumerate(self.columns) if c.detected or c.check]
        parts += [f"{c.src} AS {quote_ident(raw)}" for c, raw in raws]
        # In delimited text and sheets, a line of only delimiters (";;;;") or blanks is no row;
        # a JSON or Parquet record is one even when all its fields are null.
        blank = " AND ".join(f"NULLIF(trim(CAST({c.src} AS VARCHAR)), '') IS NULL" for c in self.columns)
        where = f" WHERE NOT ({blank})" if blank and self.kind == "csv" else ""
        if self.skip_header_repeats:
            again = " AND ".join(f"lower(trim({c.src})) = {quote_literal(c.source_name.strip().lower())}"
                                 for c in self.columns)
            where += f" AND NOT ({again})"
        if self.skip_totals:  # the first filled cell is no "Total" nor a note (see ``_total_row``, ``_notes_under``)
            first = ", ".join(f"NULLIF(trim(CAST({c.src} AS VARCHAR)), '')" for c in self.columns)
            labels = ", ".join(quote_literal(t) for t in (*TOTAL_LABELS, *self.total_labels, *self.foot_labels))
            where += f" AND coalesce(lower(coalesce({first})) NOT IN ({labels}), true)"
        if self.subtotals:  # a row with a cell that says it sums the rows above (``_subtotals``)
            said = ", ".join(quote_literal(t) for t in self.subtotals)
            cells = " OR ".join(f"lower(trim(CAST({c.src} AS VARCHAR))) IN ({said})" for c in self.columns)
            where += f" AND NOT coalesce({cells}, false)"
        return f"SELECT {', '.join(parts)} FROM {rel}{where}", params, raws


def kind_of(path: Path) -> str:
    """Which reader a file needs, by its extension and, failing that, its first bytes."""
    if path.suffix.lower() == ".gz":
        return "json" if TABLE_SUFFIXES.get(Path(path.stem).suffix.lower()) == "json" else "csv"
    kind = TABLE_SUFFIXES.get(path.suffix.lower())
    if kind:
        return kind
    document = format_for(path)
    if document is not None:  # a note, a PDF, a Word file: the CSV reader would make a "table" of its lines
        raise TableError(f"it is a document ({document}), not a table file (CSV, TSV, JSON, Excel or Parquet); "
                         "add it as a document instead (grace ingest)")
    with open(path, "rb") as f:
        head = f.read(4)
    if head == b"PAR1":
        return "parquet"
    if head.startswith(b"PK"):
        return "xlsx"
    return "csv"


def check_file(path: Path) -> None:
    """Raise ``TableError`` unless ``path`` is a non-empty regular file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise TableError("it does not exist (it may have been moved or deleted)") from None
    except OSError as exc:
        raise TableError(f"it cannot be read ({exc.strerror})") from exc
    if not stat.S_ISREG(st.st_mode):
        raise TableError("it is not a regular file")
    if st.st_size == 0:
        raise TableError("it is empty")


def infer_file(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path, nested: str = "flatten",
               date_orders: tuple[str | None, ...] = ()) -> list[Inference]:
    """The tables in ``path`` (one per sheet for a workbook); raises ``TableError``. Numeric dates
    that could be either way round are read in the order the file's other dates show, else the
    first known of ``date_orders`` (``dateorder``: the workspace's, the region's)."""
    found = _infer_kind(con, path, tmpdir, nested)
    _settle_dates(found, date_orders)
    return found


def _infer_kind(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path, nested: str) -> list[Inference]:
    check_file(path)
    kind = kind_of(path)
    if kind == "xlsx":
        found = _infer_xlsx(con, path, tmpdir)
    elif kind == "json":
        found = [_infer_json(con, path, nested)]
    elif kind == "parquet":
        found = [_infer_parquet(con, path, nested)]
    else:
        found = [_infer_csv(con, path, tmpdir)]
    for inf in found:
        inf.tmpdir = tmpdir
    return found


_ORDER_WHY = ("as the file's other dates are written", "as your other tables write dates",
              "as your documents write dates", "as your computer's region writes dates")


def _settle_dates(found: list[Inference], orders: tuple[str | None, ...]) -> None:
    """Read the columns of numeric dates that could be day/month or month/day (03/04/2024) in the
    order the best evidence shows (``dateorder.settled``), saying why in their note; the file's
    own order is kept on each inference (``date_order``) for the workspace to remember."""
    detected = [c.detected for inf in found for c in inf.columns if c.detected is not None]
    dates = [d for d in detected if d.conv == "strptime"]
    own = dateorder.order_of_formats(d.fmt for d in dates if not d.ambiguous)
    order, why = dateorder.settled(own, *orders)
    for inf in found:
        inf.date_order = own
        for c in inf.columns if order == dateorder.DAY else []:
            det = c.detected
            if det is None or not det.ambiguous or not det.fmt or not c.note:
                continue
            if day_first := dateorder.day_first_format(det.fmt):
                said = c.note.replace("read as month/day", f"read as day/month, {_ORDER_WHY[why]}")
                inf.penalties = [(p.replace(c.note, said), f) for p, f in inf.penalties]
                det.fmt, det.note, c.note = day_first, said, said


# -- delimited text ------------------------------------------------------------------------


def _infer_csv(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path, sheet: str | None = None,
               read_path: Path | None = None) -> Inference:
    inf = Inference(path, "csv", read_path or path, [], table_name_for(path, sheet), sheet=sheet,
                    fmt="xlsx" if sheet is not None else "csv")
    if read_path is None and path.suffix.lower() == ".gz":
        inf.read_path = csvsource.gunzip(path, tmpdir)
        inf.temp.append(inf.read_path)
    encoding = "utf-8" if read_path else csvsource.detect_encoding(inf.read_path)
    if encoding != "utf-8":
        source = inf.read_path
        inf.read_path, replaced = csvsource.utf8_copy(source, encoding, tmpdir)
        inf.temp.append(inf.read_path)
        inf.notes.append(f"read as {encoding} text")
        if replaced:
            inf.penalties.append((f"{replaced} characters could not be decoded and were replaced", 0.8))
    dialect = csvsource.sniff(con, inf.read_path, encoding)
    if sheet is not None:
        dialect.delim, dialect.quote, dialect.escape = ",", '"', '"'
    inf.dialect = dialect
    rows = csvsource.sample(con, inf.read_path, dialect, SAMPLE_ROWS)
    dialect.width = max([dialect.width, *(len(r) for r in rows[:1])])
    kept = [r for r in rows if not _repeats_header(r, dialect.names)] if dialect.header else rows
    if len(kept) < len(rows):  # a header line pasted again below ("date,flat,amount" mid-file): no row
        inf.skip_header_repeats = True
        inf.notes.append(f"{len(rows) - len(kept)} line(s) repeating the header were skipped")
    inf.foot_notes = _notes_under(kept, dialect.width, dialect.alone)
    inf.total_labels = _totals_under(kept, inf.foot_labels)
    rows_only = [r for r in kept if not _total_row(r, (*inf.total_labels, *inf.foot_labels))]
    if totals := len(kept) - len(rows_only) - len(inf.foot_notes):
        # "TOTAL,,,£31,709.30" under the invoices: added up again, it would double every sum
        inf.notes.append(f"{totals} total row(s) left out (Grace adds up the rows itself)")
    if inf.foot_notes:  # "Notes: counted 20/11", "* prices exclude VAT": said of the table, not rows of it
        inf.notes.append(f"{len(inf.foot_notes)} line(s) of notes under the table kept as its description")
    inf.skip_totals = len(rows_only) < len(kept)
    inf.subtotals = _subtotals(rows_only)
    if inf.subtotals:  # ",,,196,Bus,SEPT TOTAL business" between September's rows and October's
        kept = [r for r in rows_only if not _says_subtotal(r, inf.subtotals)]
        inf.notes.append(f"{len(rows_only) - len(kept)} row(s) of totals among the rows left out")
    else:
        kept = rows_only
    _plan_text_columns(inf, dialect.names, [f'"c{i}"' for i in range(1, dialect.width + 1)],
                       [[r[i] for r in kept] for i in range(dialect.width)],
                       # rows left out: read as text
                       native=not (inf.skip_header_repeats or inf.skip_totals or inf.subtotals))
    inf.est_rows = _estimate_rows(inf.read_path, len(rows))
    inf.notes += dialect.notes
    if dialect.header and not dialect.header_certain:
        # a typed column whose header cell is not of that type settles it
        dialect.header_certain = any(c.type != "VARCHAR" and detect("", [c.source_name]).type != c.type
                                     for c in inf.columns)
    if not dialect.header:
        inf.penalties.append(("there is no header row, so the columns are named column_1, column_2, …", 0.85))
    elif not dialect.header_certain:
        inf.penalties.append(("the first row is taken as column names, but every column is text so this is "
                              "a guess", 0.85))
    if dialect.ragged > 0:
        inf.penalties.append((f"{dialect.ragged:.0%} of the sampled rows have more or fewer fields than the "
                              "others", 0.85 if dialect.ragged > 0.01 else 0.95))
    if dialect.skip:
        inf.penalties.append((f"{dialect.skip} line(s) above the table (titles or notes) were skipped", 0.97))
    if dialect.width == 1:
        inf.penalties.append(("the file has a single column; the delimiter may not have been recognised", 0.85))
    return inf


TOTAL_LABELS = ("total", "totals", "total:", "grand total", "grand total:", "subtotal", "sub-total", "sub total",
                "sum", "sum:")
# A total that says what it totals ("TOTAL EXPENSES", "Total income 2024") is one only under the
# rows: "Total Care shampoo, 12" among them is a product
_SAYS_TOTAL = re.compile(r"^(?:grand )?totals? [a-z0-9 &/-]{1,40}:?$")
# (a figure with its unit is one: "467 mi", "38.5 hrs" in a TOTAL row)
_NUMBERISH = re.compile(r"^[-+(]?\s*[^\w\s]{0,3}\s*[\d.,' ]*\d[\d.,' ]*\s*[^\w\s]{0,3}\s*\)?%?"
                        r"(?:\s?[A-Za-z]{1,5}\.?)?$")


def _total_row(row: tuple, labels: Sequence[str] = ()) -> bool:
    """A row whose first filled cell says "Total" (or "Sum", "Subtotal", or one of ``labels``) and
    whose other cells are numbers or blank: the rows above added up, not one of them."""
    cells = [str(c).strip() if c is not None else "" for c in row]
    filled = [c for c in cells if c]
    return bool(filled) and filled[0].lower() in (*TOTAL_LABELS, *labels) \
        and all(_NUMBERISH.match(c) for c in filled[1:])


def _totals_under(rows: list[tuple], notes: Sequence[str] = ()) -> list[str]:
    """The labels of the rows of totals that say what they total ("TOTAL EXPENSES") at the foot of
    ``rows``, after the last row of data (in lower case); lines of ``notes`` may come between."""
    labels: list[str] = []
    for row in reversed(rows):
        filled = [str(c).strip() for c in row if c is not None and str(c).strip()]
        if not filled or filled[0].lower() in notes:
            continue
        if not (_SAYS_TOTAL.match(filled[0].lower()) or filled[0].lower() in TOTAL_LABELS) \
                or not all(_NUMBERISH.match(c) for c in filled[1:]):
            break
        labels += [filled[0].lower()] if filled[0].lower() not in TOTAL_LABELS else []
    return labels


_TOTAL_WORD = re.compile(r"\b(?:sub-?)?totals?\b", re.I)


def _subtotals(rows: list[tuple]) -> list[str]:
    """The cells (in lower case) that mark rows of totals among the rows: a row whose first cell
    is blank, where most rows fill it (a date, a name), and one of whose later cells says
    "total" ("SEPT TOTAL business", "Subtotal Q1")."""
    filled = [r for r in rows if any(c is not None and str(c).strip() for c in r)]
    firsts = sum(1 for r in filled if r and r[0] is not None and str(r[0]).strip())
    if not filled or firsts <= len(filled) / 2:
        return []
    said = {str(c).strip().lower() for r in filled if r and (r[0] is None or not str(r[0]).strip())
            for c in r[1:] if c is not None and _TOTAL_WORD.search(str(c))}
    return sorted(said)


def _says_subtotal(row: tuple, cells: list[str]) -> bool:
    return any(c is not None and str(c).strip().lower() in cells for c in row)


_NOTE_START = re.compile(r"^(?:\*+|†|‡|n\.?b\.?(?:\W|$)|notes?\b|key\b|source\b)", re.I)


def _notes_under(rows: list[tuple], width: int, alone: int = 0) -> list[str]:
    """The lines of prose at the foot of a table of several columns, under its last row of data:
    single filled cells, no number or total, that each start as a note does ("Notes: counted
    20/11", "* prices exclude VAT"), that a blank line sets apart from the rows, or that stand
    alone on their lines without a row's delimiters (``alone``: how many of the last lines do), or
    that are no value of the first column's type. A last row with only its first cell filled
    ("ring Mrs Patel back,,") is a row."""
    notes: list[str] = []
    apart = False
    for row in reversed(rows if width > 1 else []):
        filled = [str(c).strip() for c in row if c is not None and str(c).strip()]
        apart = not filled
        if not filled:
            continue
        if len(filled) > 1 or _NUMBERISH.match(filled[0]) or filled[0].lower() in TOTAL_LABELS:
            break
        notes.insert(0, filled[0])
    said = apart or len(notes) <= alone or all(_NOTE_START.match(n) for n in notes) or _unlike_column(rows, notes)
    return notes if said and len(notes) < len(rows) else []


def _unlike_column(rows: list[tuple], notes: list[str]) -> bool:
    """Whether the first column above the lines ``notes`` holds values of a type other than text
    (dates, numbers) that the lines are not: "half term wk 26-30 oct Tom off" under a column of
    dates is said of the table, not a row of it ("ring Mrs Patel back" under a list's tasks is one)."""
    filled = [r for r in rows if any(c is not None and str(c).strip() for c in r)]
    if not notes or not all(r[0] is not None and str(r[0]).strip() for r in filled[-len(notes):]):
        return False  # (a lone "N/A" under the amounts is a row's)
    above = [r[0] for r in filled[:-len(notes)] if r[0] is not None and str(r[0]).strip()]
    return bool(above) and detect("first", above).type != "VARCHAR"


def _with_unit(name: str, det: Detected, names: list[str]) -> str:
    """``name`` with the unit taken off its values ("weight" of "4.05 kg": weight_kg), when no
    other column is called that."""
    if det.conv != "unit" or det.fmt is None:
        return name
    named = named_with_unit(name, det.fmt)
    return named if named == name or named not in names else name


def _repeats_header(row: tuple, names: list[str]) -> bool:
    """Whether a row's cells are the header's names again (a file pasted together from several)."""
    cells = [str(c).strip().lower() if c is not None else "" for c in row]
    return len(cells) == len(names) and cells == [n.strip().lower() for n in names] and any(cells)


def _plan_text_columns(inf: Inference, source_names: list[str], srcs: list[str], values: list[list[Any]],
                       native: bool) -> None:
    names = unique_names([n or None for n in source_names])
    for i, (name, raw, src) in enumerate(zip(names, source_names, srcs, strict=True)):
        det = detect(raw or name, values[i])
        plan = ColumnPlan(_with_unit(name, det, names), raw or name, det.type, src, note=det.note)
        if native and det.native:
            plan.read_type = "DOUBLE" if det.conv == "int" else det.type
            plan.check = {"int": "whole", "float": "finite"}.get(det.conv)
        elif det.conv != "text":
            plan.detected = det
        if det.ambiguous:
            inf.penalties.append((f"column {name}: {det.note}", 0.85))
        inf.columns.append(plan)
    if inf.dialect and not inf.dialect.header:
        return
    if any(not n for n in source_names) or len(set(source_names)) < len(source_names):
        inf.penalties.append(("some columns have a blank or repeated name in the header and were given new "
                              "names", 0.97))


def _estimate_rows(path: Path, sampled: int) -> int:
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        head = f.read(csvsource.HEAD_BYTES)
    lines = max(1, head.count(b"\n"))
    return sampled if len(head) >= size else int(size / (len(head) / lines))


# -- other formats -------------------------------------------------------------------------


def _infer_xlsx(con: duckdb.DuckDBPyConnection, path: Path, tmpdir: Path) -> list[Inference]:
    sheets = readers.xlsx_sheets_to_csv(path, tmpdir)
    if not sheets:
        raise TableError("the workbook has no sheet with any data")
    out = []
    for title, csv_path in sheets:
        inf = _infer_csv(con, path, tmpdir, sheet=title if len(sheets) > 1 else None, read_path=csv_path)
        inf.sheet, inf.fmt = title, "xlsx"
        inf.table = table_name_for(path, title if len(sheets) > 1 else None)
        inf.temp.append(csv_path)
        inf.notes.append(f"sheet {title!r}")
        out.append(inf)
    return out


def _infer_json(con: duckdb.DuckDBPyConnection, path: Path, nested: str) -> Inference:
    found = readers.json_columns(con, path, nested)
    inf = Inference(path, "json", path, [], table_name_for(path), fmt="json", unwrap=found.unwrap,
                    json_types=found.types, notes=found.notes)
    _plan_typed_columns(con, inf, found.columns)
    cut = readers.json_cut_short(path)
    if cut:  # never approved by the policy on its own: the person decides whether what is there will do
        inf.penalties.append((cut, 0.5))
    return inf


def _infer_parquet(con: duckdb.DuckDBPyConnection, path: Path, nested: str) -> Inference:
    cols, rows = readers.parquet_columns(con, path, nested)
    inf = Inference(path, "parquet", path, [], table_name_for(path), fmt="parquet", est_rows=rows)
    _plan_typed_columns(con, inf, cols)
    return inf


def _plan_typed_columns(con: duckdb.DuckDBPyConnection, inf: Inference, cols: list[readers.SourceColumn]) -> None:
    """Typed sources keep their types; their text columns are checked for dates and numbers."""
    if not cols:
        raise TableError("it holds no columns Grace can read")
    rel, params = inf.relation()
    text = [i for i, c in enumerate(cols) if c.type == "VARCHAR"]
    values: list[list[Any]] = [[] for _ in cols]
    if text:
        picked = ", ".join(cols[i].sql for i in text)
        rows = con.execute(f"SELECT {picked} FROM {rel} LIMIT ?", [*params, SAMPLE_ROWS]).fetchall()
        for j, i in enumerate(text):
            values[i] = [r[j] for r in rows]
    names = unique_names([c.source_name or None for c in cols])
    for i, (name, col) in enumerate(zip(names, cols, strict=True)):
        plan = ColumnPlan(name, col.source_name or name, col.type, col.sql, read_type=col.type)
        if i in text:
            det = detect(plan.source_name, values[i])
            plan.note = det.note  # also why numbers stay text
            if det.conv != "text":
                plan.type, plan.detected, plan.name = det.type, det, _with_unit(name, det, names)
                if det.ambiguous:
                    inf.penalties.append((f"column {name}: {det.note}", 0.85))
        inf.columns.append(plan)
