"""The Search pane: a box, and passages with their file, heading, page and lines, the
query's words in bold. Searching runs in the runner (the latest query wins), ~250 ms after
typing stops or at once on Enter. Activating a result opens its file.

Opening "at the place": a PDF is opened with a ``#page=N`` fragment, which browsers and
some viewers honour; other files open at their start, because the desktop's "open this
file" call has no portable way to name a line.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING

import ui
from grace_desktop.qt import QEvent, QLabel, QLineEdit, Qt, QTextBrowser, QTimer, QUrl, QVBoxLayout, QWidget, Signal

from .theme import colors, tint

if TYPE_CHECKING:
    from engine import Changes, SearchHit
    from grace_desktop.runner import Runner

DEBOUNCE_MS = 250
SNIPPET_CHARS = 320
# Scripts written without spaces: the index (unicode61) keeps a whole run as one token, so a word
# of them is found, and bolded, anywhere inside a run.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: the index splits words on anything else, "_" too


class SearchPane(QWidget):
    """See the module docstring."""

    results_shown = Signal(str)  # the query whose results are now on screen

    def __init__(self, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hits: list[SearchHit] = []
        self.shown_query = ""
        self._sentence = ""  # the sentence shown instead of results (re-drawn when the theme changes)
        self.query = QLineEdit(placeholderText="Search everything Grace has read…", clearButtonEnabled=True)
        self.query.setMinimumHeight(32)
        self.query.textChanged.connect(self._typed)
        self.query.returnPressed.connect(self.search_now)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        tint(self.status, "muted")
        self.status.hide()
        self.results = QTextBrowser()
        self.results.setOpenLinks(False)
        self.results.anchorClicked.connect(self._anchor)
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

    def on_changed(self, changes: Changes) -> None:
        """New passages may answer the query on screen: ask again."""
        if changes.chunks and self.query.text().strip():
            self.runner.search(self.query.text().strip())

    def show_results(self, query: str, hits: list[SearchHit]) -> None:
        """Show ``hits`` for ``query`` (results of an older query never arrive here)."""
        self.hits, self.shown_query = list(hits), query
        if not hits:
            self._say("")
            self._placeholder(f"No passages match “{query}”. Try other words, or add the documents that "
                              "would answer it.")
        else:
            self._say(f"{len(hits)} passage{'s' if len(hits) != 1 else ''} for “{query}”")
            self._show_hits()
        self.results_shown.emit(query)

    def show_failure(self, query: str, exc: BaseException) -> None:
        """Say that the search for ``query`` failed, and why, in place of its results."""
        reason = str(exc).strip().rstrip(".") or type(exc).__name__
        if self.runner.model == "failed":  # the query cannot be embedded without the model
            reason = f"the search model could not load ({reason})"
        self._say("")
        self._placeholder(f"The search for “{query}” failed: {reason}.")

    def _show_hits(self) -> None:
        self._sentence = ""
        words = query_words(self.shown_query)
        self.results.setHtml("".join(_hit_html(n, hit, words) for n, hit in enumerate(self.hits)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """Re-draw the results in the new scheme's colours after a light/dark switch."""
        super().changeEvent(event)
        if event.type() != QEvent.Type.PaletteChange:
            return
        if self._sentence:
            self._placeholder(self._sentence)
        else:
            self._show_hits()

    def _idle(self) -> None:
        self._say("")
        self._placeholder("Type a few words to search everything Grace has read. Each result shows the file, "
                          "where in it the passage is, and the passage itself; click one to open its file.")

    def _placeholder(self, sentence: str) -> None:
        self.hits, self._sentence = [], sentence
        self.results.setHtml(f"<p style='color:{colors()['muted']}; margin:16px'>{ui.escape(sentence)}</p>")

    # -- opening ---------------------------------------------------------------------------

    def _anchor(self, url: QUrl) -> None:
        if url.scheme() == "hit":
            self.open_hit(int(url.path()))

    def open_hit(self, n: int) -> bool:
        """Open the file of result ``n`` (a PDF at its page, where the viewer allows)."""
        if not 0 <= n < len(self.hits):
            return False
        hit = self.hits[n]
        if not os.path.exists(hit.path):
            self._say(f"“{ui.breakable(os.path.basename(hit.path))}” no longer exists (it was moved or deleted "
                      "since Grace read it).")
            return False
        url = QUrl.fromLocalFile(hit.path)
        if hit.page and hit.path.lower().endswith(".pdf"):
            url.setFragment(f"page={hit.page}")
        return ui.open_url(url)


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
    parts = [f"› {hit.heading}"] if hit.heading else []
    if hit.page:
        parts.append(f"page {hit.page}")
    if hit.line_start:
        end = f"–{hit.line_end}" if hit.line_end and hit.line_end != hit.line_start else ""
        parts.append(f"line{'s' if end else ''} {hit.line_start}{end}")
    return " · ".join(parts)


def _hit_html(n: int, hit: SearchHit, words: list[str]) -> str:
    c = colors()
    name = ui.escape(os.path.basename(hit.path))
    place = ui.escape(_place(hit))
    body = highlight(snippet(hit.text, words), words)
    folder = ui.escape(os.path.dirname(hit.path))
    return (f"<div style='margin:4px 4px 14px 4px'>"
            f"<a href='hit:{n}' style='font-weight:600; text-decoration:none'>{name}</a>"
            f"&nbsp;&nbsp;<span style='color:{c['muted']}'>{place}</span><br>"
            f"<span>{body}</span><br>"
            f"<span style='color:{c['muted']}; font-size:small'>{folder}</span></div>")

