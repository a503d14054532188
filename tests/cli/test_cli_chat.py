"""``grace ask`` and ``grace actions``, run as a person (or a script) would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from engine import Workspace

ROOT = Path(__file__).resolve().parents[2]


def grace(*args: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-m", "grace_desktop", *args], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True, timeout=600)


def js(out: subprocess.CompletedProcess[str]) -> Any:
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_ask_prints_a_grounded_answer_as_json_and_continues_a_session(tmp_path: Path, docs: Path) -> None:
    ws = str(tmp_path / "ws")
    assert grace("--workspace", ws, "ingest", str(docs)).returncode == 0
    out = grace("--workspace", ws, "ask", "How often should tomatoes be watered?", "--json")
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert set(answer) == {"answer", "confidence", "abstained", "citations", "actions", "session"}
    assert not answer["abstained"] and 0 <= answer["confidence"] <= 1
    c = answer["citations"][0]
    assert set(c) == {"n", "path", "page", "line_start", "line_end", "quote"}
    assert c["path"] == str(docs / "guide.md") and os.path.isabs(c["path"]) and c["n"] == 1
    assert c["quote"] in (docs / "guide.md").read_text() and c["line_start"] == 7

    again = js(grace("--workspace", ws, "ask", "What is the capital of Australia?", "--session",
                     str(answer["session"]), "--json"))
    assert again["session"] == answer["session"] and again["abstained"] and again["citations"] == []

    plain = grace("--workspace", ws, "ask", "When is the budget review?")
    assert plain.returncode == 0 and "Thursday" in plain.stdout and "notes.txt" in plain.stdout


def test_actions_are_listed_approved_and_rejected(tmp_path: Path, docs: Path) -> None:
    ws = str(tmp_path / "ws")
    grace("--workspace", ws, "ingest", str(docs))
    asked = js(grace("--workspace", ws, "ask", "forget the document notes.txt", "--json"))
    delete = asked["actions"][0]
    assert set(delete) == {"id", "type", "tier", "status", "summary"}
    assert (delete["type"], delete["tier"], delete["status"]) == ("delete_document", 3, "pending")

    listed = js(grace("--workspace", ws, "actions", "list", "--json"))
    assert [a["id"] for a in listed] == [delete["id"]]

    refused = grace("--workspace", ws, "actions", "approve", str(delete["id"]))
    assert refused.returncode != 0 and "reason" in refused.stderr and refused.stderr.strip().endswith(".")
    ok = grace("--workspace", ws, "actions", "approve", str(delete["id"]), "--reason", "outdated", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["status"] == "executed"
    status = js(grace("--workspace", ws, "status", "--json"))
    assert status["documents"] == 4

    ingest = js(grace("--workspace", ws, "ask", f"ingest {docs}", "--json"))["actions"][0]
    assert grace("--workspace", ws, "actions", "reject", str(ingest["id"])).returncode != 0  # --reason required
    rejected = grace("--workspace", ws, "actions", "reject", str(ingest["id"]), "--reason", "not now")
    assert rejected.returncode == 0 and "rejected" in rejected.stdout
    pending = js(grace("--workspace", ws, "actions", "list", "--status", "pending", "--json"))
    assert pending == []


def test_a_blank_question_is_a_usage_error_and_stores_nothing(tmp_path: Path, docs: Path) -> None:
    ws = str(tmp_path / "ws")
    assert grace("--workspace", ws, "ingest", str(docs)).returncode == 0
    for blank in ("", "   "):
        out = grace("--workspace", ws, "ask", blank, "--json")
        assert out.returncode == 2 and out.stdout == "" and "question" in out.stderr, out.stderr
    session = js(grace("--workspace", ws, "ask", "When is the budget review?", "--json"))["session"]
    assert session == 1  # the blank questions started no session


def test_an_action_whose_process_was_killed_is_shown_interrupted_and_approved_again(tmp_path: Path,
                                                                                     docs: Path) -> None:
    from tests.engine.test_chat_actions import approving_elsewhere

    ws = tmp_path / "ws"
    ingest = js(grace("--workspace", str(ws), "ask", f"ingest {docs}", "--json"))["actions"][0]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with approving_elsewhere(ws, ingest["id"], scratch) as (proc, _):
        assert [a["status"] for a in js(grace("--workspace", str(ws), "actions", "list", "--json"))] == ["approved"]
        proc.kill()  # kill -9 while it runs
        proc.wait(600)
    listed = js(grace("--workspace", str(ws), "actions", "list", "--json"))
    assert [(a["id"], a["status"]) for a in listed] == [(ingest["id"], "failed")]
    plain = grace("--workspace", str(ws), "actions", "list")
    assert f"(interrupted)  -> grace actions approve {ingest['id']} to run it again" in plain.stdout
    errors = js(grace("--workspace", str(ws), "ask", "show me recent errors", "--json"))
    assert "Grace stopped while it ran" in errors["answer"]
    again = js(grace("--workspace", str(ws), "actions", "approve", str(ingest["id"]), "--json"))
    assert again["status"] == "executed" and again["error"] is None
    assert js(grace("--workspace", str(ws), "status", "--json"))["documents"] == 5


def test_a_row_of_a_sheet_is_cited_without_an_empty_quote() -> None:
    from engine.chat.types import Answer, Citation
    from grace_desktop.cli_chat import _plain

    cited = [Citation(1, "/files/returns.xlsx#Returns", None, None, None, "", 0),
             Citation(2, "/files/notes.txt", None, 3, 3, "The get-in moved to Saturday.", 0)]
    text = _plain(Answer("An answer [1] [2]", 0.9, False, cited, [], 1, 1, "t", "offline"))
    assert "“”" not in text and "    “The get-in moved to Saturday.”" in text, text
    assert "[1] /files/returns.xlsx#Returns" in text


def test_chats_are_listed_and_one_deleted_in_the_app_is_restored(tmp_path: Path, docs: Path) -> None:
    ws = str(tmp_path / "ws")
    grace("--workspace", ws, "ingest", str(docs))
    forget = js(grace("--workspace", ws, "ask", "forget the document notes.txt", "--json"))
    other = js(grace("--workspace", ws, "ask", "When is the budget review?", "--json"))["session"]
    with Workspace(Path(ws)) as opened:  # deleted in the app (closed before the next command)
        opened.chat.sessions.delete(forget["session"])
    assert [c["id"] for c in js(grace("--workspace", ws, "chats", "list", "--json"))] == [other]
    deleted = js(grace("--workspace", ws, "chats", "list", "--deleted", "--json"))
    assert [(c["id"], c["title"]) for c in deleted] == [(forget["session"], "forget the document notes.txt")]
    plain = grace("--workspace", ws, "chats", "list", "--deleted")
    assert plain.returncode == 0 and f"grace chats restore {forget['session']}" in plain.stdout

    back = grace("--workspace", ws, "chats", "restore", str(forget["session"]))
    assert back.returncode == 0, back.stderr
    action = forget["actions"][0]["id"]
    assert back.stdout.strip() == (f"Restored the chat {forget['session']} “forget the document notes.txt”; "
                                   f"its 1 action waits for approval again ({action}).")
    assert {c["id"] for c in js(grace("--workspace", ws, "chats", "list", "--json"))} == {forget["session"], other}
    again = js(grace("--workspace", ws, "chats", "restore", str(forget["session"]), "--json"))
    assert (again["restored"], again["waiting"]) == (False, [action])  # there already: left as it is
    unknown = grace("--workspace", ws, "chats", "restore", "99")
    assert unknown.returncode == 1 and "no deleted chat 99" in unknown.stderr
