"""Metrics, as plain functions over labels, arrays or distributions: classification, risk, calibration,
coverage, flags, drafts. `triage.evals.registry` declares which of them a run reports, under which key and
with which direction; these functions are the definitions.

Definitions (the tests check them against hand-computed values, and the scikit-learn ones against the
hand-written formulas they replaced on 500 random cases):

* accuracy: share of examples whose prediction equals the gold label.
* per-class precision / recall / F1 (scikit-learn, 0 where undefined) and the confusion matrix (rows gold,
  columns predicted); macro-F1 = unweighted mean of F1 over the classes that occur in the gold labels
  (the suite's label space). A prediction outside that space (e.g. a critical signal setting
  child_safety on a hate-speech post) is still an error: it lowers the recall of the gold class. Such
  classes are listed per class, with support 0.
* risk, over severity ranks (0 = the most severe level of the policy; a value the policy does not know
  ranks below every level): recall of the two most severe levels; under-triage rate = share of gold
  critical/high predicted at a lower level; false-alarm rate of critical = share of gold non-critical
  predicted critical; over-triage rate = share of gold below high (medium, low) predicted high or critical.
* ECE: 10 equal-width bins over the top probability; sum over bins of (bin share) * |accuracy - mean
  confidence|. Brier: mean over examples of sum_k (p_k - y_k)^2 (a gold label outside the distribution
  counts as probability 0).
* flags: AUPRC is average precision (scikit-learn: sum over thresholds of recall gain * precision, no
  interpolation), AUROC the area under the ROC curve (scikit-learn; ties count half). Only rows carrying
  the key are scored: a missing key (None) is unknown, never a negative.
* ROUGE-L: F1 of the longest common subsequence of lower-cased word tokens (Unicode `\\w+`), written
  here rather than taken from `rouge-score`, whose default tokenizer drops non-ASCII words (German).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

__all__ = [
    "accuracy", "average_precision", "average_precision_resampled", "binary_report", "brier_score", "calibration",
    "calibration_table", "classification_report", "coverage_curve", "false_alarm_rate", "level_recall", "macro_f1",
    "macro_f1_resampled", "over_triage_rate", "percentile", "precision_at", "recall_at", "resample_weights",
    "risk_recall", "roc_auc", "roc_auc_resampled", "rouge_l", "severity_ranks", "share", "top_probability",
    "under_triage_rate", "unreviewed_under_triage_rate",
]

_TOKEN = re.compile(r"\w+", re.UNICODE)

Labels = Sequence[str] | np.ndarray


def share(mask: np.ndarray | None) -> float | None:
    """Share of True in a boolean array; None when it is empty (or not known)."""
    return float(np.mean(mask)) if mask is not None and len(mask) else None


def accuracy(gold: Labels, pred: Labels) -> float | None:
    return share(np.asarray(gold) == np.asarray(pred)) if len(gold) else None


def macro_f1(gold: Labels, pred: Labels) -> float:
    """Mean F1 over the classes present in `gold`; predictions outside them count as errors."""
    if not len(gold):
        return float("nan")
    return float(f1_score(gold, pred, labels=np.unique(np.asarray(gold)), average="macro", zero_division=0))


def classification_report(gold: Sequence[str], pred: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class P/R/F1/support and the confusion matrix (rows gold, columns predicted)."""
    if not gold:
        return {"n": 0}
    labels = sorted(set(gold) | set(pred))
    precision, recall, f1, support = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return {
        "n": len(gold),
        "accuracy": accuracy(gold, pred),
        "macro_f1": macro_f1(gold, pred),
        "per_class": {
            c: {"precision": float(precision[i]), "recall": float(recall[i]), "f1": float(f1[i]),
                "support": int(support[i])}
            for i, c in enumerate(labels)
        },
        "confusion": {"labels": labels, "matrix": _confusion(gold, pred, labels)},
    }


def _confusion(gold: Sequence[str], pred: Sequence[str], labels: list[str]) -> list[list[int]]:
    if len(labels) == 1:  # scikit-learn warns about a 1x1 matrix even when given the labels
        return [[len(gold)]]
    return [[int(v) for v in row] for row in confusion_matrix(gold, pred, labels=labels)]


