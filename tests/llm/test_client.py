"""The adapter against the fake server over real HTTP: retries, Retry-After, deadline, breaker, re-asks,
the structured-output ladder and its memory, Azure's URL shape, and the guard against remote endpoints."""

from __future__ import annotations

import time
from typing import Any, Literal

import httpx
import pytest
from pydantic import BaseModel, ConfigDict

from tests.llm.fake_openai import FakeOpenAI, answer, error, raw, slow
from triage.config import LlmPrice, LlmSettings
from triage.errors import LlmInvalidOutput, LlmUnavailable
from triage.llm.client import (
    ChatClient,
    CircuitBreaker,
    Usage,
    check_endpoint_allowed,
    extract_json,
    parse_retry_after,
    usage_dict,
)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Literal["a", "b"]


def client_for(fake: FakeOpenAI, **overrides: Any) -> ChatClient:
    values: dict[str, Any] = {
        "base_url": fake.url, "model": "fake-model", "api_key": "sk-test", "backoff_initial_s": 0.01,
        "backoff_max_s": 0.02, "timeout_s": 2.0, "logprobs": False,
    }
    values.update(overrides)
    return ChatClient(LlmSettings(**values), environment="test")


async def ask(client: ChatClient, *, deadline_s: float = 5.0, usage: Usage | None = None) -> Out:
    result = await client.complete(
        messages=[{"role": "system", "content": "Task id: test.v1\nAnswer."}, {"role": "user", "content": "hi"}],
        output=Out, name="out", max_tokens=50, deadline=time.monotonic() + deadline_s, usage=usage or Usage(),
    )
    assert isinstance(result.value, Out)
    return result.value


async def test_a_valid_answer_over_http_with_the_key_and_usage(fake_llm: FakeOpenAI) -> None:
    fake_llm.push(answer({"label": "b"}))
    usage = Usage()
    assert (await ask(client_for(fake_llm), usage=usage)).label == "b"
    [rec] = fake_llm.recorded()
    assert rec.headers["authorization"] == "Bearer sk-test"
    assert rec.format == "json_schema"
    assert rec.body["response_format"]["json_schema"]["schema"]["properties"]["label"]["enum"] == ["a", "b"]
    assert usage.calls == 1 and usage.prompt_tokens > 0 and usage.completion_tokens > 0


async def test_retry_after_is_honoured(fake_llm: FakeOpenAI) -> None:
    fake_llm.push(error(429, retry_after=0.4), answer({"label": "a"}))
    usage = Usage()
    assert (await ask(client_for(fake_llm), usage=usage)).label == "a"
    first, second = fake_llm.recorded()
    assert second.at - first.at >= 0.38
    assert usage.retries == 1


async def test_a_retry_after_beyond_the_deadline_gives_up_at_once(fake_llm: FakeOpenAI) -> None:
    fake_llm.push(error(429, retry_after=30))
    t0 = time.monotonic()
    with pytest.raises(LlmUnavailable, match="HTTP 429"):
        await ask(client_for(fake_llm), deadline_s=3.0)
    assert time.monotonic() - t0 < 2.0
    assert len(fake_llm.recorded()) == 1


async def test_5xx_is_retried_with_backoff_then_unavailable(fake_llm: FakeOpenAI) -> None:
    fake_llm.always = error(503)
    with pytest.raises(LlmUnavailable, match="HTTP 503"):
        await ask(client_for(fake_llm, max_attempts=3))
    assert len(fake_llm.recorded()) == 3


async def test_5xx_once_then_an_answer(fake_llm: FakeOpenAI) -> None:
    fake_llm.push(error(502), answer({"label": "a"}))
    assert (await ask(client_for(fake_llm))).label == "a"


async def test_timeouts_end_within_the_deadline(fake_llm: FakeOpenAI) -> None:
    fake_llm.always = slow(3.0, '{"label": "a"}')
    t0 = time.monotonic()
    with pytest.raises(LlmUnavailable):
        await ask(client_for(fake_llm, timeout_s=0.3), deadline_s=1.0)
    assert time.monotonic() - t0 < 2.0
    assert len(fake_llm.recorded()) >= 2  # timed out, retried, stopped by the deadline


async def test_connection_refused_is_unavailable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = LlmSettings(base_url=f"http://127.0.0.1:{port}/v1", model="m", max_attempts=2, backoff_initial_s=0.01)
    with pytest.raises(LlmUnavailable, match="connection error"):
        await ask(ChatClient(settings, environment="test"))


