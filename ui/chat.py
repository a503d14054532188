"""The Chat pane: sessions on the left, the conversation in the middle, the workspace on the right.

Questions run in a QThreadPool worker (the window never waits); the answer's text
streams in by queued signal, then the stored answer replaces it with citation chips
(a click opens the file, a PDF at its page), its confidence and any action cards.

One question runs at a time. A new chat is listed as soon as its first question is sent; the
person may open other sessions meanwhile: the answer is stored by the engine in the session it
was asked in and shown there (the note says where it went when another session is on screen).
Stop (or Esc) cancels the answer: nothing of it is stored, a chat made for it goes again, and
the question goes back in the box; quitting stops it the same way.

An empty chat offers example questions (``example_questions``), which a click asks.

With the shell's runner, approving an action that does long work (an ingest, a reindex) is
a job in the runner's queue, shown in the Activity and cancelled there or at shutdown, and
the workspace panel is read in the runner's read pool; without one (tests), both run here.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ui
from engine import Changes
from engine.chat import Action, Answer, Citation
from engine.chat.conversations import title_for
from engine.chat.render import without_proposals
from engine.search import readable_text
from grace_desktop import appsettings
from grace_desktop.qt import (
    QAction,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSize,
    QSizePolicy,
    QSplitter,
    Qt,
    QThreadPool,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    isValid,
)

from .chat_sessions import SessionList, session_title
from .chat_widgets import ActionCard, Examples, MessageWidget, QuestionBox, TelemetryPanel, done_words, literal_quotes
from .chat_worker import Worker, approval_outcome, approve_action, current_actions, example_questions
from .theme import tint

if TYPE_CHECKING:
    from engine import Workspace
    from grace_desktop.runner import Job, Runner

TELEMETRY_MS = 5000
FEEDBACK_WORDS = {1: "Marked helpful: thanks. Its sources count for a little more.",
                  -1: "Marked not helpful: thanks. Its sources count for a little less.",
                  0: "Rating taken back: its sources count as before."}
CENTER_MIN_PX = 300  # the conversation is never narrower than this (nor than 44 average characters)
CENTER_SHARE = 0.6  # nor, while the side panels can shrink, than this share of the pane
SIDE_PX = 200  # the chat list's and the workspace panel's width when there is room
STILL_ANSWERING = "Grace is still answering; your question stays here (Stop or Esc ends the answer)."
QUEUED = "Queued: Grace approves and runs it as a job in the Activity, where you can follow it or cancel it."
LONG_KINDS = ("ingest", "reindex")  # actions whose approval is a job in the runner's queue


@dataclass
class _Asking:
    """The question being answered: its session (None: a new one) and, while that session is
    on screen, its two bubbles."""

    question: str
    session: int | None
    after: int = 0  # the session's newest message id when it was asked
    stop: threading.Event | None = None  # set to cancel the answer
    made: bool = False  # the session was made for this question (it goes again if nothing is stored)
    text: str = ""
    user: MessageWidget | None = None
    bubble: MessageWidget | None = None


class MessageColumn(QWidget):
    """The conversation's column: never wider than the view (no sideways scrolling)."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, super().minimumSizeHint().height())


