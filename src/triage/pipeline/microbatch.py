"""Cross-request micro-batching: concurrent requests share one embedding pass.

Each `POST /v1/tickets` decides one ticket. Alone, each would run the CPU-bound half of the pipeline
(`Pipeline.prepare`: redaction, embedding, retrieval, local classifier) for a batch of one, and the
embedder's lock would make sixteen concurrent requests sixteen forward passes of one text. A transformer
encodes 16 texts in one pass far faster than in 16, so a `MicroBatcher` collects what concurrent
callers submit and hands it to one call in a worker thread:

* a caller's items are never split (a `POST /v1/tickets:batch` stays one unit) and the group is closed
  at `max_items` (a unit larger than that goes alone);
* when nothing is running, the first caller waits `window_s` for company (0 = leave at once); callers
  that arrive while a group runs form the next group, so under load batches grow by themselves and an
  idle service adds no delay beyond the window;
* one group runs at a time: the model already uses every core for one pass;
* a group that raises is retried unit by unit, so one caller's bad input fails only that caller.

It works on whichever event loop calls it (the CLI runs several `asyncio.run` in a row): its state is
bound to the running loop and rebuilt when the loop changes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

__all__ = ["MicroBatcher"]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class _Unit(Generic[T, R]):
    items: list[T]
    future: asyncio.Future[list[R]]


@dataclass
class _LoopState(Generic[T, R]):
    loop: asyncio.AbstractEventLoop
    pending: list[_Unit[T, R]] = field(default_factory=list)
    runner: asyncio.Task[None] | None = None


class MicroBatcher(Generic[T, R]):
    """Run `fn(items) -> results` (one result per item, in order) on groups of concurrent submissions."""

    def __init__(self, fn: Callable[[list[T]], list[R]], *, max_items: int = 32, window_s: float = 0.0) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        if window_s < 0:
            raise ValueError("window_s must not be negative")
        self._fn = fn
        self.max_items = max_items
        self.window_s = window_s
        self._state: _LoopState[T, R] | None = None
        #: sizes (in items) of the groups run so far, most recent last; bounded (for tests and metrics)
        self.group_sizes: list[int] = []

    async def submit(self, items: list[T]) -> list[R]:
        if not items:
            return []
        loop = asyncio.get_running_loop()
        state = self._state
        if state is None or state.loop is not loop:
            state = self._state = _LoopState(loop=loop)
        unit: _Unit[T, R] = _Unit(items=list(items), future=loop.create_future())
        state.pending.append(unit)
        if state.runner is None or state.runner.done():
            state.runner = loop.create_task(self._drain(state), name="micro-batcher")
        return await unit.future

    def _take_group(self, state: _LoopState[T, R]) -> list[_Unit[T, R]]:
        group: list[_Unit[T, R]] = []
        size = 0
        while state.pending:
            unit = state.pending[0]
            if unit.future.done():  # its caller went away (cancelled)
                state.pending.pop(0)
                continue
            if group and size + len(unit.items) > self.max_items:
                break
            group.append(state.pending.pop(0))
            size += len(unit.items)
        return group

    def _pending_items(self, state: _LoopState[T, R]) -> int:
        return sum(len(u.items) for u in state.pending if not u.future.done())

    async def _drain(self, state: _LoopState[T, R]) -> None:
        while state.pending:
            if self.window_s > 0 and self._pending_items(state) < self.max_items:
                await asyncio.sleep(self.window_s)
            group = self._take_group(state)
            if not group:
                continue
            self.group_sizes = [*self.group_sizes[-999:], sum(len(u.items) for u in group)]
            await self._run(group)

    async def _run(self, group: list[_Unit[T, R]]) -> None:
        flat = [item for unit in group for item in unit.items]
        try:
            results = await asyncio.to_thread(self._fn, flat)
            if len(results) != len(flat):
                raise RuntimeError(f"the batch function returned {len(results)} results for {len(flat)} items")
        except Exception as exc:
            if len(group) == 1:
                if not group[0].future.done():
                    group[0].future.set_exception(exc)
                return
            log.warning("a micro-batch failed; retrying its %d callers one by one", len(group))
            for unit in group:
                await self._run([unit])
            return
        start = 0
        for unit in group:
            part = results[start:start + len(unit.items)]
            start += len(unit.items)
            if not unit.future.done():
                unit.future.set_result(part)
