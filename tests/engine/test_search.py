"""Hybrid search's ranking and its keyword stage, over a real workspace and the real model."""

from __future__ import annotations

from pathlib import Path

from engine import Workspace
from engine import search as S


def _notes(folder: Path) -> Path:
    folder.mkdir()
    for i in range(30):
        (folder / f"log{i:02}.md").write_text(f"# Log {i}\n\nThe pump was running normally on day {i}.\n")
    (folder / "incident.md").write_text("# Incident\n\nThe pump stopped: error code ZX-4471 on the inlet valve.\n")
    return folder


def test_the_keyword_stage_keeps_the_rarest_words_within_its_budget(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest([_notes(tmp_path / "notes")])
    conn = ws._read_engine.connect()  # noqa: SLF001
    try:
        words = S.query_words("running pump zx inlet")
        assert S.rarest_words(conn, words, budget=5) == ["zx", "inlet"]  # 'running' -> 'run': 30 chunks
        assert S.rarest_words(conn, words, budget=1000) == words
        assert S.rarest_words(conn, ["pump"], budget=1) == ["pump"]  # one word is always searched
        assert S.rarest_words(conn, ["runs", "valves"], budget=1) == ["valves"]  # stemmed like the index
    finally:
        conn.close()


def test_an_exact_code_the_model_does_not_know_ranks_first(ws: Workspace, tmp_path: Path) -> None:
    ws.ingest([_notes(tmp_path / "notes")])
    (hit, *_) = ws.search("ZX-4471", 5)
    assert hit.path.endswith("incident.md")


def test_fusion_adds_relative_bm25_to_the_cosine() -> None:
    fused = S.fuse({1: 0.50, 2: 0.45}, {2: 8.0, 3: 4.0}, weight=0.1)
    assert [k for k, _ in fused] == [2, 1, 3]
    assert dict(fused)[2] == 0.45 + 0.1 and dict(fused)[3] == 0.05
