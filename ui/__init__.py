"""Grace's Qt panes and item models. They read and change the workspace only through
``engine.Workspace`` methods, run by the shell's runner, and import Qt only through
``grace_desktop.qt``.

The small helpers here are shared by several panes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

NO_TEXT = "no text was found in it (an empty file, or pictures only), so search and chat cannot use it"


def open_url(url: Any) -> bool:
    """Open ``url`` (a QUrl) with the system's handler; tests replace this function."""
    from grace_desktop.qt import QDesktopServices

    return bool(QDesktopServices.openUrl(url))


def open_file(path: str, page: int | None = None) -> bool:
    """Open the file ``path`` with the system's handler; a PDF at ``page`` where its default program
    takes a page (``pdf_page_command``), else with a ``#page=N`` fragment, which a browser honours
    (xdg-open drops it: the PDF opens at page 1). False when nothing opened it."""
    from grace_desktop.qt import QUrl

    command = pdf_page_command(path, page) if page else None
    if command and start_detached(command):
        return True
    url = QUrl.fromLocalFile(path)
    if page and path.lower().endswith(".pdf"):
        url.setFragment(f"page={page}")
    return open_url(url)


def opens_at_page(path: str) -> bool:
    """True when ``open_file`` opens ``path`` (a PDF) at the page asked for."""
    return pdf_page_command(path, 1) is not None


# Default PDF programs that open a file at a page: a word of their desktop file's name, the
# commands that run them, and their arguments ("{url}": the file's URL with "#page=N").
PDF_VIEWERS = [
    ("evince", ("evince",), ("--page-index={page}", "{path}")),
    ("atril", ("atril",), ("--page-index={page}", "{path}")),
    ("xreader", ("xreader",), ("--page-index={page}", "{path}")),
    ("okular", ("okular",), ("--page", "{page}", "{path}")),
    ("zathura", ("zathura",), ("--page={page}", "{path}")),
    ("firefox", ("firefox",), ("{url}",)),
    ("chromium", ("chromium", "chromium-browser"), ("{url}",)),
    ("chrome", ("google-chrome", "google-chrome-stable"), ("{url}",)),
]


