"""The LLM path end to end: POST /v1/tickets over real HTTP to the real app, whose LLM is the fake
OpenAI-compatible server on loopback, spoken to by the real `openai` client."""

from __future__ import annotations

import asyncio
import math
import re
import socket
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import settings_for, ticket
from tests.llm.conftest import LlmApp
from tests.llm.fake_openai import answer, error, raw, slow
from triage.components import build_pipeline
from triage.pipeline.pipeline import TicketFacts
from triage.pipeline.redact import redact

HARASSMENT = ("Someone keeps calling me names under every video I post and tells others to pile on. "
              "Write to me at jo.smith@example.com or +44 7700 900123; my account is @jojo_22.")
PERSONAL = ("jo.smith@example.com", "7700 900123", "7700900123", "@jojo_22", "jojo_22")
# a complaint whose category has a medium floor and that carries no sign of critical harm
SCAM = "A seller in the shop on your app took my payment for a pair of sneakers and never shipped them."
CRITICAL = "My friend said he is going to kill himself tonight on a livestream, please help."
FENCED_TICKET = re.compile(r"<<<TICKET ([0-9a-f]{16})>>>\n(.*?)\n<<<END TICKET \1>>>", re.DOTALL)
SEVERITY = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def local_decision(app: LlmApp, body: str) -> Any:
    """What the local classifier alone decides for this text, on the same case memory."""
    c = app.comps
    pipeline = getattr(c, "local_only", None)
    if pipeline is None:  # built once per app: fitting the local classifier is the slow part
        pipeline = build_pipeline(c.settings, policy=c.policy, embedder=c.embedder, store=c.store)
        c.local_only = pipeline  # type: ignore[attr-defined]
    facts = TicketFacts(id="local", subject="", body=body, channel="in_app_report", reporter_type="user",
                        language=None, region=None, received_at=datetime.now(UTC))
    return asyncio.run(pipeline.decide(facts))


