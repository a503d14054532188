"""The ``grace`` command. Global options come before the subcommand:
``grace [--workspace DIR] SUBCOMMAND ...``."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from engine import Cancelled, GraceError, Workspace
from engine.chat.executors import memory_table_count
from engine.errors import reason_of
from engine.scan import type_of
from engine.settings import SETTINGS

from . import cli_chat, cli_tables


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def workspace_arg(text: str) -> str:
    """``--workspace``'s value: an empty one is an error, not the default folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the workspace folder is empty: name a folder (or leave the option out)")
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grace", description="Grace Desktop: a private, offline knowledge workspace.")
    parser.add_argument("--workspace", metavar="DIR", type=workspace_arg,
                        help="workspace folder (default: $GRACE_HOME or the platform's user data folder for Grace)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read files and folders into the workspace",
                       epilog="Exits with 1 when any path failed (each is listed with its reason; the rest "
                              "are still read), else 0.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="search what Grace has read (several queries at once)")
    p.add_argument("queries", nargs="+", metavar="QUERY")
    p.add_argument("-k", type=_positive, default=None, help="results per query")
    p.add_argument("--json", action="store_true", help="one JSON object per query, one per line")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("status", help="what the workspace holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("reembed", help="re-embed the passages whose vectors another model made, or "
                                       "that have no token vectors yet (the old vectors answer until then)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_reembed)

    p = sub.add_parser("audit", help="the tamper-evident audit log")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = audit_sub.add_parser("verify", help="recompute the hash chain")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=cmd_audit_verify)
    lg = audit_sub.add_parser("log", help="the newest entries")
    lg.add_argument("-n", type=int, default=20)
    lg.add_argument("--json", action="store_true")
    lg.set_defaults(func=cmd_audit_log)

    p = sub.add_parser("settings", help="list or change settings")
    p.add_argument("name", nargs="?")
    p.add_argument("value", nargs="?")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_settings)

    p = sub.add_parser("selftest", help="check that Grace works: ingest and search the bundled sample "
                                        "in a temporary workspace, verify the audit log")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_selftest)

    cli_chat.register(sub)
    cli_tables.register(sub)
    _add_gui_commands(sub)
    return parser


def _add_gui_commands(sub: Any) -> None:
    p = sub.add_parser("gui", help="start the desktop app (the default)")
    p.add_argument("--workspace", metavar="DIR", default=argparse.SUPPRESS, type=workspace_arg,
                   help="workspace folder (the same as the global option)")
    p.add_argument("--exit-after-ready", action="store_true",
                   help="print 'ready <ms>' once the window is shown and the workspace open, then exit")
    p.add_argument("--screenshot", metavar="PATH", help="with --exit-after-ready: save a PNG of the window")
    p.add_argument("--pane", metavar="NAME", help="the pane to show first")
    p.set_defaults(func=cmd_gui)


# -- commands --------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace, ws: Workspace) -> int:
    bar = TerminalProgress() if sys.stderr.isatty() and not args.json else None
    report = ws.ingest(args.paths, progress=bar)
    if bar:
        bar.finish()
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(f"{report.ingested} ingested, {report.unchanged} unchanged, {report.moved} moved, "
              f"{report.removed} removed, {len(report.failed)} failed; {report.chunks} new passages "
              f"in {report.seconds:.1f} s")
        for failure in report.failed:
            print(f"  failed: {failure['path']}: {failure['reason']}")
        for partial in report.partial:
            print(f"  partly read: {partial['path']}: {partial['reason']}")
        _print_unsupported(report.unsupported_summary())
    return _ingest_exit(report.failed)


def _print_unsupported(summary: dict[str, Any]) -> None:
    """One line per type of file passed over, with a few of its names."""
    n = summary["count"]
    if n:
        print(f"  not read: {n} file{'s' if n != 1 else ''} of types Grace does not read:")
    for kind, of_kind in summary["types"].items():
        names = [os.path.basename(p) for p in summary["paths"] if type_of(p) == kind][:3]
        more = ", …" if of_kind > len(names) else ""
        print(f"    {kind}: {of_kind} ({', '.join(names)}{more})")


def _ingest_exit(failed: list[dict[str, str]]) -> int:
    """1 when any path failed (so scripts and cron jobs notice), saying which on stderr; else 0."""
    if not failed:
        return 0
    names = ", ".join(os.path.basename(f["path"]) or f["path"] for f in failed[:5])
    more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
    print(f"grace: {len(failed)} path{'s' if len(failed) != 1 else ''} failed ({names}{more}); the rest were "
          "read. Exit code 1.", file=sys.stderr)
    return 1


def cmd_search(args: argparse.Namespace, ws: Workspace) -> int:
    for query in args.queries:
        started = time.perf_counter()
        hits = ws.search(query, args.k)
        ms = (time.perf_counter() - started) * 1000
        if args.json:
            print(json.dumps({"query": query, "ms": round(ms, 2), "results": [h.as_dict() for h in hits]}))
            continue
        print(f"{query!r}: {len(hits)} results in {ms:.0f} ms")
        for n, hit in enumerate(hits, 1):
            where = f"page {hit.page}, " if hit.page else ""
            print(f"{n:>3}. {hit.path} ({where}lines {hit.line_start}-{hit.line_end})"
                  + (f"  [{hit.heading}]" if hit.heading else ""))
            print("     " + " ".join(hit.text.split())[:160])
    return 0


