"""The per-format extractors, on real files written to tmp_path."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from pathlib import Path

import pytest

from engine.errors import IngestError
from engine.extract import TABLE_FORMATS, Limits, extract, format_for, read_file
from engine.extract.docx import check_zip
from engine.extract.text import decode
from tests.fixtures.make_pdf import make_pdf, qt_pdf

LIMITS = Limits()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _extract_file(tmp_path: Path, name: str, data: bytes, limits: Limits = LIMITS):
    path = _write(tmp_path, name, data)
    return extract(path, read_file(path, limits), limits)


def _texts(extracted) -> list[str]:
    return [b.text for b in extracted.blocks]


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("notes.txt", "text"), ("NOTES.TXT", "text"), ("server.log", "text"),
    ("README.md", "markdown"), ("page.mdx", "markdown"), ("index.rst", "rst"),
    ("book.adoc", "asciidoc"), ("guide.asciidoc", "asciidoc"),
    ("main.py", "code"), ("app.TSX", "code"), ("config.yaml", "code"), ("style.css", "code"),
    ("page.HTM", "html"), ("paper.pdf", "pdf"), ("letter.docx", "docx"),
    ("data.csv", "csv"), ("data.tab", "tsv"), ("rows.jsonl", "json"), ("data.json", "json"),
    ("book.xlsm", "xlsx"), ("t.parquet", "parquet"),
    ("Makefile", None), ("photo.jpg", None), ("archive.zip", None),
])
def test_format_is_chosen_by_extension_case_insensitively(name: str, expected: str | None):
    assert format_for(Path(name)) == expected


def test_table_formats_are_the_five_tabular_kinds():
    assert TABLE_FORMATS == {"csv", "tsv", "json", "xlsx", "parquet"}


def test_unknown_extension_is_refused_with_the_extension_named(tmp_path: Path):
    with pytest.raises(IngestError, match=r"\.jpg"):
        extract(tmp_path / "photo.jpg", b"\xff\xd8\xff", LIMITS)


# --- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [
    "café – naïve\n".encode(),
    b"\xef\xbb\xbf" + "café – naïve\n".encode(),
    "\ufeffcafé – naïve\n".encode("utf-16-le"),
    "\ufeffcafé – naïve\n".encode("utf-16-be"),
    "\ufeffcafé – naïve\n".encode("utf-32-le"),
    "café – naïve\n".encode("cp1252"),
], ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom", "cp1252"])
def test_text_in_common_encodings_decodes_to_the_same_words(tmp_path: Path, data: bytes):
    extracted = _extract_file(tmp_path, "note.txt", data)
    assert _texts(extracted) == ["café – naïve"]


def test_longer_cp1252_prose_decodes_right():
    text = "Déjà vu: the café’s “crème brûlée” costs 5 €.\r\nÜber naïve Grüße.\r\n"
    assert decode(text.encode("cp1252")) == text.replace("\r\n", "\n")


def test_french_in_cp1252_with_many_one_letter_words_decodes_right():
    text = "Il est allé à Paris, puis à Lyon, et il a payé très cher à l'hôtel. Où ça ?\n"
    assert decode(text.encode("cp1252")) == text


def test_cyrillic_in_cp1251_is_not_mistaken_for_western_text():
    text = "Привет, мир! Это простой текст на русском языке, записанный в кодировке Windows.\n" * 5
    assert decode(text.encode("cp1251")) == text


def test_polish_in_cp1250_is_not_read_as_garbled_cp1252():
    text = ("Spotkanie zespołu odbędzie się w Łodzi, a następne we Wrocławiu i w Gdańsku. "
            "Proszę przynieść sprawozdania kwartalne.\n") * 3
    assert decode(text.encode("cp1250")) == text  # cp1252 read it as 'zespo³u', '£odzi', 'Wroc³awiu'


def test_utf8_with_one_bad_byte_keeps_its_text_and_marks_only_that_byte():
    text = "Meeting with José — we agreed on the “blue” option for the façade.\n" * 20
    assert decode(text.encode() + b"Signed: Ren\xe9\n") == text + "Signed: Ren\ufffd\n"  # not 'JosÃ©' throughout
    latin = "Réunion à l'hôtel, café crème.\n" * 3
    assert decode(latin.encode("cp1252")) == latin  # a single-byte file still reads as one


def test_windows_and_old_mac_newlines_become_line_feeds():
    assert decode(b"one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text(encoding: str):
    text = "Inventory export, Grüße aus Köln, Привет\nSecond line\n" * 3
    assert decode(text.replace("\n", "\r\n").encode(encoding)) == text


def test_a_few_stray_nul_bytes_in_a_log_are_dropped_but_many_are_binary():
    log = b"2024-05-01 service started\n" * 2000 + b"\x00" * 16 + b"2024-05-02 restarted after a crash\n"
    assert decode(log).endswith("service started\n2024-05-02 restarted after a crash\n")
    with pytest.raises(IngestError, match="binary data, not text"):
        decode(b"text with holes \x00\x00 " * 200)


def test_binary_data_named_txt_is_refused_as_binary(tmp_path: Path):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    with pytest.raises(IngestError, match="binary data, not text"):
        _extract_file(tmp_path, "image.txt", png)


def test_binary_without_nul_bytes_is_refused_by_its_control_characters(tmp_path: Path):
    noise = bytes(b for b in os.urandom(20000) if b != 0)
    with pytest.raises(IngestError, match="binary data, not text"):
        _extract_file(tmp_path, "noise.txt", noise)


# --- plain text and limits -----------------------------------------------------------------


def test_plain_text_paragraphs_carry_their_line_numbers(tmp_path: Path):
    data = b"First para\nstill first\n\n\nSecond para\n\nThird\n"
    blocks = _extract_file(tmp_path, "a.txt", data).blocks
    assert [(b.text, b.line_start, b.line_end) for b in blocks] == [
        ("First para\nstill first", 1, 2), ("Second para", 5, 5), ("Third", 7, 7),
    ]
    assert all(b.heading_path == () and not b.is_heading for b in blocks)


def test_plain_text_underlined_titles_become_headings_and_rules_end_paragraphs(tmp_path: Path):
    data = (b"Release notes\n=============\n\nThe 2.0 release.\n------------------------\nFixed bugs.\n\n"
            b"Upgrading\n---------\nRun the installer.\n\nNot a title\n---\n")
    extracted = _extract_file(tmp_path, "notes.txt", data)
    assert extracted.title == "Release notes" and extracted.format == "text"
    assert [(b.text, b.heading_path, b.is_heading) for b in extracted.blocks] == [
        ("Release notes", ("Release notes",), True),
        ("The 2.0 release.", ("Release notes",), False),  # a rule, not the underline of a title
        ("Fixed bugs.", ("Release notes",), False),
        ("Upgrading", ("Release notes", "Upgrading"), True),
        ("Run the installer.", ("Release notes", "Upgrading"), False),
        ("Not a title\n---", ("Release notes", "Upgrading"), False),  # underline too short, no rule
    ]


ASCIIDOC = b"""= Field Guide
:toc:

[[start]]
== Getting started

Read this first.

[source,shell]
----
$ guide --init
----

=== Options

--depth <n>::
	How deep to look.
Defaults to 3.