async def test_invalid_output_is_re_asked_with_the_validation_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.push(raw("sure! here it is: {label: a"), answer({"label": "c"}), answer({"label": "b"}))
    usage = Usage()
    assert (await ask(client_for(fake_llm, max_reasks=2), usage=usage)).label == "b"
    first, second, third = fake_llm.recorded()
    assert usage.reasks == 2
    assert "could not be used" in second.body["messages"][-1]["content"]
    assert second.body["messages"][-2] == {"role": "assistant", "content": "sure! here it is: {label: a"}
    assert "label" in third.body["messages"][-1]["content"]  # names the field that failed


async def test_invalid_output_after_the_re_asks_is_an_llm_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.push(raw("{"), answer({"label": "zzz"}))
    with pytest.raises(LlmInvalidOutput):
        await ask(client_for(fake_llm, max_reasks=1))
    assert len(fake_llm.recorded()) == 2


async def test_json_schema_refused_falls_back_to_the_schema_inside_json_object_and_remembers(
        fake_llm: FakeOpenAI) -> None:
    fake_llm.refuse_json_schema = 500  # what llama.cpp's server does; it takes json_object + schema
    client = client_for(fake_llm)
    fake_llm.push(answer({"label": "a"}), answer({"label": "b"}))
    assert (await ask(client)).label == "a"
    assert (await ask(client)).label == "b"
    assert [r.format for r in fake_llm.recorded()] == ["json_schema", "json_object_schema", "json_object_schema"]
    assert client.structured_mode == "json_object_schema"
    second = fake_llm.recorded()[1]
    assert second.body["response_format"]["schema"]["properties"]["label"]["enum"] == ["a", "b"]
    # the server constrains decoding: the schema is not repeated in the prompt
    assert '"enum"' not in second.body["messages"][0]["content"]


async def test_json_object_without_a_schema_gets_the_schema_in_the_system_message(fake_llm: FakeOpenAI) -> None:
    fake_llm.refuse_json_schema, fake_llm.refuse_json_object_schema = 500, 400
    client = client_for(fake_llm)
    fake_llm.push(answer({"label": "a"}))
    assert (await ask(client)).label == "a"
    assert [r.format for r in fake_llm.recorded()] == ["json_schema", "json_object_schema", "json_object"]
    assert client.structured_mode == "json_object"
    assert '"enum": ["a", "b"]' in fake_llm.recorded()[2].body["messages"][0]["content"]


async def test_a_timeout_after_a_step_down_keeps_the_rung_the_server_took(fake_llm: FakeOpenAI) -> None:
    """The issue seen with llama.cpp: json_schema refused, json_object timed out, json_schema probed again."""
    fake_llm.refuse_json_schema = 500
    client = client_for(fake_llm, timeout_s=0.3, max_attempts=1)
    fake_llm.push(slow(1.0, '{"label": "a"}'))
    with pytest.raises(LlmUnavailable, match="timeout"):
        await ask(client)
    assert client.structured_mode == "json_object_schema"
    fake_llm.push(answer({"label": "b"}))
    assert (await ask(client)).label == "b"
    assert [r.format for r in fake_llm.recorded()] == ["json_schema", "json_object_schema", "json_object_schema"]


async def test_an_explicit_mode_is_used_from_the_first_call_and_never_changed(fake_llm: FakeOpenAI) -> None:
    client = client_for(fake_llm, structured_output="json_object_schema", max_attempts=1)
    fake_llm.push(answer({"label": "a"}))
    assert (await ask(client)).label == "a"
    fake_llm.refuse_json_object_schema = 400
    with pytest.raises(LlmUnavailable, match="HTTP 400"):
        await ask(client)
    assert [r.format for r in fake_llm.recorded()] == ["json_object_schema", "json_object_schema"]
    assert client.structured_mode == "json_object_schema"


async def test_a_server_with_neither_format_gets_plain_text_and_a_fenced_answer_parses(fake_llm: FakeOpenAI) -> None:
    fake_llm.refuse_json_schema, fake_llm.refuse_json_object_schema, fake_llm.refuse_json_object = 500, 400, 400
    client = client_for(fake_llm)
    fake_llm.push(raw('Here you go:\n```json\n{"label": "b"}\n```'), answer({"label": "a"}))
    assert (await ask(client)).label == "b"
    assert (await ask(client)).label == "a"
    assert [r.format for r in fake_llm.recorded()] == [
        "json_schema", "json_object_schema", "json_object", "text", "text"]


