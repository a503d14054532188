"""The main window: a sidebar of panes, menus with shortcuts, a status bar, a notification
bar, and a drop target covering the whole window.

Panes plug in with ``register_pane(name, widget, icon)``; the window knows nothing about
what a pane shows. Actions a pane cannot do alone (adding files, watching a folder, opening
settings) leave the window as signals, which the shell wires to the runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grace_desktop import appsettings
from grace_desktop.qt import (
    QAction,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QEvent,
    QFont,
    QHBoxLayout,
    QIcon,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QObject,
    QPainter,
    QPalette,
    QPen,
    QSize,
    QSizePolicy,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

from . import file_dialogs
from .errors import NotificationBar
from .theme import colors, tint


@dataclass
class Pane:
    name: str
    key: str
    widget: QWidget
    item: QListWidgetItem
    action: QAction


class DropOverlay(QWidget):
    """A translucent highlight saying "Drop to add to Grace" while files are dragged over."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        accent = QColor(colors()["overlay"])
        veil = QColor(self.palette().window().color())
        veil.setAlpha(215)
        p.fillRect(self.rect(), veil)
        pen = QPen(accent, 3, Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.drawRoundedRect(self.rect().adjusted(10, 10, -10, -10), 14, 14)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        p.setFont(font)
        text_rect = p.fontMetrics().boundingRect("Drop to add to Grace").adjusted(-28, -16, 28, 16)
        text_rect.moveCenter(self.rect().center())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(accent)
        p.drawRoundedRect(text_rect, 12, 12)
        p.setPen(QColor("#ffffff"))
        p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, "Drop to add to Grace")


