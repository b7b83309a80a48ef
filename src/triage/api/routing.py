"""`GuardedRoute`: every `/v1` route authenticates and authorises before it reads the body, then reads
the body as strict JSON.

FastAPI parses the body before it solves dependencies, so without this a key with the wrong role (or
no key) sending garbage got a parsing error instead of 401/403, and learned how the body is parsed
before proving who it is. Here the route's role requirement (from `require_roles` in its dependencies)
is checked first, the body is then checked by `parse_strict_json` (422 on duplicate keys, NaN, deep
nesting, undecodable bytes), and only then does FastAPI's own handler run.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.params import Form
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from triage.api.body import parse_strict_json
from triage.api.deps import authenticate_request

__all__ = ["GuardedRoute", "required_roles"]


def required_roles(dependant: Dependant) -> tuple[str, ...] | None:
    """The roles a route's `require_roles` dependency asks for, or None for a route without one."""
    for dep in dependant.dependencies:
        roles = getattr(dep.call, "roles", None)
        if roles is not None:
            return tuple(roles)
        found = required_roles(dep)
        if found is not None:
            return found
    return None


class GuardedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        roles = required_roles(self.dependant)
        reads_json = self.body_field is not None and not isinstance(self.body_field.field_info, Form)

        async def guarded(request: Request) -> Response:
            if roles is not None:
                await run_in_threadpool(authenticate_request, request, roles)
            if reads_json:
                raw = await request.body()
                if raw:
                    parse_strict_json(raw)
            return await handler(request)

        return guarded
