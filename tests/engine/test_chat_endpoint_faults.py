"""The endpoint path when the endpoint misbehaves, against the loopback server of
``test_chat_endpoint``: the API key never leaves for another address nor lands in a message,
malformed or failed replies fall back to the offline answer, tool calls must match their
declared parameters, the timeout holds while the body trickles in, only grounded text
streams, the answer's own text is left as written, a request is answered as a request, and
the timeout holds for the whole exchange: the lookup, the connection and the headers too."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import Workspace
from engine.chat import ABSTAIN_TEXT
from tests.engine import test_chat_endpoint as base
from tests.engine.test_chat_endpoint import FakeOpenAI, passage_number, serving

server = base.server  # the fixtures: the loopback endpoint, and a workspace that uses it
endpoint_ws = base.endpoint_ws

QUESTION = "How often should tomatoes be watered?"
SECRET = "sk-test-Zq7Xw9Pv3Lm5Nk8Rt2Hc4"


def leaks(data: str | bytes, key: str = SECRET) -> bool:
    """True when ``data`` holds the key or any 8 characters of it in a row."""
    pieces = [key[i:i + 8] for i in range(len(key) - 7)]
    if isinstance(data, bytes):
        return any(p.encode() in data for p in pieces)
    return any(p in data for p in pieces)


def fell_back(ws: Workspace, answer: Any) -> None:
    """The offline answer was given, said why, and the session holds one whole exchange."""
    assert answer.reasoner == "offline" and answer.fallback
    assert answer.text.startswith("*Answered offline from your files") and answer.citations
    assert [m["role"] for m in ws.chat.sessions.messages(answer.session)] == ["user", "assistant"]


@pytest.fixture
def numbered(endpoint_ws: Workspace, server: FakeOpenAI) -> int:
    """The passage number the prompt gives guide.md for QUESTION."""
    endpoint_ws.chat.ask(QUESTION)
    return passage_number(server, "guide.md")


@pytest.fixture
def sink() -> Iterator[FakeOpenAI]:
    """A second loopback server: where a redirect would send the request."""
    yield from serving()


# -- 1. the API key -------------------------------------------------------------------------------

def test_a_redirect_is_refused_and_the_key_is_not_sent_to_its_target(
        endpoint_ws: Workspace, server: FakeOpenAI, sink: FakeOpenAI) -> None:
    server.mode = "redirect"
    server.location = f"http://localhost:{sink.server_address[1]}/collect"
    answer = endpoint_ws.chat.ask(QUESTION)
    assert sink.headers_seen == []  # nothing reached the other address, so neither did the key
    fell_back(endpoint_ws, answer)
    assert "redirected" in answer.fallback and "localhost" in answer.fallback
    assert server.headers_seen[-1]["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize("message", [
    "Incorrect API key provided: {key}",
    "Incorrect API key provided: {key}. You can find your API key at https://example.com.",
    "x" * 190 + " {key}",  # cut short by the length limit of the message
    "Key '{key8}…' is not valid",  # an echo of part of the key
])
def test_a_key_the_endpoint_repeats_is_redacted_everywhere(endpoint_ws: Workspace, server: FakeOpenAI,
                                                          message: str) -> None:
    endpoint_ws.chat.set_api_key(SECRET)
    text = message.format(key=SECRET, key8=SECRET[:12])
    server.mode = "raw"
    server.raw = (401, "application/json", json.dumps({"error": {"message": text}}).encode())
    answer = endpoint_ws.chat.ask(QUESTION)
    assert server.headers_seen[-1]["Authorization"] == f"Bearer {SECRET}"
    fell_back(endpoint_ws, answer)
    assert "HTTP 401" in answer.fallback and "***" in answer.fallback
    assert not leaks(answer.fallback) and not leaks(answer.text)
    assert not leaks(endpoint_ws.chat.sessions.export_markdown(answer.session))
    endpoint_ws.close()  # everything written to disk
    files = [p for p in Path(endpoint_ws.folder).rglob("*") if p.is_file()]
    assert any(p.name == "grace.sqlite" for p in files)
    assert [p.name for p in files if leaks(p.read_bytes())] == []


def test_a_key_repeated_in_a_streamed_error_is_redacted(endpoint_ws: Workspace, server: FakeOpenAI) -> None:
    endpoint_ws.chat.set_api_key(SECRET)
    server.mode = "raw"
    event = json.dumps({"error": {"message": f"invalid key {SECRET}"}})
    server.raw = (200, "text/event-stream", f"data: {event}\n\n".encode())
    answer = endpoint_ws.chat.ask(QUESTION, on_token=lambda t: None)
    fell_back(endpoint_ws, answer)
    assert not leaks(answer.text) and "invalid key ***" in answer.fallback


# -- 2. malformed replies -------------------------------------------------------------------------

@pytest.mark.parametrize(("content_type", "body"), [
    ("application/json", {"choices": [{"message": "Tomatoes are watered twice a week [1]."}]}),
    ("application/json", []),
    ("application/json", {"choices": "none"}),
    ("application/json", {"choices": ["x"]}),
    ("application/json", {"choices": [{"message": {"content": "x", "tool_calls": [5]}}]}),
    ("application/json", {"choices": [{"message": {"content": "x", "tool_calls": [{"function": "ingest"}]}}]}),
    ("application/json", {"choices": [{"message": {"content": "x", "tool_calls": {"function": {}}}}]}),
    ("text/event-stream", "data: []\n\ndata: [DONE]\n\n"),
    ("text/event-stream", 'data: {"choices": [{"delta": "Tomatoes"}]}\n\ndata: [DONE]\n\n'),
    ("text/event-stream", 'data: {"choices": ["x"]}\n\n'),
    ("text/event-stream", 'data: {"choices": {"delta": {}}}\n\n'),
    ("text/event-stream", 'data: {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": "x"}]}}]}\n\n'),
    ("text/event-stream", 'data: {"choices": [{"delta": {"tool_calls": ["x"]}}]}\n\n'),
    ("text/event-stream", 'data: {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": 5}}]}}]}'),
])
def test_a_reply_of_the_wrong_shape_falls_back_offline(endpoint_ws: Workspace, server: FakeOpenAI,
                                                      content_type: str, body: Any) -> None:
    server.mode = "raw"
    data = body if isinstance(body, str) else json.dumps(body)
    server.raw = (200, content_type, data.encode())
    answer = endpoint_ws.chat.ask(QUESTION, on_token=(lambda t: None) if "stream" in content_type else None)
    fell_back(endpoint_ws, answer)
    assert answer.fallback.startswith("the endpoint's reply could not be read")


# -- 3. tool-call parameters ----------------------------------------------------------------------

@pytest.mark.parametrize(("name", "arguments", "why"), [
    ("ingest", {"paths": 5}, "paths must be a list of text, not a number"),
    ("ingest", {"paths": "/tmp/rev8_chat/code"}, "paths must be a list of text, not text"),
    ("ingest", {"paths": []}, "paths must not be an empty list"),
    ("ingest", {"paths": ["/tmp", 3]}, "each of paths must be text, not a number"),
    ("ingest", {}, "paths is missing"),
    ("add_rows", {"table": ["x"], "rows": [{"a": 1}]}, "table must be text, not a list"),
    ("add_rows", {"table": "books", "rows": [[1, 2]]}, "each of rows must be an object, not a list"),
    ("add_rows", {"table": "books", "rows": {"a": 1}}, "rows must be a list of objects, not an object"),
    ("add_rows", {"table": "books", "rows": [{"a": {"b": 1}}]}, "each of rows: a must be text"),
    ("delete_table", {"table": {"name": "books"}}, "table must be text, not an object"),
    ("create_table", {"table": "books"}, "columns is missing"),
    ("create_table", {"table": "books", "columns": "title, author"}, "columns must be a list of text, not text"),
    ("delete_document", {"path": "  "}, "path must not be empty"),
    ("query", {"sql": 5}, "sql must be text, not a number"),
    ("show_errors", {"about": True}, "about must be text, not true or false"),
])
def test_a_tool_call_with_parameters_of_the_wrong_type_is_not_proposed(
        endpoint_ws: Workspace, server: FakeOpenAI, name: str, arguments: dict[str, Any], why: str) -> None:
    server.reply = {"text": "", "tool_calls": [{"name": name, "arguments": json.dumps(arguments)}]}
    answer = endpoint_ws.chat.ask(QUESTION)  # a reply that is only this call: the offline answer says why
    assert answer.actions == [] and endpoint_ws.chat.actions.list() == []
    fell_back(endpoint_ws, answer)
    assert f"the {name} action with parameters Grace cannot use" in answer.fallback and why in answer.fallback


def test_a_wrong_call_beside_a_good_one_is_dropped_with_a_note(endpoint_ws: Workspace, server: FakeOpenAI,
                                                               docs: Path) -> None:
    server.reply = {"text": "I can do that once you approve it.", "tool_calls": [
        {"name": "ingest", "arguments": json.dumps({"paths": [str(docs)]})},
        {"name": "ingest", "arguments": json.dumps({"paths": str(docs)})},
        {"name": "show_errors", "arguments": json.dumps({"about": "guide", "limit": -1})}]}
    answer = endpoint_ws.chat.ask("Please re-read my documents folder", on_token=lambda t: None)
    assert [(a.type, a.params) for a in answer.actions] == [
        ("ingest", {"paths": [str(docs)]}), ("show_errors", {"about": "guide"})]  # undeclared "limit" left out
    assert ("(The endpoint asked for the ingest action with parameters Grace cannot use: paths must be a list of "
            "text, not text; ignored.)") in answer.text
    assert answer.text.startswith("I can do that once you approve it.")


def test_the_declared_schema_is_what_is_checked() -> None:
    from engine.chat.reasoner_openai import checked, tools

    declared = {t["function"]["name"]: t["function"]["parameters"] for t in tools()}
    assert declared["ingest"]["properties"]["paths"] == {"type": "array", "items": {"type": "string", "minLength": 1},
                                                         "minItems": 1}
    assert checked("ingest", {"paths": ["/a"]}) == ({"paths": ["/a"]}, None)
    assert checked("add_rows", {"table": "t", "rows": [{"a": 1, "b": None, "c": True}]})[1] is None
    assert checked("status", {"anything": 1}) == ({}, None)


# -- 4. errors inside a 200 reply, and empty replies -----------------------------------------------

@pytest.mark.parametrize(("content_type", "body", "why"), [
    ("text/event-stream", 'data: {"error": {"message": "model overloaded", "code": 503}}\n\ndata: [DONE]\n\n',
     "the endpoint reported an error: model overloaded"),
    ("text/event-stream", 'event: error\ndata: {"message": "rate limited"}\n\n', "the endpoint reported an error"),
    ("text/event-stream", 'data: {"choices": [{"delta": {"content": "Tomatoes "}}]}\n\n'
                          'data: {"error": "the model crashed"}\n\n', "reported an error: the model crashed"),
    ("text/event-stream", "data: [DONE]\n\n", "the endpoint sent an empty reply"),
    ("text/event-stream", 'data: {"choices": [{"delta": {"content": "  "}}]}\n\ndata: [DONE]\n\n',
     "the endpoint sent an empty reply"),
    ("application/json", '{"choices": [{"message": {"role": "assistant", "content": ""}}]}',
     "the endpoint sent an empty reply"),
    ("application/json", '{"choices": [{"message": {"role": "assistant", "content": null}}]}',
     "the endpoint sent an empty reply"),
    ("application/json", '{"error": {"message": "quota exceeded"}}', "the endpoint reported an error: quota exceeded"),
])
def test_an_error_or_an_empty_reply_in_a_200_falls_back_offline(endpoint_ws: Workspace, server: FakeOpenAI,
                                                                content_type: str, body: str, why: str) -> None:
    server.mode = "raw"
    server.raw = (200, content_type, body.encode())
    tokens: list[str] = []
    answer = endpoint_ws.chat.ask(QUESTION, on_token=tokens.append if "stream" in content_type else None)
    fell_back(endpoint_ws, answer)
    assert why in answer.fallback and not answer.abstained
    if tokens:
        assert "".join(tokens).strip() == answer.text  # only the offline answer streamed


# -- 5. the timeout while the body is read --------------------------------------------------------

@pytest.mark.parametrize("content_type", ["application/json", "text/event-stream"])
def test_the_timeout_holds_while_the_endpoint_trickles_whitespace(endpoint_ws: Workspace, server: FakeOpenAI,
                                                                  content_type: str) -> None:
    server.mode = "trickle"
    server.trickle = (content_type, 6.0)  # four times the 1.5 s timeout, a byte every 0.2 s
    server.reply = {"text": "Tomatoes want deep watering twice a week [1].", "tool_calls": []}
    start = time.monotonic()
    answer = endpoint_ws.chat.ask(QUESTION, on_token=(lambda t: None) if "stream" in content_type else None)
    assert time.monotonic() - start < 4.0
    fell_back(endpoint_ws, answer)
    assert answer.fallback == "the endpoint did not answer within 1.5 s"


def test_a_trickle_that_ends_in_time_is_read(endpoint_ws: Workspace, server: FakeOpenAI,
                                             numbered: int) -> None:
    server.mode = "trickle"
    server.trickle = ("application/json", 0.5)
    server.reply = {"text": f"Tomatoes want deep watering twice a week [{numbered}].", "tool_calls": []}
    answer = endpoint_ws.chat.ask(QUESTION)
    assert answer.reasoner == "endpoint" and answer.text == "Tomatoes want deep watering twice a week [1]."


# -- 6. what streams ------------------------------------------------------------------------------

def test_only_grounded_text_streams_and_it_is_the_answer(endpoint_ws: Workspace, server: FakeOpenAI,
                                                         numbered: int) -> None:
    server.reply = {"text": f"Tomatoes want deep watering [42] twice a week [{numbered}, 42]. Stake the plants "
                            f"when they reach knee height [{numbered}]. Basil likes sun [77].", "tool_calls": []}
    tokens: list[str] = []
    answer = endpoint_ws.chat.ask(QUESTION, on_token=tokens.append)
    assert answer.reasoner == "endpoint" and len(tokens) > 2
    assert "".join(tokens) == answer.text
    assert answer.text.startswith("Tomatoes want deep watering twice a week [1]. Stake the plants when they reach "
                                  "knee height [1]. Basil likes sun.")
    assert not any("[42" in t or "[77" in t for t in tokens[:-1])


def test_an_answer_the_files_do_not_support_never_streams(endpoint_ws: Workspace, server: FakeOpenAI) -> None:
    server.reply = {"text": "The capital of Australia is Canberra [1]. It was founded in 1913 [1].", "tool_calls": []}
    tokens: list[str] = []
    answer = endpoint_ws.chat.ask("What is the capital of Australia?", on_token=tokens.append)
    assert answer.abstained and "Canberra" not in "".join(tokens)
    assert "".join(tokens) == answer.text and answer.text.startswith(ABSTAIN_TEXT)


def test_an_answer_without_a_valid_citation_never_streams(endpoint_ws: Workspace, server: FakeOpenAI) -> None:
    server.reply = {"text": "Tomatoes want watering every hour [42].", "tool_calls": []}
    tokens: list[str] = []
    answer = endpoint_ws.chat.ask(QUESTION, on_token=tokens.append)
    assert answer.reasoner == "offline" and "every hour" not in "".join(tokens)  # the files answer instead
    assert "".join(tokens).strip() == answer.text


# -- 7. the answer's own text ---------------------------------------------------------------------

def test_code_and_dots_in_the_answer_are_left_as_written(endpoint_ws: Workspace, server: FakeOpenAI,
                                                         numbered: int) -> None:
    template = ("Tomatoes want deep watering twice a week [{n}]. To back up the folder run "
                "`tar czf backup.tgz .` or list files such as .env with `ls -a .` first [{n}]. The script reads "
                "`sys.argv[0]` and `sys.argv[2]`, and argv[0] names it.\n\n```\nrows[3] = x [5]\n```")
    server.reply = {"text": template.replace("{n}", str(numbered)), "tool_calls": []}
    answer = endpoint_ws.chat.ask(QUESTION, on_token=lambda t: None)
    assert answer.reasoner == "endpoint" and [c.n for c in answer.citations] == [1]
    assert answer.text == template.replace("{n}", "1")
    assert "Removed citation" not in answer.text


def test_only_the_space_a_removed_mark_leaves_is_removed(endpoint_ws: Workspace, server: FakeOpenAI,
                                                         numbered: int) -> None:
    server.reply = {"text": f"[42] Tomatoes want deep watering twice a week [{numbered}] [42]. Pick them "
                            f"ripe [42], as the guide says [{numbered}]. Run `ls .` then cd . [{numbered}]",
                    "tool_calls": []}
    answer = endpoint_ws.chat.ask(QUESTION)
    body = answer.text.split("\n\n")[0]
    assert body == ("Tomatoes want deep watering twice a week [1]. Pick them ripe, as the guide says [1]. "
                    "Run `ls .` then cd . [1]")
    assert "(Removed citation to passages that were not retrieved: [42].)" in answer.text


# -- 8. a request answered by the endpoint ----------------------------------------------------------

@pytest.mark.parametrize("reply", ["", "I can do that once you approve it."])
def test_an_endpoint_request_is_answered_like_an_offline_one(endpoint_ws: Workspace, server: FakeOpenAI,
                                                             docs: Path, reply: str) -> None:
    offline = endpoint_ws.chat.ask(f"ingest {docs}", offline=True)
    assert [a.type for a in offline.actions] == ["ingest"]
    server.reply = {"text": reply, "tool_calls": [{"name": "ingest", "arguments": json.dumps({"paths": [str(docs)]})}]}
    answer = endpoint_ws.chat.ask(QUESTION)
    assert answer.reasoner == "endpoint" and [a.type for a in answer.actions] == ["ingest"]
    assert "cites none of your files" not in answer.text and not answer.abstained
    assert answer.confidence == offline.confidence == 0.9
    assert answer.text.startswith(reply or "I have proposed: **Ingest")


def test_an_endpoint_request_that_ran_has_full_confidence(endpoint_ws: Workspace, server: FakeOpenAI) -> None:
    server.reply = {"text": "", "tool_calls": [{"name": "status", "arguments": "{}"}]}
    tokens: list[str] = []
    answer = endpoint_ws.chat.ask(QUESTION, on_token=tokens.append)
    assert [(a.type, a.status) for a in answer.actions] == [("status", "executed")]
    assert answer.confidence == 1.0 and "cites none of your files" not in answer.text
    assert answer.text.startswith("Your workspace holds")


# -- 9. one deadline for the whole exchange: connecting and the headers too ---------------------------

class Stalling:
    """A loopback endpoint that misbehaves before its reply's body: each connection it accepts
    is handed to ``script`` (in a thread of its own) until the test is over."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.over = threading.Event()
        self.script: Callable[[Stalling, socket.socket], None] = Stalling.silent
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while not self.over.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(conn)
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            read_request(conn)
            self.script(self, conn)
        except OSError:
            pass  # the client gave up

    def silent(self, conn: socket.socket) -> None:
        """Accepts the request and never answers."""
        self.over.wait()

    def headers_then_stall(self, conn: socket.socket) -> None:
        """Sends whole headers, then nothing."""
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n")
        self.over.wait()

    def slow_headers(self, conn: socket.socket) -> None:
        """Sends its headers a byte every 0.1 s, and never comes to their end."""
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: ")
        while not self.over.wait(0.1):
            conn.sendall(b".")

    def close(self) -> None:
        self.over.set()
        self.thread.join()
        self.listener.close()
        for conn in self.accepted:
            conn.close()


