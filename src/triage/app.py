"""`create_app(settings)`: the FastAPI application. The lifespan builds the adapters once."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi

from triage import __version__
from triage.api import health, review, tickets
from triage.api.problems import BodySizeLimit, JsonBodyByDefault, install_problem_handlers
from triage.components import Components, build_components
from triage.config import Settings
from triage.logs import request_id_var
from triage.review import web as review_web
from triage.services.tickets import reprocess_pending

__all__ = ["create_app"]

log = logging.getLogger(__name__)

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


def create_app(settings: Settings, *, components: Components | None = None) -> FastAPI:
    """Build the app. Pass `components` to share already-built adapters (tests, embedding in a host)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = components is None
        comps: Components = (
            components if components is not None else await asyncio.to_thread(build_components, settings))
        app.state.components = comps
        task = None
        if settings.reprocess_on_startup:
            task = asyncio.create_task(reprocess_pending(comps), name="startup-reprocess")
        log.info("triage ready", extra={"mode": comps.pipeline.mode, "policy": comps.policy.version})
        try:
            yield
        finally:
            if task is not None and not task.done():
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
            if comps.pipeline.llm is not None:  # its connections belong to this event loop
                await comps.pipeline.llm.aclose()
            if owned:
                comps.close()

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
    install_problem_handlers(app)
    app.include_router(tickets.router)
    app.include_router(review.router)
    app.include_router(health.router)
    app.include_router(review_web.router)
    app.mount(review_web.STATIC_PATH, review_web.static_assets(), name="review-static")

    @app.middleware("http")
    async def request_context(request: Request, call_next: Any) -> Response:
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        token = request_id_var.set(rid)
        start = time.perf_counter()
        try:
            response: Response = await call_next(request)
            response.headers["x-request-id"] = rid
            log.info("request", extra={"method": request.method, "path": request.url.path,
                                       "status": response.status_code,
                                       "ms": round((time.perf_counter() - start) * 1000, 1)})
        finally:
            request_id_var.reset(token)
        return response

    app.add_middleware(JsonBodyByDefault)
    app.add_middleware(BodySizeLimit, max_bytes=settings.limits.max_body_bytes)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes, tags=app.openapi_tags)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
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
