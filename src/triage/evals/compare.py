"""Compare two runs of a suite: paired bootstrap CIs for metric deltas, McNemar's test, changed examples.

Only examples present in both runs are compared (paired by id). A guarded metric regresses when its
95% bootstrap interval for (B - A) lies entirely on the worse side of zero; `--fail-on-regression`
turns any regression into a non-zero exit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import binomtest

from triage.evals.metrics import average_precision
from triage.evals.runner import read_predictions
from triage.evals.suites import SuiteError

__all__ = ["compare_runs"]

Metric = Callable[[np.ndarray], float | None]  # over resampled indices


def _load(run_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    path = run_dir / "results.json"
    if not path.exists():
        raise SuiteError(f"{run_dir}: no results.json (not a finished run)")
    results = json.loads(path.read_text(encoding="utf-8"))
    return results, {r["id"]: r for r in read_predictions(run_dir)}


def _macro_f1_codes(g: np.ndarray, p: np.ndarray, k: int) -> float:
    cm = np.bincount(g * k + p, minlength=k * k).reshape(k, k)
    tp = np.diag(cm).astype(float)
    predicted, support = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(f1[support > 0].mean())


def _accuracy_of(g: np.ndarray, p: np.ndarray) -> Callable[[np.ndarray], float | None]:
    def fn(idx: np.ndarray) -> float | None:
        return float((p[idx] == g[idx]).mean())
    return fn


def _macro_f1_of(g: np.ndarray, p: np.ndarray, k: int) -> Callable[[np.ndarray], float | None]:
    def fn(idx: np.ndarray) -> float | None:
        return _macro_f1_codes(g[idx], p[idx], k)
    return fn


def _auprc_of(y: np.ndarray, s: np.ndarray) -> Callable[[np.ndarray], float | None]:
    def fn(idx: np.ndarray) -> float | None:
        return average_precision(y[idx], s[idx])
    return fn


def _recall_of(g: np.ndarray, p: np.ndarray, code: int) -> Callable[[np.ndarray], float | None]:
    def fn(idx: np.ndarray) -> float | None:
        mask = g[idx] == code
        return float((p[idx][mask] == code).mean()) if mask.any() else None
    return fn


def _ece_of(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> Callable[[np.ndarray], float | None]:
    """ECE over resampled rows, with the same bins as `triage.evals.metrics.calibration`."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)

    def fn(idx: np.ndarray) -> float | None:
        w, c, ok = which[idx], conf[idx], correct[idx]
        counts = np.bincount(w, minlength=bins)
        gap = np.abs(np.bincount(w, weights=ok, minlength=bins) - np.bincount(w, weights=c, minlength=bins))
        return float(gap.sum() / len(idx)) if counts.any() else None
    return fn


def _calibration_arrays(rows: list[dict[str, Any]], name: str) -> tuple[np.ndarray, np.ndarray]:
    conf, correct = [], []
    for r in rows:
        dist = r["probabilities"][name]
        top = max(dist, key=dist.__getitem__)
        conf.append(dist[top])
        correct.append(float(top == r["gold"][name]))
    return np.array(conf), np.array(correct)


def _bootstrap(metric_a: Metric, metric_b: Metric, n: int, *, resamples: int, seed: int) -> dict[str, Any]:
    full = np.arange(n)
    a, b = metric_a(full), metric_b(full)
    rng = np.random.default_rng(seed)
    deltas = []
    for _ in range(resamples):
        idx = rng.integers(0, n, size=n)
        va, vb = metric_a(idx), metric_b(idx)
        if va is not None and vb is not None:
            deltas.append(vb - va)
    ci = [float(np.percentile(deltas, 2.5)), float(np.percentile(deltas, 97.5))] if deltas else [None, None]
    return {"a": a, "b": b, "delta": (b - a) if a is not None and b is not None else None, "ci95": ci}


def _mcnemar(ok_a: np.ndarray, ok_b: np.ndarray) -> dict[str, Any]:
    only_a = int((ok_a & ~ok_b).sum())
    only_b = int((~ok_a & ok_b).sum())
    n = only_a + only_b
    p = float(binomtest(min(only_a, only_b), n, 0.5).pvalue) if n else 1.0
    return {"a_right_b_wrong": only_a, "a_wrong_b_right": only_b, "p_value": p}