class ElidedLabel(QLabel):
    """One line that shortens itself with "…" to the room it is given (up to ``widest`` pixels):
    in a narrow status bar it gives way to the workspace's figures. ``text()`` stays whole.
    ``keep``: the pixels it holds on to before giving way (its whole text, if shorter). ``short``:
    shown instead when the room left would keep only a stub of the text ("Grace…")."""

    def __init__(self, widest: int, parent: QWidget | None = None, keep: int = 60, short: str = "") -> None:
        super().__init__(parent)
        self.widest, self.short = widest, short
        self.keep = max(keep, self.fontMetrics().horizontalAdvance(short) + 4)  # (elidedText wants a little more)

    def shown(self) -> str:
        """The text as drawn, shortened to the label's width at the end of a word ("the file is
        not …" read as if the file were not something)."""
        text, width = self.text(), self.contentsRect().width()
        cut = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, width)
        if cut == text or not cut.endswith("…"):
            return cut
        words = cut[:-1].rstrip()
        if not text[len(words):len(words) + 1].isspace() and " " in words:  # it ends inside a word
            words = words.rsplit(" ", 1)[0]
        if self.short and len(words) < STUB_CHARS:
            return self.fontMetrics().elidedText(self.short, Qt.TextElideMode.ElideRight, width)
        return words.rstrip(" ,;:—-") + "…"

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        return QSize(min(hint.width(), self.widest), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(min(super().sizeHint().width(), self.widest, self.keep), super().minimumSizeHint().height())

    def paintEvent(self, _event: object) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(self.contentsRect(), align, self.shown())


class WorkspaceLabel(ElidedLabel):
    """"Workspace: ~/Grace — 5 documents, 5 passages": short of room, the folder's path gives way
    in its middle ("Workspace: ~/…/Grace — …"), then to the folder's name alone, and the figures stay
    whole; squeezed below its minimum, it shows the figures alone (the tooltip has it all)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(10_000, parent)
        self.setText(text)

    def _parts(self) -> tuple[str, str, str] | None:
        head, sep, figures = self.text().partition(" — ")
        if not sep or not head.startswith(WORKSPACE_PREFIX):
            return None
        return WORKSPACE_PREFIX, head.removeprefix(WORKSPACE_PREFIX), sep + figures

    def shown(self) -> str:
        parts, width = self._parts(), self.contentsRect().width()
        metrics = self.fontMetrics()
        if parts is None or metrics.horizontalAdvance(self.text()) <= width:
            return super().shown()
        prefix, path, figures = parts
        room = width - metrics.horizontalAdvance(prefix + figures)
        if room < metrics.horizontalAdvance("…"):  # squeezed by a note and an error at 800 px: the figures alone
            return metrics.elidedText(figures.removeprefix(" — "), Qt.TextElideMode.ElideRight, width)
        cut = metrics.elidedText(path, Qt.TextElideMode.ElideMiddle, room)
        name = path.rstrip("/\\").replace("\\", "/").rsplit("/", 1)[-1]
        if name and not cut.endswith(name):  # "/t…sh" named no folder at all; "ui2-fresh" does
            cut = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
        return prefix + (cut or "…") + figures

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        parts = self._parts()
        if parts is None:
            return super().minimumSizeHint()
        prefix, path, figures = parts
        least = self.fontMetrics().horizontalAdvance(f"{prefix}{path[:2]}…{path[-6:]}{figures}")
        margins = self.contentsMargins()
        return QSize(least + margins.left() + margins.right(), super().minimumSizeHint().height())


WORKSPACE_PREFIX = "Workspace: "
STUB_CHARS = 24  # a sentence cut shorter than this says nothing ("Grace could not…"): a label's ``short`` instead


class MainWindow(QMainWindow):
    """The shell's window; see the module docstring."""

    add_paths = Signal(list)  # files and folders to ingest (dropped or chosen)
    watch_folder = Signal(str)
    settings_requested = Signal()
    pane_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Grace")
        self.setAcceptDrops(True)
        self.panes: dict[str, Pane] = {}
        self._policies: dict[QWidget, QSizePolicy] = {}  # each pane's own size policy
        self.persist = True  # False: neither restore nor save the layout (probe runs, screenshots)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(150)
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setSpacing(2)
        self.sidebar.setFrameShape(QListWidget.Shape.NoFrame)
        self.stack = QStackedWidget()
        self.notifications = NotificationBar()
        self.notifications.dismissed.connect(lambda: self.show_error(""))  # dismissed there, gone here too
        self._build_central()
        self._build_status_bar()
        self._build_menus()
        self.overlay = DropOverlay(self.central)
        self.sidebar.currentRowChanged.connect(self._on_row)

    # -- layout ----------------------------------------------------------------------------

    def _build_central(self) -> None:
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(8, 8, 8, 0)
        column.setSpacing(6)
        column.addWidget(self.notifications)
        column.addWidget(self.stack, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.sidebar)
        row.addWidget(right, 1)
        self.setCentralWidget(central)
        self.central = central

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.workspace_label = WorkspaceLabel("Opening workspace…")
        self.model_label = QLabel("Model: loads after startup")
        self.queue_label = QLabel("Queue: empty")
        # Short of room, the error (whole in the bar above and in its tooltip) and the workspace's
        # path give way alike; a passing note (``flash``) stays whole beside them, up to ``keep``.
        self.error_label = ElidedLabel(420, short="Error: see above")
        tint(self.error_label, "error")  # follows a light/dark switch
        self.news_label = ElidedLabel(360, keep=300)
        tint(self.news_label, "muted")
        self._news_timer = QTimer(self, singleShot=True)
        self._news_timer.timeout.connect(lambda: self.flash(""))
        for label in (self.workspace_label, self.model_label, self.queue_label):
            label.setContentsMargins(6, 0, 6, 0)
        bar.addWidget(self.workspace_label, 1)
        bar.addWidget(self.news_label)
        bar.addPermanentWidget(self.error_label)
        bar.addPermanentWidget(self.queue_label)
        bar.addPermanentWidget(self.model_label)

    def _build_menus(self) -> None:
        self.file_menu = file = self.menuBar().addMenu("&File")
        self._action(file, "&Add files…", self.choose_files, QKeySequence.StandardKey.Open)
        self._action(file, "Add &folder…", self.choose_folder, "Ctrl+Shift+O")
        self._action(file, "&Watch folder…", self.choose_watch_folder, "Ctrl+Shift+W")
        file.addSeparator()
        self._action(file, "&Settings…", self.settings_requested.emit, "Ctrl+,")
        file.addSeparator()
        self._action(file, "&Quit", self.close, _quit_key())
        edit = self.menuBar().addMenu("&Edit")
        self._action(edit, "&Find", self.focus_search, QKeySequence.StandardKey.Find)
        self.view_menu = self.menuBar().addMenu("&View")
        help_menu = self.menuBar().addMenu("&Help")
        self._action(help_menu, "&About Grace", self._about)
        self._action(help_menu, "About &Qt", lambda: QMessageBox.aboutQt(self, "About Qt"))

    def _action(self, menu: QObject, text: str, slot: Callable[[], object],
                shortcut: str | QKeySequence.StandardKey | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)  # type: ignore[attr-defined]
        return action

    # -- panes -----------------------------------------------------------------------------

    def register_pane(self, name: str, widget: QWidget, icon: QIcon | None = None) -> str:
        """Add a pane to the sidebar and the View menu (Ctrl+1…9 in order); returns its key,
        the lower-case name that ``show_pane`` and ``--pane`` accept."""
        key = name.lower()
        if key in self.panes:
            raise ValueError(f"A pane called {name!r} is already registered.")
        item = QListWidgetItem(self._untinted(icon or QIcon()), name)
        item.setSizeHint(QSize(0, 34))
        self.sidebar.addItem(item)
        self.stack.addWidget(widget)
        number = len(self.panes) + 1
        action = self._action(self.view_menu, name, lambda: self.go_to_pane(key),
                              f"Ctrl+{number}" if number <= 9 else None)
        self.panes[key] = Pane(name, key, widget, item, action)
        self._capture_drops(widget)
        if self.sidebar.currentRow() < 0:
            self.sidebar.setCurrentRow(0)
        self._size_to_current()
        return key

    def set_pane_count(self, key: str, count: int, tip: str = "") -> None:
        """Show ``count`` beside pane ``key``'s name in the sidebar ("Approvals (2)"; nothing for 0),
        with ``tip`` as its tooltip: what waits there, seen from any pane."""
        pane = self.panes[key]
        pane.item.setText(f"{pane.name} ({count:,})" if count else pane.name)
        pane.item.setToolTip(tip if count else "")

    def _untinted(self, icon: QIcon) -> QIcon:
        """``icon`` drawn as it is on the selected row too: the style's selected mode tints it
        with the highlight colour, and a blue icon on the blue highlight disappeared."""
        if icon.isNull():
            return icon
        plain = QIcon(icon)
        plain.addPixmap(icon.pixmap(self.sidebar.iconSize()), QIcon.Mode.Selected)
        return plain

    def replace_pane(self, key: str, widget: QWidget) -> None:
        """Put ``widget`` in place of pane ``key``'s widget (a placeholder built at startup)."""
        pane = self.panes[key.lower()]
        showing = self.stack.currentWidget() is pane.widget
        index = self.stack.indexOf(pane.widget)
        self.stack.insertWidget(index, widget)
        self.stack.removeWidget(pane.widget)
        self._policies.pop(pane.widget, None)
        pane.widget.deleteLater()
        pane.widget = widget
        self._capture_drops(widget)
        if showing:
            self.stack.setCurrentWidget(widget)
        self._size_to_current()

    def add_pane_action(self, key: str, action: QAction) -> QAction:
        """Give pane ``key``'s ``action`` to the whole window, first in the File menu: its shortcut
        works whichever pane is on show, and shows that pane before the action runs. Returns the
        window's action."""
        self.panes[key.lower()].widget.removeAction(action)  # one owner of the shortcut, or it is ambiguous
        own = QAction(action.text(), self)
        own.setShortcut(action.shortcut())
        own.triggered.connect(lambda: self._show_and_trigger(key, action))
        self.file_menu.insertAction(self.file_menu.actions()[0], own)
        self.addAction(own)
        return own

    def _show_and_trigger(self, key: str, action: QAction) -> None:
        if self.show_pane(key):
            action.trigger()

    def show_pane(self, key: str) -> bool:
        """Switch to the pane ``key`` (case-insensitive); False if there is none."""
        pane = self.panes.get(key.lower())
        if pane is None:
            return False
        self.sidebar.setCurrentItem(pane.item)
        return True

    def go_to_pane(self, key: str) -> bool:
        """View ▸ pane (Ctrl+1…9): show pane ``key`` and put the keyboard focus in it, on its
        ``keyboard_entry`` (the chat's question box, the search box, the Library's list) or else its
        first control. Not a focus proxy: Qt moves a proxy up the Tab chain, so Tab would skip the
        controls above a pane's list."""
        if not self.show_pane(key):
            return False
        widget = self.panes[key.lower()].widget
        target = getattr(widget, "keyboard_entry", None) or first_tab_stop(widget)
        if target is not None:
            target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def current_pane(self) -> str:
        widget = self.stack.currentWidget()
        return next((p.key for p in self.panes.values() if p.widget is widget), "")

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)
            self._size_to_current()
            self.pane_changed.emit(self.current_pane())

    def _size_to_current(self) -> None:
        """Only the pane on show sets the window's minimum size: a hidden pane's size policy is
        Ignored (a stack is otherwise as wide as its widest pane, shown or not)."""
        current = self.stack.currentWidget()
        for i in range(self.stack.count()):
            widget = self.stack.widget(i)
            if widget is None:
                continue
            own = self._policies.setdefault(widget, widget.sizePolicy())
            ignored = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            widget.setSizePolicy(own if widget is current else ignored)

    def focus_search(self) -> None:
        """Edit ▸ Find: show the Search pane and put the cursor in its box."""
        if self.show_pane("search"):
            focus = getattr(self.panes["search"].widget, "focus_query", None)
            if focus:
                focus()

    # -- status bar ------------------------------------------------------------------------

    def set_status(self, workspace: str | None = None, model: str | None = None, queue: str | None = None) -> None:
        """Update the status bar's permanent parts (None leaves a part as it is)."""
        for label, text in ((self.workspace_label, workspace), (self.model_label, model),
                            (self.queue_label, queue)):
            if text is not None:
                label.setText(text)
                label.setToolTip(text if label is self.workspace_label else "")  # its path may be cut short

    def flash(self, sentence: str, ms: int = 5000, tip: str = "") -> None:
        """A passing note in the status bar for ``ms`` milliseconds (a job started, a watched
        folder changed), beside the workspace's figures: ``QStatusBar.showMessage`` hid them.
        ``tip`` (the sentence itself if not given) is its tooltip: the whole story of a short note."""
        self.news_label.setText(sentence)
        self.news_label.setToolTip(tip or sentence)
        if sentence:
            self._news_timer.start(ms)

    def show_error(self, sentence: str) -> None:
        """The last error, shortened in the status bar; the full sentence in its tooltip."""
        self.error_label.setText(sentence)
        self.error_label.setToolTip(sentence)

    # -- adding files ----------------------------------------------------------------------

    def choose_files(self) -> None:
        paths = file_dialogs.open_files(self, "Add files to Grace")
        if paths:
            self.add_paths.emit(paths)

    def choose_folder(self) -> None:
        folder = file_dialogs.existing_folder(self, "Add a folder to Grace")
        if folder:
            self.add_paths.emit([folder])

    def choose_watch_folder(self) -> None:
        folder = file_dialogs.existing_folder(self, "Watch a folder", file_dialogs.WATCH)
        if folder:
            self.watch_folder.emit(folder)

    def _capture_drops(self, widget: QWidget) -> None:
        """Route file drags on a pane's drop-accepting children (line edits, …) to the window."""
        for child in [widget, *widget.findChildren(QWidget)]:
            if child.acceptDrops():
                child.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        handlers: dict[QEvent.Type, Callable[[Any], None]] = {
            QEvent.Type.DragEnter: self.dragEnterEvent, QEvent.Type.DragMove: self.dragMoveEvent,
            QEvent.Type.Drop: self.dropEvent}
        handler = handlers.get(event.type())
        if handler is not None and _local_paths(event):
            handler(event)
            return True
        if event.type() == QEvent.Type.DragLeave:
            self.overlay.hide()
        return super().eventFilter(watched, event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt's name
        if _local_paths(event):
            event.acceptProposedAction()
            self.overlay.setGeometry(self.central.rect())
            self.overlay.raise_()
            self.overlay.show()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        event.acceptProposedAction() if _local_paths(event) else event.ignore()  # type: ignore[attr-defined]

    def dragLeaveEvent(self, _event: QEvent) -> None:  # noqa: N802 - Qt's name
        self.overlay.hide()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt's name
        self.overlay.hide()
        paths = _local_paths(event)
        if paths:
            event.acceptProposedAction()
            self.add_paths.emit(paths)

    # -- the end ---------------------------------------------------------------------------

    def restore_state(self) -> None:
        """Put the window back where it was (or give it a sensible first size)."""
        geometry = appsettings.load("window/geometry") if self.persist else None
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1120, 720)
        pane = appsettings.load("window/pane") if self.persist else None
        if pane:
            self.show_pane(str(pane))

    def save_state(self) -> None:
        appsettings.save("window/geometry", self.saveGeometry())
        appsettings.save("window/pane", self.current_pane())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        if self.persist:
            self.save_state()
            for pane in self.panes.values():
                save = getattr(pane.widget, "save_state", None)
                if save:
                    save()
        super().closeEvent(event)

    def _about(self) -> None:
        from grace_desktop import __version__

        QMessageBox.about(self, "About Grace", f"<b>Grace Desktop {__version__}</b><p>A private, offline "
                                               "knowledge workspace. Everything stays on this computer.</p>"
                          + _licences_html())


