"""The Chat pane: sessions on the left, the conversation in the middle, the workspace on the right.

Questions run in a QThreadPool worker (the window never waits); the answer's text
streams in by queued signal, then the stored answer replaces it with citation chips
(a click opens the file, a PDF at its page), its confidence and any action cards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ui
from engine.chat import Action, Answer, Citation
from grace_desktop.qt import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QThreadPool,
    QTimer,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)

from .chat_widgets import ActionCard, MessageWidget, TelemetryPanel
from .chat_worker import Worker
from .theme import colors

if TYPE_CHECKING:
    from engine import Changes, Workspace

TELEMETRY_MS = 5000


class ChatPane(QWidget):
    """See the module docstring. ``changed`` carries the ``Changes`` of what the pane did."""

    changed = Signal(object)
    answered = Signal(object)  # Answer

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.session_id: int | None = None
        self.pool = QThreadPool(self)
        self._workers: set[Worker] = set()
        self._streaming: MessageWidget | None = None
        self.confirm_delete = self._confirm_delete  # tests replace this to avoid a modal box
        self._build()
        self.timer = QTimer(self, interval=TELEMETRY_MS)
        self.timer.timeout.connect(self.refresh_telemetry)
        self.timer.start()
        self.refresh_sessions()
        self.refresh_telemetry()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit(placeholderText="Search chats…", clearButtonEnabled=True)
        self.search.textChanged.connect(lambda _t: self.refresh_sessions())
        self.sessions = QListWidget()
        self.sessions.itemClicked.connect(lambda item: self.open_session(item.data(Qt.ItemDataRole.UserRole)))
        self.sessions.itemChanged.connect(self._renamed)
        buttons = QHBoxLayout()
        for label, slot in (("New", self.new_session), ("Rename", self._rename), ("Delete", self.delete_session)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.search)
        lv.addWidget(self.sessions, 1)
        lv.addLayout(buttons)

        self.messages = QWidget()
        self.list_layout = QVBoxLayout(self.messages)
        self.list_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.messages)
        self.scroll.verticalScrollBar().rangeChanged.connect(lambda _a, b: self.scroll.verticalScrollBar().setValue(b))
        self.input = QLineEdit(placeholderText="Ask about your files, or ask Grace to do something…")
        self.input.setMinimumHeight(32)
        self.input.returnPressed.connect(self.send)
        self.send_button = QPushButton("Ask")
        self.send_button.clicked.connect(self.send)
        self.note = QLabel("")
        self.note.setStyleSheet(f"color: {colors()['muted']}")
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.send_button)
        center = QWidget()
        cv = QVBoxLayout(center)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(self.scroll, 1)
        cv.addWidget(self.note)
        cv.addLayout(row)

        self.telemetry = TelemetryPanel()
        self.key_button = QPushButton("Endpoint API key…")
        self.key_button.setToolTip("Kept in the system keyring (or for this session only), never in a file.")
        self.key_button.clicked.connect(self.ask_api_key)
        self.telemetry.layout().addWidget(self.key_button)
        splitter = QSplitter()
        for widget, stretch in ((left, 0), (center, 1), (self.telemetry, 0)):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.count() - 1, stretch)
        splitter.setSizes([200, 640, 200])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # -- asking ------------------------------------------------------------------------------

    def send(self) -> None:
        """Ask the input's question in a worker; its answer streams into a new bubble."""
        question = self.input.text().strip()
        if not question or self._streaming is not None:
            return
        self.input.clear()
        self._add(MessageWidget("user", question))
        self._streaming = self._add(MessageWidget("assistant", "…"))
        self._stream_text = ""
        self.send_button.setEnabled(False)
        self.note.setText("Grace is reading your files…")
        session = self.session_id
        worker = Worker(lambda on_token: self.ws.chat.ask(question, session_id=session, on_token=on_token))
        worker.signals.token.connect(self._token)
        worker.signals.done.connect(self._answered)
        worker.signals.failed.connect(self._failed)
        self._start(worker)

    def _token(self, piece: str) -> None:
        if self._streaming is not None:
            self._stream_text += piece
            self._streaming.set_text(self._stream_text)

    def _answered(self, answer: Answer) -> None:
        self._drop_streaming()
        self.session_id = answer.session
        self._add(self._answer_widget(answer.message_id, answer.text, answer.citations, answer.confidence,
                                      answer.abstained, answer.actions))
        self.note.setText(f"Answered offline after an endpoint problem: {answer.fallback}" if answer.fallback else "")
        self.refresh_sessions()
        self.refresh_telemetry()
        self.answered.emit(answer)

    def _failed(self, sentence: str) -> None:
        self._drop_streaming()
        self.note.setText(sentence)
        self.note.setStyleSheet(f"color: {colors()['error']}")

    def _drop_streaming(self) -> None:
        if self._streaming is not None:
            self._streaming.setParent(None)
            self._streaming.deleteLater()
            self._streaming = None
        self.send_button.setEnabled(True)
        self.note.setStyleSheet(f"color: {colors()['muted']}")

    def _start(self, worker: Worker) -> None:
        self._workers.add(worker)
        worker.signals.finished.connect(lambda: self._workers.discard(worker))
        worker.signals.finished.connect(self.refresh_telemetry)
        self.pool.start(worker)
        self.refresh_telemetry()

    # -- messages ----------------------------------------------------------------------------

    def _add(self, widget: MessageWidget) -> MessageWidget:
        self.list_layout.insertWidget(self.list_layout.count() - 1, widget)
        return widget

    def _answer_widget(self, message_id: int, text: str, citations: list[Citation], confidence: float | None,
                       abstained: bool, actions: list[Action]) -> MessageWidget:
        widget = MessageWidget("assistant", text)
        widget.add_answer_parts(message_id, citations, confidence, abstained, actions)
        widget.citation_clicked.connect(self.open_citation)
        widget.feedback_given.connect(self._feedback)
        for card in widget.cards:
            card.approve_requested.connect(lambda aid, reason, card=card: self._decide(card, aid, reason, True))
            card.reject_requested.connect(lambda aid, reason, card=card: self._decide(card, aid, reason, False))
        return widget

    def message_widgets(self) -> list[MessageWidget]:
        """The bubbles on screen, in order."""
        items = (self.list_layout.itemAt(i).widget() for i in range(self.list_layout.count()))
        return [w for w in items if isinstance(w, MessageWidget)]

    def open_citation(self, citation: Citation) -> bool:
        """Open a cited file with the system's handler, a PDF at its page."""
        url = QUrl.fromLocalFile(citation.path)
        if citation.page and citation.path.lower().endswith(".pdf"):
            url.setFragment(f"page={citation.page}")
        return ui.open_url(url)

    def _feedback(self, message_id: int, rating: int) -> None:
        self.changed.emit(self.ws.chat.sessions.feedback(message_id, rating))
        self.note.setText("Thanks: noted for this answer and its sources.")

    # -- actions -----------------------------------------------------------------------------

    def _decide(self, card: ActionCard, action_id: int, reason: str, approve: bool) -> None:
        """Approve (and run) or reject an action in a worker; the card shows the outcome."""
        card.set_busy(True)
        actions = self.ws.chat.actions
        call = (lambda _t: actions.approve(action_id, reason or None)) if approve else \
            (lambda _t: actions.reject(action_id, reason))
        worker = Worker(call)
        worker.signals.done.connect(lambda result: self._decided(card, result))
        worker.signals.failed.connect(lambda sentence: self._decide_failed(card, sentence))
        self._start(worker)

    def _decided(self, card: ActionCard, result: tuple[Action, Changes]) -> None:
        action, changes = result
        card.show_action(action)
        self.changed.emit(changes)
        self.refresh_telemetry()

    def _decide_failed(self, card: ActionCard, sentence: str) -> None:
        card.set_busy(False)
        self.note.setText(sentence)

    # -- sessions ----------------------------------------------------------------------------

    def refresh_sessions(self) -> None:
        self.sessions.blockSignals(True)
        self.sessions.clear()
        for s in self.ws.chat.sessions.list(self.search.text()):
            item = QListWidgetItem(s["title"])
            item.setData(Qt.ItemDataRole.UserRole, s["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.sessions.addItem(item)
            if s["id"] == self.session_id:
                item.setSelected(True)
        self.sessions.blockSignals(False)

    def new_session(self) -> None:
        """An empty conversation; the session is stored with its first question."""
        self.session_id = None
        self._clear_messages()
        self.sessions.clearSelection()
        self.input.setFocus()

    def open_session(self, session_id: int) -> None:
        """Show a stored session with its answers, chips and action cards."""
        self.session_id = session_id
        self._clear_messages()
        for m in self.ws.chat.sessions.messages(session_id):
            if m["role"] == "user":
                self._add(MessageWidget("user", m["text"]))
                continue
            citations = [Citation(**c) for c in m["citations"]]
            actions = [self.ws.chat.actions.get(a) for a in m["actions"]]
            self._add(self._answer_widget(m["id"], m["text"], citations, m["confidence"], m["abstained"], actions))

    def _clear_messages(self) -> None:
        for widget in self.message_widgets():
            widget.setParent(None)
            widget.deleteLater()

    def _rename(self) -> None:
        item = self.sessions.currentItem()
        if item is not None:
            self.sessions.editItem(item)

    def _renamed(self, item: QListWidgetItem) -> None:
        try:
            self.changed.emit(self.ws.chat.sessions.rename(item.data(Qt.ItemDataRole.UserRole), item.text()))
        except Exception as exc:  # noqa: BLE001 - shown as a sentence
            self.note.setText(str(exc))
        self.refresh_sessions()

    def delete_session(self) -> None:
        item = self.sessions.currentItem()
        if item is None or not self.confirm_delete(item.text()):
            return
        sid = item.data(Qt.ItemDataRole.UserRole)
        self.changed.emit(self.ws.chat.sessions.delete(sid))
        if sid == self.session_id:
            self.new_session()
        self.refresh_sessions()

    def _confirm_delete(self, title: str) -> bool:
        answer = QMessageBox.question(self, "Delete chat", f"Delete the chat “{title}” and its messages?")
        return answer == QMessageBox.StandardButton.Yes

    # -- the endpoint's key ---------------------------------------------------------------------

    def ask_api_key(self) -> None:
        """A password box for the chat endpoint's API key (stored by ``ws.chat.set_api_key``)."""
        url = str(self.ws.setting("llm_base_url")).strip()
        if not url:
            self.note.setText("Set the chat endpoint's base URL in the settings first (llm_base_url).")
            return
        dialog = QDialog(self)
        dialog.setWindowTitle("Chat endpoint API key")
        box = QLineEdit(echoMode=QLineEdit.EchoMode.Password, placeholderText=f"API key for {url}")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(box)
        layout.addWidget(buttons)
        if dialog.exec() and box.text().strip():
            self.note.setText(self.ws.chat.set_api_key(box.text().strip()))

    # -- telemetry ---------------------------------------------------------------------------

    def refresh_telemetry(self) -> None:
        try:
            values: dict[str, Any] = self.ws.chat.telemetry()
        except Exception:  # noqa: BLE001 - the panel keeps its last values rather than break the pane
            return
        values["running"] = len(self._workers) + int(values.get("queued", 0) > 0)
        self.telemetry.show_values(values)

    def on_changes(self, changes: Changes) -> None:
        """Refresh what ``changes`` touched (the shell calls this after any operation)."""
        if getattr(changes, "conversations", False):
            self.refresh_sessions()
        if changes.any():
            self.refresh_telemetry()
