"""Errors → RFC 9457 problem+json. Every 4xx names the problem (and the field, when there is one)."""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from triage.db.transient import describe, is_unavailable
from triage.errors import TooManyRequests, TriageError

__all__ = ["SECURITY_HEADERS", "BodySizeLimit", "install_problem_handlers", "problem"]

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
#: seconds a client is asked to wait after a 503 for a database that could not serve
DATABASE_RETRY_AFTER_S = 2
#: On every response, pages and API alike: no content sniffing, no referrer leaving the service.
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body",)]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(TriageError)
    async def _triage_error(request: Request, exc: TriageError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("service error", extra={"error": type(exc).__name__, "detail": exc.detail})
        extra = {"field": exc.field} if exc.field else {}
        response = problem(exc.status_code, exc.title, exc.detail, **extra)
        if exc.status_code == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            field = _field_name(tuple(err.get("loc", ())))
            kind = err.get("type", "")
            msg = err.get("msg", "invalid")
            if kind == "json_invalid":
                msg = "request body is not valid JSON: " + str(err.get("ctx", {}).get("error", msg))
            errors.append({"field": field, "message": msg, "type": kind})
        first = errors[0] if errors else {"field": "body", "message": "invalid request"}
        return problem(422, "Invalid request", f"{first['field']}: {first['message']}", errors=errors,
                       field=first["field"])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 400 and "parsing the body" in detail:
            detail = "the request body could not be decoded: send UTF-8 encoded JSON"
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed here; allowed: {(exc.headers or {}).get('Allow', 'none')}"
        response = problem(exc.status_code, str(exc.detail), detail)
        response.headers.update(exc.headers or {})  # e.g. Allow on 405
        return response

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        if not is_unavailable(exc):
            raise exc  # a bug (bad SQL, a constraint nobody handles): the 500 below, with its traceback logged
        # not a bug of the service: the database is down, refusing, out of connections, or still deadlocked after
        # the write's retries. What was committed stays (a ticket before its decision; reprocess and the client's
        # retry with the same external_id complete it), so the honest answer is "try again".
        log.error("database unavailable", extra={"error": describe(exc), "path": request.url.path})
        response = problem(503, "Database unavailable",
                           f"the database could not serve this request ({describe(exc)}); nothing was lost: "
                           "retry the same request (same external_id) shortly")
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
        return response

    # registered by class (not inside the catch-all below): Starlette re-raises what reaches the catch-all after
    # answering, and a database outage is an expected condition, not a crash
    app.add_exception_handler(sa_exc.DBAPIError, _database)
    app.add_exception_handler(sa_exc.TimeoutError, _database)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error")
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged")


class BodySizeLimit:
    """Refuse request bodies over the limit with 413, by Content-Length or while streaming (chunked).

    The body is read here, up to the limit, before the app sees it, and replayed to the app: a body
    that turns out too large while streaming is a 413 before anything else runs (inside the app, a
    failing read surfaced as FastAPI's 400 "error parsing the body"). Bodies are small (the limit is
    256 kB by default), so buffering costs nothing worth keeping a stream for.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(send, int(declared))
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nothing to answer
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.max_bytes:
                await self._reject(send, seen)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as the server would

        await self.app(scope, replay, send)

    async def _reject(self, send: Send, size: int) -> None:
        body = json.dumps({
            "type": "about:blank", "title": "Request too large", "status": 413,
            "detail": f"request body is {size} bytes or more; the limit is {self.max_bytes} "
                      "(TRIAGE_LIMITS__MAX_BODY_BYTES)",
        }).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close"), *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})


class JsonBodyByDefault:
    """Read every /v1 request body as JSON, whatever content type the client sent.

    `curl -d @ticket.json` sends `application/x-www-form-urlencoded`, other clients `text/plain`; the API
    only speaks JSON and authenticates by header (which a cross-site form cannot set), so reading such
    bodies as JSON is safe and saves every integrator the same surprise.
    """

    def __init__(self, app: ASGIApp, prefix: str = "/v1/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"content-type"]
            scope = dict(scope)
            scope["headers"] = [*headers, (b"content-type", b"application/json")]
        await self.app(scope, receive, send)
