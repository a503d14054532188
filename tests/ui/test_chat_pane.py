"""The Chat pane over a real workspace: ask -> answer with chips; approve an action card;
sessions; the window never waits for an answer."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QTextLayout, QTextOption, QWheelEvent

import ui
import ui.theme as theme
from engine import Changes, Workspace
from engine.chat import Citation
from engine.chat.render import without_proposals
from engine.chat.types import ABSTAIN_TEXT
from grace_desktop.qt import QApplication, QCoreApplication, QPalette, QPoint, QPushButton, Qt, QWidget
from grace_desktop.runner import Runner
from tests.engine.test_chat_actions import audit_actions
from tests.engine.test_chat_endpoint import FakeOpenAI
from tests.engine.test_chat_secrets import MemoryKeyring
from tests.fixtures.make_pdf import make_pdf
from ui.chat import ChatPane
from ui.chat_widgets import ChipFlow, CitationChip, MessageWidget, TelemetryPanel
from ui.theme import colors

WAIT_MS = 120_000


def ask(qtbot, pane: ChatPane, question: str):  # type: ignore[no-untyped-def]
    pane.input.setText(question)
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS) as blocker:
        pane.send_button.click()
        assert pane.input.text() == ""  # the call returned at once: the answer comes from a worker
    return blocker.args[0]


def test_ask_shows_the_answer_with_citation_chips_that_open_the_file(qtbot, pane: ChatPane, docs: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    opened = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url) or True)
    answer = ask(qtbot, pane, "How often should tomatoes be watered?")
    bubbles = pane.message_widgets()
    assert [b.role for b in bubbles] == ["user", "assistant"]
    reply = bubbles[-1]
    assert "twice a week" in reply.body.text()
    assert reply.chips and reply.chips[0].text().startswith("[1] guide.md")
    assert "Confidence" in reply.confidence.text() and "%" in reply.confidence.text()
    reply.chips[0].click()
    assert opened and opened[0].toLocalFile() == str(docs / "guide.md")
    qtbot.keyClick(reply.chips[0], Qt.Key.Key_Return)  # Enter on a focused chip opens it as well
    assert len(opened) == 2 and opened[1] == opened[0]
    assert pane.sessions.count() == 1 and pane.session_id == answer.session
    assert pane.telemetry.values["documents"].text() == "5"


def test_approving_an_action_card_runs_it(qtbot, pane: ChatPane, ws: Workspace, docs: Path) -> None:
    answer = ask(qtbot, pane, "forget the document notes.txt")
    card = pane.message_widgets()[-1].cards[0]
    assert card.action.id == answer.actions[0].id and not card.approve.isHidden()
    assert not card.approve.isEnabled()  # tier 3: a reason first
    card.reason.setText("stale notes")
    assert card.approve.isEnabled()
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert str(docs / "notes.txt") not in {d["path"] for d in ws.documents()}
    assert card.approve.isHidden() and "stale notes" in card.state.text()


def test_a_read_only_action_approved_later_shows_what_it_found_on_its_card(qtbot, pane: ChatPane,
                                                                         ws: Workspace) -> None:
    ws.set_setting("action_tiers", "status=2")  # a policy that wants even the status approved
    answer = ask(qtbot, pane, "show me the workspace status")
    card = pane.message_widgets()[-1].cards[0]
    assert (answer.actions[0].type, answer.actions[0].status) == ("status", "pending") and card.result.isHidden()
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert not card.result.isHidden() and card.result.toPlainText().startswith("Your workspace holds")


def test_a_query_card_keeps_its_sql_behind_show_the_query_in_the_code_font(qtbot, pane: ChatPane, ws: Workspace,
                                                                            tmp_path: Path) -> None:
    (tmp_path / "expenses.csv").write_text("date,category,amount\n2026-01-03,groceries,42.10\n")
    assert ws.tables.import_file(tmp_path / "expenses.csv").status == "applied"
    ask(qtbot, pane, "how much did we spend on groceries in January?")
    card = pane.message_widgets()[-1].cards[0]
    assert card.title.text() == "<b>Read-only query</b>"  # the answer above says in words what it found
    assert card.sql.isHidden() and not card.show_query.isHidden() and card.show_query.text() == "Show the query"
    assert card.show_query in pane.message_widgets()[-1].focus_chain()  # reached with Tab
    card.show_query.setFocus()
    qtbot.keyClick(card.show_query, Qt.Key.Key_Return)  # Enter (or Space) shows it
    assert not card.sql.isHidden() and card.sql.text().startswith("<code>SELECT round(sum(")
    assert card.show_query.text() == "Hide the query"
    qtbot.keyClick(card.show_query, Qt.Key.Key_Space)
    assert card.sql.isHidden()


def test_an_action_cut_short_by_a_killed_process_can_be_approved_again_from_its_card(
        qtbot, pane: ChatPane, ws: Workspace) -> None:
    from sqlalchemy import text

    from engine.chat.store import writing

    answer = ask(qtbot, pane, "create a table called pets with name and age")
    with writing(ws) as conn:  # as a process killed while it ran the action leaves it
        conn.execute(text("UPDATE actions SET status='approved' WHERE id=:i"), {"i": answer.actions[0].id})
    pane.open_session(answer.session)
    card = pane.message_widgets()[-1].cards[0]
    assert card.action.status == "failed" and "Interrupted" in card.state.text()
    assert card.approve.text() == "Approve again" and not card.approve.isHidden() and card.reject.isHidden()
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert "pets" in {t.name for t in ws.tables.list()} and card.approve.isHidden()


def test_sessions_are_listed_reopened_renamed_and_deleted(qtbot, pane: ChatPane, ws: Workspace) -> None:
    acting = [b for b in pane.chats.buttons if b.text() in ("Rename", "Export…", "Delete")]
    assert len(acting) == 3 and not any(b.isEnabled() for b in acting)  # no chat to act on yet
    first = ask(qtbot, pane, "When is the budget review?")
    assert all(b.isEnabled() for b in acting)  # the chat on screen is the chosen one
    pane.new_session()
    assert pane.message_widgets() == [] and not any(b.isEnabled() for b in acting)
    ask(qtbot, pane, "status")
    assert pane.sessions.count() == 2
    pane.open_session(first.session)
    assert [b.role for b in pane.message_widgets()] == ["user", "assistant"]
    assert pane.message_widgets()[-1].chips  # chips come back from the stored citations
    item = next(pane.sessions.item(i) for i in range(pane.sessions.count())
                if pane.sessions.item(i).data(256) == first.session)
    item.setText("Budget")
    assert ws.chat.sessions.get(first.session)["title"] == "Budget"
    pane.search.setText("budg")
    assert pane.sessions.count() == 1
    pane.search.setText("")
    pane.sessions.setCurrentRow(0)
    pane.chats.delete()
    assert pane.sessions.count() == 1


def test_screenshot_after_an_exchange_with_citations_and_an_action_card(qtbot, pane: ChatPane,
                                                                       tmp_path: Path) -> None:
    ask(qtbot, pane, "How often should tomatoes be watered?")
    ask(qtbot, pane, "please ingest the folder ~/Documents")
    qtbot.wait(50)
    path = os.environ.get("GRACE_CHAT_SCREENSHOT") or str(tmp_path / "chat.png")
    assert pane.grab().save(path)
    assert Path(path).stat().st_size > 10_000


# -- what a person ran into: switching chats mid-answer, widths, the keyboard, … -------------------------

LONG_NAME = "an_extremely_long_file_name_about_sourdough_starter_feeding_schedule_and_hydration.md"


def _button(pane: ChatPane, text: str) -> QPushButton:
    return next(b for b in pane.findChildren(QPushButton) if b.text() == text)


@pytest.fixture
def endpoint(ws: Workspace) -> Iterator[FakeOpenAI]:
    """A streaming OpenAI-compatible endpoint on 127.0.0.1 (the engine tests' fake), in the settings."""
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    server = FakeOpenAI()
    server.reply = {"text": "Tomatoes want deep watering twice a week, and full sun, and a stake "
                            "when they reach knee height [1].", "tool_calls": []}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    ws.set_setting("llm_base_url", server.base_url)
    ws.set_setting("llm_model", "tiny-test")
    yield server
    server.shutdown()
    server.server_close()
    keyring.set_keyring(before)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """Endpoint settings read the API key: from a keyring in memory, never the real one."""
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(before)


@pytest.mark.parametrize("reasoner", ["offline", "endpoint"])
def test_new_chat_while_an_answer_streams_keeps_the_pane_usable(qtbot, pane: ChatPane, reasoner: str,
                                                                request: pytest.FixtureRequest) -> None:
    if reasoner == "endpoint":
        request.getfixturevalue("endpoint")
    question = "How often should tomatoes be watered?"
    pane.input.setText(question)
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS) as blocker:
        pane.send_button.click()
        assert [b.role for b in pane.message_widgets()] == ["user", "assistant"]
        _button(pane, "New").click()  # before a single token has arrived (they are queued to this thread)
    answer = blocker.args[0]
    assert answer.reasoner == reasoner
    assert pane.message_widgets() == [] and pane.session_id is None  # not painted into the new chat
    assert pane.send_button.isEnabled()
    assert "is in the chat" in pane.note.text() and question in pane.note.text()
    pane.note.linkActivated.emit(f"session:{answer.session}")  # the note links to it
    assert pane.session_id == answer.session and pane.note.text() == ""
    bubbles = pane.message_widgets()
    assert [b.role for b in bubbles] == ["user", "assistant"] and bubbles[-1].body.text() == answer.text
    pane.new_session()
    again = ask(qtbot, pane, "When is the budget review?")  # and the pane still answers
    assert again.session != answer.session and len(pane.message_widgets()) == 2


