"""Metrics and traces of one app, wired in two steps: `Telemetry.install(app, settings)` in `create_app` (HTTP
middleware must exist before the app starts) and `attach(components)` / `detach()` in its lifespan (the
pipeline observers need the built components)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry

from triage.config import Settings
from triage.shutdown import InFlight
from triage.telemetry.metrics import register_metrics
from triage.telemetry.tracing import DecisionTracer, build_tracer_provider, instrument_app, tracing_enabled

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from triage.components import Components
    from triage.pipeline.pipeline import DecisionObserver

__all__ = ["Telemetry"]

log = logging.getLogger(__name__)

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass
class Telemetry:
    settings: Settings
    registry: CollectorRegistry
    in_flight: InFlight
    provider: TracerProvider | None = None
    _observers: list[DecisionObserver] = field(default_factory=list)
    _undo: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def install(cls, app: FastAPI, settings: Settings, *, span_exporter: SpanExporter | None = None) -> Telemetry:
        """HTTP metrics middleware (per route template and status) and, when tracing is on, the FastAPI
        instrumentation. `span_exporter` turns tracing on with that exporter (tests: the in-memory one)."""
        registry = CollectorRegistry(auto_describe=True)
        if settings.metrics.enabled:
            from prometheus_fastapi_instrumentator import Instrumentator
            from prometheus_fastapi_instrumentator import metrics as http_metrics

            # per route template (untemplated paths are not recorded: unbounded), method and exact status
            instrumentator = Instrumentator(
                should_group_status_codes=False, should_ignore_untemplated=True, excluded_handlers=["/metrics"],
                registry=registry)
            instrumentator.add(http_metrics.requests(registry=registry))
            instrumentator.add(http_metrics.latency(registry=registry, buckets=HTTP_BUCKETS))
            instrumentator.instrument(app)
        provider = None
        if span_exporter is not None or tracing_enabled(settings):
            provider = build_tracer_provider(settings, exporter=span_exporter)
            instrument_app(app, provider)
            log.info("tracing on (OpenTelemetry)")
        telemetry = cls(settings=settings, registry=registry, in_flight=InFlight(), provider=provider)
        app.state.metrics_registry = registry
        app.state.telemetry = telemetry
        return telemetry

    def attach(self, components: Components) -> None:
        """Observe the pipeline's decisions (counters, spans) and expose the scrape-time gauges."""
        s = components.settings
        models = frozenset(m for m in (s.llm.model,) if m)
        pipeline = components.pipeline
        if s.metrics.enabled:
            observer, unregister = register_metrics(
                self.registry, pipeline=pipeline, sessions=components.sessions, models=models,
                cache_s=s.metrics.scrape_cache_s, in_flight=lambda: self.in_flight.count)
            self._observers.append(observer)
            self._undo.append(unregister)
        if self.provider is not None:
            self._observers.append(DecisionTracer(self.provider, models=models))
        pipeline.observers.extend(self._observers)

    def detach(self, components: Components) -> None:
        for observer in self._observers:
            if observer in components.pipeline.observers:
                components.pipeline.observers.remove(observer)
        self._observers.clear()
        for undo in self._undo:
            undo()
        self._undo.clear()

    def shutdown(self) -> None:
        """Flush and stop the trace exporter."""
        if self.provider is not None:
            try:
                self.provider.shutdown()
            except Exception:
                log.exception("the trace exporter could not be flushed")

    def describe(self) -> dict[str, Any]:
        return {"metrics": self.settings.metrics.enabled, "tracing": self.provider is not None}
