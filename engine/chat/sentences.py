"""Sentences inside a passage, with their character spans and their own line numbers.

A passage (chunk) is its extractor's paragraphs joined by a blank line, each paragraph
verbatim. A sentence never crosses a paragraph break, so every span returned here cuts
a verbatim piece of the file's extracted text: quoting it never rewrites the file.

Besides prose, the short facts of notes are quotable: a "Label: value" line and a short
sentence that hold a number or a name ("Serves 6.", "Booking reference: K7QXM2."), each
line of a list written one item a line, and each row of a Markdown table (quoted as its
line, read with its header's column names). Code, markup and headings stay out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

MIN_CHARS = 20
MAX_CHARS = 480
_PARA_BREAK = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? (optionally closed by a quote or bracket) followed by space and a
# capital, digit, quote or bracket (in a comment, maybe after the next line's "# "); a lone
# wrapped line break inside a paragraph is not an end.
_END = re.compile(r"[.!?][\"')\]]*(\s+)(?=(?:(?:#+|//+)[ \t]+)?[\"'(\[`*]?[A-Z0-9])")
TITLE_CHARS = 40
# A note's sentence ends its line though the next opens in lower case ("… by bank transfer." /
# "renewal: licence year runs …"): a word's full stop at a line's end is no wrapped line's.
_END_OF_LINE = re.compile(r"[^\W\d_]{2}[.!?][\"')\]]*([ \t]*\n[ \t]*)(?=[a-z])")
# Abbreviations a sentence does not end at ("Dr. Kelly", "St. Brigid's school", "Mt. Fuji").
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|Mr|Mrs|Ms|Mx|Dr|Prof|Rev|Sr|Jr|St|Mt|No|Fig|approx|resp)\.|"
                     r"\b[A-Z]\.)$")
# "Policy no. WG-2231-8845", "Tel. 030 1234": a number's abbreviation, when a number or code follows
# ("The answer is no. Then…" still ends)
_NUMBER_ABBREV = re.compile(r"\b(?:no|nr|tel|ref|ph|acc)\.$", re.IGNORECASE)
_CODE_AFTER = re.compile(r"[#\w/-]*\d")
# What opens a line before its sentence: list markers (followed by a space: "**Vet:** Dr. Vogel"
# keeps its bold), quote marks, heading hashes.
_LEAD = re.compile(r"(?:\s|[-*+•](?=\s)|>|\d{1,3}[.)](?=\s)|#+(?=\s))+")
# A list item starts a sentence of its own ("- Backups run nightly." / "2) Restore ...").
_ITEM = re.compile(r"\n[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+(?=\S)")
# So does a line of a comment that is an item or a label's entry ("# 2. Retry once", "# args: the arguments").
_COMMENT_ITEM = re.compile(r"\n(?=[ \t]*(?:#+|//+)[ \t]+(?:[-*+•]|\d{1,3}[.)]|[\w.-]{1,30}:)[ \t])")
# A line that opens with a date is an entry of a log: "...door alarm for fridge 2. AK" ends before it
# (a day and a month of 31 at most: a bank's sort code "30-94-57" opens no entry)
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATED_LINE = re.compile(rf"\n[ \t]*(?=\[?(?:19|20)\d\d-\d\d-\d\d(?:\b|T\d)|{_DAY}[./-]{_DAY}[./-](?:19|20)?\d\d\b)")
_LETTERS = re.compile(r"[^\W\d_]")
# Code is not quoted: an extractor keeps its layout, which a passage may re-flow.
_CODE_CHARS = re.compile(r"[()\[\]{}=<>_*#|\\/\"'`]")
_CODE_START = re.compile(r"(?m)^\s*(?:>>>|\.\.\.\s|def\s|class\s|import\s|from\s+\w+\s+import|\$\s"
                         r"|(?:pass|return|break|continue|try:|else:|finally:)\s*$)")  # a statement alone on a line
_WORD_START = re.compile(r"\s*(?:def|class|import)\s")  # of those, a start a line of prose may have too
CODE_SHARE = 0.08
# Quotes and brackets that prose puts around words ('The small room ("Buoy") seats four.') and an
# apostrophe inside a word ("doesn't") are left out before the code share is taken; a call's
# brackets ("f(x)") and a string of code characters ('"x=1"') are kept.
_WORDS_IN = r"([^\W_](?:[^\W_]|[ .,;:!?&%’+–-])*)"
_PROSE_MARKS = [(re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])"), ""),
                (re.compile(rf"(?<![^\s(])\"{_WORDS_IN}\"(?!\w)"), r"\1"),
                (re.compile(rf"(?<![^\s(])'{_WORDS_IN}'(?!\w)"), r"\1"),
                (re.compile(rf"(?<![^\s\"'])\({_WORDS_IN}\)(?![\w(])"), r"\1")]
# What notes write that looks like code and is not: a slash between digits (a date "30/11/2024", "24/7"),
# an arrow between words ("ROS extension -> 14/11"), an apostrophe inside a word ("Maeve's").
_NOTE_MARKS = [(re.compile(r"(?<=\d)/(?=\d)"), "-"), (re.compile(r"(?<=\S) -{1,2}> (?=\S)"), " to "),
               (re.compile(r"(?<=[^\W\d_])['’](?=[^\W\d_])"), "")]
_PROSE_END = re.compile(r"[^\W\d_][\"'’)\]]*[.!?][\"'’)\]]*\s*$")  # "… seats four." / "… (by the window)."
# What a line of code has and a wrapped line of prose has not: an operator, a bracket, a call, a
# condition in brackets, a block's opening or a statement's end after a string or call, a docstring's
# edge ("x = 1", "if (ready) {", "for (const e of list)", "for item in items:", "'text';").
_CODE_MARKS = re.compile(r"[=<>{}\[\]\\|`$]|\w\(|\s[+*/%]{1,2}\s|^[ \t]*(?:for|if|while|switch|catch)(?:[ \t]+await)?"
                         r"[ \t]*\(|[:{}\\][ \t]*$|[\"')][ \t]*;[ \t]*$|\"\"\"|\'\'\'")
# A sentence that ends in a line, at its end or before the next sentence ("… a fob.", "… for staging. It")
_ENDS_SENTENCE = re.compile(r"[^\W\d_]{2}[.!?][\"')\]]*(?:[ \t]+[\"'(]?[A-Z]|[ \t]*$)")
PROSE_LINE_WORDS = 5
# Source code with comments or docstrings in it, and a line of it that is code or a comment's edge.
_MIXED = re.compile(r'(?m)"""|\'\'\'|^\s*(?:#|//|/\*|\*/|def\s|class\s|return\b|function\b|import\s)')
_CODE_LINE = re.compile(r'[ \t]*(?:"""|\'\'\'|#|//|/\*|\*/|>>>|@\w|def\s|class\s|return\b|raise\s|import\s'
                        r'|from\s+\S+\s+import\b|(?:for|while|if|elif|else|try|except|with|function|const|let|var)\b'
                        r'|.*(?:[{};]|"""|\'\'\')[ \t]*$)')
