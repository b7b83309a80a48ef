"""Never fail open (issue 8, invariants 3 and 9), over real HTTP against the real app.

The two tickets below were answered "no_violation / low" before the critical detector existed: on a
fresh data directory (empty memory), and with the LLM failing. Neither matches a regex signal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import create_key, settings_for, ticket
from tests.llm.conftest import llm_settings
from tests.llm.fake_openai import FakeOpenAI, error

NGO_REPORT = ("We are a child protection NGO. The account posts videos of a girl who looks about 11 years old, "
              "and adult accounts in the comments ask her to move to private messages and send more pictures. "
              "Please remove and escalate urgently.")
FRIEND_TONIGHT = "My friend posted a video saying she will end her life tonight"
SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _seeded_app(tmp_path: Path, seeded_dir: Path, make_components: Any) -> tuple[Any, Any]:
    """Settings and components over a copy of the seeded data directory."""
    import shutil

    home = tmp_path / "app"
    shutil.copytree(seeded_dir, home)
    settings = settings_for(home)
    return settings, make_components(settings)


def _submit(http: Any, external_id: str, body: str, **extra: Any) -> dict[str, Any]:
    response = http.post("/v1/tickets", json=ticket(external_id, body, **extra))
    assert response.status_code == 201, response.text
    decision = response.json()["decision"]
    assert decision is not None
    return decision  # type: ignore[no-any-return]


def test_empty_memory_is_never_low_and_the_detector_finds_both_tickets(
    tmp_path: Path, make_components: Any, live_server: Any
) -> None:
    settings = settings_for(tmp_path)  # seed on_empty is off in tests: a fresh, empty data directory
    comps = make_components(settings)
    assert comps.store.count() == 0
    with live_server(settings, comps).client(create_key(comps)) as http:
        ready = http.get("/readyz").json()
        assert ready["status"] == "ready"  # not a 503: orchestrators must not kill a working service
        memory = ready["checks"]["memory"]
        assert memory["cases"] == 0 and memory["degraded"] is True and memory["fitted"] is False
        assert "child_safety" in memory["thin_categories"]

        child = _submit(http, "ngo-1", NGO_REPORT, channel="partner_portal", reporter={"type": "ngo"})
        assert child["risk"]["level"] == "critical"
        assert child["category"]["label"] == "child_safety" and child["queue"] == "child_safety"
        assert child["priority"] == "P1" and child["needs_human"] is True
        assert "critical_detector" in child["reason_codes"] and "no_evidence" in child["reason_codes"]
        [hit] = [h for h in child["risk"]["critical"] if h["category"] == "child_safety"]
        assert hit["score"] >= hit["threshold"] and hit["exemplar"] and hit["group"].startswith("child")

        friend = _submit(http, "friend-1", FRIEND_TONIGHT)
        assert SEVERITY[friend["risk"]["level"]] >= SEVERITY["high"] and friend["needs_human"] is True
        assert friend["category"]["label"] == "self_harm" and friend["queue"] == "imminent_harm"
        assert "critical_detector" in friend["reason_codes"]

        # a harmless ticket on an empty memory still rests on nothing: high, with a person, never low
        plain = _submit(http, "plain-1", "How do I change the name shown on my profile?")
        assert plain["risk"]["level"] == "high" and plain["priority"] == "P2" and plain["needs_human"] is True
        assert "no_evidence" in plain["reason_codes"] and "critical_detector" not in plain["reason_codes"]


def test_a_failing_llm_never_lowers_risk(tmp_path: Path, seeded_dir: Path, make_components: Any,
                                         live_server: Any) -> None:
    import shutil

    home = tmp_path / "app"
    shutil.copytree(seeded_dir, home)
    fake = FakeOpenAI().start()
    try:
        fake.always = error(500)
        settings = llm_settings(home, fake, timeout_s=0.5, deadline_s=1.5, max_attempts=2)
        comps = make_components(settings)
        with live_server(settings, comps).client(create_key(comps)) as http:
            friend = _submit(http, "llm-friend", FRIEND_TONIGHT)
            assert friend["path"] == "degraded" and friend["needs_human"] is True
            assert SEVERITY[friend["risk"]["level"]] >= SEVERITY["high"]
            assert "llm_unavailable" in friend["reason_codes"] and "critical_detector" in friend["reason_codes"]

            child = _submit(http, "llm-ngo", NGO_REPORT, reporter={"type": "ngo"}, channel="partner_portal")
            assert child["path"] == "degraded" and child["risk"]["level"] == "critical"
            assert child["queue"] == "child_safety"
    finally:
        fake.stop()


def test_a_store_that_cannot_be_searched_raises_risk_and_keeps_the_ticket(
    tmp_path: Path, make_components: Any, live_server: Any, seeded_dir: Path
) -> None:
    settings, comps = _seeded_app(tmp_path, seeded_dir, make_components)

    def down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("qdrant is down")

    with live_server(settings, comps).client(create_key(comps)) as http:
        comps.store.search_many = down  # type: ignore[method-assign]
        comps.store.count = down  # type: ignore[method-assign]
        d = _submit(http, "store-down", "How do I change the name shown on my profile?")
        assert SEVERITY[d["risk"]["level"]] >= SEVERITY["high"] and d["needs_human"] is True
        assert "store_unavailable" in d["reason_codes"] and "no_evidence" in d["reason_codes"]
        assert d["similar_cases"] == []
        ready = http.get("/readyz")  # still serving (every ticket decided, at raised risk): degraded, not 503
        assert ready.status_code == 200 and ready.json()["degraded"] is True
        assert ready.json()["checks"]["case_store"]["ok"] is False


@pytest.mark.slow
def test_serve_loads_the_seed_into_an_empty_memory_by_default(tmp_path: Path, embedder: Any,
                                                              live_server: Any) -> None:
    from triage.components import build_components

    small_seed = tmp_path / "seed.jsonl"
    lines = (Path(__file__).resolve().parents[2] / "seed" / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    small_seed.write_text("\n".join(lines[:120]) + "\n", encoding="utf-8")
    settings = settings_for(tmp_path, seed={"on_empty": True, "file": small_seed})
    comps = build_components(settings, embedder=embedder)
    try:
        assert comps.store.count() == 120
        with live_server(settings, comps).client(create_key(comps)) as http:
            memory = http.get("/readyz").json()["checks"]["memory"]
            assert memory["cases"] == 120 and memory["fitted"] is True
            assert sum(memory["per_category"].values()) == 120
    finally:
        comps.close()
    # a restart on the same directory does not load it twice
    again = build_components(settings, embedder=embedder)
    try:
        assert again.store.count() == 120
    finally:
        again.close()
    # and the opt-out keeps a fresh directory empty
    other = tmp_path / "other"
    off = settings_for(other, seed={"on_empty": False, "file": small_seed})
    empty = build_components(off, embedder=embedder)
    try:
        assert empty.store.count() == 0
    finally:
        empty.close()


def test_a_score_just_below_the_hit_threshold_is_a_near_miss_at_least_high_with_a_person(
    tmp_path: Path, make_components: Any, live_server: Any, seeded_dir: Path
) -> None:
    import dataclasses

    settings, comps = _seeded_app(tmp_path, seeded_dir, make_components)
    detector = comps.pipeline.critical
    state = detector.state
    # the watch band lies below every hit threshold, and is a band (not empty) where the budget set the threshold
    assert set(state.watch) == set(state.thresholds)
    assert all(state.watch[c] <= state.thresholds[c] for c in state.thresholds)
    assert any(state.watch[c] < state.thresholds[c] for c in state.budget_bound)
    # hit thresholds out of reach: what the heads find in the NGO report now lies in the watch band
    detector.import_state(dataclasses.replace(state, thresholds={c: 1.5 for c in state.thresholds}))
    with live_server(settings, comps).client(create_key(comps)) as http:
        d = _submit(http, "ngo-near", NGO_REPORT, channel="partner_portal", reporter={"type": "ngo"})
    assert "critical_near_miss" in d["reason_codes"] and "critical_detector" not in d["reason_codes"]
    assert d["risk"]["critical"] == [] and d["needs_human"] is True
    assert SEVERITY[d["risk"]["level"]] >= SEVERITY["high"]
    [near] = [r for r in d["reasons"] if r.startswith("critical_near_miss")]
    assert "(child_safety)" in near and "below the hit threshold" in near


def test_a_case_without_a_category_that_leaves_a_critical_one_open_is_never_a_harmless_example(
    tmp_path: Path, seeded_dir: Path, make_components: Any
) -> None:
    """Partially labelled cases (no category; `unknown` lists what their labels leave open) are negatives of the
    critical detector only when they rule out every critical category: one that might be a self-harm post is left
    out, never taught as harmless."""
    from triage.services.cases import FieldMap, import_cases

    _, comps = _seeded_app(tmp_path, seeded_dir, make_components)
    detector = comps.pipeline.critical
    assert detector is not None
    labelled = comps.store.count()
    rows = [{"id": f"open-{i}", "text": f"{FRIEND_TONIGHT}, clip {i}", "unknown": "self_harm,no_violation"}
            for i in range(3)]
    rows.append({"id": "closed", "text": "buy followers cheap, link in bio", "unknown": "spam,no_violation"})
    assert set(detector.categories) & {"self_harm"} and "spam" not in detector.categories
    import_cases(rows, fields=FieldMap(), store=comps.store, embedder=comps.embedder, sessions=comps.sessions,
                 source="import")
    comps.pipeline.classifier.train()  # the detector is fitted with the full fits (as `triage model train` runs)
    assert detector.state.fitted_on == labelled + 1  # the seed's cases and the one that rules them all out
