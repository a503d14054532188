"""What every extractor returns, and the limits it must respect."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Block:
    """One structural unit of a document: a heading, a paragraph, a code block, a list.

    Lines are 1-based and inclusive. For PDFs they count within ``page`` (1-based);
    for DOCX they count paragraphs; for every other format they are the file's lines.
    """

    text: str
    line_start: int
    line_end: int
    heading_path: tuple[str, ...] = ()
    page: int | None = None
    is_heading: bool = False


@dataclass
class Extracted:
    """The text of one file, in reading order."""

    format: str  # text, asciidoc, markdown, rst, code, html, pdf, docx, csv, tsv, json, xlsx, parquet
    kind: str  # "text" (chunked into prose) or "table" (kept for the tables work)
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    partial: str | None = None  # what of it is not in the blocks, and why (a limit reached, encoded data)


# Yields a text's blocks in reading order and returns its title.
BlockSource = Generator[Block, None, str | None]


class Streamed:
    """A text file's blocks, produced as they are read, so that a file of millions of tiny
    paragraphs never holds them all at once. Each iteration of ``blocks`` reads again;
    ``title`` (and ``partial``, where the reading finds it out) are known once one has ended."""

    kind = "text"

    def __init__(self, fmt: str, source: Callable[[], BlockSource], partial: str | None = None) -> None:
        self.format, self.partial = fmt, partial
        self.title: str | None = None
        self._source = source

    @property
    def blocks(self) -> Streamed:
        return self

    def __iter__(self) -> Iterator[Block]:
        self.title = yield from self._source()

    def collect(self) -> Extracted:
        """All the blocks at once, as the other formats give them."""
        blocks = list(self)
        return Extracted(self.format, "text", blocks, self.title, self.partial)


@dataclass(frozen=True)
class Limits:
    """Bounds that keep memory and time in check on hostile input."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_decompressed_bytes: int = 200 * 1024 * 1024
    max_line_chars: int = 1_000_000
    max_html_depth: int = 512
    max_pages: int = 5000
    max_chars: int = 8_000_000

    def tag(self) -> str:
        """A short name for these values: a file read only in part is stored under it, so it is
        read again once the limits change (``catalog.partial_key``)."""
        values = ",".join(str(getattr(self, f.name)) for f in fields(self))
        return hashlib.blake2b(values.encode("ascii"), digest_size=4).hexdigest()


def chars_note(kept: int, total: int | None = None, where: str | None = None) -> str:
    """Why a text was read only in part: the max_chars setting (with the ``total`` when it is
    known, else ``where`` the reading stopped when that is)."""
    if total is not None:
        return f"read the first {kept:,} of {total:,} characters (the max_chars setting)"
    rest = f", up to {where}" if where else "; the rest was not read"
    return f"read the first {kept:,} characters{rest} (the max_chars setting)"


def pages_note(read: int, total: int) -> str:
    """Why a PDF was read only in part: the max_pages setting."""
    return f"read the first {read:,} of {total:,} pages (the max_pages setting)"


def joined_notes(*notes: str | None) -> str | None:
    """The notes that apply, as one clause ("...; ...")."""
    return "; ".join(n for n in notes if n) or None


# A metadata title that is the source file's name ("float.dvi", "Microsoft Word - plan.docx")
# or a tool's default name ("Untitled-1", "Word Document") says nothing about the document; its
# first heading, or else its file name, does.
_FILE_TITLE = re.compile(r"^microsoft \w+ - "
                         r"|^.{0,120}\.(?:dvi|tex|e?ps|pdf|docx?|odt|rtf|txt|md|html?|indd|pptx?|xlsx?)$"
                         r"|^(?:(?:microsoft |ms )?(?:word|office|text|pdf) )?"
                         r"(?:untitled|title|document|unknown|no title)(?:[-_\s]*\d*|\s+\w+)$", re.IGNORECASE)


def metadata_title(raw: str | None) -> str | None:
    """A title from a file's metadata (PDF Title, DOCX core properties), or None when it is empty
    or only a file name or a tool's default."""
    title = " ".join((raw or "").split())
    return None if _FILE_TITLE.match(title) else title or None
