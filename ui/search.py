"""The Search pane: a box, and passages with their file, heading, page and lines, the
query's words in bold. Searching runs in the runner (the latest query wins), ~250 ms after
typing stops or at once on Enter. Activating a result opens its file.

Search always returns its best passages, so the pane says how well they match
(``engine/relevance.py``): a result that is not a close match is greyed where it ranks; when
none is, a line above the results says so; and when none even holds a word of the query,
the pane says that nothing in the files matches, and shows the nearest passages only when
asked (a link, reachable with Tab and opened with Enter).

Rows of the person's tables that hold every word of the query (``Tables.find_rows``, read in
the runner beside the passages) are listed as "Rows in your tables": after the passages when
some match closely, before them otherwise; activating one asks the window (``row_requested``)
to open its table.

Opening "at the place": a PDF opens at its page where its default program takes a page
(``ui.open_file``); where it does not, the line under the box says on which page the passage
is. Other files open at their start: the desktop's "open this file" call has no portable way
to name a line.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import ui
from grace_desktop.qt import QEvent, QLabel, QLineEdit, Qt, QTextBrowser, QTimer, QUrl, QVBoxLayout, QWidget, Signal

from .theme import colors, tint

if TYPE_CHECKING:
    from engine import Changes, SearchHit
    from engine.relevance import Relevance
    from grace_desktop.runner import Runner

DEBOUNCE_MS = 250
SNIPPET_CHARS = 320
ROWS_SHOWN = 10  # rows listed under "Rows in your tables"; one more is asked for, to say that more match
ROW_CHARS = 160  # about this much of a row's cells on its line
# Scripts written without spaces: the index (unicode61) keeps a whole run as one token, so a word
# of them is found, and bolded, anywhere inside a run.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: the index splits words on anything else, "_" too


class SearchPane(QWidget):
    """See the module docstring."""

    results_shown = Signal(str)  # the query whose results are now on screen
    rows_shown = Signal(str)  # the query whose table rows are now on screen
    row_requested = Signal(object)  # a row ({"table", "key", "columns", "values", "matched"}) to open

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hits: list[SearchHit] = []
        self.relevance: Relevance | None = None  # how well ``hits`` match ``shown_query``
        self.nearest_shown = False  # the nearest passages are on screen although nothing matches
        self.shown_query = ""
        self.rows: list[dict[str, Any]] = []  # rows of the tables holding the words of ``rows_query``
        self.rows_query = ""  # the query whose rows were asked for last
        self._sentence = ""  # the sentence shown instead of results (re-drawn when the theme changes)
        self.query = QLineEdit(placeholderText="Search everything Grace has read…", clearButtonEnabled=True)
        self.keyboard_entry = self.query
        self.query.setMinimumHeight(32)
        self.query.textChanged.connect(self._typed)
        self.query.returnPressed.connect(self.search_now)
        self.status = QLabel("")
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it repeats the query: "<b>" is typed, not bold
        self.status.setWordWrap(True)
        tint(self.status, "muted")
        self.status.hide()
        self.results = QTextBrowser()
        self.results.setOpenLinks(False)
        self.results.anchorClicked.connect(self._anchor)
        self.results.installEventFilter(self)  # Tab into the results lands on the first one
        ui.add_shortcut(self.query, Qt.Key.Key_Down, self.to_results, "Go to the results",
                        Qt.ShortcutContext.WidgetShortcut)
        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(self.search_now)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 8)
        layout.addWidget(self.query)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self._placeholder("Opening workspace…")
        runner.workspace_opened.connect(lambda _ws: self._idle())
        runner.search_results.connect(self.show_results)
        runner.search_failed.connect(self.show_failure)
        runner.changed.connect(self.on_changed)

    def _say(self, text: str) -> None:
        """The line under the box (hidden while it has nothing to say)."""
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def focus_query(self) -> None:
        """Put the cursor in the search box, its text selected."""
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    # -- searching -------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        self.timer.start()

    def search_now(self) -> None:
        """Search for the box's text now (a newer search replaces a running one)."""
        self.timer.stop()
        text = self.query.text().strip()
        if not text:
            self._idle()
            return
        note = " (the model is still loading)" if self.runner.model not in ("ready", "failed") else ""
        self._say(f"Searching for “{text}”…{note}")
        self.runner.search(text)
        self._find_rows(text)

    def on_changed(self, changes: Changes) -> None:
        """New passages or rows may answer the query on screen: ask again."""
        text = self.query.text().strip()
        if changes.chunks and text:
            self.runner.search(text)
        if changes.tables and text:
            self._find_rows(text)

    def _find_rows(self, query: str) -> None:
        """Ask for the rows holding ``query``'s words (in the runner; the latest query wins)."""
        if query != self.rows_query:
            self.rows, self.rows_query = [], query  # an older query's rows are never shown with this one
        self.runner.fetch("search rows", lambda ws: ws.tables.find_rows(query, ROWS_SHOWN + 1),
                          lambda rows: self.show_rows(query, rows), owner=self)

    def show_rows(self, query: str, rows: list[dict[str, Any]]) -> None:
        """Show the table ``rows`` found for ``query`` with the passages (or alone, while they are sought)."""
        if query != self.rows_query:
            return
        self.rows = list(rows)
        if self.shown_query == query:
            self._say(self._status())
        self._redraw()
        self.rows_shown.emit(query)

    def _status(self) -> str:
        """The line under the box for the passages on screen, with the rows of the same query."""
        passages = _summary(self.shown_query, self.relevance, self._limit()) if self.relevance is not None else ""
        if not self._rows_here():
            return passages
        count = f"{min(len(self.rows), ROWS_SHOWN)}{'+' if len(self.rows) > ROWS_SHOWN else ''}"
        rows = f"{count} row{'' if count == '1' else 's'} in your tables"
        if not passages:
            return f"{rows} match{'es' if count == '1' else ''} “{self.shown_query}”"
        if self.relevance is not None and not self.relevance.count:
            return f"No close passages for “{self.shown_query}”, but {rows} match{'es' if count == '1' else ''}"
        return f"{passages}; {rows}"

    def _limit(self) -> int | None:
        """How many passages a search returns (the Search results setting)."""
        ws = self.runner.ws
        return int(ws.setting("search_k")) if ws is not None else None

    def _rows_here(self) -> bool:
        """True when the rows on hand belong to the passages on screen."""
        return bool(self.rows) and self.rows_query == self.shown_query

    def show_results(self, query: str, hits: list[SearchHit]) -> None:
        """Show ``hits`` for ``query`` (results of an older query never arrive here), each marked
        as a close match or only a near one."""
        from engine.relevance import judge

        self.nearest_shown = self.nearest_shown and query == self.shown_query  # a refresh keeps them shown
        self.hits, self.shown_query = list(hits), query
        if not hits:
            self.relevance = None
            self._say(self._status())
            self._placeholder(f"No passages match “{_shortened(query)}”. Try other words, or add the documents that "
                              "would answer it.")
        else:
            self.relevance = judge(query, self.hits)
            self._say(self._status())
            self._show_hits()
        self.results_shown.emit(query)

    def show_nearest(self) -> None:
        """Show the nearest passages of a query that nothing matches."""
        if self.hits and not self.nearest_shown:
            self.nearest_shown = True
            self._show_hits()

    def show_failure(self, query: str, exc: BaseException) -> None:
        """Say that the search for ``query`` failed, and why, in place of its results."""
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        if self.runner.model == "failed":  # the query cannot be embedded without the model
            reason = f"the search model could not load ({reason})"
        self.shown_query, self.relevance = query, None
        self._say(self._status())
        self._placeholder(f"The search for “{_shortened(query)}” failed: {reason}.")

    def _show_hits(self) -> None:
        self._sentence = ""
        rel, rows = self.relevance, self._rows_here()
        if rel is None or len(rel.matches) != len(self.hits):  # hits set without show_results
            self._draw(_hits_html(self.hits, self.shown_query, [True] * len(self.hits)))
        elif rel.nothing and not self.nearest_shown:
            self._draw(_nothing_html(self.shown_query, len(self.hits), rows), close=False)
        elif not rel.count:  # the line above them says that none matches closely
            self._draw(_banner_html(self.shown_query, rel.nothing, rows)
                       + _hits_html(self.hits, self.shown_query, [False] * len(self.hits), tag=False), close=False)
        else:
            self._draw(_hits_html(self.hits, self.shown_query, list(rel.matches)))

    def _draw(self, passages: str, close: bool = True) -> None:
        """``passages`` with the rows of the same query: after passages that match closely, before others."""
        if not self._rows_here():
            self.results.setHtml(passages)
            return
        rows = _rows_html(self.rows, self.shown_query, first=not close)
        self.results.setHtml(passages + rows if close else rows + passages)

    def _redraw(self) -> None:
        """Draw again what is on hand (rows alone while the passages of their query are sought)."""
        if self.rows and self.rows_query != self.shown_query:
            searching = f"<p style='margin:0 4px; color:{colors()['muted']}'>Searching the passages…</p>"
            self.results.setHtml(_rows_html(self.rows, self.rows_query, first=True) + searching)
        elif self._sentence:
            self._placeholder(self._sentence)
        else:
            self._show_hits()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Re-draw the results in the new scheme's colours after a light/dark switch."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._redraw()

    def _idle(self) -> None:
        self._say("")
        self.rows, self.rows_query, self.shown_query = [], "", ""
        self._placeholder("Type a few words to search everything Grace has read. Each result shows the file, "
                          "where in it the passage is, and the passage itself; click one to open its file.")

    def _placeholder(self, sentence: str) -> None:
        self.hits, self.relevance, self._sentence = [], None, sentence
        self._draw(f"<p style='color:{colors()['muted']}; margin:16px'>{ui.escape(sentence)}</p>", close=False)

    # -- opening ---------------------------------------------------------------------------

    def to_results(self) -> bool:
        """From the box (Down) or by Tab: the keyboard on the first result, which Enter opens and
        Tab moves on from; False when no result has a link to land on."""
        self.results.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = self.results.textCursor()
        cursor.movePosition(type(cursor).MoveOperation.Start)
        self.results.setTextCursor(cursor)
        return bool(self.hits or self._rows_here()) and self.results.focusNextPrevChild(True)

    def eventFilter(self, watched: Any, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (watched is self.results and event.type() == QEvent.Type.FocusIn
                and getattr(event, "reason", lambda: None)() == Qt.FocusReason.TabFocusReason
                and not self.results.textCursor().hasSelection()):
            self.to_results()  # not an empty landing that needs a second Tab
        return False

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == "hit":
            self.open_hit(int(url.path()))
        elif url.scheme() == "nearest":
            self.show_nearest()
        elif url.scheme() == "row":
            self.open_row(int(url.path()))

    def open_row(self, n: int) -> bool:
        """Ask the window to open the table of row ``n`` of "Rows in your tables" at that row."""
        if not 0 <= n < min(len(self.rows), ROWS_SHOWN):
            return False
        self.row_requested.emit(self.rows[n])
        return True

    def open_hit(self, n: int) -> bool:
        """Open the file of result ``n``: a PDF at its page where its program takes one (``ui.open_file``),
        else the line under the box says on which page the passage is."""
        if not 0 <= n < len(self.hits):
            return False
        hit = self.hits[n]
        name = ui.breakable(os.path.basename(hit.path))
        if not os.path.exists(hit.path):
            self._say(f"“{name}” no longer exists (it was moved or deleted since Grace read it).")
            return False
        if not ui.open_file(hit.path, hit.page):
            self._say(f"No program on this computer would open “{name}”; it is at {hit.path}.")
            return False
        if hit.page and hit.path.lower().endswith(".pdf") and not ui.opens_at_page(hit.path):
            self._say(f"Opened “{name}” at its start: the passage is on page {hit.page}.")
        return True


def query_words(query: str) -> list[str]:
    """The words of ``query`` worth highlighting, split as the index splits them (no stop words,
    no single letters but a single character of a script written without spaces)."""
    from engine.search import STOPWORDS

    words = [w for w in _TOKEN.findall(query.lower())
             if (len(w) > 1 or _UNSPACED.search(w)) and w not in STOPWORDS]
    return list(dict.fromkeys(words))


@lru_cache(maxsize=64)
def _matcher(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """What the index matches for ``words``: a token starting with a word or its stem (porter:
    "compressed" finds "compression"); a word of an unspaced script anywhere in its run."""
    from engine.search import index_terms  # the index's own tokenizer, so bold marks what it matched

    pieces = {p for w in words for p in _TOKEN.findall(w.lower())}
    pieces |= {t for terms in index_terms(list(words)) for t in terms if len(t) > 2}
    starts = sorted((re.escape(p) for p in pieces if not _UNSPACED.search(p)), key=len, reverse=True)
    inside = sorted((re.escape(p) for p in pieces if _UNSPACED.search(p)), key=len, reverse=True)
    alternatives = ([r"(?<![^\W_])(?:" + "|".join(starts) + r")[^\W_]*"] if starts else []) + inside
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def highlight(text: str, words: list[str]) -> str:
    """``text`` as rich text with every match of ``words`` (as the index matches them) in bold."""
    pattern = _matcher(tuple(words))
    if pattern is None:
        return ui.escape(text)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(ui.escape(text[last:match.start()]) + f"<b>{ui.escape(match.group(0))}</b>")
        last = match.end()
    return "".join(out) + ui.escape(text[last:])


def snippet(text: str, words: list[str], size: int = SNIPPET_CHARS) -> str:
    """About ``size`` characters of ``text`` around its first match, whitespace collapsed."""
    flat = " ".join(text.split())
    if len(flat) <= size:
        return flat
    pattern = _matcher(tuple(words))
    found = pattern.search(flat) if pattern is not None else None
    first = found.start() if found else 0
    start = max(0, min(first - size // 3, len(flat) - size))
    cut = flat[start:start + size]
    return ("…" if start else "") + cut + ("…" if start + size < len(flat) else "")


def _place(hit: SearchHit) -> str:
    """"› Heading · page 2 · lines 3–5" ("paragraphs" in a DOCX file, whose lines are its paragraphs)."""
    from engine.chat.types import line_unit

    parts = [f"› {hit.heading}"] if hit.heading else []
    if hit.page:
        parts.append(f"page {hit.page}")
    if hit.line_start:
        end = f"–{hit.line_end}" if hit.line_end and hit.line_end != hit.line_start else ""
        parts.append(f"{line_unit(hit.path, many=bool(end))} {hit.line_start}{end}")
    return " · ".join(parts)


QUOTED_QUERY = 80  # characters of the query a sentence repeats: a pasted paragraph is not echoed whole


def _shortened(query: str) -> str:
    """The query as a sentence repeats it: on one line, cut at a word with "…" past ``QUOTED_QUERY``."""
    flat = " ".join(query.split())
    if len(flat) <= QUOTED_QUERY:
        return flat
    return flat[:QUOTED_QUERY].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _summary(query: str, rel: Relevance, limit: int | None = None) -> str:
    """The line under the box: how many results, how many of them match closely, and whether
    the search stopped at ``limit`` (the Search results setting) with more to find."""
    total = len(rel.matches)
    more = f" (the best {total}; Settings ▸ Search results shows more)" if limit and total >= limit else ""
    if rel.nothing:
        return ""  # the results area says it
    if not rel.count:
        return f"No close matches for “{_shortened(query)}”{more}"
    if rel.count == total:
        return f"{total} passage{'s' if total != 1 else ''} for “{_shortened(query)}”{more}"
    near = total - rel.count
    matches = f"{rel.count} close match{'es' if rel.count != 1 else ''}"
    return (f"{matches} for “{_shortened(query)}”; the {near} greyed passage{'s are' if near != 1 else ' is'} only "
            f"near it{more}")


def _nothing_html(query: str, count: int, rows: bool = False) -> str:
    c = colors()
    what = (f"No passage of your documents matches “{ui.escape(_shortened(query))}”: none" if rows  # the rows above do
            else f"Nothing in your files matches “{ui.escape(_shortened(query))}”: no passage")
    return (f"<p style='margin:16px 16px 6px 16px'>{what} has its words, and none is close in meaning.</p>"
            f"<p style='margin:0 16px; color:{c['muted']}'>Try other words, or add the documents that would "
            f"answer it. <a href='nearest:'>Show the {count} nearest passages anyway</a></p>")


def _banner_html(query: str, nothing: bool, rows: bool = False) -> str:
    c = colors()
    quoted = ui.escape(_shortened(query))
    why = f"Nothing in your files matches “{quoted}”" if nothing else "No close matches"
    if rows:  # the rows above do match: only the passages do not
        why = f"No passage of your documents matches “{quoted}”" if nothing else "No close passages"
    return (f"<p style='margin:8px 4px 14px 4px; padding-bottom:6px; color:{c['muted']}; "
            f"border-bottom:1px solid {c['muted']}'><b>{why}</b> — the nearest passages are shown below.</p>")


def _hits_html(hits: list[SearchHit], query: str, matches: list[bool], tag: bool = True) -> str:
    """The results, those in ``matches`` that are not close greyed (and, with ``tag``, marked)."""
    words = query_words(query)
    pairs = enumerate(zip(hits, matches, strict=True))
    return "".join(_hit_html(n, hit, words, close, tag) for n, (hit, close) in pairs)


def _hit_html(n: int, hit: SearchHit, words: list[str], close: bool = True, tag: bool = True) -> str:
    c = colors()
    name = ui.escape(os.path.basename(hit.path))
    place = ui.escape(_place(hit))
    body = highlight(snippet(ui.markdown_words(hit.text, hit.path), words), words)
    folder = ui.escape(os.path.dirname(hit.path))
    grey = "" if close else f" color:{c['muted']};"
    near = "" if close or not tag else f"&nbsp;&nbsp;<i style='color:{c['muted']}'>not a close match</i>"
    return (f"<div style='margin:4px 4px 14px 4px;{grey}'>"
            f"<a href='hit:{n}' style='font-weight:600; text-decoration:none;{grey}'>{name}</a>"
            f"&nbsp;&nbsp;<span style='color:{c['muted']}'>{place}</span>{near}<br>"
            f"<span style='{grey}'>{body}</span><br>"
            f"<span style='color:{c['muted']}; font-size:small'>{folder}</span></div>")


def _rows_html(rows: list[dict[str, Any]], query: str, first: bool) -> str:
    """The "Rows in your tables" section: a line per row (up to ``ROWS_SHOWN``), a rule between it
    and the passages (below it when ``first``, above it otherwise)."""
    from engine.tables.find import words_of  # the words the rows were found by

    c = colors()
    words = words_of(query)
    more = (f"<p style='margin:2px 4px; color:{c['muted']}'>More rows match; the Tables pane filters them all.</p>"
            if len(rows) > ROWS_SHOWN else "")
    lines = "".join(_row_html(n, row, words) for n, row in enumerate(rows[:ROWS_SHOWN]))
    section = f"<p style='margin:6px 4px 4px 4px; font-weight:600'>Rows in your tables</p>{lines}{more}"
    return section + "<hr>" if first else "<hr>" + section


def _row_html(n: int, row: dict[str, Any], words: list[str]) -> str:
    """One row as "table · column: value · …": its matched cells first, about ``ROW_CHARS`` of them."""
    c = colors()
    cells = dict(zip(row["columns"], row["values"], strict=True))
    names = list(row["matched"]) + [col for col in row["columns"] if col not in row["matched"]]
    parts, used = [], 0
    for name in names:
        value = cells[name]
        if value is None or str(value).strip() == "" or (used >= ROW_CHARS and name not in row["matched"]):
            continue
        text = snippet(str(value), words, 80 if name in row["matched"] else 40)
        parts.append(f"<span style='color:{c['muted']}'>{ui.escape(name)}:</span> {highlight(text, words)}")
        used += len(name) + len(text) + 4
    dot = f"<span style='color:{c['muted']}'> · </span>"
    return (f"<p style='margin:3px 4px'><a href='row:{n}' style='font-weight:600; text-decoration:none'>"
            f"{ui.escape(row['table'])}</a>{dot}{dot.join(parts)}</p>")