def first_tab_stop(widget: QWidget) -> QWidget | None:
    """The first control inside ``widget``, in Tab order, that takes the focus now."""
    candidate = widget.nextInFocusChain()
    while candidate is not None and candidate is not widget:
        if (widget.isAncestorOf(candidate) and candidate.isVisibleTo(widget) and candidate.isEnabled()
                and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus):
            return candidate
        candidate = candidate.nextInFocusChain()
    return None


def _quit_key() -> QKeySequence.StandardKey | str:
    """The platform's Quit key, or Ctrl+Q where the platform has none (Windows, offscreen)."""
    standard = QKeySequence.StandardKey.Quit
    return standard if QKeySequence.keyBindings(standard) else "Ctrl+Q"


def _licences_html() -> str:
    """About's licence lines: Grace's, Qt's, and where the packaged app keeps every notice."""
    import sys
    from pathlib import Path

    from grace_desktop.qt import QUrl

    from . import escape

    here = Path(sys.executable).resolve().parent  # packaging/notices.py puts licenses/ beside it
    folder = next((f for f in (here / "licenses", here.parent / "Resources" / "licenses") if f.is_dir()), None)
    where = (f"<a href='{QUrl.fromLocalFile(str(folder)).toString()}'>{escape(str(folder))}</a>" if folder
             else "the <i>licenses</i> folder beside the Grace program")
    return ("<p>Grace is licensed under the Apache License 2.0 (Apache-2.0).</p>"
            "<p>It uses Qt through PySide6, under the GNU Lesser General Public License v3 (LGPL-3.0); "
            "Help ▸ About Qt says more.</p>"
            f"<p>The licences of Grace and of every component it includes are in {where}.</p>")


def _local_paths(event: QEvent) -> list[str]:
    """The local files and folders a drag carries (nothing for web links or text)."""
    mime = event.mimeData()  # type: ignore[attr-defined]
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile() and url.toLocalFile()]
