"""The adapter on the official `openai` async client: structured answers from any OpenAI-compatible server.

    complete(messages, output model)
      └─ up to 1 + max_reasks tries: call, parse, validate; a validation error is sent back once more
           └─ call with retries (tenacity): timeouts, connection errors, 408/409/429/5xx, backoff with
              jitter, Retry-After honoured, all within the ticket's deadline, behind a circuit breaker
                └─ one HTTP call, walking the structured-output ladder
                   json_schema → json_object_schema → json_object → plain text (schema in the prompt),
                   remembering the rung this server takes (llama.cpp's server answers 500 to json_schema
                   but constrains decoding to a schema sent inside json_object; some servers only know
                   json_object; some know neither)

`ChatClient` implements `triage.ports.Llm`; `triage.llm.wrappers` adds the concurrency cap and the daily
budget around it. The breaker stays inside: it counts single attempts within the retry loop (see
`CircuitBreaker`), which a wrapper around whole calls cannot see.

Vendor exceptions never leave this module: they become `LlmUnavailable` (the endpoint could not
answer) or `LlmInvalidOutput` (it answered, but not with a valid object after the re-asks).
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import openai
from openai import AsyncAzureOpenAI, AsyncOpenAI
from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception

from triage.config import LlmPrice, LlmSettings
from triage.errors import LlmInvalidOutput, LlmUnavailable
from triage.llm.schema import json_schema_of
from triage.ports import LlmAnswer, LlmUsage

__all__ = [
    "ChatClient",
    "CircuitBreaker",
    "StructuredAnswer",
    "Usage",
    "check_endpoint_allowed",
    "parse_retry_after",
    "usage_dict",
]

log = logging.getLogger(__name__)

#: the structured-output ladder, most constrained first:
#: json_schema         OpenAI's `{"type": "json_schema", "json_schema": {"schema": ...}}` (OpenAI, vLLM, Ollama, TGI)
#: json_object_schema  `{"type": "json_object", "schema": ..., "value": ...}`: llama.cpp (llama-server and
#:                     llama-cpp-python, `schema`) and TGI (`value`) turn the schema into a grammar
#: json_object         JSON mode without a schema; the schema goes into the system message
#: text                no response_format; the schema in the system message, the answer parsed and validated
MODES = ("json_schema", "json_object_schema", "json_object", "text")
# statuses with which a server refuses a `response_format` it does not support
REFUSES_FORMAT = {400, 404, 415, 422, 500, 501}
RETRYABLE_STATUS = {408, 409, 429}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_RETRY_AFTER_S = 120.0

REASK = (
    "Your answer could not be used: {errors}\n"
    "Answer again with only one JSON object that matches the schema exactly, using only the allowed values."
)
SCHEMA_INSTRUCTION = (
    "\n\nAnswer with only one JSON object, no prose and no code fences, matching this JSON schema:\n{schema}"
)


def check_endpoint_allowed(base_url: str, *, environment: str) -> None:
    """In tests only loopback endpoints are allowed: no test can reach a real remote LLM by accident."""
    host = (urlsplit(base_url).hostname or "").lower()
    if environment == "test" and host not in LOOPBACK_HOSTS and not host.startswith("127."):
        raise ValueError(
            f"refusing LLM endpoint {base_url!r}: TRIAGE_ENVIRONMENT=test allows loopback endpoints only"
        )


class CircuitBreaker:
    """Closed → open after `failures` consecutive failures → after `reset_s`, half-open: one probe call
    is let through; its success closes the breaker, its failure opens it again.

    Written here rather than taken from a library: the async breakers on PyPI (purgatory, aiobreaker)
    wrap a whole call as a decorator or context manager and own the exception filtering, while this one
    must count single attempts inside the tenacity loop (so a dead endpoint opens it within one ticket),
    treat an answered-but-invalid call as a success of the endpoint, and take a clock for tests.
    """

    def __init__(self, *, failures: int, reset_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.reset_s = reset_s
        self._clock = clock
        self._count = 0
        self._opened_at: float | None = None
        self._probing = False
        self.opened_total = 0

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        if self._probing or self._clock() - self._opened_at >= self.reset_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        state = self.state
        if state == "closed":
            return True
        if state == "half_open" and not self._probing:
            self._probing = True  # this caller is the probe; the others wait for its outcome
            log.info("llm circuit breaker half-open: probing the endpoint")
            return True
        return False

    def record_success(self) -> None:
        if self._opened_at is not None:
            log.info("llm circuit breaker closed: the endpoint answered")
        self._count = 0
        self._opened_at = None
        self._probing = False

    def record_failure(self) -> None:
        self._count += 1
        if self._probing or (self._opened_at is None and self._count >= self.failures):
            self._opened_at = self._clock()
            self._probing = False
            self.opened_total += 1
            log.warning("llm circuit breaker open for %.1fs after %d failures", self.reset_s, self._count)


#: kept under their old names for the callers of this module
Usage = LlmUsage
StructuredAnswer = LlmAnswer


def usage_dict(usage: LlmUsage, cost_usd: float | None) -> dict[str, Any]:
    """What a decision records of its LLM usage."""
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "cost_usd": None if cost_usd is None else round(cost_usd, 8),
        "calls": usage.calls,
        "retries": usage.retries,
        "reasks": usage.reasks,
        "latency_ms": round(usage.latency_ms, 2),
    }


def parse_retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After-Ms, Retry-After as seconds or an HTTP date)."""
    response = getattr(exc, "response", None)
    if response is None:
        return None
    headers = response.headers
    try:
        if "retry-after-ms" in headers:
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection error"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__


