"""Typed dependencies (the only place `Depends` appears)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from triage.components import Components
from triage.db.models import ApiKey
from triage.errors import AuthError, Forbidden
from triage.services.keys import authenticate

__all__ = ["ComponentsDep", "CurrentKey", "MetricsAccess", "SessionDep", "require_roles"]

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer trg_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="API key, alternative header")


def get_components(request: Request) -> Components:
    return request.app.state.components  # type: ignore[no-any-return]


ComponentsDep = Annotated[Components, Depends(get_components)]


def get_session(components: ComponentsDep) -> Iterator[Session]:
    with components.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def get_current_key(
    components: ComponentsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> ApiKey:
    plain = bearer.credentials if bearer else header
    if not plain:
        raise AuthError("missing API key: send `Authorization: Bearer <key>`")
    with components.sessions() as session:
        key = authenticate(session, plain)
        session.expunge(key)
        return key


CurrentKey = Annotated[ApiKey, Depends(get_current_key)]


def require_roles(*roles: str) -> Callable[[ApiKey], ApiKey]:
    def check(key: CurrentKey) -> ApiKey:
        if key.role not in roles:
            raise Forbidden(f"role {key.role!r} may not do this; needs one of {', '.join(roles)}")
        return key

    return check


ServiceKey = Annotated[ApiKey, Depends(require_roles("service", "admin"))]
ReaderKey = Annotated[ApiKey, Depends(require_roles("service", "reviewer", "analyst", "admin"))]
ReviewerKey = Annotated[ApiKey, Depends(require_roles("reviewer", "admin"))]
AnalystKey = Annotated[ApiKey, Depends(require_roles("analyst", "admin"))]
HistoryKey = Annotated[ApiKey, Depends(require_roles("reviewer", "analyst", "admin"))]
AdminKey = Annotated[ApiKey, Depends(require_roles("admin"))]


def check_metrics_access(
    components: ComponentsDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header: Annotated[str | None, Depends(_header)],
) -> None:
    """/metrics is open unless TRIAGE_METRICS__REQUIRE_KEY: then any valid API key (any role) may scrape."""
    if components.settings.metrics.require_key:
        get_current_key(components, bearer, header)


MetricsAccess = Annotated[None, Depends(check_metrics_access)]