def pdf_page_command(path: str, page: int, app: str | None = None,
                     which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The command that opens the PDF ``path`` at ``page`` (1-based) in the default PDF program
    ``app`` (its desktop file's name; ``default_pdf_app()`` when None), or None when ``path`` is not
    a PDF, or that program is not one of ``PDF_VIEWERS`` or not on the PATH (a Flatpak)."""
    if not path.lower().endswith(".pdf"):
        return None
    app = (default_pdf_app() if app is None else app).lower()
    for word, programs, args in PDF_VIEWERS:
        found = next((found for found in map(which, programs) if found), None) if word in app else None
        if found:
            url = f"{Path(path).absolute().as_uri()}#page={page}"
            return [found, *(arg.format(page=page, path=path, url=url) for arg in args)]
    return None


@lru_cache(maxsize=1)
def default_pdf_app() -> str:
    """The desktop file of the default PDF program (``xdg-mime query default application/pdf``;
    asked once), or "" when there is none, or no xdg-mime, or the system is not Linux or a BSD."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return ""
    try:
        done = subprocess.run(["xdg-mime", "query", "default", "application/pdf"], capture_output=True,
                              text=True, timeout=5, check=False, env=system_env())
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def start_detached(command: list[str]) -> bool:
    """Start ``command`` on its own (Grace does not wait for it); False when it cannot start.
    Tests replace this function."""
    try:
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, env=system_env())
    except OSError:
        return False
    return True


def system_env() -> dict[str, str]:
    """The environment for a program of the system: in a frozen app, without the library path
    PyInstaller points at its bundle (the program would load Grace's libraries, not its own)."""
    env = dict(os.environ)
    if getattr(sys, "frozen", False):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is None:
            env.pop("LD_LIBRARY_PATH", None)
        else:
            env["LD_LIBRARY_PATH"] = original
    return env


def add_shortcut(widget: Any, keys: Any, slot: Any, text: str, context: Any = None) -> Any:
    """Bind ``keys`` (a key, or a list of them) to ``slot``, called with no argument, while
    ``widget`` or one of its children has focus (or ``context``); returns the QAction."""
    from grace_desktop.qt import QAction, QKeySequence, Qt

    action = QAction(text, widget)
    action.setShortcuts([QKeySequence(k) for k in (keys if isinstance(keys, list) else [keys])])
    action.setShortcutContext(context or Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(lambda _checked=False: slot())  # not triggered's bool: add_row(False) failed
    widget.addAction(action)
    return action


def human_size(size: int | None) -> str:
    """``1536`` -> ``"1.5 KB"``; empty for an unknown size."""
    if size is None:
        return ""
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return ""


def human_time(when: float | None, now: float | None = None) -> str:
    """An epoch time as a person reads it: "14:03" today, "Mon 14:03" this week, else a date."""
    if not when:
        return ""
    now = now or time.time()
    local, today = time.localtime(when), time.localtime(now)
    if local[:3] == today[:3]:
        return time.strftime("today %H:%M", local)
    if 0 <= now - when < 6 * 86400:
        return time.strftime("%a %H:%M", local)
    return time.strftime("%Y-%m-%d %H:%M", local)


def percent(fraction: float) -> int:
    """A job's progress in whole percent, rounded down as its bar shows it (100 only when done):
    the Activity and the status bar say the same figure."""
    return int(fraction * 100 + 1e-9)


def escape(text: str) -> str:
    """``text`` made safe for Qt rich text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def breakable(text: str) -> str:
    """``text`` with a zero-width space after each / _ . - so a word-wrapped label can break a
    long file name or path instead of growing wider than the window."""
    return re.sub(r"(?<=[/_.\\-])(?=\S)", "\u200b", text)


MARKDOWN_FILES = (".md", ".markdown", ".mdown", ".mkd")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINE_MARK = re.compile(r"^ {0,3}(?:#{1,6}[ \t]+|(?:>[ \t]?)+)", re.M)  # "### Heading", "> quote"
# Lines that are only markup: a rule ("---", "***", a title's "===="), a code fence, a link's reference.
_MARKUP_LINE = re.compile(r"^ {0,3}(?:(?:[-*_][ \t]*){3,}|=+|```.*|~~~.*"
                          r"|\[(?!\^)[^\]\n]+\]:[ \t]*\S+(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*)$",
                          re.M)
_EMPHASIS = [
    re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),  # **strong**, __strong__
    re.compile(r"(?<![\w*])(\*)(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])"),  # *emphasis*
    re.compile(r"(?<![\w_])(_)(?=[^\s_])([^_\n]+?)(?<=\S)_(?![\w_])"),  # _emphasis_, not snake_case
    re.compile(r"(~~)(?=\S)(.+?)(?<=\S)~~"),  # ~~struck~~
    re.compile(r"(<)((?:https?|mailto):[^>\s]+)>"),  # <https://…>
    CODE_SPAN,  # `code`
]
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # "\*" is a star


def markdown_words(text: str, path: str) -> str:
    """``text`` as a person reads it when ``path`` is a Markdown file, on one line: table rows and
    links and inline HTML as their words (as chat reads and quotes them: ``table_rows_read``,
    ``reasoner_offline.readable``), without the markers of headings, quotes, emphasis and code, nor
    rules, code fences and link references (a snippet showed "**File ▸ Add files…**"); as it is
    otherwise."""
    if not path.lower().endswith(MARKDOWN_FILES):
        return text
    from engine.chat.reasoner_offline import readable

    text = _LINE_MARK.sub("", _MARKUP_LINE.sub("", table_rows_read(text)))
    text = readable(text.replace("![", "["))  # an image by its alt words, like a link
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\2", text)
    return _ESCAPED.sub(r"\1", text)


# A table's header and rule before the first row chat reads (rows between them that it does not
# read stay). Each "[^\n|]*\|" takes a line's first "|": one way to match, no backtracking blow-up.
_TABLE_HEAD = re.compile(r"(?m)^[ \t]*\|[^\n|]*\|[^\n]*\n[ \t]*(?=[^\n]*\|)[|: \t]*-[|:\- \t]*\n"
                         r"((?:[^\n|]*\|[^\n]*\n)*[ \t]*)\Z")
# Between two rows of one table: only lines with a "|" (rows chat does not read, kept as written).
_SAME_TABLE = re.compile(r"[ \t]*(?:\n[^\n|]*\|[^\n]*)*\n[ \t]*")


def table_rows_read(text: str) -> str:
    """``text`` with each row of its Markdown tables read as chat reads it ("Part: Brake pads,
    Interval: 2000 km, Last done: 2025-03-14", ``engine.chat.sentences``), ended by a full stop,
    and the header and rule lines above a table's rows left out: each row names its columns.
    A search snippet showed "| Part | Interval | Last done | |------|----------|…"."""
    if "|" not in text:
        return text
    from engine.chat.sentences import split_sentences

    out: list[str] = []
    last = 0
    for row in (s for s in split_sentences(text) if s.kind == "row"):
        before = text[last:row.start]
        if not (out and _SAME_TABLE.fullmatch(before)):  # a table starts here
            before = _TABLE_HEAD.sub(r"\1", before)
        out += [before, row.display.rstrip(".") + "."]
        last = row.end
    return "".join(out) + text[last:]
