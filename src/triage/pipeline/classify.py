"""The local classifier: the embedded default, the cheap first pass and the fallback when an LLM is down.

For each ticket it combines two views of the case memory:

* a similarity-weighted vote of the retrieved cases (k nearest, weights exp(similarity / 0.05)), and
* a multinomial logistic regression fitted on the cases' embeddings together with character n-gram
  TF-IDF features of their text; the n-grams carry what an English-only embedder misses in other
  languages, and exact terms of art ("2FA", "DMCA", "sextortion"),

mixed with a weight (raised towards 1 when the nearest case is a near-duplicate, so a reviewer's
correction wins at once), then temperature-scaled. The mixing weight and the temperature are fitted per
label on out-of-fold predictions of the memory itself (minimising log-loss): how much to trust the
neighbours depends on the memory (a few cases per class: little; thousands: more), and the reported
probabilities are calibrated on held-out cases, not on the cases the model was fitted on.

Cost is bounded at any memory size (DESIGN invariant 10): the heads are fitted on a stratified sample of
at most `max_training_cases` cases (drawn from the payloads; only the sample's vectors are read), and the
out-of-fold vote of a sampled case comes from the store's own nearest-neighbour search (itself left out), so
no step compares every case with every other. The fit is saved beside the store (`triage.pipeline.model_state`)
and loaded at start-up instead of refitted; a new case reaches the vote at once (it is in the store) and the
heads at the next (background) refit.

For the category it also gives calibrated one-vs-rest probabilities (Platt per category, out of fold), the
categories above their threshold at the target precision (`also`: a post can be hateful *and* threatening)
and, per category, the least confidence at which a decision is automated at that precision.

The same machinery predicts risk level and any `learned` label (e.g. a queue label space taken from
the memory by the eval harness).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from triage.domain.cases import Case, CaseHit
from triage.errors import NotFound
from triage.pipeline.fit_cache import FitCache, fingerprint
from triage.pipeline.inference import lr_proba, tfidf_transform
from triage.pipeline.lexicon import Lexicon
from triage.pipeline.memory_columns import MemoryColumns, hash_ids, id_hashes
from triage.pipeline.model_state import MemorySignature, ModelHeader, ModelRepository
from triage.ports import CaseStore, StoreChanges

__all__ = ["FitListener", "FitResult", "LabelModel", "LocalClassifier", "LocalPrediction", "SavedClassifier",
           "bounded_sample", "hash_ids", "id_hashes"]

log = logging.getLogger(__name__)

#: fits of identical memories in one process are shared (see triage.pipeline.fit_cache)
FITS = FitCache(size=8)

VOTE_TEMPERATURE = 0.05  # similarity units; 0.05 makes a 0.1 similarity gap worth e^2 in the vote
STRONG_VOTE = 0.6  # share of the similarity-weighted vote that makes the neighbours' label a claim
NEAR_DUPLICATE = 0.92  # above this cosine similarity, the nearest case dominates the vote


def _label_of(case: Case, label: str) -> str | None:
    if label in ("category", "risk", "queue"):
        return getattr(case, label)
    return case.extra.get(label)


@dataclass
class LabelModel:
    """One label's fitted model: classes, logistic regression (if ≥2 classes) and a temperature.

    For the category, also what was chosen on out-of-fold predictions: a one-vs-rest calibration per
    category (Platt on the logit of its mixed probability), the least one-vs-rest probability at which a
    category is a secondary one (`also`) and the least confidence at which a decision of that category
    is automated, both at the target precision.
    """

    classes: list[str]
    model: LogisticRegression | None
    temperature: float = 1.0
    knn_weight: float | None = None  # fitted; None = use the configured default
    counts: dict[str, int] = field(default_factory=dict)  # cases per class in the memory it was fitted on
    platt: dict[str, tuple[float, float]] = field(default_factory=dict)
    also_threshold: dict[str, float] = field(default_factory=dict)
    auto_threshold: dict[str, float] = field(default_factory=dict)
    auto_coverage: dict[str, float] = field(default_factory=dict)  # out of fold, at auto_threshold
    # category: a binary one-vs-rest head per category on the embedding (rows: head_classes; a case is positive
    # for its category and its secondary ones), and the calibration that stacks it with the mixed probability
    head_classes: list[str] = field(default_factory=list)
    head_w: np.ndarray | None = None  # (len(head_classes), embedding dimension)
    head_b: np.ndarray | None = None
    stack: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # intercept, w(mixed), w(head)

    def head_scores(self, vector: np.ndarray) -> dict[str, float]:
        """Each one-vs-rest head's decision value for one embedding (one matrix product for all of them)."""
        if self.head_w is None or self.head_b is None:
            return {}
        scores = self.head_w @ np.asarray(vector, dtype=np.float64).ravel() + self.head_b
        return {c: float(v) for c, v in zip(self.head_classes, scores, strict=True)}

    def predict_proba(self, vectors: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        if self.model is None:
            return np.full((vectors.shape[0], len(self.classes)), 1.0 / max(1, len(self.classes)))
        raw = lr_proba(self.model, vectors)
        # map the model's classes onto ours (they are the same set, but keep it explicit)
        idx = [list(self.model.classes_).index(c) for c in self.classes]
        return raw[:, idx]

    def one_vs_rest(self, p: np.ndarray, heads: dict[str, float] | None = None) -> np.ndarray:
        """Calibrated P(category c applies), per column of the mixed distribution `p` (one row), stacked with the
        category's one-vs-rest head score where there is one."""
        out = np.array(p, dtype=np.float64, copy=True)
        for j, c in enumerate(self.classes):
            if heads and c in self.stack and c in heads:
                a, w_mixed, w_head = self.stack[c]
                out[..., j] = _sigmoid(a + w_mixed * _logit(out[..., j]) + w_head * heads[c])
                continue
            a, b = self.platt.get(c, (0.0, 1.0))
            out[..., j] = _sigmoid(a + b * _logit(out[..., j]))
        return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)))


MIN_SUPPORT = 10  # out-of-fold predictions needed above a threshold before it is trusted
#: cases unseen by a fine-tuned encoder needed before the temperature is fitted on them alone
MIN_HONEST_CASES = 30


def _precision_threshold(scores: np.ndarray, correct: np.ndarray, target: float) -> tuple[float, float] | None:
    """The least score at which the predictions at or above it reach `target` precision (out of fold), and the
    share of `scores` it keeps; None when fewer than MIN_SUPPORT predictions support any threshold."""
    if len(scores) < MIN_SUPPORT:
        return None
    order = np.argsort(-scores, kind="stable")
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    ok = np.flatnonzero((precision >= target) & (np.arange(1, len(order) + 1) >= MIN_SUPPORT))
    if not len(ok):
        return (float("inf"), 0.0)  # not reachable: never automatic
    last = int(ok[-1])
    return float(scores[order][last]), (last + 1) / len(scores)


def _applies(y: np.ndarray, c: str, secondary_of: list[list[str]] | None) -> np.ndarray:
    """1 where category `c` applies to a case: its own category, or one of its secondary ones."""
    target = (y == c).astype(int)
    if secondary_of is not None:
        target |= np.array([c in a for a in secondary_of], dtype=int)
    return target