def test_a_chat_reopened_while_its_question_is_stored_but_not_answered_shows_it_once(
        qtbot, pane: ChatPane, ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    first = ask(qtbot, pane, "When is the budget review?")
    stored, go_on = threading.Event(), threading.Event()
    propose = ws.chat._propose_all

    def between(*args: Any) -> Any:  # the engine stores the question, then proposes, then the answer
        stored.set()
        go_on.wait(WAIT_MS / 1000)
        return propose(*args)

    monkeypatch.setattr(ws.chat, "_propose_all", between)
    pane.input.setText("How often should tomatoes be watered?")
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS):
        pane.send_button.click()
        qtbot.waitUntil(stored.is_set, timeout=WAIT_MS)
        pane.new_session()
        pane.open_session(first.session)  # the question is stored; its answer is not
        bubbles = pane.message_widgets()
        assert [b.role for b in bubbles] == ["user", "assistant"] * 2  # not the stored question alone
        assert bubbles[2].body.text().startswith("How often")
        go_on.set()
    assert [b.role for b in pane.message_widgets()] == ["user", "assistant"] * 2


def test_an_answer_lands_in_its_own_session_when_the_person_goes_away_and_back(qtbot, pane: ChatPane) -> None:
    first = ask(qtbot, pane, "When is the budget review?")
    pane.new_session()
    other = ask(qtbot, pane, "Where does Alice send the invoice?")
    pane.open_session(first.session)
    pane.input.setText("How often should tomatoes be watered?")
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS) as blocker:
        pane.send_button.click()
        pane.open_session(other.session)
        assert len(pane.message_widgets()) == 2  # the other chat shows only its own messages
        pane.open_session(first.session)  # back before the answer arrives: the question is there again
        assert [b.role for b in pane.message_widgets()] == ["user", "assistant"] * 2
    assert blocker.args[0].session == first.session
    bubbles = pane.message_widgets()
    assert [b.role for b in bubbles] == ["user", "assistant"] * 2
    assert "twice a week" in bubbles[-1].body.text() and bubbles[-1].chips
    assert pane.send_button.isEnabled() and pane.session_id == first.session


def test_a_chat_opened_after_its_answer_is_stored_but_before_it_arrives_shows_it_once(
        qtbot, pane: ChatPane) -> None:
    first = ask(qtbot, pane, "When is the budget review?")
    pane.input.setText("How often should tomatoes be watered?")
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS):
        pane.send_button.click()
        pane.pool.waitForDone(WAIT_MS)  # stored; its "done" signal waits in the event queue
        pane.open_session(first.session)
        assert [b.role for b in pane.message_widgets()] == ["user", "assistant"] * 2  # not the question twice
    bubbles = pane.message_widgets()
    assert [b.role for b in bubbles] == ["user", "assistant"] * 2 and "twice a week" in bubbles[-1].body.text()