# -- risk: over severity ranks (0 = most severe) -----------------------------------------------------
def severity_ranks(values: Sequence[str], order: Sequence[str]) -> np.ndarray:
    """Rank of each level in `order` (most severe first); a level the policy does not know ranks last."""
    rank = {lv: i for i, lv in enumerate(order)}
    return np.array([rank.get(v, len(order)) for v in values], dtype=int)


def level_recall(gold: np.ndarray, pred: np.ndarray, level: int) -> float | None:
    """Share of the rows of gold `level` predicted at that level."""
    return share(pred[gold == level] == level)


def under_triage_rate(gold: np.ndarray, pred: np.ndarray) -> float | None:
    """Share of the gold critical/high rows (ranks 0 and 1) predicted at a less severe level."""
    severe = gold <= 1
    return share(pred[severe] > gold[severe])


def unreviewed_under_triage_rate(gold: np.ndarray, pred: np.ndarray, reviewed: np.ndarray) -> float | None:
    """Share of the gold critical/high rows (ranks 0 and 1) predicted at a less severe level *and* not sent to a
    person: the misses nobody will catch before the reply goes out (a miss a person reviews is a slower queue, this
    one is a wrong answer). The fail-open rate of the pipeline."""
    severe = gold <= 1
    return share((pred[severe] > gold[severe]) & ~reviewed[severe])


def false_alarm_rate(gold: np.ndarray, pred: np.ndarray, level: int = 0) -> float | None:
    """Share of the rows whose gold is not `level` predicted at `level` (critical, by default)."""
    return share(pred[gold != level] == level)


def over_triage_rate(gold: np.ndarray, pred: np.ndarray, levels: int) -> float | None:
    """Share of the gold rows below high (ranks 2 .. levels-1: medium, low) predicted high or critical."""
    return share(pred[(gold >= 2) & (gold < levels)] <= 1)


def risk_recall(gold: Sequence[str], pred: Sequence[str], order: Sequence[str]) -> dict[str, float | None]:
    """Recall of the two most severe levels, under- and over-triage, and the most severe level's false alarms."""
    g, p = severity_ranks(gold, order), severity_ranks(pred, order)
    out: dict[str, float | None] = {f"recall_{level}": level_recall(g, p, i) for i, level in enumerate(order[:2])}
    out["under_triage_rate"] = under_triage_rate(g, p)
    out[f"false_alarm_rate_{order[0]}"] = false_alarm_rate(g, p, 0)
    out["over_triage_rate"] = over_triage_rate(g, p, len(order))
    return out


# -- calibration ------------------------------------------------------------------------------------
def calibration_table(conf: np.ndarray, correct: np.ndarray, brier: np.ndarray | None = None, *,
                      bins: int = 10) -> dict[str, Any]:
    """ECE (and Brier, given per-row Brier scores) over top probabilities and their correctness, with the
    reliability-diagram bins."""
    if not len(conf):
        return {"n": 0}
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
    out: dict[str, Any] = {"n": len(conf), "ece": float(ece)}
    if brier is not None:
        out["brier"] = float(np.mean(brier))
    out["bins"] = table
    return out


def top_probability(dist: dict[str, float]) -> tuple[str, float]:
    top = max(dist, key=dist.__getitem__)
    return top, dist[top]


def brier_score(dist: dict[str, float], gold: str) -> float:
    return sum(v * v for v in dist.values()) - 2 * dist.get(gold, 0.0) + 1.0


def calibration(probs: Sequence[dict[str, float]], gold: Sequence[str], *, bins: int = 10) -> dict[str, Any]:
    """ECE and Brier of distributions against gold labels, with the reliability-diagram bins."""
    rows = [(d, g) for d, g in zip(probs, gold, strict=True) if d]
    if not rows:
        return {"n": 0}
    tops = [top_probability(d) for d, _ in rows]
    conf = np.array([p for _, p in tops], dtype=float)
    correct = np.array([t == g for (t, _), (_, g) in zip(tops, rows, strict=True)], dtype=float)
    brier = np.array([brier_score(d, g) for d, g in rows], dtype=float)
    return calibration_table(conf, correct, brier, bins=bins)


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
    """Average precision (scikit-learn); None without a positive."""
    y = np.asarray(gold, dtype=int)
    if not y.any():
        return None
    return float(average_precision_score(y, np.asarray(scores, dtype=float)))


