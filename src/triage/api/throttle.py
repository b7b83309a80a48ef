"""Throttling: wrong API keys and failed sign-ins per client address, and requests per API key.

Counters live in the `limits` library's storage: in-process by default, or Redis (or any storage URL
`limits` knows) when `TRIAGE_THROTTLE__STORAGE_URL` is set, so several workers or pods share them.
Moving windows: a client cannot double its budget by straddling a window edge. Over a limit the
request gets 429 with `Retry-After`, and a WARNING log line `throttled` (with the limit, the kind and
a client address or key id, never a key) that an operator can alert on. If the storage cannot be
reached the request is refused (503): a throttle that stops counting never lets traffic through
unchecked.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from triage.config import ThrottleSettings
from triage.errors import StoreUnavailable, TooManyRequests

__all__ = ["Throttle"]

log = logging.getLogger(__name__)


class Throttle:
    """The service's limits; one per app (`app.state.throttle`)."""

    def __init__(self, settings: ThrottleSettings) -> None:
        self.enabled = settings.enabled
        self.storage_url = settings.storage_url or "memory://"
        self._limiter = MovingWindowRateLimiter(storage_from_string(self.storage_url))
        self.auth_failures = parse(settings.auth_failures)
        self.per_key = parse(settings.per_key)

    def check_client(self, client: str) -> None:
        """Before an authentication attempt: refuse a client that has failed too often."""
        if self.enabled and not self._call(self._limiter.test, self.auth_failures, "auth-failures", client):
            raise self._refusal(self.auth_failures, "auth-failures", client,
                                "too many failed sign-ins or unknown API keys from this address")

    def record_failure(self, client: str) -> None:
        """After a wrong API key or a failed sign-in."""
        if self.enabled:
            self._call(self._limiter.hit, self.auth_failures, "auth-failures", client)

    def hit_key(self, key_id: str) -> None:
        """Count one request of an authenticated key; refuse it over the per-key limit."""
        if self.enabled and not self._call(self._limiter.hit, self.per_key, "key", key_id):
            raise self._refusal(self.per_key, "key", key_id, "too many requests with this API key")

    def _call(self, method: object, item: RateLimitItem, kind: str, ident: str) -> bool:
        try:
            return bool(method(item, kind, ident))  # type: ignore[operator]
        except Exception as exc:  # storage down: refuse rather than stop counting
            log.error("throttle storage unavailable", extra={"storage": self.storage_url.split("@")[-1],
                                                            "error": type(exc).__name__})
            raise StoreUnavailable("the throttle's counter storage cannot be reached; try again shortly") from exc

    def _refusal(self, item: RateLimitItem, kind: str, ident: str, what: str) -> TooManyRequests:
        try:
            reset = self._limiter.get_window_stats(item, kind, ident).reset_time
            retry_after = max(1, math.ceil(reset - time.time()))
        except Exception:  # the window's reset is a courtesy; the refusal stands without it
            retry_after = item.get_expiry()
        log.warning("throttled", extra={"limit": str(item), "kind": kind, "client": ident,
                                        "retry_after": retry_after})
        return TooManyRequests(f"{what} (limit {item}); retry after {retry_after} s", retry_after=retry_after)