_COMMENT_LINE = re.compile(r'[ \t]*(?:"""|\'\'\'|#|//|/\*)')
_COMMENT_OPEN = re.compile(r'(?:"""|\'\'\'|/\*+|//+)[ \t]*')
_COMMENT_CLOSE = re.compile(r'[ \t]*(?:"""|\'\'\'|\*/)$')
# Markdown that prose uses, left out before the code share is taken: emphasis markers, a code
# span (counted as one word), a link's target. "The **oven** is cleaned on Fridays." is prose.
_MARKUP = [(re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?!\w)"), r"\2"),
           (re.compile(r"(`+)[^`]+?\1"), "code"),
           (re.compile(r"\[([^\]\n]+)\](?:\([^)\s]*\)|\[[^\]\n]*\])"), r"\1")]


@dataclass(frozen=True)
class Sentence:
    start: int  # character offsets into the passage text
    end: int
    text: str  # the quote: passage[start:end]
    gist: str = ""  # what it says when the quote alone does not: a table row with its column names
    kind: str = "prose"  # "prose", "fact" (a short fact or label line), "row" (a table row) or "setting"
    shown: str = ""  # how an answer shows it when not as the quote ("Date: 2026-03-02, Cost: 180 EUR")

    @property
    def meaning(self) -> str:
        """The text to embed and match words against: the gist, else the quote."""
        return self.gist or self.text

    @property
    def display(self) -> str:
        """The text an answer shows (its citation always quotes ``text``)."""
        return self.shown or self.text


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph in a passage (pieces between blank lines)."""
    spans, start = [], 0
    for m in _PARA_BREAK.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _numbered(text: str, a: int, end: re.Match[str]) -> bool:
    """Whether a sentence end is a number's abbreviation before the number ("no. WG-2231")."""
    before = _NUMBER_ABBREV.search(text, max(a, end.start(1) - 4), end.start(1))
    return bool(before and _CODE_AFTER.match(text, end.end(1)))


def _sentence_spans(text: str, a: int, b: int) -> list[tuple[int, int]]:
    cuts = [(m.start(1), m.end(1)) for m in _END.finditer(text, a, b)
            if not _ABBREV.search(text, max(a, m.start(1) - 8), m.start(1)) and not _numbered(text, a, m)]
    cuts += [(m.start(1), m.end(1)) for m in _END_OF_LINE.finditer(text, a, b)
             if not _ABBREV.search(text, max(a, m.start(1) - 8), m.start(1))]
    cuts += _title_lines(text, a, b)
    cuts += [(m.start(), m.start() + 1) for m in _ITEM.finditer(text, a, b)]
    cuts += [(m.start(), m.start() + 1) for m in _COMMENT_ITEM.finditer(text, a, b)]
    cuts += [(m.start(), m.start() + 1) for m in _DATED_LINE.finditer(text, a, b)]
    out, start = [], a
    for cut, resume in sorted(cuts):
        if cut > start:
            out.append((start, cut))
            start = resume
    out.append((start, b))
    return out


_COMMENT_MARKS = re.compile(r"[ \t]*(?:#+|//+)[ \t]+")


def _opens_capital(text: str, pos: int) -> bool:
    """Whether the line at ``pos`` opens with a capital ("Finance"; in a comment, after its "# ")."""
    marks = _COMMENT_MARKS.match(text, pos)
    at = marks.end() if marks else pos
    return text[at:at + 1].isupper()


# A numbered heading a PDF's text ends a line with, after the paragraph before it: "… is present. 1. Who to contact"
_NUMBERED_TAIL = re.compile(r"[.!?][\"')\]]*[ \t]+\d{1,2}(?:\.\d{1,2})*\.?[ \t]+[A-Z][^.!?:;\n]{0,60}$")


