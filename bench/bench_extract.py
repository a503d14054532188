"""Extraction speed on large generated files (no model, no catalog): seconds per format.

    python bench/bench_extract.py [--paragraphs 100000] [--repeat 3]

A DOCX of N paragraphs (every 20th a heading, a 3-column table every 500), a Markdown
file and an HTML page of the same text. Prints the median of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.extract import extract  # noqa: E402
from engine.extract.base import Limits  # noqa: E402

_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _sentence(i: int) -> str:
    return f"Paragraph {i} says the shipment to depot {i % 97} left on day {i % 365} with {i % 13} crates."


def make_docx(n: int) -> bytes:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    body = document.element.body
    parts = []
    for i in range(n):
        if i % 20 == 0:
            heading = "<w:pPr><w:pStyle w:val='Heading1'/></w:pPr>"
            parts.append(f"<w:p>{heading}<w:r><w:t>Section {i // 20}</w:t></w:r></w:p>")
        elif i % 500 == 250:
            cells = "".join(f"<w:tc><w:p><w:r><w:t>cell {i}.{c}</w:t></w:r></w:p></w:tc>" for c in range(3))
            parts.append(f"<w:tbl><w:tr>{cells}</w:tr><w:tr>{cells}</w:tr></w:tbl>")
        else:
            parts.append(f"<w:p><w:r><w:t>{_sentence(i)}</w:t></w:r></w:p>")
    for element in parse_xml(f"<w:body {_W}>{''.join(parts)}</w:body>"):
        body.insert(len(body) - 1, element)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_markdown(n: int) -> bytes:
    return "\n\n".join(f"# Section {i // 20}" if i % 20 == 0 else _sentence(i) for i in range(n)).encode()


def make_html(n: int) -> bytes:
    body = "".join(f"<h2>Section {i // 20}</h2>" if i % 20 == 0 else f"<p>{_sentence(i)}</p>" for i in range(n))
    return f"<html><head><title>Report</title></head><body><main>{body}</main></body></html>".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    limits = Limits(max_file_bytes=1 << 31, max_decompressed_bytes=1 << 31, max_chars=1 << 31)
    for name, make in (("report.docx", make_docx), ("report.md", make_markdown), ("report.html", make_html)):
        data = make(args.paragraphs)
        times, blocks = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            blocks = len(extract(Path(name), data, limits).blocks)
            times.append(time.perf_counter() - started)
        print(f"{name:12} {len(data) / 1e6:7.1f} MB  {blocks:8,} blocks  median {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
