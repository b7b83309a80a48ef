"""Case store at scale: edge vs qdrant-client local mode on synthetic, clustered 384-dim embeddings.

Run by hand (not a test), one size at a time on a shared machine:

    PYTHONPATH=src python benchmarks/store_scale.py --sizes 10k,100k --out var/bench/store_scale.json
    PYTHONPATH=src python benchmarks/store_scale.py --sizes 1m --engines edge --out var/bench/store_1m.json

Vectors are drawn around a few hundred random centres (clustered like real sentence embeddings, not
uniform on the sphere). Each (engine, size) runs in its own child process so its peak RSS is its own.
Measured: insert, optimise (edge: copy + HNSW build in the child + swap), query p50/p95 unfiltered and
filtered on language (10 values) and on category (12 values), recall@10 against exact numpy search,
reopen, disk size, peak RSS (the process and its children).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384
LANGUAGES = [f"l{i}" for i in range(10)]
CATEGORIES = [f"c{i}" for i in range(12)]
WORDS = "account spam refund scam harassment login password order delivery threat report review".split()


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def clustered(n: int, *, centres: int, rng: np.random.Generator, spread: float = 0.35) -> np.ndarray:
    """Unit vectors around `centres` random directions; `spread` sets how tight (cosine to the centre ~0.7)."""
    c = rng.standard_normal((centres, DIM)).astype(np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(n, start + 100_000) - start
        x = c[rng.integers(0, centres, m)] + spread / np.sqrt(DIM) * rng.standard_normal((m, DIM)).astype(
            np.float32) * 3
        out[start:start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def make_cases(n: int, rng: np.random.Generator) -> list[Any]:
    from triage.domain.cases import Case, case_id_for

    lang = rng.integers(0, len(LANGUAGES), n)
    cat = rng.integers(0, len(CATEGORIES), n)
    words = rng.integers(0, len(WORDS), (n, 30))
    return [
        Case(id=case_id_for(f"bench-{i}"), key=f"bench-{i}", text=" ".join(WORDS[w] for w in words[i]),
             language=LANGUAGES[lang[i]], category=CATEGORIES[cat[i]], risk=("low", "medium", "high")[i % 3],
             queue="general", final_reply="Thanks, we looked into it and took action.", source="bench")
        for i in range(n)
    ]


def percentiles(samples: list[float]) -> dict[str, float]:
    a = np.asarray(samples) * 1000
    return {"p50_ms": round(float(np.percentile(a, 50)), 2), "p95_ms": round(float(np.percentile(a, 95)), 2)}


def disk_bytes(path: Path) -> int:
    """Allocated bytes, like du (the WAL preallocates sparse 32 MB files)."""
    return sum(f.stat().st_blocks * 512 for f in path.rglob("*") if f.is_file())


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"peak_rss_mb": round(own, 1), "peak_rss_children_mb": round(children, 1)}


class _PhaseLog(logging.Handler):
    """Keeps the phase timings of the store's 'edge store optimised' log line."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "edge store optimised":
            self.seconds = {k: v for k, v in vars(record).items() if k.endswith("seconds")}


