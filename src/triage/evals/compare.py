"""Compare two runs of a suite: paired bootstrap CIs for metric deltas, McNemar's test, changed examples.

Only examples present in both runs are compared (paired by id). Every metric of the registry
(`triage.evals.registry`) is computed on both runs' samples of the same examples, with the same function
the report uses, on the whole sample and on each bootstrap resample (the same resampled ids in A and B).
A guarded metric regresses when its 95% bootstrap interval for (B - A) lies entirely on the worse side of
zero; `--fail-on-regression` turns any regression into a non-zero exit. Unguarded metrics (pipeline
rates, latency, cost) are compared the same way but never regress.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import binomtest

from triage.evals.metrics import resample_weights
from triage.evals.predictions import PredictionRow, read_prediction_rows
from triage.evals.registry import Metric, Scope, metrics_for
from triage.evals.samples import (
    FlagSample,
    LabelSample,
    RunSample,
    ShareSample,
    ValueSample,
    reason_codes,
    stages,
)
from triage.evals.suites import SuiteError

__all__ = ["compare_runs"]

_BLOCK = 100  # resamples drawn at once (bounds the weight matrix: _BLOCK x examples)


def _load(run_dir: Path) -> tuple[dict[str, Any], dict[str, PredictionRow]]:
    path = run_dir / "results.json"
    if not path.exists():
        raise SuiteError(f"{run_dir}: no results.json (not a finished run)")
    results = json.loads(path.read_text(encoding="utf-8"))
    return results, {r.id: r for r in read_prediction_rows(run_dir)}


def _entry(metric: Metric[Any], a: float | None, b: float | None, deltas: list[float]) -> dict[str, Any]:
    ci: list[float | None] = (
        [float(np.percentile(deltas, 2.5)), float(np.percentile(deltas, 97.5))] if deltas else [None, None])
    lo, hi = ci
    lower = metric.lower_is_better
    worse = lo is not None and hi is not None and (lo > 0 if lower else hi < 0)
    better = lo is not None and hi is not None and (hi < 0 if lower else lo > 0)
    return {"a": a, "b": b, "delta": (b - a) if a is not None and b is not None else None, "ci95": ci,
            "lower_is_better": lower, "guarded": metric.guarded, "worse": worse,
            "regression": worse and metric.guarded, "improvement": better}


def _bootstrap(scope: Scope, item: str | None, a: Any, b: Any, *, resamples: int,
               seed: int) -> dict[str, dict[str, Any]]:
    """Every metric of `scope` for `item`, on the whole paired samples and on `resamples` paired resamples
    (the same resampled rows in A and B, and for every metric)."""
    metrics = metrics_for(scope, item)
    full = {m.key: (m.compute(a), m.compute(b)) for m in metrics}
    shown = [m for m in metrics if full[m.key] != (None, None)]
    both = [m for m in shown if None not in full[m.key]]
    deltas: dict[str, list[float]] = {m.key: [] for m in both}
    n = len(a)
    batched = [(m.key, m.resampled) for m in both if m.resampled is not None]
    looped = [m for m in both if m.resampled is None]
    rng = np.random.default_rng(seed)
    for start in range(0, resamples if both and n else 0, _BLOCK):
        idx = rng.integers(0, n, size=(min(_BLOCK, resamples - start), n))
        if batched:
            weights = resample_weights(idx, n)
            for key, on_resamples in batched:
                d = on_resamples(b, weights) - on_resamples(a, weights)
                deltas[key].extend(float(x) for x in d[~np.isnan(d)])
        for rows in idx if looped else ():
            ra, rb = a.take(rows), b.take(rows)
            for m in looped:
                if (va := m.compute(ra)) is not None and (vb := m.compute(rb)) is not None:
                    deltas[m.key].append(vb - va)
    return {m.key_for(item): _entry(m, *full[m.key], deltas.get(m.key, [])) for m in shown}


def _mcnemar(ok_a: np.ndarray, ok_b: np.ndarray) -> dict[str, Any]:
    only_a = int((ok_a & ~ok_b).sum())
    only_b = int((~ok_a & ok_b).sum())
    n = only_a + only_b
    p = float(binomtest(min(only_a, only_b), n, 0.5).pvalue) if n else 1.0
    return {"a_right_b_wrong": only_a, "a_wrong_b_right": only_b, "p_value": p}


def _label_pair(a: list[PredictionRow], b: list[PredictionRow], name: str,
                risk_order: Sequence[str] | None) -> tuple[LabelSample, LabelSample]:
    """Both runs' samples of one label over the same rows, against A's gold; calibration on rows where both
    runs have a distribution (and a reported confidence)."""
    gold = [r.gold[name] for r in a]
    order = risk_order if name == "risk" else None

    def sample(rows: list[PredictionRow], other: list[PredictionRow]) -> LabelSample:
        return LabelSample.build(
            gold, [str(r.predicted[name]) for r in rows],
            probabilities=[r.probabilities.get(name) if o.probabilities.get(name) else None
                           for r, o in zip(rows, other, strict=True)],
            confidence=[r.confidence.get(name) if o.confidence.get(name) is not None else None
                        for r, o in zip(rows, other, strict=True)],
            risk_order=order, needs_human=[r.needs_human for r in rows])

    return sample(a, b), sample(b, a)


def compare_runs(run_a: Path, run_b: Path, *, resamples: int = 1000, seed: int = 7,
                 risk_order: Sequence[str] | None = None) -> dict[str, Any]:
    """`risk_order` (most severe first) is used when the runs' results.json do not record it (older runs)."""
    res_a, pred_a = _load(run_a)
    res_b, pred_b = _load(run_b)
    common = [i for i in pred_a if i in pred_b]
    notes = []
    if res_a.get("suite") != res_b.get("suite"):
        notes.append(f"different suites: {res_a.get('suite')} vs {res_b.get('suite')}")
    if res_a.get("hashes", {}).get("dataset") != res_b.get("hashes", {}).get("dataset"):
        notes.append("the datasets differ; only examples present in both runs are compared")
    order = res_a.get("risk_order") or res_b.get("risk_order") or risk_order
    if res_a.get("risk_order") and res_b.get("risk_order") and res_a["risk_order"] != res_b["risk_order"]:
        notes.append(f"the risk levels differ; triage rates use A's {res_a['risk_order']}")
    out: dict[str, Any] = {
        "run_a": str(run_a), "run_b": str(run_b), "n_common": len(common),
        "only_in_a": len(pred_a) - len(common), "only_in_b": len(pred_b) - len(common),
        "versions": {"a": res_a.get("versions"), "b": res_b.get("versions")},
        "notes": notes, "metrics": {}, "mcnemar": {}, "changed": {}, "regressions": [],
    }

    def compare(scope: Scope, item: str | None, a: Any, b: Any) -> None:
        for key, entry in _bootstrap(scope, item, a, b, resamples=resamples, seed=seed).items():
            out["metrics"][key] = entry
            if entry["regression"]:
                out["regressions"].append(key)

    labels = sorted(set(res_a.get("labels", {})) & set(res_b.get("labels", {})))
    for name in labels:
        ids = [i for i in common if name in pred_a[i].gold and pred_a[i].predicted.get(name) is not None
               and pred_b[i].predicted.get(name) is not None]
        if not ids:
            continue
        sample_a, sample_b = _label_pair([pred_a[i] for i in ids], [pred_b[i] for i in ids], name, order)
        compare(Scope.label, name, sample_a, sample_b)
        out["mcnemar"][name] = _mcnemar(sample_a.pred == sample_a.gold, sample_b.pred == sample_b.gold)
        changed = []
        for i in ids:
            gl, xa, xb = pred_a[i].gold[name], str(pred_a[i].predicted[name]), str(pred_b[i].predicted[name])
            if xa != xb:
                kind = "fixed" if xb == gl else ("broken" if xa == gl else "changed")
                changed.append({"id": i, "gold": gl, "a": xa, "b": xb, "change": kind})
        out["changed"][name] = changed

    flags = sorted(set(res_a.get("flags", {})) & set(res_b.get("flags", {})))
    for name in flags:
        ids = [i for i in common if (f := pred_a[i].flags.get(name)) is not None and f.gold is not None
               and name in pred_b[i].flags]
        if not ids:
            continue
        gold = [pred_a[i].flags[name].gold for i in ids]
        compare(Scope.flag, name, *(FlagSample.build(gold, [p[i].flags[name].score for i in ids],
                                                     [p[i].flags[name].predicted for i in ids],
                                                     [p[i].flags[name].baseline for i in ids])
                                    for p in (pred_a, pred_b)))

    rows_a, rows_b = [pred_a[i] for i in common], [pred_b[i] for i in common]
    top = order[0] if order else None
    compare(Scope.run, None, RunSample.from_rows(rows_a, top_level=top), RunSample.from_rows(rows_b, top_level=top))
    for code in reason_codes(rows_a + rows_b):
        compare(Scope.reason, code, ShareSample.reason(rows_a, code), ShareSample.reason(rows_b, code))
    for stage in stages(rows_a + rows_b):
        compare(Scope.stage, stage, ValueSample.stage(rows_a, stage), ValueSample.stage(rows_b, stage))
    return out
