"""The vector index (``vectors.usearch``): cosine HNSW keyed by chunk id.

It is derived data. A sidecar JSON records the catalog's chunk generation it was
saved at; when the file is missing, unreadable or behind the catalog, it is brought
back in step from the embeddings stored in the catalog (no model run).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from usearch.index import Index

from .paths import replace_durably

DIM = 384
_ADD_STEP = 256  # vectors added per lock hold, so searches never wait long


class VectorIndex:
    """A thread-safe wrapper around a usearch ``Index`` with atomic saves."""

    def __init__(self, path: Path, dim: int = DIM) -> None:
        self.path = path
        self.stamp_path = path.with_name(path.name + ".json")
        self.dim = dim
        self._lock = threading.Lock()
        self._index = self._new()
        self.dirty = False

    def _new(self) -> Index:
        return Index(ndim=self.dim, metric="cos", dtype="f16", connectivity=16,
                     expansion_add=128, expansion_search=96)

    def __len__(self) -> int:
        return len(self._index)

    def load(self) -> int | None:
        """Load the saved index; returns the generation it was saved at, or None if unusable."""
        try:
            stamp = json.loads(self.stamp_path.read_text())
            index = self._new()
            index.load(str(self.path))
        except (OSError, ValueError, RuntimeError, KeyError):
            return None
        if len(index) != stamp.get("count") or index.ndim != self.dim:
            return None
        with self._lock:
            self._index = index
        return int(stamp["generation"])

    def keys(self) -> np.ndarray:
        with self._lock:
            return np.asarray(self._index.keys, dtype=np.int64) if len(self._index) else np.empty(0, np.int64)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        """Add (or replace) vectors under ``keys``."""
        keys = np.asarray(keys, dtype=np.uint64)
        vectors = np.asarray(vectors, dtype=np.float32)
        for start in range(0, len(keys), _ADD_STEP):
            k, v = keys[start:start + _ADD_STEP], vectors[start:start + _ADD_STEP]
            with self._lock:
                present = [int(x) for x in k if self._index.contains(int(x))]
                if present:
                    self._index.remove(present)
                self._index.add(k, v)
        self.dirty = self.dirty or len(keys) > 0

    def remove(self, keys: Iterable[int]) -> None:
        keys = [int(k) for k in keys]
        if not keys:
            return
        with self._lock:
            self._index.remove(keys)
        self.dirty = True

    def clear(self) -> None:
        with self._lock:
            self._index = self._new()
        self.dirty = True

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """The ``count`` nearest chunk ids with cosine similarity, best first."""
        with self._lock:
            if len(self._index) == 0:
                return []
            matches = self._index.search(np.asarray(vector, dtype=np.float32), min(count, len(self._index)))
        return [(int(k), 1.0 - float(d)) for k, d in zip(matches.keys, matches.distances, strict=True)]

    def similarities(self, vector: np.ndarray, keys: list[int]) -> dict[int, float]:
        """Cosine similarity of ``vector`` to the stored vectors of ``keys`` (absent keys left out)."""
        if not keys:
            return {}
        with self._lock:
            # one row per key, None where the key is absent (usearch types this loosely)
            found: Any = self._index.get(np.asarray(keys, dtype=np.uint64))
        pairs = [(key, v) for key, v in zip(keys, found, strict=True) if v is not None]
        if not pairs:
            return {}
        matrix = np.asarray([v for _, v in pairs], dtype=np.float32)
        q = np.asarray(vector, dtype=np.float32)
        sims = matrix @ q / np.maximum(np.linalg.norm(matrix, axis=1) * np.linalg.norm(q), 1e-12)
        return {key: float(s) for (key, _), s in zip(pairs, sims, strict=True)}

    def save(self, generation: int) -> None:
        """Write the index and its stamp atomically (temp file, fsync, rename)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with self._lock:
                self._index.save(str(tmp))
                count = len(self._index)
            replace_durably(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a half-written file (a full disk) is not left behind
            raise
        stamp_tmp = self.stamp_path.with_name(self.stamp_path.name + ".tmp")
        stamp_tmp.write_text(json.dumps({"generation": generation, "count": count}))
        replace_durably(stamp_tmp, self.stamp_path)
        self.dirty = False
