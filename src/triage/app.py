"""`create_app(settings)`: the FastAPI application. The lifespan builds the adapters once."""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from triage import __version__
from triage.api import health, review, tickets
from triage.api import metrics as metrics_api
from triage.api.openapi import document_problems
from triage.api.problems import SECURITY_HEADERS, BodySizeLimit, JsonBodyByDefault, install_problem_handlers, problem
from triage.api.throttle import Throttle
from triage.components import Components, build_components
from triage.config import Settings
from triage.logs import request_id_var
from triage.review import web as review_web
from triage.services.tickets import reprocess_pending
from triage.shutdown import InFlightMiddleware, close_llm
from triage.telemetry import Telemetry

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

__all__ = ["RequestContext", "create_app"]

log = logging.getLogger(__name__)

_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

class RequestContext:
    """The request id (the client's `X-Request-ID` when it is a plain token, else a new one) in every log line
    and response, the security headers on every response, one access-log line per request, and a 500 problem
    carrying the request id for an error nothing else answered.

    Pure ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs the rest of the app in
    a second task and streams the response through a memory channel, a measurable share of a request that
    takes a few milliseconds (issue 11's per-ticket overhead)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = ""
        for name, value in scope.get("headers") or ():
            if name == b"x-request-id":
                rid = value.decode("latin-1")
                break
        if not _REQUEST_ID.fullmatch(rid):  # a client's id goes into logs and headers: only a plain token
            rid = uuid.uuid4().hex[:16]
        token = request_id_var.set(rid)
        start = time.perf_counter()
        status = {"code": 0}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = rid
                for name, value in SECURITY_HEADERS:
                    headers.setdefault(name.decode(), value.decode())
            await send(message)

        try:
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception:  # answered here, so the 500 carries the request id like every response
                if status["code"]:
                    raise  # the response has started: nothing can be answered any more
                log.exception("unexpected error")
                await problem(500, "Internal error", f"an unexpected error occurred; it has been logged with "
                              f"request id {rid}")(scope, receive, send_with_headers)
            log.info("request", extra={"method": scope["method"], "path": scope["path"], "status": status["code"],
                                       "ms": round((time.perf_counter() - start) * 1000, 1)})
        finally:
            request_id_var.reset(token)


DESCRIPTION = """
LLM-assisted triage for trust-and-safety tickets. Each ticket is persisted first, redacted,
embedded, compared with similar past cases, classified (policy category and risk level), routed to a
queue with an SLA, and given a drafted reply. Decisions say which path decided them
(`local`, `llm`, `degraded`), with which versions, and when a human is needed.

Authenticate with an API key: `Authorization: Bearer trg_...` (create one with
`triage keys create --role service --name my-service`). Errors are `application/problem+json`.
"""

PROBLEM_SCHEMA = {
    "type": "object",
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string", "description": "what is wrong, naming the field"},
        "field": {"type": "string"}, "errors": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["title", "status", "detail"],
    "example": {"type": "about:blank", "title": "Invalid request", "status": 422,
                "detail": "channel: Input should be 'in_app_report', 'email', ...", "field": "channel"},
}


def create_app(settings: Settings, *, components: Components | None = None,
               span_exporter: SpanExporter | None = None) -> FastAPI:
    """Build the app. Pass `components` to share already-built adapters (tests, embedding in a host), and
    `span_exporter` to trace into it (tests: the in-memory exporter)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = components is None
        comps: Components = (
            components if components is not None else await asyncio.to_thread(build_components, settings))
        app.state.components = comps
        task = None
        if settings.reprocess_on_startup:
            task = asyncio.create_task(reprocess_pending(sessions=comps.sessions, pipeline=comps.pipeline),
                                       name="startup-reprocess")
        telemetry.attach(comps)
        log.info("triage ready", extra={"mode": comps.pipeline.mode, "policy": comps.policy.version})
        try:
            yield
        finally:
            # uvicorn has stopped accepting and waited for requests (TRIAGE_SHUTDOWN__GRACE_S); see triage.shutdown
            drained = await telemetry.in_flight.drain(timeout_s=settings.shutdown.grace_s)
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
            telemetry.detach(comps)
            telemetry.shutdown()
            await close_llm(comps.pipeline.llm)
            if owned:
                comps.close()
            log.info("triage stopped: %s, LLM client closed%s", "drained" if drained else "not drained",
                     ", store closed" if owned else "")

    app = FastAPI(
        title="triage",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_tags=[
            {"name": "tickets", "description": "Submit tickets and read decisions"},
            {"name": "review", "description": "Reviewer queue, claims, reviews, audit trail and stats"},
            {"name": "health", "description": "Liveness and readiness"},
        ],
    )
    app.state.throttle = Throttle(settings.throttle)
    install_problem_handlers(app)
    telemetry = Telemetry.install(app, settings, span_exporter=span_exporter)
    app.include_router(tickets.router)
    app.include_router(review.router)
    app.include_router(health.router)
    if settings.metrics.enabled:
        app.include_router(metrics_api.router)
    app.include_router(review_web.router)
    app.mount(review_web.STATIC_PATH, review_web.static_assets(), name="review-static")

    app.add_middleware(RequestContext)
    app.add_middleware(JsonBodyByDefault)
    app.add_middleware(BodySizeLimit, max_bytes=settings.limits.max_body_bytes)
    app.add_middleware(InFlightMiddleware, in_flight=telemetry.in_flight)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes, tags=app.openapi_tags)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        document_problems(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory triage.app:app_from_env` (several workers): settings from the environment."""
    from triage.config import get_settings
    from triage.logs import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return create_app(settings)
