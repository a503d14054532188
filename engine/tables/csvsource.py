"""Delimited text: encoding, dialect and header, found on a sample of the file.

DuckDB's ``sniff_csv`` finds the dialect of most files; when it settles on one
column for a file whose lines plainly split on ``;``, ``|`` or tabs (ragged rows
defeat it), the delimiter found here on the sample is handed back to it. Files
that are not UTF-8 are transcoded once into a temporary UTF-8 copy, since the
reader knows UTF-8, UTF-16 and Latin-1 only (and cp1252 is not Latin-1). A single-byte
file is cp1252 when it reads like a Western language, else charset-normalizer's best
reading whose words are not garbled (Cyrillic, Polish and Greek code pages).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..errors import TableError, in_words

HEAD_BYTES = 1 << 20
SAMPLE_ROWS = 20480
_DELIMS = (",", ";", "\t", "|")
_EMPTY = "(empty)"


@dataclass
class Dialect:
    """How a delimited file is written, as the reader needs to be told."""

    delim: str = ","
    quote: str = '"'
    escape: str = '"'
    header: bool = True
    skip: int = 0
    comment: str = ""
    width: int = 1
    names: list[str] = field(default_factory=list)  # the header cells as written ("" when none)
    encoding: str = "utf-8"
    header_certain: bool = True
    parallel: bool = True
    strict: bool = True
    ragged: float = 0.0  # share of sampled rows whose field count differs from the usual one
    alone: int = 0  # the file's last lines that hold one field, no delimiter: notes under the rows, if prose
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("delim", "quote", "escape", "header", "skip", "comment", "width",
                                               "names", "encoding", "header_certain", "parallel", "strict")}


# -- encoding ----------------------------------------------------------------------------


def detect_encoding(path: Path) -> str:
    """The text encoding of ``path``, judged on its first megabyte."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.count(b"\x00") > len(head) // 4:
        even = head[0::2].count(b"\x00")
        return "utf-16-be" if even > len(head) // 4 else "utf-16-le"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and len(head) == HEAD_BYTES:
            return "utf-8"  # a character cut in half at the end of the sample
    return _legacy_encoding(head)


def _legacy_encoding(head: bytes) -> str:
    """Bytes that are not UTF-8: chosen as prose is (``engine.extract.text.legacy_encoding``)."""
    from ..extract.text import legacy_encoding  # loaded only for such files

    return legacy_encoding(head)


def utf8_copy(path: Path, encoding: str, tmpdir: Path) -> tuple[Path, int]:
    """A UTF-8 copy of ``path`` in ``tmpdir`` and how many characters had to be replaced."""
    tmpdir.mkdir(parents=True, exist_ok=True)
    out = tmpdir / f"utf8-{os.getpid()}-{abs(hash((str(path), encoding)))}.csv"
    replaced = 0
    with open(path, encoding=encoding, errors="replace", newline="") as src, \
            open(out, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 20):
            replaced += chunk.count("\ufffd")
            dst.write(chunk.lstrip("\ufeff") if dst.tell() == 0 else chunk)
    return out, replaced


