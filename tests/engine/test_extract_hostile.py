"""Hostile input to the HTML and DOCX extractors: bounded work and memory (issue 2 §3).

No assertion here is on time: the HTML tests count the text the parser is handed (or give one
extraction a generous subprocess timeout at a size the old code needed many minutes for), the
DOCX tests check the refusal and its reason.
"""

from __future__ import annotations

import base64
import io
import random
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from engine.errors import IngestError
from engine.extract import extract
from engine.extract import html as html_mod
from engine.extract.base import Limits
from engine.extract.docx import extract_docx
from engine.extract.html import _Collector, extract_html

ROOT = Path(__file__).resolve().parents[2]
# Unclosed constructs: html.parser looked for the end of each in all the rest of the text.
UNITS = ["<a", "</", "<!", "<![CDATA[", "<!-- x>", "<?x", "<a b='>' "]
_PARSE_METHODS = ["parse_starttag", "parse_endtag", "parse_html_declaration", "parse_comment", "parse_pi",
                  "parse_marked_section", "parse_bogus_comment"]


def _count_scanned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sum, over every attempt to parse a construct, of the text after it the parser holds
    (all that attempt may scan)."""
    scanned = [0]
    for name in _PARSE_METHODS:
        original = getattr(HTMLParser, name)

        def counting(self: HTMLParser, i: int, *args: object, _original: object = original) -> int:
            scanned[0] += len(self.rawdata) - i
            return _original(self, i, *args)  # type: ignore[operator]

        monkeypatch.setattr(HTMLParser, name, counting)
    return scanned


@pytest.mark.parametrize("unit", UNITS)
def test_html_unclosed_constructs_are_scanned_a_bounded_number_of_times(
        monkeypatch: pytest.MonkeyPatch, unit: str) -> None:
    text = "<p>Text about pangolins.</p>" + unit * (40_000 // len(unit))
    piece = 256
    monkeypatch.setattr(html_mod, "_PIECE", piece, raising=False)  # small pieces: the count is of the rescans
    scanned = _count_scanned(monkeypatch)
    extracted = extract_html(text.encode(), Limits())
    assert extracted.blocks[0].text == "Text about pangolins."
    # Linear: each "<" seen with at most a few pieces after it, and a few times the text in all
    # for unclosed constructs. The old code handed every attempt all the rest: ~n^2/2 (~8 * 10^8).
    assert scanned[0] <= 100 * len(text) + 4 * piece * text.count("<")


def test_html_unclosed_constructs_extract_in_a_subprocess() -> None:
    """1 MB of each: minutes per file for the old code (81 s at 400 KB), well under the timeout now."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from engine.extract.html import extract_html\n"
        "from engine.extract.base import Limits\n"
        f"for unit in {UNITS!r}:\n"
        "    data = ('<p>Text about pangolins.</p>' + unit * (1_000_000 // len(unit))).encode()\n"
        "    assert extract_html(data, Limits()).blocks[0].text == 'Text about pangolins.'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, timeout=60,
                         check=True)
    assert out.stdout.strip() == "ok"


def test_html_unclosed_tail_is_text_as_before() -> None:
    """What close() made of unclosed constructs (text up to the next "<" or past the next ">") is kept."""
    data = b"<title>T</title><h1>Head</h1><p>x &amp; y</p>\n<!-- > z <b>bold</b>\n<a href='x' <p>after</p>" + b"<a" * 3
    blocks = extract_html(data, Limits()).blocks
    assert [(b.text, b.line_start, b.line_end) for b in blocks] == [  # as the old code gave
        ("Head", 1, 1), ("x & y", 1, 1), ("<!-- > z bold after", 2, 3), ("<a<a<a", 3, 3)]


