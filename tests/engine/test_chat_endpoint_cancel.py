"""Stopping an answer from the endpoint: a cancel reaches the request while it waits for the
connection or for the next bytes of the stream, raises ``Cancelled`` (never the offline
fallback), and nothing is stored. An endpoint nobody listens at is said in plain words."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from engine import Cancelled, Workspace
from engine.chat.openai_client import EndpointError, OpenAIClient
from tests.engine.test_chat_secrets import MemoryKeyring

HOLD_S = 20.0  # how long the stalled endpoint holds a request at most (the test's own bound, not asserted)
QUESTION = "How often should tomatoes be watered?"


class StalledStream:
    """A loopback endpoint that starts an event stream with one token, then sends nothing until
    ``release`` is set (or ``HOLD_S`` passes), and then ends the answer."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.release = threading.Event()
        self.first_sent = threading.Event()
        self.finished_normally = False
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                request += conn.recv(65536)
            head, _, body = request.partition(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            while len(body) < length:
                body += conn.recv(65536)
            event = json.dumps({"choices": [{"delta": {"content": "Tomatoes "}}]})
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                         + f"data: {event}\n\n".encode())
            self.first_sent.set()
            self.release.wait(HOLD_S)
            try:
                rest = json.dumps({"choices": [{"delta": {"content": "want water [1]."}}]})
                conn.sendall(f"data: {rest}\n\ndata: [DONE]\n\n".encode())
                self.finished_normally = not self.release.is_set()
            except OSError:
                pass

    def close(self) -> None:
        self.release.set()
        self.sock.close()


@pytest.fixture
def stalled() -> Iterator[StalledStream]:
    server = StalledStream()
    yield server
    server.close()


def test_a_cancel_stops_a_stream_that_waits_for_its_next_bytes(stalled: StalledStream) -> None:
    stop = threading.Event()
    client = OpenAIClient(stalled.base_url, "tiny", None, timeout=HOLD_S * 3, is_cancelled=stop.is_set)
    tokens: list[str] = []

    def on_token(piece: str) -> None:
        tokens.append(piece)
        stop.set()  # the person presses Stop once the first words are in

    with pytest.raises(Cancelled):
        client.complete([{"role": "user", "content": "hi"}], on_token=on_token)
    stalled.release.set()  # only now may the endpoint go on: a client that waited for it got its answer
    assert tokens == ["Tomatoes "] and not stalled.finished_normally


def test_a_cancel_stops_a_connection_the_endpoint_never_accepts() -> None:
    full = socket.create_server(("127.0.0.1", 0), backlog=0)  # its queue fills: the next connect hangs
    address = full.getsockname()
    queued = [socket.create_connection(address, timeout=1)]
    stop = threading.Event()
    client = OpenAIClient(f"http://127.0.0.1:{address[1]}/v1", "tiny", None, timeout=HOLD_S,
                          is_cancelled=stop.is_set)
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            client.complete([{"role": "user", "content": "hi"}])
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - inspected below
            outcome.append(exc)

    asking = threading.Thread(target=run)
    asking.start()
    asking.join(1.0)  # (it hangs in the connection)
    stop.set()
    asking.join(HOLD_S / 2)  # less than its timeout: only the cancel can end it this soon
    try:
        assert outcome and isinstance(outcome[0], Cancelled)
    finally:
        for s in [*queued, full]:
            s.close()
        asking.join()


def test_an_endpoint_nobody_listens_at_is_said_in_plain_words() -> None:
    spare = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{spare.getsockname()[1]}/v1"
    spare.close()  # nothing listens there now
    with pytest.raises(EndpointError) as caught:
        OpenAIClient(url, "tiny", None, timeout=5).complete([{"role": "user", "content": "hi"}])
    said = str(caught.value)
    assert said == f"the endpoint at {url} could not be reached because nothing is listening there (connection refused)"
    assert "Errno" not in said and "[" not in said


def test_a_stopped_question_is_not_answered_offline_and_nothing_is_stored(ws: Workspace, docs: Path,
                                                                         stalled: StalledStream) -> None:
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        ws.ingest([docs])
        ws.set_setting("llm_base_url", stalled.base_url)
        ws.set_setting("llm_timeout_s", HOLD_S * 3)
        stop = threading.Event()
        threading.Thread(target=lambda: stalled.first_sent.wait(HOLD_S) and stop.set(), daemon=True).start()
        with pytest.raises(Cancelled):
            ws.chat.ask(QUESTION, on_token=lambda _piece: None, is_cancelled=stop.is_set)
        stalled.release.set()
        assert not stalled.finished_normally
        assert ws.chat.sessions.list() == []  # neither the question nor an answer was kept
        with pytest.raises(Cancelled):  # a cancel before the endpoint is asked stops it as well
            ws.chat.ask(QUESTION, is_cancelled=lambda: True)
        assert ws.chat.sessions.list() == []
    finally:
        keyring.set_keyring(before)
