"""What session 34 changed: deleting a chat is undone from a bar under the list (or Ctrl+Z in
it), with no blocking question; a done card reads as history; the chat list gives way at
800×560; the Approvals reason box reads whole there."""

from __future__ import annotations

import pytest

from engine import Workspace
from grace_desktop.qt import QApplication, QMessageBox, Qt
from tests.ui.test_chat_pane import WAIT_MS, ask
from ui.chat import ChatPane


@pytest.fixture(autouse=True)
def _no_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deleting a chat asks nothing (a modal box would wait for ever under offscreen)."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(_asked))


def _asked(*_args: object) -> None:
    raise AssertionError("no question is asked before a chat is deleted")


def test_a_deleted_chat_comes_back_with_undo_and_its_actions_wait_again(qtbot, pane: ChatPane,
                                                                       ws: Workspace) -> None:
    first = ask(qtbot, pane, "How often should tomatoes be watered?")
    forget = ask(qtbot, pane, "forget the document notes.txt")
    assert forget.session == first.session
    pane.new_session()
    other = ask(qtbot, pane, "When is the budget review?")
    pane.open_session(first.session)
    before = [(b.role, len(b.chips), [c.action.id for c in b.cards]) for b in pane.message_widgets()]
    assert pane.chats.undo_bar.isHidden()

    pane.chats.delete(first.session)  # no question: it can be undone
    assert [pane.sessions.item(i).data(256) for i in range(pane.sessions.count())] == [other.session]
    assert pane.chats.undo_bar.isVisibleTo(pane)
    assert pane.chats.undo_label.text() == "Chat “How often should tomatoes be watered?” deleted"
    assert ws.chat.actions.get(forget.actions[0].id).status == "rejected"
    assert "in chat" not in pane.telemetry.waiting.text()

    pane.chats.undo_button.click()
    assert pane.session_id == first.session  # reopened, and chosen in the list
    assert pane.sessions.currentItem().data(256) == first.session
    assert [(b.role, len(b.chips), [c.action.id for c in b.cards]) for b in pane.message_widgets()] == before
    assert pane.message_widgets()[-1].cards[0].action.status == "pending"  # its action waits again
    assert pane.note.text() == ("Restored the chat “How often should tomatoes be watered?”; its 1 action waits "
                                "for approval again.")
    qtbot.waitUntil(lambda: "1 action in chat" in pane.telemetry.waiting.text(), timeout=WAIT_MS)
    assert pane.chats.undo_bar.isHidden() and pane.sessions.count() == 2