def read_request(conn: socket.socket) -> None:
    """Read an HTTP request's headers and its body (by its Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece:
            return
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            return
        body += piece


@pytest.fixture
def stalling() -> Iterator[Stalling]:
    srv = Stalling()
    yield srv
    srv.close()


def ask_in_time(ws: Workspace, release: Callable[[], None] = lambda: None) -> Any:
    """``ws.chat.ask(QUESTION)`` in a thread, then ``release`` (what stalls the endpoint); a
    bounded wait (generous, no measure of the timeout) stands for "the question did not hang"."""
    result: list[Any] = []
    asking = threading.Thread(target=lambda: result.append(ws.chat.ask(QUESTION)), daemon=True)
    asking.start()
    asking.join(60)
    hung = asking.is_alive()
    release()
    asking.join(60)
    assert not hung, "the question waited for the endpoint past its timeout"
    return result[0]


@pytest.mark.parametrize("script", [Stalling.silent, Stalling.headers_then_stall, Stalling.slow_headers])
def test_the_timeout_holds_while_the_endpoint_keeps_the_headers_back(
        endpoint_ws: Workspace, stalling: Stalling, script: Callable[[Stalling, socket.socket], None]) -> None:
    stalling.script = script
    endpoint_ws.set_setting("llm_base_url", stalling.base_url)
    answer = ask_in_time(endpoint_ws, stalling.over.set)
    fell_back(endpoint_ws, answer)
    assert answer.fallback == "the endpoint did not answer within 1.5 s"


@pytest.fixture
def blackhole() -> Iterator[str]:
    """The address of a loopback listener whose queue is full, so that a new connection's SYN is
    dropped, as by a host that blackholes it (skipped where the system refuses it instead)."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    address = listener.getsockname()
    filler = socket.create_connection(address)  # fills the queue: nothing accepts it
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(address)
        dropped = False
    except TimeoutError:
        dropped = True
    except OSError:
        dropped = False
    finally:
        probe.close()
    try:
        if not dropped:
            pytest.skip("this system does not drop connections to a full listen queue")
        yield f"http://127.0.0.1:{address[1]}/v1"
    finally:
        filler.close()
        listener.close()


def test_the_timeout_holds_while_connecting(endpoint_ws: Workspace, blackhole: str) -> None:
    endpoint_ws.set_setting("llm_base_url", blackhole)
    answer = ask_in_time(endpoint_ws)
    fell_back(endpoint_ws, answer)
    assert answer.fallback == "the endpoint did not answer within 1.5 s"


def test_the_timeout_holds_while_the_name_is_looked_up(endpoint_ws: Workspace,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A resolver that does not answer (the lookup of even a numeric address waits for it)."""
    answered = threading.Event()
    real = socket.getaddrinfo

    def unanswered(*args: Any, **kwargs: Any) -> Any:
        answered.wait(120)
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", unanswered)
    answer = ask_in_time(endpoint_ws, answered.set)
    fell_back(endpoint_ws, answer)
    assert answer.fallback == "the endpoint did not answer within 1.5 s"
