"""What a first hour in the Chat pane ran into (walkthrough session 24): a slow answer can be
stopped and quitting does not wait for it; a queued approval's note and card say how it ended;
a tier-3 card says what would be lost; an offline fallback is said once, in words; a search
chooses the chat it finds and a new chat is listed at once; an empty chat offers questions
that are answered."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from engine import Workspace
from grace_desktop.qt import QCoreApplication, Qt
from grace_desktop.runner import Runner
from tests.engine.test_chat_endpoint_cancel import HOLD_S, StalledStream
from tests.engine.test_chat_secrets import MemoryKeyring
from tests.ui import test_chat_pane
from tests.ui.test_chat_pane import _card_for, _tab_stops, ask
from ui.chat import ChatPane
from ui.chat_worker import example_questions

WAIT_MS = 120_000
no_keyring = test_chat_pane.no_keyring  # the fixture: endpoint settings read a keyring in memory
QUESTION = "How often should tomatoes be watered?"


@pytest.fixture
def stalled(ws: Workspace) -> Iterator[StalledStream]:
    """An endpoint in the settings that starts its answer, then stalls (for longer than any test)."""
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    server = StalledStream()
    ws.set_setting("llm_base_url", server.base_url)
    ws.set_setting("llm_timeout_s", HOLD_S * 3)
    yield server
    server.close()
    keyring.set_keyring(before)


@pytest.fixture
def expenses(ws: Workspace, tmp_path: Path) -> str:
    (tmp_path / "expenses.csv").write_text("date,shop,amount\n2026-01-03,Lidl,42.10\n2026-01-09,Shell,61.30\n"
                                           "2026-02-01,Lidl,18.00\n", encoding="utf-8")
    assert ws.tables.import_file(tmp_path / "expenses.csv").status == "applied"
    return "expenses"


def _ask_and_wait_for_the_endpoint(qtbot, pane: ChatPane, stalled: StalledStream) -> None:  # type: ignore[no-untyped-def]
    pane.input.setText(QUESTION)
    pane.send_button.click()
    qtbot.waitUntil(stalled.first_sent.is_set, timeout=WAIT_MS)


# -- B9, P8: Stop, Esc, and quitting during an answer ------------------------------------------------


def test_stop_ends_a_slow_answer_keeps_nothing_and_gives_the_question_back(
        qtbot, pane: ChatPane, ws: Workspace, stalled: StalledStream) -> None:
    _ask_and_wait_for_the_endpoint(qtbot, pane, stalled)
    assert pane.stop_button.isVisible() and not pane.send_button.isEnabled()
    pane.stop_button.click()
    assert pane.note.text() == "Stopping…" and not pane.stop_button.isEnabled()
    qtbot.waitUntil(lambda: pane._asking is None, timeout=HOLD_S * 500)  # (half the stall: only Stop ends it)
    stalled.release.set()
    assert not stalled.finished_normally  # the request was given up, not waited for
    assert pane.note.text() == "Stopped: nothing of the answer was kept. Your question is back in the box."
    assert pane.input.text() == QUESTION and pane.message_widgets() == []
    assert ws.chat.sessions.list() == [] and pane.sessions.count() == 0  # the chat made for it went again
    assert pane.stop_button.isHidden() and pane.send_button.isEnabled()


def test_esc_stops_the_answer_and_the_chat_asked_in_keeps_what_it_had(
        qtbot, pane: ChatPane, ws: Workspace, stalled: StalledStream) -> None:
    ws.set_setting("llm_base_url", "")
    first = ask(qtbot, pane, "When is the budget review?")  # answered offline
    ws.set_setting("llm_base_url", stalled.base_url)
    pane.activateWindow()
    qtbot.waitUntil(pane.isActiveWindow, timeout=WAIT_MS)
    _ask_and_wait_for_the_endpoint(qtbot, pane, stalled)
    pane.input.setFocus()
    qtbot.keyClick(pane.input, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: pane._asking is None, timeout=HOLD_S * 500)
    assert pane.note.text().startswith("Stopped:") and pane.input.text() == QUESTION
    assert [m["role"] for m in ws.chat.sessions.messages(first.session)] == ["user", "assistant"]
    assert pane.session_id == first.session and len(pane.message_widgets()) == 2
    assert [s["id"] for s in ws.chat.sessions.list()] == [first.session]


def test_quitting_during_a_slow_answer_stops_it_and_no_worker_outlives_the_workspace(
        qtbot, pane: ChatPane, ws: Workspace, stalled: StalledStream) -> None:
    _ask_and_wait_for_the_endpoint(qtbot, pane, stalled)
    pane.shutdown(timeout_ms=int(HOLD_S * 500))  # half the stall: only the cancel can end the worker in it
    stalled.release.set()
    assert pane.pool.activeThreadCount() == 0 and not stalled.finished_normally
    assert ws.chat.sessions.list() == []  # no chat with a question and no answer is left behind


# -- P3: a queued approval's note and card ------------------------------------------------------------


def test_a_queued_approval_says_what_it_did_when_its_job_ends(qtbot, ws: Workspace,
                                                             queued: tuple[ChatPane, Runner, Path]) -> None:
    pane, runner, extra = queued
    card = _card_for(qtbot, pane, f"ingest the folder {extra}")
    card.approve.click()
    assert pane.note.text().startswith("Queued:")
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    result = card.action.result
    assert result["ingested"] == 1 and result["chunks"] >= 1
    done = (f"done: 1 file read, 0 unchanged; {result['chunks']} new passage"
            f"{'' if result['chunks'] == 1 else 's'} in {result['seconds']:.1f} s")
    assert card.state.text() == f"D{done[1:]}" and card.state.toolTip().startswith(f"Action {card.action.id}:")
    assert pane.note.text() == f"Action {card.action.id} ({card.action.summary}) is {done}."
    assert runner.jobs[-1].message == f"Action {card.action.id} {done}."  # the Activity's words
    card = _card_for(qtbot, pane, "rebuild the search index")
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    passages = ws.status()["chunks"]
    assert card.state.text() == f"Done: the search index was rebuilt with {passages} passages"


# -- P4: what a tier-3 action would take away -------------------------------------------------------


def test_a_tier_3_card_says_what_deleting_would_take_away(qtbot, pane: ChatPane, ws: Workspace, docs: Path,
                                                         expenses: str) -> None:
    card = _card_for(qtbot, pane, f"Delete the table {expenses}")
    assert not card.loss.isHidden()
    assert card.loss.text() == ("Table expenses goes with its 3 rows. Undo last edit in Tables brings it back, as "
                                "long as no other table edit comes after it.")
    notes = next(d for d in ws.documents() if d["name"] == "notes.txt")
    card = _card_for(qtbot, pane, "forget the document notes.txt")
    passages = f"{notes['chunks']} passage{'' if notes['chunks'] == 1 else 's'}"
    assert card.loss.text() == (f"Grace forgets notes.txt and its {passages}: answers and search no longer quote "
                                "it. The file itself stays where it is; adding it again brings it back.")
    card.reason.setText("old notes")
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert card.loss.isHidden()  # said while it waited; done now


# -- P6: an offline fallback, said once and in words ------------------------------------------------


def test_an_offline_fallback_is_said_once_in_plain_words(qtbot, pane: ChatPane, ws: Workspace,
                                                         no_keyring: None) -> None:
    spare = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{spare.getsockname()[1]}/v1"
    spare.close()  # nothing listens there
    ws.set_setting("llm_base_url", url)
    answer = ask(qtbot, pane, QUESTION)
    assert answer.fallback and pane.note.text() == ""  # the bubble's notice says it, not the note again
    notice = pane.message_widgets()[-1].notice
    assert not notice.isHidden()
    assert notice.text() == (f"Answered offline from your files: the endpoint at {url} could not be reached because "
                             "nothing is listening there (connection refused).")
    assert "Errno" not in notice.text() and "Settings" in notice.toolTip()


# -- P7: the chat list --------------------------------------------------------------------------------


def test_a_search_chooses_the_chat_it_finds_so_its_buttons_act_on_it(qtbot, pane: ChatPane) -> None:
    budget = ask(qtbot, pane, "When is the budget review?")
    pane.new_session()
    tomatoes = ask(qtbot, pane, QUESTION)
    pane.new_session()
    pane.search.setText("budget")
    assert pane.session_id == budget.session
    assert pane.chats.chosen() == (budget.session, "When is the budget review?")
    assert all(b.isEnabled() for b in pane.chats.buttons)
    assert "Thursday" in pane.message_widgets()[-1].body.text()
    pane.search.setText("")
    pane.open_session(tomatoes.session)
    pane.chats.show_current(tomatoes.session)
    pane.search.setText("e")  # both match: the one on screen stays
    assert pane.session_id == tomatoes.session and pane.chats.chosen()[0] == tomatoes.session


def test_a_new_chat_is_listed_as_soon_as_its_question_is_sent(qtbot, pane: ChatPane, ws: Workspace,
                                                              stalled: StalledStream) -> None:
    _ask_and_wait_for_the_endpoint(qtbot, pane, stalled)
    assert pane.sessions.count() == 1 and pane.sessions.currentItem().text() == QUESTION
    assert pane.session_id == pane.sessions.currentItem().data(Qt.ItemDataRole.UserRole)
    pane.stop_answer()
    qtbot.waitUntil(lambda: pane._asking is None, timeout=HOLD_S * 500)


# -- P12: the empty chat's examples -------------------------------------------------------------------


def test_every_example_the_empty_chat_offers_is_answered(ws: Workspace, docs: Path, expenses: str) -> None:
    ws.ingest([docs])
    examples = example_questions(ws)
    assert examples[0] == "How many rows are in expenses?" and len(examples) >= 3
    for question in examples:
        answer = ws.chat.ask(question)
        assert not answer.abstained and answer.actions, question
        assert all(a.status in ("executed", "pending") for a in answer.actions), question
    assert "**3 rows**" in ws.chat.ask(examples[0]).text


def test_an_empty_chat_offers_examples_a_click_or_the_keyboard_asks(qtbot, ws: Workspace, docs: Path,
                                                                    expenses: str) -> None:
    ws.ingest([docs])
    pane = ChatPane(ws)
    qtbot.addWidget(pane)
    pane.resize(1100, 700)
    pane.show()
    buttons = pane.examples.buttons
    assert pane.examples.isVisible() and [b.question for b in buttons] == example_questions(ws)
    stops = _tab_stops(pane)
    assert all(b in stops for b in buttons) and stops.index(buttons[-1]) < stops.index(pane.input)
    pane.resize(760, 600)  # narrower than the longest example: it is elided, and the text above keeps every line
    QCoreApplication.processEvents()
    intro, longest = pane.examples.intro, buttons[-1]
    assert intro.height() >= intro.heightForWidth(intro.width())
    assert longest.text().endswith("…") and longest.geometry().right() <= pane.examples.width()
    assert pane.scroll_area.horizontalScrollBar().maximum() == 0
    pane.input.setText("half a question")
    with qtbot.waitSignal(pane.answered, timeout=WAIT_MS) as blocker:
        buttons[0].setFocus()
        qtbot.keyClick(buttons[0], Qt.Key.Key_Return)
    assert "**3 rows**" in blocker.args[0].text and not pane.examples.isVisible()
    assert pane.input.text() == "half a question"  # what was being typed stays in the box
    pane.new_session()
    QCoreApplication.processEvents()
    assert pane.examples.isVisible()