def test_ctrl_z_in_the_chat_list_undoes_deletions_newest_first_and_the_focus_stays_in_the_list(
        qtbot, pane: ChatPane) -> None:
    older = ask(qtbot, pane, "When is the budget review?")
    pane.new_session()
    newer = ask(qtbot, pane, "How often should tomatoes be watered?")
    pane.activateWindow()
    qtbot.waitUntil(lambda: pane.isActiveWindow(), timeout=WAIT_MS)
    pane.sessions.setFocus()
    for _ in range(2):  # Delete twice: the chat on screen, then the next one chosen with the arrows
        if pane.sessions.currentItem() is None:
            qtbot.keyClick(pane.sessions, Qt.Key.Key_Down)
        qtbot.keyClick(pane.sessions, Qt.Key.Key_Delete)
        assert QApplication.focusWidget() is pane.sessions  # not sent to the question box
    assert pane.sessions.count() == 0
    assert pane.chats.undo_label.text() == "Chat “When is the budget review?” deleted"
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pane.session_id == older.session and QApplication.focusWidget() is pane.sessions
    assert pane.chats.undo_label.text() == "Chat “How often should tomatoes be watered?” deleted"
    pane.chats.undo_button.setFocus()
    qtbot.keyClick(pane.chats.undo_button, Qt.Key.Key_Space)  # the bar's button, by keyboard
    assert pane.session_id == newer.session and pane.sessions.count() == 2
    assert pane.chats.undo_bar.isHidden()
    assert QApplication.focusWidget() is pane.sessions  # the button went with the bar; the list has it
    qtbot.keyClick(pane.sessions, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # nothing left: nothing
    assert pane.sessions.count() == 2


def test_a_done_card_for_a_table_made_then_deleted_in_the_same_chat_reads_as_history(
        qtbot, pane: ChatPane, ws: Workspace) -> None:
    from ui.chat_widgets import ActionCard

    create = ask(qtbot, pane, "create a table called books with title and author")
    card = next(c for c in pane.findChildren(ActionCard) if c.action.id == create.actions[0].id)
    card.approve.click()
    qtbot.waitUntil(lambda: card.action.status == "executed", timeout=WAIT_MS)
    assert card.state.text() == "Done: made the table “books”"
    drop = ask(qtbot, pane, "delete the table books").actions[0]
    ws.chat.actions.approve(drop.id, "a test table")
    assert "books" not in {t.name for t in ws.tables.list()}
    pane.open_session(create.session)  # the chat read again later: the first card still tells what it did
    card = next(c for c in pane.findChildren(ActionCard) if c.action.id == create.actions[0].id)
    assert card.state.text() == "Done: made the table “books”"  # not "… is in Tables": it is not, any more


def test_the_reason_box_of_the_approvals_reads_whole_in_a_small_window(qtbot, ws: Workspace, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.test_tables_panes import import_csv, set_policy
    from ui.approvals import ApprovalsPane

    set_policy(ws, auto_approve_threshold=1.0)
    import_csv(ws, tmp_path, "minutes", "document_date,summary,owner\n2026-03-04,Budget review moved,Alice\n")
    pane = ApprovalsPane(ws)
    qtbot.addWidget(pane)
    pane.resize(634, 480)  # its room in an 800×560 window
    pane.show()
    box = pane.detail.reason
    qtbot.waitUntil(lambda: box.isEnabled(), timeout=10_000)
    QApplication.processEvents()
    text = box.placeholderText()
    assert box.width() >= box.fontMetrics().horizontalAdvance(text) + 14, (text, box.width())  # + the frame's margins
    assert "reject" in text.casefold() and "reason" in box.toolTip().casefold()


def test_the_chat_list_gives_way_to_the_conversation_in_a_small_window(qtbot, pane: ChatPane) -> None:
    ask(qtbot, pane, "When is the budget review?")
    pane.resize(650, 500)  # its room in an 800×560 window
    QApplication.processEvents()
    chats, conversation = pane.chats, pane.splitter.widget(1)
    assert conversation.width() >= 360, pane.splitter.sizes()  # was about 310, beside a 166-px list
    assert chats.width() < 130
    more = chats.more  # one row: New and "⋯", whose menu holds Rename, Export and Delete
    assert [b.isVisible() for b in chats.buttons] == [True, False, False, False, True]
    assert more.isEnabled() and more.focusPolicy() & Qt.FocusPolicy.TabFocus  # Tab reaches it, Space opens it
    assert [a.text().split("\t")[0] for a in more.menu().actions()] == ["Rename", "Export as Markdown…", "Delete", "",
                                                                        "Recently deleted…"]
    next(a for a in more.menu().actions() if a.text().startswith("Delete")).trigger()
    assert pane.sessions.count() == 0 and chats.undo_bar.isVisibleTo(pane)
    pane.resize(1100, 700)  # with room enough, the two rows of buttons again
    QApplication.processEvents()
    assert [b.isVisible() for b in chats.buttons] == [True, True, True, True, False]


def test_a_chat_pane_sized_while_hidden_keeps_its_full_chat_list_at_1024(qtbot, ws: Workspace) -> None:
    pane = ChatPane(ws)  # (the window sizes the panes before the chat is the one shown)
    qtbot.addWidget(pane)
    pane.resize(874, 640)
    pane.show()
    qtbot.waitUntil(lambda: not pane.chats.compact, timeout=5_000)
    assert pane.splitter.sizes()[0] >= 166
