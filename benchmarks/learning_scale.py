"""The local model at scale: `triage model train`, restart and one new case, on 10k / 100k / 1M synthetic cases.

Run by hand (not a test), one size at a time on a shared machine:

    PYTHONPATH=src python benchmarks/learning_scale.py --sizes 10k,100k --out var/bench/learning.json

Each size runs its phases in child processes (so each peak RSS is its own), on the edge store in a temporary
directory, with the service's own classifier and critical detector (`build_pipeline`, persisted):

* build: synthetic cases (texts of topic words, one of the policy's categories, a vector near that
  category's centre) written to the store;
* train: `triage model train`'s function (a bounded, stratified refit of the classifier and the detector),
  time and peak RSS;
* restart: a new process opens the store and builds the pipeline; time to ready (the saved model loaded,
  not refitted) after the embedding model is loaded, and peak RSS;
* new case: one case added in that process; whether the very next vote sees it, and how long until the
  background update has put it into the heads (the first change after a restart rebuilds the kept training
  rows from the saved model's trained cases); then a second case, the steady-state cost.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DIM = 384


def parse_size(text: str) -> int:
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * scale)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def settings(root: Path) -> Any:
    from triage.config import Settings

    return Settings(environment="test", data_dir=Path("var"), qdrant={"path": root / "qdrant"},
                    database={"url": f"sqlite:///{root / 'db.sqlite'}"}, seed={"on_empty": False}, log_json=False)


def phase_build(root: Path, n: int) -> dict[str, Any]:
    from triage.adapters.edge_store import EdgeCaseStore
    from triage.components import edge_store_path
    from triage.domain.cases import Case, case_id_for
    from triage.domain.policy import load_policy

    s = settings(root)
    categories = load_policy(s.policy_dir).categories
    rng = np.random.default_rng(7)
    centres = rng.standard_normal((len(categories), DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    words = [f"w{i}" for i in range(2000)]
    store = EdgeCaseStore(edge_store_path(s), dimension=DIM, collection=s.qdrant.collection)
    t0 = time.perf_counter()
    # skewed like a real memory: a few large categories, long tails
    weights = 1.0 / np.arange(1, len(categories) + 1)
    weights /= weights.sum()
    for start in range(0, n, 5000):
        m = min(n, start + 5000) - start
        cat = rng.choice(len(categories), size=m, p=weights)
        x = centres[cat] + 0.12 * rng.standard_normal((m, DIM)).astype(np.float32)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        topic = rng.integers(0, 2000, (m, 12)) // (1 + cat[:, None])  # category-dependent vocabulary
        cases = [Case(id=case_id_for(f"bench-{start + i}"), key=f"bench-{start + i}",
                      text=" ".join(words[w] for w in topic[i]), category=categories[cat[i]],
                      risk=("low", "medium", "high")[int(cat[i]) % 3], language="en", source="bench")
                 for i in range(m)]
        store.upsert(cases, x)
        print(f"  build {start + m}/{n} {time.perf_counter() - t0:.0f}s", file=sys.stderr, flush=True)
    store.close()
    return {"build_s": round(time.perf_counter() - t0, 1)}


def phase_train(root: Path) -> dict[str, Any]:
    from triage.components import load_embedder, open_store
    from triage.models_cli import train_model

    s = settings(root)
    embedder = load_embedder(s)
    store = open_store(s, dimension=embedder.dimension)
    t0 = time.perf_counter()
    result = train_model(s, store=store, embedder=embedder)
    seconds = time.perf_counter() - t0
    store.close()
    return {"train_s": round(seconds, 1), "trained_on": result["trained_on"], "train_peak_rss_mb": peak_rss_mb()}


def phase_restart(root: Path) -> dict[str, Any]:
    from triage.components import build_pipeline, load_embedder, open_store
    from triage.domain.cases import Case
    from triage.domain.policy import load_policy

    s = settings(root)
    embedder = load_embedder(s)
    embedder.embed(["load the model now"])
    rss_model = peak_rss_mb()
    t0 = time.perf_counter()
    store = open_store(s, dimension=embedder.dimension)
    pipeline = build_pipeline(s, policy=load_policy(s.policy_dir), embedder=embedder, store=store,
                              background_refit=True, persist=True)
    pipeline.warm_up()
    ready = time.perf_counter() - t0
    classifier = pipeline.classifier
    out: dict[str, Any] = {"restart_to_ready_s": round(ready, 1), "restart_refits": classifier.fits,
                           "loaded": classifier.loaded_version is not None}
    # after ready, the service rebuilds the incremental update's training rows in the background
    t_prep = time.perf_counter()
    classifier.wait_for_refit(3600)
    out["training_rows_rebuilt_after_ready_s"] = round(time.perf_counter() - t_prep, 1)
    # one new case: is it the nearest case of the very next search, and when is it in the heads?
    text = "w1 w2 w3 a brand new kind of case"
    vector = embedder.embed([text])
    case = Case(id="00000000-0000-4000-8000-000000000001", key="new-case", text=text, category="spam", risk="low")
    t1 = time.perf_counter()
    store.upsert([case], vector)
    hits = store.search(vector[0], limit=1)
    classifier.ensure_fitted()  # what the next decision does: starts the background refit
    out["new_case_nearest_at_once"] = bool(hits and hits[0].case.id == case.id)
    classifier.wait_for_refit(3600)
    out["new_case_in_heads_s"] = round(time.perf_counter() - t1, 1)
    # decisions use the new heads from the swap, before the version is saved
    out["new_case_heads_live_s"] = round(classifier.last_update_seconds or 0.0, 1)
    out["update_timing"] = dict(classifier.last_update_timing, read=classifier.last_update_read)
    # in the sample the heads were fitted on (past the bound the class counts stay at their quota)
    out["heads_counted_it"] = case.id in classifier.trained_ids
    out["first_change"] = "incremental update" if classifier.updates else "full refit"
    # a second new case in the same process: the kept training rows make it the steady-state cost
    second = Case(id="00000000-0000-4000-8000-000000000002", key="new-case-2", text=text + " again",
                  category="spam", risk="low")
    t2 = time.perf_counter()
    store.upsert([second], embedder.embed([second.text]))
    classifier.ensure_fitted()
    classifier.wait_for_refit(3600)
    out["next_case_in_heads_s"] = round(time.perf_counter() - t2, 1)
    out["next_case_heads_live_s"] = round(classifier.last_update_seconds or 0.0, 1)
    out["next_update_timing"] = dict(classifier.last_update_timing, read=classifier.last_update_read)
    out["next_case_counted"] = second.id in classifier.trained_ids
    out["updates"], out["fits_after_restart"] = classifier.updates, classifier.fits
    out["restart_peak_rss_mb"] = peak_rss_mb()
    out["model_loaded_rss_mb"] = rss_model
    store.close()
    return out


def child(phase: str, root: Path, n: int) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--phase", phase, "--root", str(root), "--sizes", str(n)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ | {"PYTHONPATH": "src"})
    if proc.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{proc.stderr[-4000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated memory sizes, e.g. 10k,100k,1m")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    parser.add_argument("--phase", choices=["build", "train", "restart"], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        fn = {"build": lambda: phase_build(args.root, parse_size(args.sizes)), "train": lambda: phase_train(args.root),
              "restart": lambda: phase_restart(args.root)}[args.phase]
        print(json.dumps(fn()))
        return
    results = []
    for size in args.sizes.split(","):
        n = parse_size(size)
        with tempfile.TemporaryDirectory(prefix="triage-learning-bench-") as tmp:
            row: dict[str, Any] = {"cases": n}
            for phase in ("build", "train", "restart"):
                row |= child(phase, Path(tmp), n)
                print(json.dumps(row), file=sys.stderr, flush=True)
            results.append(row)
    print(json.dumps(results, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
