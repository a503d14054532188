"""What every extractor returns, and the limits it must respect."""

from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True)
class Limits:
    """Bounds that keep memory and time in check on hostile input."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_decompressed_bytes: int = 200 * 1024 * 1024
    max_line_chars: int = 1_000_000
    max_html_depth: int = 512
    max_pages: int = 5000
    max_chars: int = 8_000_000