Setup
~~~~~
Nothing else.
"""


def test_asciidoc_sections_terms_and_markup(tmp_path: Path):
    for name in ("guide.adoc", "guide.txt"):  # a .txt that looks like AsciiDoc is read as AsciiDoc
        extracted = _extract_file(tmp_path, name, ASCIIDOC)
        assert extracted.title == "Field Guide" and extracted.format == "asciidoc"
        depth = ("Field Guide", "Getting started", "Options", "--depth <n>")
        assert [(b.text, b.heading_path, b.is_heading) for b in extracted.blocks] == [
            ("Field Guide", ("Field Guide",), True),
            ("Getting started", ("Field Guide", "Getting started"), True),
            ("Read this first.", ("Field Guide", "Getting started"), False),
            ("$ guide --init", ("Field Guide", "Getting started"), False),
            ("Options", ("Field Guide", "Getting started", "Options"), True),
            ("--depth <n>", depth, True),
            ("\tHow deep to look.\nDefaults to 3.", depth, False),
            ("Setup", ("Field Guide", "Getting started", "Setup"), True),
            ("Nothing else.", ("Field Guide", "Getting started", "Setup"), False),
        ]


def test_asciidoc_verbatim_blocks_are_kept_whole_and_lists_end(tmp_path: Path):
    data = (b"= Config\n\n== Remotes\n\n----\n$ cat .git/config\n[remote \"staging\"]\n// not a comment here\n"
            b"==== not a title ====\n----\n\n////\nA comment block.\n////\n\n--quiet::\n\tSay less.\n+\n"
            b"Still about quiet.\n\nThese options can be combined.\n")
    blocks = _extract_file(tmp_path, "config.adoc", data).blocks
    listing = next(b for b in blocks if "cat .git/config" in b.text)
    assert listing.text == '$ cat .git/config\n[remote "staging"]\n// not a comment here\n==== not a title ===='
    assert (listing.line_start, listing.line_end, listing.is_heading) == (6, 9, False)
    assert not any("comment block" in b.text for b in blocks)
    paths = {b.text: b.heading_path for b in blocks}
    assert paths["Still about quiet."] == ("Config", "Remotes", "--quiet")  # attached with "+"
    assert paths["These options can be combined."] == ("Config", "Remotes")  # the list has ended


def test_a_plain_notes_labels_head_the_lines_indented_or_listed_under_them(tmp_path: Path):
    """A to-do note's "TOM" / "  thurs 26th 9-2  pack boxes": the short line at the margin over
    indented lines or items labels them (a heading below any underlined title, never the file's
    title); a lead-in ("Create it by") is none, and a paragraph at the margin leaves the label."""
    data = (b"TO DO   (tues 24 nov)\n\nTOM\n  thurs 26th 9-2  pack boxes\n  sat 28th  7-1   market\n\n"
            b"money\n  - chase Mike Jarvis re box money\n  - pay tom on the 30th\n\n"
            b"A paragraph at the margin.\n\nCreate the file by\n    $ touch notes\n")
    extracted = _extract_file(tmp_path, "todo.txt", data)
    assert extracted.title is None
    got = [(b.line_start, b.heading_path, b.is_heading) for b in extracted.blocks]
    assert got == [(1, (), False), (3, ("TOM",), True), (4, ("TOM",), False), (7, ("money",), True),
                   (8, ("money",), False), (11, (), False), (13, (), False)], got
    titled = _extract_file(tmp_path, "soil.txt", b"Soil notes\n==========\n\nfees\n  licence fee \xc2\xa3587\n")
    assert titled.title == "Soil notes"
    assert [b.heading_path for b in titled.blocks][-1] == ("Soil notes", "fees")


def test_plain_text_with_brackets_is_not_asciidoc_and_logs_never_are(tmp_path: Path):
    todo = _extract_file(tmp_path, "todo.txt", b"[x] buy milk\n[ ] call Bob\n// ask about 3pm\n\nTip::\nuse venv\n")
    assert todo.format == "text" and "// ask about 3pm" in todo.blocks[0].text and todo.title is None
    rest = (b"First install the package\nwith pip like this::\n\n    pip install x\n\n"
            b"Then run the setup\nscript like this::\n\n    x run\n\nAnd configure it\nlike this::\n\n    x cfg\n")
    assert _extract_file(tmp_path, "howto.txt", rest).format == "text"  # reST's "::" ends a paragraph
    log = b"= Build =\n[INFO]\n[INFO]\n[WARN]\n== step one\n== step two\n"
    assert _extract_file(tmp_path, "build.log", log).format == "text"


def test_a_manual_pages_name_line_is_its_title_and_heading_root(tmp_path: Path):
    html = (b"<html><head><title>tool(1)</title></head><body><h1>tool(1) Manual Page</h1>"
            b"<h2>NAME</h2><p>tool - count the words in a file</p><h2>OPTIONS</h2><p>-v  Be verbose.</p></body></html>")
    extracted = _extract_file(tmp_path, "tool.html", html)
    name = "tool - count the words in a file"
    assert extracted.title == name
    assert [b.heading_path for b in extracted.blocks if not b.is_heading] == [(name, "NAME"), (name, "OPTIONS")]
    troff = b"NAME\n----\nls, dir - list directory contents\n\nDESCRIPTION\n-----------\nList files.\n"
    extracted = _extract_file(tmp_path, "ls.txt", troff)  # NAME outermost: the line goes above it
    assert extracted.title == "ls, dir - list directory contents"
    assert extracted.blocks[-1].heading_path == ("ls, dir - list directory contents", "DESCRIPTION")
    md = _extract_file(tmp_path, "tool.md", b"# tool(1)\n\n## NAME\n\ntool - count words\n\n# See also\n\nwc\n")
    assert md.blocks[-1].heading_path == ("tool - count words", "See also")  # another top heading stays
    plain = _extract_file(tmp_path, "n.txt", b"NAME\n----\nJust a name section.\n")
    assert plain.title == "NAME"  # no "name - what it is" line: nothing changes


def test_empty_text_file_gives_no_blocks(tmp_path: Path):
    assert _extract_file(tmp_path, "empty.txt", b"").blocks == []


def test_text_beyond_max_chars_is_cut_off_without_error(tmp_path: Path):
    data = ("word " * 20 + "\n\n").encode() * 100
    extracted = _extract_file(tmp_path, "long.txt", data, Limits(max_chars=1000))
    assert sum(len(t) for t in _texts(extracted)) <= 1000
    assert extracted.blocks[0].text.startswith("word word")


def test_over_long_line_is_refused_naming_the_setting(tmp_path: Path):
    data = b"x" * 5000 + b"\nshort\n"
    with pytest.raises(IngestError, match=r"line of 5,000 characters.*max_line_chars"):
        _extract_file(tmp_path, "wide.txt", data, Limits(max_line_chars=1000))


def test_thirty_megabyte_single_line_is_refused_by_line_length(tmp_path: Path):
    limits = Limits(max_file_bytes=40 * 1024 * 1024)
    path = tmp_path / "oneline.txt"
    with path.open("wb") as f:
        for _ in range(30):
            f.write(b"a" * 1_000_000)
    with pytest.raises(IngestError) as info:
        extract(path, read_file(path, limits), limits)
    assert "line of 30,000,000 characters" in str(info.value)
    assert "limit of 1,000,000 (setting max_line_chars)" in str(info.value)


# --- markdown ------------------------------------------------------------------------------

MARKDOWN = b"""---
title: Front matter title
---
# Guide

Intro paragraph
on two lines.

## Install

```bash
# this is a comment, not a heading
pip install grace
```

### Linux ###

Use the package.

## Use

Setext Title
============