def _title_lines(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Breaks after a short line with no end punctuation followed by a capital: a title ("Finance"),
    or a numbered heading at the end of a line ("… present. 1. Who to contact")."""
    out, start = [], a
    while (nl := text.find("\n", start, b)) >= 0:
        line = text[start:nl].rstrip()
        short = 0 < len(line.strip()) <= TITLE_CHARS or bool(_NUMBERED_TAIL.search(line))
        if short and line[-1] not in ".!?:;,-" and _opens_capital(text, nl + 1):
            out.append((start + len(line), nl + 1))
        start = nl + 1
    return out


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop list markers and spaces at the start and spaces at the end."""
    lead = _LEAD.match(text, a, b)
    if lead:
        a = lead.end()
    while b > a and text[b - 1].isspace():
        b -= 1
    if opened := _COMMENT_OPEN.match(text, a, b):  # a docstring's or comment's marks are not words
        a = opened.end()
    if closed := _COMMENT_CLOSE.search(text, a, b):
        b = closed.start()
    return a, b


def _is_prose(piece: str) -> bool:
    """Enough letters and words to be worth quoting (not code, tables or rules)."""
    letters = len(_LETTERS.findall(piece))
    if _code_start(piece) or _code_share(piece) > CODE_SHARE:
        return False
    return letters >= 0.55 * len(piece) - piece.count(" ") and len(piece.split()) >= 4


def _code_share(piece: str) -> float:
    """The share of characters that code has and prose has not (Markdown that prose uses aside,
    and in a sentence that ends as prose does, quotes and brackets around words: 'The small room
    ("Buoy") seats four.' has none; '"tidewell": "tec-prod",' has them)."""
    plain = _as_notes(piece)
    for pattern, words in _MARKUP + (_PROSE_MARKS if _PROSE_END.search(piece) else []):
        plain = pattern.sub(words, plain)
    return len(_CODE_CHARS.findall(plain)) / max(1, len(plain))


def _as_notes(piece: str) -> str:
    """``piece`` without what notes write that looks like code and is not (``_NOTE_MARKS``)."""
    for pattern, words in _NOTE_MARKS:
        piece = pattern.sub(words, piece)
    return piece


def _code_start(piece: str) -> bool:
    """Whether a line of ``piece`` opens as code does and is code: "import os", not the wrapped
    line "import the team calendar into your own on day one," of a paragraph."""
    return any(_CODE_START.match(line) and (not _WORD_START.match(line) or _code_shaped(line))
               for line in piece.split("\n"))


def _code_shaped(line: str, code: bool = False) -> bool:
    """Whether a line that opens or ends as code does ("return", "import", "if", "...;") is code,
    not a wrapped line of prose: "return x", "import os" and "if (ready) {" are, "return the access
    form signed; the landlord takes three working days to activate a fob." is not. In ``code`` (a
    source file, a fenced block) a line of words is prose only where a sentence ends in it
    ("return a if b else c" is code there)."""
    words = line.split()
    if len(words) < 2 or _CODE_MARKS.search(line) or _code_share(line) > CODE_SHARE:
        return True
    return not _ENDS_SENTENCE.search(line) and (code or len(words) < PROSE_LINE_WORDS)


_LONG_CUT = re.compile(r"(?<=[;:])\s+|[ \t]*\n(?=[ \t]*(?:#+|//+)[ \t])")


def _cut_long(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """A sentence longer than MAX_CHARS cut at semicolons or colons, or where a comment's next line
    starts (dropped if it cannot be)."""
    if b - a <= MAX_CHARS:
        return [(a, b)]
    out, start = [], a
    for m in _LONG_CUT.finditer(text[a:b]):
        if a + m.start() - start >= MIN_CHARS:
            out.append((start, a + m.start()))
            start = a + m.end()
    out.append((start, b))
    return [(s, e) for s, e in out if e - s <= MAX_CHARS]


def _prose_runs(text: str, a: int, b: int, code: bool = False) -> list[tuple[int, int]]:
    """A paragraph where code and its comments or docstrings meet, cut around each line of code
    (and each line that opens or closes a comment), so the prose in it can be quoted alone;
    any other paragraph whole. In ``code`` the lines of one comment make one run ("# Halvorsen is
    not here on purpose: ..." / "# and we deploy there through ..."), and a comment after code on
    its line is a run of its own ("run: pytest --cov  # coverage must stay at 80% or above")."""
    lines = _lines(text, a, b)
    if not _MIXED.search(text, a, b) and not (code and any(_after_code(text, x, y) is not None for x, y in lines)):
        return [(a, b)]
    out: list[tuple[int, int]] = []
    start, prev = a, ""
    for x, y in lines:
        cut = _line_cut(text, x, y, code)
        if cut is None:
            prev = ""
            continue
        marker = _line_comment(text, x, y) if code and cut == x else ""
        if marker and marker == prev:  # the next line of the same comment
            out[-1] = (out[-1][0], y)
        else:
            out += [(start, x), (cut, y)]
        prev, start = marker, y + 1
    out.append((start, b))
    return [(x, y) for x, y in out if text[x:y].strip()]


def _line_cut(text: str, x: int, y: int, code: bool) -> int | None:
    """Where the line ``text[x:y]`` leaves the prose around it: at its start if it is a comment,
    at its comment after code ("x = 1  # one"), at its end if it is code ("import os") or, in
    ``code``, a fence ("```sh"); None for a line of prose, even one that opens as code does
    ("return the access form signed; ...")."""
    if _COMMENT_LINE.match(text, x, y):
        return x
    if code and (after := _after_code(text, x, y)) is not None:
        return after
    if code and _FENCE.match(text, x, y):
        return y
    return y if _CODE_LINE.match(text, x, y) and _code_shaped(text[x:y], code) else None


_LINE_COMMENT = re.compile(r"[ \t]*(?:#+|//+)[ \t]+(?=\S)")
_FENCE = re.compile(r"[ \t]*(?:```|~~~)")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'')
_AFTER_CODE = re.compile(r"(?<=\S)[ \t]+((?:#|//)[ \t]+\S)")
# A comment's lines joined: the marks that open each next line ("\n    # ") are not its words.
_NEXT_COMMENT_LINE = re.compile(r"[ \t]*\n[ \t]*(?:#+|//+)[ \t]*")


def _line_comment(text: str, x: int, y: int) -> str:
    """The mark, with the spaces around it, of a comment with words that fills the line
    ``text[x:y]`` ("    # "), or "" ("#!/usr/bin/env python3", "# ----" and "#" have none). The
    lines of one comment have the same ("#   indented" under "# Prints:" is not its text)."""
    found = _LINE_COMMENT.match(text, x, y)
    return found[0] if found and _WORD.search(text, found.end(), y) else ""


def _after_code(text: str, x: int, y: int) -> int | None:
    """Where a comment after code on the line ``text[x:y]`` starts, or None: the "#" of
    'run: pytest  # coverage must stay at 80%'; a "#" inside a string ('"see #3  # not"') opens none."""
    line = _STRING.sub(lambda m: "_" * len(m[0]), text[x:y])
    found = _AFTER_CODE.search(line)
    return x + found.start(1) if found else None


_STANDS_ALONE = re.compile(r"[ \t]*(?:\n[ \t]*\n|$)")


# A line that opens by shouting a label: "POST-INCIDENT REVIEW: Brightwater booking outage"
_SHOUTED = re.compile(r"[^a-z:\n]*[A-Z]{2}[^a-z:\n]*:[ \t]")


def is_title(text: str, s: Sentence) -> bool:
    """``s`` is the first line of ``text`` standing alone, or shouting a label before a colon
    ("POST-INCIDENT REVIEW: Brightwater booking outage"), with no end punctuation: when the
    passage opens its file, the file's title ("Pepper - vet records"), which names what the
    file is about and answers nothing."""
    shouted = bool(_SHOUTED.match(s.text)) and _ends_line(text, s.end)
    return ((s.kind == "prose" or shouted) and not text[:s.start].strip() and "\n" not in s.text
            and s.text[-1] not in ".!?" and (shouted or bool(_STANDS_ALONE.match(text, s.end))))


def split_sentences(text: str, limit: int | None = None, notes: bool = True, settings: str | None = None
                    ) -> list[Sentence]:
    """The quotable sentences of a passage, in reading order; with ``limit``, at most that
    many prose sentences and that many facts and rows (the first ones), so facts never push
    out the prose a passage would have offered without them. Without ``notes`` (source code:
    its comments' short lines are fragments, not facts) only prose, as a paragraph has it, and
    with ``settings`` ("config" or "code", see ``setting_lines``) the lines that set a value."""
    out: list[Sentence] = []
    if settings:
        out += setting_lines(text, settings)
    spans = paragraph_spans(text)
    tabbed = _tab_rows(text, spans) if notes else {}
    plain = text.replace("\t", " ")  # outside a table's rows a tab is a space (a PDF's wide gap: "1<tab>Introduction")
    for pa, pb in spans:
        if pa in tabbed:  # a row of a table whose cells are tab-separated (a DOCX table's row)
            if (row := tabbed[pa]) is not None:
                out.append(row)
            continue
        fenced = not notes or text[pa:pb].lstrip().startswith(("```", "~~~"))  # code, kept as it was
        rows, rest = ([], [(pa, pb)]) if fenced else _tab_lines(text, *_table_rows(plain, pa, pb))
        entries, rest = ([], rest) if fenced else _log_entries(plain, rest)
        labelled, rest = ([], rest) if fenced else _tab_labels(text, rest)
        out += [_quoted(x, text) for x in rows + entries + labelled]
        read = text if fenced else plain
        for ra, rb in (run for span in rest for run in _prose_runs(read, *span, code=fenced)):
            out += [_quoted(s, text) for s in _run_sentences(read, ra, rb, fenced)]
    if settings:  # a setting's line is quoted as one, with its comment ("limit: 24  # was 48 until April")
        lines = [(x.start, x.end) for x in out if x.kind == "setting"]
        out = [x for x in out if x.kind == "setting" or not any(x.start < b and a < x.end for a, b in lines)]
    out = sorted((_unticked(s) for s in out), key=lambda s: s.start)
    if limit is None:
        return out
    prose = [s for s in out if s.kind == "prose"][:limit]
    facts = [s for s in out if s.kind != "prose"][:limit]
    return sorted(prose + facts, key=lambda s: s.start)


def _quoted(s: Sentence, text: str) -> Sentence:
    """``s``, read from ``text`` with its tabs as spaces, quoting ``text`` itself."""
    return replace(s, text=text[s.start:s.end]) if "\t" in text[s.start:s.end] else s


_TASK_BOX = re.compile(r"^\s*(?:[-*+]\s+)?\[[ xX]\]\s+")  # a Markdown task's "[ ]" or "[x]"


def _unticked(s: Sentence) -> Sentence:
    """``s`` read without a task list's box: "[ ] Book boiler service (last service 12 Oct 2024)"
    embeds as far from "when was the boiler last serviced?" as a line of another subject."""
    box = _TASK_BOX.match(s.meaning)
    return replace(s, gist=s.meaning[box.end():]) if box else s


def _run_sentences(text: str, a: int, b: int, code: bool) -> list[Sentence]:
    """The sentences and (not in ``code``) the short facts of a run of a paragraph. A comment of
    several lines is quoted with its marks ("site\n# and we deploy ...") and read and shown
    without them ("site and we deploy ...")."""
    out = []
    for la, lb in ([(a, b)] if code else _list_lines(text, a, b)):
        for sa, sb in _sentence_spans(text, la, lb):
            for ca, cb in _cut_long(text, sa, sb):
                x, y = _trim(text, ca, cb)
                piece = text[x:y]
                plain = _NEXT_COMMENT_LINE.sub(" ", piece) if code else piece
                if len(plain) >= MIN_CHARS and _is_prose(plain):
                    out.append(Sentence(x, y, piece) if plain == piece else Sentence(x, y, piece, plain, shown=plain))
                elif not code and _is_fact(piece, _ends_line(text, y)):
                    out.append(Sentence(x, y, piece, kind="fact"))
    return out


# A log's entry: a timestamp, then a message with letters in it besides a level ("2024-06-04T14:09:10Z INFO
# rolled back to v2024.05.30-2 in 187s", "[2024-06-04 14:12:30,114] WARN health check failing").
_LOG_ENTRY = re.compile(r"\[?(?:19|20)\d\d-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?"
                        r"[ \t]+(?P<message>\S.*)")
_LOG_LEVEL = re.compile(r"\[?(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|CRITICAL|FATAL|SEVERE)\]?:?(?!\S)")
_WORD = re.compile(r"[^\W\d_]{2}")


def _log_entries(text: str, spans: list[tuple[int, int]]) -> tuple[list[Sentence], list[tuple[int, int]]]:
    """The lines of the stretches ``spans`` that are entries of a log, each a fact quoted as its
    line and read by its message ("rolled back to v2024.05.30-2 in 187s"), and the stretches
    left around them."""
    found, rest = [], []
    for a, b in spans:
        start = a
        for x, y in _lines(text, a, b):
            if (entry := _log_entry(text, x, y)) is not None:
                rest.append((start, x))
                found.append(entry)
                start = y + 1
        rest.append((start, b))
    return found, [(x, y) for x, y in rest if text[x:y].strip()]


def _log_entry(text: str, x: int, y: int) -> Sentence | None:
    """The line ``text[x:y]`` as a log's entry, or None: "2024-06-04T14:09:10Z INFO  rolled back
    to v2024.05.30-2 in 187s" is one, "2024-06-04T14:06:03Z INFO" (no message) is not."""
    a, b = x + len(text[x:y]) - len(text[x:y].lstrip()), x + len(text[x:y].rstrip())
    entry = _LOG_ENTRY.fullmatch(text, a, b) if b - a <= MAX_CHARS else None
    if entry is None:
        return None
    level = _LOG_LEVEL.match(text, entry.start("message"), b)
    if not _WORD.search(text, level.end() if level else entry.start("message"), b):
        return None
    return Sentence(a, b, text[a:b], " ".join(entry["message"].split()), "fact")


# A line of a term and its value with a wide gap between (a tab: a PDF's or DOCX's two-column table,
# "Gross annual salary<TAB>EUR 72,000 paid in 12 monthly instalments"): the term of 1-5 words in
# letters, the value not a page number alone (a contents page's "Introduction<TAB>4")
_TAB_LABEL = re.compile(r"[ \t]*(?P<label>[^\W\d_][^\t\d:]{0,40}?)[ \t]*\t[ \t]*"
                        r"(?P<value>(?!\d{1,4}[ \t]*$)[^\t]*\S)[ \t]*")

# A price list's line, its term and value joined by dot leaders ("salad bag 100g ........ £2.50")
_DOTTED_LABEL = re.compile(r"[ \t]*(?P<label>[^\W_][^\t:]{0,40}?)(?:[ \t]+(?:\.{2,}|\u2026+)|\.{4,})[ \t]*"
                           r"(?P<value>(?!\d{1,4}[ \t]*$)[^\s.](?:[^\t]*\S)?)[ \t]*")

_SPACED_LABEL = re.compile(r"[ \t]*(?P<label>[A-Z][a-z]+(?: [a-z]+){0,3}) (?P<value>[£$€]?\d[^\t]*\S)[ \t]*")


def _tab_labels(text: str, spans: list[tuple[int, int]]) -> tuple[list[Sentence], list[tuple[int, int]]]:
    """The lines of the stretches ``spans`` that are a term, a tab and its value, two or more one
    after another (a table of two columns; one such line alone may be a wrapped row of a wider
    table), each a fact read as "term: value", and the stretches left around them: joined into the
    prose around them, the lines of such a table made one sentence of a dozen facts."""
    found, rest = [], []
    for a, b in spans:
        start = a
        lines = _lines(text, a, b)
        tabbed = [m if m is not None and len(m["label"].split()) <= 5 and y - x <= MAX_CHARS else None
                  for x, y in lines for m in [_TAB_LABEL.fullmatch(text, x, y) or _DOTTED_LABEL.fullmatch(text, x, y)]]
        # a line among them whose tab was lost ("Weekly amount £110.40"): a term, then a figure
        labelled = [m or (_SPACED_LABEL.fullmatch(text, x, y) if _beside(tabbed, i) else None)
                    for i, ((x, y), m) in enumerate(zip(lines, tabbed, strict=True))]
        for i, ((x, y), m) in enumerate(zip(lines, labelled, strict=True)):
            if m is None or not _beside(labelled, i):
                continue
            rest.append((start, x))
            found.append(Sentence(m.start("label"), m.end("value"), text[m.start("label"):m.end("value")],
                                  f"{m['label'].strip()}: {m['value']}", "fact"))
            start = y + 1
        rest.append((start, b))
    return found, [(x, y) for x, y in rest if text[x:y].strip()]


def _beside(found: Sequence[object], i: int) -> bool:
    """Whether the line before or after line ``i`` was found (is not None)."""
    return any(0 <= j < len(found) and found[j] is not None for j in (i - 1, i + 1))


# Short facts. A label of 1-4 words (the first capitalised), a colon, a value; field names of
# reference documentation ("Default: 0", "Type: int") are not facts of a person's notes.
_LABEL = re.compile(r"(?P<label>[A-Z][\w'’&.-]*(?:[ \t]+[\w'’&.-]+){0,3}):[ \t]+(?P<value>\S.*)", re.S)
_DOC_FIELDS = frozenset("""default defaults type types required optional returns return rtype raises param params
parameter parameters argument arguments args kwargs example examples usage syntax since deprecated availability
platform platforms signature value values range format alias aliases env note notes warning tip important caution
todo fixme see""".split()) | {"return type", "default value", "see also", "environment variable", "added in",
                               "changed in", "new in"}
_NUMBER = re.compile(r"(?<![\w.-])[-+]?\d")  # a token that starts with a digit: "6", "175", "2.5", "19:30"
_NAME = re.compile(r"(?<![\w'’-])[A-Z][\w'’-]*")
_LITERALS = frozenset("True False None Null NULL NaN Nil".split())
_KEY = re.compile(r"[^:\s][^:]{0,40}:(?:\s|$)")
_LOWER_WORD = re.compile(r"(?<![\w-])[a-z]{2,}\b")
_WORD_OF_NAME = re.compile(r"(?<![\w-])[A-Z][a-z]{2,}\b")  # "Logitech MX Keys - 109.99 - 19/06/2024"
# What code, commands, paths, URLs and data blobs have and a short fact of notes does not.
_NOT_FACT = re.compile(r"[{}\[\]<>=;`\\|$@~^#*_]|\S(?:\t| {2,})\S|\w\(|\":|://|::|^[:.]|[a-z]\.[a-z]|(?:^|\s)[.~]?/\w|\w/\w+/"
                       r"|(?:^|\s)--?[A-Za-z]|[A-Za-z]:\w|\w:[A-Za-z]")
FACT_CHARS = 120
FACT_WORDS = 16


def _is_fact(piece: str, ends_line: bool) -> bool:
    """A short fact worth quoting though it is not a long sentence: a "Label: value" line whose
    value holds a number or a name, or a sentence of 2+ words holding a number or a name that
    ends with a period (or, holding a number among lower-case words, ends its line). It starts
    as a sentence does (a capital or a digit: not the tail of a wrapped line) and is not shouted
    (licence text)."""
    emphasis, inner = _MARKUP[0]  # emphasis only: a code span is code here
    plain = emphasis.sub(inner, piece)
    words = plain.split()
    if (len(words) < 2 or not (plain[0].isupper() or plain[0].isdigit()) or plain.isupper()
            or len(plain) > FACT_CHARS or len(words) > FACT_WORDS or _NOT_FACT.search(_as_notes(plain.strip()))
            or _code_start(plain) or plain.count("(") != plain.count(")") or "\n" in plain):
        return False
    label = _LABEL.fullmatch(plain)
    if label:
        if label["label"].lower() in _DOC_FIELDS:
            return False
        value = label["value"].rstrip(".")
        return bool(_NUMBER.search(value) or any(w not in _LITERALS for w in _NAME.findall(value)))
    if _KEY.match(plain) and not _NUMBER.match(plain):
        return False  # "key: value" with a key that is not a label (lower case, long): data, not notes
    if plain.endswith(".") and not plain.endswith(".."):
        names = [w for w in _NAME.findall(plain)[1:] if w not in _LITERALS] if plain[0].isupper() else \
            [w for w in _NAME.findall(plain) if w not in _LITERALS]
        return bool(_NUMBER.search(plain) or names)
    return ends_line and bool(_NUMBER.search(plain)) and (bool(_LOWER_WORD.search(plain))
                                                          or len(_WORD_OF_NAME.findall(plain)) >= 2)


def _ends_line(text: str, b: int) -> bool:
    rest = text[b:b + 80].lstrip(" \t")
    return not rest or rest[0] == "\n"


# Markdown tables: a row is quoted as its line and read with the header's column names.
_SEPARATOR_ROW = re.compile(r"[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*(?::?-+:?[ \t]*)?")
_ROW_CODE = re.compile(r"[`{}<>=\\]")


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return [c.strip() for c in re.split(r"(?<!\\)\|", inner)]


def _table_rows(text: str, a: int, b: int) -> tuple[list[Sentence], list[tuple[int, int]]]:
    """The rows of the Markdown tables in a paragraph (lines that open with a pipe), and the
    stretches of the paragraph that are not table lines."""
    rows: list[Sentence] = []
    rest: list[tuple[int, int]] = []
    header: list[str] = []
    lines = _lines(text, a, b)
    start = a
    for i, (x, y) in enumerate(lines):
        line = text[x:y]
        if not (line.lstrip(" \t").startswith("|") and line.count("|") >= 2 or _is_separator(line)):
            header = []
            continue
        if start < x:
            rest.append((start, x))
        start = y + 1
        if _is_separator(line):
            continue
        if i + 1 < len(lines) and _is_separator(text[slice(*lines[i + 1])]):
            header = [c.strip("*_ ") for c in _cells(line)]
        elif row := _row(text, x, y, header):
            rows.append(row)
    if start < b:
        rest.append((start, b))
    return rows, [(x, y) for x, y in rest if text[x:y].strip()]


_TAB_CELL = 60  # cells of a tab-separated row no longer than this (longer: prose with a tab in it)


def _tab_cells(text: str, a: int, b: int) -> list[str] | None:
    """A paragraph's cells if it is a row written with tabs: two or more filled, none long, no code."""
    line = text[a:b].strip(" \r\n")
    cells = [c.strip() for c in line.split("\t")]
    if "\n" in line or sum(map(bool, cells)) < 2 or any(len(c) > _TAB_CELL for c in cells) \
            or _ROW_CODE.search(line):
        return None
    return cells


def _long_row(text: str, a: int, b: int, header: list[str]) -> bool:
    """Whether a paragraph is a row under ``header`` but for a cell too long to be one ("Getting
    ready<tab>Kate at the Avon Gorge Hotel from 9.30am, Harry at …")."""
    line = text[a:b].strip(" \r\n")
    cells = [c.strip() for c in line.split("\t")]
    return "\n" not in line and sum(map(bool, cells)) >= 2 and _fits(header, cells) and not _ROW_CODE.search(line)


def _fits(header: list[str], cells: list[str]) -> bool:
    """``cells`` can be a row under ``header``: as many, or fewer (empty last cells are not written)."""
    return 2 <= len(cells) <= len(header)


def _tab_rows(text: str, spans: list[tuple[int, int]]) -> dict[int, Sentence | None]:
    """Paragraphs that are rows of a table written with tabs, one row a paragraph (as the DOCX
    and HTML extractors write a table): runs of two or more that fit the first, the header, whose
    cells are words (a PDF's numbered line "1<tab>Verbatim line." is no header).
    {paragraph start: its row as a Sentence, or None for the header}."""
    out: dict[int, Sentence | None] = {}
    run: list[tuple[int, int, list[str]]] = []
    for a, b in [*spans, (len(text), len(text))]:
        cells = _tab_cells(text, a, b) if a < len(text) else None
        if cells is None and run and _long_row(text, a, b, run[0][2]):
            continue  # a row with a long cell is read as prose, and its table goes on after it
        if cells is not None and len(run) == 1 and len(cells) == len(run[0][2]) + 1:
            run[0][2].insert(0, "")  # a header whose first cell, over the rows' names, is empty
        if cells is not None and run and _fits(run[0][2], cells):
            run.append((a, b, cells))
            continue
        if len(run) >= 2:
            out.update(_run_rows(text, run))
        run = [(a, b, cells)] if cells is not None and all(map(_LETTERS.search, filter(None, cells))) else []
    return out


def _run_rows(text: str, run: list[tuple[int, int, list[str]]]) -> dict[int, Sentence | None]:
    header = run[0][2]
    out: dict[int, Sentence | None] = {run[0][0]: None}
    for start, end, row in run[1:]:
        x, y = _trim(text, start, end)
        pairs = [(h, c) for h, c in zip(header, row + [""] * (len(header) - len(row)), strict=True) if c]
        out[start] = Sentence(x, y, text[x:y], ", ".join(f"{h} {c}".strip() for h, c in pairs), "row",
                              ", ".join(f"{h}: {c}" if h else c for h, c in pairs))
    return out


TAB_LINE_CELLS = 3  # a table's lines in a paragraph (a PDF's): at least this many cells a header
TAB_LINE_ROWS = 2  # and at least this many rows under it


def _tab_lines(text: str, rows: list[Sentence], spans: list[tuple[int, int]]
               ) -> tuple[list[Sentence], list[tuple[int, int]]]:
    """``rows`` with the rows of tables whose cells are tab-separated, one row a line of a
    paragraph (the PDF extractor writes a wide gap between cells as a tab), and the stretches of
    ``spans`` that are not such lines. A run needs a header (``_header``) and ``TAB_LINE_ROWS`` rows
    that fit it: two cells a line are as often a contents page's title and page number, or a term
    and its description. The header is read as column names, not quoted."""
    rest: list[tuple[int, int]] = []
    for a, b in spans:
        start = a
        lines = _lines(text, a, b)
        i = 0
        while i < len(lines):
            run = _tab_run(text, lines[i:])
            if len(run) <= TAB_LINE_ROWS:
                i += 1
                continue
            rows += [row for row in _run_rows(text, run).values() if row is not None]
            if start < run[0][0]:
                rest.append((start, run[0][0]))
            start = run[-1][1] + 1
            i += len(run)
        if start < b:
            rest.append((start, b))
    return rows, [(x, y) for x, y in rest if text[x:y].strip()]


def _tab_run(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int, list[str]]]:
    """The lines from the first that are a header of tab-separated cells and rows fitting it."""
    run: list[tuple[int, int, list[str]]] = []
    for x, y in lines:
        cells = _tab_cells(text, x, y)
        if cells is None or (not _header(cells) if not run else not _fits(run[0][2], cells)):
            break
        run.append((x, y, cells))
    return run


