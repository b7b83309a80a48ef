"""What the registry's metrics are computed over: a run's prediction rows as columns.

Each sample is a frozen set of equally long arrays, one entry per prediction row:

* `LabelSample`  one scored label (codes of gold and predicted, calibration inputs, risk ranks);
* `FlagSample`   one flag, on the rows that carry its key;
* `ShareSample`  whether each row carries something (a reason code);
* `ValueSample`  one number per row, NaN where the row has none (a pipeline stage's latency);
* `RunSample`    run-level columns: needs_human, critical-detector hits, drafts, robustness, LLM usage.

`take(idx)` returns the sample of the rows at `idx` (with repeats): the report computes a metric on the
whole sample, compare on paired bootstrap resamples of both runs, with the same function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Self

import numpy as np

from triage.evals.metrics import brier_score, calibration_table, top_probability
from triage.evals.predictions import PredictionRow
from triage.pipeline.decision import ReasonCode

__all__ = ["FlagSample", "LabelSample", "RunSample", "ShareSample", "ValueSample", "reason_codes", "stages"]


@dataclass(frozen=True)
class _Columns:
    def take(self, idx: np.ndarray) -> Self:
        """The sample of the rows at `idx` (a bootstrap resample repeats rows)."""
        arrays = {f.name: value[idx] for f in dataclasses.fields(self)
                  if isinstance(value := getattr(self, f.name), np.ndarray)}
        return dataclasses.replace(self, **arrays)

    def __len__(self) -> int:
        return next((len(v) for f in dataclasses.fields(self)
                     if isinstance(v := getattr(self, f.name), np.ndarray)), 0)


def _floats(values: Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


@dataclass(frozen=True)
class LabelSample(_Columns):
    """One scored label: gold and predicted as codes into `classes`, and what calibration needs."""

    classes: tuple[str, ...]
    gold: np.ndarray  # int codes
    pred: np.ndarray
    top_conf: np.ndarray  # the distribution's top probability; NaN without a distribution
    top_correct: np.ndarray  # 1.0 when the distribution's top class is the gold label
    brier: np.ndarray  # per-row Brier score of the distribution; NaN without one
    decision_conf: np.ndarray  # the confidence the decision reports; NaN without one
    gold_rank: np.ndarray | None = None  # risk only: severity rank, 0 = most severe
    pred_rank: np.ndarray | None = None
    levels: int = 0  # risk only: how many levels the policy has
    reviewed: np.ndarray | None = None  # risk only: bool, the decision asked for a person (needs_human)

    @classmethod
    def build(cls, gold: Sequence[str], pred: Sequence[str], *, probabilities: Sequence[dict[str, float] | None],
              confidence: Sequence[float | None], risk_order: Sequence[str] | None = None,
              needs_human: Sequence[bool] | None = None) -> LabelSample:
        """`risk_order` (most severe first) for the risk label: it enables the triage metrics; with `needs_human`
        (one per row) also the one that asks whether a miss went to a person."""
        classes = tuple(sorted(set(gold) | set(pred)))
        code = {c: i for i, c in enumerate(classes)}
        tops = [top_probability(d) if d else None for d in probabilities]
        ranks: dict[str, Any] = {}
        if risk_order:
            rank = {lv: i for i, lv in enumerate(risk_order)}
            ranks = {"gold_rank": np.array([rank.get(g, len(rank)) for g in gold], dtype=int),
                     "pred_rank": np.array([rank.get(p, len(rank)) for p in pred], dtype=int),
                     "levels": len(rank)}
            if needs_human is not None:
                ranks["reviewed"] = np.array(needs_human, dtype=bool)
        return cls(
            classes=classes,
            gold=np.array([code[g] for g in gold], dtype=int),
            pred=np.array([code[p] for p in pred], dtype=int),
            top_conf=_floats([t[1] if t else None for t in tops]),
            top_correct=np.array([float(t is not None and t[0] == g) for t, g in zip(tops, gold, strict=True)]),
            brier=_floats([brier_score(d, g) if d else None for d, g in zip(probabilities, gold, strict=True)]),
            decision_conf=_floats(confidence),
            **ranks,
        )

    @classmethod
    def from_rows(cls, rows: Sequence[PredictionRow], name: str, *,
                  risk_order: Sequence[str] | None = None) -> LabelSample:
        """The rows that carry a gold and a predicted value of label `name`."""
        scored = [r for r in rows if name in r.gold and r.predicted.get(name) is not None]
        return cls.build([r.gold[name] for r in scored], [str(r.predicted[name]) for r in scored],
                         probabilities=[r.probabilities.get(name) or None for r in scored],
                         confidence=[r.confidence.get(name) for r in scored],
                         risk_order=risk_order if name == "risk" else None,
                         needs_human=[r.needs_human for r in scored])

    @cached_property
    def calibration(self) -> dict[str, Any]:
        """ECE, Brier and reliability bins of the distributions (rows that have one)."""
        has = ~np.isnan(self.top_conf)
        return calibration_table(self.top_conf[has], self.top_correct[has], self.brier[has])

    @cached_property
    def decision_calibration(self) -> dict[str, Any]:
        """ECE of the decision's reported confidence against its correctness."""
        has = ~np.isnan(self.decision_conf)
        return calibration_table(self.decision_conf[has], (self.gold == self.pred)[has].astype(float))


