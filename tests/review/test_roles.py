"""The role matrix: every route of the app, against every role and no key (SQLite and PostgreSQL).

A route missing from MATRIX fails the test: whoever adds an endpoint decides who may call it here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from starlette.routing import Mount

from tests.conftest import create_key, ticket
from tests.review.conftest import ROLES, ReviewEnv
from triage.app import create_app

PUBLIC = "public"  # anyone, no key
SIGN_IN = "sign-in"  # the web sign-in itself
ANY_SESSION = "any-session"  # any signed-in web session (sign out)

API = {
    ("POST", "/v1/tickets"): {"service"},  # admins manage keys and review; they do not submit (issue 10)
    ("POST", "/v1/tickets:batch"): {"service"},
    ("GET", "/v1/tickets/{ticket_id}"): {"service", "reviewer", "analyst", "admin"},
    ("GET", "/v1/review/queue"): {"reviewer", "admin"},
    ("POST", "/v1/tickets/{ticket_id}/claim"): {"reviewer", "admin"},
    ("POST", "/v1/tickets/{ticket_id}/review"): {"reviewer", "admin"},
    ("GET", "/v1/tickets/{ticket_id}/history"): {"reviewer", "analyst", "admin"},
    ("GET", "/v1/stats"): {"analyst", "admin"},
    ("POST", "/v1/keys"): {"admin"},
    ("DELETE", "/v1/keys/{key_id}"): {"admin"},
}
WEB = {  # cookie sessions; service keys cannot sign in at all
    ("GET", "/review/"): {"reviewer", "admin"},
    ("GET", "/review/tickets/{ticket_id}"): {"reviewer", "admin"},
    ("POST", "/review/tickets/{ticket_id}/claim"): {"reviewer", "admin"},
    ("POST", "/review/tickets/{ticket_id}/review"): {"reviewer", "admin"},
    ("GET", "/review/stats"): {"analyst", "admin"},
}
OTHER = {
    ("GET", "/openapi.json"): PUBLIC, ("GET", "/docs"): PUBLIC, ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC, ("GET", "/healthz"): PUBLIC, ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,  # unless TRIAGE_METRICS__REQUIRE_KEY (tests/api/test_metrics.py)
    ("GET", "/review/static/{path}"): PUBLIC, ("GET", "/review/login"): PUBLIC,
    ("POST", "/review/login"): SIGN_IN, ("POST", "/review/logout"): ANY_SESSION,
}
MATRIX: dict[tuple[str, str], Any] = {**API, **WEB, **OTHER}


def app_routes(routes: list[Any]) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):  # FastAPI's included routers
            yield from app_routes(list(route.effective_route_contexts()))
            continue
        if isinstance(route, Mount):  # a mounted app (the static files) answers GET below its path
            yield "GET", f"{route.path}/{{path}}"
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                yield method, route.path


def test_every_route_is_in_the_matrix(review_env: ReviewEnv) -> None:
    routes = set(app_routes(create_app(review_env.comps.settings).routes))
    assert routes - set(MATRIX) == set(), "new routes: add them to MATRIX with the roles that may call them"
    assert set(MATRIX) - routes == set(), "MATRIX names routes the app no longer has"


def _request(env: ReviewEnv, client: httpx.Client, method: str, path: str, n: int, **extra: Any) -> httpx.Response:
    t = env.matrix_ticket  # type: ignore[attr-defined]
    if "{key_id}" in path:
        path = path.replace("{key_id}", env.throwaway_key_id())  # type: ignore[attr-defined]
    url = path.replace("{ticket_id}", t).replace("{path}", "review.css")
    body: dict[str, Any] | None = None
    if path == "/v1/tickets":
        body = ticket(f"matrix-{n}", "matrix ticket")
    elif path == "/v1/tickets:batch":
        body = {"tickets": [ticket(f"matrix-batch-{n}", "matrix ticket")]}
    elif path.endswith("/review") and path.startswith("/v1"):
        body = {"action": "accept", "version": env.read(t)["version"]}
    elif path == "/v1/keys":
        body = {"role": "analyst", "name": f"matrix-{n}"}
    return client.request(method, url, json=body, **extra)


def test_api_role_matrix(review_env: ReviewEnv) -> None:
    env = review_env
    env.matrix_ticket = env.submit("matrix-own", "a ticket for the matrix")["ticket_id"]  # type: ignore[attr-defined]
    env.throwaway_key_id = lambda: _throwaway(env)  # type: ignore[attr-defined]
    n = 0
    failures = []
    for (method, path), allowed in API.items():
        for role in (None, *ROLES):
            n += 1
            r = _request(env, env.client(role), method, path, n)
            if role is None:
                ok = r.status_code == 401
            elif role in allowed:
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == 403
            if not ok:
                failures.append(f"{method} {path} as {role or 'no key'}: {r.status_code} {r.text[:120]}")
    for (method, path), kind in OTHER.items():
        if kind == PUBLIC and not path.startswith("/review"):
            r = _request(env, env.client(None), method, path, 0)
            if r.status_code != 200:
                failures.append(f"{method} {path} (public): {r.status_code}")
    assert not failures, "\n".join(failures)


def _throwaway(env: ReviewEnv) -> str:
    from triage.db.models import ApiKey

    create_key(env.comps, "service", name="throwaway")
    with env.comps.sessions() as s:
        from sqlalchemy import select

        return str(s.scalar(select(ApiKey.id).where(ApiKey.name == "throwaway", ApiKey.revoked_at.is_(None))
                            .order_by(ApiKey.created_at.desc()).limit(1)))


def test_web_role_matrix(review_env: ReviewEnv) -> None:
    env = review_env
    env.matrix_ticket = env.submit("matrix-web", "a ticket for the web matrix")["ticket_id"]  # type: ignore[attr-defined]
    failures = []
    anonymous = httpx.Client(base_url=env.server.url, timeout=300)
    for (method, path) in WEB:
        r = _request(env, anonymous, method, path, 0)
        if not (r.status_code == 303 and r.headers["location"].startswith("/review/login")):
            failures.append(f"{method} {path} without a session: {r.status_code}")
        # an API key header is not a web session
        r = _request(env, env.client("admin"), method, path, 0)
        if r.status_code != 303:
            failures.append(f"{method} {path} with only an API key header: {r.status_code}")
    # service keys cannot sign in
    page = anonymous.get("/review/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    refused = anonymous.post("/review/login", data={"api_key": env.keys["service"], "csrf_token": token})
    assert refused.status_code == 401 and "cannot sign in" in refused.text
    for role in ("reviewer", "analyst", "admin"):
        web, csrf = env.web_session(env.keys[role])
        for (method, path), allowed in WEB.items():
            data = None
            if method == "POST":
                version = env.read(env.matrix_ticket)["version"]  # type: ignore[attr-defined]
                data = {"csrf_token": csrf, "action": "accept", "version": str(version), "final_reply": "ok"}
                # without the CSRF token: refused whatever the role
                r = web.post(path.replace("{ticket_id}", env.matrix_ticket), data={**data, "csrf_token": "x"})  # type: ignore[attr-defined]
                if r.status_code != 403:
                    failures.append(f"{method} {path} as {role} without CSRF: {r.status_code}")
            url = path.replace("{ticket_id}", env.matrix_ticket)  # type: ignore[attr-defined]
            r = web.request(method, url, data=data)
            ok = r.status_code in (200, 303) if role in allowed else r.status_code == 403
            if not ok:
                failures.append(f"{method} {path} as {role}: {r.status_code}")
        out = web.post("/review/logout", data={"csrf_token": csrf})
        assert out.status_code == 303
        web.cookies.clear()
        web.close()
    anonymous.close()
    assert not failures, "\n".join(failures)


def test_a_service_key_cannot_read_another_services_ticket(review_env: ReviewEnv) -> None:
    env = review_env
    mine = env.submit("svc-own", "ticket of service one")["ticket_id"]
    theirs = env.submit("svc-other", "ticket of service two", role="service2")["ticket_id"]
    assert env.client("service").get(f"/v1/tickets/{mine}").status_code == 200
    other = env.client("service").get(f"/v1/tickets/{theirs}")
    assert other.status_code == 404 and "service two" not in other.text
    assert env.client("service2").get(f"/v1/tickets/{mine}").status_code == 404
    # nor its history, the queue or the stats, where other services' tickets would show
    for path in (f"/v1/tickets/{theirs}/history", "/v1/review/queue", "/v1/stats"):
        assert env.client("service").get(path).status_code == 403, path