def test_the_wheel_over_an_answer_scrolls_the_conversation(qtbot, pane: ChatPane) -> None:
    for question in ("How often should tomatoes be watered?", "When is the budget review?", "status",
                     "Where does Alice send the invoice?"):
        ask(qtbot, pane, question)
    pane.resize(900, 300)
    bar = pane.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=WAIT_MS)
    text = pane.message_widgets()[-1].body.viewport()
    at = QPointF(5, 5)
    wheel = QWheelEvent(at, QPointF(text.mapToGlobal(QPoint(5, 5))), QPoint(0, 0), QPoint(0, 120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QCoreApplication.sendEvent(text, wheel)
    assert bar.value() < bar.maximum()


def _inside(widget: QWidget, view: QWidget) -> bool:
    """``widget`` is shown whole within ``view``'s width."""
    left = widget.mapTo(view, QPoint(0, 0)).x()
    return left >= 0 and left + widget.width() <= view.width()


def test_long_file_names_and_words_never_widen_the_conversation(qtbot, ws: Workspace, docs: Path) -> None:
    deep = docs / ("very_long_folder_name_for_testing_paths_" + "a" * 30) / ("nested_subfolder_" + "b" * 30)
    deep.mkdir(parents=True)
    (deep / LONG_NAME).write_text("# Sourdough\n\nFeed the sourdough starter twice a day with equal weights of "
                                  "flour and water.\n\nKeep the starter in the fridge if you bake only once a "
                                  "week, and feed it weekly.\n", encoding="utf-8")
    ws.ingest([docs])
    pane = ChatPane(ws)
    qtbot.addWidget(pane)
    pane.resize(1100, 700)
    pane.show()
    ask(qtbot, pane, "How should I feed the sourdough starter?")
    ask(qtbot, pane, "tell me about " + "x" * 240)
    ask(qtbot, pane, f"forget the document {LONG_NAME}")
    bubbles = pane.message_widgets()
    chip = bubbles[1].chips[0]
    assert chip.text().startswith("[1] an_extremely") and "…" in chip.text() and chip.text().endswith("l. 3")
    assert str(deep / LONG_NAME) in chip.toolTip()
    card = bubbles[-1].cards[0]
    assert card.action.tier == 3
    for width in (1600, 1100, 640):  # 640: the pane in an 800 px window
        pane.resize(width, 700)
        QCoreApplication.sendPostedEvents()
        QCoreApplication.processEvents()
        view = pane.scroll_area.viewport()
        assert pane.scroll_area.horizontalScrollBar().maximum() == 0
        assert pane.messages.width() <= view.width()
        for bubble in pane.message_widgets():
            assert _inside(bubble, view), width
            for part in [bubble.body, *bubble.chips, *bubble.focus_chain()]:
                assert part.isHidden() or _inside(part, view), (width, part)
        assert all(not w.isHidden() for w in (card.reason, card.approve, card.reject))


def test_the_pane_works_in_an_800_px_window_with_an_endpoint_error(qtbot, shell, docs: Path,
                                                                   no_keyring: None) -> None:
    window, ws = shell.window, shell.runner.ws
    ws.ingest([docs])
    shell.build_late_panes()
    window.show_pane("chat")
    pane = window.panes["chat"].widget
    ask(qtbot, pane, "forget the document notes.txt")  # a pending action: Approvals lists it
    ws.set_setting("llm_base_url", "http://127.0.0.1:9/v1")  # nothing listens there
    answer = ask(qtbot, pane, "How often should tomatoes be watered?")
    assert "could not be reached" in answer.fallback and pane.note.text() == ""  # the answer's notice says it
    assert "could not be reached" in pane.message_widgets()[-1].notice.text()
    window.resize(800, 600)
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert window.width() == 800  # no pane (shown or not) holds the window wider
    assert pane.scroll_area.horizontalScrollBar().maximum() == 0
    assert pane.note.wordWrap() and _inside(pane.note, pane)
    reply = pane.message_widgets()[-1]
    for part in [reply.body, reply.notice, *reply.focus_chain()]:
        assert _inside(part, pane.scroll_area.viewport())


def test_an_offline_fallback_is_a_plain_note_above_the_answer(qtbot, pane: ChatPane, ws: Workspace,
                                                              no_keyring: None) -> None:
    ws.set_setting("llm_base_url", "http://127.0.0.1:9/v1")
    answer = ask(qtbot, pane, "How often should tomatoes be watered?")
    assert answer.text.startswith("*Answered offline from your files")
    for reply in (pane.message_widgets()[-1], None):
        if reply is None:  # and so when the session is opened again
            pane.open_session(answer.session)
            reply = pane.message_widgets()[-1]
        assert not reply.notice.isHidden() and reply.notice.text().startswith("Answered offline from your files")
        assert "could not be reached" in reply.notice.text() and "_" not in reply.notice.text()
        assert reply.body.text().startswith("Tomatoes need full sun")


def test_a_base_url_that_is_not_a_url_answers_offline_with_a_note(qtbot, pane: ChatPane, ws: Workspace,
                                                                  no_keyring: None) -> None:
    import json

    from sqlalchemy import text

    with ws._write_engine.begin() as conn:  # as an older build may have stored it (set_setting refuses it now)
        conn.execute(text("INSERT INTO settings(name, value) VALUES ('llm_base_url', :v) ON CONFLICT(name) "
                          "DO UPDATE SET value=excluded.value"), {"v": json.dumps("not a url at all")})
    answer = ask(qtbot, pane, "How often should tomatoes be watered?")
    assert answer.reasoner == "offline" and "is not a URL" in answer.fallback
    reply = pane.message_widgets()[-1]
    assert "is not a URL" in reply.notice.text() and "twice a week" in reply.body.text()
    assert [m["role"] for m in ws.chat.sessions.messages(answer.session)] == ["user", "assistant"]


def test_a_session_is_exported_to_markdown_from_the_button_and_the_menu(qtbot, pane: ChatPane, ws: Workspace,
                                                                       tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    answer = ask(qtbot, pane, "How often should tomatoes be watered?")
    asked: list[str] = []
    pane.chats.choose_export_file = lambda title: asked.append(title) or str(tmp_path / "tomatoes.md")
    pane.sessions.setCurrentRow(0)
    _button(pane, "Export…").click()
    expected = ws.chat.sessions.export_markdown(answer.session)
    assert asked == ["How often should tomatoes be watered?"]
    assert (tmp_path / "tomatoes.md").read_text(encoding="utf-8") == expected
    assert "tomatoes.md" in pane.note.text()
    # the context menu, with the real file dialog's call replaced (a name without .md gets it)
    pane.chats.choose_export_file = pane.chats._choose_export_file
    from ui import file_dialogs

    monkeypatch.setattr(file_dialogs.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "from-menu"), "")))
    menu = pane.chats.menu(pane.sessions.item(0))
    export = next(a for a in menu.actions() if a.text().startswith("Export"))
    export.trigger()
    assert (tmp_path / "from-menu.md").read_text(encoding="utf-8") == expected