def _one_vs_rest(oof: np.ndarray, y: np.ndarray, classes: list[str], target: float,
                 secondary_of: list[list[str]] | None = None, head_oof: dict[str, np.ndarray] | None = None,
                 stack: dict[str, tuple[float, float, float]] | None = None,
                 known: dict[str, np.ndarray] | None = None, honest: np.ndarray | None = None,
                 ) -> tuple[dict[str, tuple[float, float]], dict[str, float], dict[str, float], dict[str, float]]:
    """Per category, on out-of-fold mixed probabilities: Platt calibration, the `also` threshold and the
    automation threshold (both at `target` precision), and the automated share at the latter.

    A category applies to a case that has it as its category or as a secondary one (`secondary_of`): the one-vs-rest
    probabilities are calibrated against every category a case is, not only its first.

    With `head_oof` (a category's one-vs-rest head, out of fold), the calibration is a logistic regression on
    both the mixed probability's logit and the head's score, written into `stack`: the head sees what the
    multinomial model spreads over several categories, the mixed probability what the vote and n-grams add.

    `known[c]`: the cases whose labels say whether `c` applies (`Case.unknown`); the others are left out of
    category c's calibration and thresholds rather than counted as negatives.

    `honest`: the cases whose out-of-fold predictions are honest evidence of precision on new tickets; the
    automation thresholds are chosen on those alone. An embedder fine-tuned on the memory has seen the other
    cases, so their predictions are cleaner than a new ticket's (measured: HateXplain, fine-tuned, 277 posts
    automated at 0.80 accuracy for a 0.9 target). Where the honest cases cannot support a threshold, the
    category is never automatic: lack of evidence sends tickets to a person."""
    platt: dict[str, tuple[float, float]] = {}
    also: dict[str, float] = {}
    auto: dict[str, float] = {}
    coverage: dict[str, float] = {}
    top = oof.argmax(axis=1)
    confidence = oof.max(axis=1)
    for j, c in enumerate(classes):
        k = known[c] if known is not None and c in known else np.ones(len(y), dtype=bool)
        target_c = _applies(y, c, secondary_of)
        if 5 <= target_c[k].sum() <= k.sum() - 5:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                lr = LogisticRegression(C=1.0, max_iter=200).fit(_logit(oof[k, j]).reshape(-1, 1), target_c[k])
            platt[c] = (float(lr.intercept_[0]), float(lr.coef_[0][0]))
        q = _sigmoid(np.array(platt.get(c, (0.0, 1.0))[0]) + platt.get(c, (0.0, 1.0))[1] * _logit(oof[:, j]))
        if head_oof is not None and stack is not None and c in head_oof:
            both = np.column_stack([_logit(oof[:, j]), head_oof[c]])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                lr = LogisticRegression(C=1.0, max_iter=200).fit(both[k], target_c[k])
            stack[c] = (float(lr.intercept_[0]), float(lr.coef_[0][0]), float(lr.coef_[0][1]))
            q = _sigmoid(stack[c][0] + both @ np.array(stack[c][1:]))
        secondary = _precision_threshold(q[k], target_c[k].astype(bool), target)
        if secondary is not None and np.isfinite(secondary[0]):
            also[c] = max(0.5, secondary[0])  # a secondary category is more likely than not, at least
        predicted = (top == j) & k
        if honest is not None:
            predicted &= honest
        automated = _precision_threshold(confidence[predicted], target_c[predicted].astype(bool), target)
        if automated is None and honest is not None:
            automated = (float("inf"), 0.0)
        if automated is not None:
            auto[c], share = automated
            coverage[c] = share * float(predicted.mean())
    return platt, also, auto, coverage


def bounded_sample(labels: list[str], size: int, seed: int, keep: Sequence[int] | np.ndarray = ()) -> np.ndarray:
    """Row indices of a stratified sample of at most `size` rows: every row of a class smaller than its fair
    share, an equal share of the rest (water-filling), so rare categories are never sampled away.

    `keep` rows are always in it (the cases added since the last fit: a reviewed case reaches the heads at any
    memory size, not only when the draw happens to pick it), at most half of `size` (a seeded choice when a
    bulk import brought more); the rest is stratified as above."""
    if len(labels) <= size:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    kept = np.unique(np.asarray(keep, dtype=np.int64))
    if len(kept) > size // 2:
        kept = np.sort(rng.choice(kept, size=size // 2, replace=False))
    taken = set(kept.tolist())
    by_class: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        if i not in taken:
            by_class.setdefault(label, []).append(i)
    left, picked = size - len(kept), kept.tolist()
    groups = sorted(by_class.values(), key=len)
    for n, rows in enumerate(groups):
        quota = left // (len(groups) - n)
        take = rows if len(rows) <= quota else rng.choice(rows, size=quota, replace=False).tolist()
        picked.extend(take)
        left -= len(take)
    return np.sort(np.asarray(picked, dtype=np.int64))


MIN_CASES_FOR_NGRAMS = 30
SECONDARY_WEIGHT = 0.5  # a secondary category's row weighs half a case: never more than the case's own category


def _fit_ngrams(texts: list[str]) -> TfidfVectorizer | None:
    if len(texts) < MIN_CASES_FOR_NGRAMS:
        return None
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                 max_features=50_000, dtype=np.float32)
    vectorizer.fit(texts)
    return vectorizer


def _features(
    vectors: np.ndarray, texts: list[str], ngrams: TfidfVectorizer | None, lexicon: Lexicon | None = None
) -> sparse.csr_matrix:
    """[embedding | n-gram TF-IDF | lexicon cues], each L2-normalised, so no view drowns the others."""
    blocks = [sparse.csr_matrix(np.asarray(vectors, dtype=np.float32))]
    if ngrams is not None:
        blocks.append(tfidf_transform(ngrams, texts))
    if lexicon is not None and lexicon.dimension:
        blocks.append(sparse.csr_matrix(lexicon.features(texts)))
    return blocks[0] if len(blocks) == 1 else sparse.hstack(blocks, format="csr")


#: the inverse regularisation strengths a multinomial head is chosen from, and the default (the value used before the
#: search, and what a memory too small to search keeps). Never weaker than the default: on a clean memory the
#: in-memory log-loss asks for less regularisation (the seed cases chose 16), which fits the memory's own phrasing
#: and cost the independent paraphrases of critical tickets category macro-F1 (0.451 -> 0.423) in docs/evals.md
C_GRID = (0.5, 1.0, 2.0, 4.0, 8.0)
DEFAULT_C = 8.0
#: labels whose head keeps DEFAULT_C: risk is the fail-safe label, and a stronger penalty pulls its rare top class
#: toward the majority (measured: critical paraphrases moved from critical/high to medium with the seed's C=4)
FIXED_C_LABELS = frozenset({"risk"})
#: the search runs on a stratified sample of at most this many cases: 18 fits of this size bound its cost at any
#: memory size (seconds); the chosen C then fits the whole (bounded) sample
C_SEARCH_CASES = 3000


def _choose_c(x: sparse.csr_matrix, y: np.ndarray, also: list[list[str]] | None, seed: int) -> float:
    """The head's inverse regularisation strength: the `C_GRID` value with the lowest out-of-fold log-loss (3 folds)
    on a stratified sample of the rows. How much to trust the features depends on the memory (its size, its label
    noise, how separable its categories are): one constant over-fits a noisy memory of short posts and under-fits
    a clean one, and a held-out log-loss is the memory's own answer. Written out rather than with scikit-learn's
    `LogisticRegressionCV` because a case's secondary-category rows (`_expand`) must stay in its case's fold.
    A memory too small for 3 folds of every class keeps `DEFAULT_C`."""
    counts = {c: int((y == c).sum()) for c in set(y.tolist())}
    if len(counts) < 2 or min(counts.values()) < 3 or len(y) < 30:
        return DEFAULT_C
    rows = bounded_sample([str(v) for v in y], C_SEARCH_CASES, seed)
    ys = y[rows]
    classes = sorted(counts)
    truth = np.array([classes.index(v) for v in ys])
    losses = {c: 0.0 for c in C_GRID}
    splitter = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    for train, test in splitter.split(np.zeros(len(ys)), ys):
        fit_rows, fit_y, fit_w = _expand(rows[train], y, also)
        for reg_c in C_GRID:
            model = _fit_lr(x[fit_rows], fit_y, fit_w, reg_c=reg_c)
            proba = np.zeros((len(test), len(classes)))
            proba[:, [classes.index(k) for k in model.classes_]] = model.predict_proba(x[rows[test]])
            losses[reg_c] -= float(np.log(np.clip(proba[np.arange(len(test)), truth[test]], 1e-9, 1.0)).sum())
    return min(C_GRID, key=lambda reg_c: (losses[reg_c], abs(np.log(reg_c / DEFAULT_C))))


#: the tolerance of a head that incremental updates start from (the fitted head of a full fit, and every warm fit).
#: A warm fit must run at it (`_warm_lr`), and a head fitted at scikit-learn's looser default (1e-4) is so far from
#: that optimum that the first warm fit after a full fit needed as many iterations as the full fit itself (measured
#: on HateXplain's 1,920 posts: cold 45 iterations, first warm 46, next 11; with the head at 1e-6: cold 73, first
#: warm 19, next 11). The C search and the out-of-fold fits are never warm-started and keep the default.
HEAD_TOL = 1e-6


def _fit_lr(x: np.ndarray | sparse.csr_matrix, y: np.ndarray, weight: np.ndarray | None = None, *,
            reg_c: float = DEFAULT_C, tol: float = 1e-4) -> LogisticRegression:
    model = LogisticRegression(C=reg_c, max_iter=300, tol=tol)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y, sample_weight=weight)
    return model


