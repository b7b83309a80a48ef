"""Fixtures for the hardening tests: the live app with one key per role, on a chosen database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import create_key, settings_for
from tests.review.conftest import ROLES, ReviewEnv
from triage.components import Components


@pytest.fixture
def make_env(
    tmp_path: Path, make_components: Callable[..., Components], live_server: Any
) -> Iterator[Callable[..., ReviewEnv]]:
    """`make_env(db_url=None, **settings)`: a live server with keys for every role (SQLite by default)."""
    envs: list[ReviewEnv] = []

    def make(db_url: str | None = None, **overrides: Any) -> ReviewEnv:
        settings = settings_for(tmp_path, db_url, reprocess_on_startup=False, **overrides)
        comps = make_components(settings)
        keys = {role: create_key(comps, role, name=f"{role}-1") for role in ROLES}
        env = ReviewEnv(comps=comps, server=live_server(settings, comps), keys=keys)
        envs.append(env)
        return env

    yield make
    for env in envs:
        for c in env.clients.values():
            c.close()
