"""Grace's Qt panes and item models. They read and change the workspace only through
``engine.Workspace`` methods, run by the shell's runner, and import Qt only through
``grace_desktop.qt``.

The small helpers here are shared by several panes.
"""

from __future__ import annotations

import re
import time
from typing import Any


def open_url(url: Any) -> bool:
    """Open ``url`` (a QUrl) with the system's handler; tests replace this function."""
    from grace_desktop.qt import QDesktopServices

    return bool(QDesktopServices.openUrl(url))


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
_HEADING_MARK = re.compile(r"^ {0,3}#{1,6}[ \t]+", re.M)
_EMPHASIS = [
    re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"),  # **strong**, __strong__
    re.compile(r"(?<![\w*])(\*)(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])"),  # *emphasis*
    re.compile(r"(?<![\w_])(_)(?=[^\s_])([^_\n]+?)(?<=\S)_(?![\w_])"),  # _emphasis_, not snake_case
    CODE_SPAN,  # `code`
]


def markdown_words(text: str, path: str) -> str:
    """``text`` as a person reads it when ``path`` is a Markdown file, on one line: links and inline
    HTML as their words (as chat quotes them, ``reasoner_offline.readable``), without the markers
    of headings, emphasis and code (a snippet showed "**File ▸ Add files…**"); as it is otherwise."""
    if not path.lower().endswith(MARKDOWN_FILES):
        return text
    from engine.chat.reasoner_offline import readable

    text = readable(_HEADING_MARK.sub("", text).replace("![", "["))  # an image by its alt words, like a link
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\2", text)
    return text
