"""The chat pane's pieces: message bubbles, citation chips, action cards, the telemetry panel
and the question box.

Nothing here may make the conversation wider than its view: text wraps (a long word
anywhere), chips elide their file names and wrap onto new lines, rows shrink.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import ui
from engine.chat import Action, Citation
from engine.chat.actions import interrupted
from engine.chat.reasoner_offline import readable
from engine.chat.render import confidence_words, late_result, weighed
from grace_desktop.qt import (
    QCoreApplication,
    QEvent,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSize,
    QSizePolicy,
    Qt,
    QTextBrowser,
    QTextDocument,
    QVBoxLayout,
    QWidget,
    Signal,
)

from . import CODE_SPAN, MARKDOWN_FILES, breakable
from .links import LinkLabel
from .roving import RovingFocus
from .theme import tint

_MD_FLAG_UNDERLINE = 0x4000  # md4c's flag, in Qt's GitHub dialect: it reads _text_ as underlined, like a link
MARKDOWN_FEATURES = QTextDocument.MarkdownFeature(
    (QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value | QTextDocument.MarkdownFeature.MarkdownNoHTML.value)
    & ~_MD_FLAG_UNDERLINE)  # so _text_ is emphasis (italic), as in any other Markdown reader
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")

CHIP_NAME_PX = 220  # a chip shows at most this many pixels of its file name (the middle elided)
CHIP_SPACING = 6
ROVING_TIP = "Tab moves past this answer's sources and ratings; the arrow keys move between them."
INPUT_LINES = (2, 6)  # the question box is this many lines high at least / at most
# Where an action stands, in words: what a pending one waits for (by its tier), else its status.
_TIER_WAIT = {1: "runs at once (read-only)", 2: "waits for your approval", 3: "needs your confirmation with a reason"}
_STATUS_WORDS = {"approved": "approved, running", "rejected": "rejected", "failed": "failed"}
FALLBACK_TIP = ("The chat endpoint set in Settings gave no answer, so Grace answered from your files alone. Check "
                "that the endpoint is running at that address, or clear Chat endpoint URL in Settings to answer "
                "offline without trying it.")
# The engine starts an answer it gave offline after an endpoint failure with this line (in *...*;
# in _..._ in chats saved before session 20).
_FALLBACK = re.compile(r"\A\s*([_*])(?P<notice>Answered offline from your files: [^\n]*)\1[ \t]*(?:\n|\Z)")


def confidence_role(confidence: float, abstained: bool) -> str:
    """The colour of a confidence line: a low score is a caution (amber), not a failure (red, which
    is kept for errors); an answer that declined says so in plain muted words."""
    if abstained:
        return "muted"
    return "ok" if confidence >= 0.75 else "muted" if confidence >= 0.5 else "warning"


def done_words(action: Action) -> str:
    """"done", with what an ingest or a re-index did when its result says (files read, passages,
    time) and which table a create made; for the card of an executed action and the Activity. It
    tells what the action did then, in the past: a card is read again after later changes (the
    table deleted further down the same chat)."""
    result = action.result if isinstance(action.result, dict) else {}
    if action.type == "ingest" and "ingested" in result:
        failed = len(result.get("failed") or [])
        parts = [_count(int(result["ingested"]), "file") + " read", f"{int(result.get('unchanged') or 0)} unchanged"]
        parts += [f"{failed} could not be read (see Recent failures)"] if failed else []
        chunks = _count(int(result.get("chunks") or 0), "new passage")
        return f"done: {', '.join(parts)}; {chunks} in {float(result.get('seconds') or 0):.1f} s"
    if action.type == "reindex" and "vectors" in result:
        return f"done: the search index was rebuilt with {_count(int(result['vectors']), 'passage')}"
    if action.type == "create_table" and result.get("table"):  # "done" alone left the person to find it
        table = result["table"]
        return f"done: the table “{table}” was there already" if result.get("existed") \
            else f"done: made the table “{table}”"
    return "done"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def split_notice(text: str) -> tuple[str, str]:
    """``(notice, rest)``: the offline-fallback line an answer starts with (if any) and the answer."""
    match = _FALLBACK.match(text)
    if match is None:
        return "", text
    return match.group("notice"), text[match.end():].lstrip("\n")


class MessageText(QTextBrowser):
    """Read-only text that wraps at its width (a long word anywhere) and is as high as its text.

    ``fmt`` is "markdown", "plain" or "html"; ``text()`` gives back what was set.
    """

    def __init__(self, fmt: str = "markdown", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fmt = fmt
        self._source = ""
        self._heights: dict[int, int] = {}
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrapMode(type(self.wordWrapMode()).WrapAtWordBoundaryOrAnywhere)
        self.document().setDocumentMargin(0)
        self.setOpenLinks(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # selectable and copyable, not a Tab stop
        self.setTabChangesFocus(True)
        self.viewport().setAutoFillBackground(False)
        self._measure = self.document().clone(self)  # lays the text out at widths the layout asks about
        self._measure.setDocumentMargin(0)
        self.setStyleSheet("QTextBrowser { background: transparent; }")
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_tone(self, role: str, italic: bool = False) -> None:
        """Write the text in the semantic colour ``role`` (following light and dark), in italics if asked."""
        tint(self, role)
        font = self.font()
        font.setItalic(italic)
        self.setFont(font)

    def text(self) -> str:
        return self._source

    def set_text(self, text: str) -> None:
        self._source = text
        for doc in (self.document(), self._measure):
            if self.fmt == "markdown":  # HTML in it is text: a file's "<img>" must not hide the rest
                doc.setMarkdown(text, MARKDOWN_FEATURES)
            elif self.fmt == "html":
                doc.setHtml(text)
            else:
                doc.setPlainText(text)
        self._remeasure()

    def _remeasure(self) -> None:
        self._measure.setDefaultFont(self.font())
        self._heights.clear()
        self.updateGeometry()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._remeasure()

    def wheelEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        """The text never scrolls by itself: the wheel scrolls the conversation around it."""
        outer = self.parentWidget()
        while outer is not None and not isinstance(outer, QScrollArea):
            outer = outer.parentWidget()
        if outer is None:
            event.ignore()
            return
        QCoreApplication.sendEvent(outer.verticalScrollBar(), event)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        if width not in self._heights:
            m = self.contentsMargins()
            self._measure.setTextWidth(max(1, width - m.left() - m.right()))
            self._heights[width] = math.ceil(self._measure.size().height()) + m.top() + m.bottom()
        return self._heights[width]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        self._measure.setTextWidth(-1)
        width = min(math.ceil(self._measure.idealWidth()) + 2, 480)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(24, self.fontMetrics().height())


def literal_quotes(text: str, citations: list[Citation]) -> str:
    """``text`` (an answer's Markdown) with the quotes from files that are not Markdown made
    literal, so that a text file's ``__init__`` or ``2*qty*rate`` shows as written, not as
    emphasis. Code spans the answer made (from reST roles) stay code."""
    for c in citations:
        shown = readable(c.quote)
        if shown and not c.path.lower().endswith(MARKDOWN_FILES) and shown in text:
            text = text.replace(shown, _escape_outside_code(shown))
    return text


def _escape_outside_code(text: str) -> str:
    parts, last = [], 0
    for span in CODE_SPAN.finditer(text):
        parts += [_MARKDOWN_SPECIAL.sub(r"\\\1", text[last:span.start()]), span.group(0)]
        last = span.end()
    return "".join(parts) + _MARKDOWN_SPECIAL.sub(r"\\\1", text[last:])


class EnterButton(QPushButton):
    """A push button that Enter clicks too, as it follows a link (a push button takes only Space
    outside a dialog): a citation chip, an example question, "Show the query"."""

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.click()
            return
        super().keyPressEvent(event)


class CitationChip(EnterButton):
    """'[1] guide.md · l. 7': a click opens the file (a PDF at its page). A long file name is
    elided in the middle (more when the bubble is narrow); the tooltip has the full path."""

    def __init__(self, citation: Citation, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.citation = citation
        where = citation.where()
        short = where.replace("lines ", "l. ").replace("line ", "l. ")
        self._prefix, self._name = f"[{citation.n}] ", os.path.basename(citation.path) or citation.path
        self._suffix = f" · {short}" if short else ""
        self.setObjectName("chip")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet("QPushButton#chip { border: 1px solid palette(mid); border-radius: 10px; "
                           "padding: 2px 10px; background: palette(alternate-base); }"
                           "QPushButton#chip:hover, QPushButton#chip:focus { border-color: palette(highlight); }")
        opens = "Click to open the file"
        if citation.page and ui.opens_at_page(citation.path):
            opens += f" at page {citation.page}"
        elif where:
            opens += f"; the quote is at {where}"
        quote = f"“{' '.join(citation.quote.split())}”\n\n" if citation.quote.strip() else ""  # a row: maybe none
        self.setToolTip(f"{self._name}{' — ' + where if where else ''}\n{citation.path}\n\n{quote}{opens}.")
        self._fit(CHIP_NAME_PX)
        self._full = self.text()

    def _fit(self, name_px: int) -> None:
        name = self.fontMetrics().elidedText(self._name, Qt.TextElideMode.ElideMiddle, max(name_px, 0))
        self.setText(self._prefix + name + self._suffix)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        """The size for the label elided at CHIP_NAME_PX, whatever it shows now."""
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        extra = metrics.horizontalAdvance(self._full) - metrics.horizontalAdvance(self.text())
        return QSize(hint.width() + extra, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(min(self.sizeHint().width(), 60), super().minimumSizeHint().height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        slack = self.width() - self.sizeHint().width()
        if slack >= 0:  # room for the label as made: elided at CHIP_NAME_PX only
            self._fit(CHIP_NAME_PX)
            return
        # Narrower than its label: the name gives up the missing pixels.
        shown = self.fontMetrics().horizontalAdvance(
            self.fontMetrics().elidedText(self._name, Qt.TextElideMode.ElideMiddle, CHIP_NAME_PX))
        self._fit(shown + slack)


class ChipFlow(QWidget):
    """Citation chips left to right, wrapping onto new lines within the bubble's width."""

    def __init__(self, chips: list[CitationChip], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chips = chips
        for chip in chips:
            chip.setParent(self)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def _place(self, width: int, apply: bool) -> int:
        """Lay the chips out in ``width`` (moving them when ``apply``); returns the height used."""
        x = y = row = 0
        for chip in self.chips:
            hint = chip.sizeHint()
            w = min(hint.width(), max(width, 1))
            if x > 0 and x + w > width:
                x, y, row = 0, y + row + CHIP_SPACING, 0
            if apply:
                chip.setGeometry(x, y, w, hint.height())
            x += w + CHIP_SPACING
            row = max(row, hint.height())
        return y + row

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self._place(width, apply=False)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        width = sum(c.sizeHint().width() for c in self.chips) + CHIP_SPACING * max(len(self.chips) - 1, 0)
        return QSize(width, self._place(width, apply=False))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(min(self.sizeHint().width(), 60), self.chips[0].sizeHint().height() if self.chips else 0)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place(self.width(), apply=True)


def _card_title(action: Action) -> str:
    """An action card's title: its summary in bold; a query's is "Read-only query" (its SQL waits
    behind the card's "Show the query": the answer above says in words what it found)."""
    return "<b>Read-only query</b>" if _query_sql(action) else f"<b>{_escape(action.summary)}</b>"


def _query_sql(action: Action) -> str:
    """The SQL of a query action ("" for any other action)."""
    sql = action.params.get("sql") if action.type == "query" else None
    return sql if isinstance(sql, str) else ""


_READ_ONLY_DONE = "ran on your tables; nothing was changed"


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def _action_number_tip(action: Action) -> str:
    """The action's number, kept out of the card ("Action 1 · done" was bookkeeping): the Activity,
    the chat's notes and ``grace actions`` call it by that number."""
    return (f"Action {action.id}: the Activity and the chat's notes call it by this number, and "
            f"“grace actions approve {action.id}” or “grace actions reject {action.id}” decide it from a terminal."
            if action.status == "pending" else
            f"Action {action.id}: the Activity, the chat's notes and “grace actions list” call it by this number.")


class ActionCard(QFrame):
    """A proposed action with Approve and Reject; tier 3 asks for a typed reason.

    ``tier`` is the action's tier under the current policy, which may have raised it since the
    action was proposed; ``busy`` is True while a decision on it is under way.
    """

    approve_requested = Signal(int, str)
    reject_requested = Signal(int, str)

    def __init__(self, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tier, self.busy = action.tier, False
        self.setObjectName("actionCard")
        # The reason box has a border of its own: on the card's base colour, dark mode's frame vanished.
        self.setStyleSheet("QFrame#actionCard { border: 1px solid palette(mid); border-left: 4px solid "
                           "palette(highlight); border-radius: 6px; background: palette(base); }"
                           "QFrame#actionCard QLineEdit { border: 1px solid palette(mid); border-radius: 3px; "
                           "padding: 2px 4px; }"
                           "QFrame#actionCard QLineEdit:focus { border-color: palette(highlight); }")
        self.title = MessageText("html")
        # A query's SQL, for whoever wants to check it, in the code font; hidden until asked for.
        self.show_query = EnterButton("Show the query")
        self.show_query.setObjectName("queryToggle")
        self.show_query.setCheckable(True)
        self.show_query.setCursor(Qt.CursorShape.PointingHandCursor)
        self.show_query.setToolTip("The SQL Grace ran on your tables for this answer (Space or Enter shows or "
                                   "hides it).")
        self.show_query.setStyleSheet("QPushButton#queryToggle { border: 1px solid transparent; border-radius: 4px; "
                                      "padding: 2px 6px; background: transparent; color: palette(link); }"
                                      "QPushButton#queryToggle:hover, QPushButton#queryToggle:focus "
                                      "{ border-color: palette(mid); }")
        self.show_query.toggled.connect(self._show_sql)
        self.sql = MessageText("html")
        self.sql.hide()
        self.loss = QLabel()  # what approving it would take away (a table's rows, a document's passages)
        self.loss.setWordWrap(True)
        tint(self.loss, "warning")
        self._loss: str | None = None
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.result = MessageText("markdown")  # what an action approved later found
        self.reason = QLineEdit()
        self.approve = QPushButton("Approve")
        self.reject = QPushButton("Reject")
        self.approve.clicked.connect(lambda: self.approve_requested.emit(self.action.id, self.reason.text().strip()))
        self.reject.clicked.connect(lambda: self.reject_requested.emit(self.action.id, self.reason.text().strip()))
        self.reason.textChanged.connect(lambda _t: self._enable())
        self.reason.returnPressed.connect(self._reason_entered)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.approve)
        buttons.addWidget(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.loss)
        layout.addWidget(self.state)
        layout.addWidget(self.show_query, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.sql)
        layout.addWidget(self.result)
        layout.addWidget(self.reason)  # a line of its own: the placeholder is readable in a narrow window
        layout.addLayout(buttons)
        self.show_action(action)

    def show_action(self, action: Action, tier: int | None = None, loss: str | None = None) -> None:
        """Show ``action``'s current status (buttons only while it is pending, and Approve again once
        it was interrupted); ``tier`` is the tier a pending action needs under the current policy
        (``Actions.tier_now``), ``loss`` what approving it would take away (kept until told again)."""
        self.action, self.busy = action, False
        pending = action.status == "pending"
        self.tier = (tier or action.tier) if pending else action.tier
        self.title.set_text(_card_title(action))
        sql = _query_sql(action)
        self.sql.set_text(f"<code>{_escape(sql)}</code>" if sql else "")
        self.show_query.setVisible(bool(sql))
        self.sql.setVisible(bool(sql) and self.show_query.isChecked())
        self._loss = loss if loss is not None else self._loss
        self.loss.setText(self._loss or "")
        self.loss.setVisible(pending and bool(self._loss))
        state = (_TIER_WAIT.get(self.tier, "") if pending else done_words(action) if action.status == "executed"
                 else _STATUS_WORDS.get(action.status, action.status))
        if pending and self.tier > action.tier:
            state += " (the action policy in Settings now asks for this)"
        if action.reason and not pending:
            state += f" · reason: {action.reason}"
        if action.error:
            state += f" · {action.error}"
        self.state.setText(_sentence(_READ_ONLY_DONE if _query_sql(action) and action.status == "executed" else state))
        self.state.setToolTip(_action_number_tip(action))
        tint(self.state, "error" if action.status == "failed" else "muted")
        found = late_result(action)
        self.result.set_text(found or "")
        self.result.setVisible(bool(found))
        self.reason.setPlaceholderText("Reason (required to confirm)" if self.tier >= 3
                                       else "Reason (needed to reject)")
        again = interrupted(action)  # cut short: approving it again runs it again
        self.approve.setText("Approve again" if again else "Approve")
        self.approve.setToolTip("Run this action again; what it did before it was cut short is kept." if again
                                else "")
        self.reason.setVisible(pending or (again and self.tier >= 3))
        self.approve.setVisible(pending or again)
        self.reject.setVisible(pending)
        self._enable()

    def _show_sql(self, shown: bool) -> None:
        self.show_query.setText("Hide the query" if shown else "Show the query")
        self.sql.setVisible(shown and bool(self.sql.text()))

    def set_busy(self, doing: str = "working…") -> None:
        """Hold the buttons while a decision is under way; ``doing`` says how it goes. ``show_action``
        ends it with the action's new status."""
        self.busy = True
        for w in (self.reason, self.approve, self.reject):
            w.setEnabled(False)
        self.state.setText(_sentence(doing))

    def _reason_entered(self) -> None:
        """Enter in the reason box of a tier-3 action confirms it, as its button does, once a reason
        is typed (a tier-2 action's box holds a reason to reject it: Enter does nothing there)."""
        if self.tier >= 3 and self.approve.isEnabled() and not self.approve.isHidden():
            self.approve.click()

    def _enable(self) -> None:
        has_reason = bool(self.reason.text().strip())
        self.approve.setEnabled(not self.busy and (self.tier < 3 or has_reason))
        self.reject.setEnabled(not self.busy and has_reason)


class MessageWidget(QFrame):
    """One message: Markdown text; for answers, citation chips, confidence, actions and feedback.

    An answer given offline after an endpoint failure shows that as a plain note above it; an
    answer that declines shows the closest passages as chips under a line saying so.
    """

    citation_clicked = Signal(object)  # Citation
    feedback_given = Signal(int, int)  # message id, +1 / -1 (0: clear the rating given)

    def __init__(self, role: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role, self.message_id = role, 0
        self.cards: list[ActionCard] = []
        self.chips: list[CitationChip] = []
        self.rating: int | None = None
        self.helpful: QPushButton | None = None
        self.not_helpful: QPushButton | None = None
        self.confidence: QLabel | None = None
        self.closest: list[Citation] = []
        self.roving: RovingFocus | None = None
        self.setObjectName("bubble")
        background = "palette(alternate-base)" if role == "user" else "palette(base)"
        self.setStyleSheet(f"QFrame#bubble {{ background: {background}; border: 1px solid palette(mid); "
                           "border-radius: 8px; }")
        self.notice = MessageText("plain")
        self.notice.set_tone("muted", italic=True)
        self.notice.hide()
        self.body = MessageText("plain" if role == "user" else "markdown")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 8, 12, 8)
        who = QLabel("You" if role == "user" else "Grace")
        tint(who, "muted")
        bold = who.font()
        bold.setBold(True)
        who.setFont(bold)
        self.layout_.addWidget(who)
        self.layout_.addWidget(self.notice)
        self.layout_.addWidget(self.body)
        self.set_text(text)

    def restyle(self) -> None:
        """Read the palette(...) colours of this message's style sheets again (after a switch between
        light and dark: Qt resolves them once, when a sheet is set)."""
        self.setStyleSheet(self.styleSheet())

    def set_text(self, text: str) -> None:
        notice, body = split_notice(text) if self.role == "assistant" else ("", text)
        self.notice.set_text(notice)
        self.notice.setVisible(bool(notice))
        self.notice.setToolTip(FALLBACK_TIP if notice else "")
        self.body.set_text(body)
        self.body.setVisible(bool(body.strip()))  # an answer that only proposes an action shows its card

    def add_answer_parts(self, message_id: int, citations: list[Citation], confidence: float | None,
                         abstained: bool, actions: list[Action], rating: int | None = None,
                         closest: list[Citation] | None = None) -> None:
        """Chips, confidence, action cards and the feedback buttons under the answer text; the
        ``closest`` passages of an answer that declines, as chips of their own."""
        self.message_id = message_id
        if citations:
            self.layout_.addWidget(self._chip_flow(citations))
        if closest and not citations:
            self.closest = list(closest)
            heading = QLabel("The closest passages (they do not answer it):")
            heading.setWordWrap(True)
            tint(heading, "muted")
            self.layout_.addWidget(heading)
            self.layout_.addWidget(self._chip_flow(closest))
        for action in actions:
            card = ActionCard(action)
            self.cards.append(card)
            self.layout_.addWidget(card)
        # An action's outcome, or a request refused, has nothing of the files to weigh or rate.
        if weighed(self.body.text(), citations, abstained, actions):
            self.layout_.addLayout(self._footer(confidence, abstained))
        self.show_rating(rating)
        # The chips and ratings are one Tab stop, arrows within: a long chat is not dozens of Tabs long.
        group: list[QWidget] = [*self.chips, *(b for b in (self.helpful, self.not_helpful) if b is not None)]
        if len(group) > 1:
            self.roving = RovingFocus(group, self)
            for widget in group:
                widget.setToolTip(f"{widget.toolTip()}\n\n{ROVING_TIP}")

    def _chip_flow(self, citations: list[Citation]) -> ChipFlow:
        chips = [CitationChip(c) for c in citations]
        for chip in chips:
            chip.clicked.connect(lambda _=False, c=chip.citation: self.citation_clicked.emit(c))
        self.chips += chips
        return ChipFlow(chips)

    def _footer(self, confidence: float | None, abstained: bool) -> QHBoxLayout:
        """The confidence in words, and Helpful / Not helpful."""
        row = QHBoxLayout()
        self.confidence = QLabel("")
        self.confidence.setWordWrap(True)
        if confidence is not None:
            self.confidence.setText(confidence_words(confidence, abstained))
            tint(self.confidence, confidence_role(confidence, abstained))
        row.addWidget(self.confidence, 1)
        self.helpful, self.not_helpful = QPushButton("Helpful"), QPushButton("Not helpful")
        for button, rating, tip in ((self.helpful, 1, "This answer helped: its sources count for more."),
                                    (self.not_helpful, -1, "This answer did not help: its sources count for less.")):
            button.setObjectName("rating")
            button.setCheckable(True)
            button.setToolTip(tip)
            button.setStyleSheet("QPushButton#rating { border: 1px solid transparent; border-radius: 4px; "
                                 "padding: 3px 8px; background: transparent; }"
                                 "QPushButton#rating:hover, QPushButton#rating:focus { border-color: palette(mid); }"
                                 "QPushButton#rating:checked { border-color: palette(highlight); "
                                 "background: palette(highlight); color: palette(highlighted-text); }")
            button.clicked.connect(lambda _=False, r=rating: self._rate(r))
            row.addWidget(button)
        return row

    def show_rating(self, rating: int | None) -> None:
        """Check the button of the stored rating (+1 helpful, -1 not helpful, None: neither)."""
        self.rating = rating
        if self.helpful is not None and self.not_helpful is not None:
            self.helpful.setChecked(rating == 1)
            self.not_helpful.setChecked(rating == -1)

    def _rate(self, rating: int) -> None:
        """A click on a rating asks for it; on the one already given, asks to clear it (rating 0)."""
        # The buttons show what is stored: the pane calls show_rating once the engine kept it.
        self.show_rating(self.rating)
        self.feedback_given.emit(self.message_id, 0 if rating == self.rating else rating)

    def focus_chain(self) -> list[QWidget]:
        """The widgets Tab visits in this message, in reading order."""
        out: list[QWidget] = list(self.chips)
        for card in self.cards:
            out += [card.show_query, card.reason, card.approve, card.reject]
        return out + [b for b in (self.helpful, self.not_helpful) if b is not None]


class ExampleButton(EnterButton):
    """A question the empty chat offers: as wide as its text when there is room, elided (the
    whole question in the tooltip) when there is not; never widens the conversation."""

    def __init__(self, question: str, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.question = question
        self.setObjectName("example")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # A push button never shrinks below its size hint (its policy lacks Shrink): the layout then
        # measured the whole example list at that width, and the text above it lost a line.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setToolTip(f"Ask “{question}” now (Enter or Space when it has the focus).")
        self.setStyleSheet("QPushButton#example { border: 1px solid palette(mid); border-radius: 10px; "
                           "padding: 3px 12px; background: palette(alternate-base); text-align: left; }"
                           "QPushButton#example:hover, QPushButton#example:focus { border-color: palette(highlight); }")

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(min(self.sizeHint().width(), 80), super().minimumSizeHint().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = super().sizeHint()
        metrics = self.fontMetrics()
        return QSize(hint.width() + metrics.horizontalAdvance(self.question) - metrics.horizontalAdvance(self.text()),
                     hint.height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        slack = self.width() - self.sizeHint().width()
        if slack >= 0:  # room for it whole (eliding at exactly its width may still cut it)
            self.setText(self.question)
            return
        room = self.fontMetrics().horizontalAdvance(self.question) + slack
        self.setText(self.fontMetrics().elidedText(self.question, Qt.TextElideMode.ElideRight, max(room, 0)))


class Examples(QWidget):
    """The empty chat's starting points: a sentence saying what Grace does, and questions that a
    click (or Enter or Space) asks at once."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(8, 8, 8, 8)
        self.intro = MessageText("plain")  # wraps at any width, as high as its text (a QLabel here was cut off)
        self.intro.set_text("Ask about your files: Grace answers with quotes and where they are. Or ask it to do "
                            "something; changes wait for your approval. For example:")
        self.intro.set_tone("muted")
        self.column.addWidget(self.intro)
        self.buttons: list[ExampleButton] = []

    def restyle(self) -> None:
        """Read the questions' palette(...) colours again (after a switch between light and dark: Qt
        resolves a style sheet's once, when it is set, and they stayed light on a dark chat)."""
        for button in self.buttons:
            button.setStyleSheet(button.styleSheet())

    def show_examples(self, questions: list[str]) -> None:
        """Offer ``questions`` (in place of those offered before)."""
        if [b.question for b in self.buttons] == questions:
            return
        for button in self.buttons:
            button.setParent(None)
            button.deleteLater()
        self.buttons = [ExampleButton(q) for q in questions]
        for button in self.buttons:
            button.clicked.connect(lambda _=False, q=button.question: self.chosen.emit(q))
            self.column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)


class QuestionBox(QPlainTextEdit):
    """The question: Enter asks it, Shift+Enter starts a new line; a few lines high, growing
    with the text up to INPUT_LINES[1] lines."""

    submitted = Signal()

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self._fit())
        self._fit()

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:  # noqa: N802 - like QLineEdit's
        self.setPlainText(text)
        self.moveCursor(self.textCursor().MoveOperation.End)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
            else:
                self.submitted.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def lines(self) -> int:
        """How many lines the text takes at the box's width (wrapped lines count)."""
        return max(1, round(self.document().documentLayout().documentSize().height()))

    def _fit(self) -> None:
        low, high = INPUT_LINES
        lines = min(max(self.lines(), low), high)
        margins = self.contentsMargins()
        height = (lines * self.fontMetrics().lineSpacing() + 2 * round(self.document().documentMargin())
                  + margins.top() + margins.bottom())
        if height != self.height():
            self.setFixedHeight(height)


class TelemetryPanel(QFrame):
    """The workspace at a glance: documents, tables, approvals, jobs, failures, trust."""

    ROWS = (("documents", "Documents"), ("tables", "Tables"), ("pending_approvals", "Pending approvals"),
            ("running", "Running jobs"), ("failed", "Recent failures"), ("average_trust", "Average trust"))

    waiting_chosen = Signal(str)  # "chat": the session of the newest waiting action; "approvals": that pane

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = layout = QVBoxLayout(self)
        title = QLabel("<b>Workspace</b>")
        layout.addWidget(title)
        self.values: dict[str, QLabel] = {}
        for key, label in self.ROWS:
            row = QHBoxLayout()
            row.addWidget(QLabel(label))
            row.addStretch(1)
            self.values[key] = QLabel("–")
            row.addWidget(self.values[key])
            layout.addLayout(row)
        self.waiting = LinkLabel("")  # where the pending approvals wait: chat actions, table proposals
        self.waiting.setWordWrap(True)
        self.waiting.linkActivated.connect(self.waiting_chosen.emit)
        layout.addWidget(self.waiting)
        self.failures = QLabel("")
        self.failures.setWordWrap(True)
        tint(self.failures, "error")
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.failures.setSizePolicy(policy)  # a long file name never widens the panel
        layout.addWidget(self.failures)
        layout.addStretch(1)  # the pane adds its endpoint-key button below

    def show_values(self, values: dict[str, Any]) -> None:
        for key, _label in self.ROWS:
            value = values.get(key)
            if key == "average_trust":
                text = "–" if value is None else f"{value:.2f}"
            else:
                text = str(value if value is not None else "–")
            self.values[key].setText(text)
        self.waiting.setText(_waiting_text(int(values.get("pending_actions") or 0),
                                           int(values.get("pending_proposals") or 0)))
        self.waiting.setVisible(bool(self.waiting.text()))
        lines = [breakable(f"{_failure_name(f['path'])}: {f['reason']}") for f in values.get("failures", [])]
        self.failures.setText("\n".join(lines))
        self.failures.setToolTip("\n".join(f"{f['path']}: {f['reason']}" for f in values.get("failures", [])))


def _waiting_text(actions: int, proposals: int) -> str:
    """Links to where approvals wait: chat actions (in their session) and table proposals (in
    the Approvals pane), one a line: side by side, a narrow panel broke "4 table proposals"
    after its number; empty when nothing waits."""
    parts = []
    if actions:
        parts.append(f'<a href="chat">{actions} action{"s" if actions != 1 else ""} in chat</a>')
    if proposals:
        parts.append(f'<a href="approvals">{proposals} table proposal{"s" if proposals != 1 else ""}</a>')
    return "<br>".join(parts)


def _failure_name(path: str) -> str:
    """A failed file by its name; anything else (a failed action: "action 3: Ingest /x/y") whole."""
    return (os.path.basename(path) or path) if os.path.isabs(path) else path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