Under setext.
"""


def test_markdown_headings_nest_into_heading_paths(tmp_path: Path):
    extracted = _extract_file(tmp_path, "guide.md", MARKDOWN)
    headings = [(b.text, b.heading_path) for b in extracted.blocks if b.is_heading]
    assert headings == [
        ("Guide", ("Guide",)),
        ("Install", ("Guide", "Install")),
        ("Linux", ("Guide", "Install", "Linux")),
        ("Use", ("Guide", "Use")),
        ("Setext Title", ("Setext Title",)),
    ]
    assert extracted.title == "Guide"
    assert extracted.format == "markdown" and extracted.kind == "text"


def test_markdown_paragraphs_carry_enclosing_headings_and_lines(tmp_path: Path):
    blocks = _extract_file(tmp_path, "guide.md", MARKDOWN).blocks
    by_text = {b.text: b for b in blocks}
    intro = by_text["Intro paragraph\non two lines."]
    assert (intro.line_start, intro.line_end, intro.heading_path) == (6, 7, ("Guide",))
    use = by_text["Use the package."]
    assert use.heading_path == ("Guide", "Install", "Linux")
    assert by_text["Under setext."].heading_path == ("Setext Title",)
    setext = by_text["Setext Title"]
    assert (setext.line_start, setext.line_end) == (22, 23)


def test_hash_inside_a_code_fence_is_not_a_heading(tmp_path: Path):
    blocks = _extract_file(tmp_path, "guide.md", MARKDOWN).blocks
    fence = next(b for b in blocks if "pip install" in b.text)
    assert not fence.is_heading
    assert "# this is a comment" in fence.text
    assert (fence.line_start, fence.line_end) == (11, 14)
    assert fence.heading_path == ("Guide", "Install")
    assert not any("comment" in b.text for b in blocks if b.is_heading)


def test_markdown_front_matter_is_skipped_and_gives_a_title_without_h1(tmp_path: Path):
    data = b"---\ntitle: Notes\ntags: [a]\n---\nJust text.\n"
    extracted = _extract_file(tmp_path, "n.md", data)
    assert _texts(extracted) == ["Just text."]
    assert extracted.title == "Notes"


def test_markdown_heading_markup_is_stripped_lightly(tmp_path: Path):
    data = b"# The **bold** [link](http://x.y) `code`\n\ntext\n"
    assert _extract_file(tmp_path, "m.md", data).blocks[0].text == "The bold link code"


def test_markdown_leaves_out_what_a_reader_never_sees(tmp_path: Path):
    data = (b"# fs\n<!--introduced_in=v0.10.0-->\n\n## `fs.open(path)`\n<!-- YAML\nadded: v0.0.2\n"
            b"changes:\n  - version: v11.1.0\n-->\n\nOpens a [`FileHandle`][] for `path`.\n"
            b"Still the same paragraph.\n<!-- a note between paragraphs -->\nNext paragraph.\n\n"
            b"```md\n<!-- shown: it is code -->\n[x]: y\n```\n\n"
            b"[`FileHandle`]: #class-filehandle\n[x]: https://example.org/x \"X\"\n")
    blocks = _extract_file(tmp_path, "fs.md", data).blocks
    texts = [b.text for b in blocks]
    assert texts == ["fs", "fs.open(path)",
                     "Opens a [`FileHandle`][] for `path`.\nStill the same paragraph.",
                     "Next paragraph.", "```md\n<!-- shown: it is code -->\n[x]: y\n```"]
    assert [(b.line_start, b.line_end) for b in blocks[2:4]] == [(11, 12), (14, 14)]


@pytest.mark.parametrize(("data", "shown"), [
    (b"<!-- note --> Shown one.\n\nTwo.\n", [("<!-- note --> Shown one.", 1), ("Two.", 3)]),
    (b"<!--\nhidden\n--> Shown after the close.\n\nTwo.\n", [("--> Shown after the close.", 3), ("Two.", 5)]),
    (b"<!-->\nShown A.\n\n<!--->\nShown B.\n", [("Shown A.", 2), ("Shown B.", 5)]),
    (b"<!-- never closed\nhidden\n\nhidden too\n", []),
])
def test_markdown_comment_blocks_hide_only_what_a_reader_does_not_see(tmp_path: Path, data: bytes, shown):
    blocks = _extract_file(tmp_path, "c.md", data).blocks
    assert [(b.text, b.line_start) for b in blocks] == shown


def test_markdown_keeps_text_that_only_looks_like_a_link_definition(tmp_path: Path):
    inside = b"A paragraph that goes on\n[x]: y\n"  # a definition cannot interrupt a paragraph
    note = b"[Note]: keep a backup first.\n"  # no single destination: text
    assert _texts(_extract_file(tmp_path, "n.md", inside + b"\n" + note)) == [
        inside.decode().rstrip(), note.decode().rstrip()]
    for text in ("[ ]: todo", "[x]: <foo", "[x]: f(x", "[x]: <a>b"):  # not definitions in CommonMark
        assert _texts(_extract_file(tmp_path, "d.md", text.encode())) == [text]
    assert _texts(_extract_file(tmp_path, "d.md", b"[x]: f(x)\n[y]: <a b> 'T'\n")) == []


# --- reStructuredText ----------------------------------------------------------------------

RST = b"""=========
Handbook
=========

Welcome text.

Setup
=====

Install it.

Details
-------

.. note::

   Indented note.

Usage
=====

Run it.
"""


def test_rst_section_levels_follow_order_of_first_appearance(tmp_path: Path):
    extracted = _extract_file(tmp_path, "h.rst", RST)
    headings = [(b.text, b.heading_path, b.line_start, b.line_end)
                for b in extracted.blocks if b.is_heading]
    assert headings == [
        ("Handbook", ("Handbook",), 1, 3),
        ("Setup", ("Handbook", "Setup"), 7, 8),
        ("Details", ("Handbook", "Setup", "Details"), 12, 13),
        ("Usage", ("Handbook", "Usage"), 19, 20),
    ]
    assert extracted.title == "Handbook"
    note = next(b for b in extracted.blocks if "Indented note" in b.text)
    assert note.heading_path == ("Handbook", "Setup", "Details")
    assert any(b.text == ".. note::" for b in extracted.blocks)


def test_rst_leaves_out_explicit_markup_a_reader_never_sees(tmp_path: Path):
    data = (b".. _sorting-howto:\n\nSorting\n*******\n\n.. index:: sorting\n   single: sort\n\n"
            b".. A comment\n   that runs on.\n\nLists sort.\n\n.. |name| replace:: Grace\n\n"
            b".. py:currentmodule:: x\n\n.. note::\n\n   A note people read.\n\n"
            b".. [1] A footnote people read.\n\n..\n\n   A block quote after an empty comment.\n\n"
            b"...not markup\n")
    blocks = _extract_file(tmp_path, "s.rst", data).blocks
    assert [(b.text, b.line_start) for b in blocks] == [
        ("Sorting", 3), ("Lists sort.", 12), (".. note::", 18), ("   A note people read.", 20),
        (".. [1] A footnote people read.", 22), ("   A block quote after an empty comment.", 26),
        ("...not markup", 28)]


@pytest.mark.parametrize(("source", "kept"), [
    (".. note :: Keep the receipt.\n", [".. note :: Keep the receipt."]),  # docutils allows " ::"
    (".. _label:\n\n   A block quote after a target.\n", ["   A block quote after a target."]),
    (".. py:module:: spam\n\n   Cooks eggs.\n", [".. py:module:: spam", "   Cooks eggs."]),
    (".. rst:role:: kbd\n\n   Marks keys.\n", [".. rst:role:: kbd", "   Marks keys."]),
    (".. Index:: spam\n   single: eggs\n\nText.\n", ["Text."]),  # names in any case
    ("..\n   A comment right below.\n\nText.\n", ["Text."]),
])
def test_rst_markup_is_dropped_only_where_docutils_shows_nothing(tmp_path: Path, source: str, kept: list[str]):
    assert _texts(_extract_file(tmp_path, "m.rst", source.encode())) == kept


def test_rst_underline_shorter_than_title_is_not_a_heading(tmp_path: Path):
    extracted = _extract_file(tmp_path, "s.rst", b"A long title\n===\n\ntext\n")
    assert not any(b.is_heading for b in extracted.blocks)


# --- code ----------------------------------------------------------------------------------


def test_python_paragraphs_carry_their_enclosing_class_and_def(tmp_path: Path):
    data = (b"import os\n\n\nclass Store:\n    def load(self):\n        x = 1\n\n"
            b"        return x\n\n\ndef main():\n    pass\n")
    blocks = _extract_file(tmp_path, "store.py", data).blocks
    assert [(b.line_start, b.heading_path) for b in blocks] == [
        (1, ()), (4, ("class Store",)), (8, ("class Store", "def load")), (11, ("def main",)),
    ]
    assert blocks[0].text == "import os"


def test_other_code_is_split_at_blank_lines(tmp_path: Path):
    data = b"fn main() {\n    run();\n}\n\nfn run() {}\n"
    extracted = _extract_file(tmp_path, "main.rs", data)
    assert extracted.format == "code"
    assert [(b.line_start, b.line_end) for b in extracted.blocks] == [(1, 3), (5, 5)]


# --- HTML ----------------------------------------------------------------------------------

HTML = b"""<!DOCTYPE html>
<html>
<head>
  <title>The &amp; Page</title>
  <style>body { color: red }</style>
  <script>var secret = "do not index";</script>
</head>
<body>
<h1>Main heading</h1>
<p>First paragraph with
an &eacute;ntity and   spaces.</p>
<noscript>Enable JavaScript</noscript>
<h2>Part <em>two</em></h2>
<ul><li>item one</li><li>item two</li></ul>
<pre>line 1
    line 2</pre>