_FENCED_JSON = re.compile(r"```(?:json)?\s*(\{.*\})\s*```", re.DOTALL)


def extract_json(content: str) -> Any:
    """The JSON object in a reply: the whole text, a ```json block, or the outermost {...}."""
    text = content.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    fenced = _FENCED_JSON.search(text)
    if fenced:
        return json.loads(fenced.group(1))
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end <= start:
        raise ValueError("the answer contains no JSON object")
    return json.loads(text[start : end + 1])


def _validation_summary(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:5]:
            loc = ".".join(str(p) for p in err["loc"]) or "(object)"
            parts.append(f"{loc}: {err['msg']}")
        return "; ".join(parts)
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc.msg} at character {exc.pos})"
    return str(exc)


class ChatClient:
    """One OpenAI-compatible server: its client, its breaker and what structured output it accepts."""

    def __init__(
        self,
        settings: LlmSettings,
        *,
        environment: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not settings.base_url or not settings.model:
            raise ValueError("an LLM needs both TRIAGE_LLM__BASE_URL and TRIAGE_LLM__MODEL")
        check_endpoint_allowed(settings.base_url, environment=environment)
        self.settings = settings
        self.base_url = settings.base_url
        self.model = settings.model
        self._clock = clock
        self.breaker = CircuitBreaker(
            failures=settings.breaker_failures, reset_s=settings.breaker_reset_s, clock=clock
        )
        first = 0 if settings.structured_output == "auto" else MODES.index(settings.structured_output)
        self._mode_index = first
        self._clients: dict[int, AsyncOpenAI] = {}  # per event loop: httpx pools are bound to their loop

    @property
    def structured_mode(self) -> str:
        """The structured-output rung this server is known to accept (remembered across calls)."""
        return MODES[self._mode_index]

    @property
    def price(self) -> LlmPrice | None:
        return self.settings.prices.get(self.model)

    def cost_of(self, usage: LlmUsage) -> float | None:
        price = self.price
        return None if price is None else usage.cost(price.input_per_mtok, price.output_per_mtok)

    async def aclose(self) -> None:
        """Close the client of the running event loop (its connection pool); the next call opens a new one."""
        client = self._clients.pop(id(asyncio.get_running_loop()), None)
        if client is not None:
            await client.close()

    def _client(self) -> AsyncOpenAI:
        loop_id = id(asyncio.get_running_loop())
        client = self._clients.get(loop_id)
        if client is None:
            s = self.settings
            key = s.api_key.get_secret_value() if s.api_key else "not-needed"
            if s.api_version:  # Azure OpenAI's deployment-style endpoint
                client = AsyncAzureOpenAI(
                    azure_endpoint=self.base_url, api_key=key, api_version=s.api_version, max_retries=0,
                    timeout=s.timeout_s,
                )
            else:
                client = AsyncOpenAI(base_url=self.base_url, api_key=key, max_retries=0, timeout=s.timeout_s)
            self._clients = {loop_id: client}  # a client of a finished loop cannot be reused
        return client

    # -- the public call -----------------------------------------------------------------------
    async def complete(
        self,
        *,
        messages: list[dict[str, str]],
        output: type[BaseModel],
        name: str,
        max_tokens: int,
        deadline: float,
        usage: Usage,
    ) -> StructuredAnswer:
        """Ask until the answer validates against `output` (bounded re-asks), within `deadline`."""
        convo = list(messages)
        last_error = ""
        for reask in range(self.settings.max_reasks + 1):
            content, logprobs, mode = await self._call_with_retries(
                convo, output=output, name=name, max_tokens=max_tokens, deadline=deadline, usage=usage)
            try:
                value = output.model_validate(extract_json(content))
            except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
                last_error = _validation_summary(exc)
                log.info("llm answer to %s failed validation (try %d): %s", name, reask + 1, last_error)
                if reask == self.settings.max_reasks:
                    break
                usage.reasks += 1
                convo = [*convo, {"role": "assistant", "content": content[:4000]},
                         {"role": "user", "content": REASK.format(errors=last_error)}]
                continue
            return StructuredAnswer(value=value, content=content, mode=mode, logprobs=logprobs)
        raise LlmInvalidOutput(f"{name}: invalid answer after {self.settings.max_reasks} re-asks: {last_error}")

    # -- retries, deadline and breaker ---------------------------------------------------------
    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = parse_retry_after(exc) if exc is not None else None
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER_S)
        s = self.settings
        backoff = min(s.backoff_max_s, s.backoff_initial_s * 2 ** (state.attempt_number - 1))
        return backoff * (0.5 + random.random() / 2)  # jitter, not security

    def _stop(self, deadline: float) -> Callable[[RetryCallState], bool]:
        def stop(state: RetryCallState) -> bool:
            out_of_tries = state.attempt_number >= self.settings.max_attempts
            return out_of_tries or self._clock() + (state.upcoming_sleep or 0.0) >= deadline
        return stop

    async def _call_with_retries(
        self, messages: list[dict[str, str]], *, output: type[BaseModel], name: str, max_tokens: int,
        deadline: float, usage: Usage,
    ) -> tuple[str, list[Any] | None, str]:
        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient), wait=self._wait, stop=self._stop(deadline), reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        usage.retries += 1
                    return await self._attempt(messages, output=output, name=name, max_tokens=max_tokens,
                                               deadline=deadline, usage=usage)
        except openai.OpenAIError as exc:
            raise LlmUnavailable(f"{name}: {_describe(exc)} from {self.model} (gave up after retries)") from exc
        raise LlmUnavailable(f"{name}: no attempt was made")  # pragma: no cover - tenacity always tries once

    async def _attempt(
        self, messages: list[dict[str, str]], *, output: type[BaseModel], name: str, max_tokens: int,
        deadline: float, usage: Usage,
    ) -> tuple[str, list[Any] | None, str]:
        remaining = deadline - self._clock()
        if remaining <= 0.05:
            raise LlmUnavailable(f"{name}: deadline of {self.settings.deadline_s:.1f}s exceeded")
        if not self.breaker.allow():
            raise LlmUnavailable(f"{name}: circuit breaker open for {self.base_url}")
        timeout = min(self.settings.timeout_s, remaining)
        t0 = time.perf_counter()
        try:
            response, mode = await self._call_walking_ladder(
                messages, output=output, name=name, max_tokens=max_tokens, timeout=timeout, usage=usage)
        except openai.OpenAIError as exc:
            if _transient(exc):
                self.breaker.record_failure()
            else:
                self.breaker.record_success()  # it answered; the request was at fault
            log.warning("llm call %s failed: %s", name, _describe(exc))
            raise
        finally:
            usage.latency_ms += (time.perf_counter() - t0) * 1000
        self.breaker.record_success()
        usage.add(response.usage)
        choice = response.choices[0] if response.choices else None
        content = (choice.message.content or "") if choice is not None else ""
        logprobs = choice.logprobs.content if choice is not None and choice.logprobs is not None else None
        return content, logprobs, mode

    # -- one HTTP call, walking down the structured-output ladder ---------------------------------
    async def _call_walking_ladder(
        self, messages: list[dict[str, str]], *, output: type[BaseModel], name: str, max_tokens: int,
        timeout: float, usage: Usage,
    ) -> tuple[Any, str]:
        index = self._mode_index
        while True:
            mode = MODES[index]
            usage.calls += 1
            try:
                response = await self._request(mode, messages, output=output, name=name, max_tokens=max_tokens,
                                               timeout=timeout)
            except openai.APIStatusError as exc:
                can_step_down = self.settings.structured_output == "auto" and index + 1 < len(MODES)
                if can_step_down and exc.status_code in REFUSES_FORMAT:
                    log.info("llm server %s answered HTTP %d to response_format %s; trying %s",
                             self.base_url, exc.status_code, mode, MODES[index + 1])
                    index += 1
                    continue
                if exc.status_code in RETRYABLE_STATUS:  # it took the format, it is busy: remember the rung
                    self._remember(index)
                raise
            except openai.APITimeoutError:
                # the server took this format and was working on it: the rungs above it stay refused, so a
                # slow first answer does not make the next call probe json_schema again
                self._remember(index)
                raise
            self._remember(index)
            return response, mode

    def _remember(self, index: int) -> None:
        """Keep the rung this server took. A refusal on every rung is an outage, never remembered."""
        if index != self._mode_index:
            log.warning("llm server %s does not accept %s; using %s from now on",
                        self.base_url, MODES[self._mode_index], MODES[index])
            self._mode_index = index

    async def _request(
        self, mode: str, messages: list[dict[str, str]], *, output: type[BaseModel], name: str, max_tokens: int,
        timeout: float,
    ) -> Any:
        schema = json_schema_of(output, string_lengths=mode == "json_object_schema")
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens,
            "temperature": self.settings.temperature,
            "timeout": timeout,
        }
        if self.settings.logprobs:
            kwargs["logprobs"] = True
            kwargs["top_logprobs"] = 5
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True},
            }
        elif mode == "json_object_schema":
            # the server turns the schema into a grammar: the enum labels are all the model can write, so
            # the schema need not be repeated in the prompt (which a small model tends to echo back).
            # llama.cpp reads it from `schema`, TGI from `value`; each ignores the other key
            kwargs["response_format"] = {"type": "json_object", "schema": schema, "value": schema}
        else:
            if mode == "json_object":
                kwargs["response_format"] = {"type": "json_object"}
            messages = _with_schema_instruction(messages, schema)
        return await self._client().chat.completions.create(messages=messages, **kwargs)  # type: ignore[arg-type]


def _with_schema_instruction(messages: list[dict[str, str]], schema: dict[str, Any]) -> list[dict[str, str]]:
    """Without json_schema support the schema goes into the system message."""
    out = [dict(m) for m in messages]
    text = SCHEMA_INSTRUCTION.format(schema=json.dumps(schema, ensure_ascii=False))
    if out and out[0]["role"] == "system":
        out[0]["content"] += text
    else:
        out.insert(0, {"role": "system", "content": text.strip()})
    return out
