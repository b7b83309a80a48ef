"""What a configuration can run as: one process, or several sharing the same database and case store.

`triage serve --workers N` starts N uvicorn processes, each with its own pipeline. That is only correct
when every piece of state they share lives in a server that several processes may open at once:

* the case store: the embedded engines keep their files under a lock that one process holds (edge's WAL,
  qdrant-client local mode's portalocker), so a second worker could not even open it; a Qdrant server or
  cluster (`TRIAGE_QDRANT__URL`) serves any number of clients;
* the database: SQLite serialises writers on one file and its WAL is meant for one host's processes at
  low write rates; idempotency and "one first decision per ticket" rest on unique constraints that
  PostgreSQL enforces across connections without "database is locked" retries.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url

from triage.config import Settings

__all__ = ["multi_process_problems"]


def multi_process_problems(settings: Settings, workers: int) -> list[str]:
    """Why `workers` processes cannot share this configuration; empty when they can (or workers == 1)."""
    if workers <= 1:
        return []
    problems: list[str] = []
    if not settings.qdrant.url:
        problems.append(
            f"the case store is embedded (TRIAGE_QDRANT__ENGINE={settings.qdrant.engine}, files under "
            f"{settings.qdrant.path}) and only one process can open it; set TRIAGE_QDRANT__URL to a Qdrant "
            "server or cluster")
    backend = make_url(settings.database.url).get_backend_name()
    if backend != "postgresql":
        problems.append(
            f"the database is {backend} ({settings.database.url.split('://', 1)[0]}); several processes need "
            "PostgreSQL: set TRIAGE_DATABASE__URL=postgresql+psycopg://user@host:5432/db")
    return problems
