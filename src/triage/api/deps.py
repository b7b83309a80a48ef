"""Typed dependencies (the only place `Depends` appears)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.orm import Session

from triage.api.throttle import Throttle
from triage.components import Components
from triage.db.models import ApiKey
from triage.domain.text import PlainText
from triage.errors import AuthError, Forbidden
from triage.services.keys import authenticate

__all__ = ["ComponentsDep", "CurrentKey", "MetricsAccess", "SessionDep", "authenticate_request", "client_address",
           "require_roles"]

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer trg_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key, alternative header")


def get_components(request: Request) -> Components:
    return request.app.state.components  # type: ignore[no-any-return]


ComponentsDep = Annotated[Components, Depends(get_components)]


def get_session(components: ComponentsDep) -> Iterator[Session]:
    with components.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def client_address(request: Request) -> str:
    """The peer address (behind a proxy: run uvicorn with --proxy-headers / --forwarded-allow-ips)."""
    return request.client.host if request.client else "unknown"


def _plain_key(request: Request) -> str | None:
    scheme, credentials = get_authorization_scheme_param(request.headers.get("authorization"))
    if scheme.lower() == "bearer" and credentials:
        return credentials
    return request.headers.get("x-api-key") or None


def authenticate_request(request: Request, roles: tuple[str, ...] | None = None) -> ApiKey:
    """The request's API key, checked once per request (throttled), and its role when `roles` is given.

    `GuardedRoute` calls this before the body is read, so a key without the role never gets its body
    parsed; the dependencies below reuse the result.
    """
    key: ApiKey | None = getattr(request.state, "api_key", None)
    if key is None:
        plain = _plain_key(request)
        if not plain:
            raise AuthError("missing API key: send `Authorization: Bearer <key>`")
        throttle: Throttle = request.app.state.throttle
        client = client_address(request)
        throttle.check_client(client)
        components: Components = request.app.state.components
        try:
            with components.sessions() as session:
                key = authenticate(session, plain)
                session.expunge(key)
        except AuthError:
            throttle.record_failure(client)
            log.warning("unknown API key", extra={"client": client})
            raise
        throttle.hit_key(key.id)
        request.state.api_key = key
    if roles is not None and key.role not in roles:
        raise Forbidden(f"role {key.role!r} may not do this; needs one of {', '.join(roles)}")
    return key


def get_current_key(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> ApiKey:
    # bearer and header are declared for the OpenAPI security schemes; the key is read from the request
    return authenticate_request(request)


CurrentKey = Annotated[ApiKey, Depends(get_current_key)]


def require_roles(*roles: str) -> Callable[[ApiKey], ApiKey]:
    def check(key: CurrentKey) -> ApiKey:
        if key.role not in roles:
            raise Forbidden(f"role {key.role!r} may not do this; needs one of {', '.join(roles)}")
        return key

    check.roles = roles  # type: ignore[attr-defined]  # read by GuardedRoute to authorise before the body
    return check


ServiceKey = Annotated[ApiKey, Depends(require_roles("service"))]
ReaderKey = Annotated[ApiKey, Depends(require_roles("service", "reviewer", "analyst", "admin"))]
ReviewerKey = Annotated[ApiKey, Depends(require_roles("reviewer", "admin"))]
AnalystKey = Annotated[ApiKey, Depends(require_roles("analyst", "admin"))]
HistoryKey = Annotated[ApiKey, Depends(require_roles("reviewer", "analyst", "admin"))]
AdminKey = Annotated[ApiKey, Depends(require_roles("admin"))]


#: A path id (tickets, keys): plain text, bounded; a UUID in practice.
TicketId = Annotated[PlainText, Path(max_length=64, description="the id the service returned (a UUID)")]


def check_metrics_access(
    request: Request,
    components: ComponentsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> None:
    """/metrics is open unless TRIAGE_METRICS__REQUIRE_KEY: then any valid API key (any role) may scrape
    (throttled like every other key check)."""
    if components.settings.metrics.require_key:
        authenticate_request(request)


MetricsAccess = Annotated[None, Depends(check_metrics_access)]
