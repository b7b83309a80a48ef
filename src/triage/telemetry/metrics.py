"""Prometheus metrics: one registry per app (several apps in one process never collide).

Three sources, all with bounded label sets (no ticket id, no text, no key name):

* HTTP, per route template and status: prometheus-fastapi-instrumentator's middleware
  (`http_requests_total`, `http_request_duration_seconds`); paths that match no route are not recorded.
* decisions, from the pipeline's observer hook (`DecisionMetrics.observe`): counts by path, category,
  risk and needs_human; per-stage latency from each decision's `timings_ms`; LLM calls, tokens, cost,
  retries, re-asks, errors by kind and the structured-output rung, from each decision's `usage`.
* state read at scrape time (`StateCollector`): case-memory size, classifier revision, breaker state and
  rung of the LLM client, in-flight decisions, and the review queue by risk with the tickets past their
  SLA (one grouped query, cached for `TRIAGE_METRICS__SCRAPE_CACHE_S`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, sessionmaker

from triage import __version__
from triage.db.models import DecisionRow, Ticket
from triage.pipeline.pipeline import Decision, Pipeline, TicketFacts
from triage.telemetry.llm_usage import RUNGS, read_usage

__all__ = ["STAGES", "DecisionMetrics", "QueueSnapshot", "StateCollector", "read_queue", "register_metrics"]

log = logging.getLogger(__name__)

#: the pipeline's timed stages (keys of `Decision.timings_ms` without the `_ms`); others are not exported
STAGES = ("redact", "language", "embed", "retrieve", "classify", "critical", "llm", "route", "draft", "guard")
#: tickets waiting for a reviewer: decided, or claimed and not yet reviewed (as the review queue's "open")
OPEN_STATUSES = ("decided", "in_review")
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LLM_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0)


class DecisionMetrics:
    """The pipeline observer that counts decisions and LLM usage (`Pipeline.observers`)."""

    def __init__(self, registry: CollectorRegistry, *, categories: tuple[str, ...], risks: tuple[str, ...],
                 models: frozenset[str]) -> None:
        self.categories = frozenset(categories)
        self.risks = frozenset(risks)
        self.models = models
        self.decisions = Counter(
            "triage_decisions", "Decisions made, by the path that decided, category, risk and whether a person "
            "is needed", ["path", "category", "risk", "needs_human"], registry=None)
        self.reasons = Counter("triage_needs_human_reasons", "Reasons a decision needs a person (reason codes)",
                               ["reason"], registry=None)
        self.stage_seconds = Histogram(
            "triage_stage_duration_seconds", "Time per pipeline stage per ticket (batched stages: the batch's "
            "time divided by its size)", ["stage"], buckets=STAGE_BUCKETS, registry=None)
        self.batch_seconds = Histogram(
            "triage_decision_batch_duration_seconds", "Time to decide one batch (a single ticket is a batch of 1)",
            buckets=STAGE_BUCKETS, registry=None)
        self.batch_size = Histogram("triage_decision_batch_size", "Tickets per decided batch",
                                    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 1000), registry=None)
        self.llm_calls = Counter("triage_llm_calls", "HTTP calls made to the LLM (re-asks and retries included)",
                                 ["model"], registry=None)
        self.llm_tokens = Counter("triage_llm_tokens", "LLM tokens, by kind (prompt, completion)", ["model", "kind"],
                                  registry=None)
        self.llm_cost = Counter("triage_llm_cost_usd", "LLM cost in USD from TRIAGE_LLM__PRICES (0 when unpriced)",
                                ["model"], registry=None)
        self.llm_retries = Counter("triage_llm_retries", "LLM calls retried (timeouts, 429, 5xx)", ["model"],
                                   registry=None)
        self.llm_reasks = Counter("triage_llm_reasks", "LLM re-asks after an answer failed validation", ["model"],
                                  registry=None)
        self.llm_errors = Counter(
            "triage_llm_errors", "Tickets whose LLM step failed, by kind: unavailable (timeouts, 5xx, breaker open), "
            "invalid_output (no valid answer after re-asks), draft (the draft call failed; classification kept), "
            "other", ["kind"], registry=None)
        self.llm_rung = Counter("triage_llm_structured_output", "LLM decisions by the structured-output rung used",
                                ["rung"], registry=None)
        self.llm_seconds = Histogram("triage_llm_duration_seconds", "Time in LLM calls per ticket", ["model"],
                                     buckets=LLM_BUCKETS, registry=None)
        self.collectors: list[Collector] = [
            self.decisions, self.reasons, self.stage_seconds, self.batch_seconds, self.batch_size, self.llm_calls,
            self.llm_tokens, self.llm_cost, self.llm_retries, self.llm_reasks, self.llm_errors, self.llm_rung,
            self.llm_seconds]
        for collector in self.collectors:
            registry.register(collector)
        for stage in STAGES:  # present from the first scrape, so rate() has a zero to start from
            self.stage_seconds.labels(stage)
        for kind in ("unavailable", "invalid_output", "draft", "other"):
            self.llm_errors.labels(kind)

    def _bounded(self, value: str, known: frozenset[str]) -> str:
        return value if value in known else "other"

    def observe(self, batch: list[TicketFacts], decisions: list[Decision], *, started_ns: int, ended_ns: int) -> None:
        self.batch_seconds.observe(max(0, ended_ns - started_ns) / 1e9)
        self.batch_size.observe(len(decisions))
        for d in decisions:
            self.decisions.labels(str(d.path), self._bounded(d.category, self.categories),
                                  self._bounded(d.risk, self.risks), "true" if d.needs_human else "false").inc()
            for code in dict.fromkeys(d.reason_codes):
                self.reasons.labels(code).inc()  # ReasonCode is a closed StrEnum
            for key, ms in d.timings_ms.items():
                stage = key.removesuffix("_ms")
                if stage in STAGES:
                    self.stage_seconds.labels(stage).observe(max(0.0, float(ms)) / 1000)
            self._observe_llm(d)

    def _observe_llm(self, d: Decision) -> None:
        usage = read_usage(d.usage, known_models=self.models)
        if not usage.asked:
            return
        if usage.error and usage.error != "draft":
            self.llm_errors.labels(usage.error).inc()
            return
        if usage.error == "draft":
            self.llm_errors.labels("draft").inc()
        if usage.cached:  # an eval replay: no call was made
            return
        model = usage.model or "other"
        self.llm_calls.labels(model).inc(usage.calls)
        self.llm_tokens.labels(model, "prompt").inc(usage.prompt_tokens)
        self.llm_tokens.labels(model, "completion").inc(usage.completion_tokens)
        self.llm_cost.labels(model).inc(usage.cost_usd)
        self.llm_retries.labels(model).inc(usage.retries)
        self.llm_reasks.labels(model).inc(usage.reasks)
        self.llm_seconds.labels(model).observe(usage.latency_ms / 1000)
        if usage.rung:
            self.llm_rung.labels(usage.rung).inc()


@dataclass(frozen=True)
class QueueSnapshot:
    """Open review tickets by their latest decision's risk, and those of them past their SLA."""

    depth: dict[str, int]
    past_sla: dict[str, int]
    pending: int  # persisted, not yet decided (start-up reprocessing completes them)