class ChatPane(QWidget):
    """See the module docstring. ``changed`` carries the ``Changes`` of what the pane did."""

    changed = Signal(object)
    answered = Signal(object)  # Answer

    def __init__(self, ws: Workspace, parent: QWidget | None = None, runner: Runner | None = None) -> None:
        super().__init__(parent)
        self.ws, self.runner = ws, runner
        self._approvals: dict[int, Job] = {}  # action id -> its approval's job in the runner's queue
        self._queued = 0  # files in the engine's ingest queue, at the last telemetry read
        self._pending_session: int | None = None  # the session of the newest action waiting for approval
        self._pending_actions = 0  # how many actions wait for approval, at the last telemetry read
        self.pool = QThreadPool(self)
        self._workers: set[Worker] = set()
        self._asking: _Asking | None = None
        self._say_session: int | None = None  # the session the note links to
        self._build()
        self.timer = QTimer(self, interval=TELEMETRY_MS)
        self.timer.timeout.connect(self.refresh_telemetry)
        self.timer.timeout.connect(lambda: self.refresh_cards(pending_only=True))  # decided elsewhere (CLI)
        self.timer.start()
        if runner is not None:
            runner.jobs_changed.connect(self._jobs_changed)
            runner.job_progress.connect(self._job_moved)
        self.refresh_sessions()
        self.refresh_telemetry()
        self.refresh_examples()
        self._purge_old_chats()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.chats = left = SessionList(self.ws, lambda: self._asking.session if self._asking else None)
        self.sessions, self.search = self.chats.list, self.chats.search
        self.chats.open_requested.connect(self.open_session)
        self.chats.new_requested.connect(self.new_session)
        self.chats.deleted.connect(self._deleted)
        self.chats.restored.connect(lambda _sid: self.refresh_telemetry())  # its actions wait again
        self.chats.changed.connect(self.changed.emit)
        self.chats.said.connect(lambda text, error: self._say(text, error=error))

        self.messages = MessageColumn()
        self.list_layout = QVBoxLayout(self.messages)
        self.examples = Examples()
        self.examples.chosen.connect(self.ask_example)
        self.list_layout.addWidget(self.examples)
        self.list_layout.addStretch(1)
        # The bubbles in order, kept here rather than read back through the layout: a layout item's
        # Python wrapper can outlive the item Qt deleted, and PySide then handed that stale wrapper
        # back for a new widget at the same address ("QWidgetItem has no setAutoFillBackground").
        self._bubbles: list[MessageWidget] = []
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll_area.setWidget(self.messages)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its chips and buttons take focus, not the area
        bar = self.scroll_area.verticalScrollBar()
        self._follow = True  # the view follows new text while it is at the bottom
        bar.valueChanged.connect(lambda value: setattr(self, "_follow", value >= bar.maximum() - 8))
        bar.rangeChanged.connect(lambda _low, high: bar.setValue(high) if self._follow else None)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_moved)
        self.input = QuestionBox("Ask about your files, or ask Grace to do something…")
        self.input.setToolTip("Enter asks; Shift+Enter starts a new line.")
        self.input.submitted.connect(self.send)
        self.keyboard_entry = self.input  # Ctrl+6 puts the cursor in the question box
        self.send_button = QPushButton("Ask")
        self.send_button.clicked.connect(self.send)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop this answer (Esc): nothing of it is kept, and your question goes back "
                                    "in the box.")
        self.stop_button.clicked.connect(self.stop_answer)
        self.stop_button.hide()
        self.stop_action = ui.add_shortcut(self, "Esc", self.stop_answer, "Stop the answer")
        self.stop_action.setEnabled(False)  # Esc is left to others while no answer runs
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.note.linkActivated.connect(self._open_link)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.note.setSizePolicy(policy)  # a long sentence wraps; it never widens the window
        self._say("")
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        center = QWidget()
        # Room for an answer's footer and an action card's buttons; the side panels give way first.
        center.setMinimumWidth(max(CENTER_MIN_PX, 44 * self.fontMetrics().averageCharWidth()))
        cv = QVBoxLayout(center)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(self.scroll_area, 1)
        cv.addWidget(self.note)
        cv.addLayout(row)

        self.telemetry = TelemetryPanel()
        self.telemetry.waiting_chosen.connect(self.show_waiting)
        self.key_button = QPushButton("Endpoint API key…")
        self.key_button.setToolTip("Kept in the system keyring (or for this session only), never in a file.")
        self.key_button.clicked.connect(self.ask_api_key)
        self.telemetry.column.addWidget(self.key_button)
        self.splitter = splitter = QSplitter()
        self._columns = (left, center, self.telemetry)
        for widget, stretch in zip(self._columns, (0, 1, 0), strict=True):
            splitter.addWidget(widget)
            splitter.setStretchFactor(splitter.count() - 1, stretch)
            splitter.setCollapsible(splitter.count() - 1, False)
        splitter.setSizes([SIDE_PX, 640, SIDE_PX])
        self._sides, self._dragged = (SIDE_PX, SIDE_PX), False  # the side panels' widths when there is room
        self._restore_sides()
        splitter.splitterMoved.connect(self._dragged_to)  # (only a handle moved by the person, not setSizes)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        # Within the pane until the window takes it over (``MainWindow.add_pane_action``).
        self.new_chat_action = new_chat = QAction("&New chat", self)
        new_chat.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        new_chat.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        new_chat.triggered.connect(self.new_session)
        self.addAction(new_chat)
        self.window_actions = [new_chat]  # the actions a window may make its own (Ctrl+N from any pane)
        self._update_tab_order()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.isVisible():  # a hidden pane's splitter still has its old sizes: fitted when shown
            self._fit_columns()

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        QTimer.singleShot(0, self._fit_columns)  # once the splitter is laid out at the pane's size

    def _fit_columns(self) -> None:
        """The side panels at their widths (SIDE_PX, or those the person dragged them to), giving
        way, the workspace panel first, while the conversation would be narrower than its minimum,
        or, until the person drags a handle, than CENTER_SHARE of the pane."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if len(sizes) != 3 or total <= 0:
            return
        least = self._columns[1].minimumWidth()
        want = least if self._dragged else max(least, int(total * CENTER_SHARE))
        side = list(self._sides)
        need = want - (total - sum(side))
        for i, column in ((1, self._columns[2]), (0, self._columns[0])):
            floor = column.minimumWidth() or column.minimumSizeHint().width()  # (the chat list's narrow layout)
            give = max(0, min(side[i] - floor, need))
            side[i] -= give
            need -= give
        fitted = [side[0], total - side[0] - side[1], side[1]]
        if fitted != sizes:
            self.splitter.setSizes(fitted)

    def _restore_sides(self) -> None:
        """The side panels' widths the person dragged them to in an earlier run (``save_state``)."""
        try:
            left, right = (int(v) for v in appsettings.load("chat/sides") or ())
        except (TypeError, ValueError):  # none saved, or not two numbers
            return
        self._sides, self._dragged = (max(0, left), max(0, right)), True

    def save_state(self) -> None:
        """Remember the side panels' widths for the next run, once the person has dragged one."""
        if self._dragged:
            appsettings.save("chat/sides", list(self._sides))

    def _dragged_to(self, _pos: int, index: int) -> None:
        """The person moved handle ``index`` (1: the chat list's, 2: the workspace panel's): the
        width of that side panel is theirs, kept across resizes; the other keeps its own."""
        sizes = self.splitter.sizes()
        self._sides = (sizes[0], self._sides[1]) if index == 1 else (self._sides[0], sizes[2])
        self._dragged = True

    def _say(self, text: str, error: bool = False, html: bool = False) -> None:
        """Show ``text`` in the note under the conversation (rich text only for our own links)."""
        self._say_session = None
        self.note.setTextFormat(Qt.TextFormat.RichText if html else Qt.TextFormat.PlainText)
        self.note.setText(text)
        tint(self.note, "error" if error else "muted")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        """After a switch between light and dark, the bubbles and the example questions read their
        palette colours again."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            for bubble in self._bubbles:
                bubble.restyle()
            self.examples.restyle()

    @property
    def session_id(self) -> int | None:
        """The chat on screen (None: a new one, stored with its first question)."""
        return self.chats.current

    @session_id.setter
    def session_id(self, session_id: int | None) -> None:
        self.chats.current = session_id

    def _update_tab_order(self) -> None:
        """Tab goes through the chats, then the conversation in reading order, then the question."""
        chain: list[QWidget] = self.chats.focus_chain()
        chain += list(self.examples.buttons) if not self.examples.isHidden() else []
        chain += [w for m in self.message_widgets() for w in m.focus_chain()]
        chain += [self.input, self.stop_button, self.send_button, self.key_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # -- asking ------------------------------------------------------------------------------

    @property
    def _streaming(self) -> MessageWidget | None:
        """The bubble the answer streams into, while it is on screen."""
        return self._asking.bubble if self._asking is not None else None

    def send(self) -> None:
        """Ask the input's question in a worker; its answer streams into a new bubble. A new chat
        is stored (and listed) now, titled by the question."""
        question = self.input.text().strip()
        if not question:
            return
        if self._asking is not None:
            self._say(STILL_ANSWERING)
            return
        session, made = self.session_id, self.session_id is None
        if session is None:
            try:
                session = self.ws.chat.sessions.new(title_for(readable_text(question)) or "New chat")
            except Exception as exc:  # noqa: BLE001 - shown as a sentence; the question stays in the box
                self._say(str(exc), error=True)
                return
            self.session_id = session
            self.refresh_sessions()
        self.input.clear()
        self._follow = True
        stop = threading.Event()
        self._asking = _Asking(question, session, 0 if made else self._newest_message(session), stop, made)
        self._show_asking()
        self._set_answering(True)
        self._say("Grace is reading your files…")
        worker = Worker(lambda on_token: self.ws.chat.ask(question, session_id=session, on_token=on_token,
                                                          is_cancelled=stop.is_set))
        worker.signals.token.connect(self._token)
        worker.signals.done.connect(self._answered)
        worker.signals.failed.connect(self._failed)
        worker.signals.cancelled.connect(self._stopped)
        self._start(worker)

    def ask_example(self, question: str) -> None:
        """Ask one of the empty chat's examples; a question being typed stays in the box."""
        if self._asking is not None:
            self._say(STILL_ANSWERING)
            return
        typed = self.input.text()
        self.input.setText(question)
        self.send()
        self.input.setText(typed)
        self.input.setFocus()

    def stop_answer(self) -> None:
        """Stop the answer being written (Stop, Esc): the engine stops at its next step, or within a
        fraction of a second while it waits for the endpoint; ``_stopped`` follows."""
        if self._asking is None or self._asking.stop is None or self._asking.stop.is_set():
            return
        self._asking.stop.set()
        self.stop_button.setEnabled(False)
        self._say("Stopping…")

    def _set_answering(self, answering: bool) -> None:
        """Ask while no answer runs; Stop (and Esc) while one does."""
        if not answering and self.stop_button.hasFocus():
            self.input.setFocus()
        self.send_button.setEnabled(not answering)
        self.stop_button.setVisible(answering)
        self.stop_button.setEnabled(answering)
        self.stop_action.setEnabled(answering)

    def _show_asking(self) -> None:
        """Put the question and its answer so far on screen."""
        asking = self._asking
        if asking is not None:
            asking.user = self._add(MessageWidget("user", asking.question))
            asking.bubble = self._add(MessageWidget("assistant", asking.text or "…"))

    def _token(self, piece: str) -> None:
        if self._asking is not None:
            self._asking.text += piece
            if self._asking.bubble is not None:
                self._asking.bubble.set_text(self._asking.text)

    def _answered(self, answer: Answer) -> None:
        """The answer is stored: shown in its chat when that is on screen (an offline fallback is
        said once, by the answer's own notice), else the note links to it."""
        asking, self._asking = self._asking, None
        self._set_answering(False)
        if asking is not None and asking.bubble is not None:  # its session is on screen
            self._remove(asking.bubble)
            self.session_id = answer.session
            self._add(self._answer_widget(answer.message_id, answer.text, answer.citations, answer.confidence,
                                          answer.abstained, answer.actions, closest=answer.closest))
            self._say("")
            self.refresh_cards(pending_only=True)  # the policy's tier for what it proposed
        elif self.session_id == answer.session:
            self.open_session(answer.session)
            self._say("")
        else:
            question = asking.question if asking is not None else ""
            self._say(f"The answer to “{ui.escape(_short(question))}” is in the chat "
                      f"<a href=\"session:{answer.session}\">{ui.escape(session_title(self.ws, answer.session))}</a>.",
                      html=True)
            self._say_session = answer.session  # the note goes when the person opens that session
        self.refresh_sessions()
        self.refresh_telemetry()
        self.answered.emit(answer)

    def _failed(self, sentence: str) -> None:
        asking = self._unasked()
        if asking is None:
            self._say(sentence, error=True)
            return
        restored = self._restore_question(asking)
        where = "" if asking.bubble is not None else f"Your question “{_short(asking.question)}” was not answered: "
        self._say(where + sentence + (" (Your question is back in the box.)" if restored else ""), error=True)

    def _stopped(self) -> None:
        """The answer was stopped before it was stored: nothing of it is kept."""
        asking = self._unasked()
        if asking is None:
            return
        restored = self._restore_question(asking)
        what = "Stopped" if asking.bubble is not None else f"Stopped “{_short(asking.question)}”"
        self._say(f"{what}: nothing of the answer was kept." + (" Your question is back in the box." if restored
                                                                   else ""))

    def _unasked(self) -> _Asking | None:
        """The question that ended without an answer, off the screen; a chat made for it goes again."""
        asking, self._asking = self._asking, None
        self._set_answering(False)
        if asking is not None:
            for bubble in (asking.user, asking.bubble):
                if bubble is not None:
                    self._remove(bubble)
            self._update_empty()
            self._forget_made_session(asking)
        return asking

    def _restore_question(self, asking: _Asking) -> bool:
        """Nothing was stored: the question goes back in the box to try again (unless the box
        holds another question); True when it did."""
        if self.input.text().strip():
            return False
        self.input.setText(asking.question)
        return True

    def _forget_made_session(self, asking: _Asking) -> None:
        """Delete the chat made for ``asking`` when nothing was stored in it."""
        if not asking.made or asking.session is None:
            return
        try:
            if self.ws.chat.sessions.messages(asking.session, last=1):
                return
            self.ws.chat.sessions.delete(asking.session, for_good=True)  # nothing in it to undo
        except Exception:  # noqa: BLE001 - deleted meanwhile, or the workspace is closing: nothing to undo
            return
        if self.session_id == asking.session:
            self.chats.show_current(None)
        self.refresh_sessions()

    def _start(self, worker: Worker) -> None:
        self._workers.add(worker)
        worker.signals.finished.connect(lambda: self._workers.discard(worker))
        worker.signals.finished.connect(self.refresh_telemetry)
        self.pool.start(worker)
        self.refresh_telemetry()

    # -- messages ----------------------------------------------------------------------------

    def _add(self, widget: MessageWidget) -> MessageWidget:
        self.list_layout.insertWidget(self.list_layout.count() - 1, widget)
        self._bubbles.append(widget)
        self._update_empty()
        return widget

    def _remove(self, widget: MessageWidget) -> None:
        if widget in self._bubbles:
            self._bubbles.remove(widget)
        widget.setParent(None)
        widget.deleteLater()
        self.examples.setVisible(not self._bubbles)  # (the tab order follows where the removal ends)

    def _update_empty(self) -> None:
        """The examples show while the conversation is empty; then Tab goes through the rest."""
        self.examples.setVisible(not self._bubbles)
        self._update_tab_order()

    def refresh_examples(self) -> None:
        """Read the empty chat's examples again (they name the person's tables)."""
        self._read("chat examples", example_questions, self._show_examples)

    def _show_examples(self, questions: list[str]) -> None:
        self.examples.show_examples(questions)
        self._update_tab_order()

    def _answer_widget(self, message_id: int, text: str, citations: list[Citation], confidence: float | None,
                       abstained: bool, actions: list[Action], rating: int | None = None,
                       closest: list[Citation] | None = None) -> MessageWidget:
        widget = MessageWidget("assistant", literal_quotes(without_proposals(text, actions), citations))
        widget.add_answer_parts(message_id, citations, confidence, abstained, actions, rating, closest)
        widget.citation_clicked.connect(self.open_citation)
        widget.feedback_given.connect(lambda mid, r, w=widget: self._feedback(w, mid, r))
        for card in widget.cards:
            card.approve_requested.connect(lambda aid, reason, card=card: self._decide(card, aid, reason, True))
            card.reject_requested.connect(lambda aid, reason, card=card: self._decide(card, aid, reason, False))
            job = self._approvals.get(card.action.id)
            if job is not None:  # its approval is still in the runner's queue
                card.set_busy(_job_words(job))
        return widget

    def message_widgets(self) -> list[MessageWidget]:
        """The bubbles on screen, in order."""
        return list(self._bubbles)

    def open_citation(self, citation: Citation) -> bool:
        """Open a cited file with the system's handler, a PDF at its page; the note says why not
        when the file is gone or nothing opened it."""
        name = os.path.basename(citation.path) or citation.path
        if not os.path.isfile(citation.path):
            self._say(f"{name} is no longer at {citation.path}: it was moved or deleted after Grace read it. "
                      "Add it again from where it is now to open it from here.", error=True)
            return False
        if not ui.open_file(citation.path, citation.page):  # a PDF at its page where its program can
            self._say(f"No program on this computer would open {name}; it is at {citation.path}.", error=True)
            return False
        return True

    def _feedback(self, widget: MessageWidget, message_id: int, rating: int) -> None:
        """Store a rating (+1, -1), or take it back (0), and show what is stored."""
        sessions = self.ws.chat.sessions
        try:
            changes = sessions.feedback(message_id, rating) if rating else sessions.clear_feedback(message_id)
        except Exception as exc:  # noqa: BLE001 - shown as a sentence
            self._say(str(exc), error=True)
            return
        widget.show_rating(rating or None)
        self._say(FEEDBACK_WORDS[rating])
        self.changed.emit(changes)

    # -- actions -----------------------------------------------------------------------------

    def _decide(self, card: ActionCard, action_id: int, reason: str, approve: bool) -> None:
        """Approve (and run) or reject an action in a worker, or as a job in the runner's queue when
        it does long work; the card shows the outcome."""
        if approve and self._needs_reason(card, reason):
            return
        card.set_busy()
        if approve and self.runner is not None and card.action.type in LONG_KINDS:
            self._queue_approval(self.runner, card.action, reason)
            return
        actions = self.ws.chat.actions
        call = (lambda _t: actions.approve(action_id, reason or None)) if approve else \
            (lambda _t: actions.reject(action_id, reason))
        worker = Worker(call)
        worker.signals.done.connect(lambda result: self._decided(card, result))
        worker.signals.failed.connect(lambda sentence: self._decide_failed(card, sentence))
        self._start(worker)

    def _tier(self, action: Action) -> int:
        """``action``'s tier under the current policy (which can raise it after the proposal)."""
        try:
            return self.ws.chat.actions.tier_now(action)
        except Exception:  # noqa: BLE001 - the engine checks again when it approves
            return action.tier

    def _needs_reason(self, card: ActionCard, reason: str) -> bool:
        """True (and the card and note say so) when a tier-3 approval has no reason."""
        tier = self._tier(card.action)
        if tier < 3 or reason:
            return False
        card.show_action(card.action, tier)
        self._say(f"Action {card.action.id} ({card.action.summary}) is a tier-3 change: type a reason in its box "
                  "saying why, then approve it.", error=True)
        return True

    def _decided(self, card: ActionCard, result: tuple[Action, Changes]) -> None:
        action, changes = result
        if isValid(card):  # the person may have opened another session meanwhile
            card.show_action(action)
        self.changed.emit(changes)
        self.refresh_telemetry()

    def _decide_failed(self, card: ActionCard, sentence: str) -> None:
        """The decision was refused: the card shows the action as it is now, the note says why."""
        if isValid(card):
            card.show_action(card.action, card.tier)  # usable at once; the engine's state follows
            self.refresh_cards()
        self._say(_for_gui(sentence), error=True)

    def _queue_approval(self, runner: Runner, action: Action, reason: str) -> None:
        """Approve ``action`` as a job in the runner's queue (the Activity shows it and can cancel it)."""
        job = runner.queue_work(
            f"{action.summary} (approved in chat)",
            lambda ws, progress, cancelled: approve_action(ws, action.id, reason, progress, cancelled),
            lambda result: self._approval_done(action.id, result), lambda exc: self._approval_failed(action.id, exc),
            outcome=approval_outcome, paths=[str(p) for p in action.params.get("paths", [])], owner=self)
        self._approvals[action.id] = job
        self._jobs_changed()
        self._say(QUEUED)

    def _approval_done(self, action_id: int, result: tuple[Action, Changes]) -> None:
        """The job ended: its cards show the outcome, and so does the note in place of "Queued"."""
        self._approvals.pop(action_id, None)
        action, changes = result
        for card in self._cards(action_id):
            card.show_action(action)
        if action.status == "failed":
            self._say(f"Action {action.id} ({action.summary}) failed: {action.error}", error=True)
        elif self.note.text() == QUEUED:  # nothing else was said meanwhile
            self._say(f"Action {action.id} ({action.summary}) is {done_words(action)}."
                      if action.status == "executed" else "")
        self.changed.emit(changes)
        self.refresh_telemetry()

    def _approval_failed(self, action_id: int, exc: BaseException) -> None:
        self._approvals.pop(action_id, None)
        for card in self._cards(action_id):
            card.show_action(card.action, card.tier)
        self.refresh_cards()
        self._say(_for_gui(str(exc) or type(exc).__name__), error=True)
        self.refresh_telemetry()

    def _cards(self, action_id: int) -> list[ActionCard]:
        """The cards on screen of action ``action_id``."""
        return [c for m in self._bubbles for c in m.cards if c.action.id == action_id and isValid(c)]

    def _jobs_changed(self) -> None:
        """A job started, moved on or ended: the count of running jobs and the cards of queued approvals."""
        self.telemetry.values["running"].setText(self._running_jobs())
        for action_id, job in self._approvals.items():
            for card in self._cards(action_id):
                card.set_busy(_job_words(job))

    def _job_moved(self, _job: Job) -> None:
        self._jobs_changed()

    def refresh_cards(self, pending_only: bool = False) -> None:
        """Read the actions of the cards on screen (only those still pending, if asked) again, with
        their tier under the current policy, and show them (a card whose decision is under way is
        left alone)."""
        ids = [c.action.id for m in self._bubbles for c in m.cards
               if not c.busy and (c.action.status == "pending" or not pending_only)]
        if ids:
            self._read("chat action cards", lambda ws: current_actions(ws, ids), self._show_cards)

    def _show_cards(self, found: dict[int, tuple[Action, int, str | None]]) -> None:
        for action_id, (action, tier, loss) in found.items():
            for card in self._cards(action_id):
                if not card.busy:
                    card.show_action(action, tier, loss or "")

    def _read(self, key: str, fn: Callable[[Workspace], Any], callback: Callable[[Any], None]) -> None:
        """``fn(ws)`` in the runner's read pool, its result handed to ``callback`` here (nothing
        when it fails: the pane keeps what it shows); without a runner, here and now."""

        def quietly(ws: Workspace) -> Any:
            try:
                return fn(ws)
            except Exception:  # noqa: BLE001 - a read for the view: the next one tries again
                return None

        def show(result: Any) -> None:
            if result is not None:
                callback(result)

        if self.runner is not None:
            self.runner.fetch(key, quietly, show, owner=self)
        else:
            show(quietly(self.ws))

    # -- sessions ----------------------------------------------------------------------------

    def refresh_sessions(self) -> None:
        self.chats.refresh()

    def _purge_old_chats(self) -> None:
        """When the pane opens the workspace's chat, the chats deleted long enough ago go for good
        (as on every deletion: a person who never deletes again still has them purged), audited."""
        if self.runner is not None:
            self.runner.run_op(_purge, "removing chats deleted over a month ago", user=False)
        else:
            changes = _purge(self.ws)
            if changes is not None:
                self.changed.emit(changes)

    def new_session(self) -> None:
        """An empty conversation (with its examples); the session is stored with its first question."""
        self.chats.show_current(None)  # no chat in the list is the one on screen
        self._clear_messages()
        self.input.setFocus()

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Before the workspace closes: stop the answer being written (nothing of it is stored; the
        engine stops at its next step, or within a fraction of a second while it waits for the
        endpoint) and wait for the workers, so that none outlives the workspace. Approvals queued
        in the runner are its jobs: its shutdown cancels and waits for them."""
        self.timer.stop()
        asking = self._asking
        if asking is not None and asking.stop is not None:
            asking.stop.set()
        self.pool.waitForDone(timeout_ms)
        if asking is not None:  # its "cancelled" signal would come too late: the event loop is ending
            self._forget_made_session(asking)

    def _focus_moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Tab onto a chip or button of a message off screen: scroll it into view."""
        if new is not None and self.messages.isAncestorOf(new):
            self.scroll_area.ensureWidgetVisible(new)

    def open_session(self, session_id: int) -> None:
        """Show a stored session with its answers, chips and action cards."""
        self.session_id = session_id
        self._follow = True
        if self._say_session == session_id:  # "the answer is in …": it is on screen now
            self._say("")
        self._clear_messages()
        stored = self.ws.chat.sessions.messages(session_id)
        asking = self._asking if self._asking is not None and self._asking.session == session_id else None
        if asking is not None and any(m["id"] > asking.after and m["role"] == "assistant" for m in stored):
            asking = None  # its answer is stored, and its signal on the way: shown below
        if asking is not None:  # still being answered: its question may be stored already; shown once, below
            stored = [m for m in stored if m["id"] <= asking.after]
        for m in stored:
            if m["role"] == "user":
                self._add(MessageWidget("user", m["text"]))
                continue
            citations = [Citation(**c) for c in m["citations"]]
            closest = [Citation(**c) for c in m.get("closest", [])]
            actions = [self.ws.chat.actions.get(a) for a in m["actions"]]
            self._add(self._answer_widget(m["id"], m["text"], citations, m["confidence"], m["abstained"], actions,
                                          m.get("rating"), closest))
        if asking is not None:
            self._show_asking()  # the question and the answer so far
        self.refresh_cards(pending_only=True)  # tiers under the current policy, decisions made elsewhere

    def _newest_message(self, session_id: int | None) -> int:
        if session_id is None:
            return 0
        return max((int(m["id"]) for m in self.ws.chat.sessions.messages(session_id, last=1)), default=0)

    def _clear_messages(self) -> None:
        if self._asking is not None:  # its bubbles go; the answer still lands in its session
            self._asking.user = self._asking.bubble = None
        for widget in self.message_widgets():
            self._remove(widget)
        self._update_tab_order()

    def _open_link(self, link: str) -> None:
        if link.startswith("session:"):
            session_id = int(link.split(":", 1)[1])
            try:
                self.ws.chat.sessions.get(session_id)
            except Exception:  # noqa: BLE001 - deleted meanwhile
                self._say("That chat was deleted.")
                return
            self.open_session(session_id)
            self.refresh_sessions()

    def _deleted(self, session_id: int) -> None:
        """A chat was deleted (its waiting actions rejected): off the screen (the list opened its
        neighbour; with none left, a new chat), and out of the workspace panel's counts and its link to
        where approvals wait. The focus stays in the list if it was there (Delete, Ctrl+Z and the arrows
        go on), else it goes to the question box."""
        if self._say_session == session_id:
            self._say("")
        in_list = QApplication.focusWidget() is self.sessions
        if session_id == self.session_id:
            self.chats.show_current(None)
            self._clear_messages()
        if not in_list:
            self.input.setFocus()
        if self._pending_session == session_id:
            self._pending_session = None
        self.refresh_telemetry()

    # -- the endpoint's key ---------------------------------------------------------------------

    def ask_api_key(self) -> None:
        """A password box for the chat endpoint's API key (stored by ``ws.chat.set_api_key``)."""
        url = str(self.ws.setting("llm_base_url")).strip()
        if not url:
            self._say("Set the chat endpoint's URL first: File ▸ Settings (Ctrl+,) ▸ Chat endpoint URL.")
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
            self._say(self.ws.chat.set_api_key(box.text().strip()))

    # -- telemetry ---------------------------------------------------------------------------

    def refresh_telemetry(self) -> None:
        """Read the workspace panel's figures (in the runner's read pool when there is one)."""
        self._read("chat telemetry", lambda ws: ws.chat.telemetry(), self._show_telemetry)

    def show_waiting(self, where: str) -> None:
        """Go to what waits for approval: the chat session of the newest pending action (the note
        says how to decide one in no chat: proposed outside one, or its chat deleted by an older
        Grace), or the Approvals pane (through the window, when there is one)."""
        if where == "chat" and self._pending_session is not None:
            self.open_session(self._pending_session)
            self.chats.show_current(self._pending_session)
            self.chats.refresh()
        elif where == "chat" and self._pending_actions:
            self._say("The newest action waiting for approval is in no chat, so it has no card here; decide it on "
                      "the command line: grace actions list --status pending, then grace actions approve ID or "
                      "grace actions reject ID --reason TEXT.")
        elif where == "approvals" and callable(show := getattr(self.window(), "show_pane", None)):
            show("approvals")

    def _show_telemetry(self, values: dict[str, Any]) -> None:
        self._pending_session = values.get("pending_session")
        self._pending_actions = int(values.get("pending_actions") or 0)
        self._queued = int(values.get("queued", 0))
        values["running"] = self._running_jobs()
        self.telemetry.show_values(values)

    def _running_jobs(self) -> str:
        """Running jobs, from one source: the runner's queue (else this pane's workers, or the
        engine's queue of files when nothing here runs)."""
        if self.runner is None:
            return str(max(len(self._workers), int(self._queued > 0)))
        running = 1 if self.runner.running_job is not None else 0
        waiting = self.runner.queue_length - running
        return f"{running} (+{waiting} waiting)" if waiting else str(running)

    def on_changes(self, changes: Changes) -> None:
        """Refresh what ``changes`` touched (the shell calls this after any operation)."""
        if getattr(changes, "conversations", False):
            self.refresh_sessions()
        if changes.tables:  # the examples name tables
            self.refresh_examples()
        if changes.actions or changes.settings:  # decided elsewhere, or the policy's tiers changed
            self.refresh_cards()
        if changes.any() and not (self.runner is not None and self.runner.ingesting):
            self.refresh_telemetry()  # while an ingest runs, the panel's timer is often enough


def _purge(ws: Workspace) -> Changes | None:
    """Remove the chats deleted more than ``PURGE_AFTER`` ago; what changed (None: nothing)."""
    return Changes(conversations=True, audit=True) if ws.chat.sessions.purge() else None


def _job_words(job: Job) -> str:
    """How an approval's job goes, for its card."""
    if job.state == "queued":
        return "queued in the Activity: approved and run when its turn comes (it can be cancelled there)…"
    return f"{job.message} ({job.fraction:.0%}) · the Activity can cancel it"


def _for_gui(sentence: str) -> str:
    """An engine sentence that names a command-line option, worded for the pane."""
    return sentence.replace(" (--reason TEXT)", " (in the reason box of its card)")


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
