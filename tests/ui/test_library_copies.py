"""The Library on table files with the same bytes: a copy says whose rows it holds and where
they are, and removing a file says which copy takes its table over."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from ui.library import _details_html, _display, _tables_note, with_table_states

MESSY = "when,amount\n2025-01-03,£12.40\n03/01/2025,£7,95\n,N/A\n"  # doubtful: it waits at a bar of 1.0


def _rows(ws: Workspace, tmp_path: Path) -> dict[str, dict]:
    ws.tables.set_policy({**ws.tables.policy(), "auto_approve_threshold": 1.0})
    for name in ("jan.csv", "jan copy.csv"):
        (tmp_path / name).write_text(MESSY, encoding="utf-8")
        ws.ingest([tmp_path / name])
    return {r["name"]: r for r in with_table_states(ws, ws.documents())}


def test_a_copy_shows_the_table_its_rows_wait_for_and_whose_they_are(ws, tmp_path) -> None:
    rows = _rows(ws, tmp_path)
    copy = rows["jan copy.csv"]
    assert (copy["waiting"], copy["same_as"]) == ("jan", str(tmp_path / "jan.csv"))
    assert _display(copy, "status") == "waiting for approval"  # was "ok", as if its rows were somewhere
    html = _details_html([copy])
    assert "<b>Same content as jan.csv</b>" in html and "this file takes over its table" in html
    assert "same_as" not in rows["jan.csv"]


def test_removing_a_file_names_the_copy_that_takes_over_and_removing_the_copy_changes_nothing(ws, tmp_path) -> None:
    rows = _rows(ws, tmp_path)
    everyone = list(rows.values())
    assert _tables_note([rows["jan.csv"]], everyone) == " jan copy.csv has the same content, so it takes over the " \
                                                         "table jan."
    assert _tables_note([rows["jan copy.csv"]], everyone) == ""  # not "the proposed table jan … is withdrawn"
    assert _tables_note(everyone, everyone) == " The proposed table jan, waiting in Approvals, is withdrawn."
