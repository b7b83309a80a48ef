"""OpenTelemetry traces with the in-memory exporter: a request span, a span per ticket under it, a child per
stage; no ticket text in any attribute; off unless configured."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from tests.conftest import create_key, settings_for, ticket
from triage.app import create_app
from triage.telemetry.tracing import tracing_enabled

BODY_A = "Someone keeps calling me names under every video I post and tells others to pile on me."
BODY_B = "The seller took my money for concert tickets and then blocked me on every platform."
PREPARE_STAGES = {"redact", "language", "embed", "retrieve", "classify", "critical"}


def test_a_span_per_ticket_with_a_child_per_stage(tmp_path: Path, seeded_dir: Path, make_components,
                                                  live_server) -> None:
    home = tmp_path / "app"
    shutil.copytree(seeded_dir, home)
    settings = settings_for(home)
    comps = make_components(settings)
    key = create_key(comps)
    exporter = InMemorySpanExporter()
    srv = live_server(settings, comps, span_exporter=exporter)
    with srv.client(key) as http:
        assert http.get("/healthz").status_code == 200  # probes are not traced
        r = http.post("/v1/tickets:batch", json={"tickets": [ticket("t-1", BODY_A), ticket("t-2", BODY_B)]})
        assert r.status_code < 300, r.text
        ticket_ids = {item["result"]["ticket_id"] for item in r.json()["results"]}
    # the request's span ends when the app returns, just after the last byte is sent: the client can read the
    # response first, so wait (bounded) for it to be exported
    deadline = time.monotonic() + 10
    while not any(s.name == "POST /v1/tickets:batch" for s in exporter.get_finished_spans()):
        assert time.monotonic() < deadline, "the request span was never exported"
        time.sleep(0.02)
    spans = exporter.get_finished_spans()
    assert not [s for s in spans if "healthz" in s.name]
    servers = [s for s in spans if s.name == "POST /v1/tickets:batch" and s.parent is None]
    assert len(servers) == 1
    server = servers[0]
    tickets = [s for s in spans if s.name == "triage.ticket"]
    assert len(tickets) == 2
    assert {s.attributes["triage.ticket_id"] for s in tickets} == ticket_ids
    for t in tickets:
        # a child of the request's span, in the same trace
        assert t.context.trace_id == server.context.trace_id
        assert t.parent is not None and t.parent.span_id in {s.context.span_id for s in spans
                                                              if s.context.trace_id == server.context.trace_id}
        assert t.attributes["triage.path"] == "local" and t.attributes["triage.batch_size"] == 2
        assert t.attributes["triage.category"] and t.attributes["triage.risk"]
        stages = [s for s in spans if s.parent is not None and s.parent.span_id == t.context.span_id]
        names = {s.name.removeprefix("triage.stage.") for s in stages}
        assert names >= PREPARE_STAGES | {"route", "draft", "guard"}, names
        assert "llm" not in names  # local mode: no LLM step
        for s in stages:
            assert t.start_time <= s.start_time <= s.end_time <= t.end_time, s.name
        assert all(s.attributes.get("triage.batch_size") == 2 for s in stages
                   if s.name.removeprefix("triage.stage.") in PREPARE_STAGES)
    # never the text: no attribute value of any span carries a piece of a ticket
    for s in spans:
        for value in (s.attributes or {}).values():
            assert "calling me names" not in str(value) and "concert tickets" not in str(value), (s.name, value)


def test_tracing_is_off_unless_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    settings = settings_for(tmp_path)
    assert tracing_enabled(settings) is False
    assert create_app(settings).state.telemetry.provider is None
    assert tracing_enabled(settings_for(tmp_path, tracing={"otlp_endpoint": "http://127.0.0.1:4318"})) is True
    assert tracing_enabled(settings_for(tmp_path, tracing={"enabled": False, "otlp_endpoint": "http://x"})) is False
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert tracing_enabled(settings) is True
    app = create_app(settings)
    assert app.state.telemetry.provider is not None
    app.state.telemetry.shutdown()
