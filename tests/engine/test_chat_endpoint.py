"""The OpenAI-compatible reasoner against a small server on 127.0.0.1 (http.server in a thread):
streaming and plain answers, citations checked against the passages, tool calls as
proposed actions, and a timeout or an error falling back to the offline answerer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import keyring
import pytest
from sqlalchemy import text

from engine import Workspace
from engine.chat import ABSTAIN_TEXT
from engine.chat.reasoner_openai import tools
from tests.engine.test_chat_secrets import MemoryKeyring

KEY = "sk-loopback-secret"


class FakeOpenAI(ThreadingHTTPServer):
    """Answers ``/v1/chat/completions`` with ``self.reply`` (text and tool calls) or misbehaves."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.reply: dict[str, Any] = {"text": "", "tool_calls": []}
        self.mode = "ok"  # ok, slow, error, raw, redirect, trickle
        self.raw: tuple[int, str, bytes] = (200, "application/json", b"{}")  # status, content type, body
        self.location = ""  # where "redirect" sends the client
        self.trickle: tuple[str, float] = ("application/json", 6.0)  # content type, seconds of whitespace
        self.requests: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name (a redirected POST arrives as a GET)
        self.server.headers_seen.append(dict(self.headers))
        self.send_error(404)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        self.server.headers_seen.append(dict(self.headers))
        if self.path != "/v1/chat/completions":
            self.send_error(404)
            return
        if self.server.mode == "slow":
            time.sleep(3)  # twice the client's 1.5 s timeout
        if self.server.mode == "error":
            self._json(500, {"error": {"message": "model is overloaded"}})
            return
        try:
            if self.server.mode == "raw":
                self._send(*self.server.raw)
            elif self.server.mode == "redirect":
                self._send(302, "text/plain", b"", location=self.server.location)
            elif self.server.mode == "trickle":
                self._trickle(body)
            else:
                self._answer(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def _send(self, status: int, content_type: str, data: bytes, location: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def _trickle(self, body: dict[str, Any]) -> None:
        """Headers at once, then a space every 0.2 s (keep-alive whitespace), then the answer."""
        content_type, seconds = self.server.trickle
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.end_headers()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.2)
        text = self.server.reply["text"]
        if body.get("stream"):
            self._event({"choices": [{"delta": {"content": text}}]})
            self.wfile.write(b"data: [DONE]\n\n")
        else:
            self.wfile.write(json.dumps({"choices": [{"message": {"content": text}}]}).encode())

    def _answer(self, body: dict[str, Any]) -> None:
        if body.get("stream"):
            self._stream()
        else:
            calls = [{"id": f"c{i}", "type": "function", "function": c} for i, c in
                     enumerate(self.server.reply["tool_calls"])]
            self._json(200, {"choices": [{"message": {"role": "assistant", "content": self.server.reply["text"],
                                                      "tool_calls": calls or None}}]})

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        text = self.server.reply["text"]
        for i in range(0, len(text), 7):
            self._event({"choices": [{"delta": {"content": text[i:i + 7]}}]})
        for i, call in enumerate(self.server.reply["tool_calls"]):
            half = len(call["arguments"]) // 2
            first = {"name": call["name"], "arguments": call["arguments"][:half]}
            self._event({"choices": [{"delta": {"tool_calls": [{"index": i, "id": f"c{i}", "function": first}]}}]})
            self._event({"choices": [{"delta": {"tool_calls": [
                {"index": i, "function": {"arguments": call["arguments"][half:]}}]}}]})
        self.wfile.write(b"data: [DONE]\n\n")

    def _event(self, payload: dict[str, Any]) -> None:
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()


def serving() -> Iterator[FakeOpenAI]:
    """A FakeOpenAI answering on a loopback port until the test is over."""
    srv = FakeOpenAI()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    yield from serving()


@pytest.fixture
def endpoint_ws(ws: Workspace, docs: Path, server: FakeOpenAI) -> Iterator[Workspace]:
    before = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    ws.ingest([docs])
    ws.set_setting("llm_base_url", server.base_url)
    ws.set_setting("llm_model", "tiny-test")
    ws.set_setting("llm_timeout_s", 1.5)
    ws.chat.set_api_key(KEY)
    yield ws
    keyring.set_keyring(before)


def passage_number(server: FakeOpenAI, path_end: str) -> int:
    """The [n] the last prompt gave to the first passage from a file ending with ``path_end``."""
    system = server.requests[-1]["messages"][0]["content"]
    for line in system.splitlines():
        if line.startswith("[") and path_end in line.split(" ", 1)[1]:
            return int(line[1:line.index("]")])
    raise AssertionError(f"no passage from {path_end} in the prompt")


def test_streamed_answer_is_grounded_in_the_retrieved_passages(endpoint_ws: Workspace, server: FakeOpenAI,
                                                             docs: Path) -> None:
    endpoint_ws.chat.ask("warm up", offline=False)  # learn the passage numbers the prompt uses
    question = "How often should tomatoes be watered?"
    endpoint_ws.chat.ask(question)
    n = passage_number(server, "guide.md")
    server.reply = {"text": f"Tomatoes want deep watering twice a week [{n}]. Bananas are blue [42].",
                    "tool_calls": []}
    tokens: list[str] = []
    answer = endpoint_ws.chat.ask(question, on_token=tokens.append)
    assert len(tokens) > 3 and "".join(tokens).startswith("Tomatoes want")
    assert answer.reasoner == "endpoint" and not answer.abstained
    assert [c.n for c in answer.citations] == [1]
    c = answer.citations[0]
    assert c.path == str(docs / "guide.md") and c.quote in (docs / "guide.md").read_text()
    assert "twice a week" in c.quote
    assert "[1]" in answer.text and "[42]" not in answer.text.split("\n\n")[0]
    assert "Removed citation to passages that were not retrieved: [42]" in answer.text
    assert 0.0 < answer.confidence <= 1.0
    request = server.requests[-1]
    assert request["stream"] is True and request["model"] == "tiny-test"
    assert request["messages"][-1] == {"role": "user", "content": question}
    assert {t["function"]["name"] for t in request["tools"]} == {t["function"]["name"] for t in tools()}
    assert server.headers_seen[-1]["Authorization"] == f"Bearer {KEY}"


def test_plain_reply_and_history_are_sent(endpoint_ws: Workspace, server: FakeOpenAI) -> None:
    server.reply = {"text": "I could not find this in your files.", "tool_calls": []}
    first = endpoint_ws.chat.ask("What is the capital of Australia?")
    assert first.abstained and first.citations == []
    endpoint_ws.chat.ask("And of New Zealand?", session_id=first.session)
    sent = server.requests[-1]
    assert sent["stream"] is False
    assert [m["role"] for m in sent["messages"]] == ["system", "user", "assistant", "user"]


def test_tool_calls_become_pending_actions(endpoint_ws: Workspace, server: FakeOpenAI, docs: Path) -> None:
    server.reply = {"text": "I can do that once you approve it.", "tool_calls": [
        {"name": "ingest", "arguments": json.dumps({"paths": [str(docs)]})},
        {"name": "delete_document", "arguments": json.dumps({"path": str(docs / "notes.txt")})},
        {"name": "launch_rockets", "arguments": "{}"}]}
    answer = endpoint_ws.chat.ask("Please re-read my documents folder and drop the notes", on_token=lambda t: None)
    assert [(a.type, a.tier, a.status, a.proposed_by) for a in answer.actions] == [
        ("ingest", 2, "pending", "endpoint"), ("delete_document", 3, "pending", "endpoint")]
    assert "launch_rockets" in answer.text and "I can do that" in answer.text
    assert "it runs once you approve it" in answer.text  # the tier-2 proposal says what it needs


def test_slow_endpoint_falls_back_to_the_offline_answer(endpoint_ws: Workspace, server: FakeOpenAI,
                                                       docs: Path) -> None:
    server.mode = "slow"
    answer = endpoint_ws.chat.ask("How often should tomatoes be watered?", on_token=lambda t: None)
    assert answer.reasoner == "offline" and "did not answer within 1.5 s" in answer.fallback
    assert answer.text.startswith("*Answered offline from your files: the endpoint did not answer")
    assert answer.citations and answer.citations[0].path == str(docs / "guide.md")


def test_endpoint_error_falls_back_and_says_why(endpoint_ws: Workspace, server: FakeOpenAI) -> None:
    server.mode = "error"
    answer = endpoint_ws.chat.ask("How often should tomatoes be watered?")
    assert answer.reasoner == "offline" and "HTTP 500 (model is overloaded)" in answer.fallback
    assert KEY not in answer.text and KEY not in answer.fallback


def test_unreachable_endpoint_falls_back(endpoint_ws: Workspace) -> None:
    endpoint_ws.set_setting("llm_base_url", "http://127.0.0.1:9/v1")
    answer = endpoint_ws.chat.ask("How often should tomatoes be watered?")
    assert answer.reasoner == "offline" and "could not be reached" in answer.fallback


def test_object_arguments_and_content_parts_are_read(endpoint_ws: Workspace, server: FakeOpenAI,
                                                     docs: Path) -> None:
    endpoint_ws.chat.ask("warm up")
    question = "How often should tomatoes be watered?"
    endpoint_ws.chat.ask(question)
    n = passage_number(server, "guide.md")
    server.reply = {"text": [{"type": "text", "text": "Tomatoes want deep watering "},
                             {"type": "text", "text": f"twice a week [{n}]."}],
                    "tool_calls": [{"name": "ingest", "arguments": {"paths": [str(docs)]}}]}
    answer = endpoint_ws.chat.ask(question)
    assert answer.reasoner == "endpoint" and answer.fallback is None
    assert answer.text.startswith("Tomatoes want deep watering twice a week [1].")
    assert [(a.type, a.params) for a in answer.actions] == [("ingest", {"paths": [str(docs)]})]


@pytest.mark.parametrize("reply", [
    {"text": {"unexpected": "object"}, "tool_calls": []},
    {"text": [{"type": "text", "text": 7}], "tool_calls": []},
    {"text": "Fine.", "tool_calls": [{"name": "ingest", "arguments": 5}]},
])
def test_a_malformed_reply_falls_back_offline_and_stores_one_whole_exchange(
        endpoint_ws: Workspace, server: FakeOpenAI, reply: dict[str, Any]) -> None:
    server.reply = reply
    answer = endpoint_ws.chat.ask("How often should tomatoes be watered?")
    assert answer.reasoner == "offline" and "reply could not be read" in answer.fallback
    assert answer.text.startswith("*Answered offline from your files") and answer.citations
    messages = endpoint_ws.chat.sessions.messages(answer.session)
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_an_endpoint_answer_the_files_do_not_support_is_an_abstention(endpoint_ws: Workspace,
                                                                      server: FakeOpenAI) -> None:
    server.reply = {"text": "The capital of Australia is Canberra [1].", "tool_calls": []}
    answer = endpoint_ws.chat.ask("What is the capital of Australia?")
    assert answer.abstained and answer.citations == [] and answer.closest == []  # no file is near it
    assert answer.text.startswith(ABSTAIN_TEXT) and "Canberra" not in answer.text
    assert answer.confidence < 0.5
    server.reply = {"text": "Tomatoes want deep watering twice a week [42].", "tool_calls": []}
    uncited = endpoint_ws.chat.ask("How often should tomatoes be watered?")  # strong evidence, no valid citation
    assert not uncited.abstained and uncited.reasoner == "offline" and "twice a week" in uncited.text
    assert "cited none of the passages" in uncited.fallback  # the files answer it: the offline answer does


@pytest.mark.parametrize("base_url", ["not a url at all", "ftp://127.0.0.1/v1", "localhost:8080/v1", "http:///v1",
                                      "http://127.0.0.1:port/v1", "http://[::1/v1"])
def test_a_base_url_that_is_not_a_url_is_an_endpoint_error_and_answers_offline(endpoint_ws: Workspace,
                                                                              base_url: str) -> None:
    from engine.chat.openai_client import EndpointError, OpenAIClient

    with pytest.raises(EndpointError, match="is not a URL"):
        OpenAIClient(base_url, "m", None, 1.0).complete([{"role": "user", "content": "hi"}])
    with endpoint_ws._write_engine.begin() as conn:  # as an older build may have stored it: not checked
        conn.execute(text("UPDATE settings SET value=:v WHERE name='llm_base_url'"), {"v": json.dumps(base_url)})
    answer = endpoint_ws.chat.ask("How often should tomatoes be watered?", on_token=lambda t: None)
    assert answer.reasoner == "offline" and answer.fallback.startswith(f"the endpoint address {base_url!r} is not")
    assert answer.text.startswith("*Answered offline from your files") and answer.citations
    assert [m["role"] for m in endpoint_ws.chat.sessions.messages(answer.session)] == ["user", "assistant"]


def test_check_base_url_says_why_an_address_cannot_be_used() -> None:
    from engine.chat.openai_client import check_base_url

    for good in ("", "http://127.0.0.1:8080/v1", "https://api.example.com/v1/", "http://localhost:11434"):
        assert check_base_url(good) is None, good
    assert "needs http:// or https://" in (check_base_url("not a url at all") or "")
    assert "spaces" in (check_base_url("http://my host/v1") or "")


def test_a_base_url_that_is_not_a_url_is_refused_as_a_setting(ws: Workspace) -> None:
    from engine.errors import SettingError

    with pytest.raises(SettingError, match="is not a URL"):
        ws.set_setting("llm_base_url", "not a url at all")
    ws.set_setting("llm_base_url", "http://127.0.0.1:8080/v1")
    ws.set_setting("llm_base_url", "")  # no endpoint: answers offline
