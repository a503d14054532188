"""The chat pane's pieces: message bubbles, citation chips, action cards, the telemetry panel."""

from __future__ import annotations

import os
from typing import Any

from engine.chat import Action, Citation
from grace_desktop.qt import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

from .theme import colors

CHIPS_PER_ROW = 3
_TIER_WAIT = {1: "runs at once (read-only)", 2: "tier 2 · waits for your approval",
              3: "tier 3 · needs a confirmation with a reason"}


def confidence_words(confidence: float, abstained: bool) -> str:
    """'Confidence 82% (high)': the number and a word for it."""
    if abstained:
        return f"Not found in your files · confidence {confidence:.0%}"
    word = "high" if confidence >= 0.75 else "medium" if confidence >= 0.5 else "low"
    return f"Confidence {confidence:.0%} ({word})"


class CitationChip(QPushButton):
    """'[1] guide.md · line 7': a click opens the file (a PDF at its page)."""

    def __init__(self, citation: Citation, parent: QWidget | None = None) -> None:
        where = citation.where().replace("lines ", "l. ").replace("line ", "l. ")
        label = f"[{citation.n}] {os.path.basename(citation.path)}" + (f" · {where}" if where else "")
        super().__init__(label, parent)
        self.citation = citation
        self.setObjectName("chip")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(f"{citation.path}\n\n“{' '.join(citation.quote.split())}”")
        self.setStyleSheet("QPushButton#chip { border: 1px solid palette(mid); border-radius: 10px; "
                           "padding: 2px 10px; background: palette(alternate-base); }"
                           "QPushButton#chip:hover { border-color: palette(highlight); }")


class ActionCard(QFrame):
    """A proposed action with Approve and Reject; tier 3 asks for a typed reason."""

    approve_requested = Signal(int, str)
    reject_requested = Signal(int, str)

    def __init__(self, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionCard")
        self.setStyleSheet("QFrame#actionCard { border: 1px solid palette(mid); border-left: 4px solid "
                           "palette(highlight); border-radius: 6px; background: palette(base); }")
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.state = QLabel()
        self.state.setStyleSheet(f"color: {colors()['muted']}")
        self.reason = QLineEdit()
        self.approve = QPushButton("Approve")
        self.reject = QPushButton("Reject")
        self.approve.clicked.connect(lambda: self.approve_requested.emit(self.action.id, self.reason.text().strip()))
        self.reject.clicked.connect(lambda: self.reject_requested.emit(self.action.id, self.reason.text().strip()))
        self.reason.textChanged.connect(lambda _t: self._enable())
        buttons = QHBoxLayout()
        buttons.addWidget(self.reason, 1)
        buttons.addWidget(self.approve)
        buttons.addWidget(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        self.show_action(action)

    def show_action(self, action: Action) -> None:
        """Show ``action``'s current status (buttons only while it is pending)."""
        self.action = action
        self.title.setText(f"<b>{_escape(action.summary)}</b>")
        pending = action.status == "pending"
        state = _TIER_WAIT.get(action.tier, "") if pending else f"tier {action.tier} · {action.status}"
        if action.reason and not pending:
            state += f" · reason: {action.reason}"
        if action.error:
            state += f" · {action.error}"
        self.state.setText(f"Action {action.id} · {state}")
        self.state.setStyleSheet(f"color: {colors()['error' if action.status == 'failed' else 'muted']}")
        self.reason.setPlaceholderText("Reason (required to confirm)" if action.tier >= 3
                                       else "Reason (needed to reject)")
        for w in (self.reason, self.approve, self.reject):
            w.setVisible(pending)
        self._enable()

    def set_busy(self, busy: bool) -> None:
        for w in (self.reason, self.approve, self.reject):
            w.setEnabled(not busy)
        if busy:
            self.state.setText(f"Action {self.action.id} · working…")
        else:
            self._enable()

    def _enable(self) -> None:
        has_reason = bool(self.reason.text().strip())
        self.approve.setEnabled(self.action.tier < 3 or has_reason)
        self.reject.setEnabled(has_reason)


class MessageWidget(QFrame):
    """One message: Markdown text; for answers, citation chips, confidence, actions and feedback."""

    citation_clicked = Signal(object)  # Citation
    feedback_given = Signal(int, int)  # message id, +1 / -1

    def __init__(self, role: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.role, self.message_id, self.cards, self.chips = role, 0, [], []
        self.setObjectName("bubble")
        tint = "palette(alternate-base)" if role == "user" else "palette(base)"
        self.setStyleSheet(f"QFrame#bubble {{ background: {tint}; border: 1px solid palette(mid); "
                           "border-radius: 8px; }")
        self.body = QLabel()
        self.body.setTextFormat(Qt.TextFormat.MarkdownText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 8, 12, 8)
        who = QLabel("You" if role == "user" else "Grace")
        who.setStyleSheet(f"color: {colors()['muted']}; font-weight: bold")
        self.layout_.addWidget(who)
        self.layout_.addWidget(self.body)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.body.setText(text)

    def add_answer_parts(self, message_id: int, citations: list[Citation], confidence: float | None,
                         abstained: bool, actions: list[Action]) -> None:
        """Chips, confidence, action cards and the feedback buttons under the answer text."""
        self.message_id = message_id
        for start in range(0, len(citations), CHIPS_PER_ROW):
            row = QHBoxLayout()
            for c in citations[start:start + CHIPS_PER_ROW]:
                chip = CitationChip(c)
                chip.clicked.connect(lambda _=False, c=c: self.citation_clicked.emit(c))
                row.addWidget(chip)
                self.chips.append(chip)
            row.addStretch(1)
            self.layout_.addLayout(row)
        for action in actions:
            card = ActionCard(action)
            self.cards.append(card)
            self.layout_.addWidget(card)
        # An answer that is an action's outcome has no sources to weigh: no confidence line.
        grounded = bool(citations) or abstained or not actions
        self.layout_.addLayout(self._footer(confidence if grounded else None, abstained))

    def _footer(self, confidence: float | None, abstained: bool) -> QHBoxLayout:
        row = QHBoxLayout()
        self.confidence = QLabel("")
        if confidence is not None:
            tone = "ok" if confidence >= 0.75 and not abstained else "muted" if confidence >= 0.5 else "error"
            self.confidence.setText(confidence_words(confidence, abstained))
            self.confidence.setStyleSheet(f"color: {colors()[tone]}")
        row.addWidget(self.confidence)
        row.addStretch(1)
        for label, rating in (("Helpful", 1), ("Not helpful", -1)):
            button = QPushButton(label)
            button.setFlat(True)
            button.clicked.connect(lambda _=False, r=rating: self.feedback_given.emit(self.message_id, r))
            row.addWidget(button)
        return row


class TelemetryPanel(QFrame):
    """The workspace at a glance: documents, tables, approvals, jobs, failures, trust."""

    ROWS = (("documents", "Documents"), ("tables", "Tables"), ("pending_approvals", "Pending approvals"),
            ("running", "Running jobs"), ("failed", "Recent failures"), ("average_trust", "Average trust"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
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
        self.failures = QLabel("")
        self.failures.setWordWrap(True)
        self.failures.setStyleSheet(f"color: {colors()['error']}")
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
        lines = [f"{os.path.basename(f['path']) or f['path']}: {f['reason']}" for f in values.get("failures", [])]
        self.failures.setText("\n".join(lines))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