<script>
document.write("hidden");
</script>
<div>tail<br>after break</div>
</body>
</html>
"""


def test_html_headings_paragraphs_and_title(tmp_path: Path):
    extracted = _extract_file(tmp_path, "page.html", HTML)
    assert extracted.title == "The & Page"
    assert [(b.text, b.heading_path, b.is_heading) for b in extracted.blocks] == [
        ("Main heading", ("Main heading",), True),
        ("First paragraph with an éntity and spaces.", ("Main heading",), False),
        ("Part two", ("Main heading", "Part two"), True),
        ("item one", ("Main heading", "Part two"), False),
        ("item two", ("Main heading", "Part two"), False),
        ("line 1\n    line 2", ("Main heading", "Part two"), False),
        ("tail", ("Main heading", "Part two"), False),
        ("after break", ("Main heading", "Part two"), False),
    ]


def test_html_script_style_and_noscript_text_is_skipped(tmp_path: Path):
    text = " ".join(_texts(_extract_file(tmp_path, "page.html", HTML)))
    for hidden in ("do not index", "hidden", "color", "Enable JavaScript"):
        assert hidden not in text


def test_html_blocks_carry_their_source_lines(tmp_path: Path):
    blocks = _extract_file(tmp_path, "page.html", HTML).blocks
    lines = {b.text: (b.line_start, b.line_end) for b in blocks}
    assert lines["Main heading"] == (9, 9)
    assert lines["First paragraph with an éntity and spaces."] == (10, 11)
    assert lines["line 1\n    line 2"] == (15, 16)
    assert lines["after break"] == (20, 20)


def test_hundred_thousand_nested_divs_extract_without_overflow(tmp_path: Path):
    depth = 100_000
    data = b"<html><body>" + b"<div>" * depth + b"deep text" + b"</div>" * depth + b"<p>after</p>"
    extracted = _extract_file(tmp_path, "deep.html", data)
    assert _texts(extracted) == ["deep text", "after"]


def test_html_meta_charset_is_used_when_not_utf8(tmp_path: Path):
    data = ('<html><head><meta charset="windows-1252"></head>'
            "<body><p>Caf\u00e9 cr\u00e8me \u2013 ok</p></body></html>").encode("cp1252")
    assert _texts(_extract_file(tmp_path, "c.htm", data)) == ["Café crème – ok"]


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_pages_and_lines_are_numbered(tmp_path: Path):
    pdf = make_pdf(["Alpha report\nFirst page body text.", "Second page text\nmore (x) here",
                    "Third page"])
    extracted = _extract_file(tmp_path, "report.pdf", pdf)
    assert extracted.format == "pdf" and extracted.kind == "text"
    pages = {b.page for b in extracted.blocks}
    assert pages == {1, 2, 3}
    joined = {b.page: " ".join(b.text.split()) for b in extracted.blocks}
    assert "Alpha report" in joined[1] and "First page body text." in joined[1]
    assert "more (x) here" in joined[2]
    assert joined[3] == "Third page"
    first = next(b for b in extracted.blocks if b.page == 1)
    assert first.line_start == 1


def test_pdf_without_blank_lines_is_grouped_into_paragraphs(tmp_path: Path):
    lines = [f"This is a fairly long line number {i} of the text" for i in range(20)]
    lines[4] = "Short end."
    extracted = _extract_file(tmp_path, "long.pdf", make_pdf(["\n".join(lines)]))
    spans = [(b.line_start, b.line_end) for b in extracted.blocks]
    assert spans[0] == (1, 5)
    assert all(end - start < 8 for start, end in spans)
    assert spans[-1][1] == 20


def test_pdf_page_limit_stops_reading(tmp_path: Path):
    pdf = make_pdf([f"Page {i}" for i in range(1, 6)])
    extracted = _extract_file(tmp_path, "five.pdf", pdf, Limits(max_pages=2))
    assert {b.page for b in extracted.blocks} == {1, 2}


def test_truncated_pdf_is_refused_as_damaged(tmp_path: Path):
    pdf = make_pdf(["Some text", "More text"])
    with pytest.raises(IngestError, match="the PDF is damaged or truncated") as refused:
        _extract_file(tmp_path, "cut.pdf", pdf[: len(pdf) // 2])
    assert "pdfium" not in str(refused.value).lower()  # a person's words, not the library's


def test_text_file_named_pdf_is_refused_saying_how_it_starts(tmp_path: Path):
    with pytest.raises(IngestError, match=r'it is not a PDF \(it starts with "hello'):
        _extract_file(tmp_path, "fake.pdf", b"hello, I am plain text\n")


def test_password_protected_pdf_is_refused_as_such(tmp_path: Path):
    with pytest.raises(IngestError, match="the PDF is password-protected"):
        _extract_file(tmp_path, "locked.pdf", make_pdf(["Secret"], locked=True))


def test_pdf_with_no_pages_is_refused_as_such(tmp_path: Path):
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    body, offsets = bytearray(b"%PDF-1.7\n"), []
    for n, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (n, obj)
    xref = len(body)
    body += b"xref\n0 3\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    with pytest.raises(IngestError, match=r"the PDF has no pages"):
        _extract_file(tmp_path, "blank.pdf", bytes(body))


def test_empty_file_named_pdf_is_refused_as_empty(tmp_path: Path):
    with pytest.raises(IngestError, match="it is empty"):
        _extract_file(tmp_path, "empty.pdf", b"")


def test_pdf_without_text_layer_is_refused_mentioning_ocr(tmp_path: Path):
    with pytest.raises(IngestError, match="no text layer.*OCR"):
        _extract_file(tmp_path, "scan.pdf", make_pdf(["", ""]))


# --- DOCX ----------------------------------------------------------------------------------


def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Annual Plan", level=0)
    document.add_paragraph("Opening words.")
    document.add_heading("Budget", level=1)
    document.add_paragraph("")
    document.add_paragraph("Money matters.")
    document.add_heading("Travel", level=2)
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("City", "Cost"), ("Oslo", "1200")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_heading("Staff", level=1)
    document.add_paragraph("People.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_headings_paragraphs_and_tables_extract_with_paths(tmp_path: Path):
    extracted = _extract_file(tmp_path, "plan.docx", _docx_bytes())
    assert extracted.title == "Annual Plan"
    got = [(b.text, b.heading_path, b.is_heading) for b in extracted.blocks]
    assert got == [
        ("Annual Plan", ("Annual Plan",), True),
        ("Opening words.", ("Annual Plan",), False),
        ("Budget", ("Annual Plan", "Budget"), True),
        ("Money matters.", ("Annual Plan", "Budget"), False),
        ("Travel", ("Annual Plan", "Budget", "Travel"), True),
        ("City\tCost", ("Annual Plan", "Budget", "Travel"), False),
        ("Oslo\t1200", ("Annual Plan", "Budget", "Travel"), False),
        ("Staff", ("Annual Plan", "Staff"), True),
        ("People.", ("Annual Plan", "Staff"), False),
    ]


@pytest.mark.parametrize(("core", "title"), [("Word Document", None), ("Microsoft Word - letter.doc", None),
                                             ("Untitled", None), ("Letter to the landlord", "Letter to the landlord")])
def test_a_docx_without_headings_takes_its_core_title_unless_it_is_a_tool_default(tmp_path: Path, core: str,
                                                                                   title: str | None):
    import docx

    document = docx.Document()
    document.core_properties.title = core
    document.add_paragraph("Dear Ms Lee, the boiler still leaks.")
    buffer = io.BytesIO()
    document.save(buffer)
    assert _extract_file(tmp_path, "letter.docx", buffer.getvalue()).title == title  # None: the file's name shows


def test_docx_lines_count_paragraphs_including_empty_ones(tmp_path: Path):
    blocks = _extract_file(tmp_path, "plan.docx", _docx_bytes()).blocks
    lines = {b.text: (b.line_start, b.line_end) for b in blocks}
    assert lines["Opening words."] == (2, 2)
    assert lines["Money matters."] == (5, 5)  # the empty paragraph 4 is counted, not kept
    assert lines["City\tCost"] == (7, 8)
    assert lines["Oslo\t1200"] == (9, 10)


def _docx_with_body_xml(xml: str) -> bytes:
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = document.element.body
    for element in parse_xml(f"<w:body {ns}>{xml}</w:body>"):
        body.insert(len(body) - 1, element)  # before the section properties
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_reads_tracked_insertions_content_controls_and_fields_not_deletions(tmp_path: Path):
    run = "<w:r><w:t xml:space='preserve'>{}</w:t></w:r>"
    xml = (
        "<w:p>" + run.format("Budget is ") + "<w:ins w:id='1' w:author='a'>" + run.format("twelve")
        + "</w:ins><w:del w:id='2' w:author='a'><w:r><w:delText>ten</w:delText></w:r></w:del>"
        + run.format(" units, signed by ") + "<w:sdt><w:sdtContent>" + run.format("Ada")
        + "</w:sdtContent></w:sdt><w:smartTag w:uri='u' w:element='e'>" + run.format(" in Oslo")
        + "</w:smartTag><w:fldSimple w:instr='PAGE'>" + run.format(" p3") + "</w:fldSimple></w:p>"
        "<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val='Table of Contents'/></w:docPartObj>"
        "</w:sdtPr><w:sdtContent><w:p>" + run.format("Contents 1") + "</w:p></w:sdtContent></w:sdt>"
        "<w:sdt><w:sdtContent><w:p>" + run.format("Cover page text.") + "</w:p></w:sdtContent></w:sdt>"
        "<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>line two</w:t><w:tab/><w:t>end.</w:t></w:r></w:p>")
    texts = _texts(_extract_file(tmp_path, "tracked.docx", _docx_with_body_xml(xml)))
    assert texts == ["Budget is twelve units, signed by Ada in Oslo p3", "Cover page text.",
                     "Line one\nline two\tend."]


def test_docx_alternate_content_is_read_once_and_absolute_tabs_are_tabs(tmp_path: Path):
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    xml = (f"<w:p><w:r><w:t xml:space='preserve'>Great job </w:t></w:r><mc:AlternateContent {mc}>"
           "<mc:Choice Requires='w16se'><w:r><w:sym w:char='1F600'/></w:r></mc:Choice>"
           "<mc:Fallback><w:r><w:t>\U0001F600</w:t></w:r></mc:Fallback></mc:AlternateContent>"
           f"<mc:AlternateContent {mc}><mc:Choice Requires='x'><w:r><w:t>A</w:t></w:r></mc:Choice>"
           "<mc:Fallback><w:r><w:t>A</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>"
           "<w:p><w:r><w:t>Left</w:t><w:ptab w:relativeTo='margin' w:alignment='right' w:leader='none'/>"
           "<w:t>Right</w:t></w:r></w:p>")
    texts = _texts(_extract_file(tmp_path, "alt.docx", _docx_with_body_xml(xml)))
    assert texts == ["Great job \U0001F600A", "Left\tRight"]


def test_docx_text_box_is_read_once_after_its_paragraph(tmp_path: Path):
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    box = "<w:txbxContent><w:p><w:r><w:t>Box text.</w:t></w:r></w:p></w:txbxContent>"
    xml = (f"<w:p><w:r><w:t>Body.</w:t></w:r><w:r><mc:AlternateContent {mc}><mc:Choice Requires='wps'>"
           f"<w:drawing>{box}</w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>"
           "</mc:AlternateContent></w:r></w:p><w:p><w:r><w:t>Next.</w:t></w:r></w:p>")
    assert _texts(_extract_file(tmp_path, "box.docx", _docx_with_body_xml(xml))) == ["Body.", "Box text.", "Next."]


def _with_footnotes(docx_bytes: bytes, notes_xml: str) -> bytes:
    """``docx_bytes`` with a word/footnotes.xml part holding ``notes_xml``."""
    rel = ('<Relationship Id="rIdNotes" Target="footnotes.xml" Type="http://schemas.openxmlformats.org/'
           'officeDocument/2006/relationships/footnotes"/>')
    kind = ('<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.footnotes+xml"/>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", kind.encode() + b"</Types>")
            dst.writestr(item, data)
        dst.writestr("word/footnotes.xml", notes_xml)
    return out.getvalue()


def test_docx_footnotes_are_read_after_the_paragraph_that_cites_them(tmp_path: Path):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    notes = (f"<w:footnotes {w}><w:footnote w:type='separator' w:id='-1'><w:p><w:r><w:t>----</w:t></w:r></w:p>"
             "</w:footnote><w:footnote w:id='1'><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space='preserve'>"
             " Measured in 2024.</w:t></w:r></w:p></w:footnote></w:footnotes>")
    xml = ("<w:p><w:r><w:t>Sales rose.</w:t></w:r><w:r><w:footnoteReference w:id='1'/></w:r></w:p>"
           "<w:p><w:r><w:t>Costs fell.</w:t></w:r></w:p>")
    data = _with_footnotes(_docx_with_body_xml(xml), notes)
    assert _texts(_extract_file(tmp_path, "notes.docx", data)) == ["Sales rose.", "Measured in 2024.", "Costs fell."]
    damaged = _with_footnotes(_docx_with_body_xml(xml), "<w:footnotes")
    assert _texts(_extract_file(tmp_path, "damaged.docx", damaged)) == ["Sales rose.", "Costs fell."]


def test_docx_boxes_and_notes_are_found_wherever_word_puts_them_and_are_never_headings(tmp_path: Path):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    h1 = "<w:pPr><w:pStyle w:val='Heading1'/></w:pPr>"
    box = f"<w:txbxContent><w:p>{h1}<w:r><w:t>Sidebar</w:t></w:r></w:p></w:txbxContent>"
    notes = (f"<w:footnotes {w}><w:footnote w:id='6'><w:p><w:r><w:t>Cell note.</w:t></w:r></w:p>"
             "</w:footnote></w:footnotes>")
    xml = (f"<w:p>{h1}<w:r><w:t>Intro</w:t></w:r></w:p>"
           f"<w:p><w:r><w:t>Body.</w:t></w:r><w:r><mc:AlternateContent {mc}><mc:Choice Requires='wps'>"
           f"<w:drawing/></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent>"
           "</w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell cites</w:t></w:r>"
           "<w:r><w:footnoteReference w:id='6'/></w:r></w:p></w:tc></w:tr></w:tbl>"
           "<w:p><w:r><w:t>After.</w:t></w:r></w:p>")
    blocks = _extract_file(tmp_path, "b.docx", _with_footnotes(_docx_with_body_xml(xml), notes)).blocks
    assert [(b.text, b.heading_path, b.is_heading) for b in blocks] == [
        ("Intro", ("Intro",), True), ("Body.", ("Intro",), False), ("Sidebar", ("Intro",), False),
        ("Cell cites", ("Intro",), False), ("Cell note.", ("Intro",), False), ("After.", ("Intro",), False)]


def test_docx_lines_count_the_paragraphs_of_a_content_control_in_a_cell(tmp_path: Path):
    cell = "<w:tc><w:sdt><w:sdtContent><w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>b</w:t></w:r></w:p>" \
           "</w:sdtContent></w:sdt></w:tc>"
    xml = f"<w:tbl><w:tr>{cell}<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc></w:tr></w:tbl>" \
          "<w:p><w:r><w:t>after</w:t></w:r></w:p>"
    blocks = _extract_file(tmp_path, "cells.docx", _docx_with_body_xml(xml)).blocks
    assert [(b.text, b.line_start, b.line_end) for b in blocks] == [("a b\tx", 1, 3), ("after", 4, 4)]


def test_docx_reads_repeating_sections_cell_controls_and_custom_xml_and_merged_cells_once(tmp_path: Path):
    def cell(text: str, merge: str = "") -> str:
        return f"<w:tc><w:tcPr>{merge}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"

    repeating = "<w:sdt><w:sdtContent><w:tr>{}</w:tr><w:tr>{}</w:tr></w:sdtContent></w:sdt>".format(
        cell("Oslo", "<w:vMerge w:val='restart'/>") + cell("Jan"),
        "<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc>" + cell("Feb"))
    in_control = "<w:tr><w:sdt><w:sdtContent>" + cell("Bergen") + "</w:sdtContent></w:sdt>" + cell("Mar") + "</w:tr>"
    xml = (f"<w:tbl><w:tr>{cell('City')}{cell('Month')}</w:tr>{repeating}{in_control}</w:tbl>"
           "<w:customXml w:element='memo'><w:p><w:r><w:t>Tagged paragraph.</w:t></w:r></w:p></w:customXml>"
           "<w:p><w:r><w:t>After.</w:t></w:r></w:p>")
    blocks = _extract_file(tmp_path, "sections.docx", _docx_with_body_xml(xml)).blocks
    assert [(b.text, b.line_start, b.line_end) for b in blocks] == [
        ("City\tMonth", 1, 2), ("Oslo\tJan", 3, 4), ("Feb", 5, 6), ("Bergen\tMar", 7, 8),
        ("Tagged paragraph.", 9, 9), ("After.", 10, 10)]


def test_docx_symbols_and_equations_are_read_and_picture_glyphs_are_not(tmp_path: Path):
    def sym(font: str, char: str) -> str:
        return f"<w:r><w:sym w:font='{font}' w:char='{char}'/></w:r>"

    m = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    xml = ("<w:p><w:r><w:t xml:space='preserve'>Angle </w:t></w:r>" + sym("Symbol", "F061")
           + "<w:r><w:t xml:space='preserve'> </w:t></w:r>" + sym("Symbol", "F0B3") + sym("Symbol", "F032")
           + sym("Wingdings", "F0E0") + sym("Segoe UI Emoji", "1F600") + sym("Symbol", "zz") + "</w:p>"
           f"<w:p><m:oMathPara {m}><m:oMath><m:r><m:t>Margin=</m:t></m:r><m:f><m:num><m:r><m:t>Profit</m:t>"
           "</m:r></m:num><m:den><m:r><m:t>Revenue</m:t></m:r></m:den></m:f></m:oMath></m:oMathPara></w:p>")
    assert _texts(_extract_file(tmp_path, "sym.docx", _docx_with_body_xml(xml))) == [
        "Angle α ≥2\U0001F600", "Margin=Profit/Revenue"]


def test_non_zip_docx_is_refused(tmp_path: Path):
    with pytest.raises(IngestError, match=r"not a valid DOCX file \(not a zip archive\)"):
        _extract_file(tmp_path, "letter.docx", b"This is not a Word file at all.")


def test_zip_without_document_part_is_not_a_docx(tmp_path: Path):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(IngestError, match="it has no word/document.xml"):
        _extract_file(tmp_path, "letter.docx", out.getvalue())


def _bomb(path: Path, member: str, megabytes: int) -> None:
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open(member, "w", force_zip64=True) as f:
            for _ in range(megabytes):
                f.write(chunk)


def test_zip_bomb_named_docx_is_refused_before_expanding(tmp_path: Path):
    path = tmp_path / "bomb.docx"
    _bomb(path, "word/document.xml", 300)
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(IngestError) as info:
        extract(path, read_file(path, LIMITS), LIMITS)
    message = str(info.value)
    assert "expand to 300 MB" in message
    assert "limit of 200 MB (setting max_decompressed_mb)" in message
    assert "zip bomb" in message


def test_single_part_with_absurd_compression_ratio_is_refused(tmp_path: Path):
    path = tmp_path / "ratio.docx"
    _bomb(path, "word/document.xml", 20)
    with pytest.raises(IngestError, match=r"word/document\.xml would expand .* zip bomb"):
        extract(path, read_file(path, LIMITS), LIMITS)


def test_check_zip_respects_a_lowered_limit():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w/>" * 100_000)
    limits = Limits(max_decompressed_bytes=100_000)
    with pytest.raises(IngestError, match="more than the limit of"):
        check_zip(out.getvalue(), limits)
    assert "word/document.xml" in check_zip(out.getvalue(), LIMITS)


# --- reading files safely ------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_fifo_is_refused_without_blocking(tmp_path: Path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[Exception | bytes] = []
    worker = threading.Thread(target=lambda: outcome.append(_try_read(fifo)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "read_file blocked on a FIFO"
    assert isinstance(outcome[0], IngestError)
    assert "named pipe" in str(outcome[0])


def _try_read(path: Path) -> Exception | bytes:
    try:
        return read_file(path, LIMITS)
    except (IngestError, OSError) as exc:  # handed back to the test thread
        return exc


def test_symlink_loop_is_refused(tmp_path: Path):
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(IngestError, match="symbolic link that loops"):
        read_file(tmp_path / "a.txt", LIMITS)


def test_dangling_symlink_is_refused(tmp_path: Path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")
    with pytest.raises(IngestError, match="symbolic link whose target does not exist"):
        read_file(tmp_path / "gone.txt", LIMITS)


def test_symlink_to_a_regular_file_is_followed(tmp_path: Path):
    target = _write(tmp_path, "real.txt", b"real text")
    (tmp_path / "link.txt").symlink_to(target)
    assert read_file(tmp_path / "link.txt", LIMITS) == b"real text"


def test_missing_file_and_folder_are_refused(tmp_path: Path):
    with pytest.raises(IngestError, match="does not exist"):
        read_file(tmp_path / "nope.txt", LIMITS)
    with pytest.raises(IngestError, match="it is a folder"):
        read_file(tmp_path, LIMITS)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_character_device_is_refused():
    with pytest.raises(IngestError, match="character device"):
        read_file(Path("/dev/null"), LIMITS)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root reads files whatever their permissions")
def test_unreadable_file_is_refused_as_permission_denied(tmp_path: Path):
    path = _write(tmp_path, "secret.txt", b"x")
    path.chmod(0)
    with pytest.raises(IngestError, match="permission denied"):
        read_file(path, LIMITS)


def test_file_over_the_size_limit_is_refused_naming_the_setting(tmp_path: Path):
    path = _write(tmp_path, "big.txt", b"a\n" * 600_000)
    expected = r"1\.1 MB, larger than the limit of 1 MB \(setting max_file_mb\)"
    with pytest.raises(IngestError, match=expected):
        read_file(path, Limits(max_file_bytes=1024 * 1024))


def test_file_within_the_size_limit_is_read_whole(tmp_path: Path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    assert read_file(_write(tmp_path, "blob.txt", data), LIMITS) == data


# --- table formats -------------------------------------------------------------------------


def test_csv_and_tsv_are_tables_without_blocks(tmp_path: Path):
    csv = _extract_file(tmp_path, "d.csv", b"a,b\n1,2\n")
    tsv = _extract_file(tmp_path, "d.tsv", "name\tcity\nJosé\tMálaga\n".encode("cp1252"))
    assert (csv.format, csv.kind, csv.blocks) == ("csv", "table", [])
    assert (tsv.format, tsv.kind) == ("tsv", "table")


def test_binary_csv_is_refused(tmp_path: Path):
    with pytest.raises(IngestError, match="binary data"):
        _extract_file(tmp_path, "d.csv", b"PK\x03\x04\x00\x00binary\x00stuff")


def test_empty_csv_is_refused(tmp_path: Path):
    with pytest.raises(IngestError, match="it is empty"):
        _extract_file(tmp_path, "d.csv", b"")


def test_json_must_start_like_json(tmp_path: Path):
    ok = _extract_file(tmp_path, "d.json", b'  [{"a": 1}]')
    assert (ok.format, ok.kind) == ("json", "table")
    with pytest.raises(IngestError, match="does not look like JSON"):
        _extract_file(tmp_path, "e.json", b"hello world")


def test_real_xlsx_passes_and_fake_xlsx_is_refused(tmp_path: Path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["a", "b"])
    book.save(tmp_path / "real.xlsx")
    path = tmp_path / "real.xlsx"
    assert extract(path, read_file(path, LIMITS), LIMITS).kind == "table"
    with pytest.raises(IngestError, match=r"not a valid XLSX file \(not a zip archive\)"):
        _extract_file(tmp_path, "fake.xlsx", b"a,b\n1,2\n")


def test_xlsx_zip_bomb_is_refused(tmp_path: Path):
    path = tmp_path / "bomb.xlsx"
    _bomb(path, "xl/workbook.xml", 20)
    with pytest.raises(IngestError, match="zip bomb"):
        extract(path, read_file(path, LIMITS), LIMITS)


def test_real_parquet_passes_and_fake_parquet_is_refused(tmp_path: Path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "t.parquet"
    duckdb.connect().execute(f"COPY (SELECT 1 AS a, 'x' AS b) TO '{path}' (FORMAT parquet)")
    assert extract(path, read_file(path, LIMITS), LIMITS).kind == "table"
    with pytest.raises(IngestError, match="not a Parquet file"):
        _extract_file(tmp_path, "fake.parquet", b"PAR1 but cut short")


# --- HTML edge cases -----------------------------------------------------------------------


def test_html_with_unclosed_head_still_yields_body_text(tmp_path: Path):
    data = b"<html><head><title>T</title><meta charset=utf-8><p>Body text</p>"
    extracted = _extract_file(tmp_path, "h.html", data)
    assert extracted.title == "T"
    assert _texts(extracted) == ["Body text"]


def test_html_latin1_label_is_read_as_cp1252(tmp_path: Path):
    data = ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">'
            "<p>A \u2013 B \u2019s</p>").encode("cp1252")
    assert _texts(_extract_file(tmp_path, "l.html", data)) == ["A – B ’s"]


def test_html_keeps_main_content_and_drops_navigation() -> None:
    from engine.extract.html import extract_html

    page = (b"<html><head><title>T</title></head><body>"
            b"<div class='sphinxsidebar'><h3>Table of Contents</h3><p>Sidebar text</p></div>"
            b"<nav><p>Home | Next</p></nav>"
            b"<div role='main'><h1>Guide\xc2\xb6</h1><p>Real content here.</p></div>"
            b"<footer><p>Copyright</p></footer><p>After main</p></body></html>")
    texts = [b.text for b in extract_html(page, Limits()).blocks]
    assert texts == ["Guide", "Real content here."]


def test_html_tables_of_contents_by_class_part_form_options_and_drawings_are_dropped() -> None:
    from engine.extract.html import extract_html

    page = (b"<html><head><title>Write-Ahead Logging</title></head><body>"
            b"<form><select><option>Search Documentation</option><option>Search Changelog</option></select></form>"
            b"<div class='fancy_toc'><a>Table Of Contents</a>"
            b"<div class='fancy-toc1'><a href='#o'>1. Overview</a></div></div>"
            b"<h1><a class='toc-backref' href='#t'>1. Overview</a></h1><p>WAL is faster.</p>"
            b"<svg viewBox='0 0 9 9'><text>SELECT</text><text>DISTINCT</text></svg>"
            b"<div class='dinner-menu'><p>Soup of the day.</p></div></body></html>")
    extracted = extract_html(page, Limits())
    assert [(b.text, b.heading_path) for b in extracted.blocks] == [  # an inline toc-backref is the heading
        ("1. Overview", ("1. Overview",)), ("WAL is faster.", ("1. Overview",)),
        ("Soup of the day.", ("1. Overview",))]  # a "dinner-menu" is content
    assert extracted.title == "Write-Ahead Logging"


def test_html_layout_wrappers_named_after_navigation_keep_their_content() -> None:
    from engine.extract.html import extract_html

    pages = [  # Read the Docs, a saved GitHub page, WordPress, a layout class, tabs
        b"<div class='wy-grid-for-nav'><section class='wy-nav-content-wrap'><div class='wy-nav-content'>"
        b"<div role='main' class='document'><h1>Install</h1><p>Run pip install proj.</p></div></div></section></div>",
        b"<div class='Layout Layout--sidebar-narrow'><div class='Layout-main'><h1>Install</h1>"
        b"<p>Run pip install proj.</p></div></div>",
        b"<div class='content-sidebar-wrap'><main><h1>Install</h1><p>Run pip install proj.</p></main>"
        b"<aside class='sidebar'>Recent posts</aside></div>",
        b"<div class='container has-sidebar'><h1>Install</h1><p>Run pip install proj.</p></div>",
        b"<div class='nav-tabs-custom'><h1>Install</h1><div class='tab-content'><p>Run pip install proj.</p>"
        b"</div></div>",
    ]
    for page in pages:
        assert [b.text for b in extract_html(page, Limits()).blocks] == ["Install", "Run pip install proj."], page


def test_html_definition_terms_become_sub_headings() -> None:
    from engine.extract.html import extract_html

    page = (b"<h1>Functions</h1><dl><dt>round(x)</dt><dd><p>Rounds half to even.</p></dd>"
            b"<dt>abs(x)</dt><dd><p>Absolute value.</p></dd></dl><p>Closing words.</p>")
    blocks = [b for b in extract_html(page, Limits()).blocks if not b.is_heading]
    paths = {b.text: b.heading_path for b in blocks}
    assert paths["Rounds half to even."] == ("Functions", "round(x)")
    assert paths["Absolute value."] == ("Functions", "abs(x)")
    assert paths["Closing words."] == ("Functions",)


def test_html_footnotes_in_aside_are_kept() -> None:
    from engine.extract.html import extract_html

    page = b"<main><p>Body.</p><aside class='footnote' role='note'><p>Open with newline=''.</p></aside></main>"
    assert [b.text for b in extract_html(page, Limits()).blocks] == ["Body.", "Open with newline=''."]


def test_pdf_headings_are_told_by_type_size_and_nest_across_pages(tmp_path: Path):
    pdf = make_pdf(["# Field Manual\nIntro text for everyone.\n## Engines\nOil the engine monthly.\nCheck belts too.",
                    "More engine care here.\n## Tyres\nPressure weekly.", "# Appendix\nNotes."])
    extracted = _extract_file(tmp_path, "manual.pdf", pdf)
    assert extracted.title == "Field Manual"  # no metadata title: the first heading
    assert [(b.text, b.page, b.heading_path, b.is_heading) for b in extracted.blocks] == [
        ("Field Manual", 1, ("Field Manual",), True),
        ("Intro text for everyone.", 1, ("Field Manual",), False),
        ("Engines", 1, ("Field Manual", "Engines"), True),
        ("Oil the engine monthly.\nCheck belts too.", 1, ("Field Manual", "Engines"), False),
        ("More engine care here.", 2, ("Field Manual", "Engines"), False),  # the heading carries over
        ("Tyres", 2, ("Field Manual", "Tyres"), True),
        ("Pressure weekly.", 2, ("Field Manual", "Tyres"), False),
        ("Appendix", 3, ("Appendix",), True),
        ("Notes.", 3, ("Appendix",), False),
    ]
    lines = [(b.line_start, b.line_end) for b in extracted.blocks if b.page == 1]
    assert lines == [(1, 1), (2, 2), (3, 3), (4, 5)]


def test_a_pdf_heading_set_right_after_a_paragraph_is_its_own_heading(tmp_path: Path, qapp):
    """Qt's PDF writer sets a heading so that PDFium reads it onto the paragraph before it
    ("… the 2025 calendar year. 1. Charges"): it is a heading still, and its section's path."""
    pdf = qt_pdf("<h1>Hire Agreement</h1><p>Between the Trust and the Hirer for the 2025 calendar year.</p>"
                 "<h2>1. Charges</h2><p>The hire fee is £650 for each performance day.</p>"
                 "<h2>2. Insurance</h2><p>The Hirer must hold public liability insurance of £5 million.</p>")
    blocks = _extract_file(tmp_path, "agreement.pdf", pdf).blocks
    assert [b.text for b in blocks if b.is_heading] == ["Hire Agreement", "1. Charges", "2. Insurance"]
    body = next(b for b in blocks if "calendar year" in b.text)
    assert body.text.endswith("2025 calendar year.")
    cover = next(b for b in blocks if "liability" in b.text)
    assert cover.heading_path == ("Hire Agreement", "2. Insurance") and cover.page == 1


