"""A decision becomes a row in one place (`decision_row`) and a response in one (`decision_out`): fields with a
column go to it, every other field to the row's `detail` document and from there, by name, to the response."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from triage.domain.tickets import DecisionOut
from triage.pipeline.decision import CriticalHit, Decision, DecisionPath, Reason, ReasonCode
from triage.services import tickets as ticket_service


def decision(**overrides: Any) -> Decision:
    values: dict[str, Any] = dict(
        category="self_harm", category_confidence=0.81234, runner_up=[{"label": "no_violation", "p": 0.1}],
        risk="critical", risk_score=0.9, risk_floor="high", signals=["suicide_imminent"], queue="urgent",
        priority="p0", sla_due_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC), needs_human=True,
        reasons=[Reason(ReasonCode.critical_signal, "suicide_imminent")], flags=[], draft_reply="We are here.",
        rationale="r", similar_cases=[], path=DecisionPath.local,
        versions={"policy": "p", "embedder": "e", "classifier": "c"}, timings_ms={"embed": 1.0},
        usage={}, language="en", language_detected=True,
        probabilities={"category": {"self_harm": 0.81234, "no_violation": 0.1}},
        critical=[CriticalHit(group="suicide_imminent", category="self_harm", risk="critical", score=0.912345,
                              threshold=0.5, exemplar="e", exemplar_language="en", similarity=0.7,
                              ngram_similarity=0.2, classifier_probability=0.8, signal=None)],
        also=["violent_threat"])
    values.update(overrides)
    return Decision(**values)


def test_columns_are_filled_and_the_rest_goes_to_detail() -> None:
    row = ticket_service.decision_row(decision(), ticket_id="t1", seq=1)
    assert row.category == "self_harm" and row.path == "local" and row.also == ["violent_threat"]
    assert row.reasons == [{"code": "critical_signal", "detail": "suicide_imminent"}]
    assert row.critical[0]["score"] == 0.9123  # CriticalHit's own rounding, not a second encoding
    assert row.sla_due_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    # no column: kept by name; the ticket's language is the ticket's, not the decision's
    assert row.detail == {"probabilities": {"category": {"self_harm": 0.81234, "no_violation": 0.1}}}


def test_a_new_decision_field_needs_only_the_dataclass_and_the_response_model(monkeypatch: Any) -> None:
    """What docs/architecture.md promises: add a field to `Decision` and to `DecisionOut`, nothing else."""

    @dataclasses.dataclass
    class DecisionWithAppeal(Decision):
        appeal_window_days: int = 14

    class DecisionOutWithAppeal(DecisionOut):
        appeal_window_days: int | None = Field(default=None)

    monkeypatch.setattr(ticket_service, "DecisionOut", DecisionOutWithAppeal)
    monkeypatch.setattr(ticket_service, "_DETAIL_OUT", ticket_service._DETAIL_OUT | {"appeal_window_days"})
    base = dataclasses.asdict(decision())
    base["reasons"] = decision().reasons
    base["critical"] = decision().critical
    row = ticket_service.decision_row(DecisionWithAppeal(**base, appeal_window_days=30), ticket_id="t1", seq=1)
    row.id, row.created_at = "d1", datetime(2026, 11, 30, tzinfo=UTC)
    out = ticket_service.decision_out(row)
    assert isinstance(out, DecisionOutWithAppeal)
    assert out.appeal_window_days == 30 and out.category.also == ["violent_threat"]