def roc_auc(gold: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    """Area under the ROC curve (scikit-learn; ties count half); None without both classes."""
    y = np.asarray(gold, dtype=int)
    if y.all() or not y.any():
        return None
    return float(roc_auc_score(y, np.asarray(scores, dtype=float)))


def precision_at(gold: np.ndarray, predicted: np.ndarray) -> float | None:
    """Precision at the operating point: share of the predicted positives that are positive."""
    return share(gold[predicted] == 1) if predicted.any() else None


def recall_at(gold: np.ndarray, predicted: np.ndarray) -> float | None:
    """Recall at the operating point: share of the positives predicted positive."""
    return share(predicted[gold == 1]) if (gold == 1).any() else None


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
    return {
        "n": len(rows),
        "positives": int(y.sum()),
        "base_rate": float(y.mean()),
        "auprc": average_precision(y, s),
        "auroc": roc_auc(y, s),
        "precision": precision_at(y, p),
        "recall": recall_at(y, p),
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


# -- the same metrics on many bootstrap resamples at once (compare) ---------------------------------------
# scikit-learn's input checks cost ~3 ms a call: 1,000 paired resamples of a suite with eight flags took a
# minute. These take a resample weight matrix W (one row per resample: how often each example is drawn)
# and compute the metric of every row in one pass; tests/evals check they equal the scikit-learn values
# on the resampled data. NaN where the metric is undefined (no positive, one class).
def resample_weights(idx: np.ndarray, n: int) -> np.ndarray:
    """Rows of resampled indices (R x m) -> how often each of the n examples is drawn (R x n)."""
    rows = idx.shape[0]
    flat = (np.arange(rows)[:, None] * n + idx).ravel()
    return np.bincount(flat, minlength=rows * n).reshape(rows, n).astype(float)


def macro_f1_resampled(gold: np.ndarray, pred: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`macro_f1` of each resample (gold, pred: int codes)."""
    k = int(max(gold.max(initial=0), pred.max(initial=0))) + 1
    pair = gold * k + pred
    counts = np.zeros((weights.shape[0], k * k))
    for v in np.unique(pair):
        counts[:, v] = weights[:, pair == v].sum(axis=1)
    cm = counts.reshape(-1, k, k)  # one confusion matrix per resample
    tp = np.diagonal(cm, axis1=1, axis2=2)
    predicted, support = cm.sum(axis=1), cm.sum(axis=2)
    denom = 2 * tp + (predicted - tp) + (support - tp)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = support > 0
    classes = present.sum(axis=1)
    return np.divide((f1 * present).sum(axis=1), classes, out=np.full(len(classes), np.nan), where=classes > 0)


def _score_groups(scores: np.ndarray, *, descending: bool) -> tuple[np.ndarray, np.ndarray]:
    """The sort order of the scores and the start of each run of tied scores in it."""
    order = np.argsort(-scores if descending else scores, kind="mergesort")
    s = scores[order]
    starts = np.r_[0, np.nonzero(np.diff(s))[0] + 1]
    return order, starts


def average_precision_resampled(gold: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`average_precision` of each resample: sum over distinct scores (highest first) of recall gain x precision."""
    if not len(gold):
        return np.full(weights.shape[0], np.nan)
    order, starts = _score_groups(scores, descending=True)
    w, y = weights[:, order], gold[order].astype(float)
    tp = np.cumsum(np.add.reduceat(w * y, starts, axis=1), axis=1)
    drawn = np.cumsum(np.add.reduceat(w, starts, axis=1), axis=1)
    positives = tp[:, -1:]
    precision = np.divide(tp, drawn, out=np.zeros_like(tp), where=drawn > 0)
    recall = np.divide(tp, positives, out=np.zeros_like(tp), where=positives > 0)
    gain = np.diff(recall, axis=1, prepend=0.0)
    return np.where(positives[:, 0] > 0, (gain * precision).sum(axis=1), np.nan)


def roc_auc_resampled(gold: np.ndarray, scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`roc_auc` of each resample: P(score of a positive > score of a negative), ties counting half."""
    if not len(gold):
        return np.full(weights.shape[0], np.nan)
    order, starts = _score_groups(scores, descending=False)
    w, y = weights[:, order], gold[order].astype(float)
    pos = np.add.reduceat(w * y, starts, axis=1)
    neg = np.add.reduceat(w * (1 - y), starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negatives with a lower score than the group
    pairs = pos.sum(axis=1) * neg.sum(axis=1)
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    return np.divide(wins, pairs, out=np.full(len(pairs), np.nan), where=pairs > 0)
