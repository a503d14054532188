"""Late interaction: every passage keeps its token states (as sign bits) from the ingest's own
model run, and search re-orders its best candidates by MaxSim against the question's tokens."""

from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

from engine import Workspace, db, late
from engine.embed import DIM, Embedder
from engine.search import _hits, brevity, fuse, keyword_scores

BYTES_A_TOKEN = DIM // 8


def _by_id(ws_dir: Path, sql: str) -> dict:  # type: ignore[type-arg]
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    try:
        return dict(con.execute(sql))
    finally:
        con.close()


def _bits(ws_dir: Path) -> dict[int, bytes]:
    return _by_id(ws_dir, "SELECT chunk_id, bits FROM chunk_tokens")


def _chunks(ws_dir: Path) -> dict[int, str]:
    return _by_id(ws_dir, "SELECT id, text FROM chunks")


def test_pack_keeps_each_sign_and_maxsim_finds_the_matching_tokens() -> None:
    rng = np.random.default_rng(1)
    states = rng.standard_normal((7, DIM)).astype(np.float32)
    signs = late.unpack(late.pack(states), DIM)
    assert signs.shape == (7, DIM) and np.array_equal(signs > 0, states > 0)
    assert np.allclose(np.linalg.norm(signs, axis=1), 1.0)
    query = states[[2, 5]] / np.linalg.norm(states[[2, 5]], axis=1, keepdims=True)
    other = rng.standard_normal((9, DIM)).astype(np.float32)
    holds_them, lacks_them = late.maxsim(query, [late.pack(states), late.pack(other)])
    assert holds_them > 0.6 > 0.2 > lacks_them


def test_maxsim_shared_with_a_helper_thread_scores_each_passage_as_alone() -> None:
    rng = np.random.default_rng(2)
    blobs = [late.pack(rng.standard_normal((int(n), DIM))) for n in rng.integers(3, 40, 11)]
    query = rng.standard_normal((5, DIM)).astype(np.float32)
    query /= np.linalg.norm(query, axis=1, keepdims=True)
    alone = [float(late.maxsim(query, [blob])[0]) for blob in blobs]
    with ThreadPoolExecutor(max_workers=1) as helper:
        shared = late.maxsim(query, blobs, helper)
    assert np.allclose(shared, alone, atol=1e-5)


def test_every_ingested_passage_keeps_its_tokens_from_the_same_model_run(ws: Workspace, ws_dir: Path,
                                                                       embedder: Embedder, docs: Path) -> None:
    ws.ingest([docs])
    chunks, bits = _chunks(ws_dir), _bits(ws_dir)
    assert chunks and set(bits) == set(chunks)
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        rows = conn.execute(text("SELECT c.id, c.heading, c.text, ct.context FROM chunks c "
                                 "JOIN contents ct ON ct.hash = c.content_hash")).all()
    from engine.chunk import embed_prefix, embed_text
    for row in rows:
        embedded = embed_text(embed_prefix(row.heading, row.context or ""), row.text)
        tokens = min(embedder.count_tokens([embedded])[0] + 2, 256)  # with [CLS] and [SEP]
        assert len(bits[row.id]) == tokens * BYTES_A_TOKEN, row.text


