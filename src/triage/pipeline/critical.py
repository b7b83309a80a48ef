"""The critical-harm detector: a stage of its own that finds child-safety, imminent self-harm, threats,
violent extremism and doxxing whatever the wording, and only ever raises risk.

Three kinds of evidence, each turned into a probability on its own, then combined by a noisy-OR (any
strong piece of evidence is enough; weak pieces add up):

* **the exemplar bank** (`policy/critical.yaml`): many short descriptions and phrasings of each critical
  situation, per language, owned by operators. A ticket is compared with every exemplar twice: by
  embedding cosine (the ticket's own vector, reused: no second model call) and by character n-gram
  overlap (the share of an exemplar's n-grams found in the ticket; it carries misspellings, slang and
  the languages the English embedder reads poorly);
* **the local classifier's probability** of the group's category (learned from the case memory);
* **the regex signals** of `policy/signals.yaml` for that category: a signal at the group's risk or
  above is a hit by itself.

Each evidence → probability mapping is a one-feature logistic calibration fitted on the case memory
(cases of the category vs the rest), so a source that the memory shows to be weak cannot drown the
others. The threshold of each category is then chosen on out-of-fold predictions of the memory for
recall first: the highest threshold that still finds `recall_target` (0.98) of the memory's cases of
that category; the false-alarm rate it costs on the memory's other cases is kept for `/readyz` and the
logs. With too few cases to fit (an empty or small memory), conservative defaults apply.

A hit raises risk to the group's risk (never lowers anything), sets `needs_human` with the evidence
(group, score, threshold, nearest exemplar, each source's value) and, when the decided category cannot
carry that risk (its floor is lower), moves the ticket to the group's category.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from triage.domain.policy import Policy, line_of, read_policy_file
from triage.errors import PolicyError
from triage.pipeline.classify import FitResult
from triage.pipeline.decision import CriticalHit
from triage.pipeline.signals import Signal
from triage.ports import Embedder

__all__ = [
    "Calibration",
    "CriticalDetector",
    "CriticalFeatures",
    "ExemplarBank",
    "ExemplarIndex",
    "SourceCalibration",
    "load_exemplar_bank",
]

log = logging.getLogger(__name__)

SOURCES = ("embedding", "ngram", "classifier")


# -- the bank file ------------------------------------------------------------------------------------
class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    category: str
    risk: str
    description: str = ""
    exemplars: dict[str, list[str]] = Field(description="language code -> phrasings")

    @field_validator("exemplars")
    @classmethod
    def _not_empty(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        if not any(value.values()):
            raise ValueError("a group needs at least one exemplar")
        for lang, items in value.items():
            for item in items:
                if not isinstance(item, str) or not item.strip():
                    raise ValueError(f"an exemplar in {lang!r} is empty")
        return value


class _BankFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: str
    groups: dict[str, _Group]
    contrast: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class ExemplarBank:
    """The loaded bank, flattened: one row per exemplar."""

    version: str
    digest: str
    groups: tuple[str, ...]
    group_category: tuple[str, ...]
    group_risk: tuple[str, ...]
    texts: tuple[str, ...]
    languages: tuple[str, ...]
    group_of: np.ndarray  # exemplar index -> group index
    contrast: tuple[str, ...]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(self.group_category))


def load_exemplar_bank(path: Path, *, policy: Policy) -> ExemplarBank:
    """Load and check `critical.yaml`; a bad file raises PolicyError naming the file and the line."""
    spec, raw, node = read_policy_file(path, _BankFile)
    spec = spec if isinstance(spec, _BankFile) else _BankFile.model_validate(spec)
    for name, g in spec.groups.items():
        where = line_of(node, ("groups", name))
        if g.category not in policy.taxonomy.categories:
            raise PolicyError(f"{path}:line {line_of(node, ('groups', name, 'category')) or where}: "
                              f"groups.{name}.category: unknown category {g.category!r}")
        if g.risk not in policy.risk_order:
            raise PolicyError(f"{path}:line {line_of(node, ('groups', name, 'risk')) or where}: "
                              f"groups.{name}.risk: {g.risk!r} is not one of {policy.risk_order}")
        if policy.severity(g.risk) < policy.severity(policy.floor(g.category)):
            raise PolicyError(f"{path}:line {line_of(node, ('groups', name, 'risk')) or where}: "
                              f"groups.{name}.risk: {g.risk!r} is below the {g.category} floor "
                              f"{policy.floor(g.category)!r}")
    texts: list[str] = []
    languages: list[str] = []
    group_of: list[int] = []
    names = list(spec.groups)
    for gi, name in enumerate(names):
        for lang, items in spec.groups[name].exemplars.items():
            for item in items:
                texts.append(" ".join(item.split()))
                languages.append(lang)
                group_of.append(gi)
    contrast = tuple(" ".join(t.split()) for items in spec.contrast.values() for t in items if t.strip())
    return ExemplarBank(
        version=spec.version,
        digest=hashlib.sha256(raw).hexdigest(),
        groups=tuple(names),
        group_category=tuple(spec.groups[n].category for n in names),
        group_risk=tuple(spec.groups[n].risk for n in names),
        texts=tuple(texts),
        languages=tuple(languages),
        group_of=np.asarray(group_of, dtype=np.int64),
        contrast=contrast,
    )


# -- features -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CriticalFeatures:
    """Per ticket and group: the best embedding cosine (and which exemplar), the best n-gram overlap."""

    embedding: np.ndarray  # (n, groups)
    nearest: np.ndarray  # (n, groups) exemplar index of the best cosine
    ngram: np.ndarray  # (n, groups)

    def row(self, i: int) -> CriticalFeatures:
        return CriticalFeatures(self.embedding[i:i + 1], self.nearest[i:i + 1], self.ngram[i:i + 1])


# -- calibration --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SourceCalibration:
    """P(the ticket is of the category | this source's value) = sigmoid(intercept + slope * value)."""

    intercept: float
    slope: float

    def probability(self, value: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.intercept + self.slope * value)))


