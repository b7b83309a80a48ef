"""The wrappers around the one LLM protocol: the concurrency cap (a 100-ticket batch over HTTP against a
server that counts the requests it is serving at once) and the daily token / cost budget."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Any

import pytest

from tests.conftest import ticket
from tests.llm.conftest import LlmApp
from tests.llm.fake_openai import FakeOpenAI, slow
from triage.config import LlmSettings
from triage.llm.client import ChatClient, Usage
from triage.llm.schema import DraftOutput
from triage.llm.wrappers import BudgetedLlm, ConcurrencyLimitedLlm, DailyBudget
from triage.ports import Llm

HARASSMENT = ("This account keeps posting insults about me under every one of my videos and tells others to "
              "pile on. Please make it stop.")


async def _ask(llm: Llm, usage: Usage | None = None) -> str:
    answer = await llm.complete(
        messages=[{"role": "system", "content": "Task id: draft.v1"}, {"role": "user", "content": "hi"}],
        output=DraftOutput, name="draft", max_tokens=50, deadline=time.monotonic() + 10, usage=usage or Usage())
    return answer.value.reply  # type: ignore[attr-defined,no-any-return]


def _client(fake: FakeOpenAI, **values: Any) -> ChatClient:
    return ChatClient(LlmSettings(base_url=fake.url, model="fake-model", logprobs=False, **values),
                      environment="test")


async def test_the_cap_holds_calls_back_and_the_wrapper_is_transparent(fake_llm: FakeOpenAI) -> None:
    fake_llm.always = slow(0.1)
    client = _client(fake_llm)
    capped = ConcurrencyLimitedLlm(client, limit=2)
    assert capped.model == "fake-model" and capped.structured_mode == "json_schema"
    replies = await asyncio.gather(*(_ask(capped) for _ in range(8)))
    assert len(replies) == 8 and all(replies)
    assert fake_llm.peak_in_flight == 2 and capped.peak == 2  # the cap was reached, and never passed
    await capped.aclose()


@pytest.mark.slow
def test_a_100_ticket_batch_never_opens_more_calls_than_the_cap(llm_app: Any) -> None:
    app: LlmApp = llm_app(max_concurrency=3, breaker_failures=1000)
    app.fake.always = slow(0.03)
    tickets = [ticket(f"cap-{n}", f"{HARASSMENT} (report {n})") for n in range(100)]
    response = app.http.post("/v1/tickets:batch", json={"tickets": tickets}, timeout=600)
    assert response.status_code == 200, response.text
    items = response.json()["results"]
    assert [item["status"] for item in items] == [201] * 100
    paths = [item["result"]["decision"]["path"] for item in items]
    assert paths.count("llm") == 100, paths
    assert len(app.fake.recorded()) == 200  # classify and draft for each
    assert app.fake.peak_in_flight == 3  # the batch did reach the cap, and never opened more


def test_over_the_daily_token_budget_tickets_are_decided_locally_with_the_reason(llm_app: Any) -> None:
    app: LlmApp = llm_app(daily_token_budget=10)
    first = app.decision(ticket("budget-1", HARASSMENT))
    assert first["path"] == "llm" and first["usage"]["total_tokens"] > 10
    calls = len(app.fake.recorded())
    second = app.decision(ticket("budget-2", HARASSMENT + " Again today."))
    assert second["path"] == "local"
    assert "llm_budget_spent" in second["flags"]
    assert "daily LLM token budget is spent" in second["rationale"]
    assert len(app.fake.recorded()) == calls  # no call was made


def test_over_the_daily_cost_budget_tickets_are_decided_locally(llm_app: Any) -> None:
    app: LlmApp = llm_app(daily_cost_budget_usd=1e-6)  # the fake's price: 1 USD per million prompt tokens
    assert app.decision(ticket("cost-1", HARASSMENT))["path"] == "llm"
    second = app.decision(ticket("cost-2", HARASSMENT + " Still going on."))
    assert second["path"] == "local" and "llm_budget_spent" in second["flags"]
    assert "daily LLM cost budget is spent" in second["rationale"]


async def test_the_budget_counts_every_call_and_starts_again_each_utc_day(fake_llm: FakeOpenAI) -> None:
    day = [date(2026, 11, 30)]
    budget = DailyBudget(max_tokens=1, max_cost_usd=None, today=lambda: day[0])
    llm = BudgetedLlm(_client(fake_llm), budget=budget)
    assert budget.spent() is None
    usage = Usage()
    await _ask(llm, usage)
    assert budget.tokens == usage.total_tokens > 0
    assert budget.spent() is not None and "token budget" in str(budget.spent())
    day[0] = date(2026, 12, 1)
    assert budget.spent() is None and budget.tokens == 0


def test_the_concurrency_limit_must_be_positive(fake_llm: FakeOpenAI) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConcurrencyLimitedLlm(_client(fake_llm), limit=0)