def test_a_pdf_tables_cells_are_tab_separated_and_its_prose_is_not(tmp_path: Path, qapp):
    """PDFium joins a table row's cells with one space, as it joins words ("Contents £50,000 £350"):
    a gap many times wider than a word space is a tab, so the row's cells can be read apart."""
    pdf = qt_pdf("<h1>Policy schedule</h1><p>Your cover runs from 14 March 2025 to 13 March 2026 and renews "
                 "each year unless you tell us otherwise.</p>"
                 "<table cellpadding='6'><tr><th>Section</th><th>Sum insured</th><th>Excess</th></tr>"
                 "<tr><td>Buildings</td><td>£400,000</td><td>£350</td></tr>"
                 "<tr><td>Contents</td><td>£50,000</td><td>£350</td></tr></table>")
    text = "\n".join(b.text for b in _extract_file(tmp_path, "schedule.pdf", pdf).blocks)
    assert "Section\tSum insured\tExcess\nBuildings\t£400,000\t£350\nContents\t£50,000\t£350" in text
    assert "Your cover runs from 14 March 2025" in text and text.count("\t") == 6


def test_pdf_line_sizes_hold_where_the_page_has_characters_its_text_leaves_out(monkeypatch: pytest.MonkeyPatch):
    from types import SimpleNamespace

    from engine.extract import pdf

    codes = [ord("T"), 0, ord("o"), ord("p"), 13, 10, ord("b"), ord("o"), ord("d"), ord("y")]  # 0: no text
    heights = [20, 20, 20, 20, 0, 0, 10, 10, 30, 10]  # one letter of the body in a taller font
    page = SimpleNamespace(count_chars=lambda: len(codes),
                           get_charbox=lambda k, loose: (0.0, 0.0, 5.0, float(heights[k])))
    monkeypatch.setattr(pdf, "pdfium_c", SimpleNamespace(FPDFText_GetUnicode=lambda _page, k: codes[k]))
    raw = "Top\r\nbody"  # pdfium's text: one character shorter than the page (it was [] before)
    assert pdf._char_indexes(page, raw) == [0, 2, 3, 4, 5, 6, 7, 8, 9]
    assert pdf._line_sizes(page, raw) == [20.0, 10.0]  # the median, not one odd letter