def test_shift_enter_adds_a_line_and_enter_asks(qtbot, pane: ChatPane) -> None:
    qtbot.keyClicks(pane.input, "How often should tomatoes")
    qtbot.keyClick(pane.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(pane.input, "be watered?")
    assert pane.message_widgets() == [] and pane.input.text() == "How often should tomatoes\nbe watered?"
    height = pane.input.height()
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS):
        qtbot.keyClick(pane.input, Qt.Key.Key_Return)
    assert pane.message_widgets()[0].body.text() == "How often should tomatoes\nbe watered?"
    assert pane.input.text() == ""
    pane.input.setText("\n".join(f"line {i}" for i in range(4)))
    assert pane.input.height() > height  # it grows with the text …
    tall = pane.input.height()
    pane.input.setText("\n".join(f"line {i}" for i in range(20)))
    assert pane.input.height() == pane.input.maximumHeight()  # … up to a few lines
    assert tall < pane.input.height() < 20 * pane.input.fontMetrics().lineSpacing()


def test_helpful_and_not_helpful_are_one_choice_kept_with_the_session(qtbot, pane: ChatPane) -> None:
    answer = ask(qtbot, pane, "How often should tomatoes be watered?")
    reply = pane.message_widgets()[-1]
    assert not reply.helpful.isChecked() and not reply.not_helpful.isChecked()
    reply.helpful.click()
    assert reply.helpful.isChecked() and not reply.not_helpful.isChecked()
    assert pane.note.text().startswith("Marked helpful")
    reply.not_helpful.click()
    assert reply.not_helpful.isChecked() and not reply.helpful.isChecked()
    assert pane.note.text().startswith("Marked not helpful")
    pane.new_session()
    pane.open_session(answer.session)
    again = pane.message_widgets()[-1]
    assert again.not_helpful.isChecked() and not again.helpful.isChecked()
    again.not_helpful.click()  # clicking the chosen one again takes the rating back
    assert not again.not_helpful.isChecked() and not again.helpful.isChecked()
    assert pane.note.text().startswith("Rating taken back")
    pane.open_session(answer.session)
    assert pane.message_widgets()[-1].rating is None  # kept so


def test_a_chip_says_where_the_quote_is_and_a_pdf_opens_at_its_page(qtbot, ws: Workspace, docs: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    (docs / "report.pdf").write_bytes(make_pdf([
        "Annual report 2023\nThe company was founded in Lyon in 1998.\nIt makes bicycle parts.",
        "Finance\nRevenue grew by 12 percent to 4.1 million euros in 2023.\nCosts stayed flat."]))
    ws.ingest([docs])
    pane = ChatPane(ws)
    qtbot.addWidget(pane)
    pane.show()
    opened = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url) or True)
    ask(qtbot, pane, "How often should tomatoes be watered?")
    chip = pane.message_widgets()[-1].chips[0]
    assert "line 7" in chip.toolTip() and str(docs / "guide.md") in chip.toolTip()
    ask(qtbot, pane, "By how much did revenue grow in 2023?")
    chip = pane.message_widgets()[-1].chips[0]
    assert "page 2" in chip.toolTip()
    chip.click()
    assert opened[-1].toLocalFile() == str(docs / "report.pdf") and opened[-1].fragment() == "page=2"


def _tab_stops(pane: ChatPane) -> list[QWidget]:
    """The widgets Tab visits from the search box, in order (as Qt walks its focus chain)."""
    QCoreApplication.processEvents()  # new bubbles are shown by a queued call
    out: list[QWidget] = []
    widget = pane.search.nextInFocusChain()
    while widget is not pane.search and len(out) < 200:
        if (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) == Qt.FocusPolicy.TabFocus and widget.isVisibleTo(pane) \
                and widget.isEnabled() and pane.isAncestorOf(widget):
            out.append(widget)
        widget = widget.nextInFocusChain()
    return out


def test_the_keyboard_reaches_everything_in_reading_order(qtbot, pane: ChatPane, ws: Workspace) -> None:
    ask(qtbot, pane, "How often should tomatoes be watered?")
    ask(qtbot, pane, "forget the document notes.txt")
    answer, card = pane.message_widgets()[1], pane.message_widgets()[-1].cards[0]
    stops = _tab_stops(pane)
    order = [answer.chips[0], card.reason, pane.input, pane.send_button]  # an answer's chips and ratings: one stop
    assert [stops.index(w) for w in order] == sorted(stops.index(w) for w in order)
    assert answer.helpful not in stops and answer.not_helpful not in stops  # reached with the arrows from the chip
    assert pane.message_widgets()[-1].not_helpful is None  # an action's answer: nothing of the files to rate
    assert stops.index(pane.input) == stops.index(card.reason) + 1  # its buttons wait for the reason
    # Delete in the list deletes (as the button does) and Ctrl+Z there brings the chat back;
    # Ctrl+N starts a new chat from anywhere in the pane
    pane.activateWindow()
    qtbot.waitUntil(lambda: pane.isActiveWindow(), timeout=WAIT_MS)
    pane.sessions.setCurrentRow(0)
    pane.sessions.setFocus()
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Delete)
    assert pane.sessions.count() == 0 and pane.note.text() == (
        "Deleted the chat “How often should tomatoes be watered?”; its 1 action waiting for approval was rejected.")
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pane.sessions.count() == 1 and pane.message_widgets()[-1].cards[0].action.status == "pending"
    pane.input.setFocus()
    qtbot.keyClick(pane.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert pane.message_widgets() == [] and pane.session_id is None


def test_a_question_typed_during_an_answer_stays_in_the_box(qtbot, pane: ChatPane) -> None:
    pane.input.setText("How often should tomatoes be watered?")
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS):
        pane.send_button.click()
        qtbot.keyClicks(pane.input, "When is the budget review?")
        qtbot.keyClick(pane.input, Qt.Key.Key_Return)
        assert pane.input.text() == "When is the budget review?"
        assert pane.note.text() == "Grace is still answering; your question stays here (Stop or Esc ends the answer)."
    assert pane.input.text() == "When is the budget review?" and len(pane.message_widgets()) == 2


