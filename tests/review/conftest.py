"""Fixtures for the reviewer workflow: a live server with one key per role and helpers to drive it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SEED_FILE, LiveServer, create_key, settings_for, ticket
from triage.components import Components

ROLES = ("service", "reviewer", "analyst", "admin")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed_subset(path: Path, per_category: int = 5) -> Path:
    """The first few seed cases of every category: the same labels, a fraction of the embedding time."""
    seen: dict[str, int] = {}
    keep = []
    for line in SEED_FILE.read_text(encoding="utf-8").splitlines():
        category = json.loads(line)["category"]
        if seen.get(category, 0) < per_category:
            seen[category] = seen.get(category, 0) + 1
            keep.append(line)
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return path


@dataclass
class ReviewEnv:
    comps: Components
    server: LiveServer
    keys: dict[str, str]
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, role: str | None) -> httpx.Client:
        name = role or "anonymous"
        if name not in self.clients:
            self.clients[name] = self.server.client(self.keys[role] if role else None)
        return self.clients[name]

    def submit(self, external_id: str, body: str, role: str = "service", **extra: Any) -> dict[str, Any]:
        r = self.client(role).post("/v1/tickets", json=ticket(external_id, body, **extra))
        assert r.status_code == 201, r.text
        return r.json()

    def read(self, ticket_id: str) -> dict[str, Any]:
        r = self.client("reviewer").get(f"/v1/tickets/{ticket_id}")
        assert r.status_code == 200, r.text
        return r.json()

    def web_session(self, key: str) -> tuple[httpx.Client, str]:
        """Sign in through the login form; return a cookie-carrying client and its CSRF token."""
        web = httpx.Client(base_url=self.server.url, timeout=300)
        page = web.get("/review/login")
        token = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        r = web.post("/review/login", data={"api_key": key, "csrf_token": token, "next": ""})
        assert r.status_code == 303, r.text
        landing = web.get(r.headers["location"])
        match = CSRF.search(landing.text)
        assert match, landing.text
        return web, match.group(1)


@pytest.fixture
def review_env(
    db_url: str, tmp_path: Path, make_components: Callable[..., Components], live_server: Any
) -> Iterator[ReviewEnv]:
    settings = settings_for(tmp_path, db_url, reprocess_on_startup=False)
    comps = make_components(settings)
    keys = {role: create_key(comps, role, name=f"{role}-1") for role in ROLES}
    keys["reviewer2"] = create_key(comps, "reviewer", name="reviewer-2")
    keys["service2"] = create_key(comps, "service", name="service-2")
    env = ReviewEnv(comps=comps, server=live_server(settings, comps), keys=keys)
    yield env
    for c in env.clients.values():
        c.close()