def compare_runs(run_a: Path, run_b: Path, *, resamples: int = 1000, seed: int = 7) -> dict[str, Any]:
    res_a, pred_a = _load(run_a)
    res_b, pred_b = _load(run_b)
    common = [i for i in pred_a if i in pred_b]
    notes = []
    if res_a.get("suite") != res_b.get("suite"):
        notes.append(f"different suites: {res_a.get('suite')} vs {res_b.get('suite')}")
    if res_a.get("hashes", {}).get("dataset") != res_b.get("hashes", {}).get("dataset"):
        notes.append("the datasets differ; only examples present in both runs are compared")
    out: dict[str, Any] = {
        "run_a": str(run_a), "run_b": str(run_b), "n_common": len(common),
        "only_in_a": len(pred_a) - len(common), "only_in_b": len(pred_b) - len(common),
        "versions": {"a": res_a.get("versions"), "b": res_b.get("versions")},
        "notes": notes, "metrics": {}, "mcnemar": {}, "changed": {}, "regressions": [],
    }

    def guard(key: str, entry: dict[str, Any], *, lower_better: bool = False) -> None:
        entry["lower_is_better"] = lower_better
        lo, hi = entry["ci95"]
        entry["regression"] = bool(lo is not None and (lo > 0 if lower_better else hi < 0))
        entry["improvement"] = bool(lo is not None and (hi < 0 if lower_better else lo > 0))
        out["metrics"][key] = entry
        if entry["regression"]:
            out["regressions"].append(key)

    labels = sorted(set(res_a.get("labels", {})) & set(res_b.get("labels", {})))
    for name in labels:
        ids = [i for i in common if name in pred_a[i]["gold"] and pred_a[i]["predicted"].get(name) is not None
               and pred_b[i]["predicted"].get(name) is not None]
        if not ids:
            continue
        gold = [pred_a[i]["gold"][name] for i in ids]
        pa = [str(pred_a[i]["predicted"][name]) for i in ids]
        pb = [str(pred_b[i]["predicted"][name]) for i in ids]
        classes = sorted(set(gold) | set(pa) | set(pb))
        code = {c: n for n, c in enumerate(classes)}
        g = np.array([code[x] for x in gold])
        a = np.array([code[x] for x in pa])
        b = np.array([code[x] for x in pb])
        k = len(classes)
        n = len(ids)
        guard(f"{name}.accuracy", _bootstrap(_accuracy_of(g, a), _accuracy_of(g, b),
                                             n, resamples=resamples, seed=seed))
        guard(f"{name}.macro_f1", _bootstrap(_macro_f1_of(g, a, k), _macro_f1_of(g, b, k),
                                             n, resamples=resamples, seed=seed))
        if name == "risk":
            for level in ("critical", "high"):
                if level in code:
                    guard(f"risk.recall_{level}", _bootstrap(_recall_of(g, a, code[level]),
                                                             _recall_of(g, b, code[level]),
                                                             n, resamples=resamples, seed=seed))
        calibrated = [i for i in ids if pred_a[i]["probabilities"].get(name) and pred_b[i]["probabilities"].get(name)]
        if calibrated:
            ca, oka = _calibration_arrays([pred_a[i] for i in calibrated], name)
            cb, okb = _calibration_arrays([pred_b[i] for i in calibrated], name)
            guard(f"{name}.ece", _bootstrap(_ece_of(ca, oka), _ece_of(cb, okb), len(calibrated),
                                            resamples=resamples, seed=seed), lower_better=True)
        out["mcnemar"][name] = _mcnemar(a == g, b == g)
        changed = []
        for i, xa, xb, gl in zip(ids, pa, pb, gold, strict=True):
            if xa != xb:
                kind = "fixed" if xb == gl else ("broken" if xa == gl else "changed")
                changed.append({"id": i, "gold": gl, "a": xa, "b": xb, "change": kind})
        out["changed"][name] = changed

    flags = sorted(set(res_a.get("flags", {})) & set(res_b.get("flags", {})))
    for name in flags:
        ids = [i for i in common if pred_a[i]["flags"].get(name, {}).get("gold") is not None
               and name in pred_b[i]["flags"]]
        if not ids:
            continue
        y = np.array([pred_a[i]["flags"][name]["gold"] for i in ids], dtype=int)
        sa = np.array([pred_a[i]["flags"][name]["score"] for i in ids], dtype=float)
        sb = np.array([pred_b[i]["flags"][name]["score"] for i in ids], dtype=float)
        guard(f"flags.{name}.auprc", _bootstrap(_auprc_of(y, sa), _auprc_of(y, sb),
                                                len(ids), resamples=resamples, seed=seed))
    return out
