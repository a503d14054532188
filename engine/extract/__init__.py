"""Per-format text extractors: read a file safely, then turn its bytes into Blocks.

``read_file`` refuses anything that is not a regular file of a sane size; ``extract``
dispatches on ``format_for(path)``. Every refusal is an ``IngestError`` whose message is a
clause that reads well after "path: ".
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import chain, islice
from pathlib import Path

from engine.errors import IngestError
from engine.extract.base import Block, BlockSource, Extracted, Limits, Streamed, joined_notes
from engine.extract.docx import check_zip, extract_docx
from engine.extract.encoded import LeftOut, without_encoded
from engine.extract.html import stream_html
from engine.extract.mail import stream_mail
from engine.extract.pdf import describe_start, extract_pdf
from engine.extract.text import (
    decode,
    file_lines,
    sniff_text,
    stream_code,
    stream_markdown,
    stream_plain,
    stream_rst,
)

__all__ = [
    "TABLE_FORMATS", "Block", "Extracted", "Limits", "Streamed", "check_zip", "decode", "extract",
    "extract_stream", "file_lines", "format_for", "not_regular_reason", "os_error_reason", "read_file",
]

TABLE_FORMATS = frozenset({"csv", "tsv", "json", "xlsx", "parquet"})

_CODE_SUFFIXES = """
    py pyi pyw js mjs cjs ts tsx jsx java c h cpp hpp cc hh cxx hxx go rs rb php cs swift
    kt kts scala sh bash zsh fish ps1 bat sql r m lua pl pm dart jl ex exs erl hs ml clj
    groovy gradle vue svelte proto graphql yaml yml toml ini cfg conf properties xml css scss
    sass less tex
"""
_SUFFIXES: dict[str, str] = {
    **{s: "text" for s in ("txt", "log", "text")},
    **{s: "markdown" for s in ("md", "markdown", "mdx")},
    "rst": "rst",
    **{s: "asciidoc" for s in ("adoc", "asciidoc")},
    **{s: "code" for s in _CODE_SUFFIXES.split()},
    **{s: "html" for s in ("html", "htm", "xhtml")},
    "pdf": "pdf",
    "docx": "docx",
    "eml": "email",
    "csv": "csv",
    **{s: "tsv" for s in ("tsv", "tab")},
    **{s: "json" for s in ("json", "jsonl", "ndjson")},
    **{s: "xlsx" for s in ("xlsx", "xlsm")},
    "parquet": "parquet",
}
_READ_CHUNK = 1024 * 1024
_MB = 1024 * 1024


def format_for(path: Path) -> str | None:
    """The format name for ``path`` by its extension (case-insensitive), or None."""
    return _SUFFIXES.get(path.suffix.lower().lstrip("."))


# --- reading ---------------------------------------------------------------------------------


def not_regular_reason(mode: int) -> str | None:
    """Why a file of this mode must not be opened, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "it is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode):
        return "it is a character device, not a regular file"
    if stat.S_ISBLK(mode):
        return "it is a block device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "it is a socket, not a regular file"
    return "it is not a regular file"


def os_error_reason(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link that loops back on itself"
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            return "it is a symbolic link whose target does not exist"
        return "it does not exist (it may have been moved or deleted)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: Grace is not allowed to read it"
    return f"it could not be read ({exc.strerror or exc})"


def _too_big(size: int, limits: Limits) -> str:
    return (f"it is {size / _MB:,.1f} MB, larger than the limit of "
            f"{limits.max_file_bytes / _MB:,.3g} MB (setting max_file_mb)")


def read_file(path: Path, limits: Limits) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), or raise IngestError.

    Pipes, devices, sockets and folders are never opened (opening a FIFO would block),
    and at most ``limits.max_file_bytes + 1`` bytes are ever read.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        raise IngestError(os_error_reason(path, exc)) from exc
    reason = not_regular_reason(st.st_mode)
    if reason:
        raise IngestError(reason)
    if st.st_size > limits.max_file_bytes:
        raise IngestError(_too_big(st.st_size, limits))
    # O_NONBLOCK: should the path become a FIFO after the stat, opening it still returns.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise IngestError(os_error_reason(path, exc)) from exc
    try:
        reason = not_regular_reason(os.fstat(fd).st_mode)
        if reason:
            raise IngestError(reason)
        return _read_bounded(fd, limits)
    except OSError as exc:
        raise IngestError(os_error_reason(path, exc)) from exc
    finally:
        os.close(fd)


