"""The first decisions of a batch: written one by one (each its own transaction and commit, as the batch endpoint did)
against one group (`write_first_decisions_or_each`, what it does now). Run by hand (not a test):

    PYTHONPATH=src python benchmarks/batch_write.py [--tickets 100] [--rounds 6]

SQLite in a temporary directory, and PostgreSQL on 127.0.0.1:5432 when it is running (a temporary database, dropped
afterwards). The decisions are real (one pipeline pass over the seed memory); each round writes them for fresh tickets;
the two ways alternate which goes first, and the median of the rounds is printed with the ratio, so a noisy machine
shifts both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TQDM_DISABLE", "1")

from triage.components import build_components  # noqa: E402
from triage.config import Settings  # noqa: E402
from triage.domain.tickets import TicketIn  # noqa: E402
from triage.pipeline.pipeline import TicketFacts  # noqa: E402
from triage.services.cases import FieldMap, import_cases, read_rows  # noqa: E402
from triage.services.tickets import persist_ticket, write_decision, write_first_decisions_or_each  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "seed" / "cases.jsonl"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _ticket(external_id: str, i: int) -> TicketIn:
    return TicketIn.model_validate({"external_id": external_id, "channel": "in_app_report",
                                    "reporter": {"type": "user"}, "subject": "",
                                    "body": f"Spam links under my video number {i}, every day."})


def measure(url: str, data_dir: Path, tickets: int, rounds: int) -> dict[str, float]:
    settings = Settings(environment="test", data_dir=data_dir, database={"url": url},
                        qdrant={"path": data_dir / "qdrant"}, seed={"on_empty": False}, reprocess_on_startup=False)
    comps = build_components(settings)
    try:
        import_cases(list(read_rows(SEED)), fields=FieldMap(), store=comps.store, embedder=comps.embedder,
                     sessions=comps.sessions, source="seed")
        first = [persist_ticket(comps.sessions, client_id="bench", ticket=_ticket(f"warm-{i}", i))
                 for i in range(tickets)]
        decisions = asyncio.run(comps.pipeline.decide_many([TicketFacts.from_ticket(s.ticket) for s in first]))
        times: dict[str, list[float]] = {"one by one": [], "group": []}
        for r in range(rounds):
            for way in (("one by one", "group") if r % 2 == 0 else ("group", "one by one")):
                subs = [persist_ticket(comps.sessions, client_id="bench", ticket=_ticket(f"{way}-{r}-{i}", i))
                        for i in range(tickets)]
                items = [(s.ticket.id, d) for s, d in zip(subs, decisions, strict=True)]
                start = time.perf_counter()
                if way == "group":
                    write_first_decisions_or_each(comps.sessions, items)
                else:
                    for ticket_id, d in items:
                        write_decision(comps.sessions, ticket_id, d, new=True)
                times[way].append(time.perf_counter() - start)
        return {way: statistics.median(v) * 1000 for way, v in times.items()}
    finally:
        comps.close()


def _pg_running() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100, help="decisions per batch (the endpoint takes up to 100)")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {"sqlite": measure(f"sqlite:///{Path(tmp) / 'bench.db'}", Path(tmp), args.tickets, args.rounds)}
    if _pg_running():
        from sqlalchemy import create_engine, text

        name = f"triage_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            with tempfile.TemporaryDirectory() as tmp:
                results["postgres"] = measure(PG_ADMIN.rsplit("/", 1)[0] + "/" + name, Path(tmp), args.tickets,
                                              args.rounds)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    for db, ms in results.items():
        print(f"{db:9s} {args.tickets} first decisions: one by one {ms['one by one']:.0f} ms, one group "
              f"{ms['group']:.0f} ms, ratio {ms['group'] / ms['one by one']:.2f}")


if __name__ == "__main__":
    main()