def read_queue(sessions: sessionmaker[Session], *, risks: tuple[str, ...], now: datetime | None = None
               ) -> QueueSnapshot:
    """Two grouped queries (indexed on tickets.status): open tickets per risk with the past-SLA count, and
    the tickets still waiting for a decision."""
    now = now or datetime.now(UTC)
    latest = (select(DecisionRow.ticket_id, func.max(DecisionRow.seq).label("seq"))
              .join(Ticket, Ticket.id == DecisionRow.ticket_id)
              .where(Ticket.status.in_(OPEN_STATUSES))
              .group_by(DecisionRow.ticket_id).subquery())
    late = func.sum(case((DecisionRow.sla_due_at < now, 1), else_=0))  # the column type binds `now` as UTC
    depth = {r: 0 for r in risks}
    past = {r: 0 for r in risks}
    with sessions() as session:
        query = (select(DecisionRow.risk, func.count(), late)
                 .join(latest, and_(latest.c.ticket_id == DecisionRow.ticket_id, latest.c.seq == DecisionRow.seq))
                 .group_by(DecisionRow.risk))
        for risk, count, overdue in session.execute(query):
            key = risk if risk in depth else "other"
            depth[key] = depth.get(key, 0) + int(count)
            past[key] = past.get(key, 0) + int(overdue or 0)
        pending = session.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "received")) or 0
    return QueueSnapshot(depth=depth, past_sla=past, pending=int(pending))


