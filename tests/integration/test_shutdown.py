"""Graceful shutdown against a real `triage serve` (uvicorn) in a subprocess, with a batch in flight.

The LLM is the loopback fake, made slow, so the batch is provably mid-decision when SIGTERM arrives.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import SHARED_CACHE, _free_port, build_components, create_key, settings_for, ticket
from tests.llm.fake_openai import FakeOpenAI, slow

pytestmark = pytest.mark.slow

TRIAGE = Path(sys.executable).parent / "triage"
BODIES = [
    "Someone keeps calling me names under every video I post and tells others to pile on me.",
    "The seller took my money for concert tickets and then blocked me on every platform.",
    "This account posts the same crypto giveaway link under hundreds of videos every hour.",
    "I forgot my password and the reset code never arrives to my phone.",
]


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    yield server
    server.stop()


class Served:
    """`triage serve` in its own process, on its own port, over a copy of the seeded data directory."""

    def __init__(self, home: Path, fake: FakeOpenAI, *, grace_s: int) -> None:
        self.home = home
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = home / f"serve-{self.port}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRIAGE_")}
        env.update({
            "TRIAGE_ENVIRONMENT": "test", "TRIAGE_DATA_DIR": str(home), "TRIAGE_LOG_JSON": "false",
            "TRIAGE_CACHE_DIR": str(SHARED_CACHE),
            "TRIAGE_DATABASE__URL": f"sqlite:///{home / 'triage.db'}", "TRIAGE_QDRANT__PATH": str(home / "qdrant"),
            "TRIAGE_SEED__ON_EMPTY": "false", "TRIAGE_SHUTDOWN__GRACE_S": str(grace_s),
            "TRIAGE_LLM__BASE_URL": fake.url, "TRIAGE_LLM__MODEL": "fake-model", "TRIAGE_LLM__API_KEY": "test-key",
            "TRIAGE_LLM__TIMEOUT_S": "60", "TRIAGE_LLM__DEADLINE_S": "120", "TRIAGE_LLM__MAX_ATTEMPTS": "1",
            "TRIAGE_LLM__DRAFT": "false", "TRIAGE_CLASSIFIER__MODE": "llm", "HF_HUB_OFFLINE": "1",
        })
        self.proc = subprocess.Popen([str(TRIAGE), "serve", "--port", str(self.port)], env=env, cwd=home,
                                     stdout=self.log.open("wb"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"triage serve exited ({self.proc.returncode}):\n{self.output()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.proc.kill()
                raise AssertionError(f"triage serve did not start:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def _post_batch(url: str, key: str, tickets: list[dict[str, Any]], out: dict[str, Any]) -> None:
    try:
        out["response"] = httpx.post(url + "/v1/tickets:batch", json={"tickets": tickets},
                                     headers={"Authorization": f"Bearer {key}"}, timeout=120)
    except httpx.TransportError as exc:
        out["error"] = exc


def _statuses(home: Path) -> dict[str, str]:
    engine = create_engine(f"sqlite:///{home / 'triage.db'}")
    try:
        with engine.connect() as conn:
            return {row[0]: row[1] for row in conn.execute(text("SELECT external_id, status FROM tickets"))}
    finally:
        engine.dispose()


def _prepare(tmp_path: Path, seeded_dir: Path, embedder: Any) -> tuple[Path, str]:
    home = tmp_path / "home"
    shutil.copytree(seeded_dir, home)
    comps = build_components(settings_for(home), embedder=embedder)
    try:
        key = create_key(comps)
    finally:
        comps.close()  # the embedded store is single-process: the server opens it next
    return home, key


def _in_flight(fake: FakeOpenAI, served: Served, out: dict[str, Any], n: int) -> None:
    """Wait until the batch is mid-decision: its LLM calls have reached the (slow) fake."""
    deadline = time.monotonic() + 120
    while len(fake.recorded()) < n:
        assert "error" not in out and "response" not in out, out
        assert served.proc.poll() is None, served.output()
        assert time.monotonic() < deadline, "the batch never reached the LLM"
        time.sleep(0.05)


def test_sigterm_finishes_the_batch_in_flight(tmp_path: Path, seeded_dir: Path, embedder: Any,
                                             fake_llm: FakeOpenAI) -> None:
    home, key = _prepare(tmp_path, seeded_dir, embedder)
    served = Served(home, fake_llm, grace_s=60)
    try:
        fake_llm.always = slow(3.0)
        out: dict[str, Any] = {}
        batch = [ticket(f"s-{i}", body) for i, body in enumerate(BODIES)]
        sender = threading.Thread(target=_post_batch, args=(served.url, key, batch, out))
        sender.start()
        _in_flight(fake_llm, served, out, len(BODIES))
        served.proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        # stop accepting: a new connection is refused while the batch is still being decided
        with pytest.raises(httpx.TransportError):
            httpx.get(served.url + "/healthz", timeout=2)
        assert "response" not in out, "the batch was expected to be still in flight"
        sender.join(60)
        response = out.get("response")
        assert response is not None, out
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        assert [item["status"] for item in results] == [201] * len(BODIES)
        assert all(item["result"]["decision"]["path"] == "llm" for item in results)
        # uvicorn re-raises the SIGTERM once it has shut down gracefully: "terminated by SIGTERM" is the clean exit
        assert served.proc.wait(30) in (0, -signal.SIGTERM)
        assert "triage stopped: drained, LLM client closed" in served.output()
        assert set(_statuses(home).values()) == {"decided"}
    finally:
        served.stop()


def test_past_the_grace_period_tickets_are_left_for_startup(tmp_path: Path, seeded_dir: Path, embedder: Any,
                                                            fake_llm: FakeOpenAI) -> None:
    home, key = _prepare(tmp_path, seeded_dir, embedder)
    served = Served(home, fake_llm, grace_s=1)
    try:
        fake_llm.always = slow(60.0)
        out: dict[str, Any] = {}
        batch = [ticket(f"g-{i}", body) for i, body in enumerate(BODIES[:2])]
        sender = threading.Thread(target=_post_batch, args=(served.url, key, batch, out))
        sender.start()
        _in_flight(fake_llm, served, out, 2)
        t0 = time.monotonic()
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(30)
        assert time.monotonic() - t0 < 15  # bounded: the grace period, not the 60 s LLM call
        sender.join(30)
        # cut off by the grace period before a decision: a 503 the client can retry, not uvicorn's bare 500
        response = out["response"]
        assert (response.status_code, response.headers["retry-after"]) == (503, "5"), response.text
        assert response.json()["title"] == "Shutting down" and "stored" in response.json()["detail"]
        # persisted before any model work, not decided: left for start-up reprocessing
        assert _statuses(home) == {"g-0": "received", "g-1": "received"}
    finally:
        served.stop()
    fake_llm.always = None
    restarted = Served(home, fake_llm, grace_s=5)
    try:
        deadline = time.monotonic() + 120
        while set(_statuses(home).values()) != {"decided"}:
            assert time.monotonic() < deadline, (_statuses(home), restarted.output())
            time.sleep(0.2)
    finally:
        restarted.proc.send_signal(signal.SIGTERM)
        assert restarted.proc.wait(60) in (0, -signal.SIGTERM)
        restarted.stop()
