"""Hostile text never stops a batch, blows up memory or hangs (issue 2 §3): the chunker hands the
tokenizer bounded pieces, over-long words are cut, heading patterns are linear."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

from engine.chunk import chunk_blocks
from engine.embed import Embedder
from engine.extract import extract
from engine.extract.base import Block, Limits
from engine.extract.text import _adoc_title, _atx, clean_heading, extract_markdown, extract_plain, text_lines
from tests.fixtures.make_pdf import make_pdf

ROOT = Path(__file__).resolve().parents[2]
_TOKEN = re.compile(r"\w+|[^\w\s]")


class _Recorder:
    """A token counter (one token per word or punctuation mark) that records what it was given."""

    def __init__(self) -> None:
        self.longest_text = self.most_texts = self.most_chars = 0

    def __call__(self, texts: list[str]) -> list[int]:
        self.longest_text = max(self.longest_text, max(map(len, texts), default=0))
        self.most_texts = max(self.most_texts, len(texts))
        self.most_chars = max(self.most_chars, sum(map(len, texts)))
        return [len(_TOKEN.findall(t)) for t in texts]


def _log(lines: int) -> str:
    return "\n".join(f"2024-01-01 12:00:{i % 60:02d} INFO worker-{i % 17} id={i * 7919:x} status=200 took {i % 997}ms"
                     for i in range(lines))


def test_a_paragraph_without_blank_lines_reaches_the_tokenizer_in_bounded_pieces() -> None:
    text = _log(6000)  # ~500,000 characters, one paragraph, no sentence ends
    count = _Recorder()
    chunks = chunk_blocks([Block(text, 1, 6000)], count, target=200, overlap=24)
    assert count.longest_text <= 64 * 200  # never the whole paragraph or a whole sentence of it
    assert count.most_chars <= (1 << 18) + 64 * 200 and count.most_texts <= 1024  # bounded batches
    assert len(chunks) > 100
    position = 0
    for c in chunks:  # line spans still follow the text
        start = text.index(c.text, position)
        assert c.line_start == 1 + text.count("\n", 0, start)
        assert c.line_end == 1 + text.count("\n", 0, start + len(c.text))
        assert sum(count([c.text])) <= 200
        position = start


def test_many_short_paragraphs_are_counted_in_bounded_batches() -> None:
    blocks = [Block(f"ab {i}", 2 * i + 1, 2 * i + 1) for i in range(20_000)]
    count = _Recorder()
    chunks = chunk_blocks(blocks, count, target=200, overlap=24)
    assert count.most_texts <= 1024
    assert chunks[0].text.startswith("ab 0\n\nab 1") and chunks[-1].text.endswith("ab 19999")


def test_an_over_long_word_is_cut_so_chunks_stay_near_the_target(embedder: Embedder) -> None:
    blob = base64.b64encode(os.urandom(60_000)).decode()  # 80,000 characters, thousands of tokens
    text = f"The image is about ocelots.\n{blob}\nAfter it, lynxes."
    chunks = chunk_blocks([Block(text, 3, 5)], embedder.count_tokens, target=200, overlap=0)
    body = [c for c in chunks if c.text in blob]
    assert len(body) > 20
    assert _squeezed("".join(c.text for c in chunks)) == _squeezed(text)  # cut, nothing lost or added
    for c in chunks:
        assert len(c.text) <= 64 * 200
        assert embedder.count_tokens([c.text])[0] <= 250
    assert all(c.line_start == c.line_end == 4 for c in body)


def test_a_word_of_one_unknown_token_is_still_bounded_in_characters() -> None:
    word = "x" * 300_000  # one token for BERT's WordPiece ([UNK]), but 300,000 characters
    chunks = chunk_blocks([Block(f"start {word} end", 1, 1)], lambda ts: [1 for _ in ts], target=100, overlap=0)
    assert len(chunks) > 40 and max(len(c.text) for c in chunks) <= 64 * 100
    assert _squeezed("".join(c.text for c in chunks)) == f"start{word}end"


def _squeezed(text: str) -> str:
    return re.sub(r"\s", "", text)


def test_text_lines_splits_only_the_kept_text() -> None:
    data = b"ab\n" * 2_000_000  # 2,000,000 lines; only the first 1,000 characters are kept
    limits = Limits(max_chars=1000)
    tracemalloc.start()
    try:
        lines = text_lines(data, limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(lines) == 334 and lines[0] == "ab" and lines[-1] == "a"
    assert peak < 60_000_000  # the whole text split into lines takes ~120 MB
    long_line = b"ok\n" * 1000 + b"x" * 2000 + b"\n"  # past max_chars, but still a line too long to read
    try:
        text_lines(long_line, Limits(max_chars=1000, max_line_chars=1500))
    except Exception as exc:  # noqa: BLE001 - the message is what matters
        assert "line of 2,000 characters" in str(exc)
    else:
        raise AssertionError("an over-long line after max_chars was not refused")


def test_heading_lines_read_as_before() -> None:
    assert _atx("## Title ##  ") == (2, "Title")
    assert _atx("# Title#") == (1, "Title#")
    assert _atx("# ##") == (1, "##")
    assert _atx("#\t") == (1, "") and _atx("#") == (1, "") and _atx("#x") is None and _atx("####### x") is None
    assert _adoc_title("== Section ==") == (2, "Section")
    assert _adoc_title("= a=") == (1, "a=") and _adoc_title("=  ") is None and _adoc_title("======= x") is None
    assert clean_heading("See [the guide](guide.md) and ![logo](l.png) [x]") == "See the guide and logo [x]"


def test_long_whitespace_runs_in_heading_lines_do_not_hang(tmp_path: Path) -> None:
    """The old patterns took minutes on these lines (quadratic backtracking); run in a subprocess
    so a regression fails the test instead of hanging the suite."""
    run = " \t" * 50_000
    (tmp_path / "heading.md").write_text(f"# Title{run}x\n\nBody text about tapirs.\n")
    (tmp_path / "title.txt").write_text(f"= Title{run}x\n\nBody text about okapis.\n")
    (tmp_path / "link.md").write_text("# " + "[" * 300_000 + "\n\ntext\n")
    (tmp_path / "sign.txt").write_text("include::" + "[" * 300_000 + "\n\ntext\n")
    script = (
        "import sys; from pathlib import Path\n"
        "from engine.extract.base import Limits\n"
        "from engine.extract.text import extract_markdown, extract_plain\n"
        f"d = Path({str(tmp_path)!r})\n"
        "for name in ('heading.md', 'link.md'):\n"
        "    print(len(extract_markdown((d / name).read_bytes(), Limits()).blocks))\n"
        "for name in ('title.txt', 'sign.txt'):\n"
        "    print(len(extract_plain((d / name).read_bytes(), Limits()).blocks))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "2", "2", "2"]


def test_heading_with_a_long_run_still_reads_its_title() -> None:
    md = extract_markdown(b"# Title" + b" " * 5000 + b"#\n\nBody.\n", Limits())
    assert md.title == "Title"
    txt = extract_plain(b"= Title" + b" " * 5000 + b"==\n\nBody about okapis.\n", Limits())
    assert txt.format == "asciidoc" and txt.title == "Title"


# --- what a limit left unread is said, not dropped silently -----------------------------------


def _extracted(tmp_path: Path, name: str, data: bytes, limits: Limits):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return extract(path, data, limits)


def test_text_past_max_chars_says_how_much_of_it_was_read(tmp_path: Path) -> None:
    data = ("word " * 20 + "\n\n").encode() * 100  # 10,200 characters
    for name in ("long.txt", "long.md", "long.rst", "long.py"):
        extracted = _extracted(tmp_path, name, data, Limits(max_chars=1000))
        assert extracted.partial == "read the first 1,000 of 10,200 characters (the max_chars setting)", name
    assert _extracted(tmp_path, "whole.md", data, Limits(max_chars=10_200)).partial is None


def test_pdf_past_max_pages_says_how_many_pages_were_read(tmp_path: Path) -> None:
    pdf = make_pdf([f"Page {i} of the survey." for i in range(1, 6)])
    extracted = _extracted(tmp_path, "five.pdf", pdf, Limits(max_pages=2))
    assert {b.page for b in extracted.blocks} == {1, 2}
    assert extracted.partial == "read the first 2 of 5 pages (the max_pages setting)"
    assert _extracted(tmp_path, "all.pdf", pdf, Limits(max_pages=5)).partial is None


def test_pdf_past_max_chars_says_the_page_where_reading_stopped(tmp_path: Path) -> None:
    pdf = make_pdf(["\n".join(f"Line {j} of page {i} about the survey of the coast." for j in range(30))
                    for i in range(1, 6)])
    extracted = _extracted(tmp_path, "long.pdf", pdf, Limits(max_chars=2000))
    last = max(b.page or 0 for b in extracted.blocks)
    assert last < 5 and extracted.partial == (
        f"read the first 2,000 characters, up to page {last} of 5 (the max_chars setting)")


def test_html_past_max_chars_says_how_much_of_its_text_was_read(tmp_path: Path) -> None:
    page = "<html><body>" + "<p>Tide tables for the northern harbour.</p>" * 100 + "</body></html>"
    extracted = _extracted(tmp_path, "tides.html", page.encode(), Limits(max_chars=1000))
    kept = sum(len(b.text) for b in extracted.blocks)
    assert kept < 1100 and extracted.partial == (
        f"read the first {kept:,} of 3,700 characters (the max_chars setting)")
