"""Metrics, as plain functions over lists: classification, calibration, coverage, flags, drafts.

Definitions (the tests check them against hand-computed values):

* accuracy: share of examples whose prediction equals the gold label.
* per-class precision / recall / F1 with 0 where undefined; macro-F1 = unweighted mean of F1 over the
  classes that occur in the gold labels (the suite's label space). A prediction outside that space
  (e.g. a critical signal setting child_safety on a hate-speech post) is still an error: it lowers the
  recall of the gold class. Such classes are listed per class, with support 0.
* ECE: 10 equal-width bins over the top probability; sum over bins of (bin share) * |accuracy - mean
  confidence|. Brier: mean over examples of sum_k (p_k - y_k)^2 (a gold label outside the distribution
  counts as probability 0).
* flags: AUPRC is average precision (sum over thresholds of recall gain * precision, no interpolation),
  AUROC the Mann-Whitney probability with ties counted half. Only rows carrying the key are scored:
  a missing key (None) is unknown, never a negative.
* ROUGE-L: F1 of the longest common subsequence of lower-cased word tokens (Unicode `\\w+`), written
  here rather than taken from `rouge-score`, whose default tokenizer drops non-ASCII words (German).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "average_precision", "binary_report", "calibration", "classification_report", "coverage_curve",
    "macro_f1", "percentile", "risk_recall", "roc_auc", "rouge_l",
]

_TOKEN = re.compile(r"\w+", re.UNICODE)


def _codes(gold: Sequence[str], pred: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    labels = sorted(set(gold) | set(pred))
    index = {c: i for i, c in enumerate(labels)}
    return labels, np.array([index[g] for g in gold], dtype=int), np.array([index[p] for p in pred], dtype=int)


def _confusion(g: np.ndarray, p: np.ndarray, k: int) -> np.ndarray:
    return np.bincount(g * k + p, minlength=k * k).reshape(k, k)


def _prf(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(cm).astype(float)
    predicted = cm.sum(axis=0).astype(float)
    support = cm.sum(axis=1).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return precision, recall, f1, support


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    if not gold:
        return float("nan")
    labels, g, p = _codes(gold, pred)
    _, _, f1, support = _prf(_confusion(g, p, len(labels)))
    return float(f1[support > 0].mean())


def classification_report(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class P/R/F1/support and the confusion matrix (rows gold, columns predicted)."""
    if not gold:
        return {"n": 0}
    labels, g, p = _codes(gold, pred)
    cm = _confusion(g, p, len(labels))
    precision, recall, f1, support = _prf(cm)
    return {
        "n": len(gold),
        "accuracy": float((g == p).mean()),
        "macro_f1": float(f1[support > 0].mean()),
        "per_class": {
            c: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                "support": int(support[i])}
            for i, c in enumerate(labels)
        },
        "confusion": {"labels": labels, "matrix": cm.tolist()},
    }


def risk_recall(gold: Sequence[str], pred: Sequence[str], order: Sequence[str]) -> dict[str, float | None]:
    """Recall of the two most severe levels, and the under-triage rate (gold among them, predicted lower)."""
    severity = {lv: len(order) - i for i, lv in enumerate(order)}  # most severe first in `order`
    out: dict[str, float | None] = {}
    for level in order[:2]:
        rows = [p for g, p in zip(gold, pred, strict=True) if g == level]
        out[f"recall_{level}"] = sum(p == level for p in rows) / len(rows) if rows else None
    severe = [(g, p) for g, p in zip(gold, pred, strict=True) if g in order[:2]]
    out["under_triage_rate"] = (
        sum(severity.get(p, 0) < severity[g] for g, p in severe) / len(severe) if severe else None
    )
    return out


def calibration(probs: Sequence[dict[str, float]], gold: Sequence[str], *, bins: int = 10) -> dict[str, Any]:
    """ECE and Brier of distributions against gold labels, with the reliability-diagram bins."""
    rows = [(d, g) for d, g in zip(probs, gold, strict=True) if d]
    if not rows:
        return {"n": 0}
    conf = np.array([max(d.values()) for d, _ in rows])
    correct = np.array([max(d, key=d.__getitem__) == g for d, g in rows], dtype=float)
    brier = np.mean([sum(v * v for v in d.values()) - 2 * d.get(g, 0.0) + 1.0 for d, g in rows])
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    table = []
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if not mask.any():
            continue
        acc, mean_conf = float(correct[mask].mean()), float(conf[mask].mean())
        ece += mask.mean() * abs(acc - mean_conf)
        table.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": int(mask.sum()),
                      "accuracy": acc, "confidence": mean_conf})
    return {"n": len(rows), "ece": float(ece), "brier": float(brier), "bins": table}


def coverage_curve(confidence: Sequence[float], correct: Sequence[bool], *, steps: int = 20) -> list[dict[str, Any]]:
    """Accuracy of the tickets decided automatically vs the share decided, over the confidence threshold."""
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(correct, dtype=float)
    out = []
    for t in np.linspace(0.0, 1.0, steps + 1):
        auto = conf >= t - 1e-12
        out.append({"threshold": round(float(t), 4), "coverage": float(auto.mean()) if len(conf) else 0.0,
                    "accuracy": float(ok[auto].mean()) if auto.any() else None})
    return out


def average_precision(gold: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    y = np.asarray(gold, dtype=int)
    s = np.asarray(scores, dtype=float)
    positives = int(y.sum())
    if positives == 0:
        return None
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1)
    recall = tp / positives
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def roc_auc(gold: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    y = np.asarray(gold, dtype=int)
    s = np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    if not len(pos) or not len(neg):
        return None
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


def _pr_points(y: np.ndarray, s: np.ndarray) -> list[list[float]]:
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(y)[last]
    precision = tp / (last + 1)
    recall = tp / max(1, int(y.sum()))
    return [[round(float(r), 4), round(float(p), 4)] for r, p in zip(recall, precision, strict=True)]


def binary_report(gold: Sequence[int | None], scores: Sequence[float], predicted: Sequence[bool]) -> dict[str, Any]:
    """A flag's AUPRC, AUROC and precision/recall at the operating point, on rows that carry the key."""
    rows = [(g, s, p) for g, s, p in zip(gold, scores, predicted, strict=True) if g is not None]
    if not rows:
        return {"n": 0, "positives": 0, "auprc": None, "auroc": None, "precision": None, "recall": None}
    y = np.array([g for g, _, _ in rows], dtype=int)
    s = np.array([sc for _, sc, _ in rows], dtype=float)
    p = np.array([pr for _, _, pr in rows], dtype=bool)
    tp = int((p & (y == 1)).sum())
    return {
        "n": len(rows),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()),
        "auprc": average_precision(y, s),
        "auroc": roc_auc(y, s),
        "precision": tp / int(p.sum()) if p.any() else None,
        "recall": tp / int(y.sum()) if y.any() else None,
        "pr_curve": _pr_points(y, s) if y.any() else [],
    }


def rouge_l(candidate: str, reference: str) -> float:
    a = _TOKEN.findall(candidate.lower())
    b = _TOKEN.findall(reference.lower())
    if not a or not b:
        return 0.0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            cur[j] = prev[j - 1] + 1 if x == y else max(prev[j], cur[j - 1])
        prev = cur
    lcs = prev[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def percentile(values: Sequence[float], q: float) -> float | None:
    vals = [v for v in values if v is not None and not math.isnan(v)]
    return float(np.percentile(vals, q)) if vals else None