class StateCollector(Collector):
    """Gauges read when Prometheus scrapes: cheap reads of state the service already holds."""

    def __init__(self, *, pipeline: Pipeline, sessions: sessionmaker[Session], risks: tuple[str, ...],
                 cache_s: float, in_flight: Callable[[], int], clock: Callable[[], float] = time.monotonic) -> None:
        self.pipeline = pipeline
        self.sessions = sessions
        self.risks = risks
        self.cache_s = cache_s
        self.in_flight = in_flight
        self._clock = clock
        self._lock = threading.Lock()
        self._queue: tuple[float, QueueSnapshot] | None = None

    def _queue_snapshot(self) -> QueueSnapshot | None:
        with self._lock:
            now = self._clock()
            if self._queue is not None and now - self._queue[0] < self.cache_s:
                return self._queue[1]
            try:
                snap = read_queue(self.sessions, risks=self.risks)
            except Exception:  # a scrape reports what it can; the database gauge says the rest
                log.exception("metrics: the review queue could not be read")
                return None
            self._queue = (now, snap)
            return snap

    def describe(self) -> list[Metric]:
        """Nothing to pre-declare: keeps the registry from calling `collect` (a database query) at registration."""
        return []

    def collect(self) -> Iterator[Metric]:
        p = self.pipeline
        info = InfoMetricFamily("triage_build", "Version, decision mode and policy version")
        info.add_metric([], {"version": __version__, "mode": p.mode, "policy": p.policy.version})
        yield info
        store_up = GaugeMetricFamily("triage_case_store_up", "1 when the case store answered this scrape")
        try:
            cases: int | None = p.store.count()
            store_up.add_metric([], 1)
        except Exception:
            cases = None
            store_up.add_metric([], 0)
        yield store_up
        if cases is not None:
            yield GaugeMetricFamily("triage_case_memory_cases", "Cases in the case memory (the store)", value=cases)
        classifier = p.classifier
        yield GaugeMetricFamily("triage_classifier_fitted_cases", "Cases the local classifier was last fitted on",
                                value=classifier.fitted_count)
        revision = classifier.fitted_revision
        yield GaugeMetricFamily("triage_classifier_revision", "The case store revision the classifier was fitted "
                                "on (-1: not fitted); it moves when the memory changes and the model refits",
                                value=-1 if revision is None else revision)
        cinfo = InfoMetricFamily("triage_classifier", "The local classifier's version")
        cinfo.add_metric([], {"version": classifier.version, "fitted": "true" if classifier.fitted else "false"})
        yield cinfo
        yield GaugeMetricFamily("triage_decisions_in_flight", "Decisions being made now (HTTP requests and batches)",
                                value=self.in_flight())
        yield from self._llm_state()
        snap = self._queue_snapshot()
        if snap is not None:
            depth = GaugeMetricFamily("triage_review_queue_depth", "Open review tickets (decided or in review) by "
                                      "their latest decision's risk", labels=["risk"])
            past = GaugeMetricFamily("triage_review_past_sla", "Open review tickets past their SLA deadline, by risk",
                                     labels=["risk"])
            for risk, n in snap.depth.items():
                depth.add_metric([risk], n)
                past.add_metric([risk], snap.past_sla.get(risk, 0))
            yield depth
            yield past
            yield GaugeMetricFamily("triage_tickets_pending", "Tickets persisted but not yet decided",
                                    value=snap.pending)

    def _llm_state(self) -> Iterator[Metric]:
        """Breaker state and structured-output rung of the LLM client, when there is one that says them."""
        llm: Any = self.pipeline.llm
        client = getattr(llm, "client", None)
        breaker = _through_wrappers(client, "breaker")
        state = getattr(breaker, "state", None)
        if isinstance(state, str):
            g = GaugeMetricFamily("triage_llm_breaker_state", "1 for the LLM circuit breaker's current state",
                                  labels=["state"])
            for s in ("closed", "open", "half_open"):
                g.add_metric([s], 1 if state == s else 0)
            yield g
            opened = getattr(breaker, "opened_total", None)
            if isinstance(opened, int):
                yield GaugeMetricFamily("triage_llm_breaker_opened", "Times the breaker opened since start",
                                        value=opened)
        rung = _through_wrappers(client, "structured_mode")
        if isinstance(rung, str):
            g = GaugeMetricFamily("triage_llm_structured_output_rung", "1 for the structured-output rung the LLM "
                                  "server is known to accept", labels=["rung"])
            for r in RUNGS:
                g.add_metric([r], 1 if rung == r else 0)
            yield g


def _through_wrappers(obj: Any, attr: str, *, depth: int = 8) -> Any:
    """`attr` of `obj` or of the first client it wraps (`.wrapped`: budget, concurrency limits) that has it."""
    for _ in range(depth):
        if obj is None:
            return None
        if hasattr(obj, attr):
            return getattr(obj, attr)
        obj = getattr(obj, "wrapped", None)
    return None


def register_metrics(registry: CollectorRegistry, *, pipeline: Pipeline, sessions: sessionmaker[Session],
                     models: frozenset[str], cache_s: float, in_flight: Callable[[], int]
                     ) -> tuple[DecisionMetrics, Callable[[], None]]:
    """Add the decision counters and the scrape-time gauges to `registry`; returns the observer to attach to the
    pipeline and a function that removes them again (the app's lifespan ends)."""
    risks = tuple(pipeline.policy.risk_order)
    decisions = DecisionMetrics(registry, categories=tuple(pipeline.policy.categories), risks=risks, models=models)
    state = StateCollector(pipeline=pipeline, sessions=sessions, risks=risks, cache_s=cache_s, in_flight=in_flight)
    registry.register(state)
    added = [*decisions.collectors, state]

    def unregister() -> None:
        for collector in added:
            registry.unregister(collector)

    return decisions, unregister