def test_llm_decisions_are_grounded_fenced_enum_bound_and_carry_no_personal_data(llm_app: Any) -> None:
    # the first prompt, still selectable: every definition, the cases with their replies
    app: LlmApp = llm_app(prompt_version="v1", prompt_style="full")
    result = app.submit(ticket("pii-1", HARASSMENT))
    d = result["decision"]
    assert d["path"] == "llm"
    assert d["category"]["label"] == "harassment_bullying"
    # the LLM said medium, and nothing may lower that; the critical detector (contact details next to a complaint
    # can read as possible doxxing to it) may only raise: the level is the highest of the LLM's, every hit's and
    # every secondary category's floor, and a hit in another category shows as a secondary category
    # (a near miss of the detector raises to high and is named only in the reasons)
    hits = d["risk"]["critical"]
    policy = app.comps.policy
    near = ["high"] if "critical_near_miss" in d["reason_codes"] else []
    assert d["risk"]["level"] == max(["medium", *near, *(h["risk"] for h in hits),
                                      *(policy.floor(c) for c in d["category"]["also"])], key=SEVERITY.__getitem__)
    assert {h["category"] for h in hits} - {"harassment_bullying"} <= set(d["category"]["also"])
    assert d["rationale"].startswith("Targeted insults at one person")
    assert d["versions"]["model"] == "fake-model" and d["versions"]["prompt"] == "classify.v1-full+draft.v1"
    usage = d["usage"]
    assert usage["calls"] == 2 and usage["prompt_tokens"] > 0 and usage["cost_usd"] > 0
    assert usage["structured_output"] == "json_schema" and "llm_ms" in d["timings_ms"]
    # the LLM's draft, with the e-mail placeholder put back for the person who gave it
    assert "jo.smith@example.com" in d["draft_reply"] and "[EMAIL_1]" not in d["draft_reply"]

    classify = app.fake.recorded("classify")
    draft = app.fake.recorded("draft")
    assert len(classify) == 1 and len(draft) == 1
    sent = classify[0]
    # the ticket, redacted, inside a fence
    fenced = FENCED_TICKET.search(sent.text)
    assert fenced and "keeps calling me names" in fenced.group(2) and "[EMAIL_1]" in fenced.group(2)
    assert "keeps calling me names" not in sent.unfenced
    # the similar cases the decision reports, with their final labels, as examples
    examples = d["similar_cases"][: app.settings.llm.max_examples]
    assert examples
    for n, case in enumerate(examples, 1):
        assert f"Case {n} (similarity {case['similarity']:.2f}): category {case['category']}, risk {case['risk']}" \
            in sent.text
    assert sent.text.count(f"<<<CASE {fenced.group(1)}>>>") == len(examples)
    # the policy's labels as the enum of the schema
    schema = sent.body["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["category"]["enum"] == app.comps.policy.categories
    assert schema["properties"]["risk"]["enum"] == app.comps.policy.risk_order
    # no personal data in anything the server received
    for rec in app.fake.recorded():
        for value in PERSONAL:
            assert value not in rec.text
        assert redact(rec.text).mapping == {}, redact(rec.text).mapping


def test_cascade_decides_locally_when_confident_and_low_risk_and_asks_otherwise(llm_app: Any) -> None:
    never = llm_app(classifier={"mode": None, "cascade_min_confidence": 0.0, "cascade_max_risk": "critical"})
    d = never.decision(ticket("c-1", HARASSMENT))
    assert d["path"] == "local" and "LLM not asked: the local classifier is confident" in d["rationale"]
    assert never.fake.recorded() == []
    always = llm_app(classifier={"mode": None, "cascade_min_confidence": 1.0})
    d = always.decision(ticket("c-2", HARASSMENT))
    assert d["path"] == "llm" and "LLM asked: local confidence" in d["rationale"]
    assert len(always.fake.recorded("classify")) == 1


# a routine account email far longer than the embedding model's window (256 word pieces), with no critical content
LONG_ROUTINE = " ".join(
    f"Day {i}: I tried to log in again from my phone and from the laptop, cleared the cache, reinstalled the app "
    "and requested another reset email, which still has not arrived in my inbox or in the spam folder."
    for i in range(8))


def test_cascade_asks_the_llm_about_a_ticket_the_local_model_did_not_read_in_full(llm_app: Any) -> None:
    """However confident the local path is about a long ticket, it read only its start: the cascade asks the LLM,
    and when the LLM is not what decided it, a person reads it (`partly_read`)."""
    never = llm_app(classifier={"mode": None, "cascade_min_confidence": 0.0, "cascade_max_risk": "critical"})
    [unread] = never.comps.embedder.unread([LONG_ROUTINE])
    assert unread > 0 and never.comps.embedder.unread([HARASSMENT]) == [0]
    d = never.decision(ticket("p-1", LONG_ROUTINE))
    assert d["path"] == "llm" and "LLM asked: the local model did not read the last" in d["rationale"]
    assert len(never.fake.recorded("classify")) == 1
    assert "partly_read" not in d["reason_codes"]  # the LLM read it (the fenced ticket is not cut at this length)
    short = never.decision(ticket("p-2", HARASSMENT))
    assert short["path"] == "local" and len(never.fake.recorded("classify")) == 1
    off = llm_app(classifier={"mode": "local", "review_partly_read": True})
    asked = len(off.fake.recorded())
    d = off.decision(ticket("p-3", LONG_ROUTINE))
    assert d["path"] == "local" and d["needs_human"] is True and "partly_read" in d["reason_codes"]
    assert len(off.fake.recorded()) == asked  # local mode never asks
    unchecked = llm_app(classifier={"mode": "local", "review_partly_read": False})
    d = unchecked.decision(ticket("p-4", LONG_ROUTINE))
    assert "partly_read" not in d["reason_codes"]


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


FAILURES = {
    "malformed_json": lambda fake: setattr(fake, "always", raw("{'category': harassment_bullying, risk: ")),
    "wrong_enum": lambda fake: setattr(fake, "always", answer(
        {"category": "totally_fine", "risk": "none", "confidence": 0.99, "rationale": "nothing to see"})),
    "http_500": lambda fake: setattr(fake, "always", error(500)),
    "rate_limited": lambda fake: setattr(fake, "always", error(429, retry_after=0.2)),
    "timeout": lambda fake: setattr(fake, "always", slow(2.0)),
    "connection_refused": lambda fake: None,
}


@pytest.mark.parametrize("failure", list(FAILURES))
def test_every_failure_degrades_safely(llm_app: Any, failure: str) -> None:
    overrides: dict[str, Any] = {"timeout_s": 0.4, "deadline_s": 1.2, "max_attempts": 3}
    if failure == "connection_refused":
        overrides["base_url"] = _closed_port_url()
    app: LlmApp = llm_app(**overrides)
    FAILURES[failure](app.fake)
    for n, body in enumerate((CRITICAL, HARASSMENT)):
        local = local_decision(app, body)
        t0 = time.monotonic()
        result = app.submit(ticket(f"{failure}-{n}", body))
        assert time.monotonic() - t0 < 10
        d = result["decision"]
        assert d["path"] == "degraded" and d["needs_human"] is True
        assert any(r.startswith("llm_unavailable: ") for r in d["reasons"]), d["reasons"]
        assert "the LLM could not decide" in d["rationale"]
        # the local decision stands: risk never below it (and at least high when the local model is unsure:
        # no LLM and no confident local model is no evidence), and a critical signal keeps critical
        assert d["category"]["label"] == local.category
        expected = local.risk if local.category_confidence >= 0.55 else max(local.risk, "high", key=SEVERITY.get)
        assert d["risk"]["level"] == expected
        if body is CRITICAL:
            assert d["risk"]["level"] == "critical"
        assert SEVERITY[d["risk"]["level"]] >= SEVERITY[d["risk"]["floor"]]
        # not lost: the ticket and its decision read back
        stored = app.http.get(f"/v1/tickets/{result['ticket_id']}")
        assert stored.status_code == 200 and stored.json()["decision"]["path"] == "degraded"
    if failure == "malformed_json":  # the bounded re-ask happened before giving up
        first, second = app.fake.recorded("classify")[:2]
        assert "could not be used" in second.body["messages"][-1]["content"]


def test_a_429_with_retry_after_then_an_answer_is_still_an_llm_decision(llm_app: Any) -> None:
    app: LlmApp = llm_app()
    app.fake.push(error(429, retry_after=0.3))
    d = app.decision(ticket("r-1", HARASSMENT))
    assert d["path"] == "llm" and d["usage"]["retries"] == 1
    first, second = app.fake.recorded("classify")
    assert second.at - first.at >= 0.28


def test_the_llm_may_raise_risk_but_never_lower_it(llm_app: Any) -> None:
    app: LlmApp = llm_app()
    app.fake.classification = {"category": "no_violation", "risk": "low", "confidence": 0.95, "rationale": "fine"}
    d = app.decision(ticket("low-1", CRITICAL))
    assert d["path"] == "llm" and d["risk"]["level"] == "critical"  # the local critical signal wins
    assert d["category"]["label"] == "self_harm" and "critical_signal: suicide_imminent" in d["reasons"]
    assert "you can also block the account" not in d["draft_reply"]  # the LLM drafted for no_violation
    app.fake.classification = {"category": "scam_fraud", "risk": "low", "confidence": 0.95,
                               "rationale": "one lost order"}
    d = app.decision(ticket("low-2", SCAM))
    assert d["risk"]["critical"] == []
    assert d["risk"]["level"] == "medium" and d["risk"]["floor"] == "medium"  # the policy floor wins
    app.fake.classification = {"category": "harassment_bullying", "risk": "critical", "confidence": 0.95,
                               "rationale": "a pile-on against a minor"}
    d = app.decision(ticket("high-1", HARASSMENT))
    assert d["risk"]["level"] == "critical"  # raising is allowed


def test_the_breaker_opens_then_probes_over_http(llm_app: Any) -> None:
    app: LlmApp = llm_app(max_attempts=1, breaker_failures=2, breaker_reset_s=1.0)
    app.fake.always = error(503)
    for n in range(2):
        assert app.decision(ticket(f"b-{n}", HARASSMENT))["path"] == "degraded"
    assert len(app.fake.recorded()) == 2
    d = app.decision(ticket("b-open", HARASSMENT))
    assert d["path"] == "degraded" and any("circuit breaker open" in r for r in d["reasons"])
    assert len(app.fake.recorded()) == 2  # no call while open
    app.fake.always = None
    time.sleep(1.05)
    d = app.decision(ticket("b-probe", HARASSMENT))
    assert d["path"] == "llm"
    assert len(app.fake.recorded()) == 4  # the probe (classify) and the draft


def test_json_schema_refusal_falls_back_to_json_object_schema_once_per_server(llm_app: Any) -> None:
    app: LlmApp = llm_app()
    app.fake.refuse_json_schema = 500
    for n in range(2):
        d = app.decision(ticket(f"f-{n}", HARASSMENT))
        assert d["path"] == "llm" and d["usage"]["structured_output"] == "json_object_schema"
    assert [r.format for r in app.fake.recorded()] == ["json_schema"] + ["json_object_schema"] * 4


def test_logprobs_give_the_category_confidence_and_runner_up(llm_app: Any) -> None:
    app: LlmApp = llm_app()
    app.fake.logprobs = True
    app.fake.category_logprob = math.log(0.7)
    app.fake.alternatives = {"hate_speech": math.log(0.2)}
    d = app.decision(ticket("lp-1", HARASSMENT))
    assert d["category"]["confidence"] == pytest.approx(0.7, abs=1e-3)
    assert d["category"]["runner_up"] == [{"label": "hate_speech", "probability": pytest.approx(0.2, abs=1e-3)}]
    assert d["usage"]["confidence_source"] == "logprobs"
    assert app.fake.recorded("classify")[0].body["logprobs"] is True


def test_without_logprobs_stated_confidence_is_checked_against_the_case_memory(llm_app: Any) -> None:
    app: LlmApp = llm_app()
    agree = app.decision(ticket("s-1", HARASSMENT))
    assert agree["usage"]["confidence_source"] == "stated+local_agreement"
    app.fake.classification = {"category": "intellectual_property", "risk": "low", "confidence": 0.9,
                               "rationale": "a copyright matter"}
    disagree = app.decision(ticket("s-2", HARASSMENT))
    assert disagree["category"]["label"] == "intellectual_property"
    assert disagree["category"]["confidence"] < agree["category"]["confidence"]
    assert disagree["category"]["confidence"] < app.settings.classifier.min_confidence
    assert disagree["needs_human"] and any(r.startswith("low_confidence") for r in disagree["reasons"])


def test_a_remote_llm_endpoint_cannot_be_configured_in_tests(tmp_path: Any, make_components: Any) -> None:
    settings = settings_for(tmp_path, llm={"base_url": "https://api.openai.com/v1", "model": "gpt-4o-mini"})
    with pytest.raises(ValueError, match="loopback"):
        make_components(settings)
