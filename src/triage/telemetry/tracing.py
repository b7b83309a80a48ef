"""OpenTelemetry traces: off unless `TRIAGE_TRACING__ENABLED`, `TRIAGE_TRACING__OTLP_ENDPOINT` or the standard
`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set.

* every HTTP request: a server span from opentelemetry-instrumentation-fastapi (health and metrics excluded);
* every ticket: a `triage.ticket` span, a child of the request's span, with one child per pipeline stage
  and, under the `llm` stage, one child per LLM call (`llm classify.v2-compact`, `llm draft.v2`).

The stage spans are laid out from the durations the pipeline already measures (`Decision.timings_ms`),
after the batch is decided, through the pipeline's observer hook: no code inside a stage knows about
tracing. The stages that run for a whole batch at once (redact ... critical) get the batch's time and a
`triage.batch_size` attribute; the later stages run per ticket. Attributes carry ids, labels, versions,
token counts and the structured-output rung, never ticket or reply text. Token counts are the ticket's
total over its LLM calls (the decision's `usage` does not split them per call).

The provider is the app's own (no global state), so several apps in one process keep their traces apart.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from triage import __version__
from triage.config import Settings
from triage.pipeline.pipeline import Decision, TicketFacts
from triage.telemetry.llm_usage import read_usage

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["BATCH_STAGES", "TICKET_STAGES", "DecisionTracer", "build_tracer_provider", "instrument_app",
           "tracing_enabled"]

log = logging.getLogger(__name__)

#: stages timed once per batch (Pipeline.prepare), then those timed per ticket (Pipeline.finish), in order
BATCH_STAGES = ("redact", "language", "embed", "retrieve", "classify", "critical")
TICKET_STAGES = ("llm", "route", "draft", "guard")
#: requests not traced (probes and scrapes would drown the traces)
EXCLUDED_URLS = "healthz,readyz,metrics"
OTEL_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")


def tracing_enabled(settings: Settings) -> bool:
    t = settings.tracing
    if t.enabled is not None:
        return t.enabled
    return bool(t.otlp_endpoint or any(os.environ.get(v) for v in OTEL_ENDPOINT_VARIABLES))


def _otlp_exporter(settings: Settings) -> SpanExporter:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    endpoint = settings.tracing.otlp_endpoint
    if endpoint:  # the base URL, as OTEL_EXPORTER_OTLP_ENDPOINT: the exporter wants the traces path
        return OTLPSpanExporter(endpoint=endpoint.rstrip("/") + "/v1/traces")
    return OTLPSpanExporter()  # reads the OTEL_EXPORTER_OTLP_* variables


def build_tracer_provider(settings: Settings, *, exporter: SpanExporter | None = None) -> TracerProvider:
    """The app's provider. With `exporter` (tests) spans are exported synchronously; otherwise in batches
    over OTLP/HTTP."""
    resource = Resource.create({"service.name": settings.tracing.service_name, "service.version": __version__,
                                "deployment.environment": settings.environment})
    provider = TracerProvider(resource=resource)
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        provider.add_span_processor(BatchSpanProcessor(_otlp_exporter(settings)))
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider) -> None:
    """A server span per request (route template as its name; the app's provider, not the global one)."""
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, excluded_urls=EXCLUDED_URLS)


