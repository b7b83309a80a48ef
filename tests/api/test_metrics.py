"""/metrics on the real app over HTTP (SQLite and PostgreSQL): counters move with tickets, gauges read state,
labels stay bounded, and a key can be required."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from tests.conftest import create_key, settings_for, ticket
from triage.db.models import DecisionRow

CHILD = ticket("m-1", "An adult account sends DMs to 13 year olds asking for private photos in exchange for gift "
               "cards.", subject="grooming of minors", channel="partner_portal", reporter={"type": "trusted_flagger"})
LOGIN = ticket("m-2", "I forgot my password and the reset code never arrives to my phone, I cannot log in.")
SPAM = ticket("m-3", "This account posts the same crypto giveaway link under hundreds of videos every hour.")
SCAM = ticket("m-4", "A seller took my payment of 300 euros for concert tickets and then blocked me everywhere.")


def scrape(http: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    r = http.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def total(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls))


@pytest.mark.slow
def test_metrics_move_with_tickets(db_url: str, tmp_path: Path, seeded_dir: Path, make_components,
                                   live_server) -> None:
    home = tmp_path / "app"
    shutil.copytree(seeded_dir, home)
    settings = settings_for(home, db_url, metrics={"scrape_cache_s": 0})
    comps = make_components(settings)
    key = create_key(comps)
    srv = live_server(settings, comps)
    with srv.client(key) as http:
        before = scrape(http)
        assert total(before, "triage_decisions_total") == 0
        assert total(before, "triage_stage_duration_seconds_count", stage="embed") == 0
        assert total(before, "triage_review_queue_depth") == 0
        assert total(before, "triage_case_memory_cases") == comps.store.count() > 0
        assert total(before, "triage_classifier_revision") >= 0  # fitted at start-up
        assert total(before, "triage_llm_breaker_state") == 0  # no LLM configured: no breaker to report

        assert http.post("/v1/tickets", json=CHILD).status_code == 201
        assert http.post("/v1/tickets", json=LOGIN).status_code == 201
        batch = http.post("/v1/tickets:batch", json={"tickets": [SPAM, SCAM]})
        assert batch.status_code in (200, 201, 207), batch.text
        assert http.post("/v1/tickets", json=CHILD).status_code == 200  # a retry decides nothing new
        assert http.post("/v1/tickets", json={"external_id": "bad"}).status_code == 422

        after = scrape(http)
    assert total(after, "triage_decisions_total") == 4
    assert total(after, "triage_decisions_total", path="local", category="child_safety", risk="critical",
                 needs_human="true") == 1
    for stage in ("redact", "embed", "retrieve", "classify", "critical", "route", "draft", "guard"):
        assert total(after, "triage_stage_duration_seconds_count", stage=stage) == 4, stage
        assert total(after, "triage_stage_duration_seconds_sum", stage=stage) > 0, stage
    assert total(after, "triage_stage_duration_seconds_count", stage="llm") == 0  # local mode
    assert total(after, "triage_decision_batch_size_count") == 3  # two singles and one batch of two
    assert total(after, "triage_needs_human_reasons_total", reason="critical_risk") >= 1
    # HTTP per route template and exact status
    assert total(after, "http_requests_total", handler="/v1/tickets", method="POST", status="201") == 2
    assert total(after, "http_requests_total", handler="/v1/tickets", method="POST", status="200") == 1
    assert total(after, "http_requests_total", handler="/v1/tickets", method="POST", status="422") == 1
    assert total(after, "http_request_duration_seconds_count", handler="/v1/tickets:batch") == 1
    # the review queue, read at scrape time: every decided ticket waits for review, by risk
    assert total(after, "triage_review_queue_depth") == 4
    assert total(after, "triage_review_queue_depth", risk="critical") == 1
    assert total(after, "triage_review_past_sla") == 0
    assert total(after, "triage_tickets_pending") == 0

    # one decision past its SLA shows up at the next scrape
    with comps.sessions.begin() as session:
        session.execute(update(DecisionRow).where(DecisionRow.risk == "critical")
                        .values(sla_due_at=datetime.now(UTC) - timedelta(minutes=5)))
    with srv.client(key) as http:
        late = scrape(http)
        text = http.get("/metrics").text
    assert total(late, "triage_review_past_sla", risk="critical") == 1
    assert total(late, "triage_review_past_sla") == 1

    # bounded labels: no ticket id, external id or ticket text anywhere in the exposition
    with comps.sessions() as session:
        ids = [row.ticket_id for row in session.query(DecisionRow)]
    assert len(ids) == 4
    for forbidden in [*ids, "m-1", "m-3", "gift cards", "crypto giveaway", "password"]:
        assert forbidden not in text, forbidden


def test_metrics_can_require_a_key(tmp_path: Path, seeded_dir: Path, make_components, live_server) -> None:
    home = tmp_path / "app"
    shutil.copytree(seeded_dir, home)
    settings = settings_for(home, metrics={"require_key": True})
    comps = make_components(settings)
    key = create_key(comps, role="analyst", name="prometheus")
    srv = live_server(settings, comps)
    with srv.client() as anonymous:
        r = anonymous.get("/metrics")
        assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
        assert "API key" in r.json()["detail"]
        assert anonymous.get("/metrics", headers={"Authorization": "Bearer trg_not-a-key"}).status_code == 401
    with srv.client(key) as http:
        assert total(scrape(http), "triage_case_memory_cases") > 0
    with srv.client() as http:
        doc = http.get("/openapi.json").json()
        assert "/metrics" in doc["paths"] and doc["paths"]["/metrics"]["get"]["description"]


def test_metrics_can_be_switched_off(tmp_path: Path, seeded_dir: Path, make_components, live_server) -> None:
    home = tmp_path / "app"
    shutil.copytree(seeded_dir, home)
    settings = settings_for(home, metrics={"enabled": False})
    srv = live_server(settings, make_components(settings))
    with srv.client() as http:
        assert http.get("/metrics").status_code == 404
        assert http.get("/healthz").status_code == 200
