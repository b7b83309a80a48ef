"""The local classifier: the embedded default, the cheap first pass and the fallback when an LLM is down.

For each ticket it combines two views of the case memory:

* a similarity-weighted vote of the retrieved cases (k nearest, weights exp(similarity / 0.05)), and
* a multinomial logistic regression fitted on every case's embedding together with character n-gram
  TF-IDF features of its text (refit when the memory changes); the n-grams carry what an English-only
  embedder misses in other languages, and exact terms of art ("2FA", "DMCA", "sextortion"),

mixed with a weight (raised towards 1 when the nearest case is a near-duplicate, so a reviewer's
correction wins at once), then temperature-scaled. The mixing weight and the temperature are fitted per
label on out-of-fold predictions of the memory itself (minimising log-loss): how much to trust the
neighbours depends on the memory (a few cases per class: little; thousands: more), and the reported
probabilities are calibrated on held-out cases, not on the cases the model was fitted on.

The same machinery predicts risk level and any `learned` label (e.g. a queue label space taken from
the memory by the eval harness).
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from triage.domain.cases import Case, CaseHit
from triage.pipeline.fit_cache import FitCache, fingerprint
from triage.pipeline.lexicon import Lexicon
from triage.ports import CaseStore

__all__ = ["FitResult", "LabelModel", "LocalClassifier", "LocalPrediction"]

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
    """One label's fitted model: classes, logistic regression (if ≥2 classes) and a temperature."""

    classes: list[str]
    model: LogisticRegression | None
    temperature: float = 1.0
    knn_weight: float | None = None  # fitted; None = use the configured default
    counts: dict[str, int] = field(default_factory=dict)  # cases per class in the memory it was fitted on

    def predict_proba(self, vectors: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        if self.model is None:
            return np.full((vectors.shape[0], len(self.classes)), 1.0 / max(1, len(self.classes)))
        raw = self.model.predict_proba(vectors)
        # map the model's classes onto ours (they are the same set, but keep it explicit)
        idx = [list(self.model.classes_).index(c) for c in self.classes]
        return raw[:, idx]


MIN_CASES_FOR_NGRAMS = 30


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
        blocks.append(ngrams.transform(texts))
    if lexicon is not None and lexicon.dimension:
        blocks.append(sparse.csr_matrix(lexicon.features(texts)))
    return blocks[0] if len(blocks) == 1 else sparse.hstack(blocks, format="csr")


def _fit_lr(x: np.ndarray | sparse.csr_matrix, y: np.ndarray) -> LogisticRegression:
    model = LogisticRegression(C=8.0, max_iter=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y)
    return model


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


def _vote_matrix(sims: np.ndarray, neighbour_labels: np.ndarray, classes: list[str]) -> np.ndarray:
    """The same vote as `_vote`, for many tickets at once (rows: tickets; columns: their k neighbours)."""
    out = np.zeros((sims.shape[0], len(classes)))
    weights = np.exp((sims - 1.0) / VOTE_TEMPERATURE)
    for j, c in enumerate(classes):
        out[:, j] = (weights * (neighbour_labels == c)).sum(axis=1)
    total = out.sum(axis=1, keepdims=True)
    uniform = np.full_like(out, 1.0 / len(classes))
    out = np.divide(out, total, out=uniform.copy(), where=total > 0)
    return out * 0.98 + 0.02 / len(classes)


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


@dataclass
class LocalPrediction:
    """Calibrated distributions per label, plus the evidence behind them."""

    probs: dict[str, dict[str, float]]
    vote_top: dict[str, str | None] = field(default_factory=dict)
    model_top: dict[str, str | None] = field(default_factory=dict)

    def top(self, label: str) -> tuple[str, float]:
        dist = self.probs[label]
        best = max(dist, key=dist.__getitem__)
        return best, dist[best]

    def ranked(self, label: str) -> list[tuple[str, float]]:
        return sorted(self.probs[label].items(), key=lambda kv: -kv[1])


class LocalClassifier:
    """Fits lazily on the case store and refits when `store.revision()` changes."""

    version = "local-knn-lr.v1"

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
        on_fitted: Callable[[FitResult], None] | None = None,
    ) -> None:
        self._store = store
        self._lexicon = lexicon
        self.labels = labels
        self.knn_weight = knn_weight
        self.top_k = top_k
        self._seed = seed
        self._fitted_revision: int | None = None
        self._fitted_count = 0
        self._lock = threading.Lock()
        self._state: tuple[TfidfVectorizer | None, dict[str, LabelModel]] = (None, {})
        self._background = background_refit
        self._refitting: threading.Thread | None = None
        self._on_fitted = on_fitted

    # -- fitting -------------------------------------------------------------------------------
    def ensure_fitted(self) -> None:
        """Refit when the memory changed.

        With `background_refit` (the service), a small change (a reviewed ticket added) is refitted in a
        background thread while decisions keep using the previous model (the case vote sees the new
        case at once); a first fit, or a memory that more than doubled (a bulk import), is fitted before
        deciding. Without it (evals, CLI), every change is fitted before deciding: deterministic.
        """
        revision = self._store.revision()
        if revision == self._fitted_revision:
            return
        if self._background and self._state[1] and self._store.count() <= 2 * max(1, self._fitted_count):
            if self._refitting is None or not self._refitting.is_alive():
                self._refitting = threading.Thread(target=self._fit, args=(revision,), name="classifier-refit",
                                                   daemon=True)
                self._refitting.start()
            return
        self._fit(revision)

    def _fit(self, revision: int) -> None:
        with self._lock:
            if revision == self._fitted_revision:
                return
            cases, vectors = self._store.all_cases(with_vectors=True)
            key = fingerprint(self.version, self.labels, self.knn_weight, self.top_k, self._seed,
                              self.lexicon_version or "",
                              [(c.id, c.text, c.category, c.risk, c.queue or "", c.extra) for c in cases],
                              np.asarray(vectors, dtype=np.float32))
            ngrams, models, oof = FITS.get_or_fit(key, lambda: self._fit_models(cases, np.asarray(vectors)))
            if self._on_fitted is not None:  # before the swap: decisions never see models without it
                try:
                    self._on_fitted(FitResult(cases=cases, vectors=np.asarray(vectors), oof=oof))
                except Exception:  # a calibration failure keeps the previous calibration; never the fit
                    log.exception("a stage could not calibrate on the new memory; keeping its previous state")
            # one assignment, so a concurrent predict never pairs new models with old features
            self._state = (ngrams, models)
            self._fitted_revision, self._fitted_count = revision, len(cases)
            log.info("local classifier fitted", extra={"cases": len(cases), "labels": list(self.labels)})

    def _fit_models(
        self, cases: list[Case], vectors: np.ndarray
    ) -> tuple[TfidfVectorizer | None, dict[str, LabelModel], dict[str, tuple[list[str], np.ndarray, np.ndarray]]]:
        texts = [c.text for c in cases]
        ngrams = _fit_ngrams(texts)
        x = _features(vectors, texts, ngrams, self._lexicon) if cases else sparse.csr_matrix((0, 0))
        oof: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        models: dict[str, LabelModel] = {}
        for label in self.labels:
            models[label], label_oof = self._fit_label(cases, x, vectors, label)
            if label_oof is not None:
                oof[label] = label_oof
        return ngrams, models, oof

    def wait_for_refit(self, timeout: float = 60.0) -> None:
        """Block until a background refit (if any) has finished (tests, graceful shutdown)."""
        thread = self._refitting
        if thread is not None:
            thread.join(timeout)

    def _fit_label(
        self, cases: list[Case], features: sparse.csr_matrix, vectors: np.ndarray, label: str
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
        model = _fit_lr(x, y)
        weight, temperature, oof = self._fit_mixture(x, vectors[idx], y, classes)
        fitted = LabelModel(classes=classes, model=model, temperature=temperature, knn_weight=weight, counts=counts)
        return fitted, ((classes, oof, idx) if oof is not None else None)

    def _fit_mixture(
        self, x: sparse.csr_matrix, vectors: np.ndarray, y: np.ndarray, classes: list[str]
    ) -> tuple[float | None, float, np.ndarray | None]:
        """Vote weight and temperature minimising the log-loss of out-of-fold predictions (≤ 3 folds).

        Also returns those out-of-fold predictions, mixed and tempered as the fitted model would give them.
        """
        counts = {c: int((y == c).sum()) for c in classes}
        folds = min(3, min(counts.values()))
        if folds < 2 or len(y) < 20:
            return None, 1.0, None
        oof = np.zeros((len(y), len(classes)))
        oof_vote = np.zeros((len(y), len(classes)))
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self._seed)
        for train, test in splitter.split(np.zeros(len(y)), y):
            model = _fit_lr(x[train], y[train])
            proba = model.predict_proba(x[test])
            for j, c in enumerate(model.classes_):
                oof[test, classes.index(c)] = proba[:, j]
            sims = vectors[test] @ vectors[train].T
            k = min(self.top_k, len(train))
            nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
            oof_vote[test] = _vote_matrix(np.take_along_axis(sims, nearest, axis=1), y[train][nearest], classes)
        truth = np.array([classes.index(v) for v in y])

        def nll(p: np.ndarray) -> float:
            return float(-np.mean(np.log(np.clip(p[np.arange(len(truth)), truth], 1e-9, 1.0))))

        best: tuple[float, float, float] | None = None
        for weight in np.linspace(0.0, 0.9, 10):
            mixed = weight * oof_vote + (1.0 - weight) * oof
            result = minimize_scalar(lambda t, m=mixed: nll(_temper(m, t)), bounds=(0.2, 5.0), method="bounded")
            if best is None or result.fun < best[0]:
                best = (float(result.fun), float(weight), float(result.x))
        assert best is not None
        _, weight, temperature = best
        return weight, temperature, _temper(weight * oof_vote + (1.0 - weight) * oof, temperature)

    # -- prediction ------------------------------------------------------------------------------
    def predict(self, vector: np.ndarray, hits: list[CaseHit], text: str = "") -> LocalPrediction:
        probs: dict[str, dict[str, float]] = {}
        vote_top: dict[str, str | None] = {}
        model_top: dict[str, str | None] = {}
        ngrams, models = self._state
        features = _features(vector.reshape(1, -1), [text], ngrams, self._lexicon)
        for label, lm in models.items():
            if not lm.classes:
                probs[label] = {}
                continue
            model_p = lm.predict_proba(features)[0]
            vote_p = _vote(hits, label, lm.classes)
            weight = _mix_weight(hits, self.knn_weight if lm.knn_weight is None else lm.knn_weight)
            mixed = weight * vote_p + (1.0 - weight) * model_p if hits else model_p
            calibrated = _temper(mixed, lm.temperature)
            probs[label] = {c: float(p) for c, p in zip(lm.classes, calibrated, strict=True)}
            # the neighbours "say" a label only when most of the vote agrees on it
            strong = hits and float(vote_p.max()) >= STRONG_VOTE
            vote_top[label] = lm.classes[int(np.argmax(vote_p))] if strong else None
            model_top[label] = lm.classes[int(np.argmax(model_p))] if lm.model is not None else None
        return LocalPrediction(probs=probs, vote_top=vote_top, model_top=model_top)

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