def _header(cells: list[str]) -> bool:
    """``cells`` name a table's columns: ``TAB_LINE_CELLS`` or more, each a few words (no digits,
    no dot leaders), the first in letters. A contents page's "1 Introduction 4", a row of values,
    or prose beside a margin note ("Note that character protrusion requires pdfTeX") is not."""
    return len(cells) >= TAB_LINE_CELLS and bool(_LETTERS.search(cells[0])) and not any(
        _DIGIT_OR_LEADERS.search(c) or len(c.split()) > HEADER_WORDS for c in cells)


HEADER_WORDS = 4
_DIGIT_OR_LEADERS = re.compile(r"\d|(?:\.\s?){3,}")


def _is_separator(line: str) -> bool:
    return "|" in line and bool(_SEPARATOR_ROW.fullmatch(line))


def _lines(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """(start, end) of each line of ``text[a:b]``."""
    out, pos = [], a
    while pos <= b:
        nl = text.find("\n", pos, b)
        end = b if nl < 0 else nl
        out.append((pos, end))
        pos = end + 1
    return out


def _row(text: str, a: int, b: int, header: list[str]) -> Sentence | None:
    while a < b and text[a] in " \t":
        a += 1
    while b > a and text[b - 1] in " \t":
        b -= 1
    line = text[a:b]
    cells = _cells(line)
    if sum(1 for c in cells if _LETTERS.search(c) or any(ch.isdigit() for ch in c)) < 2 or _ROW_CODE.search(line):
        return None
    if not header and not (line.startswith("|") and line.endswith("|") and all(cells)):
        return None  # no header: only a whole row ("|Build| |Coverage|" is reST, not a table)
    pairs = [(h, c) for h, c in zip(header, cells, strict=False) if c] + [("", c) for c in cells[len(header):] if c]
    gist = ", ".join(f"{h} {c}" if h else c for h, c in pairs)  # embeds a little closer than "h: c"
    return Sentence(a, b, line, gist, "row", ", ".join(f"{h}: {c}" if h else c for h, c in pairs))


# A list written one item a line, without bullets ("3 eggs, separated" / "120 g plain flour"):
# its lines are cut apart. Lines of wrapped prose are not. In wrapped prose a line may end on a
# comma or a joining word, or a sentence may end inside a line, and a line breaks only where the
# next word would not have fit (in characters, roughly: a PDF's fonts are proportional, hence
# the slack). A list has short lines, or lines with room left for the next line's first word.
_JOINING = frozenset("and or but nor the a an of to in on at by for with from as that which who than".split())
LIST_LINES = 3
_ITEM_LINE = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])\s")
LIST_WIDTH = 50
WRAP_SLACK = 0.85