#: Used when the memory is too small to fit a source or a threshold. Chosen so that a ticket about as close
#: to a critical exemplar as the bank's own paraphrases are to one another counts as evidence, and so that
#: the defaults err on the side of a human look (see docs/evals.md for the measurement).
DEFAULT_CALIBRATION = {
    "embedding": SourceCalibration(intercept=-9.0, slope=16.0),  # p = 0.5 at cosine 0.56
    "ngram": SourceCalibration(intercept=-7.0, slope=14.0),  # p = 0.5 at n-gram overlap 0.50
    "classifier": SourceCalibration(intercept=-3.0, slope=8.0),  # p = 0.5 at probability 0.375
}
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Calibration:
    """The fitted state: one calibration per source, one threshold per category, and what it costs."""

    sources: dict[str, SourceCalibration]
    thresholds: dict[str, float]
    recall: dict[str, float] = field(default_factory=dict)  # out-of-fold, on the memory
    false_alarm_rate: dict[str, float] = field(default_factory=dict)  # share of other cases flagged
    positives: dict[str, int] = field(default_factory=dict)
    fitted_on: int = 0  # memory cases used

    def summary(self) -> dict[str, object]:
        return {
            "fitted_on": self.fitted_on,
            "thresholds": {k: round(v, 4) for k, v in self.thresholds.items()},
            "recall": {k: round(v, 4) for k, v in self.recall.items()},
            "false_alarm_rate": {k: round(v, 4) for k, v in self.false_alarm_rate.items()},
            "positives": dict(self.positives),
        }


def _sigmoid_fit(x: np.ndarray, y: np.ndarray) -> SourceCalibration | None:
    if len(np.unique(y)) < 2 or float(np.std(x)) < 1e-6:
        return None
    model = LogisticRegression(C=1.0, max_iter=200)
    model.fit(x.reshape(-1, 1), y)
    slope = float(model.coef_[0][0])
    if slope <= 0:  # a source that does not separate the category is no evidence; keep the default
        return None
    return SourceCalibration(float(model.intercept_[0]), slope)


