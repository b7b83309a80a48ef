"""The real app over HTTP, on SQLite and PostgreSQL, with the bundled seed cases as memory."""

from __future__ import annotations

import concurrent.futures
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import create_key, import_seed, settings_for, ticket
from triage.pipeline.redact import has_placeholder, redact

CHILD_SAFETY = ticket(
    "tf-0001",
    "The account @fake.handle123 sends DMs to 13 year olds asking for private photos and offers gift cards "
    "in return. We have screenshots of several conversations.",
    subject="Adult account soliciting images from minors",
    channel="partner_portal",
    reporter={"type": "trusted_flagger", "id": "ngo-safekids"},
    region="GB",
)
LOGIN = ticket(
    "u-0002",
    "I forgot my password and the reset code never arrives to my phone, I can't log in to my account.",
    subject="can't log in",
    channel="in_app_report",
)


def test_decisions_over_http(db_url: str, tmp_path: Path, make_components, live_server) -> None:
    settings = settings_for(tmp_path, db_url)
    comps = make_components(settings)
    assert import_seed(comps) >= 300
    key = create_key(comps)
    srv = live_server(settings, comps)
    with srv.client(key) as http:
        r = http.post("/v1/tickets", json=CHILD_SAFETY)
        assert r.status_code == 201, r.text
        body = r.json()
        d = body["decision"]
        assert d["category"]["label"] == "child_safety"
        assert d["risk"]["level"] == "critical"
        assert d["queue"] == "child_safety"
        assert d["needs_human"] is True and d["reasons"]
        assert d["path"] == "local"
        # partner SLA: trusted flaggers get the partner table (30 min for P1), not the standard one (60)
        created = datetime.fromisoformat(d["created_at"])
        due = datetime.fromisoformat(d["sla_due_at"])
        assert timedelta(minutes=25) <= due - created <= timedelta(minutes=31)
        assert d["similar_cases"] and d["similar_cases"][0]["category"] == "child_safety"
        assert set(d["versions"]) >= {"embedder", "policy", "classifier", "prompt"}
        assert {"embed_ms", "retrieve_ms", "classify_ms", "route_ms", "draft_ms"} <= set(d["timings_ms"])
        # the draft repeats no personal data the ticket did not give, and leaves no placeholder
        given = set(redact(CHILD_SAFETY["body"]).mapping.values())
        assert given and set(redact(d["draft_reply"]).mapping.values()) <= given
        assert not has_placeholder(d["draft_reply"])

        r2 = http.post("/v1/tickets", json=LOGIN)
        assert r2.status_code == 201
        d2 = r2.json()["decision"]
        assert d2["category"]["label"] == "account_access"
        assert d2["risk"]["level"] in ("low", "medium")
        assert d2["queue"] == "account_support"

        # a retry returns the same ticket and decision with 200, never a duplicate
        again = http.post("/v1/tickets", json=CHILD_SAFETY)
        assert again.status_code == 200
        assert again.json()["created"] is False
        assert again.json()["ticket_id"] == body["ticket_id"]
        assert again.json()["decision"]["id"] == d["id"]

        got = http.get(f"/v1/tickets/{body['ticket_id']}")
        assert got.status_code == 200
        assert got.json()["decision"]["id"] == d["id"] and got.json()["status"] == "decided"


def test_concurrent_retries_make_one_ticket_and_one_decision(db_url: str, tmp_path: Path, make_components,
                                                             live_server) -> None:
    settings = settings_for(tmp_path, db_url)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    payload = ticket("race-1", "Someone is threatening to post my home address online", channel="email")

    def post() -> tuple[int, str, str]:
        with srv.client(key) as http:
            r = http.post("/v1/tickets", json=payload)
            j = r.json()
            return r.status_code, j["ticket_id"], (j["decision"] or {}).get("id", "")

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: post(), range(6)))
    assert {code for code, _, _ in results} <= {200, 201, 202}
    assert len({tid for _, tid, _ in results}) == 1
    assert len({did for _, _, did in results if did}) == 1
    from sqlalchemy import func, select

    from triage.db.models import DecisionRow, Ticket

    with comps.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Ticket)) == 1
        assert s.scalar(select(func.count()).select_from(DecisionRow)) == 1


def test_batch_keeps_good_tickets_and_names_bad_ones(tmp_path: Path, make_components, live_server) -> None:
    settings = settings_for(tmp_path)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    tickets = [
        ticket("b-1", "How do I turn on two-step verification?"),
        ticket("b-2", "", subject=""),  # empty
        {**ticket("b-3", "spam bots flood my comments"), "channel": "fax"},  # unknown channel
        ticket("b-4", "A video shows a dangerous fire challenge that kids copy"),
    ]
    with srv.client(key) as http:
        r = http.post("/v1/tickets:batch", json={"tickets": tickets})
        assert r.status_code == 200, r.text
        items = r.json()["results"]
        assert [it["index"] for it in items] == [0, 1, 2, 3]
        assert [it["status"] for it in items] == [201, 422, 422, 201]
        assert "channel" in items[2]["error"]["detail"]
        assert items[0]["result"]["decision"]["category"]["label"]
        too_many = http.post("/v1/tickets:batch", json={"tickets": [tickets[0]] * 101})
        assert too_many.status_code == 422


def test_service_keys_only_see_their_own_tickets(tmp_path: Path, make_components, live_server) -> None:
    settings = settings_for(tmp_path)
    comps = make_components(settings)
    import_seed(comps)
    a, b, reviewer = create_key(comps, name="a"), create_key(comps, name="b"), create_key(comps, "reviewer")
    srv = live_server(settings, comps)
    with srv.client(a) as http:
        tid = http.post("/v1/tickets", json=LOGIN).json()["ticket_id"]
    with srv.client(b) as http:
        assert http.get(f"/v1/tickets/{tid}").status_code == 404
        # the same external_id from another client is another ticket
        assert http.post("/v1/tickets", json=LOGIN).json()["ticket_id"] != tid
    with srv.client(reviewer) as http:
        assert http.get(f"/v1/tickets/{tid}").status_code == 200
        assert http.post("/v1/tickets", json=LOGIN).status_code == 403


@pytest.mark.parametrize("mode", ["sqlite"])
def test_openapi_is_complete(mode: str, tmp_path: Path, make_components, live_server) -> None:
    settings = settings_for(tmp_path)
    comps = make_components(settings)
    srv = live_server(settings, comps)
    with srv.client() as http:
        spec = http.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/tickets", "/v1/tickets:batch", "/v1/tickets/{ticket_id}", "/healthz", "/readyz"):
        assert path in paths
    post = paths["/v1/tickets"]["post"]
    assert {"200", "201", "401", "413", "422"} <= set(post["responses"])
    assert spec["components"]["schemas"]["TicketIn"].get("examples")
    assert "Problem" in spec["components"]["schemas"]
