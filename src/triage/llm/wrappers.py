"""Wrappers around one `triage.ports.Llm`, each an `Llm` itself (after pydantic-ai's `WrapperModel` and
`ConcurrencyLimitedModel`):

    ConcurrencyLimitedLlm(BudgetedLlm(ChatClient))     what `build_llm_decider` builds

* `ConcurrencyLimitedLlm`: at most `TRIAGE_LLM__MAX_CONCURRENCY` calls in flight in this process (a batch
  of 100 tickets decides 100 tickets at once; without the cap it would open 100-200 calls to the server).
* `BudgetedLlm` + `DailyBudget`: the tokens and USD spent today (UTC); once the budget
  (`TRIAGE_LLM__DAILY_TOKEN_BUDGET`, `TRIAGE_LLM__DAILY_COST_BUDGET_USD`) is spent, the decider stops
  asking and the pipeline decides locally (`path: local`, reason `llm_budget_spent`). A ticket already
  being decided finishes, so the budget can be overrun by the calls in flight (at most the cap).

The eval runner's response cache (`triage.evals.runner.CachedLlm`) wraps the decider, not this protocol:
prompts carry a fence token drawn per request, so the same ticket never sends the same messages twice.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

from pydantic import BaseModel

from triage.ports import Llm, LlmAnswer, LlmUsage

__all__ = ["BudgetedLlm", "ConcurrencyLimitedLlm", "DailyBudget", "WrapperLlm"]

log = logging.getLogger(__name__)


class WrapperLlm:
    """An `Llm` that hands every call to the one it wraps; subclasses override what they change."""

    def __init__(self, wrapped: Llm) -> None:
        self.wrapped = wrapped
        self.model = wrapped.model
        self.base_url = wrapped.base_url

    @property
    def structured_mode(self) -> str:
        return self.wrapped.structured_mode

    def cost_of(self, usage: LlmUsage) -> float | None:
        return self.wrapped.cost_of(usage)

    async def complete(
        self, *, messages: list[dict[str, str]], output: type[BaseModel], name: str, max_tokens: int,
        deadline: float, usage: LlmUsage,
    ) -> LlmAnswer:
        return await self.wrapped.complete(messages=messages, output=output, name=name, max_tokens=max_tokens,
                                           deadline=deadline, usage=usage)

    async def aclose(self) -> None:
        await self.wrapped.aclose()


class ConcurrencyLimitedLlm(WrapperLlm):
    """At most `limit` calls of this process in flight; the others wait (their deadline still runs).

    asyncio primitives belong to one event loop, so the semaphore is made per loop (the app has one; a
    CLI command has one); `in_flight` and `peak` are counted across them.
    """

    def __init__(self, wrapped: Llm, *, limit: int) -> None:
        super().__init__(wrapped)
        if limit < 1:
            raise ValueError("the LLM concurrency limit must be at least 1")
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self._semaphores: dict[int, asyncio.Semaphore] = {}

    def _semaphore(self) -> asyncio.Semaphore:
        loop_id = id(asyncio.get_running_loop())
        semaphore = self._semaphores.get(loop_id)
        if semaphore is None:
            semaphore = asyncio.Semaphore(self.limit)
            self._semaphores = {loop_id: semaphore}  # a semaphore of a finished loop cannot be reused
        return semaphore

    async def complete(
        self, *, messages: list[dict[str, str]], output: type[BaseModel], name: str, max_tokens: int,
        deadline: float, usage: LlmUsage,
    ) -> LlmAnswer:
        async with self._semaphore():
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                return await super().complete(messages=messages, output=output, name=name, max_tokens=max_tokens,
                                              deadline=deadline, usage=usage)
            finally:
                self.in_flight -= 1


class DailyBudget:
    """Tokens and USD spent per UTC day in this process; `spent()` says why no more calls are made today."""

    def __init__(self, *, max_tokens: int | None, max_cost_usd: float | None,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        self.max_tokens = max_tokens
        self.max_cost_usd = max_cost_usd
        self._today = today
        self._lock = threading.Lock()
        self._day = today()
        self.tokens = 0
        self.cost_usd = 0.0

    def _roll(self) -> None:
        day = self._today()
        if day != self._day:
            self._day, self.tokens, self.cost_usd = day, 0, 0.0

    def record(self, *, tokens: int, cost_usd: float | None) -> None:
        with self._lock:
            self._roll()
            self.tokens += tokens
            self.cost_usd += cost_usd or 0.0

    def spent(self) -> str | None:
        """None while within budget; else what was spent, for the decision's reason."""
        with self._lock:
            self._roll()
            if self.max_tokens is not None and self.tokens >= self.max_tokens:
                return f"the daily LLM token budget is spent ({self.tokens} of {self.max_tokens} tokens, UTC day)"
            if self.max_cost_usd is not None and self.cost_usd >= self.max_cost_usd:
                return (f"the daily LLM cost budget is spent (${self.cost_usd:.4f} of ${self.max_cost_usd:.4f}, "
                        "UTC day)")
            return None


class BudgetedLlm(WrapperLlm):
    """Counts every call's tokens and cost (answered or not) against the day's budget."""

    def __init__(self, wrapped: Llm, *, budget: DailyBudget) -> None:
        super().__init__(wrapped)
        self.budget = budget

    async def complete(
        self, *, messages: list[dict[str, str]], output: type[BaseModel], name: str, max_tokens: int,
        deadline: float, usage: LlmUsage,
    ) -> LlmAnswer:
        before = LlmUsage(prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
        try:
            return await super().complete(messages=messages, output=output, name=name, max_tokens=max_tokens,
                                          deadline=deadline, usage=usage)
        finally:
            spent = LlmUsage(prompt_tokens=usage.prompt_tokens - before.prompt_tokens,
                             completion_tokens=usage.completion_tokens - before.completion_tokens)
            self.budget.record(tokens=spent.total_tokens, cost_usd=self.cost_of(spent))
            exhausted = self.budget.spent()
            if exhausted:
                log.warning("%s; the next tickets are decided locally", exhausted)