def combine(probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """Noisy-OR: the probability that at least one source is right."""
    miss = np.ones_like(probabilities[0])
    for p in probabilities:
        miss = miss * (1.0 - p)
    return 1.0 - miss


class ExemplarIndex:
    """The bank, embedded and n-grammed once; immutable and shared by every detector (eval folds too)."""

    def __init__(
        self, bank: ExemplarBank, *, embedder: Embedder, cache_dir: Path | None = None, ngram_min_length: int = 3,
    ) -> None:
        self.bank = bank
        self.group_index = np.asarray(bank.group_of)
        self.vectors = self._embed(embedder, cache_dir)
        # Character n-grams within word boundaries: robust to misspelling and inflection, and usable in
        # scripts without spaces; idf from the bank, so words every exemplar shares weigh little.
        self.ngrams = TfidfVectorizer(analyzer="char_wb", ngram_range=(ngram_min_length, 5), sublinear_tf=True,
                                      min_df=1, dtype=np.float32, lowercase=True)
        weights = self.ngrams.fit_transform(list(bank.texts))
        # each exemplar's n-gram weights, normalised to sum 1: overlap = weight share found in the ticket
        sums = np.asarray(weights.sum(axis=1)).ravel()
        sums[sums == 0] = 1.0
        self.exemplar_ngrams = sparse.csr_matrix(sparse.diags(1.0 / sums) @ weights).T.tocsr()

    def _embed(self, embedder: Embedder, cache_dir: Path | None) -> np.ndarray:
        name = getattr(embedder, "name", "embedder")
        key = hashlib.sha256(f"{self.bank.digest}|{name}".encode()).hexdigest()[:16]
        path = cache_dir / f"critical-exemplars-{key}.npy" if cache_dir is not None else None
        if path is not None and path.exists():
            try:
                cached = np.load(path)
                if cached.shape == (len(self.bank.texts), embedder.dimension):
                    return cached.astype(np.float32)
            except (OSError, ValueError):
                log.warning("ignoring an unreadable exemplar cache %s", path)
        vectors = np.asarray(embedder.embed(list(self.bank.texts)), dtype=np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(path.stem + ".tmp.npy")
                np.save(tmp, vectors)
                tmp.replace(path)
            except OSError:
                log.warning("could not cache exemplar vectors in %s", path)
        return vectors

    def features(self, vectors: np.ndarray | None, texts: Sequence[str]) -> CriticalFeatures:
        n, groups = len(texts), len(self.bank.groups)
        embedding = np.zeros((n, groups), dtype=np.float32)
        nearest = np.zeros((n, groups), dtype=np.int64)
        if vectors is not None and n:
            sims = np.asarray(vectors, dtype=np.float32) @ self.vectors.T  # (n, exemplars)
            for gi in range(groups):
                cols = np.flatnonzero(self.group_index == gi)
                block = sims[:, cols]
                best = block.argmax(axis=1)
                embedding[:, gi] = block[np.arange(n), best]
                nearest[:, gi] = cols[best]
        ngram = np.zeros((n, groups), dtype=np.float32)
        if n:
            present = self.ngrams.transform([t.lower() for t in texts])
            present.data[:] = 1.0  # presence, not frequency: a long ticket is not more similar for repeating
            overlap = (present @ self.exemplar_ngrams).toarray()  # (n, exemplars)
            for gi in range(groups):
                cols = np.flatnonzero(self.group_index == gi)
                ngram[:, gi] = overlap[:, cols].max(axis=1)
        return CriticalFeatures(embedding=embedding, nearest=nearest, ngram=ngram)


class CriticalDetector:
    """Scores tickets against the exemplar index; calibrated on the case memory (see module docstring)."""

    def __init__(
        self,
        index: ExemplarIndex,
        *,
        policy: Policy,
        recall_target: float = 0.98,
        min_positives: int = 8,
        max_calibration_cases: int = 20_000,
        seed: int = 7,
    ) -> None:
        self.index = index
        self.bank = index.bank
        self.policy = policy
        self.recall_target = recall_target
        self.min_positives = min_positives
        self.max_calibration_cases = max_calibration_cases
        self._seed = seed
        self._category_groups: dict[str, list[int]] = {}
        for gi, cat in enumerate(self.bank.group_category):
            self._category_groups.setdefault(cat, []).append(gi)
        self._calibration = Calibration(sources=dict(DEFAULT_CALIBRATION),
                                        thresholds={c: DEFAULT_THRESHOLD for c in self._category_groups})
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return f"critical.v1+{self.bank.version}#{self.bank.digest[:8]}"

    @property
    def calibration(self) -> Calibration:
        return self._calibration

    def features(self, vectors: np.ndarray | None, texts: Sequence[str]) -> CriticalFeatures:
        return self.index.features(vectors, texts)

    def _category_evidence(
        self, feats: CriticalFeatures, category_probs: np.ndarray, calibration: Calibration
    ) -> dict[str, np.ndarray]:
        """Per category: the combined score of each ticket (n,)."""
        out: dict[str, np.ndarray] = {}
        for cat, groups in self._category_groups.items():
            emb = feats.embedding[:, groups].max(axis=1)
            ng = feats.ngram[:, groups].max(axis=1)
            parts = [calibration.sources["embedding"].probability(emb),
                     calibration.sources["ngram"].probability(ng)]
            cls_index = list(self._category_groups).index(cat)
            if category_probs.size:
                parts.append(calibration.sources["classifier"].probability(category_probs[:, cls_index]))
            out[cat] = combine(parts)
        return out

    def assess(
        self, feats: CriticalFeatures, *, category_probs: dict[str, float], signals: Sequence[Signal],
    ) -> tuple[CriticalHit, ...]:
        """The critical situations found in one ticket (`feats` is that ticket's row)."""
        calibration = self._calibration
        cats = list(self._category_groups)
        probs = (np.asarray([[category_probs.get(c, 0.0) for c in cats]], dtype=np.float32)
                 if category_probs else np.zeros((1, 0), dtype=np.float32))
        scores = self._category_evidence(feats, probs, calibration)
        hits: list[CriticalHit] = []
        for cat, groups in self._category_groups.items():
            score = float(scores[cat][0])
            threshold = calibration.thresholds.get(cat, DEFAULT_THRESHOLD)
            fired = [s for s in signals if s.category == cat]
            if score < threshold and not fired:
                continue
            # the group that best explains the ticket: the highest risk among groups with real evidence,
            # then the closest exemplar
            def strength(gi: int) -> float:
                return max(float(feats.embedding[0, gi]), float(feats.ngram[0, gi]))

            ranked = sorted(groups, key=lambda gi: -strength(gi))
            best = ranked[0]
            close = [gi for gi in ranked if strength(gi) >= strength(best) - 0.05]
            best = max(close, key=lambda gi: self.policy.severity(self.bank.group_risk[gi]))
            risk = self.bank.group_risk[best]
            for s in fired:  # a signal sets at least its own level
                risk = self.policy.max_risk(risk, s.min_risk) if s.min_risk in self.policy.risk_order else risk
            exemplar = int(feats.nearest[0, best])
            hits.append(CriticalHit(
                group=self.bank.groups[best], category=cat, risk=risk, score=round(score, 4),
                threshold=round(threshold, 4), exemplar=self.bank.texts[exemplar],
                exemplar_language=self.bank.languages[exemplar],
                similarity=round(float(feats.embedding[0, best]), 4),
                ngram_similarity=round(float(feats.ngram[0, best]), 4),
                classifier_probability=round(float(category_probs.get(cat, 0.0)), 4),
                signal=fired[0].name if fired else None,
            ))
        hits.sort(key=lambda h: (-self.policy.severity(h.risk), -h.score))
        return tuple(hits)

    # -- calibration on the memory -----------------------------------------------------------------
    def calibrate(
        self, *, vectors: np.ndarray, texts: Sequence[str], categories: Sequence[str],
        oof_classes: Sequence[str] | None = None, oof_probabilities: np.ndarray | None = None,
    ) -> Calibration:
        """Fit the source calibrations and the per-category thresholds on the memory (out of fold).

        `oof_probabilities` are the local classifier's out-of-fold category probabilities for the same
        cases (columns `oof_classes`); without them the classifier source keeps its default mapping.
        """
        labels = np.asarray(list(categories))
        n = len(labels)
        if n == 0:  # an empty memory: back to the defaults
            calibration = Calibration(sources=dict(DEFAULT_CALIBRATION),
                                      thresholds={c: DEFAULT_THRESHOLD for c in self._category_groups})
            with self._lock:
                self._calibration = calibration
            return calibration
        idx = np.arange(n)
        if n > self.max_calibration_cases:  # bounded cost: every positive, a sample of the rest
            rng = np.random.default_rng(self._seed)
            critical = np.isin(labels, list(self._category_groups))
            others = idx[~critical]
            keep = rng.choice(others, size=max(0, self.max_calibration_cases - int(critical.sum())), replace=False)
            idx = np.sort(np.concatenate([idx[critical], keep]))
        labels = labels[idx]
        feats = self.features(np.asarray(vectors)[idx], [texts[int(i)] for i in idx])
        cats = list(self._category_groups)
        probs = np.zeros((len(idx), 0), dtype=np.float32)
        if oof_probabilities is not None and oof_classes is not None:
            cols = [list(oof_classes).index(c) if c in oof_classes else -1 for c in cats]
            full = np.asarray(oof_probabilities)[idx]
            probs = np.stack([full[:, j] if j >= 0 else np.zeros(len(idx)) for j in cols], axis=1)

        # one calibration per source, pooled over the critical categories (more data than per category)
        pooled: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {s: ([], []) for s in SOURCES}
        for ci, (cat, groups) in enumerate(self._category_groups.items()):
            y = (labels == cat).astype(int)
            pooled["embedding"][0].append(feats.embedding[:, groups].max(axis=1))
            pooled["ngram"][0].append(feats.ngram[:, groups].max(axis=1))
            for s in ("embedding", "ngram"):
                pooled[s][1].append(y)
            if probs.size:
                pooled["classifier"][0].append(probs[:, ci])
                pooled["classifier"][1].append(y)
        sources = dict(DEFAULT_CALIBRATION)
        total_positives = int(np.isin(labels, cats).sum())
        if total_positives >= self.min_positives:
            for s, (xs, ys) in pooled.items():
                if xs:
                    fitted = _sigmoid_fit(np.concatenate(xs), np.concatenate(ys))
                    if fitted is not None:
                        sources[s] = fitted
        provisional = Calibration(sources=sources, thresholds={})
        scores = self._category_evidence(feats, probs, provisional)
        thresholds: dict[str, float] = {}
        recall: dict[str, float] = {}
        false_alarm: dict[str, float] = {}
        positives: dict[str, int] = {}
        for cat in cats:
            pos = scores[cat][labels == cat]
            neg = scores[cat][labels != cat]
            positives[cat] = int(len(pos))
            if len(pos) >= self.min_positives:
                # the highest threshold that keeps recall_target of the positives (recall first)
                k = int(np.floor((1.0 - self.recall_target) * len(pos)))
                threshold = float(np.sort(pos)[k]) - 1e-6
                threshold = min(threshold, DEFAULT_THRESHOLD)  # never less sensitive than the default
            else:
                threshold = DEFAULT_THRESHOLD
            thresholds[cat] = threshold
            recall[cat] = float((pos >= threshold).mean()) if len(pos) else float("nan")
            false_alarm[cat] = float((neg >= threshold).mean()) if len(neg) else 0.0
        calibration = Calibration(sources=sources, thresholds=thresholds, recall=recall,
                                  false_alarm_rate=false_alarm, positives=positives, fitted_on=len(idx))
        with self._lock:
            self._calibration = calibration
        log.info("critical detector calibrated", extra={"calibration": calibration.summary()})
        return calibration

    def calibrate_on_fit(self, fit: FitResult) -> None:
        """The classifier's fit hook: calibrate on the same memory, with its out-of-fold probabilities."""
        oof = fit.oof.get("category")
        texts = [c.text for c in fit.cases]
        categories = [c.category for c in fit.cases]
        if oof is not None:
            classes, matrix, rows = oof
            full = np.zeros((len(fit.cases), len(classes)), dtype=np.float32)
            full[rows] = matrix
            self.calibrate(vectors=fit.vectors, texts=texts, categories=categories, oof_classes=classes,
                           oof_probabilities=full)
        else:
            self.calibrate(vectors=fit.vectors, texts=texts, categories=categories)