def test_session_titles_rename_errors_and_long_titles(qtbot, pane: ChatPane) -> None:
    ask(qtbot, pane, "How often should tomatoes be watered?")
    pane.sessions.item(0).setText("   ")
    assert pane.note.text() == "A chat needs a title with at least one word."
    assert pane.note.palette().color(QPalette.ColorRole.WindowText).name() == colors()["error"]
    pane.sessions.item(0).setText("A" * 300)
    assert pane.note.text() == f"Renamed the chat to “{'A' * 300}”."  # the error before it is gone
    item = pane.sessions.item(0)
    assert item.text() == "A" * 300 and item.toolTip() == "A" * 300
    assert pane.sessions.visualItemRect(item).width() <= pane.sessions.viewport().width()  # elided
    assert pane.sessions.horizontalScrollBar().maximum() == 0
    pane.chats.search.setText("zebra")
    qtbot.waitUntil(lambda: pane.sessions.count() == 1 and pane.sessions.item(0).text() == "No chat matches “zebra”.",
                    timeout=WAIT_MS)
    assert pane.sessions.item(0).flags() == Qt.ItemFlag.NoItemFlags


def test_reading_back_is_not_pulled_to_the_bottom_and_tab_scrolls_to_what_it_reaches(qtbot, pane: ChatPane) -> None:
    for question in ("How often should tomatoes be watered?", "When is the budget review?",
                     "Where does Alice send the invoice?"):
        ask(qtbot, pane, question)
    pane.resize(900, 300)
    pane.show()
    bar = pane.scroll_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0 and bar.value() == bar.maximum(), timeout=WAIT_MS)
    bar.setValue(0)  # the person scrolls up to read the first answer
    pane.message_widgets()[1].helpful.click()  # its footer changes: the layout with it
    pane.resize(880, 320)
    QCoreApplication.processEvents()
    assert bar.value() == 0
    assert pane.scroll_area.focusPolicy() == Qt.FocusPolicy.NoFocus  # no invisible Tab stop
    last = pane.message_widgets()[-1].not_helpful
    last.setFocus()
    QCoreApplication.processEvents()
    assert bar.value() > 0  # the button Tab reached is scrolled into view


def test_the_chat_being_answered_cannot_be_deleted_and_a_link_to_a_deleted_chat_says_so(
        qtbot, pane: ChatPane) -> None:
    first = ask(qtbot, pane, "When is the budget review?")
    pane.input.setText("How often should tomatoes be watered?")
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS):
        pane.send_button.click()
        pane.chats.delete(first.session)
        assert "still answering in this chat" in pane.note.text()
        assert pane.chats.undo_bar.isHidden()  # nothing was deleted
    assert pane.ws.chat.sessions.get(first.session)
    pane.chats.delete(first.session)
    assert pane.note.text() == "Deleted the chat “When is the budget review?”."
    pane.note.linkActivated.emit(f"session:{first.session}")
    assert pane.note.text() == "That chat was deleted." and pane.message_widgets() == []


def test_closing_the_app_mid_answer_stops_it_and_closes_the_workspace_whole(qtbot, shell, docs: Path) -> None:
    ws = shell.runner.ws
    ws.ingest([docs])
    shell.build_late_panes()
    shell.window.show_pane("chat")
    pane = shell.window.panes["chat"].widget
    pane.input.setText("How often should tomatoes be watered?")
    pane.send_button.click()
    shell.shutdown()  # at once, while the answer is being written: it stops, nothing of it is kept
    assert ws._closed and pane.pool.activeThreadCount() == 0
    with Workspace(ws.folder, ws.embedder) as again:
        assert again.chat.sessions.list() == []  # not even the chat made for the question


def test_quotes_from_plain_text_show_as_written_not_as_markdown_or_html(qtbot, pane: ChatPane, ws: Workspace,
                                                                         tmp_path: Path) -> None:
    said = {"Which file does the plugin loader read first?":
            "The plugin loader reads the __init__ file first and then the settings module of each plugin.",
            "How does the billing export price each part?":
            "The billing export prices each part at 1.2*qty*rate before it rounds to whole cents.",
            "When is the pump motor serviced?":
            'The pump motor is serviced every Friday by the day team <img src="x.png"> before the shift change.'}
    notes = tmp_path / "plant-notes.txt"
    notes.write_text("Plant notes\n\n" + "\n\n".join(said.values()) + "\n", encoding="utf-8")
    ws.ingest([notes])
    for question, sentence in said.items():
        answer = ask(qtbot, pane, question)
        assert answer.citations and answer.citations[0].path == str(notes)
        # no emphasis eating the underscores or stars, no image swallowing the rest of the answer
        assert sentence in pane.message_widgets()[-1].body.toPlainText()


# -- a review of the pane: cards after a refusal, long approvals as jobs, the keyboard, chips, colours --------


def _card_for(qtbot, pane: ChatPane, question: str):  # type: ignore[no-untyped-def]
    ask(qtbot, pane, question)
    return pane.message_widgets()[-1].cards[0]


