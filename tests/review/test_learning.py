"""Learning from reviews: a corrected ticket changes the decision for a near-duplicate submitted afterwards."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import create_key, import_seed, settings_for, ticket
from tests.review.conftest import seed_subset
from triage.components import Components

FIRST = "An account keeps commenting 'check my bio for free followers' on every single video I post."
NEAR_DUPLICATE = "An account keeps commenting 'check my bio for free followers' on every video that I post."


@pytest.mark.slow
def test_a_corrected_ticket_changes_the_next_near_duplicate_decision(
    tmp_path: Path, make_components: Callable[..., Components], live_server: Any
) -> None:
    settings = settings_for(tmp_path, reprocess_on_startup=False)
    comps = make_components(settings)
    assert import_seed(comps, seed_subset(tmp_path / "seed.jsonl")) == 19 * 5
    server = live_server(settings, comps)
    service = server.client(create_key(comps, "service"))
    reviewer = server.client(create_key(comps, "reviewer", name="rev"))

    first = service.post("/v1/tickets", json=ticket("learn-1", FIRST, language="en")).json()
    model_said = first["decision"]["category"]["label"]
    correction = "scam_fraud" if model_said != "scam_fraud" else "spam"
    before = service.post("/v1/tickets", json=ticket("learn-0", NEAR_DUPLICATE, language="en")).json()
    assert before["decision"]["category"]["label"] == model_said, "control: before the review, the model agrees"
    version = reviewer.get(f"/v1/tickets/{first['ticket_id']}").json()["version"]
    review = reviewer.post(f"/v1/tickets/{first['ticket_id']}/review", json={
        "action": "accept", "version": version, "category": correction, "reason_code": "wrong_category"})
    assert review.status_code == 200, review.text
    assert review.json()["learned"] is True

    second = service.post("/v1/tickets", json=ticket("learn-2", NEAR_DUPLICATE, language="en")).json()
    decision = second["decision"]
    assert decision["category"]["label"] == correction, (model_said, decision)
    assert decision["similar_cases"][0]["id"] == review.json()["case_id"]
    assert decision["similar_cases"][0]["similarity"] > 0.9
    # and the reply it drafts comes from the reviewed case's memory, not from before the review
    assert model_said != decision["category"]["label"]