@dataclass(frozen=True)
class FlagSample(_Columns):
    """A binary flag on the rows that carry its key: gold 1/0, ranking score, decision at the operating point."""

    gold: np.ndarray  # int 0/1
    score: np.ndarray
    predicted: np.ndarray  # bool
    baseline: np.ndarray  # the per-flag logistic regression's score; NaN where the run had none

    @classmethod
    def build(cls, gold: Sequence[int | None], score: Sequence[float], predicted: Sequence[bool],
              baseline: Sequence[float | None] | None = None) -> FlagSample:
        keep = [i for i, g in enumerate(gold) if g is not None]
        base = baseline if baseline is not None else [None] * len(gold)
        return cls(gold=np.array([gold[i] for i in keep], dtype=int),
                   score=np.array([score[i] for i in keep], dtype=float),
                   predicted=np.array([predicted[i] for i in keep], dtype=bool),
                   baseline=np.array([np.nan if base[i] is None else base[i] for i in keep], dtype=float))

    @classmethod
    def from_rows(cls, rows: Sequence[PredictionRow], name: str) -> FlagSample:
        flags = [r.flags.get(name) for r in rows]
        return cls.build([f.gold if f else None for f in flags], [f.score if f else 0.0 for f in flags],
                         [bool(f and f.predicted) for f in flags], [f.baseline if f else None for f in flags])

    @property
    def has_baseline(self) -> bool:
        """Whether every row has the reference score (a run before the baseline, or a memory too small, has none)."""
        return bool(len(self.baseline)) and not bool(np.isnan(self.baseline).any())


@dataclass(frozen=True)
class ShareSample(_Columns):
    """Whether each row carries something (e.g. a reason code)."""

    carried: np.ndarray  # bool

    @classmethod
    def reason(cls, rows: Sequence[PredictionRow], code: str) -> ShareSample:
        return cls(np.array([code in r.reason_codes for r in rows], dtype=bool))


@dataclass(frozen=True)
class ValueSample(_Columns):
    """One number per row; NaN where the row has none."""

    values: np.ndarray

    @classmethod
    def stage(cls, rows: Sequence[PredictionRow], stage: str) -> ValueSample:
        """Latency of one pipeline stage; `total_ms` is the sum of a row's stages."""
        if stage == "total_ms":
            return cls(_floats([sum(r.latency_ms.values()) if r.latency_ms else None for r in rows]))
        return cls(_floats([r.latency_ms.get(stage) for r in rows]))

    @property
    def present(self) -> np.ndarray:
        return self.values[~np.isnan(self.values)]


@dataclass(frozen=True)
class RunSample(_Columns):
    """Run-level columns of the prediction rows."""

    needs_human: np.ndarray  # bool
    critical_hit: np.ndarray  # bool: the critical detector found at least one situation
    critical_raised: np.ndarray | None  # bool: ... one whose risk is the most severe level (None: level unknown)
    has_draft: np.ndarray  # bool
    draft_language_match: np.ndarray  # bool
    draft_issue: np.ndarray  # bool: a rule check failed
    draft_similarity: np.ndarray  # NaN without a reference reply
    draft_rouge_l: np.ndarray
    has_robustness: np.ndarray  # bool
    flipped: np.ndarray  # bool
    injection_flagged: np.ndarray  # bool
    llm_live: np.ndarray  # bool: an LLM call that was not answered from the cache
    llm_cached: np.ndarray  # bool
    prompt_tokens: np.ndarray  # int
    completion_tokens: np.ndarray  # int
    cost_usd: np.ndarray  # float

    @classmethod
    def from_rows(cls, rows: Sequence[PredictionRow], *, top_level: str | None) -> RunSample:
        """`top_level`: the policy's most severe risk level (a critical-detector hit at it raises to critical);
        None when it is not known (comparing old runs without a policy)."""
        llm = [r.path == "llm" for r in rows]

        def flags(values: list[bool]) -> np.ndarray:
            return np.array(values, dtype=bool)

        return cls(
            needs_human=flags([r.needs_human for r in rows]),
            critical_hit=flags([bool(r.critical) for r in rows]),
            critical_raised=(flags([any(h.risk == top_level for h in r.critical) for r in rows])
                             if top_level is not None else None),
            has_draft=flags([r.draft is not None for r in rows]),
            draft_language_match=flags([bool(r.draft and r.draft.language_match) for r in rows]),
            draft_issue=flags([bool(r.draft and r.draft.issues) for r in rows]),
            draft_similarity=_floats([r.draft.similarity if r.draft else None for r in rows]),
            draft_rouge_l=_floats([r.draft.rouge_l if r.draft else None for r in rows]),
            has_robustness=flags([r.robustness is not None for r in rows]),
            flipped=flags([bool(r.robustness and r.robustness.flipped) for r in rows]),
            injection_flagged=flags([bool(r.robustness and r.robustness.injection_flagged) for r in rows]),
            llm_live=flags([is_llm and not r.usage.cached for is_llm, r in zip(llm, rows, strict=True)]),
            llm_cached=flags([is_llm and r.usage.cached for is_llm, r in zip(llm, rows, strict=True)]),
            prompt_tokens=np.array([r.usage.prompt_tokens for r in rows], dtype=int),
            completion_tokens=np.array([r.usage.completion_tokens for r in rows], dtype=int),
            cost_usd=np.array([r.usage.cost_usd or 0.0 for r in rows], dtype=float),
        )


def reason_codes(rows: Sequence[PredictionRow]) -> list[str]:
    """Every reason code the pipeline knows, then any other a row carries (rows of another version)."""
    known = [str(c) for c in ReasonCode]
    return known + sorted({c for r in rows for c in r.reason_codes} - set(known))


def stages(rows: Sequence[PredictionRow]) -> list[str]:
    """The pipeline stages rows carry a latency for, in first-seen order, and total_ms."""
    seen = dict.fromkeys(k for r in rows for k in r.latency_ms)
    return [*seen, "total_ms"] if seen else []
