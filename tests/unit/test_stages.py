"""The decision stages as pure functions: no store, no model, no event loop."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from triage.config import PROJECT_ROOT
from triage.domain.policy import load_policy
from triage.pipeline import stages
from triage.pipeline.classify import LocalPrediction
from triage.pipeline.decision import (
    CriticalHit,
    DecisionDraft,
    DecisionPath,
    MemoryState,
    Prepared,
    Reason,
    ReasonCode,
    TicketFacts,
)
from triage.pipeline.redact import redact
from triage.pipeline.signals import Signal

POLICY = load_policy(PROJECT_ROOT / "policy")
LEVELS = POLICY.risk_order  # most severe first


def prepared(*, probs: dict[str, dict[str, float]] | None = None, memory_cases: int = 300, fitted: bool = True,
             store_ok: bool = True, critical: tuple[CriticalHit, ...] = (), vector: bool = True,
             near_misses: tuple[CriticalHit, ...] = ()) -> Prepared:
    import numpy as np

    facts = TicketFacts(id="t", subject="", body="text", channel="api", reporter_type="user", language="en",
                        region=None, received_at=datetime(2026, 11, 30, tzinfo=UTC))
    memory = MemoryState(cases=memory_cases, fitted=fitted, per_category={}, thin_categories=(), min_cases=50,
                         store_ok=store_ok)
    return Prepared(facts=facts, redaction=redact("text"), language="en", language_detected=False,
                    vector=np.zeros(4, dtype=np.float32) if vector else None, hits=(),
                    local=LocalPrediction(probs=probs or {}), critical=critical, signals=(), memory=memory,
                    problems=(), timings={}, near_misses=near_misses)


def draft_for(category: str, risk: str, confidence: float = 0.9, **kw: object) -> DecisionDraft:
    p = prepared(**kw)  # type: ignore[arg-type]
    return DecisionDraft(prepared=p, category=category, confidence=confidence, runner_up=[], risk=risk,
                         risk_score=0.0)


@pytest.mark.parametrize("category", POLICY.categories)
@pytest.mark.parametrize("risk", LEVELS)
def test_risk_floors_raise_to_the_floor_and_never_lower(category: str, risk: str) -> None:
    d = draft_for(category, risk)
    stages.apply_risk_floors(d, POLICY)
    expected = POLICY.max_risk(risk, POLICY.floor(category))
    assert d.risk == expected


def test_a_plausible_critical_category_lends_its_floor() -> None:
    d = draft_for("harassment_bullying", "medium",
                  probs={"category": {"harassment_bullying": 0.7, "child_safety": 0.25, "spam": 0.05}})
    stages.apply_risk_floors(d, POLICY)
    assert d.risk == "critical" and "child_safety" in d.also
    assert [r.code for r in d.reasons] == [ReasonCode.possible_category]


def test_a_plausible_critical_category_is_named_even_when_the_risk_is_already_at_its_floor() -> None:
    """The risk model may have put the ticket at critical already (a memory whose risks are the categories' floors):
    the possible child-safety category is still in `also`, though it raises nothing and so gives no reason."""
    probs = {"category": {"sexual_content": 0.7, "child_safety": 0.25, "spam": 0.05}}
    d = draft_for("sexual_content", "critical", probs=probs)
    stages.apply_risk_floors(d, POLICY)
    assert d.risk == "critical" and d.also == ["child_safety"] and d.reasons == []
    # a plausible category no more severe than the decided one is not named by this rule
    d = draft_for("child_safety", "critical", probs={"category": {"child_safety": 0.6, "sexual_content": 0.4}})
    stages.apply_risk_floors(d, POLICY)
    assert d.also == []


def hit(category: str, risk: str, group: str = "g", probability: float = 0.5) -> CriticalHit:
    return CriticalHit(group=group, category=category, risk=risk, score=0.9, threshold=0.5, exemplar="ex",
                       exemplar_language="en", similarity=0.8, ngram_similarity=0.4, classifier_probability=0.1,
                       signal=None, probability=probability)


@pytest.mark.parametrize("risk", LEVELS)
def test_a_critical_hit_on_an_unsure_decision_raises_and_moves_the_category(risk: str) -> None:
    d = draft_for("no_violation", risk, confidence=0.3, critical=(hit("child_safety", "critical"),))
    stages.apply_critical(d, POLICY, min_confidence=0.55)
    assert d.risk == "critical" and d.category == "child_safety" and "no_violation" in d.also
    assert d.has_reason(ReasonCode.critical_detector)


def test_a_hit_against_a_surer_classifier_raises_risk_but_keeps_the_category() -> None:
    d = draft_for("hate_speech", "medium", confidence=0.8,
                  critical=(hit("violent_threat", "critical", probability=0.4),))
    stages.apply_critical(d, POLICY, min_confidence=0.55)
    assert d.risk == "critical" and d.category == "hate_speech" and d.also == ["violent_threat"]
    # ... unless the detector is the surer one
    sure = draft_for("hate_speech", "medium", confidence=0.6,
                     critical=(hit("violent_threat", "critical", probability=0.9),))
    stages.apply_critical(sure, POLICY, min_confidence=0.55)
    assert sure.category == "violent_threat" and sure.also == ["hate_speech"]


def test_a_hit_in_a_category_that_already_carries_its_risk_keeps_the_category() -> None:
    d = draft_for("violent_threat", "critical", critical=(hit("self_harm", "high"),))
    stages.apply_critical(d, POLICY, min_confidence=0.55)
    assert d.category == "violent_threat" and d.risk == "critical" and d.also == ["self_harm"]


@pytest.mark.parametrize(("kw", "why"), [
    ({"memory_cases": 0, "fitted": False}, "holds 0 case"),
    ({"memory_cases": 10}, "fewer than 50"),
    ({"fitted": False}, "no fitted model"),
    ({"store_ok": False}, "could not be searched"),
    ({"vector": False}, "embedding model failed"),
])
def test_no_evidence_is_never_low(kw: dict[str, object], why: str) -> None:
    d = draft_for("no_violation", "low", **kw)  # type: ignore[arg-type]
    stages.apply_no_evidence(d, POLICY, level="high", min_confidence=0.55)
    assert d.risk == "high"
    [reason] = [r for r in d.reasons if r.code == ReasonCode.no_evidence]
    assert why in reason.detail


def test_a_language_the_memory_holds_too_few_cases_of_is_no_evidence() -> None:
    thin = draft_for("spam", "low")
    thin.prepared = dataclasses.replace(thin.prepared, language="th", language_cases=2)
    stages.apply_no_evidence(thin, POLICY, level="high", min_confidence=0.55, min_language_cases=5)
    assert thin.risk == "high"
    [reason] = [r for r in thin.reasons if r.code == ReasonCode.no_evidence]
    assert "2 case(s) in the ticket's language (th), fewer than 5" in reason.detail
    enough = draft_for("spam", "low")
    enough.prepared = dataclasses.replace(enough.prepared, language="th", language_cases=5)
    stages.apply_no_evidence(enough, POLICY, level="high", min_confidence=0.55, min_language_cases=5)
    assert enough.risk == "low" and not enough.has_reason(ReasonCode.no_evidence)
    uncounted = draft_for("spam", "low")  # not counted (unsure detection, a memory without languages): no floor
    stages.apply_no_evidence(uncounted, POLICY, level="high", min_confidence=0.55, min_language_cases=5)
    assert uncounted.risk == "low"


def test_a_degraded_llm_with_an_unsure_local_model_is_no_evidence_but_a_sure_one_stands() -> None:
    unsure = draft_for("spam", "low", confidence=0.3)
    unsure.path = DecisionPath.degraded
    stages.apply_no_evidence(unsure, POLICY, level="high", min_confidence=0.55)
    assert unsure.risk == "high" and unsure.has_reason(ReasonCode.no_evidence)
    sure = draft_for("spam", "low", confidence=0.9)
    sure.path = DecisionPath.degraded
    stages.apply_no_evidence(sure, POLICY, level="high", min_confidence=0.55)
    assert sure.risk == "low" and not sure.has_reason(ReasonCode.no_evidence)


def test_no_evidence_never_lowers_a_critical_risk() -> None:
    d = draft_for("child_safety", "critical", memory_cases=0, fitted=False)
    stages.apply_no_evidence(d, POLICY, level="high", min_confidence=0.55)
    assert d.risk == "critical"


def test_a_critical_signal_moves_the_category_of_a_category_that_cannot_carry_it() -> None:
    d = draft_for("spam", "low")
    stages.apply_signals(d, [Signal("minor_sexual", "child_safety", "critical")], POLICY, min_confidence=0.55)
    assert d.category == "child_safety" and d.risk == "critical" and d.signals == ["minor_sexual"]
    assert d.has_reason(ReasonCode.critical_signal)


def test_risk_from_distribution_calls_critical_early() -> None:
    assert stages.risk_from_distribution({"critical": 0.26, "low": 0.74}, POLICY)[0] == "critical"
    assert stages.risk_from_distribution({"critical": 0.2, "high": 0.21, "low": 0.59}, POLICY)[0] == "high"
    assert stages.risk_from_distribution({}, POLICY) == ("low", 0.0)


def test_reasons_round_trip_through_storage_and_old_text_rows() -> None:
    r = Reason(ReasonCode.no_evidence, "the case memory holds 0 case(s)")
    assert str(r) == "no_evidence: the case memory holds 0 case(s)"
    assert Reason.parse(r.as_dict()) == r
    assert Reason.parse("low_confidence: category confidence 0.20 < 0.55") == Reason(
        ReasonCode.low_confidence, "category confidence 0.20 < 0.55")
    assert Reason.parse("empty_case_memory: no past cases to learn from") is None  # a retired code


def test_an_unsure_language_is_flagged_not_sent_to_a_person() -> None:
    sure = draft_for("spam", "low")
    stages.note_language(sure)
    assert sure.flags == [] and sure.rationale == []
    unsure = DecisionDraft(prepared=dataclasses.replace(prepared(), language_detected=True, language_confident=False),
                           category="spam", confidence=0.9, runner_up=[], risk="low", risk_score=0.0)
    stages.note_language(unsure)
    assert unsure.flags == ["language_uncertain"] and unsure.reasons == []
    assert unsure.rationale == ["language not detected with confidence; en assumed"]


# -- multi-label evidence and per-category automation thresholds (issue 12) ------------------------------
def with_local(d: DecisionDraft, **local: object) -> DecisionDraft:
    p = dataclasses.replace(d.prepared, local=dataclasses.replace(d.prepared.local, **local))
    return dataclasses.replace(d, prepared=p)


def test_a_secondary_category_above_its_threshold_lends_its_floor_once() -> None:
    d = with_local(draft_for("hate_speech", "low", probs={"category": {"hate_speech": 0.8, "violent_threat": 0.15}}),
                   ovr={"hate_speech": 0.9, "violent_threat": 0.7}, also=["violent_threat"])
    stages.apply_risk_floors(d, POLICY)
    expected = POLICY.max_risk(POLICY.floor("hate_speech"), POLICY.floor("violent_threat"))
    assert POLICY.severity(POLICY.floor("violent_threat")) > POLICY.severity(POLICY.floor("hate_speech"))
    assert d.risk == expected
    assert d.also == ["violent_threat"]
    # the critical detector naming the same category does not add it twice (and floors run twice per decision)
    d.prepared = dataclasses.replace(d.prepared, critical=(hit("violent_threat", expected),))
    stages.apply_critical(d, POLICY, min_confidence=0.55)
    stages.apply_risk_floors(d, POLICY)
    assert d.also == ["violent_threat"]


def test_the_highest_floor_of_several_secondary_categories_wins() -> None:
    d = with_local(draft_for("spam", "low"), ovr={"spam": 0.9, "hate_speech": 0.8, "child_safety": 0.6},
                   also=["hate_speech", "child_safety"])
    stages.apply_risk_floors(d, POLICY)
    assert d.risk == POLICY.floor("child_safety") == LEVELS[0]
    assert d.also == ["hate_speech", "child_safety"]


def test_no_secondary_category_leaves_the_floor_of_the_decided_one() -> None:
    d = with_local(draft_for("spam", "low"), ovr={"spam": 0.9, "child_safety": 0.6}, also=[])
    stages.apply_risk_floors(d, POLICY)
    assert d.risk == POLICY.max_risk("low", POLICY.floor("spam")) and d.also == []


def test_a_category_threshold_above_the_global_one_sends_the_decision_to_a_person() -> None:
    d = with_local(draft_for("spam", "low", confidence=0.7), auto_threshold={"spam": 0.8})
    d.path = DecisionPath.local
    stages.note_review_reasons(d, POLICY, min_confidence=0.55)
    assert d.has_reason(ReasonCode.low_confidence)
    passing = with_local(draft_for("spam", "low", confidence=0.85), auto_threshold={"spam": 0.8})
    stages.note_review_reasons(passing, POLICY, min_confidence=0.55)
    assert not passing.has_reason(ReasonCode.low_confidence)


def test_the_category_threshold_also_holds_for_the_cascade_combined_answer() -> None:
    combined = with_local(draft_for("spam", "low", confidence=0.7), auto_threshold={"spam": 0.8},
                          probs={"category": {"spam": 0.9}})
    combined.path, combined.usage = DecisionPath.llm, {"combined": True, "llm_category": "spam"}
    stages.note_review_reasons(combined, POLICY, min_confidence=0.55)
    assert combined.has_reason(ReasonCode.low_confidence)


def test_an_agreeing_llm_never_automates_what_the_local_probability_would_not() -> None:
    # the combined confidence clears both bars, the local probability of the chosen category does not
    lifted = with_local(draft_for("spam", "low", confidence=0.75), probs={"category": {"spam": 0.5, "scam_fraud": 0.4}})
    lifted.path, lifted.usage = DecisionPath.llm, {"combined": True, "llm_category": "spam"}
    stages.note_review_reasons(lifted, POLICY, min_confidence=0.55)
    assert lifted.has_reason(ReasonCode.low_confidence)
    sure = with_local(draft_for("spam", "low", confidence=0.75), probs={"category": {"spam": 0.7, "scam_fraud": 0.2}})
    sure.path, sure.usage = DecisionPath.llm, {"combined": True, "llm_category": "spam"}
    stages.note_review_reasons(sure, POLICY, min_confidence=0.55)
    assert not sure.has_reason(ReasonCode.low_confidence)
    alone = with_local(draft_for("spam", "low", confidence=0.7), auto_threshold={"spam": 0.8})
    alone.path, alone.usage = DecisionPath.llm, {"llm_category": "spam"}  # llm mode: the model's answer alone
    stages.note_review_reasons(alone, POLICY, min_confidence=0.55)
    assert not alone.has_reason(ReasonCode.low_confidence)


def test_a_category_threshold_below_the_global_one_never_automates_more() -> None:
    d = with_local(draft_for("spam", "low", confidence=0.5), auto_threshold={"spam": 0.3})
    stages.note_review_reasons(d, POLICY, min_confidence=0.55)
    assert d.has_reason(ReasonCode.low_confidence)


@pytest.mark.parametrize("risk", LEVELS)
def test_a_near_miss_raises_to_high_with_a_person_and_never_moves_the_category(risk: str) -> None:
    near = hit("child_safety", "high", group="child_sextortion")
    d = draft_for("no_violation", risk, confidence=0.3, near_misses=(near,))
    stages.apply_critical(d, POLICY, min_confidence=0.6)
    assert d.risk == POLICY.max_risk(risk, "high")
    assert d.category == "no_violation" and d.also == []  # child safety's floor (critical) must not come with it
    assert [r.code for r in d.reasons] == [ReasonCode.critical_near_miss]
    assert "child_sextortion (child_safety)" in d.reasons[0].detail and "watch 0.50" in d.reasons[0].detail


def test_a_near_miss_in_a_category_already_hit_adds_nothing() -> None:
    d = draft_for("no_violation", "low", confidence=0.3, critical=(hit("child_safety", "critical"),),
                  near_misses=(hit("child_safety", "high"), hit("doxxing_privacy", "high", group="doxxing")))
    stages.apply_critical(d, POLICY, min_confidence=0.6)
    assert d.risk == "critical" and d.category == "child_safety"
    assert [r.code for r in d.reasons] == [ReasonCode.critical_detector, ReasonCode.critical_near_miss]
    assert d.reasons[1].detail.startswith("doxxing (doxxing_privacy)")


def test_a_ticket_read_only_in_part_goes_to_a_person_unless_the_llm_read_it_all() -> None:
    read = draft_for("account_access", "low")
    stages.note_partly_read(read)
    assert read.reasons == []
    local = draft_for("account_access", "low")
    local.prepared = dataclasses.replace(local.prepared, unread=140)
    stages.note_partly_read(local)
    assert [r.code for r in local.reasons] == [ReasonCode.partly_read] and "140 word pieces" in local.reasons[0].detail
    assert local.risk == "low"  # nothing was found: no risk is raised
    by_llm = draft_for("account_access", "low")
    by_llm.prepared, by_llm.path, by_llm.usage = dataclasses.replace(by_llm.prepared, unread=140), DecisionPath.llm, {}
    stages.note_partly_read(by_llm)
    assert by_llm.reasons == []
    by_llm.usage = {"ticket_cut": True}  # the LLM's prompt bound cut the ticket too
    stages.note_partly_read(by_llm)
    assert [r.code for r in by_llm.reasons] == [ReasonCode.partly_read] and "neither" in by_llm.reasons[0].detail
