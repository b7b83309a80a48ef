"""Reviewer web pages: sign in with a key, the queue, a ticket, accept / edit / reject, operations stats.

Server-rendered (Jinja2); every action is a plain HTML form, so the pages work without JavaScript; a
small script adds keyboard shortcuts and live SLA countdowns. The session is a signed cookie
(itsdangerous, keyed by TRIAGE_SESSION_SECRET or the data directory's generated secret) holding a random
token of a server-side session (`services/web_sessions.py`); signing out deletes it. The plain key is
never stored. Every POST carries the CSRF token in a hidden field and is refused (403) without it.
The pages call the same service functions as the API, with the same roles.
"""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from starlette.types import Scope

from triage.api.deps import ComponentsDep, TicketId, client_address
from triage.api.throttle import Throttle
from triage.components import Components
from triage.db.models import ApiKey, CaseRow, utcnow
from triage.db.queries import claim_is_active
from triage.domain.text import PlainText
from triage.errors import AuthError, InvalidTicket, TooManyRequests, TriageError
from triage.services.keys import authenticate
from triage.services.review import (
    DEFAULT_LEASE,
    QUEUE_STATUSES,
    REASON_CODES,
    actor_labels,
    as_utc,
    claim_ticket,
    latest_review,
    review_queue,
    review_stats,
    review_ticket,
    stats_window,
    ticket_history,
)
from triage.services.tickets import get_ticket, reason_texts
from triage.services.web_sessions import end_session, find_session, session_secret, start_session