class DecisionTracer:
    """The pipeline observer that records a span per ticket with its stages and LLM calls."""

    def __init__(self, provider: TracerProvider, *, models: frozenset[str]) -> None:
        self.tracer = provider.get_tracer("triage.pipeline", __version__)
        self.models = models

    def observe(self, batch: list[TicketFacts], decisions: list[Decision], *, started_ns: int, ended_ns: int) -> None:
        n = len(decisions)
        for facts, d in zip(batch, decisions, strict=True):
            self._ticket(facts, d, n=n, started_ns=started_ns, ended_ns=ended_ns)

    def _ticket(self, facts: TicketFacts, d: Decision, *, n: int, started_ns: int, ended_ns: int) -> None:
        span = self.tracer.start_span("triage.ticket", kind=SpanKind.INTERNAL, start_time=started_ns, attributes={
            "triage.ticket_id": facts.id, "triage.channel": facts.channel, "triage.reporter_type": facts.reporter_type,
            "triage.batch_size": n, "triage.path": str(d.path), "triage.category": d.category, "triage.risk": d.risk,
            "triage.queue": d.queue, "triage.needs_human": d.needs_human,
            "triage.reason_codes": list(dict.fromkeys(d.reason_codes)), "triage.language": d.language,
            **{f"triage.version.{k}": str(v) for k, v in d.versions.items()},
        })
        context = trace.set_span_in_context(span)
        t = started_ns
        for stage in BATCH_STAGES:
            ms = d.timings_ms.get(f"{stage}_ms")
            if ms is not None:  # the batch's time for the stage (timings_ms holds its share per ticket)
                t = self._stage(stage, context, t, int(float(ms) * n * 1e6), {"triage.batch_size": n})
        for stage in TICKET_STAGES:
            ms = d.timings_ms.get(f"{stage}_ms")
            if ms is None:
                continue
            stage_span = self.tracer.start_span(f"triage.stage.{stage}", context=context, start_time=t)
            end = t + max(0, int(float(ms) * 1e6))
            if stage == "llm":
                self._llm(stage_span, d, start=t, end=end)
            stage_span.end(end_time=end)
            t = end
        if d.needs_human:
            span.add_event("needs_human", {"triage.reason_codes": list(dict.fromkeys(d.reason_codes))})
        span.end(end_time=max(ended_ns, t))

    def _stage(self, stage: str, context: object, start: int, duration_ns: int, attributes: dict[str, int]) -> int:
        span = self.tracer.start_span(f"triage.stage.{stage}", context=context,  # type: ignore[arg-type]
                                      start_time=start, attributes=attributes)
        span.end(end_time=start + max(0, duration_ns))
        return start + max(0, duration_ns)

    def _llm(self, stage_span: Span, d: Decision, *, start: int, end: int) -> None:
        usage = read_usage(d.usage, known_models=self.models)
        if usage.error and usage.error != "draft":
            stage_span.set_status(Status(StatusCode.ERROR, f"llm {usage.error}"))
            stage_span.set_attribute("error.type", usage.error)
            return
        attrs: dict[str, str | int | float | bool] = {
            "gen_ai.system": "openai", "gen_ai.request.model": usage.model or "other",
            "gen_ai.usage.input_tokens": usage.prompt_tokens, "gen_ai.usage.output_tokens": usage.completion_tokens,
            "triage.llm.calls": usage.calls, "triage.llm.retries": usage.retries, "triage.llm.reasks": usage.reasks,
            "triage.llm.cost_usd": usage.cost_usd, "triage.llm.cached": usage.cached,
        }
        if usage.rung:
            attrs["triage.llm.rung"] = usage.rung
        stage_span.set_attributes(attrs)
        prompts = [str(p) for p in d.usage.get("prompts", []) if isinstance(p, str)] or ["llm"]
        context = trace.set_span_in_context(stage_span)
        step = max(0, end - start) // len(prompts)
        for i, prompt in enumerate(prompts):  # one span per call the decider made (classify, then draft)
            call = self.tracer.start_span(f"llm {prompt}", context=context, kind=SpanKind.CLIENT,
                                          start_time=start + i * step, attributes={
                                              "gen_ai.operation.name": "chat", "gen_ai.request.model":
                                              usage.model or "other", "triage.llm.prompt": prompt,
                                              **({"triage.llm.rung": usage.rung} if usage.rung else {})})
            call.end(end_time=start + (i + 1) * step)
        if usage.error == "draft":
            stage_span.add_event("draft_failed", {"error.type": "draft"})
