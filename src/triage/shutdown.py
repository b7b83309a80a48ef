"""Graceful shutdown: what happens between SIGTERM and exit.

    SIGTERM ─> uvicorn closes the listening socket (no new connections) and idle keep-alive connections
            ─> requests in flight finish, for at most TRIAGE_SHUTDOWN__GRACE_S (uvicorn's
               timeout_graceful_shutdown); past that they are cancelled: their tickets were committed
               before any model work, so they stay `received` and start-up reprocessing decides them;
               the client gets a 503 problem with Retry-After (`InFlightMiddleware`), not uvicorn's bare
               500: a retry with the same external_id is safe and answers with the stored ticket
            ─> the app's lifespan ends: it waits for decisions still counted in flight (same bound), stops
               the start-up reprocessing task, flushes traces, closes the LLM client and the case store

`InFlight` counts decisions being made (the metrics gauge `triage_decisions_in_flight` reads it).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["InFlight", "InFlightMiddleware", "close_llm"]

log = logging.getLogger(__name__)


class InFlight:
    """A count of work in progress that shutdown can wait for (thread-safe enough: updated on the event loop)."""

    def __init__(self) -> None:
        self.count = 0

    @contextmanager
    def track(self) -> Iterator[None]:
        self.count += 1
        try:
            yield
        finally:
            self.count -= 1

    async def drain(self, *, timeout_s: float, poll_s: float = 0.05) -> bool:
        """Wait until nothing is in flight, at most `timeout_s`; True when drained."""
        deadline = time.monotonic() + timeout_s
        if self.count:
            log.info("shutdown: waiting for %d decision(s) in flight (at most %.1f s)", self.count, timeout_s)
        while self.count and time.monotonic() < deadline:
            await asyncio.sleep(poll_s)
        if self.count:
            log.warning("shutdown: %d decision(s) still in flight after %.1f s; their tickets stay persisted and "
                        "are decided at the next start-up", self.count, timeout_s)
        return self.count == 0


async def _close(obj: Any) -> bool:
    for name in ("aclose", "close"):
        method = getattr(obj, name, None)
        if callable(method):
            result = method()
            if inspect.isawaitable(result):
                await result
            return True
    return False


async def close_llm(llm: Any) -> None:
    """Close the LLM decider's HTTP clients (connection pools). Looks for `aclose`/`close` on the decider, then on
    its `client`, then on the client's per-loop openai clients; never raises (shutdown must go on)."""
    if llm is None:
        return
    try:
        if await _close(llm):
            return
        client = getattr(llm, "client", None)
        if client is not None and await _close(client):
            return
        pools = getattr(client, "_clients", None)
        for pool in list(pools.values()) if isinstance(pools, dict) else []:
            await _close(pool)
    except Exception:
        log.exception("shutdown: closing the LLM client failed")


#: the answer to a request cut off by shutdown (see the module docstring)
CUT_OFF = {
    "type": "about:blank", "title": "Shutting down", "status": 503,
    "detail": "the service stopped before this request was decided; every ticket it had accepted is stored and "
              "is decided at the next start-up; retrying with the same external_id is safe",
}
RETRY_AFTER_S = 5


class InFlightMiddleware:
    """Counts the requests that make decisions (POST under /v1/tickets) in `InFlight` (pure ASGI), and answers
    one that shutdown cancels before it has a response with a 503 (uvicorn would send a bare 500)."""

    def __init__(self, app: Any, *, in_flight: InFlight, prefix: str = "/v1/tickets") -> None:
        self.app = app
        self.in_flight = in_flight
        self.prefix = prefix

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("method") == "POST" and scope.get("path", "").startswith(self.prefix):
            started = False

            async def tracked_send(message: Any) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                await send(message)

            with self.in_flight.track():
                try:
                    await self.app(scope, receive, tracked_send)
                except asyncio.CancelledError:
                    if started:
                        raise
                    # uvicorn cancels the request task when the grace period ends; it only waits for the task
                    # to end, so the request is finished here with an answer the client can act on
                    log.warning("shutdown: a request was cut off before its decision; answered 503",
                                extra={"path": scope.get("path")})
                    body = json.dumps(CUT_OFF).encode()
                    await send({"type": "http.response.start", "status": 503, "headers": [
                        (b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode()),
                        (b"retry-after", str(RETRY_AFTER_S).encode()), (b"connection", b"close")]})
                    await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