__all__ = ["STATIC_PATH", "router", "static_assets"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/review", include_in_schema=False)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
STATIC_PATH = "/review/static"  # base.html links /review/static/review.css and review.js
COOKIE = "triage_session"
LOGIN_COOKIE = "triage_login_csrf"
SESSION_MAX_AGE = 12 * 3600
REVIEW_ROLES = ("reviewer", "admin")
STATS_ROLES = ("analyst", "admin")
SIGN_IN_ROLES = ("reviewer", "analyst", "admin")
MAX_PAGE = 10_000  # deeper pages are refused (422): the database needs a bounded offset


@lru_cache(maxsize=1)
def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["countdown"] = countdown
    templates.env.filters["utc"] = as_utc
    templates.env.filters["iso"] = iso
    templates.env.filters["pct"] = lambda v: "–" if v is None else f"{v * 100:.0f}%"
    templates.env.globals["now"] = utcnow
    return templates


def iso(value: datetime | None) -> str:
    aware = as_utc(value)
    return aware.isoformat() if aware else ""


def countdown(due: datetime, now: datetime | None = None) -> str:
    """'in 3h 20m' or 'overdue by 12m'."""
    seconds = int((as_utc(due) - (now or utcnow())).total_seconds())  # type: ignore[operator]
    mins = abs(seconds) // 60
    days, rest = divmod(mins, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = (f"{days}d {hours}h" if days else f"{hours}h {minutes}m" if hours else f"{minutes}m")
    return f"in {text}" if seconds >= 0 else f"overdue by {text}"


@dataclass
class WebUser:
    key_id: str
    name: str
    role: str
    csrf: str


def _serializer(c: Components) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(c.settings), salt="triage.review.session")


def _session_token(request: Request, c: Components) -> str | None:
    """The server-side session token inside the signed cookie (None if absent, tampered or too old)."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 512:
        return None
    try:
        token = _serializer(c).loads(raw, max_age=SESSION_MAX_AGE)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def _current_user(request: Request, c: Components) -> WebUser | None:
    token = _session_token(request, c)
    if token is None:
        return None
    found = find_session(c.sessions, token)
    if found is None:
        return None
    return WebUser(key_id=found.key_id, name=found.name, role=found.role, csrf=found.csrf)


def _secure(request: Request, c: Components) -> bool:
    return request.url.scheme == "https" or c.settings.environment == "production"


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = _templates().TemplateResponse(request, name, context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'")
    return response


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse("/review/login?" + urlencode({"next": target}), status_code=303)


def _refuse(request: Request, user: WebUser | None, detail: str, status_code: int = 403) -> HTMLResponse:
    return _render(request, "error.html", {"user": user, "title": "Not allowed" if status_code == 403 else "Error",
                                           "detail": detail}, status_code=status_code)


class WebRefusal(Exception):
    """Raised by the web dependencies: the page to answer instead (sign-in redirect, 403 page)."""

    def __init__(self, response: Response) -> None:
        super().__init__("web request refused")
        self.response = response


class _WebRoute(APIRoute):
    """Answers a `WebRefusal` raised by a dependency with its page, so handlers receive a `WebUser`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except WebRefusal as refusal:
                return refusal.response

        return route


router.route_class = _WebRoute


def _signed_in(request: Request, c: Components, roles: tuple[str, ...]) -> WebUser:
    user = _current_user(request, c)
    if user is None:
        raise WebRefusal(_to_login(request))
    if user.role not in roles:
        raise WebRefusal(_refuse(request, user, f"a {user.role} key may not open this page; it needs "
                                                f"{' or '.join(roles)}"))
    return user


def _csrf_ok(user: WebUser, token: str) -> bool:
    return bool(token) and hmac.compare_digest(user.csrf, token)


def _web_reviewer(request: Request, components: ComponentsDep) -> WebUser:
    return _signed_in(request, components, REVIEW_ROLES)


def _web_analyst(request: Request, components: ComponentsDep) -> WebUser:
    return _signed_in(request, components, STATS_ROLES)


def _web_reviewer_form(request: Request, components: ComponentsDep,
                       csrf_token: Annotated[str, Form()] = "") -> WebUser:
    """A reviewer's form post: signed in with a review role, and carrying the session's CSRF token."""
    user = _signed_in(request, components, REVIEW_ROLES)
    if not _csrf_ok(user, csrf_token):
        raise WebRefusal(_refuse(request, user, "missing or wrong CSRF token; reload the page"))
    return user


# The web pages' own dependencies (they answer with pages, not problem+json, so they live here, beside
# the pages, rather than in api/deps.py): not signed in -> the sign-in page; wrong role -> a 403 page.
WebReviewer = Annotated[WebUser, Depends(_web_reviewer)]
WebAnalyst = Annotated[WebUser, Depends(_web_analyst)]
WebReviewerForm = Annotated[WebUser, Depends(_web_reviewer_form)]


def _ticket_with_error(
    request: Request, c: Components, ticket_id: str, user: WebUser, exc: TriageError,
    form: dict[str, Any] | None = None,
) -> Response:
    """The ticket page again, with what went wrong (and what the reviewer typed) instead of losing it."""
    try:
        context = _ticket_context(c, ticket_id, user)
    except TriageError:
        return _refuse(request, user, exc.detail, status_code=exc.status_code)
    context["error"] = exc.detail
    status_code = exc.status_code
    if form is not None:
        context["form"] = form
        status_code = status_code if status_code < 500 else 422
    return _render(request, "ticket.html", context, status_code=status_code)


def _safe_next(target: str | None, role: str) -> str:
    if target and target.startswith("/review") and not target.startswith("//"):
        return target
    return "/review/" if role in REVIEW_ROLES else "/review/stats"


# -- static ----------------------------------------------------------------------------------------
class _StaticAssets(StaticFiles):
    """Starlette's StaticFiles (path containment, ETag / Last-Modified, 304, HEAD) with a short cache
    lifetime, and no content sniffing: the pages' CSP loads scripts and styles from 'self' only."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "max-age=300"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def static_assets() -> StaticFiles:
    """The review pages' CSS and script, to mount at `STATIC_PATH` (`create_app` does)."""
    return _StaticAssets(directory=STATIC)


# -- sign in / out -----------------------------------------------------------------------------------
@router.get("/login")
def login_page(request: Request, components: ComponentsDep,
               next: Annotated[PlainText | None, Query(max_length=2000)] = None) -> Response:
    token = secrets.token_urlsafe(24)
    response = _render(request, "login.html", {"user": None, "csrf": token, "next": next or "", "error": None})
    response.set_cookie(LOGIN_COOKIE, token, max_age=1800, httponly=True, samesite="strict",
                        secure=_secure(request, components), path="/review")
    return response


@router.post("/login")
def login(
    request: Request, components: ComponentsDep, api_key: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf_token):
        return _refuse(request, None, "the sign-in form expired; reload the page and sign in again")
    throttle: Throttle = request.app.state.throttle
    client = client_address(request)
    try:
        throttle.check_client(client)
    except TooManyRequests as exc:
        refused = _refuse(request, None, exc.detail, status_code=429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    error = None
    key: ApiKey | None = None
    try:
        with components.sessions() as session:
            key = authenticate(session, api_key.strip())
    except AuthError:
        throttle.record_failure(client)
        log.warning("failed sign-in", extra={"client": client})
        error = "That key is unknown or revoked."
    if key is not None and key.role not in SIGN_IN_ROLES:
        error = f"A {key.role} key cannot sign in here; use a reviewer, analyst or admin key."
    if error or key is None:
        token = secrets.token_urlsafe(24)
        again = _render(request, "login.html", {"user": None, "csrf": token, "next": next, "error": error},
                        status_code=401)
        again.set_cookie(LOGIN_COOKIE, token, max_age=1800, httponly=True, samesite="strict",
                         secure=_secure(request, components), path="/review")
        return again
    token = start_session(components.sessions, key_id=key.id, lifetime=timedelta(seconds=SESSION_MAX_AGE))
    cookie = _serializer(components).dumps(token)
    response = RedirectResponse(_safe_next(next, key.role), status_code=303)
    response.set_cookie(COOKIE, cookie, max_age=SESSION_MAX_AGE, httponly=True, samesite="lax",
                        secure=_secure(request, components), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/review")
    log.info("reviewer signed in", extra={"key_id": key.id, "role": key.role})
    return response


@router.post("/logout")
def logout(request: Request, components: ComponentsDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    user = _current_user(request, components)
    if user is not None and not _csrf_ok(user, csrf_token):
        return _refuse(request, user, "missing or wrong CSRF token")
    token = _session_token(request, components)
    if token is not None:
        end_session(components.sessions, token)  # the cookie is worthless from now on, wherever it is kept
    response = RedirectResponse("/review/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# -- queue -------------------------------------------------------------------------------------------
@router.get("/")
def queue_page(
    request: Request, components: ComponentsDep, user: WebReviewer,
    queue: Annotated[PlainText, Query(max_length=60)] = "",
    risk: Annotated[PlainText, Query(max_length=20)] = "", language: Annotated[PlainText, Query(max_length=8)] = "",
    status: Annotated[PlainText, Query(max_length=20)] = "open",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1, done: Annotated[PlainText, Query(max_length=64)] = "",
    done_action: Annotated[PlainText, Query(max_length=20)] = "",
) -> Response:
    page = max(1, page)
    per_page = 25
    policy = components.policy
    error = None
    try:
        with components.sessions() as session:
            result = review_queue(session, policy=policy, queue=queue or None, risk=risk or None,
                                  language=language or None, status=status, limit=per_page,
                                  offset=(page - 1) * per_page)
    except TriageError as exc:
        error = exc.detail
        result = None
    filters = {"queue": queue, "risk": risk, "language": language, "status": status}

    def page_url(n: int) -> str:
        return "/review/?" + urlencode({**{k: v for k, v in filters.items() if v}, "page": n})

    return _render(request, "queue.html", {
        "user": user, "result": result, "filters": filters, "error": error, "page": page,
        "pages": max(1, -(-result.total // per_page)) if result else 1, "page_url": page_url,
        "queues": list(policy.routing.queues), "risks": policy.risk_order, "statuses": list(QUEUE_STATUSES),
        "done": done, "done_action": done_action, "now": utcnow(),
    }, status_code=422 if error else 200)


# -- ticket ------------------------------------------------------------------------------------------
def _ticket_context(c: Components, ticket_id: str, user: WebUser) -> dict[str, Any]:
    with c.sessions() as session:
        ticket, decision = get_ticket(session, ticket_id)
        history = ticket_history(session, ticket_id)
        actors = actor_labels(session, history)
        review = latest_review(session, ticket_id)
        similar: list[dict[str, Any]] = []
        if decision is not None and decision.similar_cases:
            ids = [s["id"] for s in decision.similar_cases]
            rows = {r.id: r for r in session.scalars(select(CaseRow).where(CaseRow.id.in_(ids)))}
            for s in decision.similar_cases:
                row = rows.get(s["id"])
                similar.append({**s, "text": row.text if row else None, "final_reply": row.final_reply if row else None,
                                "status": row.status if row else None, "source": row.source if row else None})
        session.expunge_all()
    now = utcnow()
    claim_active = claim_is_active(ticket, now)
    policy = c.policy
    return {
        "user": user, "ticket": ticket, "decision": decision, "history": history, "actors": actors,
        "review": review,
        "reasons": reason_texts(decision.reasons)[0] if decision is not None else [],
        "similar": similar, "now": now, "claim_active": claim_active,
        "claimed_by_me": claim_active and ticket.claimed_by == user.key_id,
        "claimed_by_other": claim_active and ticket.claimed_by != user.key_id,
        "categories": policy.taxonomy.categories, "risks": policy.risk_order, "queues": policy.routing.queues,
        "reason_codes": REASON_CODES, "lease_minutes": int(DEFAULT_LEASE.total_seconds() // 60),
        "error": None, "form": None,
    }


@router.get("/tickets/{ticket_id}")
def ticket_page(request: Request, components: ComponentsDep, ticket_id: TicketId, user: WebReviewer) -> Response:
    try:
        context = _ticket_context(components, ticket_id, user)
    except TriageError as exc:
        return _refuse(request, user, exc.detail, status_code=exc.status_code)
    return _render(request, "ticket.html", context)


@router.post("/tickets/{ticket_id}/claim")
def claim(
    request: Request, components: ComponentsDep, ticket_id: TicketId, user: WebReviewerForm,
) -> Response:
    try:
        claim_ticket(components.sessions, ticket_id=ticket_id, reviewer_id=user.key_id, reviewer_name=user.name)
    except TriageError as exc:
        return _ticket_with_error(request, components, ticket_id, user, exc)
    return RedirectResponse(f"/review/tickets/{ticket_id}#review", status_code=303)


@router.post("/tickets/{ticket_id}/review")
def review(
    request: Request, components: ComponentsDep, ticket_id: TicketId, user: WebReviewerForm,
    action: Annotated[str, Form()] = "", version: Annotated[str, Form()] = "",
    decision_id: Annotated[str, Form()] = "", final_reply: Annotated[str, Form()] = "",
    category: Annotated[str, Form()] = "", risk: Annotated[str, Form()] = "", queue: Annotated[str, Form()] = "",
    reason_code: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "",
    model_category: Annotated[str, Form()] = "", model_queue: Annotated[str, Form()] = "",
    also: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"action": action, "final_reply": final_reply, "category": category, "risk": risk, "queue": queue,
            "reason_code": reason_code, "note": note, "also": also or []}
    # a moved category with the queue left as routed follows the category: services.review.review_queue_for
    try:
        if not version.isdigit():
            raise InvalidTicket("the form has no ticket version; reload the page", field="version")
        review_ticket(
            sessions=components.sessions, policy=components.policy, store=components.store,
            embedder=components.embedder, ticket_id=ticket_id, reviewer_id=user.key_id, reviewer_name=user.name,
            action=action,
            expected_version=int(version), final_reply=final_reply.replace("\r\n", "\n"),
            category=category or None, also=also or [], risk=risk or None, queue=queue or None,
            reason_code=reason_code or None, note=note or None, decision_id=decision_id or None,
        )
    except TriageError as exc:
        return _ticket_with_error(request, components, ticket_id, user, exc, form=form)
    return RedirectResponse("/review/?" + urlencode({"done": ticket_id, "done_action": action}), status_code=303)


# -- operations ----------------------------------------------------------------------------------------
WINDOWS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30), "90d": timedelta(days=90)}


@router.get("/stats")
def stats_page(request: Request, components: ComponentsDep, user: WebAnalyst,
               window: Annotated[PlainText, Query(max_length=8)] = "7d") -> Response:
    span = WINDOWS.get(window, WINDOWS["7d"])
    until = utcnow()
    since, until = stats_window(until - span, until)
    with components.sessions() as session:
        stats = review_stats(session, since=since, until=until)
    return _render(request, "stats.html", {"user": user, "stats": stats, "window": window,
                                            "windows": list(WINDOWS), "risks": components.policy.risk_order})