PAGES = [
    "<html><head><title>A page</title><script>if (a < b && c > d) x = '</div>';</script></head>"
    "<body><nav><a href=/>Home</a></nav><main><h1>Heading &amp; more</h1>\n<p>One <b>two</b> three"
    " &lt; four &#x41; &copy; AT&T&notin;</p><!-- a comment <p>hidden</p> -->\n<pre>  code\n  more</pre>"
    "<dl><dt>Term</dt><dd>Description a<b x</dd></dl><![CDATA[ x < y ]]><?pi <x> ?>"
    "<img src='data:a<b>c' alt=\"q>r\"><p>x<y z</p></main><footer>foot</footer></body></html>",
    "<!DOCTYPE html>\n<p>a < b and c<<d</p>\n<p>unclosed <!-- comment\n<p>more</p>\n<p>x</p>",
    "<p>text</p><script>var s = '<!--'; </script><p>after &amp</p><p>&#123",
    "<p>tail with an unclosed <a href='x",
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("piece", [1, 3, 16])
def test_html_pieces_give_the_events_of_one_feed(monkeypatch: pytest.MonkeyPatch, page: str, piece: int) -> None:
    """However small the pieces, the blocks are those of feeding the whole text and closing."""
    limits = Limits()
    whole = _Collector(limits, has_main=bool(html_mod._MAIN.search(page)))
    whole.feed(page)
    whole.close()
    whole.flush()
    monkeypatch.setattr(html_mod, "_PIECE", piece)
    monkeypatch.setattr(html_mod, "_WORK_PER_CHAR", 10_000)  # never fall back to plain text here
    pieces = extract_html(page.encode(), limits)
    assert pieces.blocks == whole.blocks
    assert pieces.title == (whole.title or whole.first_h1)


def _docx_with_document_xml(size: int) -> bytes:
    """A python-docx document whose word/document.xml is ``size`` bytes of varied paragraphs
    (compressing ~10x, as real text does: not a zip bomb)."""
    import docx

    skeleton = io.BytesIO()
    docx.Document().save(skeleton)
    rng = random.Random(2)
    words = [f"{rng.getrandbits(32):08x}" for _ in range(20_000)]
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {ns}><w:body>']
    n = len(parts[0])
    while n < size:
        p = f"<w:p><w:r><w:t>{rng.choice(words)} {rng.choice(words)}</w:t></w:r></w:p>"
        parts.append(p)
        n += len(p)
    parts.append("</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(skeleton) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = "".join(parts).encode() if info.filename == "word/document.xml" else zin.read(info.filename)
            zout.writestr(info.filename, body)
    return out.getvalue()


def test_docx_with_more_xml_than_max_chars_allows_is_refused() -> None:
    data = _docx_with_document_xml(17 * 1024 * 1024)  # past the 16 MB floor; ratio far under the bomb check
    with pytest.raises(IngestError) as err:
        extract_docx(data, Limits(max_chars=1000))
    reason = str(err.value)
    assert "word/document.xml" in reason and "max_chars" in reason and "MB" in reason


def test_docx_within_the_xml_limit_is_read() -> None:
    data = _docx_with_document_xml(200_000)
    extracted = extract_docx(data, Limits(max_chars=1000))
    assert extracted.blocks and sum(len(b.text) for b in extracted.blocks) < 1100


# --- encoded data -----------------------------------------------------------------------------


def _extract_named(tmp_path: Path, name: str, data: bytes):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    return extract(path, data, Limits())


def _b64(n: int, seed: int) -> str:
    return base64.b64encode(random.Random(seed).randbytes(n)).decode()


def test_a_data_uri_image_is_cut_out_and_the_text_around_it_stays_verbatim(tmp_path: Path) -> None:
    blob = _b64(60_000, 1)  # 80,000 characters: hundreds of passages of junk if read as words
    text = (f"# Ocelots\n\nThe ocelot hunts at night.\n\n![An ocelot at dusk](data:image/png;base64,{blob}) "
            f"Photo by the survey team.\n\nLynxes are larger.\n")
    extracted = _extract_named(tmp_path, "cats.md", text.encode())
    body = [b for b in extracted.blocks if not b.is_heading]
    assert not any(blob[:100] in b.text for b in body)
    assert [(b.text, b.line_start, b.line_end) for b in body] == [
        ("The ocelot hunts at night.", 3, 3),
        ("![An ocelot at dusk](data:image/png;base64,", 5, 5), (") Photo by the survey team.", 5, 5),
        ("Lynxes are larger.", 7, 7)]
    lines = text.split("\n")
    assert all(b.text in lines[b.line_start - 1] for b in body)  # verbatim pieces of their lines
    assert extracted.partial == ("left out a run of base64-encoded data (80,000 characters), which is not prose")


def test_a_pem_dump_is_cut_out_and_the_lines_after_it_still_count(tmp_path: Path) -> None:
    body64 = _b64(3_000, 2)
    pem_lines = [body64[i:i + 64] for i in range(0, len(body64), 64)]
    text = "\n".join(["Server certificate, renewed in May:", "-----BEGIN CERTIFICATE-----", *pem_lines,
                      "-----END CERTIFICATE-----", "", "Rotate it before it expires.", ""])
    extracted = _extract_named(tmp_path, "cert.txt", text.encode())
    end = 3 + len(pem_lines)  # the END line
    assert [(b.text, b.line_start, b.line_end) for b in extracted.blocks] == [
        ("Server certificate, renewed in May:\n-----BEGIN CERTIFICATE-----", 1, 2),
        ("-----END CERTIFICATE-----", end, end), ("Rotate it before it expires.", end + 2, end + 2)]
    assert "left out a run of base64-encoded data (4,062 characters)" in (extracted.partial or "")


def test_long_runs_that_are_not_encoded_data_are_kept(tmp_path: Path) -> None:
    hexed = random.Random(3).randbytes(400).hex()  # a hex dump: not base64, kept (as the TLS docs' moduli)
    path = "org/springframework/beans/factory/support/AbstractAutowireCapableBeanFactory/" * 5
    words = "\n".join(["internationalization", "Representationalism12"] * 40)
    zeros = base64.b64encode(bytes(600)).decode()  # AAAA...: no mix of letters and digits
    text = "\n\n".join([hexed, path, words, zeros]) + "\n"
    extracted = _extract_named(tmp_path, "runs.txt", text.encode())
    assert [b.text for b in extracted.blocks] == [hexed, path, words, zeros]
    assert extracted.partial is None


def test_docx_past_max_chars_says_the_rest_was_not_read() -> None:
    extracted = extract_docx(_docx_with_document_xml(200_000), Limits(max_chars=1000))
    kept = sum(len(b.text) for b in extracted.blocks)
    assert extracted.partial == f"read the first {kept:,} characters; the rest was not read (the max_chars setting)"
    assert extract_docx(_docx_with_document_xml(2_000), Limits()).partial is None
