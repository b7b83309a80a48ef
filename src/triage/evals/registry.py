"""Every metric a run reports, declared once: its key, its direction, how it is computed, and where it shows.

The report (results.json, the summary tables, the threshold gates) and compare (paired-bootstrap deltas
and verdicts) both iterate `METRICS`; nothing else lists metric names or guesses a direction.

A metric's key is a path into results.json with at most one placeholder, which names the scope it is
computed over and the sample its function receives (`triage.evals.samples`):

    {label}.macro_f1                 LabelSample   one per scored label (`only` restricts it, e.g. to risk)
    flags.{flag}.auprc               FlagSample    one per flag of the suite
    pipeline.reason_rates.{reason}   ShareSample   one per reason code
    latency_ms.{stage}.p95           ValueSample   one per pipeline stage, and total_ms
    pipeline.needs_human_rate        RunSample     one per run

Adding a metric: write its function (in `triage.evals.metrics` when it is more than an expression over
the sample) and add one `Metric(...)` line below; evals/README.md documents it for suite authors. If it
needs something a prediction row does not carry yet, add the field to `PredictionRow` and set it in the
runner.

`guarded` metrics make compare fail with `--fail-on-regression` when their interval lies on the worse
side of zero; the others (rates whose better side depends on the data set, latency, cost) are shown with
their interval but never fail it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

import numpy as np

from triage.evals.metrics import (
    accuracy,
    average_precision,
    average_precision_resampled,
    false_alarm_rate,
    level_recall,
    macro_f1,
    macro_f1_resampled,
    over_triage_rate,
    precision_at,
    recall_at,
    roc_auc,
    roc_auc_resampled,
    share,
    under_triage_rate,
    unreviewed_under_triage_rate,
)
from triage.evals.samples import FlagSample, LabelSample, RunSample, ShareSample, ValueSample

__all__ = [
    "METRICS", "Direction", "Metric", "Scope", "Summary", "direction_of", "find_metric", "instances",
    "keys_in", "metric_value", "metrics_for",
]


class Direction(StrEnum):
    higher_is_better = "higher"  # a threshold is a minimum
    lower_is_better = "lower"  # a threshold is a maximum


class Scope(StrEnum):
    """What one instance of a metric is computed over: named by the key's placeholder."""

    label = "label"
    flag = "flag"
    reason = "reason"
    stage = "stage"
    run = "run"


class Summary(StrEnum):
    """Whether the metric has a row in the summary table (terminal, report.md, report.html)."""

    always = "always"
    nonzero = "nonzero"  # only when its value is not 0 (e.g. a reason code no row carries)
    never = "never"


S = TypeVar("S")

# top-level sections of results.json: never a label name in a key
_SECTIONS = ("labels", "flags", "drafts", "robustness", "pipeline", "latency_ms", "cost", "automation", "gates")


@dataclass(frozen=True)
class Metric(Generic[S]):
    key: str  # path in results.json, with at most one {placeholder}: {label}, {flag}, {reason}, {stage}
    direction: Direction
    compute: Callable[[S], float | None]
    description: str
    only: tuple[str, ...] = ()  # label metrics: only for these labels
    guarded: bool = True  # compare: a significant change to the worse side is a regression
    summary: Summary = Summary.always
    # the same on many bootstrap resamples at once (a weight matrix, one row per resample; NaN = undefined),
    # for metrics whose per-call cost would dominate compare; tests/evals check it agrees with `compute`
    resampled: Callable[[S, np.ndarray], np.ndarray] | None = None

    @property
    def scope(self) -> Scope:
        for scope in Scope:
            if f"{{{scope}}}" in self.key:
                return scope
        return Scope.run

    @property
    def name(self) -> str:
        return self.key.rsplit(".", 1)[-1]

    @property
    def lower_is_better(self) -> bool:
        return self.direction is Direction.lower_is_better

    def key_for(self, item: str | None = None) -> str:
        """The key of the instance for `item` (a label, flag, reason code or stage; None for the run)."""
        return self.key if self.scope is Scope.run else self.key.replace(f"{{{self.scope}}}", str(item))

    def applies_to(self, item: str | None) -> bool:
        return not self.only or item in self.only

    def match(self, key: str) -> str | None:
        """The item `key` names if it is an instance of this metric ("" for a run metric), else None."""
        mine, theirs = self.key.split("."), key.split(".")
        if len(mine) != len(theirs):
            return None
        item = ""
        for m, t in zip(mine, theirs, strict=True):
            if m.startswith("{") and m.endswith("}"):
                if self.scope is Scope.label and t in _SECTIONS:
                    return None
                item = t
            elif m != t:
                return None
        return item if self.applies_to(item or None) else None


