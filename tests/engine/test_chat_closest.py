"""An answer that declines keeps its closest passages with the session: they are read back
apart from its citations, exported under their own line, and feedback never reaches them."""

from __future__ import annotations

import json

from sqlalchemy import text

from engine import Workspace
from engine.chat.types import ABSTAIN_TEXT


def _source(n: int, path: str, chunk_id: int) -> dict[str, object]:
    return {"n": n, "path": path, "page": None, "line_start": 3, "line_end": 4, "quote": f"Quote {n}.",
            "chunk_id": chunk_id, "trust": 1.0, "score": 0.4}


def _declined(ws: Workspace) -> tuple[int, int, list[dict[str, object]]]:
    closest = [_source(1, "/data/dns.md", 41), _source(2, "/data/welcome.md", 42)]
    sid = ws.chat.sessions.new("Declined")
    ws.chat.sessions.add_message(sid, "user", "When does the gateway password rotate?")
    mid = ws.chat.sessions.add_message(sid, "assistant", ABSTAIN_TEXT, confidence=0.1, abstained=True,
                                       closest=closest)
    return sid, mid, closest


def test_the_closest_passages_of_a_declined_answer_are_read_back_apart_from_its_citations(ws: Workspace) -> None:
    sid, _mid, closest = _declined(ws)
    answer = ws.chat.sessions.messages(sid)[-1]
    assert answer["citations"] == [] and answer["closest"] == closest
    assert ws.chat.sessions.messages(sid)[0]["closest"] == []


def test_feedback_on_a_declined_answer_never_reaches_its_closest_passages(ws: Workspace) -> None:
    _sid, mid, _closest = _declined(ws)
    ws.chat.sessions.feedback(mid, -1)
    assert ws.chat.sessions.source_feedback(41) == 0 and ws.chat.sessions.source_feedback(42) == 0


def test_an_export_names_the_closest_passages_as_such(ws: Workspace) -> None:
    sid, _mid, _closest = _declined(ws)
    exported = ws.chat.sessions.export_markdown(sid)
    assert "*The closest passages:*\n- [1] `/data/dns.md` (lines 3-4): “Quote 1.”\n- [2] `" in exported
    assert "*Not found in your files · confidence " in exported  # a decline says so, as in the pane


def test_messages_stored_before_the_closest_passages_were_kept_read_as_before(ws: Workspace) -> None:
    sid = ws.chat.sessions.new("Older")
    mid = ws.chat.sessions.add_message(sid, "assistant", "Tomatoes want sun.", confidence=0.9,
                                       citations=[_source(1, "/data/guide.md", 7)])
    with ws._read_engine.connect() as conn:  # noqa: SLF001 - the stored shape, as older builds wrote it
        stored = json.loads(conn.execute(text("SELECT citations FROM chat_messages WHERE id=:i"),
                                         {"i": mid}).scalar_one())
    assert stored == [_source(1, "/data/guide.md", 7)]
    message = ws.chat.sessions.messages(sid)[0]
    assert message["citations"] == stored and message["closest"] == []


def test_an_answer_that_declines_stores_the_closest_passages_it_shows(ws: Workspace, docs) -> None:  # type: ignore[no-untyped-def]
    ws.ingest([docs])
    answer = ws.chat.ask("How much does a new bicycle chain cost?")
    assert answer.abstained and answer.closest
    stored = ws.chat.sessions.messages(answer.session)[-1]
    assert stored["closest"] == [c.as_dict() for c in answer.closest] and stored["citations"] == []