def test_a_card_follows_a_policy_that_raised_its_tier_and_says_so_in_words_for_the_window(
        qtbot, pane: ChatPane, ws: Workspace, tmp_path: Path) -> None:
    card = _card_for(qtbot, pane, f"ingest the folder {tmp_path}")
    assert card.action.tier == 2 and card.approve.isEnabled()
    ws.set_setting("action_tiers", "ingest=3")  # as the settings dialog does; the shell passes its Changes on
    pane.on_changes(Changes(settings=True))
    qtbot.waitUntil(lambda: card.tier == 3, timeout=WAIT_MS)
    assert not card.approve.isEnabled() and card.reason.placeholderText() == "Reason (required to confirm)"
    assert "confirmation with a reason" in card.state.text() and "policy" in card.state.text()
    assert "tier" not in card.state.text()
    card.approve_requested.emit(card.action.id, "")  # a click that got past the disabled button
    assert "type a reason" in pane.note.text() and "--reason" not in pane.note.text()
    assert "working" not in card.state.text() and ws.chat.actions.get(card.action.id).status == "pending"


def test_a_refused_approval_leaves_the_card_showing_the_action_as_it_is(qtbot, pane: ChatPane, ws: Workspace,
                                                                        tmp_path: Path) -> None:
    card = _card_for(qtbot, pane, f"ingest the folder {tmp_path}")
    ws.chat.actions.reject(card.action.id, "decided in a terminal")  # as the CLI does, unseen by the pane
    card.approve.click()
    qtbot.waitUntil(lambda: card.state.text().startswith("Rejected"), timeout=WAIT_MS)
    assert "working" not in card.state.text() and card.approve.isHidden()
    assert "not waiting for approval" in pane.note.text()


def test_an_ingest_approved_in_chat_is_a_job_of_the_runner_that_can_be_cancelled(
        qtbot, ws: Workspace, queued: tuple[ChatPane, Runner, Path]) -> None:
    pane, runner, extra = queued
    card = _card_for(qtbot, pane, f"ingest the folder {extra}")
    card.approve.click()
    job = runner.jobs[-1]  # in the queue the Activity shows (it waits for the model to load)
    assert job.kind == "work" and "approved in chat" in job.label and runner.queue_length == 1
    assert card.busy and not card.approve.isEnabled() and "Activity" in card.state.text()
    runner.cancel(job)
    assert not card.busy and card.approve.isEnabled() and "Cancelled" in pane.note.text()
    assert ws.chat.actions.get(card.action.id).status == "pending"
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert runner.jobs[-1].state == "done" and runner.queue_length == 0
    assert str(extra / "bees.md") in {d["path"] for d in ws.documents()}
    assert audit_actions(ws, card.action.id) == ["action.propose", "action.approve", "action.execute"]
    qtbot.waitUntil(lambda: pane.telemetry.values["running"].text() == "0", timeout=WAIT_MS)


def test_with_a_runner_the_workspace_panel_is_read_off_the_gui_thread(qtbot, ws: Workspace, docs: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ws.ingest([docs])
    threads: list[threading.Thread] = []
    read = ws.chat.telemetry
    monkeypatch.setattr(ws.chat, "telemetry", lambda: threads.append(threading.current_thread()) or read())
    runner = Runner()
    runner.set_workspace(ws)
    pane = ChatPane(ws, runner=runner)
    qtbot.addWidget(pane)
    try:
        qtbot.waitUntil(lambda: pane.telemetry.values["documents"].text() == "5", timeout=WAIT_MS)
        pane.on_changes(Changes(documents=True))
        qtbot.waitUntil(lambda: len(threads) >= 2, timeout=WAIT_MS)
        assert threading.main_thread() not in threads
    finally:
        runner.shutdown(timeout_ms=WAIT_MS)


def test_the_chat_highlighted_in_the_list_is_the_one_on_screen(qtbot, pane: ChatPane) -> None:
    first = ask(qtbot, pane, "When is the budget review?")
    pane.new_session()
    second = ask(qtbot, pane, "How often should tomatoes be watered?")
    pane.sessions.setFocus()
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Down)
    assert pane.sessions.currentItem().data(Qt.ItemDataRole.UserRole) == first.session == pane.session_id
    assert "Thursday" in pane.message_widgets()[-1].body.text()
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Up)
    assert pane.session_id == second.session
    pane.new_session()
    assert pane.sessions.currentItem() is None  # the new chat is in no row
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Down)
    assert pane.session_id == pane.sessions.currentItem().data(Qt.ItemDataRole.UserRole) == second.session


def test_a_chip_with_room_shows_its_name_whole_however_often_it_is_laid_out(qtbot) -> None:
    for name in ("ops-notes.txt", "welcome-to-grace.md", "annual report.pdf", "markdown-notes.md"):
        chip = CitationChip(Citation(1, f"/tmp/{name}", None, 3, 3, "a quote", 1))
        flow = ChipFlow([chip])
        qtbot.addWidget(flow)
        flow.show()
        for width in (700, 701, 702, 703, 704):
            flow.resize(width, 40)
            QCoreApplication.processEvents()
            assert chip.text() == f"[1] {name} · l. 3", (name, width)
        flow.resize(90, 40)  # too narrow: the name gives way, and comes back with the room
        QCoreApplication.processEvents()
        assert "…" in chip.text() and chip.width() <= 90
        flow.resize(700, 40)
        QCoreApplication.processEvents()
        assert chip.text() == f"[1] {name} · l. 3"


