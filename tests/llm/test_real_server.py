"""The LLM path against a real model server: llama.cpp's OpenAI-compatible server (llama-cpp-python) with
SmolLM2-135M-Instruct, on loopback, through the real `openai` client and the real app over HTTP.

This tests the plumbing against a server's real behaviour (which structured-output spelling it takes,
its errors, its speed), not the tiny model's judgement. What left the process is read from the
recording proxy in front of the server.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, field_validator

from tests.conftest import ticket
from tests.llm.real_server import RealLlmServer
from triage.config import LlmSettings
from triage.errors import LlmInvalidOutput
from triage.llm.client import ChatClient, Usage
from triage.pipeline.language import LanguageDetector

# one llama.cpp server per session: these tests share a worker under pytest-xdist
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("real_llm")]

HARASSMENT = ("Someone keeps calling me names under every video I post and tells others to pile on. "
              "Write to me at jo.smith@example.com or +44 7700 900123; my account is @jojo_22.")
PERSONAL = ("jo.smith@example.com", "7700 900123", "7700900123", "@jojo_22", "jojo_22")
SPANISH = ("Una cuenta publica comentarios insultantes en todos mis videos y pide a otros que me ataquen. "
           "Por favor, revisen esta cuenta.")


class Pick(BaseModel):
    model_config = ConfigDict(extra="forbid")
    colour: str

    @field_validator("colour")
    @classmethod
    def _only_a_code_word(cls, value: str) -> str:
        # a rule the JSON schema cannot carry: every answer the grammar allows fails it, so re-asks happen
        if value != "zebra-42":
            raise ValueError("colour must be the code word zebra-42")
        return value


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: str


def _client(server: RealLlmServer, **values: Any) -> ChatClient:
    settings = LlmSettings(base_url=server.url, model=server.model, logprobs=False, max_tokens=40, **values)
    return ChatClient(settings, environment="test")


MESSAGES = [{"role": "system", "content": "Task id: probe.v1\nAnswer with a JSON object."},
            {"role": "user", "content": "Give the label 'spam' to this message: buy cheap followers now!"}]


async def test_the_client_finds_and_keeps_the_structured_output_mode_this_server_takes(
        real_llm: RealLlmServer) -> None:
    assert real_llm.proxy is not None
    real_llm.proxy.clear()
    client = _client(real_llm)
    for _ in range(2):
        answer = await client.complete(messages=MESSAGES, output=Label, name="label", max_tokens=40,
                                       deadline=time.monotonic() + 60, usage=Usage())
        assert isinstance(answer.value, Label) and answer.mode == "json_object_schema"
    records = real_llm.proxy.recorded()
    # llama-cpp-python's server answers 500 to json_schema and constrains decoding to a schema sent
    # inside json_object; the client learns that once and keeps it
    assert [(r.format, r.status) for r in records] == [
        ("json_schema", 500), ("json_object_schema", 200), ("json_object_schema", 200)]
    assert client.structured_mode == "json_object_schema"
    await client.aclose()


async def test_invalid_output_is_re_asked_with_the_error_then_given_up(real_llm: RealLlmServer) -> None:
    assert real_llm.proxy is not None
    client = _client(real_llm, structured_output="json_object_schema", max_reasks=1)
    real_llm.proxy.clear()
    usage = Usage()
    with pytest.raises(LlmInvalidOutput, match="zebra-42"):
        await client.complete(messages=MESSAGES, output=Pick, name="pick", max_tokens=30,
                              deadline=time.monotonic() + 60, usage=usage)
    first, second = real_llm.proxy.recorded()
    assert usage.reasks == 1 and first.status == second.status == 200
    assert "could not be used" in second.body["messages"][-1]["content"]
    assert "zebra-42" in second.body["messages"][-1]["content"]  # the validation error, sent back
    await client.aclose()


def test_a_ticket_is_decided_by_the_real_model_with_no_personal_data_sent(
        real_llm: RealLlmServer, real_llm_app: Any) -> None:
    # plumbing and what leaves the process, not latency (the compact-call test below checks the default timeout):
    # on a slower two-core machine, with the other test worker's fits beside it, the 135M model's full-prompt call
    # took longer than the default 20 s and the ticket was (rightly) decided `degraded`
    settings, comps, http = real_llm_app(timeout_s=60, deadline_s=110)
    response = http.post("/v1/tickets", json=ticket("real-1", HARASSMENT), timeout=150)
    assert response.status_code == 201, response.text
    d = response.json()["decision"]
    assert d["path"] == "llm", d["reasons"]
    assert d["category"]["label"] in comps.policy.categories
    usage = d["usage"]
    assert usage["structured_output"] == "json_object_schema"
    assert usage["model"] == real_llm.model and usage["prompt_tokens"] > 0
    # the bounded prompt: measured by the server, within the bound the service estimates against. A re-ask (the
    # 135M model sometimes writes invalid JSON: "Invalid control character") or a retry sends a prompt again,
    # and the usage sums every prompt sent
    resent = usage["reasks"] + usage["retries"]
    assert usage["prompt_tokens"] <= settings.llm.prompt_token_bound * 1.3 * (1 + resent), usage
    # the time spent in LLM calls (not the first ticket's local fits, which a loaded CI machine stretches):
    # two calls (and any sent again), each within the default timeout
    assert usage["latency_ms"] < settings.llm.timeout_s * (2 + resent) * 1000, usage
    assert d["draft_reply"]
    assert real_llm.proxy is not None
    sent = real_llm.proxy.recorded()
    assert {r.task for r in sent} >= {"classify"}
    for rec in sent:
        for value in PERSONAL:
            assert value not in rec.text, (value, rec.task)
    # the ticket reached the model with its e-mail as a placeholder, in every classify request
    assert all("[EMAIL_1]" in r.text for r in sent if r.task == "classify")


def test_the_draft_is_in_the_ticket_language_or_the_template_reply(real_llm_app: Any) -> None:
    # what this checks is the language of the draft, not latency (the compact-call test below and `make bench` do):
    # a generous timeout, so the other test worker's model fits on the same two cores cannot turn it into a timeout
    _, _, http = real_llm_app(timeout_s=60, deadline_s=110)
    response = http.post("/v1/tickets", json=ticket("real-es", SPANISH, language="es"), timeout=120)
    assert response.status_code == 201, response.text
    d = response.json()["decision"]
    assert d["path"] == "llm", d["reasons"]
    written = LanguageDetector().detect(d["draft_reply"])
    assert written.language == "es", (written, d["draft_reply"])


# before the tiny-timeout test: llama.cpp keeps decoding a request its client abandoned, so a call made
# right after that test waits behind it and spends its own deadline (seen in the final run of stop 16)
def test_a_compact_cascade_call_sends_a_bounded_prompt_of_the_local_candidates(real_llm: RealLlmServer,
                                                                             real_llm_app: Any) -> None:
    # the service's default prompt (compact); the LLM asked whatever the local confidence. What makes a small local
    # model answer within the default 20 s is the prompt's size, checked here against its bound; the time itself is
    # not asserted (a timed test: on a slower machine with the other test worker beside it the first call once took
    # longer than 20 s and was retried). docs/evals.md ("LLM mode against a real tiny model") measures the latency.
    settings, comps, http = real_llm_app(draft=False, classifier={"mode": "cascade", "cascade_min_confidence": 1.0},
                                         timeout_s=60, deadline_s=110)
    assert settings.llm.prompt_style == "compact"
    response = http.post("/v1/tickets", json=ticket("real-compact", HARASSMENT), timeout=150)
    assert response.status_code == 201, response.text
    d = response.json()["decision"]
    assert d["path"] == "llm", d["reasons"]
    usage = d["usage"]
    # every prompt sent (a retry or a re-ask sends it again) within the bound the service estimates against
    assert usage["prompt_tokens"] <= settings.llm.prompt_token_bound * (1 + usage["retries"] + usage["reasks"]), usage
    assert real_llm.proxy is not None
    [sent] = [r for r in real_llm.proxy.recorded() if r.task == "classify" and r.status == 200]
    enum = sent.body["response_format"]["schema"]["properties"]["category"]["enum"]
    # cascade: the model chose among the local classifier's candidates only
    assert len(enum) == usage["categories_allowed"] < len(comps.policy.categories)
    assert usage["llm_category"] in enum and d["usage"]["combined"] is True


def test_a_tiny_timeout_degrades_to_the_local_decision_for_a_person(real_llm_app: Any) -> None:
    _, _, http = real_llm_app(timeout_s=0.05, deadline_s=1.5, max_attempts=2, backoff_initial_s=0.05)
    response = http.post("/v1/tickets", json=ticket("real-timeout", HARASSMENT), timeout=120)
    assert response.status_code == 201, response.text
    d = response.json()["decision"]
    assert d["path"] == "degraded" and d["needs_human"] is True
    assert any(r.startswith("llm_unavailable") for r in d["reasons"]), d["reasons"]