# A line that starts with a short label and a colon: an entry of a list, never a wrapped line of prose
_LABELLED = re.compile(r"[A-Z][^:.!?\n]{0,40}:\s")


def _list_lines(text: str, a: int, b: int) -> list[tuple[int, int]]:
    lines = _lines(text, a, b)
    while lines and not text[lines[-1][0]:lines[-1][1]].strip():  # the file's last line break
        lines.pop()
    if len(lines) < LIST_LINES or _code_start(text[a:b]) or _code_share(text[a:b]) > CODE_SHARE:
        return [(a, b)]  # code, a shell session or a blob is not cut into lines of "prose"
    texts = [text[x:y].strip() for x, y in lines]
    if all(texts) and (groups := _indented_under(text, lines)):
        return groups
    # a passage's text opens without its first line's indent: then the second line shows the list's
    margin = _indent(text, lines[1][0] if lines[0][0] == 0 and not _ITEM_LINE.match(text) else lines[0][0])
    if (not all(texts) or any(_wraps_item(text, x, y, margin) for x, y in lines[1:])
            or any(t[-1] in ",;:-–—&" or t.split()[-1].lower() in _JOINING for t in texts[:-1])
            or any(len(_sentence_spans(text, x, y)) > 1 for x, y in lines)):
        return [(a, b)]
    if len(texts[0]) <= TITLE_CHARS and texts[0][-1] not in ".!?:;,-" and texts[1][:1].isupper():
        texts = texts[1:]  # a title line ("The Moon") says nothing of how the text under it wraps
    width = max(len(t) for t in texts)
    if width <= LIST_WIDTH or sum(1 for t in texts if _LABELLED.match(t)) * 2 >= len(texts):
        return lines  # short lines, or entries of a list ("Landlord: …", "Insurance broker: …")
    room = WRAP_SLACK * width
    free = sum(1 for t, n in zip(texts, texts[1:], strict=False) if len(t) + 1 + len(n.split()[0]) <= room)
    return lines if free * 2 >= len(texts) - 1 else [(a, b)]