def test_pdf_file_name_titles_and_bare_addresses_give_way_to_headings(tmp_path: Path):
    pages = ["# https://example.org/floats\n# An Improved Environment for Floats \u2020\n## anselm@example.org\n"
             "The body text of the paper, long enough to set the body size.\nMore body text follows here."]
    for junk in ("float.dvi", "Microsoft Word - plan B.docx", "Untitled", "Untitled-1", "Untitled document",
                 "Annual report 2023.pdf", ""):
        extracted = _extract_file(tmp_path, "float.pdf", make_pdf(pages, title=junk))
        assert extracted.title == "An Improved Environment for Floats", junk
    assert [b.text for b in extracted.blocks if b.is_heading] == ["An Improved Environment for Floats"]
    assert "https://example.org/floats" in extracted.blocks[0].text  # kept as text
    assert _extract_file(tmp_path, "float.pdf", make_pdf(pages, title="Floats, improved")).title == "Floats, improved"


def test_pdf_numbered_sections_stay_under_their_parent_after_large_example_text(tmp_path: Path):
    body = "\n".join(f"Body line {k} of the manual, set at the ordinary size of the text." for k in range(8))
    pdf = make_pdf([f"# 2 Options\n{body}\n## 2.1 Formatting\n{body}",
                    f"# Even larger size\n{body}\n## 2.4 Margins\n{body}\n# 3 Commands\n{body}"])
    paths = [b.heading_path for b in _extract_file(tmp_path, "manual.pdf", pdf).blocks if b.is_heading]
    assert paths == [("2 Options",), ("2 Options", "2.1 Formatting"), ("Even larger size",),
                     ("2 Options", "2.4 Margins"), ("3 Commands",)]


