"""Database errors that are not the request's fault: retried where that is safe, a 503 where it is not.

Two kinds, told apart by the driver's SQLSTATE (PostgreSQL) or message (SQLite):

- *transient*: the database chose this transaction as the victim of a deadlock or a serialization conflict,
  or SQLite's lock stayed busy past its timeout. Running the same short transaction again is the documented
  remedy (PostgreSQL manual, "Serialization Failure Handling"), so the service's write units are wrapped in
  `retry_transient` (tenacity: a few attempts, jittered back-off);
- *unavailable*: the database cannot be reached or refused the connection (down, restarting, out of
  connections, the pool exhausted). Nothing in the process can fix that; the API answers 503 with
  Retry-After (`api/problems.py`), and since a ticket is committed before anything else and every write is
  idempotent under (client, external_id), the client's retry loses and duplicates nothing.

Only the error's kind is ever logged or shown: SQLAlchemy's message carries the statement's parameters,
which hold ticket text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import exc as sa_exc
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_random_exponential

__all__ = ["ATTEMPTS", "describe", "is_transient", "is_unavailable", "retry_transient"]

log = logging.getLogger(__name__)

#: attempts of one write unit before the error reaches the caller (then: a 503, and the client retries)
ATTEMPTS = 4
#: SQLSTATEs after which the same transaction may simply run again: serialization_failure, deadlock_detected,
#: lock_not_available (a lock_timeout expired)
RETRY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})
#: SQLSTATE classes of a server that cannot serve now: 08 connection exception, 53 insufficient resources (too many
#: connections, disk full), 57 operator intervention (shutting down, starting up)
_UNAVAILABLE_CLASSES = frozenset({"08", "53", "57"})
#: SQLite's "cannot serve" messages besides the busy ones
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk I/O error", "database or disk is full")
#: SQLite's "try again" messages (its busy handler already waited `busy_timeout` for the lock)
_SQLITE_BUSY = ("database is locked", "database table is locked", "database schema has changed")

P = ParamSpec("P")
R = TypeVar("R")


def _sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return str(state) if state else None


def is_transient(error: BaseException) -> bool:
    """A deadlock, serialization or lock-timeout victim: the same transaction may run again at once."""
    if not isinstance(error, sa_exc.DBAPIError) or error.connection_invalidated:
        return False
    if _sqlstate(error) in RETRY_SQLSTATES:
        return True
    orig = getattr(error, "orig", None)
    return type(orig).__module__ == "sqlite3" and str(orig).startswith(_SQLITE_BUSY)


def is_unavailable(error: BaseException) -> bool:
    """The database could not serve the request for reasons outside it: unreachable, refusing, shutting down, out
    of connections or resources, its pool exhausted, or still transient after every retry. A bug (a missing table,
    bad SQL, a constraint nobody handles) is not: that stays a 500 with its traceback logged."""
    if isinstance(error, sa_exc.TimeoutError):  # the connection pool stayed exhausted
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated or is_transient(error) or isinstance(error, sa_exc.InterfaceError):
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    state = _sqlstate(error)
    if state is not None:  # connection exception, insufficient resources, operator intervention (shutdown...)
        return state[:2] in _UNAVAILABLE_CLASSES
    orig = getattr(error, "orig", None)
    if type(orig).__module__ == "sqlite3":
        return str(orig).startswith(_SQLITE_UNAVAILABLE)
    return True  # a server driver's error with no SQLSTATE: the connection itself failed (refused, reset)


def describe(error: BaseException) -> str:
    """The error's kind, safe to log and to show: the driver's class and SQLSTATE, never its message."""
    orig = getattr(error, "orig", None) or error
    state = _sqlstate(error)
    return f"{type(orig).__name__}" + (f" (SQLSTATE {state})" if state else "")


def _log_retry(state: Any) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    log.warning("database transaction retried", extra={
        "attempt": state.attempt_number, "error": describe(error) if error else "?",
        "unit": getattr(state.fn, "__qualname__", "?")})


def retry_transient(fn: Callable[P, R]) -> Callable[P, R]:
    """Run a short write unit again when the database made it a deadlock or serialization victim.

    Only for units that open, commit and close their own session and are safe to repeat (each attempt starts
    from what is committed). tenacity rather than a hand-written loop: it is already the LLM client's retry."""
    wrapped: Callable[P, R] = retry(
        retry=retry_if_exception(is_transient), stop=stop_after_attempt(ATTEMPTS),
        wait=wait_random_exponential(multiplier=0.02, max=0.5), before_sleep=_log_retry, reraise=True,
    )(fn)
    return wrapped
