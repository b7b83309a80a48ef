"""The critical-harm detector: a stage of its own that finds child-safety, imminent self-harm, threats and
planned attacks, violent extremism and doxxing whatever the wording, and only ever raises risk.

Three kinds of evidence per critical category:

* **a head trained on the exemplar bank** (`policy/critical.yaml`: many short descriptions and phrasings
  of each critical situation, per language, owned by operators) together with the case memory: a linear
  one-vs-rest model over [the ticket's embedding | character n-gram TF-IDF]. The embedding is the
  ticket's own vector (reused, no second model call); the character n-grams carry misspellings, slang,
  code-switching and the languages the English embedder reads poorly. Its negatives are the bank's
  `contrast` lines (harmless uses of alarming words), the other categories' exemplars and the memory's
  other cases, so it learns what sets a critical ticket apart from an ordinary one *in the same style and
  language*, rather than "short exemplar vs long ticket";
* **the local classifier's probability** of the category (learned from the memory), combined with the
  head by a noisy-OR (either view may find it);
* **the regex signals** of `policy/signals.yaml` for that category: a signal is a hit by itself.

Thresholds are chosen per category on out-of-fold scores (the bank, the contrast lines and the memory
are each split in folds; nothing is scored by a head that saw it): recall first — the highest threshold
that still finds `recall_target` (0.98) of the held-out positives (bank exemplars and memory cases of the
category) — within a false-alarm budget: the threshold never flags more than `max_false_alarm_rate` of
the memory's non-critical cases. Where the budget binds, the recall actually reached is logged and shown
in `/readyz`. Every fit (each time the classifier refits on a changed memory) refits the heads, so
reviewed tickets teach the detector too.

A second, lower threshold per category (the watch threshold: the score that flags `watch_false_alarm_rate`
of the same negatives, never above the hit threshold) marks near misses: where the budget binds, the critical
tickets the hit threshold misses mostly score just below it. A near miss raises risk to at most `high` and asks
for a person (`critical_near_miss`); it moves no category.

A hit always raises risk to its group's level and sets `needs_human` with the evidence (group, score,
threshold, nearest exemplar, each source's value). It moves the ticket to its category only when the
decided category cannot carry that risk *and* the detector is the better-supported view (see
`triage.pipeline.stages.apply_critical`); it never lowers anything.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator
from scipy import sparse
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier

from triage.domain.policy import Policy, line_of, read_policy_file
from triage.errors import PolicyError
from triage.pipeline.classify import FitResult
from triage.pipeline.decision import CriticalHit
from triage.pipeline.fit_cache import FitCache, fingerprint
from triage.pipeline.inference import tfidf_transform
from triage.pipeline.signals import Signal
from triage.ports import Embedder

__all__ = [
    "CriticalDetector",
    "CriticalFeatures",
    "LinearHead",
    "DetectorState",
    "ExemplarBank",
    "ExemplarIndex",
    "load_exemplar_bank",
    "noisy_or",
]

log = logging.getLogger(__name__)

#: fits on identical inputs in one process are shared (see triage.pipeline.fit_cache)
FITS = FitCache(size=8)
#: the more severe level of a category (imminent self-harm, a planned attack) when its head gives at least
#: this. Recall first: on the bank's held-out exemplars 0.3 finds 0.84 / 0.91 of imminent self-harm / planned
#: attacks (0.5: 0.75 / 0.82), at the cost of 0.45 / 0.36 of the other level raised (0.5: 0.36 / 0.18).
SEVERITY_THRESHOLD = 0.3
#: the most a near miss (a score in the watch band, below the hit threshold) raises risk to: a person looks soon,
#: but the P1 queues stay for hits
NEAR_MISS_RISK = "high"


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
    ordinary: dict[str, list[str]] = Field(default_factory=dict)


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
    ordinary: tuple[str, ...] = ()

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
    ordinary = tuple(" ".join(t.split()) for items in spec.ordinary.values() for t in items if t.strip())
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
        ordinary=ordinary,
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


@dataclass(frozen=True, eq=False)
class LinearHead:
    """A fitted logistic head: what scoring needs of an `SGDClassifier`, and no more.

    The classifier also keeps its averaging state (two more copies of the weights, 60k n-grams + 384 wide):
    kept, it made the detector three quarters of every saved model's size and of its save time. The
    probability is the classifier's own (`predict_proba` of a binary log-loss model is the logistic of
    `X @ coef + intercept`), in the dtype it fitted in (float32 on the detector's float32 features)."""

    coef: np.ndarray  # (n_features,)
    intercept: np.floating  # type: ignore[type-arg]

    @classmethod
    def of(cls, model: SGDClassifier) -> LinearHead:
        return cls(coef=np.array(model.coef_[0]), intercept=model.intercept_[0])

    def probability(self, x: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(expit(x @ self.coef + self.intercept)).ravel()


# -- the fitted state ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class DetectorState:
    """What a fit produced; swapped in one assignment so a decision never sees half of two fits."""

    ngrams: TfidfVectorizer | None
    heads: dict[str, LinearHead]  # one-vs-rest, per critical category
    thresholds: dict[str, float]  # a hit at or above (recall first, within the false-alarm budget)
    platt: dict[str, tuple[float, float]]  # score -> calibrated probability on the memory (a, b)
    recall: dict[str, float] = field(default_factory=dict)  # out of fold, bank + memory positives
    false_alarm_rate: dict[str, float] = field(default_factory=dict)  # out of fold, memory non-critical
    positives: dict[str, int] = field(default_factory=dict)
    fitted_on: int = 0  # memory cases used
    budget_bound: tuple[str, ...] = ()  # categories where the false-alarm budget, not recall, set the threshold
    # per category whose groups span two risk levels: a head "the more severe level vs the other"
    severity: dict[str, LinearHead] = field(default_factory=dict)
    # per category, the near-miss threshold (<= the hit threshold): a score in between raises to high
    watch: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "fitted_on": self.fitted_on,
            "thresholds": {k: round(v, 4) for k, v in self.thresholds.items()},
            "recall": {k: round(v, 4) for k, v in self.recall.items()},
            "false_alarm_rate": {k: round(v, 4) for k, v in self.false_alarm_rate.items()},
            "positives": dict(self.positives),
            "budget_bound": list(self.budget_bound),
            "watch": {k: round(v, 4) for k, v in getattr(self, "watch", {}).items()},
        }


def noisy_or(*probabilities: np.ndarray) -> np.ndarray:
    """The probability that at least one source is right (sources treated as independent)."""
    miss = np.ones_like(probabilities[0])
    for p in probabilities:
        miss = miss * (1.0 - p)
    return 1.0 - miss


class ExemplarIndex:
    """The bank, embedded and n-grammed once; immutable and shared by every detector (eval folds too)."""

    def __init__(
        self, bank: ExemplarBank, *, embedder: Embedder, cache_dir: Path | None = None, ngram_min_length: int = 3,
        bundled_dir: Path | None = None,
    ) -> None:
        self.bank = bank
        self.group_index = np.asarray(bank.group_of)
        self._bundled_dir = bundled_dir
        self.vectors = self._embed(list(bank.texts), embedder, cache_dir, "exemplars")
        self.contrast_vectors = (self._embed(list(bank.contrast), embedder, cache_dir, "contrast") if bank.contrast
                                 else np.zeros((0, self.vectors.shape[1]), dtype=np.float32))
        self.ordinary_vectors = (self._embed(list(bank.ordinary), embedder, cache_dir, "ordinary") if bank.ordinary
                                 else np.zeros((0, self.vectors.shape[1]), dtype=np.float32))
        # Character n-grams within word boundaries: robust to misspelling and inflection, and usable in
        # scripts without spaces; idf from the bank, so words every exemplar shares weigh little.
        self.ngrams = TfidfVectorizer(analyzer="char_wb", ngram_range=(ngram_min_length, 5), sublinear_tf=True,
                                      min_df=1, dtype=np.float32, lowercase=True)
        weights = self.ngrams.fit_transform(list(bank.texts))
        # each exemplar's n-gram weights, normalised to sum 1: overlap = weight share found in the ticket
        sums = np.asarray(weights.sum(axis=1)).ravel()
        sums[sums == 0] = 1.0
        self.exemplar_ngrams = sparse.csr_matrix(sparse.diags(1.0 / sums) @ weights).T.tocsr()

    @staticmethod
    def vector_file(bank: ExemplarBank, embedder_name: str, what: str) -> str:
        """The file name of a bank's vectors (`what`: exemplars | contrast) under one embedding model."""
        key = hashlib.sha256(f"{bank.digest}|{embedder_name}|{what}".encode()).hexdigest()[:16]
        return f"critical-{what}-{key}.npy"

    @staticmethod
    def bundled_parts(directory: Path, name: str) -> list[Path]:
        """The files of one bundled vector set: `<stem>.part<k>.npy`, in order (parts keep each file small)."""
        stem = name.removesuffix(".npy")
        return sorted(directory.glob(f"{stem}.part*.npy"), key=lambda p: int(p.stem.rpartition(".part")[2]))

    @classmethod
    def load_bundled(cls, directory: Path, name: str) -> np.ndarray | None:
        """A bundled vector set (its parts stacked), or None when there is none."""
        parts = cls.bundled_parts(directory, name)
        return np.vstack([np.load(p) for p in parts]) if parts else None

    def _embed(self, texts: list[str], embedder: Embedder, cache_dir: Path | None, what: str) -> np.ndarray:
        name = self.vector_file(self.bank, getattr(embedder, "name", "embedder"), what)
        path = cache_dir / name if cache_dir is not None else None
        # the cache, then the vectors shipped beside the bank (policy/vectors/, written by
        # scripts/bundle_exemplar_vectors.py for the default model): a first start need not embed the bank
        loaders = [(path, lambda: np.load(path))] if path is not None and path.exists() else []
        if self._bundled_dir is not None:
            bundled = self._bundled_dir
            loaders.append((bundled / name, lambda: self.load_bundled(bundled, name)))
        for candidate, load in loaders:
            try:
                cached = load()
                if cached is not None and cached.shape == (len(texts), embedder.dimension):
                    return cached.astype(np.float32)
            except (OSError, ValueError):
                log.warning("ignoring unreadable exemplar vectors %s", candidate)
        log.info("embedding the critical detector's exemplar bank (once; cached in %s)", cache_dir,
                 extra={"texts": len(texts), "what": what})
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                # a temporary name of this writer's own: processes sharing TRIAGE_CACHE_DIR may write at once
                fd, name_tmp = tempfile.mkstemp(prefix=path.stem + ".", suffix=".tmp.npy", dir=path.parent)
                with os.fdopen(fd, "wb") as out:
                    np.save(out, vectors)
                Path(name_tmp).replace(path)
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
            present = tfidf_transform(self.ngrams, [t.lower() for t in texts])
            present.data[:] = 1.0  # presence, not frequency: a long ticket is not more similar for repeating
            overlap = (present @ self.exemplar_ngrams).toarray()  # (n, exemplars)
            for gi in range(groups):
                cols = np.flatnonzero(self.group_index == gi)
                ngram[:, gi] = overlap[:, cols].max(axis=1)
        return CriticalFeatures(embedding=embedding, nearest=nearest, ngram=ngram)


class CriticalDetector:
    """Per critical category, a head trained on the exemplar bank and the memory; see the module docstring."""

    def __init__(
        self,
        index: ExemplarIndex,
        *,
        policy: Policy,
        recall_target: float = 0.98,
        max_false_alarm_rate: float = 0.05,
        min_positives: int = 8,
        max_training_cases: int = 20_000,
        folds: int = 5,
        seed: int = 7,
        watch_false_alarm_rate: float = 0.10,
    ) -> None:
        self.index = index
        self.bank = index.bank
        self.policy = policy
        self.recall_target = recall_target
        self.max_false_alarm_rate = max_false_alarm_rate
        self.min_positives = min_positives
        self.max_training_cases = max_training_cases
        self.watch_false_alarm_rate = watch_false_alarm_rate
        self.folds = folds
        self._seed = seed
        self.categories: list[str] = self.bank.categories
        self._groups_of: dict[str, list[int]] = {c: [] for c in self.categories}
        for gi, cat in enumerate(self.bank.group_category):
            self._groups_of[cat].append(gi)
        self._state: DetectorState | None = None
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return f"critical.v3+{self.bank.version}#{self.bank.digest[:8]}"

    @property
    def state(self) -> DetectorState:
        if self._state is None:  # never fitted on a memory (no classifier fit yet): the bank alone
            self.fit(vectors=np.zeros((0, self.index.vectors.shape[1]), dtype=np.float32), texts=[], categories=[])
        assert self._state is not None
        return self._state

    def summary(self) -> dict[str, object]:
        return self.state.summary()

    def features(self, vectors: np.ndarray | None, texts: Sequence[str]) -> CriticalFeatures:
        return self.index.features(vectors, texts)

    # -- fitting ---------------------------------------------------------------------------------
    def _design(self, ngrams: TfidfVectorizer | None, vectors: np.ndarray | None, texts: Sequence[str],
                tfidf: sparse.csr_matrix | None = None) -> sparse.csr_matrix:
        """[embedding | character n-gram TF-IDF]; the embedding is zero when the embedder failed. `tfidf`: the texts'
        n-gram block when it is already computed (a fit's own texts)."""
        n = len(texts)
        dim = self.index.vectors.shape[1]
        emb = sparse.csr_matrix(np.asarray(vectors, dtype=np.float32) if vectors is not None
                                else np.zeros((n, dim), dtype=np.float32))
        if ngrams is None:
            return emb
        if tfidf is None:
            tfidf = tfidf_transform(ngrams, [t.lower() for t in texts])
        return sparse.hstack([emb, tfidf], format="csr")

    def _fit_head(self, x: sparse.csr_matrix, y: np.ndarray) -> LinearHead | None:
        """A linear head, logistic loss, classes balanced. SGD rather than lbfgs: the same separation on the
        seed memory and the moderation set (AUROC within 0.01) at a sixth of the fitting time, which matters
        because the heads are refitted (6 times, for the out-of-fold scores) whenever the memory changes.
        20 epochs rather than 30 (averaged SGD has settled by then): the detector's fit on the seed memory takes
        3.8 s instead of 6.0 s, and `triage eval compare` moves no metric on critical_paraphrases and
        seed_cases (docs/evals.md). 12 epochs moved none on those and openai_moderation either, but raised a
        false alarm on a small memory that 20 and 30 do not (tests/llm/test_compact_prompt.py)."""
        if y.sum() == 0 or y.sum() == len(y):
            return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return LinearHead.of(SGDClassifier(loss="log_loss", alpha=1e-4, class_weight="balanced", max_iter=20,
                                               tol=None, average=True, random_state=self._seed).fit(x, y))

    @staticmethod
    def _vocabulary(texts: list[str]) -> tuple[TfidfVectorizer, sparse.csr_matrix]:
        """The character n-gram vocabulary of one fit (bank, contrast and memory together), and those texts' TF-IDF.

        One vocabulary per fit, shared by the out-of-fold heads: a vocabulary and its IDF are unsupervised
        (no label reaches them), and building them once instead of once per fold took the detector's fit from
        14.6 s to 7.6 s on the test memory (2 cores); the folds still keep every head from the labels it scores.
        The texts' matrix comes from the same pass (`fit_transform`: the values `transform` gives, without
        analysing some 7,000 texts a second time: a fit on the seed memory took 20.8 s of CPU instead of 23.8 s, with
        the same heads and thresholds)."""
        ngrams = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2,
                                 max_features=60_000, dtype=np.float32, lowercase=True)
        tfidf = sparse.csr_matrix(ngrams.fit_transform([t.lower() for t in texts]))
        tfidf.sort_indices()  # as `tfidf_transform` gives it: the heads then sum in the same order
        return ngrams, tfidf

    def _fit_heads(self, x: sparse.csr_matrix, labels: np.ndarray) -> dict[str, LinearHead]:
        heads = {}
        for cat in self.categories:
            head = self._fit_head(x, (labels == cat).astype(int))
            if head is not None:
                heads[cat] = head
        return heads

    def _scores_of(self, heads: dict[str, LinearHead], x: sparse.csr_matrix) -> np.ndarray:
        out = np.zeros((x.shape[0], len(self.categories)), dtype=np.float32)
        if x.shape[0] == 0:
            return out
        for j, cat in enumerate(self.categories):
            head = heads.get(cat)
            if head is not None:
                out[:, j] = head.probability(x)
        return out

    def _levels(self, category: str) -> list[str]:
        """The risk levels of a category's groups, most severe first."""
        levels = {self.bank.group_risk[g] for g in self._groups_of[category]}
        return sorted(levels, key=self.policy.severity, reverse=True)

    def _fit_severity(
        self, x: sparse.csr_matrix, labels: np.ndarray, groups: list[int], risks: list[str] | None,
    ) -> dict[str, LinearHead]:
        """For a category whose groups span two levels (imminent vs other self-harm; a planned attack vs a
        threat to one person): a head for the more severe level, on the category's exemplars (by group) and
        memory cases (by their risk label). `x` is the design matrix of the rows `labels` describe."""
        out: dict[str, LinearHead] = {}
        for cat in self.categories:
            levels = self._levels(cat)
            if len(levels) < 2:
                continue
            rows, y = [], []
            for i, (label, g) in enumerate(zip(labels, groups, strict=True)):
                if label != cat:
                    continue
                level = self.bank.group_risk[g] if g >= 0 else (risks[i] if risks is not None else "")
                if level:
                    rows.append(i)
                    y.append(int(self.policy.severity(level) >= self.policy.severity(levels[0])))
            target = np.asarray(y)
            if len(rows) < 2 * self.min_positives or target.sum() == 0 or target.sum() == len(target):
                continue
            head = self._fit_head(x[rows], target)
            if head is not None:
                out[cat] = head
        return out

    def fit(
        self, *, vectors: np.ndarray, texts: Sequence[str], categories: Sequence[str],
        classifier_probabilities: np.ndarray | None = None, risks: Sequence[str] | None = None,
    ) -> DetectorState:
        """Train the heads on bank + contrast + memory; choose thresholds on out-of-fold scores.

        `classifier_probabilities` are the local classifier's out-of-fold probabilities of the critical
        categories for the memory cases (columns in `self.categories` order), when it has them.
        """
        key = fingerprint(self.version, self.recall_target, self.max_false_alarm_rate, self.min_positives,
                          self.max_training_cases, self.folds, self._seed, self.watch_false_alarm_rate,
                          list(texts), list(categories),
                          list(risks) if risks is not None else [], np.asarray(vectors, dtype=np.float32),
                          np.asarray(classifier_probabilities, dtype=np.float32)
                          if classifier_probabilities is not None else np.zeros(0))
        state = FITS.get_or_fit(key, lambda: self._fit(vectors=vectors, texts=texts, categories=categories,
                                                       classifier_probabilities=classifier_probabilities,
                                                       risks=risks))
        with self._lock:
            self._state = state
        return state

    def _fit(
        self, *, vectors: np.ndarray, texts: Sequence[str], categories: Sequence[str],
        classifier_probabilities: np.ndarray | None, risks: Sequence[str] | None,
    ) -> DetectorState:
        rng = np.random.default_rng(self._seed)
        critical = set(self.categories)
        mem_labels = np.asarray([c if c in critical else "" for c in categories], dtype=object)
        idx = np.arange(len(mem_labels))
        if len(idx) > self.max_training_cases:  # bounded cost: every critical case, a sample of the rest
            pos = idx[mem_labels != ""]
            rest = rng.choice(idx[mem_labels == ""], size=max(0, self.max_training_cases - len(pos)), replace=False)
            idx = np.sort(np.concatenate([pos, rest]))
        mem_texts = [texts[int(i)] for i in idx]
        mem_vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.index.vectors.shape[1])[idx]
        mem_labels = mem_labels[idx]
        mem_cls = (np.asarray(classifier_probabilities, dtype=np.float32)[idx]
                   if classifier_probabilities is not None else np.zeros((len(idx), len(self.categories)), np.float32))
        bank_texts = list(self.bank.texts)
        bank_labels = np.asarray([self.bank.group_category[g] for g in self.bank.group_of], dtype=object)
        contrast = list(self.bank.contrast)
        ordinary = list(self.bank.ordinary)

        all_texts = bank_texts + contrast + ordinary + mem_texts
        all_vectors = np.vstack([self.index.vectors, self.index.contrast_vectors, self.index.ordinary_vectors,
                                 mem_vectors])
        all_labels = np.concatenate([bank_labels, np.full(len(contrast) + len(ordinary), "", dtype=object),
                                     mem_labels])
        ngrams, tfidf = self._vocabulary(all_texts)
        x = self._design(ngrams, all_vectors, all_texts, tfidf)

        # out-of-fold scores: bank, contrast, ordinary lines and memory each split in folds (nothing scores itself)
        kb = rng.integers(0, self.folds, len(bank_texts))
        kc = rng.integers(0, self.folds, len(contrast))
        km = rng.integers(0, self.folds, len(mem_texts))
        ko = rng.integers(0, self.folds, len(ordinary))  # drawn last: the other folds stay as they were
        fold_of = np.concatenate([kb, kc, ko, km])
        oof = np.zeros((len(all_texts), len(self.categories)), dtype=np.float32)
        for k in range(self.folds):
            held = fold_of == k
            fold_heads = self._fit_heads(x[~held], all_labels[~held])
            oof[held] = self._scores_of(fold_heads, x[held])
        nb, nc, no = len(bank_texts), len(contrast), len(ordinary)
        oof_bank, oof_contrast, oof_mem = oof[:nb], oof[nb:nb + nc], oof[nb + nc + no:]
        heads = self._fit_heads(x, all_labels)
        severity = self._fit_severity(x, all_labels,
                                      list(self.bank.group_of) + [-1] * (nc + no + len(mem_texts)),
                                      [""] * (nb + nc + no) + [risks[int(i)] for i in idx]
                                      if risks is not None else None)

        # the score a decision will see: head noisy-OR classifier (a bank exemplar has no classifier view)
        mem_scores = noisy_or(oof_mem, mem_cls)
        negatives = mem_scores[mem_labels == ""]
        if len(negatives) < 20:  # an empty or tiny memory: the harmless contrast lines are the negatives
            negatives = np.vstack([negatives, oof_contrast]) if len(negatives) else oof_contrast
        thresholds: dict[str, float] = {}
        recall: dict[str, float] = {}
        false_alarm: dict[str, float] = {}
        positives: dict[str, int] = {}
        platt: dict[str, tuple[float, float]] = {}
        watch: dict[str, float] = {}
        bound: list[str] = []
        for j, cat in enumerate(self.categories):
            pos = np.concatenate([oof_bank[bank_labels == cat, j], mem_scores[mem_labels == cat, j]])
            neg = negatives[:, j]
            positives[cat] = int((mem_labels == cat).sum())
            # recall first: the highest threshold that keeps recall_target of the positives ...
            k = int(np.floor((1.0 - self.recall_target) * len(pos)))
            by_recall = float(np.sort(pos)[k]) if len(pos) else 0.5
            # ... unless that flags more than the false-alarm budget of the non-critical cases
            by_budget = float(np.quantile(neg, 1.0 - self.max_false_alarm_rate)) if len(neg) else 0.0
            threshold = max(by_recall, by_budget)
            if by_budget > by_recall:
                bound.append(cat)
            thresholds[cat] = threshold
            # the near-miss band: below the hit threshold, within a looser false-alarm budget on the same negatives
            if self.watch_false_alarm_rate > self.max_false_alarm_rate and len(neg):
                watch[cat] = min(threshold, float(np.quantile(neg, 1.0 - self.watch_false_alarm_rate)))
            recall[cat] = float((pos >= threshold).mean()) if len(pos) else float("nan")
            false_alarm[cat] = float((neg >= threshold).mean()) if len(neg) else 0.0
            platt[cat] = self._platt(mem_scores[:, j], (mem_labels == cat).astype(int))
        state = DetectorState(ngrams=ngrams, heads=heads, thresholds=thresholds, platt=platt, recall=recall,
                              false_alarm_rate=false_alarm, positives=positives, fitted_on=len(mem_texts),
                              budget_bound=tuple(bound), severity=severity, watch=watch)
        if bound:
            log.warning("critical detector: the false-alarm budget (%.2f) keeps recall below %.2f for %s",
                        self.max_false_alarm_rate, self.recall_target,
                        ", ".join(f"{c} ({recall[c]:.2f})" for c in bound))
        log.info("critical detector fitted", extra={"critical_detector": state.summary()})
        return state

    def _platt(self, scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
        """score -> P(category) on the memory's base rates (used to decide whether to move a category)."""
        if y.sum() < self.min_positives or y.sum() == len(y):
            return (0.0, 1.0)  # identity on the logit: the head's own probability
        logit = np.log(np.clip(scores, 1e-6, 1 - 1e-6) / np.clip(1 - scores, 1e-6, 1.0)).reshape(-1, 1)
        model = LogisticRegression(C=1.0, max_iter=200).fit(logit, y)
        return float(model.intercept_[0]), float(model.coef_[0][0])

    def calibrated(self, category: str, score: float) -> float:
        a, b = self.state.platt.get(category, (0.0, 1.0))
        logit = np.log(max(score, 1e-6) / max(1.0 - score, 1e-6))
        return float(1.0 / (1.0 + np.exp(-(a + b * logit))))

    def export_state(self) -> object:
        """The fitted state, saved with the classifier's (triage.pipeline.model_state)."""
        return self.state

    def import_state(self, state: object) -> None:
        """Adopt a saved state (start-up): no refit. Anything but a DetectorState is refused."""
        if not isinstance(state, DetectorState):
            raise TypeError(f"not a critical detector state: {type(state).__name__}")
        with self._lock:
            self._state = state

    def calibrate_on_fit(self, fit: FitResult) -> None:
        """The classifier's fit hook: fit on the same memory, with its out-of-fold probabilities."""
        oof = fit.oof.get("category")
        probs = None
        if oof is not None:
            classes, matrix, rows = oof
            full = np.zeros((len(fit.cases), len(classes)), dtype=np.float32)
            full[rows] = matrix
            probs = np.stack([full[:, classes.index(c)] if c in classes else np.zeros(len(fit.cases), np.float32)
                              for c in self.categories], axis=1)
        # a case without a category is a negative here only when its labels rule out every critical category; one
        # that leaves a critical category open might be a positive, so it stays out (never counted as harmless)
        critical = set(self.categories)
        keep = np.array([c.labelled or not critical & set(c.unknown) for c in fit.cases], dtype=bool)
        cases, vectors = fit.cases, fit.vectors
        if not keep.all():
            probs = probs[keep] if probs is not None else None
            cases, vectors = [c for c, k in zip(fit.cases, keep, strict=True) if k], np.asarray(fit.vectors)[keep]
        self.fit(vectors=vectors, texts=[c.text for c in cases],
                 categories=[c.category or "" for c in cases], classifier_probabilities=probs,
                 risks=[c.risk or "" for c in cases])

    # -- deciding --------------------------------------------------------------------------------
    def scores(self, vectors: np.ndarray | None, texts: Sequence[str]) -> np.ndarray:
        """(n, 2 x categories): each category's head score, then its severity score (0 without a head)."""
        state = self.state
        if not texts or not (state.heads or state.severity):
            return np.zeros((len(texts), 2 * len(self.categories)), dtype=np.float32)
        x = self._design(state.ngrams, vectors, texts)  # one design matrix for both kinds of head
        return np.hstack([self._scores_of(state.heads, x), self._scores_of(state.severity, x)])

    def detect(
        self, vectors: np.ndarray | None, texts: Sequence[str], *, category_probs: Sequence[dict[str, float]],
        signals: Sequence[Sequence[Signal]],
    ) -> list[tuple[tuple[CriticalHit, ...], tuple[CriticalHit, ...]]]:
        """Per ticket, its hits and its near misses (a score in the category's watch band: at or above the watch
        threshold, below the hit threshold). The nearest-exemplar evidence (cosine and n-gram overlap against every
        exemplar) is computed only for tickets that reach either: most tickets pay for the heads alone."""
        state = self.state
        watch = getattr(state, "watch", {})  # a state saved before the watch band has none
        n = len(self.categories)
        scores = self.scores(vectors, texts)
        out: list[tuple[tuple[CriticalHit, ...], tuple[CriticalHit, ...]]] = [((), ()) for _ in texts]
        maybe = []
        for i, probs in enumerate(category_probs):
            cls = np.asarray([probs.get(c, 0.0) for c in self.categories], dtype=np.float32)
            combined = noisy_or(scores[i, :n], cls)
            if signals[i] or any(combined[j] >= min(state.thresholds.get(c, 0.5), watch.get(c, 1.0))
                                 for j, c in enumerate(self.categories)):
                maybe.append(i)
        if maybe:
            feats = self.features(vectors[maybe] if vectors is not None else None, [texts[i] for i in maybe])
            for k, i in enumerate(maybe):
                out[i] = self.assess(feats.row(k), scores[i], category_probs=category_probs[i],
                                         signals=signals[i])
        return out

    def assess(
        self, feats: CriticalFeatures, head_scores: np.ndarray, *, category_probs: dict[str, float],
        signals: Sequence[Signal],
    ) -> tuple[tuple[CriticalHit, ...], tuple[CriticalHit, ...]]:
        """One ticket's hits, and its near misses: a near miss names the group that best explains the ticket like
        a hit does, but its risk is at most `high` and its threshold is the watch threshold it reached."""
        state = self.state
        watch = getattr(state, "watch", {})
        hits: list[CriticalHit] = []
        near: list[CriticalHit] = []
        n = len(self.categories)
        for j, cat in enumerate(self.categories):
            p_cls = float(category_probs.get(cat, 0.0))
            score = float(noisy_or(np.asarray([head_scores[j]]), np.asarray([p_cls]))[0])
            threshold = state.thresholds.get(cat, 0.5)
            fired = [s for s in signals if s.category == cat]
            near_miss = score < threshold and not fired
            if near_miss and score < watch.get(cat, threshold):
                continue
            groups = self._groups_of[cat]

            # the group that best explains the ticket: the closest exemplars; among near-equals the most severe
            def strength(gi: int) -> float:
                return max(float(feats.embedding[0, gi]), float(feats.ngram[0, gi]))

            levels = self._levels(cat)
            if cat in state.severity:  # the level its severity head gives, then the closest group of that level
                level = levels[0] if float(head_scores[n + j]) >= SEVERITY_THRESHOLD else levels[1]
                groups = [gi for gi in groups if self.bank.group_risk[gi] == level] or groups
            else:  # one level, or too little data for a severity head: the least severe level of the groups
                level = levels[-1]
                groups = [gi for gi in groups if self.bank.group_risk[gi] == level] or groups
            best = max(groups, key=strength)
            risk = self.bank.group_risk[best]
            if near_miss:
                risk = min(risk, NEAR_MISS_RISK, key=self.policy.severity)
            for s in fired:  # a signal sets at least its own level
                if s.min_risk in self.policy.risk_order:
                    risk = self.policy.max_risk(risk, s.min_risk)
            exemplar = int(feats.nearest[0, best])
            (near if near_miss else hits).append(CriticalHit(
                group=self.bank.groups[best], category=cat, risk=risk, score=round(score, 4),
                threshold=round(watch[cat] if near_miss else threshold, 4), exemplar=self.bank.texts[exemplar],
                exemplar_language=self.bank.languages[exemplar],
                similarity=round(float(feats.embedding[0, best]), 4),
                ngram_similarity=round(float(feats.ngram[0, best]), 4),
                classifier_probability=round(p_cls, 4), signal=fired[0].name if fired else None,
                probability=round(self.calibrated(cat, score), 4),
            ))
        hits.sort(key=lambda h: (-self.policy.severity(h.risk), -h.score))
        near.sort(key=lambda h: -h.score)
        return tuple(hits), tuple(near)