def test_pdf_of_one_type_size_has_no_headings(tmp_path: Path):
    extracted = _extract_file(tmp_path, "plain.pdf", make_pdf(["Alpha report\nFirst page body text."]))
    assert not any(b.is_heading for b in extracted.blocks) and extracted.title is None


def test_pdf_running_headers_and_large_paragraphs_are_not_headings(tmp_path: Path):
    lede = "\n".join(f"## This opening paragraph is set in large type, line {n}." for n in range(1, 5))
    pdf = make_pdf(["## ACME Annual Report\n# Finances\nRevenue grew.\nCosts fell.",
                    "## ACME Annual Report\n" + lede + "\nBody again.",
                    "## ACME Annual Report 2026\nLast words."])
    extracted = _extract_file(tmp_path, "report.pdf", pdf)
    assert extracted.title == "Finances"
    assert [b.text for b in extracted.blocks if b.is_heading] == ["Finances"]
    body = " ".join(b.text for b in extracted.blocks if not b.is_heading)
    assert "ACME Annual Report" in body and "line 4." in body  # kept as text, not lost
    chapters = make_pdf([f"# Chapter {n}\nText of chapter {n}.\nMore text." for n in range(1, 4)] + ["Index page."] * 4)
    headings = [b.text for b in _extract_file(tmp_path, "book.pdf", chapters).blocks if b.is_heading]
    assert headings == ["Chapter 1", "Chapter 2", "Chapter 3"]  # numbered like a footer, yet headings