def test_a_copy_and_a_moved_file_keep_their_token_bits(ws: Workspace, ws_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Ferries\n\nThe ferry to the island leaves at noon on weekdays.\n")
    ws.ingest([folder])
    before = _bits(ws_dir)
    (folder / "a.md").rename(folder / "b.md")
    (folder / "c.md").write_text("# Harbour\n\nThe ferry to the island leaves at noon on weekdays.\n")
    report = ws.ingest([folder])
    assert report.moved == 1 and report.ingested == 1
    after = _bits(ws_dir)
    assert set(after) == set(_chunks(ws_dir)) and set(before) <= set(after)
    assert all(after[i] == b for i, b in before.items())


def test_token_bits_leave_with_their_passages(ws: Workspace, ws_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Ferries\n\nThe ferry to the island leaves at noon on weekdays.\n")
    (folder / "b.md").write_text("# Buses\n\nThe night bus stops at the harbour every hour.\n")
    ws.ingest([folder])
    (folder / "a.md").write_text("# Ferries\n\nThe ferry now leaves at one o'clock, even on Sundays.\n")
    (folder / "b.md").unlink()
    report = ws.ingest([folder])
    assert report.ingested == 1 and report.removed == 1
    assert set(_bits(ws_dir)) == set(_chunks(ws_dir)) and len(_chunks(ws_dir)) == 1


def _garden(folder: Path) -> Path:
    folder.mkdir()
    topics = ["pruning roses", "watering tomatoes", "sharpening shears", "storing bulbs", "composting leaves",
              "planting garlic", "mulching beds", "repotting ferns"]
    for i, topic in enumerate(topics):
        (folder / f"part{i}.md").write_text(
            f"# Garden care {i}\n\n## {topic.title()}\n\nAdvice on {topic}: start early in the season, "
            f"check the weather, and keep notes on {topic} for next year.\n\n## Tools for {topic}\n\n"
            f"Gloves, a trowel and patience are what {topic} takes.\n")
    return folder


QUESTION = "when should I begin looking after my garlic"


def _fused_and_maxsim(ws: Workspace, embedder: Embedder, question: str) -> tuple[list[int], np.ndarray]:
    """The candidates as fusion and the short-passage rule order them (before late interaction),
    and MaxSim of the first ``late.DEPTH`` to the question, from the stored bits."""
    encoded = embedder.encode_query(question)
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        cosines = dict(ws.index.search(encoded.vector, 50))
        keyword = keyword_scores(conn, question, 150)
        cosines.update(ws.index.similarities(encoded.vector, [k for k in keyword if k not in cosines]))
        fused = [h.chunk_id for h in brevity(_hits(conn, fuse(cosines, keyword)[:60], 60))]
        bits = late.stored_bits(conn, fused[:late.DEPTH])
    return fused, late.maxsim(encoded.tokens, [bits[i] for i in fused[:late.DEPTH]])


def test_search_orders_its_best_candidates_by_maxsim_to_the_question(ws: Workspace, embedder: Embedder,
                                                                     tmp_path: Path) -> None:
    ws.ingest([_garden(tmp_path / "garden")])
    fused, scores = _fused_and_maxsim(ws, embedder, QUESTION)
    by_maxsim = [fused[i] for i in np.argsort(-scores, kind="stable")]
    assert by_maxsim[:3] != fused[:3]  # the case this test needs: late interaction changes the top
    assert [h.chunk_id for h in ws.search(QUESTION, k=10)][:3] == by_maxsim[:3]


def test_a_one_word_search_keeps_the_fused_order(ws: Workspace, embedder: Embedder, tmp_path: Path) -> None:
    folder = tmp_path / "falcon"
    folder.mkdir()
    (folder / "README.md").write_text("# Falcon\n\nFalcon is an internal tool that compresses telemetry from "
                                      "weather balloons before upload.\n\n## License\n\nMIT\n")
    ws.ingest([folder])
    fused, scores = _fused_and_maxsim(ws, embedder, "falcon")
    assert len(embedder.encode_query("falcon").tokens) < late.MIN_QUERY_TOKENS
    assert [h.chunk_id for h in ws.search("falcon", k=5)] == fused[:5]
    assert "internal tool" in ws.search("falcon", k=1)[0].text


@pytest.mark.parametrize("damage", ["DELETE FROM chunk_tokens WHERE chunk_id = ?",
                                    "UPDATE chunk_tokens SET bits = substr(bits, 1, 47) WHERE chunk_id = ?"],
                         ids=["missing", "cut short"])
def test_without_usable_bits_for_every_candidate_the_fused_order_stands(
        damage: str, ws: Workspace, ws_dir: Path, embedder: Embedder, tmp_path: Path) -> None:
    ws.ingest([_garden(tmp_path / "garden")])
    fused, _ = _fused_and_maxsim(ws, embedder, QUESTION)
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    con.execute(damage, (fused[0],))
    con.commit()
    con.close()
    assert [h.chunk_id for h in ws.search(QUESTION, k=10)][:3] == fused[:3]


def test_a_workspace_from_before_token_bits_gets_them_from_the_background_re_embed(
        tmp_path: Path, embedder: Embedder, docs: Path) -> None:
    folder = tmp_path / "old"
    with Workspace(folder, embedder) as ws:
        ws.ingest([docs])
        n = len(_chunks(folder))
    con = sqlite3.connect(folder / "grace.sqlite")  # as schema 10 left it: no token table
    con.executescript("DROP TABLE chunk_tokens; PRAGMA user_version=10;")
    con.close()
    with Workspace(folder, embedder) as ws:
        assert ws.status()["schema"] == db.SCHEMA_VERSION
        assert ws.stale_vectors() == n and not _bits(folder)
        assert ws.search("tomatoes full sun")  # the fused order answers meanwhile
        report = ws.reembed()
        assert report.reembedded == n and ws.stale_vectors() == 0
    assert set(_bits(folder)) == set(_chunks(folder))


def test_a_passage_layout_places_its_text_before_sep_and_matches_a_fresh_model_run(
        ws: Workspace, ws_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "bees.md").write_text("# Hives\n\n## Pests\n\nVarroa mites are the most serious pest of honey bees. "
                                    "They are treated with oxalic acid in winter.\n\n## Honey\n\nHoney is "
                                    "harvested in late summer.\n")
    ws.ingest([folder])
    texts = _chunks(ws_dir)
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        stored = late.layouts(conn, ws.embedder, texts)
    assert set(stored) == set(texts)
    for layout in stored.values():
        assert layout.first > 1  # [CLS], then the heading path's pieces
        assert layout.first + len(layout.starts) + 1 == len(layout.signs)  # the text's pieces, then [SEP]
    con = sqlite3.connect(ws_dir / "grace.sqlite")
    con.execute("DELETE FROM chunk_tokens")  # a workspace from before token bits
    con.commit()
    con.close()
    with ws._read_engine.connect() as conn:  # noqa: SLF001
        fresh = late.layouts(conn, ws.embedder, texts)
    for i, layout in stored.items():
        assert fresh[i].first == layout.first and fresh[i].signs.shape == layout.signs.shape
        assert np.mean(fresh[i].signs == layout.signs) > 0.99  # batches pad differently: a rare sign flips


def test_a_span_is_the_mean_of_its_pieces_and_none_past_what_the_model_read() -> None:
    rng = np.random.default_rng(3)
    states = rng.standard_normal((6, DIM)).astype(np.float32)  # [CLS], 1 prefix piece, 3 text pieces, [SEP]
    layout = late.layout(late.pack(states), DIM, 1, [(0, 5), (6, 9), (9, 10), (11, 16), (17, 20)])
    signs = late.unpack(late.pack(states), DIM)
    mean = signs[2:4].mean(axis=0)
    assert np.allclose(layout.span(0, 8), mean / np.linalg.norm(mean))  # the first two pieces
    assert np.allclose(layout.span(9, 10), signs[4])  # the third alone (unit already)
    assert layout.span(11, 20) is None  # pieces 4 and 5 were cut off before [SEP]