def _wraps_item(text: str, x: int, y: int, margin: int) -> bool:
    """The line ``text[x:y]`` is an item of a list, or indented deeper than the paragraph's first
    line (``margin``): an item's wrapped line, not a line of a list indented whole."""
    return _ITEM_LINE.match(text, x, y) is not None or _indent(text, x) > margin


def _indent(text: str, x: int) -> int:
    return len(text[x:x + 80]) - len(text[x:x + 80].lstrip(" \t"))


def _indented_under(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The entries of a list whose lines start at the margin, each with the indented lines under
    it ("MacBook Pro - bought 08/02/2024" / "   AppleCare+ till 08/02/2027" / "Dell monitor - …"),
    when some are indented and no entry ends as a line that wraps does (a comma, "and"); else []."""
    if text[lines[0][0]:lines[0][0] + 1].isspace():
        return []
    heads = [i for i, (x, _) in enumerate(lines) if not text[x:x + 1].isspace()]
    if len(heads) < 2 or len(heads) == len(lines):
        return []
    groups = [(lines[i][0], lines[j - 1][1]) for i, j in zip(heads, [*heads[1:], len(lines)], strict=True)]
    last = [text[x:y].strip() for x, y in (lines[j - 1] for j in heads[1:])]
    return [] if any(t[-1] in ",;:-–—&" or t.split()[-1].lower() in _JOINING for t in last) else groups


def line_span(text: str, start: int, end: int, line_start: int | None,
              line_end: int | None) -> tuple[int | None, int | None]:
    """The first and last line of ``text[start:end]``, from its passage's line span.

    Inside a paragraph, lines are the passage's own line breaks. Between paragraphs the
    file may have had one blank line or none (PDF pages); the gap that makes the passage's
    paragraphs add up to its known line span is used, else one blank line is assumed.
    """
    if line_start is None:
        return None, None
    paras = paragraph_spans(text)
    heights = [text.count("\n", a, b) + 1 for a, b in paras]
    gap = _gap(heights, line_start, line_end)
    line = line_start
    for (a, b), height in zip(paras, heights, strict=True):
        if a <= start < b + 1:
            first = line + text.count("\n", a, start)
            last = first + text.count("\n", start, end)
            if line_end is not None:
                first, last = min(first, line_end), min(last, line_end)
            return first, last
        line += height + gap
    return line_start, line_end


def _gap(heights: list[int], line_start: int, line_end: int | None) -> int:
    if line_end is None or len(heights) < 2:
        return 1
    total = line_end - line_start + 1
    for gap in (1, 0):
        if sum(heights) + gap * (len(heights) - 1) == total:
            return gap
    return 1


# Lines that set a value in a configuration file ("max_duration_minutes: 120", "timeout = 30") or,
# at a source file's top level, a name to a literal ('RATES = {"Senior": 180, "Junior": 90}'):
# facts a person asks about, read with the sections above them and the key's words.
_SETTING = re.compile(r"(?m)^(?P<indent>[ \t]*)(?:-[ \t]+)?(?:export[ \t]+|const[ \t]+|final[ \t]+)?"
                      r"(?P<key>[A-Za-z_][\w.-]{0,60})[ \t]*(?P<op>:|=)(?![=:])[ \t]*(?P<value>[^\n]*?)[ \t]*$")
_SECTION = re.compile(r"(?m)^(?P<indent>[ \t]*)(?:\[(?P<ini>[^\]\n]+)\]|(?P<key>[A-Za-z_][\w.-]{0,60}):)"
                      r"[ \t]*(?:#.*)?$")
_TRAILING_COMMENT = re.compile(r"[ \t]+(?:#|//|;)[ \t].*$")
_CALL_OR_NAME = re.compile(r"\w\(|^[A-Za-z_][\w.]*$|\b(?:lambda|await|new|function)\b|=>")
_MARKS = re.compile(r"(?<!\w)[\"']|[\"'](?!\w)|[{}\[\]]")  # quotes and brackets around values, not "Nimmo's"
_KEY_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def setting_lines(text: str, kind: str) -> list[Sentence]:
    """The setting lines of ``text`` (see ``_SETTING``): in a "config" file any key given a
    value, in "code" a top-level name given a literal (no call, no other name)."""
    out = []
    for m in _SETTING.finditer(text):
        comment = _TRAILING_COMMENT.search(m["value"])
        value = m["value"][:comment.start() if comment else None].rstrip(",;").strip()
        if not re.search(r"[^\W_]", value):
            continue  # a section ("booking:"), an empty value or "{}"
        if kind == "code" and (m["indent"] or m["op"] != "=" or _CALL_OR_NAME.search(value)):
            continue
        a = m.start("indent") + len(m["indent"])
        b = m.end("value")
        words = " ".join(_KEY_PARTS.findall(m["key"])).lower()
        read = re.sub(r"\s+:", ":", _MARKS.sub(" ", value))
        note = f" ({comment.group().strip(' #/;')})" if comment else ""
        out.append(Sentence(a, b, text[a:b], " ".join(f"{_sections(text, m)} {words}: {read}{note}".split()),
                            "setting"))
    return out


def _sections(text: str, m: re.Match[str]) -> str:
    """The keys of the sections a setting line sits in ("booking" over "  max_duration_minutes: 120"),
    and an INI file's "[section]", outermost first."""
    indent, names = len(m["indent"].expandtabs(4)), list[str]()
    for s in reversed(list(_SECTION.finditer(text, 0, m.start()))):
        depth = len(s["indent"].expandtabs(4))
        if s["ini"] and not names and not indent:
            return s["ini"]
        if s["key"] and depth < indent:
            names.append(" ".join(_KEY_PARTS.findall(s["key"])).lower())
            indent = depth
    return " ".join(reversed(names))