def test_a_chip_whose_file_is_gone_or_that_nothing_opens_says_so(qtbot, pane: ChatPane, docs: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    monkeypatch.setattr(ui, "open_url", lambda url: opened.append(url) or False)  # no program for it
    ask(qtbot, pane, "How often should tomatoes be watered?")
    chip = pane.message_widgets()[-1].chips[0]
    chip.click()
    assert len(opened) == 1 and "No program" in pane.note.text() and "guide.md" in pane.note.text()
    (docs / "guide.md").rename(docs / "garden.md")
    chip.click()
    assert len(opened) == 1  # nothing to open
    assert "guide.md is no longer at" in pane.note.text() and str(docs / "guide.md") in pane.note.text()


def test_an_answer_that_declines_shows_the_closest_passages_as_chips_also_when_reopened(
        qtbot, pane: ChatPane, ws: Workspace) -> None:
    answer = ask(qtbot, pane, "How much does a new bicycle chain cost?")
    assert answer.abstained and answer.closest and not answer.citations
    reply = pane.message_widgets()[-1]
    assert [c.citation.path for c in reply.chips] == [c.path for c in answer.closest]
    assert reply.closest == answer.closest
    sessions = ws.chat.sessions  # a stored answer that kept its closest passages
    sid = sessions.new("Declined")
    sessions.add_message(sid, "user", "What is the capital city of Australia?")
    sessions.add_message(sid, "assistant", ABSTAIN_TEXT, confidence=0.1, abstained=True,
                         closest=[c.as_dict() for c in answer.closest])
    pane.open_session(sid)
    reopened = pane.message_widgets()[-1]
    assert [c.citation for c in reopened.chips] == answer.closest


def test_a_switch_to_dark_recolours_the_bubbles_and_the_failure_list(qtbot, pane: ChatPane,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ask(qtbot, pane, "How often should tomatoes be watered?")
    pane.telemetry.show_values({"failures": [
        {"path": "action 3: Ingest /data/does-not-exist", "reason": "Nothing to ingest there."},
        {"path": "/data/reports/q3.pdf", "reason": "The PDF is encrypted."}]})
    assert pane.telemetry.failures.text().replace("\u200b", "").splitlines() == [
        "action 3: Ingest /data/does-not-exist: Nothing to ingest there.", "q3.pdf: The PDF is encrypted."]
    reply = pane.message_widgets()[-1]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setattr(theme, "is_dark", lambda: True)  # what the system's switch does (theme.apply_theme)
    app.setPalette(theme.palette(True))
    try:
        QCoreApplication.processEvents()
        background = reply.grab().toImage().pixelColor(4, reply.height() // 2)
        assert background == theme.palette(True).color(QPalette.ColorRole.Base)
        failures = pane.telemetry.failures.palette().color(QPalette.ColorRole.WindowText)
        assert failures.name() == colors()["error"] == "#ff7b72"
        pane._say("A sentence.")
        assert pane.note.palette().color(QPalette.ColorRole.WindowText).name() == colors()["muted"]
    finally:
        monkeypatch.undo()
        app.setPalette(theme.palette(False))
        QCoreApplication.processEvents()


def test_a_chip_for_a_table_row_cited_by_its_file_alone_shows_no_empty_quote(qtbot) -> None:  # type: ignore[no-untyped-def]
    chip = CitationChip(Citation(2, "/data/budget.xlsx", None, None, None, "", 0))
    qtbot.addWidget(chip)
    assert "budget.xlsx" in chip.text() and "“" not in chip.toolTip() and "Click to open the file" in chip.toolTip()
    quoted = CitationChip(Citation(3, "/data/suppliers.csv", None, 4, 4, "Cogs Ltd,Lyon,3", 0))
    qtbot.addWidget(quoted)
    assert "“Cogs Ltd,Lyon,3”" in quoted.toolTip() and "l. 4" in quoted.text()


def test_the_panel_says_where_approvals_wait_and_goes_there(qtbot, pane: ChatPane, docs: Path) -> None:
    waiting = ask(qtbot, pane, "create a table called pets with name and age")
    pane.new_session()
    ask(qtbot, pane, "How often should tomatoes be watered?")
    pane.refresh_telemetry()
    qtbot.waitUntil(lambda: "1 action in chat" in pane.telemetry.waiting.text(), timeout=WAIT_MS)
    assert pane.session_id != waiting.session
    pane.telemetry.waiting_chosen.emit("chat")  # as a click on the link does
    assert pane.session_id == waiting.session
    assert [c.action.type for m in pane.message_widgets() for c in m.cards] == ["create_table"]
    pane.ws.chat.actions.reject(waiting.actions[0].id, reason="not now")
    pane.refresh_telemetry()
    qtbot.waitUntil(lambda: "action" not in pane.telemetry.waiting.text(), timeout=WAIT_MS)


def test_a_low_confidence_is_a_caution_not_an_error(qtbot) -> None:  # type: ignore[no-untyped-def]
    def colour(confidence: float, abstained: bool = False) -> str:
        widget = MessageWidget("assistant", "The flight leaves at 07:40.")
        qtbot.addWidget(widget)
        widget.add_answer_parts(1, [Citation(1, "/data/trip.md", None, 1, 1, "07:40", 0)], confidence, abstained, [])
        return widget.confidence.palette().color(QPalette.ColorRole.WindowText).name()

    assert colour(0.48) == colors()["warning"] != colors()["error"]  # right but modestly scored
    assert colour(0.62) == colors()["muted"] and colour(0.9) == colors()["ok"]
    assert colour(0.01, abstained=True) != colors()["error"]  # declining is honest, not a failure


def test_a_long_failed_file_name_wraps_inside_the_workspace_panel(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = TelemetryPanel()
    qtbot.addWidget(panel)
    panel.setFixedWidth(170)
    panel.show()
    panel.show_values({"failures": [{"path": "/data/meeting_minutes_of_the_board.docx",
                                     "reason": "it is not a valid DOCX file (not a zip archive)"}]})
    QCoreApplication.processEvents()
    label = panel.failures
    layout = QTextLayout(label.text(), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)  # as a word-wrapped label lays it out
    layout.setTextOption(option)
    layout.beginLayout()
    widths = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(label.width())
        widths.append(line.naturalTextWidth())
    layout.endLayout()
    assert len(widths) > 1 and max(widths) <= label.width()  # every line fits: none is clipped


def test_ctrl_n_starts_a_new_chat_from_any_pane(qtbot, shell) -> None:  # type: ignore[no-untyped-def]
    shell.build_late_panes()
    window = shell.window
    chat = window.panes["chat"].widget
    ask(qtbot, chat, "When does the ferry leave?")
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=WAIT_MS)
    window.show_pane("library")
    window.sidebar.setFocus()
    qtbot.keyClick(window.sidebar, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_pane() == "chat" and chat.message_widgets() == [] and chat.session_id is None
    assert QApplication.focusWidget() is chat.input
    ask(qtbot, chat, "When does the ferry leave?")
    qtbot.keyClick(chat.input, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # and within the pane
    assert chat.message_widgets() == [] and chat.session_id is None


def test_emphasis_in_an_answer_is_italic_not_underlined_like_a_link(qtbot) -> None:
    from ui.chat_widgets import MessageText, split_notice

    text = MessageText("markdown")
    qtbot.addWidget(text)
    text.set_text("*A table waits for your approval in Approvals.* and _so does this_")
    html = text.document().toHtml()
    assert "underline" not in html and html.count("font-style:italic") == 2  # _x_ read as a link before
    old = "_Answered offline from your files: the endpoint timed out._\n\nThe answer."  # a chat saved earlier
    assert split_notice(old) == ("Answered offline from your files: the endpoint timed out.", "The answer.")


def test_an_answer_that_proposes_an_action_shows_its_card_once(qtbot, pane: ChatPane, ws: Workspace) -> None:
    answer = ask(qtbot, pane, "create a table called books with fields title and author")
    bubble = pane.message_widgets()[-1]
    (card,) = bubble.cards
    assert "Create table books" in card.title.text() and card.state.text() == "Waits for your approval"
    assert bubble.body.isHidden() and bubble.helpful is None  # the card says it all; nothing to rate
    assert answer.text.startswith("I have proposed: **Create table books")  # as the CLI prints it
    older = f"I have proposed: **{card.action.summary}** (action {card.action.id}, tier 2); it runs once approved."
    assert without_proposals(f"{older}\n\nA note.", [card.action]) == "A note."  # chats saved before it


def test_deleting_a_chat_with_an_action_waiting_says_it_is_rejected_and_the_panel_follows(
        qtbot, pane: ChatPane, ws: Workspace) -> None:
    answer = ask(qtbot, pane, "forget the document notes.txt")
    assert "1 action in chat" in pane.telemetry.waiting.text()
    pane.chats.delete(answer.session)
    assert ws.chat.actions.get(answer.actions[0].id).status == "rejected"
    assert pane.note.text() == ("Deleted the chat “forget the document notes.txt”; its 1 action waiting for "
                                "approval was rejected.")
    assert "in chat" not in pane.telemetry.waiting.text()  # the panel counts it no more, nor links to it
    assert pane.message_widgets() == [] and pane.sessions.count() == 0


def test_renaming_a_chat_in_the_window_says_so_without_an_error(qtbot, pane: ChatPane, ws: Workspace) -> None:
    pane.changed.connect(pane.on_changes)  # as in the window: the change rebuilds the list at once
    answer = ask(qtbot, pane, "When is the budget review?")
    pane.sessions.item(0).setText("Budget")
    assert ws.chat.sessions.get(answer.session)["title"] == "Budget"
    assert pane.note.text() == "Renamed the chat to “Budget”."  # not "Internal C++ object … already deleted"
    assert pane.note.palette().color(QPalette.ColorRole.WindowText).name() != colors()["error"]
    assert pane.sessions.item(0).text() == "Budget"


def test_actions_decided_in_chat_are_told_in_the_activity_log(qtbot, shell, docs: Path) -> None:
    window, ws = shell.window, shell.runner.ws
    ws.ingest([docs])
    shell.build_late_panes()
    pane = window.panes["chat"].widget
    ask(qtbot, pane, "create a table called books with columns title and year")
    pane.message_widgets()[-1].cards[0].approve.click()
    qtbot.waitUntil(lambda: "books" in {t.name for t in ws.tables.list()}, timeout=WAIT_MS)
    ask(qtbot, pane, "add a row to books: title = Ulysses, year = 1922")
    card = pane.message_widgets()[-1].cards[0]
    card.reason.setText("changed my mind")
    card.reject.click()
    ask(qtbot, pane, "delete the table books")
    card = pane.message_widgets()[-1].cards[0]
    card.reason.setText("test table no longer needed")
    card.approve.click()
    log = shell.activity.log
    qtbot.waitUntil(lambda: "Delete table books" in log.toPlainText(), timeout=WAIT_MS)
    text = log.toPlainText()
    assert "Chat action done: Delete table books, approved by you. Reason: “test table no longer needed”." in text
    assert "Chat action rejected by you: Add 1 row to books: title=Ulysses, year=1922. Reason: “changed my mind”." \
        in text
    assert "Chat action done: Create table books (title, year), approved by you." in text
    assert text.index("Delete table books") < text.index("Add 1 row") < text.index("Create table books")  # newest first


def test_a_refused_request_shows_no_confidence_and_nothing_to_rate(qtbot, pane: ChatPane, ws: Workspace) -> None:
    answer = ask(qtbot, pane, "Create a table trips with columns date (date), cost (banana)")
    assert answer.actions == [] and answer.text.startswith("I could not propose that: “banana”")
    bubble = pane.message_widgets()[-1]
    assert bubble.confidence is None and bubble.helpful is None and bubble.not_helpful is None
    assert "Confidence" not in ws.chat.sessions.export_markdown(answer.session)  # as the pane shows it
    pane.open_session(answer.session)
    assert pane.message_widgets()[-1].helpful is None  # nor once reopened
    found = ask(qtbot, pane, "How often should tomatoes be watered?")  # an answer from the files keeps both
    assert found.citations and pane.message_widgets()[-1].helpful is not None


def test_enter_in_a_tier_3_reason_box_confirms_once_a_reason_is_typed(qtbot, pane: ChatPane, ws: Workspace,
                                                                      docs: Path) -> None:
    ask(qtbot, pane, "forget the document notes.txt")
    card = pane.message_widgets()[-1].cards[0]
    qtbot.keyClick(card.reason, Qt.Key.Key_Return)
    assert card.action.status == "pending" and not card.busy  # no reason yet: nothing happens
    qtbot.keyClicks(card.reason, "stale notes")
    qtbot.keyClick(card.reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert card.action.reason == "stale notes" and str(docs / "notes.txt") not in {d["path"] for d in ws.documents()}
    ask(qtbot, pane, "create a table called pets with name and age")  # tier 2: its box holds a reason to reject
    card = pane.message_widgets()[-1].cards[0]
    qtbot.keyClicks(card.reason, "not now")
    qtbot.keyClick(card.reason, Qt.Key.Key_Return)
    assert card.action.status == "pending" and not card.busy


def test_the_link_to_an_action_waiting_in_no_chat_says_how_to_decide_it(qtbot, pane: ChatPane, ws: Workspace) -> None:
    pane.show_waiting("chat")
    assert pane.note.text() == ""  # nothing waits: nothing to say
    ws.chat.actions.propose("reindex", {})  # as the command line proposes it: in no chat
    pane.refresh_telemetry()
    pane.show_waiting("chat")
    assert pane.note.text().startswith("The newest action waiting for approval is in no chat")
    assert "grace actions reject ID --reason TEXT" in pane.note.text() and pane.session_id is None