def _read_bounded(fd: int, limits: Limits) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total <= limits.max_file_bytes:
        chunk = os.read(fd, min(_READ_CHUNK, limits.max_file_bytes + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise IngestError(_too_big(total, limits) + "; it grew while being read")


# --- dispatch --------------------------------------------------------------------------------


def _check_table(fmt: str, data: bytes, limits: Limits) -> None:
    """Raise IngestError unless ``data`` is plausibly a table file of format ``fmt``."""
    if not data.strip():
        raise IngestError("it is empty")
    if fmt == "xlsx":
        check_zip(data, limits, what="XLSX", required="xl/workbook.xml")
    elif fmt == "parquet":
        if len(data) < 12 or data[:4] != b"PAR1" or data[-4:] != b"PAR1":
            raise IngestError("it is not a Parquet file (it does not start and end with PAR1)")
    else:
        text = sniff_text(data)  # raises for binary data
        if fmt == "json" and text.lstrip()[:1] not in ("{", "["):
            raise IngestError(
                f"it does not look like JSON (it starts with {describe_start(data)})"
            )


def extract(path: Path, data: bytes, limits: Limits) -> Extracted:
    """Extract ``data`` (the bytes of ``path``) by the format its extension names; a manual
    page's NAME line (``git-clone - Clone a repository``) becomes its title and heading root,
    and runs of base64-encoded data are cut out of the text (``encoded``)."""
    found = extract_stream(path, data, limits)
    return found.collect() if isinstance(found, Streamed) else found


def extract_stream(path: Path, data: bytes, limits: Limits) -> Extracted | Streamed:
    """``extract``, with a text's blocks produced as they are read (what the ingest chunks), so a
    file of millions of tiny paragraphs never holds them all at once."""
    found = _extract(path, data, limits)
    if found.kind != "text":
        return found
    stream = Streamed(found.format, lambda: _read(found, stream), found.partial)
    return stream


def _read(found: Extracted | Streamed, stream: Streamed) -> BlockSource:
    """One pass over ``found``'s blocks for ``stream``: named by a manual page's NAME line,
    without encoded data (which the stream's ``partial`` then says)."""
    blocks = iter(found.blocks)
    head = list(islice(blocks, _NAME_SCAN))
    name = _name_root(head)
    left_out = LeftOut()
    yield from without_encoded(map(name[1], chain(head, blocks)) if name else chain(head, blocks), left_out)
    stream.partial = joined_notes(found.partial, left_out.note())
    return name[0] if name else found.title


_NAME_LINE = re.compile(r"^[\w.:+\-]+(?:\(\d\w*\))?(?:,\s*[\w.:+\-]+)*\s+(?:-|\\-|–|—)\s+\S.{0,200}$")
_NAME_SCAN = 40  # blocks looked at for the NAME section


def _name_root(head: Iterable[Block]) -> tuple[str, Callable[[Block], Block]] | None:
    """A manual page says what it is in its NAME section (``ls - list directory contents``);
    its title ("git-clone(1) Manual Page", "LS(1)") does not. Such a line (among the first
    blocks, ``head``) becomes the title and the root of every heading path, so every passage's
    context says what the page is about: returns it, and what puts it at a block's root."""
    found = next((b for b in head if not b.is_heading and b.heading_path
                  and b.heading_path[-1].strip().upper() == "NAME"), None)
    line = " ".join(found.text.split()) if found else ""
    if found is None or not _NAME_LINE.match(line):
        return None
    # Under a page heading ("git-clone(1) Manual Page" > NAME) the line replaces that heading;
    # where NAME is itself outermost (a troff page's sections) it goes above the sections.
    page = found.heading_path[0] if len(found.heading_path) > 1 else None

    def root(b: Block) -> Block:
        return replace(b, heading_path=(line, *b.heading_path[1 if b.heading_path[:1] == (page,) else 0:]))

    return line, root


def _extract(path: Path, data: bytes, limits: Limits) -> Extracted | Streamed:
    """Extract ``data`` (the bytes of ``path``) by the format its extension names.

    Text formats return Blocks in reading order (all but PDF and DOCX as they are read); table
    formats return ``Extracted(kind="table", blocks=[])`` after a cheap check of the content.
    Raises IngestError with the reason when the content cannot be read as that format.
    """
    fmt = format_for(path)
    if fmt is None:
        suffix = path.suffix or "without an extension"
        raise IngestError(f"Grace does not read files of this kind ({suffix})")
    if fmt in ("pdf", "docx") and not data:
        raise IngestError("it is empty")
    if fmt in TABLE_FORMATS:
        _check_table(fmt, data, limits)
        return Extracted(fmt, "table", [])
    if fmt == "pdf":
        return extract_pdf(data, limits)
    if fmt == "docx":
        return extract_docx(data, limits)
    if fmt == "html":
        return stream_html(data, limits)
    if fmt == "email":
        return stream_mail(data, limits)
    if fmt == "markdown":
        return stream_markdown(data, limits)
    if fmt == "rst":
        return stream_rst(data, limits)
    if fmt == "code":
        return stream_code(data, limits, path.suffix)
    # A .txt may be AsciiDoc (it is the usual suffix of its sources); logs are not.
    adoc = True if fmt == "asciidoc" else None if path.suffix.lower() == ".txt" else False
    return stream_plain(data, limits, asciidoc=adoc)