def gunzip(path: Path, tmpdir: Path) -> Path:
    """A decompressed copy of the gzip file ``path`` in ``tmpdir``."""
    import gzip
    import shutil

    tmpdir.mkdir(parents=True, exist_ok=True)
    out = tmpdir / f"gunzip-{os.getpid()}-{abs(hash(str(path)))}.csv"
    try:
        with gzip.open(path, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (OSError, EOFError) as exc:
        out.unlink(missing_ok=True)
        raise TableError(f"it could not be decompressed ({exc})") from exc
    return out


# -- dialect -----------------------------------------------------------------------------


def sniff(con: duckdb.DuckDBPyConnection, path: Path, encoding: str = "utf-8") -> Dialect:
    """The dialect of the UTF-8 file ``path`` (``encoding`` is what it was before transcoding)."""
    head = _head_text(path)
    if not head.strip():
        raise TableError("it is empty")
    _refuse_binary(head)
    notes = _leading_notes(head)
    guess, skip, ragged = _python_layout("".join(head.splitlines(keepends=True)[notes:]))
    skip += notes
    row = _duck_sniff(con, path, None, 0)
    if row is None or (len(row[7]) <= 1 and guess and guess != row[0]) or (skip and int(row[5] or 0) < skip):
        row = _duck_sniff(con, path, guess, skip) or row
    dialect = _dialect_from(row, head) if row else _fallback(head, guess, skip)
    if dialect.comment and not notes:  # lines the reader skips as comments do not make the rows ragged
        ragged = _python_layout(_uncommented(head, dialect.comment))[2]
    dialect.encoding, dialect.ragged = encoding, ragged
    dialect.alone = _lines_alone(head, dialect.delim) if len(head) < HEAD_BYTES and len(dialect.delim) == 1 else 0
    _read_header(dialect, head)
    return dialect


def _lines_alone(text: str, delim: str) -> int:
    """How many of the last lines of ``text`` (blank lines aside) hold a single field."""
    lines = [line for line in text.splitlines() if line.strip()]
    n = 0
    for fields in reversed([next(csv.reader([line], delimiter=delim), []) for line in lines[-20:]]):
        if len(fields) != 1:
            break
        n += 1
    return n


def _refuse_binary(head: str) -> None:
    sample = head[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\f")
    if controls > max(8, len(sample) // 100):
        raise TableError("it does not look like text (it holds binary data)")


def _head_text(path: Path) -> str:
    with open(path, "rb") as f:
        data = f.read(HEAD_BYTES)
    return data.decode("utf-8", errors="ignore").lstrip("\ufeff")


def _duck_sniff(con: duckdb.DuckDBPyConnection, path: Path, delim: str | None, skip: int) -> tuple | None:
    sql = "SELECT * FROM sniff_csv(?, sample_size=?, null_padding=true"
    params: list[Any] = [str(path), SAMPLE_ROWS]
    if delim:
        sql += ", delim=?"
        params.append(delim)
    if skip:
        sql += ", skip=?"
        params.append(skip)
    try:
        return con.execute(sql + ")", params).fetchone()
    except duckdb.Error:
        return None


def _python_layout(head: str) -> tuple[str | None, int, float]:
    """The delimiter that splits the sample's lines most consistently into several fields,
    how many lines above the table to skip (titles, notes), and the share of ragged rows."""
    lines = head.splitlines()[:400]
    if len(lines) > 1 and len(head) == HEAD_BYTES:
        lines = lines[:-1]  # possibly cut short
    best: tuple[str | None, int, float] = (None, 0, 0.0)
    best_score = 0.0
    for delim in _DELIMS:
        try:
            rows = [(reader.line_num, r) for reader in [csv.reader(lines, delimiter=delim)] for r in reader]
        except csv.Error:
            continue
        widths = [len(r) for _, r in rows if r]
        if not widths:
            continue
        modal, count = Counter(widths).most_common(1)[0]
        score = count / len(widths) if modal > 1 else 0.0
        if score > best_score:
            # a title padded with delimiters ("Exported 01/04/2025,,,,,,,") is above the table too
            first = next((i for i, (_, r) in enumerate(rows) if len(r) == modal and _filled(r) > 1), 0)
            skip = rows[first - 1][0] if first and all(_filled(r) <= 1 for _, r in rows[:first]) else 0
            body = [len(r) for _, r in rows[first:] if r]
            while len(body) > 1 and body[-1] == 1 < modal:  # lines of one field under the rows: notes
                body.pop()
            ragged = sum(1 for w in body if w != modal) / max(1, len(body))
            best, best_score = (delim, skip, ragged), score
    return best if best_score >= 0.5 else (None, 0, 0.0)


def _filled(row: list[str]) -> int:
    return sum(1 for cell in row if cell.strip())


def _leading_notes(head: str) -> int:
    """How many leading '#' lines are notes above the table rather than its header ('#id,name'):
    those holding no delimiter or another number of fields than the lines below them."""
    lines = head.splitlines()[:400]
    marked = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    delim = _python_layout("\n".join(lines[marked:]))[0] if marked else None
    if delim is None:
        return 0  # no '#' lines, or what follows them is not a table
    width = Counter(len(r) for r in csv.reader(lines[marked:], delimiter=delim) if r).most_common(1)[0][0]
    notes = 0
    for line in lines[:marked]:
        if delim in line and len(next(csv.reader([line], delimiter=delim))) == width:
            break
        notes += 1
    return notes


def _uncommented(head: str, comment: str) -> str:
    return "\n".join(line for line in head.splitlines() if not line.startswith(comment))


def _unempty(value: str | None) -> str:
    return "" if value in (None, _EMPTY) else str(value)


def _dialect_from(row: tuple, head: str) -> Dialect:
    delim, quote, escape = row[0], _unempty(row[1]), _unempty(row[2])
    if not quote and '"' not in head:
        quote = escape = '"'  # no quotes seen: standard quoting is harmless and safer further on
    columns = row[7]
    d = Dialect(delim=delim, quote=quote, escape=escape, header=bool(row[6]), skip=int(row[5] or 0),
                comment=_unempty(row[4]), width=len(columns))
    if d.header and all(c["type"] == "VARCHAR" for c in columns):
        d.header_certain = False
    return d


def _fallback(head: str, guess: str | None, skip: int = 0) -> Dialect:
    """The dialect Python's reading found, when DuckDB's sniffer gives up: its delimiter, and the
    lines above the table it skips (a title line over the header)."""
    delim = guess or ","
    rows = [r for r in csv.reader(head.splitlines()[skip:400], delimiter=delim) if r]
    width = max((len(r) for r in rows), default=1)
    d = Dialect(delim=delim, width=width, header_certain=False, skip=skip)
    d.notes.append("the file's layout was worked out without DuckDB's sniffer")
    return d


def _read_header(d: Dialect, head: str) -> None:
    """Record the header cells exactly as written (names are made safe later)."""
    reader = csv.reader(io.StringIO(head), delimiter=d.delim, quotechar=d.quote or '"',
                        quoting=csv.QUOTE_MINIMAL if d.quote else csv.QUOTE_NONE)
    comment = d.comment
    try:  # the reader also passes over comment lines above the header
        cells = next((r for i, r in enumerate(reader)
                      if i >= d.skip and not (comment and r and r[0].startswith(comment))), [])
    except csv.Error:
        cells = []
    d.width = max(d.width, len(cells))
    if d.header:
        d.names = [c.strip() for c in cells] + [""] * (d.width - len(cells))
    else:
        d.names = [""] * d.width


# -- reading -----------------------------------------------------------------------------


def relation(d: Dialect, types: list[str], rejects: tuple[str, str] | None = None) -> tuple[str, list[Any]]:
    """A ``read_csv(...)`` call reading columns ``c1..cN`` with ``types``, and its parameters."""
    columns = {f"c{i}": t for i, t in enumerate(types, 1)}
    sql = ("read_csv(?, auto_detect=false, delim=?, quote=?, escape=?, header=?, skip=?, comment=?, columns=?, "
           "null_padding=true, max_line_size=?, ignore_errors=true")
    params: list[Any] = [d.delim, d.quote, d.escape, d.header, d.skip, d.comment, columns, 64 << 20]
    if not d.parallel:
        sql += ", parallel=false"
    if not d.strict:
        sql += ", strict_mode=false"
    if rejects:
        sql += ", store_rejects=true, rejects_table=?, rejects_scan=?"
        params += list(rejects)
    return sql + ")", params


def sample(con: duckdb.DuckDBPyConnection, path: Path, d: Dialect, rows: int) -> list[tuple]:
    """The first ``rows`` rows as text (None for empty cells)."""
    for _ in range(3):
        rel, params = relation(d, ["VARCHAR"] * d.width)
        try:
            found = con.execute(f"SELECT * FROM {rel} LIMIT ?", [str(path), *params, rows]).fetchall()
        except duckdb.Error as exc:
            if not relax(exc, d):
                raise TableError(f"it could not be read as delimited text ({in_words(exc)})") from exc
            continue
        if found or not d.strict:
            return found
        d.strict = False  # strict mode dropped every row as an error (ignore_errors): read it leniently
    return []


def relax(exc: BaseException, d: Dialect) -> bool:
    """True (and the dialect relaxed) when the reader's error asks for parallel=false or
    strict_mode=false, which it does for quoted newlines with ragged rows and for rows that
    break the CSV rules."""
    message = str(exc)
    if d.parallel and "parallel=false" in message:
        d.parallel = False
        return True
    if d.strict and "strict_mode=false" in message:
        d.strict = False
        return True
    return False
