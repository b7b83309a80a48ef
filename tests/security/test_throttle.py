"""The throttle's storage: in-process by default, Redis when configured (a real redis-server here)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from triage.api.throttle import Throttle
from triage.config import ThrottleSettings
from triage.errors import StoreUnavailable, TooManyRequests


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_processes_sharing_redis_share_the_counters(redis_url: str) -> None:
    settings = ThrottleSettings(storage_url=redis_url, auth_failures="3/minute", per_key="2/minute")
    one, two = Throttle(settings), Throttle(settings)  # two workers
    for throttle in (one, two, one):
        throttle.check_client("10.0.0.9")
        throttle.record_failure("10.0.0.9")
    with pytest.raises(TooManyRequests) as refused:
        two.check_client("10.0.0.9")
    assert 1 <= refused.value.retry_after <= 60
    two.check_client("10.0.0.10")  # another address is not affected
    one.hit_key("k1")
    two.hit_key("k1")
    with pytest.raises(TooManyRequests):
        one.hit_key("k1")


def test_in_process_counters_are_per_process() -> None:
    settings = ThrottleSettings(auth_failures="1/minute")
    one, two = Throttle(settings), Throttle(settings)
    one.record_failure("a")
    with pytest.raises(TooManyRequests):
        one.check_client("a")
    two.check_client("a")


def test_an_unreachable_storage_refuses_instead_of_letting_traffic_through() -> None:
    throttle = Throttle(ThrottleSettings(storage_url=f"redis://127.0.0.1:{_free_port()}/0"))
    with pytest.raises(StoreUnavailable):
        throttle.check_client("a")
    with pytest.raises(StoreUnavailable):
        throttle.hit_key("k")


def test_bad_limit_strings_are_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="throttle.per_key"):
        ThrottleSettings(per_key="lots")