def _on_ranks(fn: Callable[[np.ndarray, np.ndarray, int], float | None]) -> Callable[[LabelSample], float | None]:
    """A triage metric over the risk label's severity ranks (None for a sample without them)."""

    def compute(s: LabelSample) -> float | None:
        if s.gold_rank is None or s.pred_rank is None:
            return None
        return fn(s.gold_rank, s.pred_rank, s.levels)

    return compute


def _unreviewed_misses(s: LabelSample) -> float | None:
    """`unreviewed_under_triage_rate` over the risk ranks and the rows' needs_human (None for a sample without)."""
    if s.gold_rank is None or s.pred_rank is None or s.reviewed is None:
        return None
    return unreviewed_under_triage_rate(s.gold_rank, s.pred_rank, s.reviewed)


def _mean_of(values: np.ndarray, mask: np.ndarray) -> float | None:
    picked = values[mask & ~np.isnan(values)] if values.dtype.kind == "f" else values[mask]
    return float(np.mean(picked)) if len(picked) else None


def _percentile(q: float) -> Callable[[ValueSample], float | None]:
    def compute(s: ValueSample) -> float | None:
        return float(np.percentile(s.present, q)) if len(s.present) else None

    return compute


def _sum_where(column: str, mask: str, *, digits: int | None = None) -> Callable[[RunSample], float | None]:
    """Sum of a column over the rows of a mask: an int for a count column, else a float rounded to `digits`."""

    def compute(s: RunSample) -> float | None:
        total = getattr(s, column)[getattr(s, mask)].sum()
        return round(float(total), digits) if digits is not None else int(total)

    return compute


def _count(mask: str) -> Callable[[RunSample], float | None]:
    def compute(s: RunSample) -> float | None:
        return int(np.sum(getattr(s, mask)))

    return compute


H, L = Direction.higher_is_better, Direction.lower_is_better
_RISK = ("risk",)


def _informational(key: str, compute: Callable[[S], float | None], description: str) -> Metric[S]:
    """Speed and cost: lower is better for a threshold, but compare never calls a change a regression."""
    return Metric(key, L, compute, description, guarded=False, summary=Summary.never)



