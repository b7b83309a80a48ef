"""A database that cannot serve is a 503 the client may retry, never a 500, and loses nothing; a deadlock or
serialization victim runs again on its own (`triage.db.transient`). Real PostgreSQL and SQLite throughout."""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.conftest import PG_ADMIN_URL, create_key, import_seed, settings_for, ticket
from triage.db.models import Ticket
from triage.db.transient import ATTEMPTS, is_transient, is_unavailable, retry_transient


def _set_connections(db_name: str, allowed: bool) -> None:
    """Let the database take connections again, or refuse every new one and end the open ones: from the
    service's side that is a database that went down."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{db_name}" ALLOW_CONNECTIONS {"true" if allowed else "false"}'))
        if not allowed:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :d"),
                         {"d": db_name})
    admin.dispose()


@pytest.mark.postgres
def test_a_database_that_refuses_connections_is_a_503_and_the_retry_completes_the_ticket(
    pg_url: str, tmp_path: Path, make_components, live_server
) -> None:
    settings = settings_for(tmp_path, pg_url)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    db_name = pg_url.rsplit("/", 1)[1]
    body = "my neighbour Jane Roe posted my home address under a video and says people should visit me"
    with srv.client(key) as http:
        assert http.post("/v1/tickets", json=ticket("warm-up", "spam links in every comment")).status_code == 201

        _set_connections(db_name, allowed=False)
        try:
            down = http.post("/v1/tickets", json=ticket("outage-1", body))
        finally:
            _set_connections(db_name, allowed=True)
        assert down.status_code == 503
        assert down.headers["content-type"].startswith("application/problem+json")
        assert down.headers["Retry-After"] == "2"
        problem = down.json()
        assert problem["title"] == "Database unavailable"
        assert "OperationalError" in problem["detail"]
        assert "Jane Roe" not in down.text  # the statement's parameters (ticket text) never leave the service

        again = http.post("/v1/tickets", json=ticket("outage-1", body))
        assert again.status_code == 201  # the refused request stored nothing: this one creates the ticket
        assert again.json()["decision"]["risk"]["level"] in ("high", "critical")
    with comps.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Ticket).where(Ticket.external_id == "outage-1")) == 1
        assert s.scalar(select(Ticket.status).where(Ticket.external_id == "outage-1")) == "decided"


def _scratch(url: str, *statements: str) -> Engine:
    """An engine on the test's database with a scratch table made by `statements`."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return engine


@pytest.mark.postgres
def test_a_deadlock_victim_runs_again_and_both_transactions_commit(pg_url: str) -> None:
    engine = _scratch(pg_url, "CREATE TABLE pair (id int PRIMARY KEY, v int NOT NULL)",
                      "INSERT INTO pair VALUES (1, 0), (2, 0)")
    both_hold_one = threading.Barrier(2, timeout=10)
    attempts: Counter[str] = Counter()
    errors: list[BaseException] = []

    def unit(name: str, first: int, second: int) -> None:
        @retry_transient
        def transaction() -> None:
            attempts[name] += 1
            with engine.begin() as conn:
                conn.execute(text("UPDATE pair SET v = v + 1 WHERE id = :i"), {"i": first})
                if attempts[name] == 1:
                    both_hold_one.wait()  # each holds one row and asks for the other's: PostgreSQL kills one
                conn.execute(text("UPDATE pair SET v = v + 1 WHERE id = :i"), {"i": second})

        try:
            transaction()
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=unit, args=("a", 1, 2)), threading.Thread(target=unit, args=("b", 2, 1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(attempts.values()) == [1, 2]  # exactly one victim, run once more
    with engine.connect() as conn:
        assert conn.execute(text("SELECT v FROM pair ORDER BY id")).scalars().all() == [2, 2]
    engine.dispose()


@pytest.mark.postgres
def test_a_constraint_violation_is_neither_transient_nor_an_outage(pg_url: str) -> None:
    engine = _scratch(pg_url, "CREATE TABLE one (id int PRIMARY KEY)", "INSERT INTO one VALUES (1)")
    with pytest.raises(IntegrityError) as duplicate, engine.begin() as conn:
        conn.execute(text("INSERT INTO one VALUES (1)"))
    assert not is_transient(duplicate.value)
    assert not is_unavailable(duplicate.value)
    engine.dispose()


@contextmanager
def locked_sqlite(path: Path, *, timeout: float) -> Iterator[Engine]:
    """An engine on a SQLite file whose write lock another connection holds (BEGIN EXCLUSIVE) for the block."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (v int)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": timeout})
    try:
        yield engine
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_sqlites_busy_lock_is_transient(tmp_path: Path) -> None:
    with locked_sqlite(tmp_path / "busy.db", timeout=0.05) as engine:
        with pytest.raises(OperationalError) as busy, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert is_transient(busy.value)
        assert is_unavailable(busy.value)  # still busy after every retry: a 503, not a 500


def test_a_missing_table_is_a_bug_not_an_outage(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'bug.db'}")
    with pytest.raises(OperationalError) as bug, engine.begin() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    assert not is_transient(bug.value)
    assert not is_unavailable(bug.value)  # the 500 path, with its traceback logged
    engine.dispose()


def test_a_unit_still_deadlocked_after_every_attempt_reaches_the_caller(tmp_path: Path) -> None:
    calls = 0
    with locked_sqlite(tmp_path / "busy.db", timeout=0.01) as engine:

        @retry_transient
        def write() -> None:
            nonlocal calls
            calls += 1
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO t VALUES (1)"))

        with pytest.raises(OperationalError):
            write()
    assert calls == ATTEMPTS