def test_pdf_body_sized_running_headers_footers_and_page_numbers_leave_the_text(tmp_path: Path):
    def page(n: int, last: str = "") -> str:
        body = [f"{'abcd'[n - 1]}{k}: a line about the survey of {'ABCD'[n - 1]}, in ordinary prose" for k in range(10)]
        return "\n".join(["Field Report, spring survey", *body, *([last] if last else []), str(n)])

    pdf = make_pdf([page(1, "120 135 150"), page(2), page(3), page(4)])  # a table row above a page number
    blocks = _extract_file(tmp_path, "report.pdf", pdf).blocks
    text = "\n".join(b.text for b in blocks)
    assert text.count("Field Report, spring survey") == 1  # its first showing stays
    assert "\n120 135 150" in text and not any(b.text.endswith(("\n2", "\n3", "\n4")) for b in blocks)
    assert [(b.line_start, b.line_end) for b in blocks if b.page == 2] == [(2, 9), (10, 11)]  # grouped as before
    short = make_pdf([f"Question {n}\nExplain thing {n}.\nWrite below." for n in range(1, 5)])
    assert len(_extract_file(tmp_path, "quiz.pdf", short).blocks) == 4  # short pages keep every line
    assert "Question 3" in _extract_file(tmp_path, "quiz.pdf", short).blocks[2].text




def test_html_table_rows_are_one_paragraph_each_and_layout_tables_keep_their_paragraphs() -> None:
    from engine.extract.html import extract_html

    page = (b"<h1>Boats</h1><table><tr><th>Boat</th><th>Seats</th><th>Notes</th></tr>\n"
            b"<tr><td>Heron</td><td>4</td><td></td></tr>\n<tr><td>Kingfisher<td>1<td>new <b>rigger</b></tr>\n"
            b"</table><table><tr><td><h2>News</h2><p>The regatta is on 3 May.</p></td><td>Sidebar</td></tr></table>"
            b"<table><tr><td><pre>x = 1</pre></td><td>code</td></tr><tr><td>Only one cell</td></tr></table>")
    blocks = [(b.text, b.line_start, b.line_end) for b in extract_html(page, Limits()).blocks if not b.is_heading]
    assert blocks[:3] == [("Boat\tSeats\tNotes", 1, 1), ("Heron\t4\t", 2, 2), ("Kingfisher\t1\tnew rigger", 3, 3)]
    assert [text for text, _, _ in blocks[3:]] == ["The regatta is on 3 May.", "Sidebar", "x = 1", "code",
                                                   "Only one cell"]


def test_html_menus_named_by_id_are_dropped_as_class_named_ones_are() -> None:
    from engine.extract.html import extract_html

    page = (b"<div id='page'><div id='navigation'><ul><li>Spaces</li><li>People</li></ul></div>"
            b"<ol id='breadcrumbs'><li>Home</li><li>HR</li></ol><div id='main-content'><h1>Leave</h1>"
            b"<p>Staff get 28 days of paid leave.</p></div><div id='page-sidebar'><p>Recent pages</p></div></div>")
    assert [b.text for b in extract_html(page, Limits()).blocks] == ["Leave", "Staff get 28 days of paid leave."]


def _mail(body_part: str, extra: str = "") -> bytes:
    return ("From: Blacknight <noreply@blacknight.com>\r\nTo: niamh@larkfielddigital.ie\r\n"
            "Date: Sat, 14 Sep 2024 06:00:00 +0000\r\n"
            "Subject: =?utf-8?q?Your_domain_expires_in_30_days_=E2=80=93_renew?=\r\n"
            "MIME-Version: 1.0\r\n" + body_part + extra).encode("latin-1")


def test_a_saved_e_mail_is_read_as_its_header_and_decoded_body(tmp_path: Path):
    """A .eml's quoted-printable body is decoded, its encoded subject read; the header a reader
    sees opens the text, and the subject is the title."""
    data = _mail("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                 "Hello Niamh,\r\n\r\nYour domain larkfielddigital.ie will expire on 14/10/2024. "
                 "Renewal costs =E2=82=AC24=\r\n"
                 ".99 excl. VAT.\r\n")
    extracted = _extract_file(tmp_path, "reminder.eml", data)
    assert extracted.format == "email" and extracted.title == "Your domain expires in 30 days – renew"
    texts = _texts(extracted)
    assert texts[0] == ("From: Blacknight <noreply@blacknight.com>\nTo: niamh@larkfielddigital.ie\n"
                        "Date: Sat, 14 Sep 2024 06:00:00 +0000\nSubject: Your domain expires in 30 days – renew")
    assert "will expire on 14/10/2024. Renewal costs €24.99 excl. VAT." in texts[-1]


def test_every_block_of_an_e_mail_says_who_sent_it_and_its_subject(tmp_path: Path):
    """A long message is cut into several passages: each one's heading says whose words it holds
    ("I'm putting my rate up" in its second passage is still the sender's)."""
    data = _mail("Content-Type: text/plain; charset=utf-8\r\n\r\nHi Niamh,\r\n\r\n"
                 + "Lots of news this week.\r\n\r\n" * 40 + "I'm putting my rate up to 200.\r\n")
    blocks = _extract_file(tmp_path, "news.eml", data).blocks
    assert {b.heading_path[:1] for b in blocks} == {("From Blacknight: Your domain expires in 30 days – renew",)}


def test_an_html_e_mail_with_an_attachment_reads_the_page_and_says_what_was_left_out(tmp_path: Path):
    data = _mail('Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n'
                 "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><h1>Invoice paid</h1>"
                 "<p>We received <b>EUR 3,920</b> on 19 August.</p></body></html>\r\n--b1\r\n"
                 'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="inv.pdf"\r\n'
                 "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b1--\r\n")
    extracted = _extract_file(tmp_path, "paid.eml", data)
    assert "We received EUR 3,920 on 19 August." in _texts(extracted)
    assert extracted.partial == "1 attachment(s) not read"


def test_a_file_named_eml_that_is_no_message_fails_with_a_reason(tmp_path: Path):
    with pytest.raises(IngestError, match="not an e-mail message"):
        _extract_file(tmp_path, "notes.eml", b"just some words\nand more words\n")