def _expand(rows: np.ndarray, y: np.ndarray, also: list[list[str]] | None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Training rows for a multinomial head when cases carry secondary categories: a case of category A that is
    also B is a row of A of weight 1 and a row of B of weight SECONDARY_WEIGHT. The first category keeps its full
    weight, so the secondary evidence adds mass to B without taking the decision away from A (sharing the
    weight equally made child-safety posts that are also sexual content lose their child-safety decision).
    Without any secondary category, the rows as they are and no weights (the single-label fit, unchanged)."""
    if also is None or not any(also[i] for i in rows):
        return rows, y[rows], None
    out_rows, out_y, out_w = [], [], []
    for i in rows:
        labels = [y[i], *also[i]]
        out_rows += [i] * len(labels)
        out_y += labels
        out_w += [1.0] + [SECONDARY_WEIGHT] * len(also[i])
    return np.array(out_rows), np.array(out_y, dtype=y.dtype), np.array(out_w)


def _warm_lr(previous: LogisticRegression, x: sparse.csr_matrix, y: np.ndarray,
             weight: np.ndarray | None = None) -> LogisticRegression:
    """`_fit_lr` started from `previous`'s coefficients: with a few cases added to the rows it was fitted on, L-BFGS
    starts next to the optimum and needs a few iterations instead of a few hundred.

    At `HEAD_TOL`, 100 times tighter than scikit-learn's default: a few cases among thousands move the (averaged)
    gradient by less than that default 1e-4, and at that tolerance L-BFGS stops at once and returns the
    previous head unchanged (measured: 0 iterations for 10 cases added to 590; 25 at 1e-6, which lands 0.003
    from the exact optimum against the previous head's 0.16)."""
    model = LogisticRegression(C=previous.C, max_iter=300, warm_start=True, tol=HEAD_TOL)
    model.coef_ = previous.coef_.copy()
    model.intercept_ = previous.intercept_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y, sample_weight=weight)
    return model


@dataclass
class _TrainingRows:
    """The heads' training rows (features and per-label values, "" where a case lacks the label), kept in the
    service between full fits so that an incremental update refits the heads without rebuilding features."""

    x: sparse.csr_matrix
    y: dict[str, np.ndarray]
    hashes: np.ndarray  # the id hashes of these rows' cases, sorted (a set: not in the rows' order)


_ALSO = "\x00also"  # the training rows' column of secondary categories (never a label name)
MIN_HEAD_POSITIVES = 5  # a category's one-vs-rest head needs this many positive (and negative) cases


def _fit_heads(vectors: np.ndarray, targets: dict[str, np.ndarray], seed: int,
               known: dict[str, np.ndarray] | None = None,
               ) -> tuple[list[str], np.ndarray | None, np.ndarray | None, dict[str, np.ndarray]]:
    """A binary logistic regression per category on the embedding (scikit-learn's defaults, like the per-flag
    baseline of the eval), and each one's out-of-fold decision values (3 folds) for the stacked calibration.

    `known[c]`: the cases whose labels say whether `c` applies; a head learns from those only (like the baseline,
    which learns a flag from the rows that carry its key), and scores the others with the head fitted on all of
    them."""
    classes, weights, biases, oof = [], [], [], {}
    for c, t in targets.items():
        k = np.flatnonzero(known[c]) if known is not None and c in known else np.arange(len(t))
        tk = t[k]
        if not MIN_HEAD_POSITIVES <= int(tk.sum()) <= len(tk) - MIN_HEAD_POSITIVES:
            continue
        head = LogisticRegression(max_iter=500).fit(vectors[k], tk)
        scores = head.decision_function(vectors) if len(k) < len(t) else np.zeros(len(t))
        for train, test in StratifiedKFold(n_splits=3, shuffle=True, random_state=seed).split(vectors[k], tk):
            scores[k[test]] = LogisticRegression(max_iter=500).fit(vectors[k[train]], tk[train]).decision_function(
                vectors[k[test]])
        classes.append(c)
        weights.append(head.coef_[0])
        biases.append(head.intercept_[0])
        oof[c] = scores
    if not classes:
        return [], None, None, {}
    return classes, np.array(weights), np.array(biases), oof


def _vote(hits: list[CaseHit], label: str, classes: list[str]) -> np.ndarray:
    scores = np.zeros(len(classes))
    index = {c: i for i, c in enumerate(classes)}
    for hit in hits:
        value = _label_of(hit.case, label)
        if value in index:
            scores[index[value]] += np.exp((hit.similarity - 1.0) / VOTE_TEMPERATURE)
    total = scores.sum()
    if total <= 0:
        return np.full(len(classes), 1.0 / len(classes))
    smoothed = scores / total * 0.98 + 0.02 / len(classes)
    return smoothed


def _mix_weight(hits: list[CaseHit], knn_weight: float) -> float:
    if not hits:
        return 0.0
    top = max(h.similarity for h in hits)
    boost = min(1.0, max(0.0, (top - NEAR_DUPLICATE) / (1.0 - NEAR_DUPLICATE)))
    return knn_weight + (1.0 - knn_weight) * boost * 0.9


def _temper(p: np.ndarray, temperature: float) -> np.ndarray:
    logp = np.log(np.clip(p, 1e-9, 1.0)) / temperature
    logp -= logp.max(axis=-1, keepdims=True)
    e = np.exp(logp)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class FitResult:
    """What one fit saw, for stages that calibrate on the same memory (the critical detector)."""

    cases: list[Case]
    vectors: np.ndarray
    # per label: (classes, out-of-fold calibrated probabilities, row index into `cases`)
    oof: dict[str, tuple[list[str], np.ndarray, np.ndarray]]


class FitListener(Protocol):
    """A stage fitted on the classifier's fits (the critical detector), saved and loaded with it."""

    @property
    def version(self) -> str: ...

    def calibrate_on_fit(self, fit: FitResult) -> None: ...

    def export_state(self) -> object: ...

    def import_state(self, state: object) -> None: ...


@dataclass
class LocalPrediction:
    """Calibrated distributions per label, plus the evidence behind them."""

    probs: dict[str, dict[str, float]]
    vote_top: dict[str, str | None] = field(default_factory=dict)
    model_top: dict[str, str | None] = field(default_factory=dict)
    # category: calibrated one-vs-rest probabilities, the categories above their `also` threshold, and the
    # least confidence at which each category is decided without a person (target precision, out of fold)
    ovr: dict[str, float] = field(default_factory=dict)
    also: list[str] = field(default_factory=list)
    auto_threshold: dict[str, float] = field(default_factory=dict)

    def top(self, label: str) -> tuple[str, float]:
        dist = self.probs[label]
        best = max(dist, key=dist.__getitem__)
        return best, dist[best]

    def ranked(self, label: str) -> list[tuple[str, float]]:
        return sorted(self.probs[label].items(), key=lambda kv: -kv[1])


@dataclass
class SavedClassifier:
    """What is written to disk (see triage.pipeline.model_state): the classifier's state and its listener's."""

    ngrams: TfidfVectorizer | None
    models: dict[str, LabelModel]
    fitted_count: int
    listener_version: str | None
    listener_state: object | None
    # stable hashes of the ids of the memory it was fitted on (sorted): the next fit keeps the cases added since
    memory_hashes: np.ndarray | None = None
    # ... and of the cases the heads were trained on (sorted): an incremental update after a restart rebuilds
    # its training rows from them instead of waiting for a full refit
    trained_hashes: np.ndarray | None = None
    incremental_cases: int = 0  # cases added by incremental updates since the last full fit


ProgressHook = Callable[[str, float], None]  # (what is being done, share done 0..1)

NEIGHBOUR_CHUNK = 512  # tickets per store search when collecting out-of-fold neighbours


class LocalClassifier:
    """Fits on a bounded sample of the case store, saves the fit, and refits when `store.revision()` changes.

    With a model repository, the last fit is loaded at start-up instead of refitted when it was fitted
    on the same memory with the same settings (a memory changed while the service was down: the saved
    model serves at once and a refit follows, in the background for the service).
    """

    version = "local-knn-lr.v4"  # v4: the head's regularisation chosen on the memory (v3: one-vs-rest heads)

    def __init__(
        self,
        store: CaseStore,
        *,
        labels: tuple[str, ...] = ("category", "risk"),
        knn_weight: float = 0.5,
        top_k: int = 8,
        seed: int = 7,
        background_refit: bool = False,
        lexicon: Lexicon | None = None,
        listener: FitListener | None = None,
        max_training_cases: int = 20_000,
        target_precision: float = 0.9,
        repository: ModelRepository | None = None,
        embedder_name: str = "",
        incremental_share: float = 0.0,
        encoder_trained: np.ndarray | None = None,
    ) -> None:
        self._store = store
        # the heads are fitted on this model's vectors: a fit saved under another embedder is never loaded
        self.embedder_name = embedder_name
        # `hash_ids` of the cases a fine-tuned embedder was trained on (None: a pretrained one): their out-of-fold
        # predictions do not count as evidence for the automation thresholds (`_one_vs_rest`)
        self.encoder_trained = encoder_trained
        self._lexicon = lexicon
        self.labels = labels
        self.knn_weight = knn_weight
        self.top_k = top_k
        self._seed = seed
        self.max_training_cases = max_training_cases
        self.target_precision = target_precision
        self.repository = repository
        self._fitted_revision: int | None = None
        self._fitted_count = 0
        self._lock = threading.Lock()
        self._state: tuple[TfidfVectorizer | None, dict[str, LabelModel]] = (None, {})
        self._background = background_refit
        self._refitting: threading.Thread | None = None
        self._listener = listener
        self._load_tried = repository is None
        self.fits = 0  # fits made by this instance (restart tests: a loaded model makes none)
        self.loaded_version: str | None = None  # the saved version loaded at start-up, if any
        self.saved_version: str | None = None  # the version this instance last saved
        self.pinned = False
        self.last_fit_seconds: float | None = None
        self._memory_hashes: np.ndarray | None = None  # sorted id hashes of the memory of the last fit
        self.trained_ids: frozenset[str] = frozenset()  # the cases the heads were last fitted on
        # background refits: new cases up to this share of the trained sample are added to the heads by an
        # incremental update (seconds) instead of a full refit; 0 = always a full refit
        self.incremental_share = incremental_share
        self.updates = 0  # incremental updates made by this instance
        self.last_update_seconds: float | None = None  # from the start of the last update to its heads in use
        self.last_update_timing: dict[str, float] = {}  # its parts: reading the memory, fitting, saving
        self.last_update_read = ""  # where its new cases came from: "journal" (the store's) or "memory" (all)
        self._training: _TrainingRows | None = None
        self._trained_hashes: np.ndarray | None = None
        self._incremental_cases = 0
        self._signature: MemorySignature | None = None  # of the memory the current heads have seen
        self._store_token: str | None = None  # the store's name for that memory (saved with the model)
        # how the start-up load knew the memory was the saved model's: "store token" (the store vouched that
        # nothing was written since, across clean restarts) or "memory read" (every case read and hashed)
        self.load_check = ""

    @property
    def settings_key(self) -> str:
        """Everything besides the memory that a saved fit depends on."""
        return fingerprint(self.version, self.labels, self.knn_weight, self.top_k, self._seed,
                           self.lexicon_version or "", self.max_training_cases, self.target_precision,
                           self._listener.version if self._listener is not None else "", self.embedder_name)[:16]

    # -- fitting -------------------------------------------------------------------------------
    def ensure_fitted(self) -> None:
        """Load the saved fit once; refit when the memory changed.

        With `background_refit` (the service), a small change (a reviewed ticket added) is refitted in a
        background thread while decisions keep using the previous model (the case vote sees the new
        case at once); a first fit, or a memory that more than doubled (a bulk import), is fitted before
        deciding. Without it (evals, CLI), every change is fitted before deciding: deterministic.
        """
        if not self._load_tried:
            with self._lock:
                if not self._load_tried:
                    self._load()
                    self._load_tried = True
        revision = self._store.revision()
        if revision == self._fitted_revision:
            return
        if self.pinned:  # the case vote still sees every new case; the heads stay as rolled back to
            self._fitted_revision = revision
            return
        if self._background and self._state[1] and self._store.count() <= 2 * max(1, self._fitted_count):
            if self._refitting is None or not self._refitting.is_alive():
                self._refitting = threading.Thread(target=self._refresh_logged, args=(revision,),
                                                   name="classifier-refit", daemon=True)
                self._refitting.start()
            return
        self._fit(revision)

    def train(self, progress: ProgressHook | None = None) -> ModelHeader | None:
        """A full fit now, whatever the memory's revision (`triage model train`); saved when there is a
        repository. Returns the saved version's header."""
        self._load_tried = True
        self.pinned = False
        return self._fit(self._store.revision(), force=True, progress=progress)

    def _load(self) -> None:
        assert self.repository is not None
        try:
            loaded = self.repository.load(classifier=self.version, settings_key=self.settings_key)
        except Exception:  # an unreadable file is a refit, never a failed start
            log.exception("the saved classifier state could not be loaded; refitting")
            return
        if loaded is None:
            return
        revision = self._store.revision()
        token = loaded[0].store_token
        if token is not None and self._store.same_content(token):
            same_memory, self.load_check = True, "store token"
        else:
            # the labels are what it signs
            same_memory, self.load_check = loaded[0].memory == MemoryColumns.read(self._store).signature, "memory read"
        if not self._adopt(*loaded):
            return
        header, saved = loaded
        self.loaded_version = header.version
        self.pinned = self.repository.pinned
        if same_memory or self.pinned:  # a pinned version (`triage model use`) is kept until the next train
            self._fitted_revision = revision
        log.info("local classifier loaded", extra={"model_version": header.version, "cases": saved.fitted_count,
                                                   "same_memory": same_memory})
        if self._background and self.incremental_share > 0 and not self.pinned:
            # rebuild the kept training rows now, off the request path, so the first new case after a restart
            # costs an update, not a rebuild plus an update
            self._refitting = threading.Thread(target=self._prepare_logged, name="classifier-prepare", daemon=True)
            self._refitting.start()

    def _adopt(self, header: ModelHeader, saved: object) -> bool:
        """Use a saved state (and its listener's); False when it is not one this classifier can use."""
        if not isinstance(saved, SavedClassifier):
            log.warning("the saved classifier state %s is not a classifier state; refitting", header.version)
            return False
        if self._listener is not None:
            if saved.listener_version != self._listener.version or saved.listener_state is None:
                log.warning("the saved model %s has no state for %s; refitting", header.version,
                            self._listener.version)
                return False
            self._listener.import_state(saved.listener_state)
        self._state = (saved.ngrams, saved.models)
        self._fitted_count = saved.fitted_count
        self._memory_hashes = getattr(saved, "memory_hashes", None)
        self._trained_hashes = getattr(saved, "trained_hashes", None)
        self._incremental_cases = getattr(saved, "incremental_cases", 0)
        self._signature = header.memory
        self._training = None
        return True

    def _saved_fit_of(self, signature: MemorySignature) -> bool:
        """Adopt the current saved version when it was fitted on exactly this memory with these settings (another
        process, e.g. `triage model train`, did the work already)."""
        assert self.repository is not None
        current = self.repository.current()
        try:
            if current is None or self.repository.header(current).memory != signature:
                return False
            loaded = self.repository.load(classifier=self.version, settings_key=self.settings_key)
        except Exception:
            log.exception("the saved classifier state could not be read; fitting")
            return False
        return loaded is not None and loaded[0].memory == signature and self._adopt(*loaded)

    def _refresh_logged(self, revision: int) -> None:
        try:
            if not self._update_heads(revision):
                self._fit(revision)
        except Exception:  # a background refit that fails keeps the previous model (and says so)
            log.exception("the background refit failed; keeping the previous model")

    def _prepare_logged(self) -> None:
        """After a load: the training rows of the loaded fit; then whatever changed meanwhile (or while down)."""
        try:
            with self._lock:
                if self._training is None:
                    t0 = time.perf_counter()
                    # the ids only; the trained cases' texts and vectors are read by id
                    self._training = self._rebuild_training(MemoryColumns.read(self._store), self._state[0])
                    log.info("local classifier training rows rebuilt", extra={
                        "rows": self._training.x.shape[0] if self._training is not None else 0,
                        "seconds": round(time.perf_counter() - t0, 2)})
            revision = self._store.revision()
            if revision != self._fitted_revision and not self.pinned:
                self._refresh_logged(revision)
        except Exception:  # the store closed under it, say: the next change rebuilds or refits
            log.warning("the training rows could not be rebuilt; the next change will", exc_info=True)

    def _update_heads(self, revision: int) -> bool:
        """Add the cases new since the last fit to the heads (warm-started on the kept training rows); False when
        this change needs a full refit instead: no kept rows, cases removed or relabelled, a class the heads do
        not know, or more new cases than `incremental_share` of the trained sample since the last full fit.

        What stays from the last full fit: the n-gram vocabulary, the vote weight and temperature, the
        one-vs-rest calibration and thresholds, and the critical detector's calibration (all fitted out of fold;
        a few more cases hardly move them, and the next full refit refreshes them)."""
        if self.incremental_share <= 0 or self._memory_hashes is None or self._signature is None:
            return False
        with self._lock:
            if revision == self._fitted_revision:
                return True
            t0 = time.perf_counter()
            # named before reading: writes meanwhile make the token older than the heads, never newer
            token = self._store.content_token()
            delta = self._changes_since_fit()
            if delta is not None:  # this process's own writes: read those cases, not the whole memory
                new_cases, new_vectors = delta.cases, delta.vectors
                new_hashes = id_hashes(new_cases)
                if np.isin(new_hashes, self._memory_hashes).any():
                    return False  # a case written again, perhaps relabelled: a full refit checks
                if not self._within_update_budget(len(new_cases)):
                    return False
                revision = delta.revision
                training = self._training
                read_s = time.perf_counter() - t0
            else:  # the columns of the whole memory; vectors only of the new cases and, after a restart, the trained
                memory = MemoryColumns.read(self._store)
                new = np.flatnonzero(~np.isin(memory.hashes, self._memory_hashes))
                if len(memory) - len(new) != len(self._memory_hashes):
                    return False  # cases removed
                new_cases, new_hashes = self._store.cases_of([memory.ids[int(i)] for i in new]), memory.hashes[new]
                if memory.signature.minus(new_cases) != self._signature:
                    return False  # cases relabelled
                if not self._within_update_budget(len(new_cases)):
                    return False  # before reading any vector: a full refit reads its own
                new_vectors = self._store.vectors_of([c.id for c in new_cases])
                read_s = time.perf_counter() - t0
                training = self._training or self._rebuild_training(memory, self._state[0])
                del memory
            if training is None:
                return False
            # the memory is the one the heads saw plus the new cases (checked above): extend, never rehash it all
            signature = self._signature.plus(new_cases)
            memory_hashes = np.sort(np.concatenate([self._memory_hashes, new_hashes]))
            ngrams, models = self._state
            x_new = _features(new_vectors, [c.text for c in new_cases], ngrams, self._lexicon)
            x = sparse.vstack([training.x, x_new], format="csr")
            new_columns = self._label_columns(new_cases)
            y = {label: np.concatenate([values, new_columns[label]]) for label, values in training.y.items()}
            t_fit = time.perf_counter()
            updated: dict[str, LabelModel] = {}
            for label, lm in models.items():
                values = y.get(label)
                if lm.model is None or values is None:
                    updated[label] = lm
                    continue
                added = {v for v in values[len(training.hashes):] if v}
                if not added:
                    updated[label] = lm
                    continue
                if not added <= set(lm.classes):
                    return False  # a class the heads never saw: only a full fit adds it
                rows = np.flatnonzero(values != "")
                counts = dict(lm.counts)
                for v in values[len(training.hashes):]:
                    if v:
                        counts[v] = counts.get(v, 0) + 1
                also = None
                if label == "category":  # the same rows and weights as a full fit: secondary categories included
                    also = [[a for a in str(s).split(",") if a and a in lm.classes and a != values[i]]
                            for i, s in enumerate(y[_ALSO])]
                fit_rows, fit_y, fit_w = _expand(rows, values, also)
                updated[label] = dataclasses.replace(lm, model=_warm_lr(lm.model, x[fit_rows], fit_y, fit_w),
                                                     counts=counts)
            self._training = _TrainingRows(x=x, y=y, hashes=np.sort(np.concatenate([training.hashes, new_hashes])))
            self._state = (ngrams, updated)
            self._fitted_revision, self._fitted_count = revision, signature.cases
            self._memory_hashes = memory_hashes
            self._trained_hashes = self._training.hashes
            self._incremental_cases += len(new_cases)
            self._signature = signature
            self._store_token = token
            self.trained_ids = self.trained_ids | {c.id for c in new_cases}
            self.updates += 1
            self.last_update_read = "journal" if delta is not None else "memory"
            self.last_update_seconds = time.perf_counter() - t0
            t_save = time.perf_counter()
            if self.repository is not None:
                self._save(ngrams, updated, self._signature, trained_on=x.shape[0])
            self.last_update_timing = {"read_memory_s": round(read_s, 2), "fit_s": round(t_save - t_fit, 2),
                                       "save_s": round(time.perf_counter() - t_save, 2)}
            log.info("local classifier heads updated", extra={
                "new_cases": len(new_cases), "read": self.last_update_read,
                "trained_on": x.shape[0], "since_full_fit": self._incremental_cases,
                "seconds": round(self.last_update_seconds, 2), **self.last_update_timing})
            return True

    def _within_update_budget(self, new: int) -> bool:
        """Whether `new` cases (at least one) may be added by an update: all the cases added by updates since the last
        full fit stay within `incremental_share` of the trained sample."""
        trained = len(self._trained_hashes) if self._trained_hashes is not None else 0
        return new > 0 and self._incremental_cases + new <= self.incremental_share * max(1, trained)

    def _changes_since_fit(self) -> StoreChanges | None:
        """The store's own record of what was written since the current heads' revision, when it has one and the
        kept training rows are there to extend; None means: read the whole memory."""
        if self._fitted_revision is None or self._training is None or self._signature is None:
            return None
        return self._store.changes_since(self._fitted_revision)

    def _rebuild_training(self, memory: MemoryColumns, ngrams: TfidfVectorizer | None) -> _TrainingRows | None:
        """The kept training rows after a restart: the loaded fit's trained cases, found by their id hashes in the
        memory's columns, and only their cases and vectors read from the store."""
        if self._trained_hashes is None:
            return None
        rows = np.flatnonzero(np.isin(memory.hashes, self._trained_hashes))
        if len(rows) != len(self._trained_hashes):
            return None
        try:
            trained = self._store.cases_of([memory.ids[int(i)] for i in rows])
            vectors = self._store.vectors_of([c.id for c in trained])
        except NotFound:  # a trained case gone since the columns were read: the next full refit sees the memory
            return None
        return self._training_rows(trained, vectors, memory.hashes[rows], ngrams)

    def _training_rows(self, cases: list[Case], vectors: np.ndarray, hashes: np.ndarray,
                       ngrams: TfidfVectorizer | None) -> _TrainingRows:
        return _TrainingRows(x=_features(vectors, [c.text for c in cases], ngrams, self._lexicon),
                             y=self._label_columns(cases), hashes=np.sort(hashes))

    def _label_columns(self, cases: list[Case]) -> dict[str, np.ndarray]:
        """Each label's values ("" where a case lacks it) and, under `_ALSO`, the secondary categories (joined)."""
        columns = {label: np.array([_label_of(c, label) or "" for c in cases], dtype=object) for label in self.labels}
        columns[_ALSO] = np.array([",".join(c.also) for c in cases], dtype=object)
        return columns

    def _fit(self, revision: int, *, force: bool = False, progress: ProgressHook | None = None
             ) -> ModelHeader | None:
        report = progress or (lambda _what, _done: None)
        with self._lock:
            if revision == self._fitted_revision and not force:
                return None
            t0 = time.perf_counter()
            report("reading the memory", 0.0)
            token = self._store.content_token()  # before the read: see _update_heads
            # the memory's columns (ids, categories, signature; no case held whole): the sample is drawn from them,
            # and only its cases and vectors are read (a bounded fit holds a bounded number of texts and vectors at
            # any memory size)
            total = max(1, self._store.count())  # a million cases take the better part of a minute to read
            memory = MemoryColumns.read(
                self._store, lambda read: report("reading the memory", 0.05 * min(1.0, read / total)))
            signature = memory.signature
            if not force and self.repository is not None and not self.pinned and self._saved_fit_of(signature):
                self._fitted_revision, self._fitted_count = revision, len(memory)
                self.loaded_version = self.repository.current()
                report("done", 1.0)
                return None
            hashes = memory.hashes
            new = (np.flatnonzero(~np.isin(hashes, self._memory_hashes)) if self._memory_hashes is not None
                   else np.zeros(0, dtype=np.int64))
            rows = bounded_sample(memory.categories, self.max_training_cases, self._seed, keep=new)
            sample = self._store.cases_of([memory.ids[int(i)] for i in rows])
            vectors = self._store.vectors_of([c.id for c in sample])
            # what the fit reads: the sample (its rows, and its payloads through the signature), the sample's
            # vectors, and the rest of the memory (the out-of-fold neighbours) through the signature, as a saved fit
            # is trusted on the same signature (`_saved_fit_of`)
            key = fingerprint(self.settings_key, signature.digest, vectors, rows)
            built: dict[str, sparse.csr_matrix] = {}  # the features, when this fit computes them (not cached)
            ngrams, models, oof = FITS.get_or_fit(
                key, lambda: self._fit_models(sample, vectors, report, keep=built))
            if self._listener is not None:  # before the swap: decisions never see models without it
                report("fitting the critical detector", 0.8)
                try:
                    self._listener.calibrate_on_fit(FitResult(cases=sample, vectors=vectors, oof=oof))
                except Exception:  # a calibration failure keeps the previous calibration; never the fit
                    log.exception("a stage could not calibrate on the new memory; keeping its previous state")
            # one assignment, so a concurrent predict never pairs new models with old features
            self._state = (ngrams, models)
            self._fitted_revision, self._fitted_count = revision, len(memory)
            self._memory_hashes = np.sort(hashes)
            self._trained_hashes = np.sort(hashes[rows])
            self._incremental_cases = 0
            self._signature = signature
            self._store_token = token
            # the service keeps the training rows for incremental updates (evals and the CLI never update)
            self._training = None
            if self._background and self.incremental_share > 0 and len(memory):
                x = built.get("x")
                self._training = (_TrainingRows(x=x, y=self._label_columns(sample), hashes=self._trained_hashes)
                                  if x is not None else self._training_rows(sample, vectors, hashes[rows], ngrams))
            self.trained_ids = frozenset(c.id for c in sample)
            self.fits += 1
            self.last_fit_seconds = time.perf_counter() - t0
            log.info("local classifier fitted", extra={"cases": len(memory), "trained_on": len(sample),
                                                       "labels": list(self.labels),
                                                       # the regularisation each label's head chose (_choose_c)
                                                       "c": {k: m.model.C for k, m in models.items() if m.model},
                                                       "seconds": round(self.last_fit_seconds, 2)})
            header = None
            if self.repository is not None:
                report("saving the model", 0.95)
                header = self._save(ngrams, models, signature, trained_on=len(sample))
            report("done", 1.0)
            return header

    def _save(self, ngrams: TfidfVectorizer | None, models: dict[str, LabelModel], signature: MemorySignature,
              *, trained_on: int) -> ModelHeader | None:
        assert self.repository is not None
        listener = self._listener
        saved = SavedClassifier(ngrams=ngrams, models=models, fitted_count=self._fitted_count,
                                listener_version=listener.version if listener is not None else None,
                                listener_state=listener.export_state() if listener is not None else None,
                                memory_hashes=self._memory_hashes, trained_hashes=self._trained_hashes,
                                incremental_cases=self._incremental_cases)
        try:
            header = self.repository.save(saved, classifier=self.version, settings_key=self.settings_key,
                                          memory=signature, trained_on=trained_on,
                                          seconds=self.last_fit_seconds or 0.0, store_token=self._store_token)
        except OSError:  # a full disk costs the next start a refit, not this fit
            log.exception("the fitted classifier could not be saved in %s", self.repository.directory)
            return None
        self.saved_version = header.version
        return header

    def _neighbours(self, cases: list[Case], vectors: np.ndarray, report: ProgressHook) -> list[list[CaseHit]]:
        """Each case's nearest other cases in the whole memory (leave-one-out), from the store's own index, in
        chunks: out-of-fold votes cost one search per sampled case, never a case-by-case similarity matrix."""
        out: list[list[CaseHit]] = []
        for start in range(0, len(cases), NEIGHBOUR_CHUNK):
            report("finding neighbours", 0.1 + 0.3 * start / max(1, len(cases)))
            chunk = self._store.search_many(vectors[start:start + NEIGHBOUR_CHUNK], limit=self.top_k + 1)
            for case, hits in zip(cases[start:start + NEIGHBOUR_CHUNK], chunk, strict=True):
                out.append([h for h in hits if h.case.id != case.id][:self.top_k])
        return out

    def _fit_models(
        self, cases: list[Case], vectors: np.ndarray, report: ProgressHook,
        keep: dict[str, sparse.csr_matrix] | None = None,
    ) -> tuple[TfidfVectorizer | None, dict[str, LabelModel], dict[str, tuple[list[str], np.ndarray, np.ndarray]]]:
        texts = [c.text for c in cases]
        report("fitting n-grams", 0.05)
        ngrams = _fit_ngrams(texts)
        x = _features(vectors, texts, ngrams, self._lexicon) if cases else sparse.csr_matrix((0, 0))
        if keep is not None:
            keep["x"] = x
        neighbours = self._neighbours(cases, vectors, report) if len(cases) >= 20 else [[] for _ in cases]
        # the cases a fine-tuned encoder did not see (None: a pretrained encoder, every case is honest evidence)
        honest = ~np.isin(id_hashes(cases), self.encoder_trained) if self.encoder_trained is not None else None
        oof: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        models: dict[str, LabelModel] = {}
        for n, label in enumerate(self.labels):
            report(f"fitting {label}", 0.4 + 0.4 * n / max(1, len(self.labels)))
            models[label], label_oof = self._fit_label(cases, x, neighbours, label, vectors, honest)
            if label_oof is not None:
                oof[label] = label_oof
        return ngrams, models, oof

    def wait_for_refit(self, timeout: float = 60.0) -> None:
        """Block until a background refit (if any) has finished (tests, graceful shutdown)."""
        thread = self._refitting
        if thread is not None:
            thread.join(timeout)

    def _fit_label(
        self, cases: list[Case], features: sparse.csr_matrix, neighbours: list[list[CaseHit]], label: str,
        vectors: np.ndarray | None = None, honest: np.ndarray | None = None,
    ) -> tuple[LabelModel, tuple[list[str], np.ndarray, np.ndarray] | None]:
        pairs = [(i, _label_of(c, label)) for i, c in enumerate(cases)]
        pairs = [(i, v) for i, v in pairs if v]
        if not pairs:
            return LabelModel(classes=[], model=None), None
        idx = np.array([i for i, _ in pairs])
        y = np.array([v for _, v in pairs])
        x = features[idx]
        classes = sorted(set(y.tolist()))
        counts = {c: int((y == c).sum()) for c in classes}
        if len(classes) < 2:
            return LabelModel(classes=classes, model=None, counts=counts), None
        # the category's secondary labels (only categories the memory has as a primary one are learnable)
        also = ([[a for a in cases[i].also if a in counts and a != y[n]] for n, i in enumerate(idx)]
                if label == "category" else None)
        rows, y_rows, w_rows = _expand(np.arange(len(y)), y, also)
        reg_c = DEFAULT_C if label in FIXED_C_LABELS else _choose_c(x, y, also, self._seed)
        model = _fit_lr(x[rows], y_rows, w_rows, reg_c=reg_c, tol=HEAD_TOL)
        weight, temperature, oof = self._fit_mixture(x, [neighbours[i] for i in idx], y, classes, label, also,
                                                     reg_c=reg_c, honest=honest[idx] if honest is not None else None)
        fitted = LabelModel(classes=classes, model=model, temperature=temperature, knn_weight=weight, counts=counts)
        if oof is not None and label == "category":
            self._fit_one_vs_rest(fitted, cases, features, neighbours, idx, y, oof, also, vectors, honest)
        return fitted, ((classes, oof, idx) if oof is not None else None)

    def _fit_one_vs_rest(
        self, fitted: LabelModel, cases: list[Case], features: sparse.csr_matrix, neighbours: list[list[CaseHit]],
        idx: np.ndarray, y: np.ndarray, oof: np.ndarray, also: list[list[str]] | None, vectors: np.ndarray | None,
        honest: np.ndarray | None,
    ) -> None:
        """The category's one-vs-rest heads and their calibration and thresholds (`_one_vs_rest`), into `fitted`.

        Rows: the labelled cases (`idx`, with their out-of-fold mixed probabilities `oof`) and the cases without a
        category (`Case.category is None`), which are negatives for every category they rule out and left out of
        the others. Those were never a training row of the category model, so its prediction for them, mixed with
        their leave-one-out vote, is out of fold as it stands. Both the heads and their calibration see them: a
        head that learnt from them calibrated on the labelled rows alone gets its shift undone (measured on
        synthetic data: the stacked intercept rose by as much as the head score fell)."""
        classes = fitted.classes
        ruling_out = (np.array([i for i, c in enumerate(cases) if not c.labelled], dtype=np.int64)
                      if vectors is not None else np.zeros(0, dtype=np.int64))
        rows = np.concatenate([idx, ruling_out])
        # categories a case's labels say nothing about (partially labelled data) leave it out of that category
        left_open = [set(cases[i].unknown) for i in rows]
        known = ({c: np.array([c not in u for u in left_open]) for c in classes if any(c in u for u in left_open)}
                 or None)
        y_all = np.concatenate([y, np.full(len(ruling_out), "", dtype=object)]) if len(ruling_out) else y
        also_all = also + [[] for _ in ruling_out] if also is not None else None
        if len(ruling_out):
            vote = np.stack([_vote(neighbours[i], "category", classes) for i in ruling_out])
            weight = fitted.knn_weight or 0.0
            mixed = weight * vote + (1.0 - weight) * fitted.predict_proba(features[ruling_out])
            oof = np.vstack([oof, _temper(mixed, fitted.temperature)])
        head_oof: dict[str, np.ndarray] | None = None
        if vectors is not None:
            targets = {c: _applies(y_all, c, also_all) for c in classes}
            fitted.head_classes, fitted.head_w, fitted.head_b, head_oof = _fit_heads(
                np.asarray(vectors, dtype=np.float64)[rows], targets, self._seed, known)
        fitted.platt, fitted.also_threshold, fitted.auto_threshold, fitted.auto_coverage = _one_vs_rest(
            oof, y_all, classes, self.target_precision, also_all, head_oof, fitted.stack, known,
            honest[rows] if honest is not None else None)

    def _fit_mixture(
        self, x: sparse.csr_matrix, neighbours: list[list[CaseHit]], y: np.ndarray, classes: list[str], label: str,
        also: list[list[str]] | None = None, *, reg_c: float = DEFAULT_C, honest: np.ndarray | None = None,
    ) -> tuple[float | None, float, np.ndarray | None]:
        """Vote weight and temperature minimising the log-loss of out-of-fold predictions (≤ 3 folds).

        The model part is out of fold; the vote part is leave-one-out (each case's neighbours in the
        memory, itself excluded). Also returns those out-of-fold predictions, mixed and tempered as the
        fitted model would give them.

        `honest`: the cases a fine-tuned encoder did not see. The temperature is fitted on those alone when there
        are at least MIN_HONEST_CASES of them: the encoder's own training cases are predicted more confidently than
        a new ticket, and a temperature fitted on them makes the probabilities over-confident (fine-tuned
        HateXplain: ECE 0.105 against 0.032 frozen).
        """
        counts = {c: int((y == c).sum()) for c in classes}
        folds = min(3, min(counts.values()))
        if folds < 2 or len(y) < 20:
            return None, 1.0, None
        oof = np.zeros((len(y), len(classes)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self._seed)
        for train, test in splitter.split(np.zeros(len(y)), y):
            rows, y_rows, w_rows = _expand(train, y, also)
            model = _fit_lr(x[rows], y_rows, w_rows, reg_c=reg_c)
            proba = model.predict_proba(x[test])
            for j, c in enumerate(model.classes_):
                oof[test, classes.index(c)] = proba[:, j]
        oof_vote = np.stack([_vote(hits, label, classes) for hits in neighbours])
        truth = np.array([classes.index(v) for v in y])
        every = np.arange(len(truth))

        def nll(p: np.ndarray, rows: np.ndarray = every) -> float:
            return float(-np.mean(np.log(np.clip(p[rows, truth[rows]], 1e-9, 1.0))))

        best: tuple[float, float, float] | None = None
        for weight in np.linspace(0.0, 0.9, 10):
            mixed = weight * oof_vote + (1.0 - weight) * oof
            result = minimize_scalar(lambda t, m=mixed: nll(_temper(m, t)), bounds=(0.2, 5.0), method="bounded")
            if best is None or result.fun < best[0]:
                best = (float(result.fun), float(weight), float(result.x))
        assert best is not None
        _, weight, temperature = best
        if honest is not None and int(honest.sum()) >= MIN_HONEST_CASES:
            # the weight (which moves decisions) stays chosen on every case: chosen on ~100 honest ones it cost
            # fine-tuned HateXplain 0.017 accuracy; the temperature (which moves only confidence) on the honest ones
            mixed = weight * oof_vote + (1.0 - weight) * oof
            temperature = float(minimize_scalar(lambda t: nll(_temper(mixed, t), np.flatnonzero(honest)),
                                                bounds=(0.2, 5.0), method="bounded").x)
        return weight, temperature, _temper(weight * oof_vote + (1.0 - weight) * oof, temperature)

    # -- prediction ------------------------------------------------------------------------------
    def predict(self, vector: np.ndarray, hits: list[CaseHit], text: str = "") -> LocalPrediction:
        return self.predict_many(vector.reshape(1, -1), [hits], [text])[0]

    def predict_many(self, vectors: np.ndarray, hits_per: Sequence[Sequence[CaseHit]], texts: Sequence[str]
                     ) -> list[LocalPrediction]:
        """One prediction per row: the features and each label's model for the whole batch at once (a micro-batch
        of concurrent tickets pays the per-call costs once), the vote and calibration per ticket."""
        ngrams, models = self._state
        features = _features(vectors, list(texts), ngrams, self._lexicon)
        model_ps = {label: lm.predict_proba(features) for label, lm in models.items() if lm.classes}
        out = []
        for i, row_hits in enumerate(hits_per):
            hits = list(row_hits)
            probs: dict[str, dict[str, float]] = {}
            vote_top: dict[str, str | None] = {}
            model_top: dict[str, str | None] = {}
            pred = LocalPrediction(probs=probs, vote_top=vote_top, model_top=model_top)
            for label, lm in models.items():
                if not lm.classes:
                    probs[label] = {}
                    continue
                model_p = model_ps[label][i]
                vote_p = _vote(hits, label, lm.classes)
                weight = _mix_weight(hits, self.knn_weight if lm.knn_weight is None else lm.knn_weight)
                mixed = weight * vote_p + (1.0 - weight) * model_p if hits else model_p
                calibrated = _temper(mixed, lm.temperature)
                probs[label] = {c: float(p) for c, p in zip(lm.classes, calibrated, strict=True)}
                # the neighbours "say" a label only when most of the vote agrees on it
                strong = hits and float(vote_p.max()) >= STRONG_VOTE
                vote_top[label] = lm.classes[int(np.argmax(vote_p))] if strong else None
                model_top[label] = lm.classes[int(np.argmax(model_p))] if lm.model is not None else None
                if label == "category" and lm.platt:
                    ovr = lm.one_vs_rest(calibrated, lm.head_scores(vectors[i]))
                    pred.ovr = {c: float(p) for c, p in zip(lm.classes, ovr, strict=True)}
                    top = lm.classes[int(np.argmax(calibrated))]
                    pred.also = [c for c in lm.classes
                                 if c != top and c in lm.also_threshold and pred.ovr[c] >= lm.also_threshold[c]]
                    pred.auto_threshold = dict(lm.auto_threshold)
            if pred.ovr:
                probs["category_ovr"] = dict(pred.ovr)
            out.append(pred)
        return out

    @property
    def lexicon_version(self) -> str | None:
        return self._lexicon.version if self._lexicon is not None else None

    @property
    def classes(self) -> dict[str, list[str]]:
        return {label: m.classes for label, m in self._state[1].items()}

    @property
    def fitted(self) -> bool:
        """Whether there is a model for the first label (category): False on an empty or one-class memory."""
        models = self._state[1]
        first = models.get(self.labels[0]) if self.labels else None
        return first is not None and first.model is not None

    @property
    def has_models(self) -> bool:
        """Whether any label has something learned (a model, or a single class) to predict from."""
        return any(lm.classes for lm in self._state[1].values())

    @property
    def fitted_count(self) -> int:
        return self._fitted_count

    @property
    def fitted_revision(self) -> int | None:
        """The case store's revision the model was fitted on (None before the first fit)."""
        return self._fitted_revision

    def class_counts(self, label: str = "category") -> dict[str, int]:
        lm = self._state[1].get(label)
        return dict(lm.counts) if lm is not None else {}
