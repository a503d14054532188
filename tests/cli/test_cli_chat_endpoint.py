"""``grace ask`` on a terminal with an endpoint set: the answer streams as it is grounded and
is printed once; what did not stream (citations, actions, confidence) follows it; --offline
streams nothing; an answer the files do not support never reaches the screen.

The command runs in-process against the loopback endpoint of ``tests/engine/test_chat_endpoint``,
with a standard output that says it is a terminal (``cmd_ask`` streams only to one)."""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pytest

from engine import Workspace
from engine.chat import ABSTAIN_TEXT
from grace_desktop.cli_chat import cmd_ask
from tests.engine import test_chat_endpoint as base
from tests.engine.test_chat_endpoint import FakeOpenAI, passage_number

server = base.server  # the fixtures: the loopback endpoint, and a workspace that uses it
endpoint_ws = base.endpoint_ws
QUESTION = "How often should tomatoes be watered?"


class Terminal(io.StringIO):
    """A standard output that is a terminal, and remembers each write (a streamed piece)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> int:
        self.writes.append(s)
        return super().write(s)


def ask(ws: Workspace, monkeypatch: pytest.MonkeyPatch, question: str, offline: bool = False) -> Terminal:
    out = Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    args = argparse.Namespace(question=question, session=None, offline=offline, json=False)
    assert cmd_ask(args, ws) == 0
    monkeypatch.undo()
    return out


def test_a_streamed_endpoint_answer_is_printed_once(endpoint_ws: Workspace, server: FakeOpenAI, docs: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint_ws.chat.ask(QUESTION)
    n = passage_number(server, "guide.md")
    server.reply = {"text": f"Tomatoes want deep watering twice a week [{n}]. Stake the plants when they reach "
                            f"knee height [{n}].", "tool_calls": []}
    out = ask(endpoint_ws, monkeypatch, QUESTION)
    text = out.getvalue()
    assert server.requests[-1]["stream"] is True and len(out.writes) > 3  # it streamed
    assert text.count("Tomatoes want deep watering") == 1 and text.count("Stake the plants") == 1
    assert text.startswith("Tomatoes want deep watering twice a week [1]. Stake the plants when they reach knee "
                           "height [1].\n\n[1] " + str(docs / "guide.md"))
    assert text.count("confidence ") == 1 and text.count(f"[1] {docs / 'guide.md'}") == 1


def test_offline_streams_nothing_and_prints_the_answer_once(endpoint_ws: Workspace, server: FakeOpenAI,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    asked = len(server.requests)
    out = ask(endpoint_ws, monkeypatch, QUESTION, offline=True)
    text = out.getvalue()
    assert len(server.requests) == asked  # the endpoint was not asked
    answer = text.split("\n", 1)[0]  # the offline answer's one line, with its marks
    assert "[1]" in answer and text.count(answer) == 1 and text.count("confidence ") == 1


def test_an_answer_the_files_do_not_support_is_never_printed(endpoint_ws: Workspace, server: FakeOpenAI,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    server.reply = {"text": "The capital of Australia is Canberra [1].", "tool_calls": []}
    out = ask(endpoint_ws, monkeypatch, "What is the capital of Australia?")
    text = out.getvalue()
    assert "Canberra" not in text
    assert text.startswith(ABSTAIN_TEXT) and text.count(ABSTAIN_TEXT) == 1 and "(declined)" in text


def test_a_proposed_action_and_the_reply_are_printed_once(endpoint_ws: Workspace, server: FakeOpenAI, docs: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    server.reply = {"text": "I can do that once you approve it.",
                    "tool_calls": [{"name": "ingest", "arguments": json.dumps({"paths": [str(docs)]})}]}
    text = ask(endpoint_ws, monkeypatch, "Please re-read my documents folder").getvalue()
    assert text.count("I can do that once you approve it.") == 1
    assert text.count("I have proposed: **Ingest") == 1 and text.count("grace actions approve") == 1
    assert "cites none of your files" not in text and "confidence 0.90" in text


def test_an_endpoint_failure_prints_the_offline_answer_once(endpoint_ws: Workspace, server: FakeOpenAI,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    server.mode = "error"
    text = ask(endpoint_ws, monkeypatch, QUESTION).getvalue()
    assert text.startswith("*Answered offline from your files: the endpoint answered HTTP 500")
    assert text.count("*Answered offline") == 1
    answer = text.split("\n\n")[1]  # the offline answer, with its marks
    assert "[1]" in answer and text.count(answer) == 1 and text.count("confidence ") == 1