def run_one(engine: str, size: int, *, queries: int, recall_queries: int, workdir: Path, seed: int,
            ef_construct: int, hnsw_ef: int, m: int) -> dict[str, Any]:
    from triage.adapters.edge_store import EdgeCaseStore, EdgeTuning
    from triage.adapters.qdrant_store import QdrantCaseStore

    rng = np.random.default_rng(seed)
    vectors = clustered(size, centres=300, rng=rng)
    cases = make_cases(size, rng)
    langs = np.array([c.language for c in cases])
    cats = np.array([c.category for c in cases])
    picks = rng.integers(0, size, queries)
    qv = vectors[picks] + 0.02 * rng.standard_normal((queries, DIM)).astype(np.float32)
    qv /= np.linalg.norm(qv, axis=1, keepdims=True)
    q_lang = [LANGUAGES[i] for i in rng.integers(0, len(LANGUAGES), queries)]
    q_cat = [CATEGORIES[i] for i in rng.integers(0, len(CATEGORIES), queries)]
    path = workdir / f"{engine}-{size}"
    shutil.rmtree(path, ignore_errors=True)
    # not niced here: the benchmark measures the build, not the scheduler of a shared machine
    tuning = EdgeTuning(m=m, ef_construct=ef_construct, hnsw_ef=hnsw_ef, optimiser_nice=0)

    def open_store() -> Any:
        if engine == "edge":
            return EdgeCaseStore(path, dimension=DIM, tuning=tuning, background=False)
        return QdrantCaseStore(dimension=DIM, path=path)

    result: dict[str, Any] = {"engine": engine, "size": size, "queries": queries}
    phases = _PhaseLog()
    logging.getLogger("triage.adapters.edge_store").addHandler(phases)
    logging.getLogger("triage.adapters.edge_store").setLevel(logging.INFO)
    store = open_store()
    t = time.perf_counter()
    for start in range(0, size, 1024):
        store.upsert(cases[start:start + 1024], vectors[start:start + 1024])
    result["insert_s"] = round(time.perf_counter() - t, 2)
    print(f"  [{engine} {size}] inserted in {result['insert_s']} s", flush=True)

    if engine == "edge":
        t = time.perf_counter()
        for q in qv[:20]:
            store.search(q, limit=10)
        result["p50_ms_before_optimise"] = round((time.perf_counter() - t) / 20 * 1000, 2)
        t = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        worker = threading.Thread(target=store.optimize, kwargs={"wait": True})
        worker.start()
        during: list[float] = []
        done = time.perf_counter()
        while worker.is_alive():  # requests keep coming while it optimises: how long do they take?
            time.sleep(0.02)
            arrival = done + 0.02  # timed from when it arrives, so a GIL stall in the wake-up counts too
            store.search(qv[len(during) % queries], limit=10)
            done = time.perf_counter()
            during.append(done - arrival)
        worker.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result["optimise_s"] = round(time.perf_counter() - t, 2)
        result["optimise_phases_s"] = phases.seconds
        result["during_optimise"] = percentiles(during) | {"max_ms": round(max(during) * 1000, 1),
                                                           "searches": len(during)}
        # CPU seconds of the optimiser process: what the build costs, whatever else shares the machine
        result["optimise_cpu_s"] = round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)
        result["after_optimise"] = store.info()
        print(f"  [{engine} {size}] optimised in {result['optimise_s']} s: {result['after_optimise']}; "
              f"searches meanwhile: {result['during_optimise']}", flush=True)

    def timed(filters: list[dict[str, Any] | None]) -> tuple[dict[str, float], list[list[str]]]:
        times, ids = [], []
        for q, f in zip(qv, filters, strict=True):
            t0 = time.perf_counter()
            hits = store.search(q, limit=10, filters=f)
            times.append(time.perf_counter() - t0)
            ids.append([h.case.id for h in hits])
        return percentiles(times), ids

    id_of = np.array([c.id for c in cases])
    variants: dict[str, list[dict[str, Any] | None]] = {
        "unfiltered": [None] * queries,
        "language": [{"language": v} for v in q_lang],
        "category": [{"category": v} for v in q_cat],
    }
    for name, filters in variants.items():
        stats, got = timed(filters)
        result[name] = stats
        hits = 0
        for i in range(min(recall_queries, queries)):
            scores = vectors @ qv[i]
            if name == "language":
                scores = np.where(langs == q_lang[i], scores, -np.inf)
            elif name == "category":
                scores = np.where(cats == q_cat[i], scores, -np.inf)
            truth = set(id_of[np.argpartition(-scores, 10)[:10]])
            hits += len(truth & set(got[i]))
        result[name]["recall@10"] = round(hits / (10 * min(recall_queries, queries)), 4)
        print(f"  [{engine} {size}] {name}: {result[name]}", flush=True)

    store.close()
    result["disk_mb"] = round(disk_bytes(path) / 2**20, 1)
    t = time.perf_counter()
    store = open_store()
    result["reopen_s"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    store.search(qv[0], limit=10)
    result["first_query_after_reopen_ms"] = round((time.perf_counter() - t) * 1000, 2)
    assert store.count() == size
    store.close()
    result.update(peak_rss_mb())
    shutil.rmtree(path, ignore_errors=True)
    return result


TABLE = [("engine", "engine"), ("size", "size"), ("insert_s", "insert s"), ("optimise_s", "optimise s"),
         ("optimise_cpu_s", "opt CPU s"), ("during_optimise.max_ms", "max ms during opt"),
         ("unfiltered.p50_ms", "p50"), ("unfiltered.p95_ms", "p95"), ("unfiltered.recall@10", "recall"),
         ("language.p50_ms", "lang p50"), ("language.p95_ms", "lang p95"), ("language.recall@10", "lang rec"),
         ("category.p50_ms", "cat p50"), ("category.p95_ms", "cat p95"), ("category.recall@10", "cat rec"),
         ("reopen_s", "reopen s"), ("disk_mb", "disk MB"), ("peak_rss_mb", "RSS MB"),
         ("peak_rss_children_mb", "child RSS MB")]


def cell(row: dict[str, Any], key: str) -> str:
    value: Any = row
    for part in key.split("."):
        value = value.get(part, "-") if isinstance(value, dict) else "-"
    return str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    grid = [[title for _, title in TABLE]] + [[cell(r, k) for k, _ in TABLE] for r in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(TABLE))]
    for n, line in enumerate(grid):
        print(" | ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)))
        if n == 0:
            print("-+-".join("-" * w for w in widths))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k,100k,1m")
    ap.add_argument("--engines", default="edge,local", help="edge,local (local only runs up to 100k)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--local-queries", type=int, default=50, help="local mode is slow: fewer queries")
    ap.add_argument("--recall-queries", type=int, default=50)
    ap.add_argument("--m", type=int, default=16)
    ap.add_argument("--ef-construct", type=int, default=64)
    ap.add_argument("--hnsw-ef", type=int, default=128)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=None, help="default: a temporary directory")
    ap.add_argument("--out", type=Path, required=True, help="JSON results")
    ap.add_argument("--one", help=argparse.SUPPRESS)  # engine:size, run in this process (the child)
    args = ap.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="store-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)

    if args.one:
        engine, size = args.one.split(":")
        queries = args.queries if engine == "edge" else min(args.queries, args.local_queries)
        row = run_one(engine, int(size), queries=queries, recall_queries=args.recall_queries, workdir=workdir,
                      seed=args.seed, ef_construct=args.ef_construct, hnsw_ef=args.hnsw_ef, m=args.m)
        args.out.write_text(json.dumps(row), encoding="utf-8")
        return

    rows: list[dict[str, Any]] = []
    for size in [parse_size(s) for s in args.sizes.split(",")]:
        for engine in args.engines.split(","):
            if engine == "local" and size > 100_000:
                print(f"skipping local mode at {size}: it does not scale that far")
                continue
            print(f"{engine} at {size:,} ...", flush=True)
            part = workdir / f"{engine}-{size}.json"
            cmd = [sys.executable, __file__, "--one", f"{engine}:{size}", "--out", str(part),
                   "--workdir", str(workdir), "--queries", str(args.queries),
                   "--local-queries", str(args.local_queries), "--recall-queries", str(args.recall_queries),
                   "--m", str(args.m), "--ef-construct", str(args.ef_construct), "--hnsw-ef", str(args.hnsw_ef),
                   "--seed", str(args.seed)]
            t = time.perf_counter()
            subprocess.run(cmd, check=True, env=os.environ.copy())
            row = json.loads(part.read_text(encoding="utf-8"))
            row["wall_s"] = round(time.perf_counter() - t, 1)
            rows.append(row)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps({"params": vars(args) | {"out": str(args.out), "workdir": str(workdir)},
                                            "results": rows}, indent=2, default=str), encoding="utf-8")
    print()
    print_table(rows)
    print(f"\nJSON: {args.out}")


if __name__ == "__main__":
    main()