async def test_a_500_on_every_format_is_an_outage_not_a_missing_feature(fake_llm: FakeOpenAI) -> None:
    fake_llm.always = error(500)
    client = client_for(fake_llm, max_attempts=1)
    with pytest.raises(LlmUnavailable):
        await ask(client)
    assert client.structured_mode == "json_schema"


async def test_the_breaker_opens_stops_calling_and_probes_later(fake_llm: FakeOpenAI) -> None:
    fake_llm.always = error(503)
    client = client_for(fake_llm, max_attempts=1, breaker_failures=2, breaker_reset_s=0.5)
    for _ in range(2):
        with pytest.raises(LlmUnavailable, match="HTTP 503"):
            await ask(client)
    assert client.breaker.state == "open"
    with pytest.raises(LlmUnavailable, match="circuit breaker open"):
        await ask(client)
    assert len(fake_llm.recorded()) == 2  # the open breaker made no call
    fake_llm.always = None
    fake_llm.push(answer({"label": "a"}))
    time.sleep(0.55)
    assert (await ask(client)).label == "a"  # the probe
    assert client.breaker.state == "closed"
    assert len(fake_llm.recorded()) == 3


def test_breaker_states_with_a_clock() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, reset_s=10, clock=lambda: now[0])
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.state == "closed"
    breaker.record_failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 10.0
    assert breaker.allow()  # one probe ...
    assert not breaker.allow()  # ... at a time
    breaker.record_failure()  # the probe failed: open again, for another reset period
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 20.0
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state == "closed" and breaker.allow()


async def test_azure_deployment_url_shape(fake_llm: FakeOpenAI) -> None:
    root = fake_llm.url.removesuffix("/v1")
    client = client_for(fake_llm, base_url=root, model="my-deployment", api_version="2024-10-21")
    fake_llm.push(answer({"label": "a"}))
    assert (await ask(client)).label == "a"
    [rec] = fake_llm.recorded()
    assert rec.headers["api-key"] == "sk-test"


def test_remote_endpoints_are_refused_in_tests() -> None:
    with pytest.raises(ValueError, match="loopback"):
        check_endpoint_allowed("https://api.openai.com/v1", environment="test")
    with pytest.raises(ValueError, match="loopback"):
        ChatClient(LlmSettings(base_url="http://10.0.0.7:8000/v1", model="m"), environment="test")
    check_endpoint_allowed("http://127.0.0.1:8080/v1", environment="test")
    check_endpoint_allowed("http://localhost:11434/v1", environment="test")
    check_endpoint_allowed("https://api.openai.com/v1", environment="production")


def test_parse_retry_after() -> None:
    class Exc(Exception):
        def __init__(self, headers: dict[str, str]) -> None:
            self.response = httpx.Response(429, headers=headers)

    assert parse_retry_after(Exc({"retry-after": "2"})) == 2.0
    assert parse_retry_after(Exc({"retry-after-ms": "250"})) == 0.25
    assert parse_retry_after(Exc({})) is None
    assert parse_retry_after(Exc({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0  # in the past
    assert parse_retry_after(ValueError()) is None


def test_extract_json_and_cost() -> None:
    assert extract_json('{"a": 1}') == {"a": 1}
    assert extract_json('Sure.\n```json\n{"a": 2}\n```') == {"a": 2}
    assert extract_json('The answer is {"a": 3}. Bye') == {"a": 3}
    with pytest.raises(ValueError):
        extract_json("no json here")
    usage = Usage(prompt_tokens=1000, completion_tokens=500)
    priced = ChatClient(LlmSettings(base_url="http://127.0.0.1:9/v1", model="m",
                                    prices={"m": LlmPrice(input_per_mtok=1.0, output_per_mtok=2.0)}),
                        environment="test")
    assert usage_dict(usage, priced.cost_of(usage))["cost_usd"] == pytest.approx(0.002)
    unpriced = ChatClient(LlmSettings(base_url="http://127.0.0.1:9/v1", model="other"), environment="test")
    assert usage_dict(usage, unpriced.cost_of(usage))["cost_usd"] is None


async def test_aclose_closes_the_loops_connection_pool_and_a_later_call_opens_a_new_one(
        fake_llm: FakeOpenAI) -> None:
    client = client_for(fake_llm)
    fake_llm.push(answer({"label": "a"}), answer({"label": "b"}))
    assert (await ask(client)).label == "a"
    [opened] = client._clients.values()
    await client.aclose()
    assert opened.is_closed() and client._clients == {}
    assert (await ask(client)).label == "b"
