"""Serving properties: the event loop stays free, nothing personal reaches the logs, a failing
component leaves a durable pending ticket (202) that reprocessing completes."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path

import pytest

from tests.conftest import create_key, import_seed, settings_for, ticket
from triage.db.models import Ticket
from triage.services.tickets import reprocess_pending


def test_model_work_does_not_block_other_requests(tmp_path: Path, make_components, live_server) -> None:
    settings = settings_for(tmp_path)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    order: list[str] = []
    started = threading.Event()

    def big_batch() -> None:
        with srv.client(key) as http:
            started.set()
            r = http.post("/v1/tickets:batch", json={"tickets": [
                ticket(f"slow-{i}", f"variant {i}: a fake giveaway asks followers to send crypto " * 5)
                for i in range(40)]})
            assert r.status_code == 200
            order.append("batch")

    t = threading.Thread(target=big_batch)
    t.start()
    started.wait()
    with srv.client() as http:
        for _ in range(5):
            assert http.get("/healthz").status_code == 200
    order.append("healthz")
    t.join()
    assert order == ["healthz", "batch"]


def test_personal_data_never_reaches_the_logs(tmp_path: Path, make_components, live_server,
                                              caplog: pytest.LogCaptureFixture) -> None:
    settings = settings_for(tmp_path)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    secrets = ["victim.person@example.com", "+44 7700 900123", "4111 1111 1111 1111", "@stalker_account"]
    caplog.set_level(logging.DEBUG)
    with srv.client(key) as http:
        r = http.post("/v1/tickets", json=ticket(
            "pii-1", f"{secrets[3]} posted my email {secrets[0]}, my phone {secrets[1]} and card {secrets[2]}"))
        assert r.status_code == 201
        bad = http.post("/v1/tickets", json={**ticket("pii-2", f"mail {secrets[0]}"), "channel": "fax"})
        assert bad.status_code == 422
    text = "\n".join(f"{rec.getMessage()} {rec.__dict__}" for rec in caplog.records)
    assert caplog.records  # the request log is there
    for s in secrets:
        assert s not in text


def test_a_failing_store_still_decides_at_raised_risk_and_a_crash_gives_202(tmp_path: Path, make_components,
                                                                              live_server) -> None:
    settings = settings_for(tmp_path, reprocess_on_startup=False)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    comps.store.close()  # the vector store goes away under the running service
    with srv.client(key) as http:
        # decided without similar cases, at raised risk, for a person: never low, never lost
        r = http.post("/v1/tickets", json=ticket("down-1", "someone hacked my account and changed the email"))
        assert r.status_code == 201, r.text
        d = r.json()["decision"]
        assert d["risk"]["level"] in ("high", "critical") and d["needs_human"] is True
        assert "store_unavailable" in d["reason_codes"] and d["similar_cases"] == []
        assert http.get("/healthz").status_code == 200
        ready = http.get("/readyz")
        assert ready.status_code == 200 and ready.json()["degraded"] is True

        # a pipeline that crashes outright leaves the ticket persisted and pending (202), completed later
        def crash(batch: object) -> None:
            raise RuntimeError("boom")

        comps.pipeline.prepare = crash  # type: ignore[method-assign]
        r = http.post("/v1/tickets", json=ticket("crash-1", "my account was hacked and the email was changed"))
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["status"] == "received" and body["decision"] is None
    srv.__exit__()
    comps.engine.dispose()
    comps2 = make_components(settings)  # "after the restart"
    assert asyncio.run(reprocess_pending(sessions=comps2.sessions, pipeline=comps2.pipeline)) == 1
    with comps2.sessions() as s:
        assert s.get(Ticket, body["ticket_id"]).status == "decided"