def cmd_reembed(args: argparse.Namespace, ws: Workspace) -> int:
    bar = TerminalProgress() if sys.stderr.isatty() and not args.json else None
    report = ws.reembed(progress=bar)
    if bar:
        bar.finish()
    print(json.dumps(report.as_dict()) if args.json else report.summary())
    return 0


def cmd_status(args: argparse.Namespace, ws: Workspace) -> int:
    status = ws.status() | {"memory_tables": memory_table_count(ws), "stale_vectors": ws.stale_vectors()}
    failures, partial = ws.failures(), ws.partly_read()
    if args.json:
        print(json.dumps(status | {"failures": [{"path": f["path"], "reason": f["error"]} for f in failures],
                                   "partial": partial}))
        return 0
    for key, value in status.items():
        print(f"{key:>15}: {value}")
    for failure in failures[:20]:
        print(f"  failed: {failure['path']}: {failure['error']}")
    for doc in partial[:20]:
        print(f"  partly read: {doc['path']}: {doc['reason']}")
    if len(failures) > 20:
        print(f"  … and {len(failures) - 20} more (`grace status --json` lists them all)")
    if status["stale_vectors"]:
        print(f"  {status['stale_vectors']} passages need re-embedding (another model's vectors, or no "
              "token vectors for re-ranking yet); `grace reembed` does it (the app does it by itself)")
    return 0


def cmd_audit_verify(args: argparse.Namespace, ws: Workspace) -> int:
    report = ws.verify_audit()
    if args.json:
        print(json.dumps(report.as_dict()))
    elif report.ok:
        print(f"The audit log verifies: {report.entries} entries, chain intact.")
    else:
        print(f"The audit log does NOT verify: {report.reason}.", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_audit_log(args: argparse.Namespace, ws: Workspace) -> int:
    entries = ws.audit_entries(args.n)
    if args.json:
        print(json.dumps(entries))
        return 0
    for e in entries:
        print(f"{e['id']:>6} {e['ts']} {e['actor']:<8} {e['action']:<8} {e['subject']}")
    return 0


def cmd_settings(args: argparse.Namespace, ws: Workspace) -> int:
    if args.name and args.value is not None:
        ws.set_setting(args.name, args.value)
    values = ws.settings()
    if args.json:
        print(json.dumps(values if not args.name else {args.name: values.get(args.name)}))
        return 0
    for name, decl in SETTINGS.items():
        if args.name and name != args.name:
            continue
        print(f"{name} = {values[name]!r}   (default {decl.default!r}) — {decl.help}")
    return 0


def cmd_selftest(args: argparse.Namespace) -> int:
    """Run the self-test in a temporary workspace (never the person's); 0 when it passes."""
    from .selftest import format_report, run_selftest

    report = run_selftest()
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(format_report(report))
    if not report.ok and args.json:
        print(f"Grace self-test FAILED: {report.checks[-1].detail}", file=sys.stderr)
    return 0 if report.ok else 1


def cmd_gui(args: argparse.Namespace, ws_dir: str | None) -> int:
    from .app import run_gui  # Qt is imported only when the GUI starts

    return run_gui(ws_dir, exit_after_ready=getattr(args, "exit_after_ready", False),
                   screenshot=getattr(args, "screenshot", None), pane=getattr(args, "pane", None))


# -- plumbing --------------------------------------------------------------------------------


class TerminalProgress:
    """A one-line progress bar on stderr."""

    def __init__(self, width: int = 30) -> None:
        self.width = width
        self.started = time.monotonic()

    def __call__(self, fraction: float, message: str) -> None:
        filled = int(fraction * self.width)
        elapsed = time.monotonic() - self.started
        eta = f" eta {elapsed / fraction - elapsed:4.0f}s" if 0.05 < fraction < 1 else ""
        line = f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction * 100:3.0f}%{eta} {message[:50]:<50}"
        sys.stderr.write(line)
        sys.stderr.flush()

    def finish(self) -> None:
        sys.stderr.write("\r" + " " * (self.width + 70) + "\r")
        sys.stderr.flush()


def _note_if_new(ws: Workspace, func: Callable[..., int]) -> None:
    """Say so on stderr when a command other than ingest found no workspace and made an empty
    one: a mistyped --workspace shows at once instead of answering from an empty folder."""
    if func is not cmd_ingest and ws.created:
        print(f"grace: note: there was no workspace in {ws.folder}; a new, empty one was made there.",
              file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[..., int] | None = getattr(args, "func", None)
    if func is None or func is cmd_gui:
        return cmd_gui(args, args.workspace)
    if func is cmd_selftest:  # uses its own temporary workspace
        return cmd_selftest(args)
    try:
        with Workspace.open(args.workspace) as ws:
            _note_if_new(ws, func)
            return func(args, ws)
    except Cancelled:
        print("Cancelled.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("\nInterrupted; what was finished is kept, the rest stays queued.", file=sys.stderr)
        return 130
    except GraceError as exc:
        print(f"grace: {exc}", file=sys.stderr)
        return 1
    except (OSError, SQLAlchemyError) as exc:  # a full disk, a read-only catalog, a damaged file
        print(f"grace: {reason_of(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
