"""An in-process cache of fitted models, keyed by a fingerprint of exactly what they were fitted on.

Fitting the local classifier and the critical detector is deterministic (seeded), so two fits on the same
cases, vectors, labels and settings give the same model. Several pipelines over one memory in one process
(the demo, a test session, a host embedding several apps) then fit once. A different memory is a
different key, so the cache can never serve a model fitted on something else. Bounded (LRU).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import numpy as np

__all__ = ["FitCache", "fingerprint"]

T = TypeVar("T")


def fingerprint(*parts: Any) -> str:
    """SHA-256 over strings, numbers, nested sequences and numpy arrays (their bytes and shape)."""
    h = hashlib.sha256()

    def feed(value: Any) -> None:
        if isinstance(value, np.ndarray):
            h.update(str(value.shape).encode())
            h.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, str | bytes):
            h.update(value.encode() if isinstance(value, str) else value)
            h.update(b"\x00")
        elif isinstance(value, dict):
            for k in sorted(value):
                feed(str(k))
                feed(value[k])
        elif isinstance(value, Iterable):
            h.update(b"[")
            for item in value:
                feed(item)
            h.update(b"]")
        else:
            h.update(repr(value).encode())
            h.update(b"\x00")

    for part in parts:
        feed(part)
    return h.hexdigest()


class FitCache:
    """A small thread-safe LRU: `get_or_fit(key, fit)` fits once per key."""

    def __init__(self, size: int = 8) -> None:
        self._size = size
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_fit(self, key: str, fit: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]  # type: ignore[no-any-return]
        value = fit()  # outside the lock: fits are long, and two identical fits only waste time
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
