"""The Chat pane over a real workspace: ask -> answer with chips; approve an action card;
sessions; the window never waits for an answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import ui
from engine import Workspace
from ui.chat import ChatPane

WAIT_MS = 120_000


@pytest.fixture
def pane(qtbot, ws: Workspace, docs: Path) -> ChatPane:  # type: ignore[no-untyped-def]
    ws.ingest([docs])
    widget = ChatPane(ws)
    widget.confirm_delete = lambda title: True
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


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


def test_sessions_are_listed_reopened_renamed_and_deleted(qtbot, pane: ChatPane, ws: Workspace) -> None:
    first = ask(qtbot, pane, "When is the budget review?")
    pane.new_session()
    assert pane.message_widgets() == []
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
    pane.delete_session()
    assert pane.sessions.count() == 1


def test_screenshot_after_an_exchange_with_citations_and_an_action_card(qtbot, pane: ChatPane,
                                                                       tmp_path: Path) -> None:
    ask(qtbot, pane, "How often should tomatoes be watered?")
    ask(qtbot, pane, "please ingest the folder ~/Documents")
    qtbot.wait(50)
    path = os.environ.get("GRACE_CHAT_SCREENSHOT") or str(tmp_path / "chat.png")
    assert pane.grab().save(path)
    assert Path(path).stat().st_size > 10_000
