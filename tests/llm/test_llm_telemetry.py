"""LLM usage in metrics and traces, read from the decisions (the fake OpenAI server on loopback)."""

from __future__ import annotations

from typing import Any

from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ticket
from tests.llm.conftest import MODEL, LlmApp
from tests.llm.fake_openai import error
from tests.unit.test_deploy import dashboard_metrics

HARASSMENT = ("Someone keeps calling me names under every video I post and tells others to pile on. "
              "It has been going on for weeks and I feel awful.")
INSULTS = "A group of accounts replies to every photo I post with insults about my weight and my family."


def _scrape(app: LlmApp) -> tuple[set[str], dict[tuple[str, frozenset[tuple[str, str]]], float]]:
    r = app.http.get("/metrics")
    assert r.status_code == 200, r.text
    families = list(text_string_to_metric_families(r.text))
    samples = {(s.name, frozenset(s.labels.items())): s.value for f in families for s in f.samples}
    return {f.name for f in families}, samples


def _value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= ls)


def test_llm_usage_reaches_metrics_and_traces(llm_app: Any) -> None:
    exporter = InMemorySpanExporter()
    app: LlmApp = llm_app(app_options={"span_exporter": exporter})
    d = app.decision(ticket("o-1", HARASSMENT))
    assert d["path"] == "llm"
    usage = d["usage"]
    assert usage["calls"] == 2 and usage["prompt_tokens"] > 0 and usage["cost_usd"] > 0  # classify + draft
    app.fake.always = error(503)
    failed = app.decision(ticket("o-2", INSULTS))
    assert failed["path"] == "degraded"

    families, samples = _scrape(app)
    assert _value(samples, "triage_llm_calls_total", model=MODEL) == usage["calls"]
    assert _value(samples, "triage_llm_tokens_total", model=MODEL, kind="prompt") == usage["prompt_tokens"]
    assert _value(samples, "triage_llm_tokens_total", model=MODEL, kind="completion") == usage["completion_tokens"]
    assert abs(_value(samples, "triage_llm_cost_usd_total", model=MODEL) - usage["cost_usd"]) < 1e-9
    assert _value(samples, "triage_llm_structured_output_total", rung="json_schema") == 1
    assert _value(samples, "triage_llm_errors_total", kind="unavailable") == 1
    assert _value(samples, "triage_llm_errors_total") == 1
    assert _value(samples, "triage_llm_duration_seconds_count", model=MODEL) == 1
    assert _value(samples, "triage_stage_duration_seconds_count", stage="llm") == 2
    assert _value(samples, "triage_decisions_total", path="llm") == 1
    assert _value(samples, "triage_decisions_total", path="degraded", needs_human="true") == 1
    # read at scrape time from the client: breaker still closed (50 failures open it here), first rung in use
    assert _value(samples, "triage_llm_breaker_state", state="closed") == 1
    assert _value(samples, "triage_llm_breaker_state", state="open") == 0
    assert _value(samples, "triage_llm_structured_output_rung", rung="json_schema") == 1
    # every family the Grafana dashboard reads is exported
    assert dashboard_metrics() <= families, dashboard_metrics() - families

    spans = exporter.get_finished_spans()
    by_ticket = {s.attributes["triage.ticket_id"]: s for s in spans if s.name == "triage.ticket"}
    assert len(by_ticket) == 2

    def children(parent: Any) -> list[Any]:
        return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]

    ok = next(s for s in by_ticket.values() if s.attributes["triage.path"] == "llm")
    [llm] = [s for s in children(ok) if s.name == "triage.stage.llm"]
    assert llm.attributes["gen_ai.request.model"] == MODEL
    assert llm.attributes["gen_ai.usage.input_tokens"] == usage["prompt_tokens"]
    assert llm.attributes["gen_ai.usage.output_tokens"] == usage["completion_tokens"]
    assert llm.attributes["triage.llm.rung"] == "json_schema"
    calls = sorted(s.name for s in children(llm))
    assert calls == ["llm classify.v2-compact", "llm draft.v2"]
    assert all(llm.start_time <= s.start_time <= s.end_time <= llm.end_time for s in children(llm))
    bad = next(s for s in by_ticket.values() if s.attributes["triage.path"] == "degraded")
    [bad_llm] = [s for s in children(bad) if s.name == "triage.stage.llm"]
    assert bad_llm.status.status_code == StatusCode.ERROR and bad_llm.attributes["error.type"] == "unavailable"
    for s in spans:  # never the text
        assert not any("calling me names" in str(v) or "my weight" in str(v) for v in (s.attributes or {}).values())
