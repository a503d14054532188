"""``grace ask``, ``grace chats`` and ``grace actions``: chat sessions and governed actions from
the command line."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import Any

from engine import GraceError, Workspace
from engine.chat import Action, Answer, EmptyQuestion
from engine.chat.actions import interrupted
from engine.chat.conversations import PURGE_AFTER
from engine.chat.render import action_text


def register(sub: Any) -> None:
    """Add the ``ask``, ``chats`` and ``actions`` subcommands to the ``grace`` parser."""
    p = sub.add_parser("ask", help="ask a question about your files (grounded, cited answer)")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--session", type=int, metavar="ID", help="continue this chat session")
    p.add_argument("--offline", action="store_true", help="never use the chat endpoint")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_ask)
    _register_chats(sub)

    p = sub.add_parser("actions", help="actions proposed in chat, and their approval")
    act = p.add_subparsers(dest="actions_command", metavar="ACTION", required=True)
    lst = act.add_parser("list", help="every action, newest first")
    lst.add_argument("--status", choices=["pending", "approved", "rejected", "executed", "failed"])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_actions_list)
    ok = act.add_parser("approve", help="approve a pending action and run it (or run again one that was interrupted)")
    ok.add_argument("id", type=int, metavar="ID")
    ok.add_argument("--reason", metavar="TEXT", help="why (required for tier-3 actions)")
    ok.add_argument("--json", action="store_true")
    ok.set_defaults(func=cmd_actions_approve)
    no = act.add_parser("reject", help="reject a pending action")
    no.add_argument("id", type=int, metavar="ID")
    no.add_argument("--reason", metavar="TEXT", required=True, help="why it is rejected")
    no.add_argument("--json", action="store_true")
    no.set_defaults(func=cmd_actions_reject)


def _register_chats(sub: Any) -> None:
    p = sub.add_parser("chats", help="chat sessions: list them, and restore one deleted in the last 30 days")
    chats = p.add_subparsers(dest="chats_command", metavar="ACTION", required=True)
    lst = chats.add_parser("list", help="the chats, the newest first (with --deleted: the deleted ones, "
                                        "the most recently deleted first)")
    lst.add_argument("--deleted", action="store_true", help="the chats deleted and not yet removed for good")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_chats_list)
    back = chats.add_parser("restore", help="bring back a deleted chat with its messages and actions")
    back.add_argument("id", type=int, metavar="ID")
    back.add_argument("--json", action="store_true")
    back.set_defaults(func=cmd_chats_restore)


def cmd_chats_list(args: argparse.Namespace, ws: Workspace) -> int:
    chats = ws.chat.sessions.deleted() if args.deleted else ws.chat.sessions.list()
    if args.json:
        print(json.dumps(chats))
        return 0
    if not chats:
        print("No deleted chats." if args.deleted else "No chats.")
    for c in chats:
        if args.deleted:
            print(f"{c['id']:>5}  deleted {_date(c['deleted_at'])}, removed for good on "
                  f"{_date(c['deleted_at'] + PURGE_AFTER)[:10]}  {c['title']}  -> grace chats restore {c['id']}")
        else:
            print(f"{c['id']:>5}  {_date(c['updated_at'])}  {c['title']} ({c['messages']} messages)")
    return 0


def cmd_chats_restore(args: argparse.Namespace, ws: Workspace) -> int:
    """Restore a deleted chat; a chat not deleted is left as it is (exit 0: it is there)."""
    sessions = ws.chat.sessions
    title = next((c["title"] for c in sessions.deleted() if c["id"] == args.id), None)
    restored = title is not None
    if restored:
        sessions.restore(args.id)
    else:
        try:
            title = sessions.get(args.id)["title"]
        except GraceError:
            raise GraceError(f"There is no deleted chat {args.id} to restore (`grace chats list --deleted` "
                             "lists them; a chat is removed for good 30 days after it was deleted).") from None
    waiting = sessions.waiting(args.id)
    if args.json:
        print(json.dumps({"id": args.id, "title": title, "restored": restored, "waiting": waiting}))
    elif not restored:
        print(f"The chat {args.id} “{title}” is not deleted; nothing to restore.")
    else:
        again = f"; {_waits(len(waiting))} for approval again ({', '.join(map(str, waiting))})"
        print(f"Restored the chat {args.id} “{title}”{again if waiting else ''}.")
    return 0


def _waits(n: int) -> str:
    return f"its {n} action{' waits' if n == 1 else 's wait'}"


def _date(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(epoch))


def cmd_ask(args: argparse.Namespace, ws: Workspace) -> int:
    # On a terminal an endpoint's answer streams as it is grounded (the offline answer is ready
    # at once, so --offline does not stream); the rest of the answer is printed after it.
    streaming = (not args.json and not args.offline and sys.stdout.isatty()
                 and bool(str(ws.setting("llm_base_url")).strip()))
    shown: list[str] = []

    def show(piece: str) -> None:
        piece = piece if shown else piece.lstrip()  # (the offline answer after an endpoint failed starts "\n\n")
        if piece:
            shown.append(piece)
            print(piece, end="", flush=True)

    try:
        answer = ws.chat.ask(args.question, session_id=args.session, offline=args.offline,
                             on_token=show if streaming else None)
    except EmptyQuestion as exc:  # a usage error, like a missing argument
        print(f"grace ask: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(answer.as_json()))
        return 0
    print(_plain(answer, "".join(shown) if shown else None))
    return 0


def _plain(answer: Answer, shown: str | None = None) -> str:
    """The answer for people; after ``shown`` (what streamed), only what it did not show."""
    lines = [answer.text if shown is None else _unshown(shown, answer.text), ""]
    for c in answer.citations:
        where = c.where()
        lines.append(f"[{c.n}] {c.path}{' (' + where + ')' if where else ''}")
        if c.quote.strip():  # a row of a sheet has no line to quote
            lines.append(f"    “{' '.join(c.quote.split())}”")
    for a in answer.actions:
        lines.append(_action_line(a))
    lines.append(f"confidence {answer.confidence:.2f}{' (declined)' if answer.abstained else ''}; "
                 f"session {answer.session}")
    return "\n".join(lines)


def _unshown(shown: str, text: str) -> str:
    """The end of ``text`` that is not on screen yet: what follows the part of it that streamed
    (from the start of ``shown`` or of one of its paragraphs, such as the offline answer given
    after an endpoint failed); all of it, after a blank line, when it is not what streamed."""
    for start in [0, *(m.end() for m in re.finditer(r"\n\n", shown))]:
        seen = shown[start:].strip()
        if seen and text.startswith(seen):
            return text[len(seen):]
    return "\n\n" + text


def _action_line(a: Action) -> str:
    wait = {2: "grace actions approve {id}", 3: "grace actions approve {id} --reason TEXT"}.get(a.tier, "")
    hint = f"  -> {wait.format(id=a.id)}" if a.status == "pending" and wait else ""
    if interrupted(a):
        hint = f" (interrupted)  -> {wait.format(id=a.id) or f'grace actions approve {a.id}'} to run it again"
    return f"action {a.id} [tier {a.tier}, {a.status}] {a.summary}{hint}"


def cmd_actions_list(args: argparse.Namespace, ws: Workspace) -> int:
    actions = ws.chat.actions.list(status=args.status)
    if args.json:
        print(json.dumps([a.brief() | {"params": a.params} for a in actions], default=str))
        return 0
    if not actions:
        print("No actions.")
    for a in actions:
        print(_action_line(a))
    return 0


def _report(action: Action, as_json: bool) -> int:
    if as_json:
        print(json.dumps(action.brief() | {"error": action.error, "result": action.result}, default=str))
    else:
        print(_action_line(action) + (f": {action.error}" if action.error else ""))
        if action.status == "executed":
            print(action_text([action]))  # what it did, or where rows the table holds for approval wait
    return 0 if action.status != "failed" else 1


def cmd_actions_approve(args: argparse.Namespace, ws: Workspace) -> int:
    action, _ = ws.chat.actions.approve(args.id, reason=args.reason)
    return _report(action, args.json)


def cmd_actions_reject(args: argparse.Namespace, ws: Workspace) -> int:
    action, _ = ws.chat.actions.reject(args.id, reason=args.reason)
    return _report(action, args.json)
