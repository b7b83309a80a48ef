"""Fixtures of the LLM path: the fake OpenAI server and the real app pointed at it over HTTP."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import create_key, settings_for
from tests.llm.fake_openai import FakeOpenAI
from tests.llm.real_server import RealLlmServer
from triage.components import Components
from triage.config import Settings

MODEL = "fake-model"


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


def llm_settings(tmp_path: Path, fake: FakeOpenAI, *, classifier: dict[str, Any] | None = None,
                 **llm: Any) -> Settings:
    """Settings for the real app with the LLM at the fake server; quick retries so failure tests are fast."""
    values: dict[str, Any] = {
        "base_url": fake.url, "model": MODEL, "api_key": "test-key", "timeout_s": 2.0, "deadline_s": 6.0,
        "backoff_initial_s": 0.01, "backoff_max_s": 0.05, "breaker_failures": 50, "breaker_reset_s": 30.0,
        "prices": {MODEL: {"input_per_mtok": 1.0, "output_per_mtok": 2.0}},
    }
    values.update(llm)
    return settings_for(tmp_path, llm=values, classifier={"mode": "llm", **(classifier or {})})


@dataclass
class LlmApp:
    settings: Settings
    comps: Components
    http: httpx.Client
    fake: FakeOpenAI

    def submit(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /v1/tickets; asserts the caller never sees a 5xx and the ticket was decided."""
        response = self.http.post("/v1/tickets", json=body)
        assert response.status_code < 500, response.text
        assert response.status_code in (200, 201), response.text
        data = response.json()
        assert data["decision"] is not None, data
        return data  # type: ignore[no-any-return]

    def decision(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.submit(body)["decision"]  # type: ignore[no-any-return]


@pytest.fixture
def llm_app(tmp_path: Path, fake_llm: FakeOpenAI, seeded_dir: Path,
            make_components: Callable[[Settings], Components], live_server: Any) -> Iterator[Callable[..., LlmApp]]:
    """Start the real app (seeded case memory, LLM at the fake server) under uvicorn; one dir per app."""
    clients: list[httpx.Client] = []

    def start(*, app_options: dict[str, Any] | None = None, **kwargs: Any) -> LlmApp:
        home = tmp_path / f"app{len(clients)}"
        shutil.copytree(seeded_dir, home)
        settings = llm_settings(home, fake_llm, **kwargs)
        comps = make_components(settings)
        assert comps.store.count() > 0
        key = create_key(comps)
        server = live_server(settings, comps, **(app_options or {}))
        http = server.client(key)
        clients.append(http)
        return LlmApp(settings=settings, comps=comps, http=http, fake=fake_llm)

    yield start
    for c in clients:
        c.close()


@pytest.fixture(scope="session")
def real_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealLlmServer]:
    """llama.cpp's OpenAI-compatible server with SmolLM2-135M on a free loopback port, once per session,
    behind a recording proxy (see tests/llm/real_server.py)."""
    server = RealLlmServer(tmp_path_factory.mktemp("llama") / "server.log").start()
    yield server
    server.stop()


def real_llm_settings(tmp_path: Path, server: RealLlmServer, *, classifier: dict[str, Any] | None = None,
                      **llm: Any) -> Settings:
    """The service's defaults for timeout, deadline and retries; short drafts so a test takes seconds."""
    values: dict[str, Any] = {"base_url": server.url, "model": server.model, "draft_max_tokens": 160}
    values.update(llm)
    return settings_for(tmp_path, llm=values, classifier={"mode": "llm", **(classifier or {})})


@pytest.fixture
def real_llm_app(tmp_path: Path, real_llm: RealLlmServer, seeded_dir: Path,
                 make_components: Callable[[Settings], Components],
                 live_server: Any) -> Iterator[Callable[..., tuple[Settings, Components, httpx.Client]]]:
    """The real app (seeded memory) under uvicorn, its LLM the real server through the recording proxy."""
    clients: list[httpx.Client] = []

    def start(**kwargs: Any) -> tuple[Settings, Components, httpx.Client]:
        home = tmp_path / f"app{len(clients)}"
        shutil.copytree(seeded_dir, home)
        settings = real_llm_settings(home, real_llm, **kwargs)
        comps = make_components(settings)
        key = create_key(comps)
        http = live_server(settings, comps).client(key)
        clients.append(http)
        return settings, comps, http

    assert real_llm.proxy is not None
    real_llm.proxy.wait_idle()  # an earlier test's abandoned call must not eat this test's deadline
    real_llm.proxy.clear()
    yield start
    for c in clients:
        c.close()
