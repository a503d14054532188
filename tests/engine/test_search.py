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


def _hit(path: str, n: int) -> S.SearchHit:
    return S.SearchHit(path, n, 1.0 - n / 100, None, 1, 1, "", f"passage {n}")


def test_after_the_best_three_each_file_shows_once_before_any_shows_again() -> None:
    hits = [_hit(p, n) for n, p in enumerate("aaaabacbd")]
    order = [(h.path, h.chunk_id) for h in S.diversify(hits, 8)]
    assert order == [("a", 0), ("a", 1), ("a", 2), ("b", 4), ("c", 6), ("d", 8), ("a", 3), ("a", 5)]
    assert [h.chunk_id for h in S.diversify(hits, 2)] == [0, 1]


def test_a_short_passage_under_a_long_heading_loses_what_its_heading_lends_it() -> None:
    heading = "Class: Histogram > histogram.min"  # 32 characters
    hits = [S.SearchHit("a", 1, 0.80, None, 1, 1, heading, "The minimum delay."),  # 18
            S.SearchHit("b", 2, 0.70, None, 1, 1, heading, "x" * 100),
            S.SearchHit("c", 3, 0.75, None, 1, 1, "", "Guest wifi: tulip."),  # no heading: no loss
            S.SearchHit("d", 4, 0.60, None, 1, 1, heading, "y" * 200)]  # long enough: no loss
    ranked = S.brevity(hits, chars=200, penalty=0.5)
    assert [h.chunk_id for h in ranked] == [3, 2, 4, 1]
    assert ranked[3].score == round(0.80 - 0.5 * (1 - 18 / 200) * 32 / 50, 6)
    assert ranked[1].score == round(0.70 - 0.5 * 0.5 * 32 / 132, 6)
    assert (ranked[0].score, ranked[2].score) == (0.75, 0.60)


def test_one_long_file_does_not_fill_the_results(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "garden"
    folder.mkdir()
    (folder / "tomatoes.md").write_text("".join(
        f"# Watering tomatoes, week {i}\n\nWater the tomato plants deeply at the roots in week {i}.\n\n"
        for i in range(12)))
    (folder / "herbs.md").write_text("# Herbs\n\nBasil wants watering at the roots as well, but less often.\n")
    ws.ingest([folder])
    paths = [Path(h.path).name for h in ws.search("how should I water my tomato plants", 5)]
    assert paths[:3] == ["tomatoes.md"] * 3 and "herbs.md" in paths


def test_a_query_nothing_in_the_files_matches_is_told_apart_from_real_matches(ws: Workspace, docs: Path) -> None:
    from engine.relevance import judge

    ws.ingest([docs])
    nonsense = ws.search("qwzx florbig", 5)
    assert nonsense and judge("qwzx florbig", nonsense).nothing  # search still offers its nearest passages
    offtopic = judge("recipe for banana bread", ws.search("recipe for banana bread", 5))
    assert offtopic.count == 0
    hits = ws.search("how often should I water tomato plants", 5)
    rel = judge("how often should I water tomato plants", hits)
    assert hits[0].path.endswith("guide.md") and rel.matches[0] and not rel.nothing
    assert rel.count < len(hits)  # the meeting notes are only the nearest there is, not a match
    assert set(hits[0].as_dict()) == {"path", "chunk_id", "score", "page", "line_start", "line_end", "heading",
                                      "text", "trust"}  # `grace search --json` keeps its keys


def test_a_passage_with_every_word_of_the_query_matches_whatever_its_cosine() -> None:
    from engine.relevance import judge, word_shares

    hit = S.SearchHit("a", 1, 0.1, None, 1, 1, "Valves", "Code ZX-4471 on the inlet_valve.", cosine=0.05)
    assert judge("valves zx 4471", [hit]).matches == (True,)  # stemmed as the index stems: valves ~ valve
    assert judge("valve florbig", [hit]).matches == (False,) and not judge("valve florbig", [hit]).nothing
    assert word_shares(["inlet_valve", "outlet_valve"], ["inlet valve", "the inlet_valve"]) == [0.5, 0.5]
    near = S.SearchHit("b", 2, 0.4, None, 1, 1, "", "Unrelated words.", cosine=0.5)
    assert judge("valve florbig", [near], floor=0.35).matches == (True,)
