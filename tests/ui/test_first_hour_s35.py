"""What session 35 changed: chats deleted long ago are purged when the chat opens, deleted
chats can be seen and restored after a restart, the Activity shows actions an Undo reopened,
and a splitter width the person dragged is kept across window resizes."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest

from engine import Workspace
from engine.chat.conversations import PURGE_AFTER
from grace_desktop import appsettings
from grace_desktop.qt import QApplication, QMessageBox, QPoint, Qt
from grace_desktop.runner import Runner
from tests.ui.test_chat_pane import WAIT_MS, ask
from ui.chat import ChatPane
from ui.deleted_chats import DeletedChats


@pytest.fixture(autouse=True)
def _no_question(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing here asks a blocking question (a modal box would wait for ever under offscreen)."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(_asked))


def _asked(*_args: object) -> None:
    raise AssertionError("no blocking question is asked")


def _deleted_long_ago(ws: Workspace, title: str) -> int:
    sid = ws.chat.sessions.new(title)
    ws.chat.sessions.delete(sid)
    with ws._write_engine.begin() as conn:  # noqa: SLF001 - deleted more than a month ago
        conn.exec_driver_sql("UPDATE chat_sessions SET deleted_at = deleted_at - ? WHERE id = ?",
                             (PURGE_AFTER + 60, sid))
    return sid


def test_chats_deleted_over_a_month_ago_are_purged_when_the_chat_pane_opens(qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    recent = ws.chat.sessions.new("recent chat")
    ws.chat.sessions.delete(recent)
    old = _deleted_long_ago(ws, "old chat")  # (after: a deletion purges too)
    runner = Runner()
    runner.set_workspace(ws)
    heard: list[object] = []
    runner.changed.connect(heard.append)
    pane = ChatPane(ws, runner=runner)
    qtbot.addWidget(pane)
    try:
        qtbot.waitUntil(lambda: bool(heard), timeout=30_000)  # the other panes hear of it (Activity)
        assert [d["id"] for d in ws.chat.sessions.deleted()] == [recent]  # the recent one can still be restored
        purged = [e for e in ws.audit_entries(10) if e["action"] == "chat.purge"]
        assert [e["subject"] for e in purged] == [str(old)]
        assert heard[0].conversations and heard[0].audit  # type: ignore[attr-defined]
    finally:
        runner.shutdown(timeout_ms=60_000)


def _reopened_pane(qtbot, ws: Workspace) -> ChatPane:  # type: ignore[no-untyped-def]
    """The chat pane as the app builds it after a restart (no Undo left from before)."""
    pane = ChatPane(ws)
    qtbot.addWidget(pane)
    pane.resize(1100, 700)
    pane.show()
    return pane


def test_a_chat_deleted_before_a_restart_is_restored_from_recently_deleted_with_the_keyboard(
        qtbot, ws: Workspace, docs) -> None:  # type: ignore[no-untyped-def]
    ws.ingest([docs])
    forget = ws.chat.ask("forget the document notes.txt")
    other = ws.chat.ask("When is the budget review?").session
    ws.chat.sessions.delete(forget.session)
    pane = _reopened_pane(qtbot, ws)
    assert pane.chats.undo_bar.isHidden() and pane.sessions.count() == 1
    assert pane.chats.trash.isVisibleTo(pane) and pane.chats.trash.text() == "Recently deleted (1)…"

    pane.chats.trash.click()
    dialog = pane.chats.findChild(DeletedChats)
    assert dialog is not None and dialog.isVisible()
    row = dialog.table.topLevelItem(0)
    assert dialog.table.topLevelItemCount() == 1 and row.text(0) == "forget the document notes.txt"
    assert row.text(1)  # when it was deleted
    assert dialog.table.currentItem() is row and dialog.restore_button.isEnabled()

    QTest.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter restores the chosen chat
    assert not dialog.isVisible()
    assert pane.session_id == forget.session and pane.sessions.count() == 2
    assert {pane.sessions.item(i).data(256) for i in range(2)} == {forget.session, other}
    assert ws.chat.actions.get(forget.actions[0].id).status == "pending"  # its action waits again
    assert pane.note.text() == ("Restored the chat “forget the document notes.txt”; its 1 action waits for "
                                "approval again.")
    assert pane.chats.trash.isHidden()  # no deleted chat left


def test_recently_deleted_is_in_every_menu_of_the_chat_list_and_says_when_there_is_none(
        qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    sid = ws.chat.sessions.new("a chat")
    pane = _reopened_pane(qtbot, ws)
    assert pane.chats.trash.isHidden()
    item = pane.sessions.item(0)
    for menu in (pane.chats.more.menu(), pane.chats.menu(item), pane.chats.list_menu()):
        assert "Recently deleted…" in [a.text() for a in menu.actions()]

    dialog = pane.chats.show_deleted()
    assert dialog.table.topLevelItem(0).text(0) == "No chat was deleted in the last 30 days."
    assert not dialog.restore_button.isEnabled()
    dialog.restore()  # nothing chosen: nothing happens
    assert dialog.isVisible() and ws.chat.sessions.list()[0]["id"] == sid
    dialog.reject()


def test_the_activity_tells_that_an_undo_put_the_chat_s_actions_back_for_approval(qtbot, shell, docs) -> None:  # type: ignore[no-untyped-def]
    ws = shell.runner.ws
    ws.ingest([docs])
    shell.build_late_panes()
    pane = shell.window.panes["chat"].widget
    forget = ask(qtbot, pane, "forget the document notes.txt")
    pane.chats.delete(forget.session)
    log = shell.activity.log
    qtbot.waitUntil(lambda: "its chat was deleted" in log.toPlainText(), timeout=WAIT_MS)
    pane.chats.undo()
    qtbot.waitUntil(lambda: "approval again" in log.toPlainText(), timeout=60_000)
    text = log.toPlainText()
    summary = forget.actions[0].summary
    again = f"Chat action waiting for approval again: {summary}. Its chat was restored."
    assert again in text
    assert text.index(again) < text.index(f"Chat action rejected by you: {summary}")  # newest first


def _drag(qtbot, handle, dx: int) -> None:  # type: ignore[no-untyped-def]
    """Drag a splitter handle ``dx`` pixels sideways with the mouse, as a person does."""
    middle = handle.rect().center()
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle)
    QTest.mouseMove(handle, middle + QPoint(dx, 0))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, middle + QPoint(dx, 0))
    QApplication.processEvents()


def test_the_widths_the_person_dragged_the_side_panels_to_are_kept_when_the_window_is_resized(
        qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    pane = _reopened_pane(qtbot, ws)
    QApplication.processEvents()
    splitter = pane.splitter
    assert splitter.sizes()[0] == splitter.sizes()[2] == 200
    _drag(qtbot, splitter.handle(1), -60)  # a narrower chat list
    _drag(qtbot, splitter.handle(2), -100)  # a wider workspace panel
    dragged = splitter.sizes()
    assert (dragged[0], dragged[2]) == (140, 300), dragged

    for width in (1000, 1300, 1100):
        pane.resize(width, 700)
        QApplication.processEvents()
        sizes = splitter.sizes()
        assert (sizes[0], sizes[2]) == (140, 300), (width, sizes)  # the conversation takes the change
    pane.resize(500, 700)  # too narrow for them: they give way to the conversation, and come back
    QApplication.processEvents()
    assert splitter.sizes()[1] >= pane._columns[1].minimumWidth()  # noqa: SLF001
    pane.resize(1100, 700)
    QApplication.processEvents()
    assert (splitter.sizes()[0], splitter.sizes()[2]) == (140, 300)


def test_an_error_too_long_for_the_status_bar_at_800_says_where_to_read_it_rather_than_a_stub(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(800, 560)
    window.show()
    window.set_status(workspace="Workspace: ~/.local/share/Grace — 6 documents, 5 passages, 1 failed",
                      queue="Queue: empty", model="Model: ready")
    window.flash("Done: 5 files read, 1 not read.", ms=60_000)
    sentence = "Grace could not read broken.pdf: it is not a PDF (it starts with “not a pdf at all”)."
    window.show_error(sentence)
    QApplication.processEvents()
    error = window.error_label
    assert error.shown() == "Error: see above", error.shown()  # was "Grace…"; the bar above has it whole
    assert error.toolTip() == sentence
    assert window.news_label.shown() == "Done: 5 files read, 1 not read."  # the note stays whole beside it
    window.resize(1280, 700)  # room for the sentence: it is shown, cut at a word at most
    QApplication.processEvents()
    assert error.shown().startswith("Grace could not read broken.pdf")


def test_dragging_the_chat_list_leaves_the_workspace_panel_its_own_width(qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    pane = _reopened_pane(qtbot, ws)
    pane.resize(900, 700)  # the workspace panel gives way to the conversation
    QApplication.processEvents()
    narrowed = pane.splitter.sizes()[2]
    assert narrowed < 200
    _drag(qtbot, pane.splitter.handle(1), 40)
    list_width = pane.splitter.sizes()[0]
    pane.resize(1300, 700)
    QApplication.processEvents()
    assert pane.splitter.sizes()[0] == list_width  # the person's
    assert pane.splitter.sizes()[2] == 200  # back to its own width: the person did not drag it


def test_the_side_panel_widths_the_person_dragged_are_there_again_after_a_restart(qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    first = _reopened_pane(qtbot, ws)
    QApplication.processEvents()
    first.save_state()
    assert appsettings.load("chat/sides") is None  # nothing dragged: nothing remembered (fitted as usual)
    _drag(qtbot, first.splitter.handle(1), -60)
    first.save_state()  # (the window does it when it closes)
    first.close()

    again = _reopened_pane(qtbot, ws)
    QApplication.processEvents()
    assert (again.splitter.sizes()[0], again.splitter.sizes()[2]) == (140, 200)


def test_recently_deleted_in_the_narrow_list_s_menu_works_with_no_chat_chosen(qtbot, ws: Workspace) -> None:  # type: ignore[no-untyped-def]
    sid = ws.chat.sessions.new("a chat")
    pane = _reopened_pane(qtbot, ws)
    pane.resize(650, 500)  # the narrow list: Rename, Export and Delete are in the "⋯" menu
    QApplication.processEvents()
    assert pane.chats.compact
    pane.chats.delete(sid)  # the chosen chat is gone: none is chosen now
    more = pane.chats.more
    actions = {a.text().split("\t")[0]: a for a in more.menu().actions() if a.text()}
    assert more.isEnabled() and actions["Recently deleted…"].isEnabled()  # was greyed out with the button
    assert not any(actions[name].isEnabled() for name in ("Rename", "Export as Markdown…", "Delete"))
    actions["Recently deleted…"].trigger()
    dialog = pane.chats.findChild(DeletedChats)
    assert dialog is not None and dialog.table.topLevelItem(0).text(0) == "a chat"
    dialog.reject()
