"""The micro-batcher: concurrent submissions share one call, units are never split, failures stay local."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from triage.pipeline.microbatch import MicroBatcher


class Recorder:
    """A batch function that takes a while (like an embedding pass) and records what it was given."""

    def __init__(self, seconds: float = 0.05, fail_on: str | None = None) -> None:
        self.calls: list[list[str]] = []
        self.threads: set[str] = set()
        self.seconds = seconds
        self.fail_on = fail_on

    def __call__(self, items: list[str]) -> list[str]:
        self.calls.append(list(items))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.seconds)
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"cannot process {self.fail_on}")
        return [item.upper() for item in items]


async def test_concurrent_callers_share_calls_and_get_their_own_results() -> None:
    fn = Recorder()
    batcher = MicroBatcher(fn, max_items=32)
    results = await asyncio.gather(*(batcher.submit([f"t{i}"]) for i in range(12)))
    assert results == [[f"T{i}"] for i in range(12)]
    # all twelve arrived before the loop ran the batcher: one call
    assert [len(c) for c in fn.calls] == [12]
    later = [asyncio.ensure_future(batcher.submit(["solo"]))]
    await asyncio.sleep(0.01)  # `solo` is running; the next five arrive meanwhile and share the next call
    later += [asyncio.ensure_future(batcher.submit([f"u{i}"])) for i in range(5)]
    assert await asyncio.gather(*later) == [["SOLO"], *[[f"U{i}"] for i in range(5)]]
    assert [len(c) for c in fn.calls] == [12, 1, 5]
    assert threading.current_thread().name not in fn.threads  # the work ran off the event loop


async def test_a_window_gathers_callers_before_the_first_call() -> None:
    fn = Recorder(seconds=0.0)
    batcher = MicroBatcher(fn, max_items=32, window_s=0.05)

    async def late(i: int) -> list[str]:
        await asyncio.sleep(0.005 * i)
        return await batcher.submit([f"t{i}"])

    results = await asyncio.gather(*(late(i) for i in range(5)))
    assert results == [[f"T{i}"] for i in range(5)]
    assert [len(c) for c in fn.calls] == [5]


async def test_groups_are_bounded_and_units_are_never_split() -> None:
    fn = Recorder()
    batcher = MicroBatcher(fn, max_items=5)
    first = asyncio.ensure_future(batcher.submit(["a"]))
    await asyncio.sleep(0.01)  # `a` is running; the rest queue behind it
    units = [["b1", "b2", "b3"], ["c1", "c2", "c3"], ["d1"], ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]]
    rest = await asyncio.gather(*(batcher.submit(u) for u in units))
    assert await first == ["A"]
    assert rest == [[x.upper() for x in u] for u in units]
    assert fn.calls == [["a"], ["b1", "b2", "b3"], ["c1", "c2", "c3", "d1"], units[3]]
    assert max(len(c) for c in fn.calls[:-1]) <= 5


async def test_a_failing_group_is_retried_caller_by_caller() -> None:
    fn = Recorder(fail_on="bad")
    batcher = MicroBatcher(fn, max_items=32)
    first = asyncio.ensure_future(batcher.submit(["x"]))
    await asyncio.sleep(0.01)
    outcomes = await asyncio.gather(batcher.submit(["good1"]), batcher.submit(["bad"]), batcher.submit(["good2"]),
                                    return_exceptions=True)
    assert await first == ["X"]
    assert outcomes[0] == ["GOOD1"] and outcomes[2] == ["GOOD2"]
    assert isinstance(outcomes[1], ValueError) and "bad" in str(outcomes[1])
    assert fn.calls == [["x"], ["good1", "bad", "good2"], ["good1"], ["bad"], ["good2"]]


async def test_a_cancelled_caller_is_dropped_and_the_others_are_served() -> None:
    fn = Recorder()
    batcher = MicroBatcher(fn, max_items=32)
    first = asyncio.ensure_future(batcher.submit(["a"]))
    await asyncio.sleep(0.01)
    gone = asyncio.ensure_future(batcher.submit(["gone"]))
    kept = asyncio.ensure_future(batcher.submit(["kept"]))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == ["KEPT"]
    assert await first == ["A"]
    assert ["gone"] not in fn.calls and all("gone" not in c for c in fn.calls)


def test_it_works_across_event_loops() -> None:
    fn = Recorder(seconds=0.0)
    batcher = MicroBatcher(fn, max_items=8)
    for i in range(3):  # the CLI calls asyncio.run once per chunk
        assert asyncio.run(batcher.submit([f"r{i}"])) == [f"R{i}"]
    assert fn.calls == [["r0"], ["r1"], ["r2"]]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_items"):
        MicroBatcher(Recorder(), max_items=0)
    with pytest.raises(ValueError, match="window_s"):
        MicroBatcher(Recorder(), window_s=-1)
