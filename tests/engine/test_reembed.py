"""A model change: vectors another model made are replaced in the background, a batch at a
time, and the old ones answer until then. No second model exists, so the tests give the
stored vectors another model's id (and random values, which that model could have made)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text

import engine.reembed
from engine import Cancelled, Workspace
from engine.embed import Embedder
from tests.fixtures.old_model import age_vectors


def _rows(ws: Workspace) -> list[tuple[int, str, np.ndarray, bytes]]:
    with ws._read_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, model, embedding, text_hash FROM chunks ORDER BY id")).all()
    return [(r[0], r[1], np.frombuffer(r[2], np.float16).astype(np.float32), bytes(r[3])) for r in rows]


def _index_matches_catalog(ws: Workspace) -> None:
    rows = _rows(ws)
    assert sorted(ws.index.keys().tolist()) == [r[0] for r in rows]
    for chunk_id, _, vec, _ in rows:
        assert ws.index.similarities(vec, [chunk_id])[chunk_id] > 0.999


def test_a_model_change_re_embeds_every_passage(ws: Workspace, embedder: Embedder, docs: Path) -> None:
    ws.ingest([docs])
    assert ws.stale_vectors() == 0
    fresh = {r[0]: r[2] for r in _rows(ws)}
    hashes = age_vectors(ws)
    n = len(hashes)
    assert ws.stale_vectors() == n
    # the old vectors still answer: the index holds them
    assert len(ws.index) == n and ws.search("tyre pressure")

    seen: list[float] = []
    report = ws.reembed(progress=lambda f, m: seen.append(f))
    assert (report.reembedded, report.remaining) == (n, 0)
    assert ws.stale_vectors() == 0 and seen[-1] == 1.0
    for chunk_id, model, vec, th in _rows(ws):
        assert model == embedder.model_id
        assert float(vec @ fresh[chunk_id]) > 0.999  # what the ingest embedded, rebuilt exactly
        assert th == hashes[chunk_id]
    _index_matches_catalog(ws)
    assert ws.search("tyre pressure")[0].path.endswith("page.html")
    entry = ws.audit_entries(5)[0]
    assert entry["action"] == "reembed" and ws.verify_audit().ok
    assert ws.reembed().reembedded == 0  # nothing left: a second run is a no-op


def test_variants_of_the_same_weights_are_not_stale(ws: Workspace, embedder: Embedder, docs: Path) -> None:
    ws.ingest([docs])
    other = embedder.family if embedder.model_id != embedder.family else embedder.family + "+rowq8-v1"
    with ws._write_engine.begin() as conn:
        conn.execute(text("UPDATE chunks SET model=:m"), {"m": other})
    assert ws.stale_vectors() == 0
    with ws._write_engine.begin() as conn:
        conn.execute(text("UPDATE chunks SET model=:m WHERE id = (SELECT min(id) FROM chunks)"),
                     {"m": embedder.family + "x"})  # a prefix is not enough
    assert ws.stale_vectors() == 1


def test_cancel_keeps_finished_batches_and_the_next_run_goes_on(ws_dir: Path, embedder: Embedder, docs: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.reembed, "BATCH", 2)
    monkeypatch.setattr(engine.reembed, "SAVE_EVERY_S", 0.0)  # every batch is written at once
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        n = len(age_vectors(ws))
        with pytest.raises(Cancelled):  # asked to stop once one batch is in
            ws.reembed(is_cancelled=lambda: ws.stale_vectors() < n)
        assert ws.stale_vectors() == n - 2
    with Workspace(ws_dir, embedder) as ws:  # the saved index holds the finished batch
        _index_matches_catalog(ws)
        assert ws.reembed().reembedded == n - 2
        _index_matches_catalog(ws)
        assert [e["action"] for e in ws.audit_entries(2)] == ["reembed", "reembed"]


def test_a_cancel_writes_what_was_embedded_before_it(ws: Workspace, docs: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.reembed, "BATCH", 2)  # several batches, written only at the end
    ws.ingest([docs])
    n = len(age_vectors(ws))
    calls = {"n": 0}

    def cancel_on_the_third_batch() -> bool:
        calls["n"] += 1
        return calls["n"] > 2 * 2  # two checks a batch: the reporter's and the model's

    with pytest.raises(Cancelled):
        ws.reembed(is_cancelled=cancel_on_the_third_batch)
    assert ws.stale_vectors() == n - 4
    _index_matches_catalog(ws)


def test_a_crash_after_the_index_save_redoes_that_batch(ws_dir: Path, embedder: Embedder, docs: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine.reembed, "BATCH", 3)
    with Workspace(ws_dir, embedder) as ws:
        ws.ingest([docs])
        n = len(age_vectors(ws))
        save = ws.index.save

        def save_then_die(generation: int) -> None:
            save(generation)
            raise OSError("power cut")

        ws.index.save = save_then_die  # type: ignore[method-assign]
        with pytest.raises(OSError):
            ws.reembed()
        ws.index.save = save  # type: ignore[method-assign]
        assert ws.stale_vectors() == n  # the catalog never heard of the new vectors
    with Workspace(ws_dir, embedder) as ws:
        assert ws.reembed().reembedded == n
        _index_matches_catalog(ws)


def test_a_document_removed_while_its_batch_embeds_stays_removed(ws: Workspace, embedder: Embedder, docs: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ws.ingest([docs])
    age_vectors(ws)
    real_embed = embedder.embed

    def embed_while_removing(texts: list[str], **kw: object) -> np.ndarray:
        ws.remove_documents([d["path"] for d in ws.documents() if d["path"].endswith("guide.md")])
        return real_embed(texts, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(embedder, "embed", embed_while_removing)
    report = ws.reembed()
    assert report.remaining == 0 and ws.stale_vectors() == 0
    _index_matches_catalog(ws)  # no vector came back for the removed chunks
    assert all(not h.path.endswith("guide.md") for h in ws.search("tomatoes full sun"))


def test_re_embedding_rebuilds_the_context_the_ingest_used(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    for name in ("alpha.txt", "beta.txt"):  # one content, two names; no title: embedded under "alpha"
        (folder / name).write_text("The ferry leaves at noon on weekdays.\n")
    ws.ingest([folder / "alpha.txt"])
    ws.ingest([folder / "beta.txt"])
    ws.remove_documents([str(folder / "alpha.txt")])  # the content now belongs to beta.txt alone
    hashes = age_vectors(ws)
    assert ws.reembed().reembedded == len(hashes) == 1
    assert [r[3] for r in _rows(ws)] == list(hashes.values())  # embedded as "alpha\n…" again, not "beta"


def test_another_process_s_re_embedding_reaches_an_open_workspace(ws_dir: Path, embedder: Embedder,
                                                                 docs: Path, tmp_path: Path) -> None:
    """The app keeps a workspace open while `grace reembed` replaces vectors under the same ids:
    the app's next write takes the new vectors in, and does not save its old ones over them."""
    a = Workspace(ws_dir, embedder)
    a.ingest([docs])
    age_vectors(a)
    b = Workspace(ws_dir, embedder)
    assert b.reembed().remaining == 0
    b.close()
    more = tmp_path / "more"
    more.mkdir()
    (more / "kites.md").write_text("# Kites\n\nA kite needs steady wind of about 15 km/h.\n")
    a.ingest([more])
    _index_matches_catalog(a)
    a.close()
    with Workspace(ws_dir, embedder) as ws:
        _index_matches_catalog(ws)