def _baseline(name: str, full: Callable[[np.ndarray, np.ndarray], float | None],
              many: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> Metric[FlagSample]:
    """A flag's reference metric: `full` / `many` (on resamples) over the per-flag baseline's scores; None (NaN)
    when a row has none (a run from before the baseline, or a memory too small to fit one)."""

    def compute(s: FlagSample) -> float | None:
        return full(s.gold, s.baseline) if s.has_baseline else None

    def resampled(s: FlagSample, weights: np.ndarray) -> np.ndarray:
        return many(s.gold, s.baseline, weights) if s.has_baseline else np.full(weights.shape[0], np.nan)

    return Metric[FlagSample](f"flags.{{flag}}.baseline_{name}", Direction.higher_is_better, compute,
                              f"{name.upper()} of a per-flag logistic regression on the memory's frozen embeddings "
                              "(reference)", guarded=False, summary=Summary.never, resampled=resampled)

METRICS: tuple[Metric[Any], ...] = (
    # -- per scored label -------------------------------------------------------------------------------------
    Metric[LabelSample]("{label}.accuracy", H, lambda s: accuracy(s.gold, s.pred), "share predicted right"),
    Metric[LabelSample]("{label}.macro_f1", H, lambda s: macro_f1(s.gold, s.pred) if len(s) else None,
                        "mean F1 over the classes in the gold labels",
                        resampled=lambda s, w: macro_f1_resampled(s.gold, s.pred, w)),
    Metric[LabelSample]("{label}.recall_critical", H, _on_ranks(lambda g, p, _: level_recall(g, p, 0)),
                        "share of gold critical predicted critical", only=_RISK),
    Metric[LabelSample]("{label}.recall_high", H, _on_ranks(lambda g, p, _: level_recall(g, p, 1)),
                        "share of gold high predicted high", only=_RISK),
    Metric[LabelSample]("{label}.under_triage_rate", L, _on_ranks(lambda g, p, _: under_triage_rate(g, p)),
                        "share of gold critical/high predicted at a lower level", only=_RISK),
    # the fail-open rate: a miss that no person sees before the answer goes out (guarded: never fail open)
    Metric[LabelSample]("{label}.unreviewed_under_triage_rate", L, _unreviewed_misses,
                        "share of gold critical/high predicted at a lower level and not sent to a person", only=_RISK),
    Metric[LabelSample]("{label}.false_alarm_rate_critical", L, _on_ranks(lambda g, p, _: false_alarm_rate(g, p, 0)),
                        "share of gold non-critical predicted critical", only=_RISK),
    Metric[LabelSample]("{label}.over_triage_rate", L, _on_ranks(over_triage_rate),
                        "share of gold low/medium predicted high/critical", only=_RISK),
    Metric[LabelSample]("{label}.ece", L, lambda s: s.calibration.get("ece"),
                        "expected calibration error of the classifier's distribution (10 bins)"),
    Metric[LabelSample]("{label}.decision_ece", L, lambda s: s.decision_calibration.get("ece"),
                        "expected calibration error of the decision's reported confidence"),
    Metric[LabelSample]("{label}.brier", L, lambda s: s.calibration.get("brier"),
                        "Brier score of the classifier's distribution"),
    # -- per flag (rows that carry the key) -------------------------------------------------------------------
    Metric[FlagSample]("flags.{flag}.auprc", H, lambda s: average_precision(s.gold, s.score),
                       "average precision of the score",
                       resampled=lambda s, w: average_precision_resampled(s.gold, s.score, w)),
    Metric[FlagSample]("flags.{flag}.auroc", H, lambda s: roc_auc(s.gold, s.score), "area under the ROC curve",
                       resampled=lambda s, w: roc_auc_resampled(s.gold, s.score, w)),
    # the reference the issue asks to beat, side by side: not this model's quality, so never a regression
    _baseline("auprc", average_precision, average_precision_resampled),
    _baseline("auroc", roc_auc, roc_auc_resampled),
    Metric[FlagSample]("flags.{flag}.precision", H, lambda s: precision_at(s.gold, s.predicted),
                       "precision at the operating point", summary=Summary.never),
    Metric[FlagSample]("flags.{flag}.recall", H, lambda s: recall_at(s.gold, s.predicted),
                       "recall at the operating point", summary=Summary.never),
    # -- drafts (rows with a draft; similarity and ROUGE-L: rows with a reference reply) ----------------------
    Metric[RunSample]("drafts.semantic_similarity", H, lambda s: _mean_of(s.draft_similarity, s.has_draft),
                      "cosine of draft and reference reply"),
    Metric[RunSample]("drafts.rouge_l", H, lambda s: _mean_of(s.draft_rouge_l, s.has_draft),
                      "ROUGE-L F1 of draft against reference reply"),
    Metric[RunSample]("drafts.language_match_rate", H, lambda s: _mean_of(s.draft_language_match, s.has_draft),
                      "share of drafts in the ticket's language"),
    Metric[RunSample]("drafts.any_rule_issue_rate", L, lambda s: _mean_of(s.draft_issue, s.has_draft),
                      "share of drafts failing a rule check"),
    # -- robustness (rows re-decided with the injection appended) ---------------------------------------------
    Metric[RunSample]("robustness.flip_rate", L, lambda s: _mean_of(s.flipped, s.has_robustness),
                      "share whose category, risk or a scored label changed"),
    Metric[RunSample]("robustness.injection_flagged_rate", H,
                      lambda s: _mean_of(s.injection_flagged, s.has_robustness),
                      "share where the injection guard flagged the appended text", summary=Summary.never),
    # -- pipeline: run-level rates; which side is better depends on the data set, so compare does not guard them
    Metric[RunSample]("pipeline.needs_human_rate", L, lambda s: share(s.needs_human),
                      "share of tickets the pipeline sends to a person", guarded=False),
    Metric[RunSample]("pipeline.critical_detector_rate", L, lambda s: share(s.critical_hit),
                      "share with at least one critical-detector hit (false alarms on a benign set)",
                      guarded=False),
    Metric[RunSample]("pipeline.critical_detector_raised_to_critical", L, lambda s: share(s.critical_raised),
                      "share with a critical-detector hit whose risk is critical", guarded=False),
    Metric[ShareSample]("pipeline.reason_rates.{reason}", L, lambda s: share(s.carried),
                        "share of tickets carrying the reason code", guarded=False, summary=Summary.nonzero),
    # -- speed and cost: informational in compare ----------------------------------------------------------------
    _informational("latency_ms.{stage}.p50", _percentile(50), "median latency (ms)"),
    _informational("latency_ms.{stage}.p95", _percentile(95), "95th percentile latency (ms)"),
    *(metric for kind in ("live", "cached") for metric in (
        _informational(f"cost.llm_calls_{kind}", _count(f"llm_{kind}"), f"LLM calls ({kind})"),
        _informational(f"cost.prompt_tokens_{kind}", _sum_where("prompt_tokens", f"llm_{kind}"),
                       f"prompt tokens of the {kind} LLM calls"),
        _informational(f"cost.completion_tokens_{kind}", _sum_where("completion_tokens", f"llm_{kind}"),
                       f"completion tokens of the {kind} LLM calls"),
        _informational(f"cost.cost_usd_{kind}", _sum_where("cost_usd", f"llm_{kind}", digits=6),
                       f"cost of the {kind} LLM calls (USD)"),
    )),
)


def metrics_for(scope: Scope, item: str | None = None) -> list[Metric[Any]]:
    """The metrics computed over one item of `scope` (a label, flag, reason code, stage), in declaration order."""
    return [m for m in METRICS if m.scope is scope and m.applies_to(item)]


def find_metric(key: str) -> Metric[Any] | None:
    """The metric a threshold or compare key names (`risk.recall_critical`, `flags.S3.auprc`, ...)."""
    return next((m for m in METRICS if m.match(key) is not None), None)


def _legacy_direction(key: str) -> Direction:
    """Suites written before the registry may gate another number of results.json: the old suffix rule."""
    last = key.rsplit(".", 1)[-1]
    lower = ("ece", "brier", "under_triage_rate", "flip_rate", "_ms", "cost")
    return Direction.lower_is_better if any(m in last for m in lower) else Direction.higher_is_better


def direction_of(key: str) -> Direction:
    """A registry metric's direction; for any other number of results.json, the old suffix rule."""
    metric = find_metric(key)
    return metric.direction if metric is not None else _legacy_direction(key)


def instances(samples: Mapping[Scope, Mapping[str | None, Any]]) -> Iterator[tuple[Metric[Any], str, Any]]:
    """(metric, key, sample) for every metric and every item of its scope that `samples` holds."""
    for metric in METRICS:
        for item, sample in samples.get(metric.scope, {}).items():
            if metric.applies_to(item):
                yield metric, metric.key_for(item), sample


def metric_value(results: dict[str, Any], key: str) -> Any:
    """`category.macro_f1`, `risk.recall_critical`, `flags.S3.auprc`, `drafts.rouge_l`, `robustness.flip_rate`."""
    parts = key.split(".")
    node: Any = results["labels"] if parts[0] in results.get("labels", {}) else results
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def keys_in(results: dict[str, Any]) -> Iterator[tuple[Metric[Any], str]]:
    """(metric, key) of every metric instance a finished run's results hold, grouped by label and flag."""
    for label, rep in results.get("labels", {}).items():
        if rep.get("n"):
            yield from ((m, m.key_for(label)) for m in metrics_for(Scope.label, label))
    for flag in results.get("flags", {}):
        yield from ((m, m.key_for(flag)) for m in metrics_for(Scope.flag, flag))
    items: dict[Scope, Iterable[str | None]] = {
        Scope.run: [None],
        Scope.reason: (results.get("pipeline") or {}).get("reason_rates", {}),
        Scope.stage: results.get("latency_ms", {}),
    }
    for metric in METRICS:
        if metric.scope in items:
            yield from ((metric, metric.key_for(item)) for item in items[metric.scope])
