"""Invariant 1: an acknowledged ticket is durable; an unfinished decision is completed by reprocess or start-up."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import create_key, import_seed, settings_for, ticket
from triage.components import Components
from triage.db.models import AuditEvent, CaseRow, DecisionRow, Ticket
from triage.domain.tickets import TicketIn
from triage.pipeline.pipeline import TicketFacts
from triage.services.tickets import persist_ticket, reprocess_pending, write_decision


def reprocess(comps: Components, **options: object) -> int:
    done = reprocess_pending(sessions=comps.sessions, pipeline=comps.pipeline, **options)  # type: ignore[arg-type]
    return asyncio.run(done)


@pytest.mark.slow
def test_restart_on_the_same_data_directory_finds_every_ticket_and_case(
    tmp_path: Path, make_components, live_server
) -> None:
    settings = settings_for(tmp_path)
    comps = make_components(settings)
    n_cases = import_seed(comps)
    key = create_key(comps)
    srv = live_server(settings, comps)
    ids = []
    with srv.client(key) as http:
        for i in range(3):
            r = http.post("/v1/tickets", json=ticket(f"r-{i}", f"spam bot number {i} floods my comments with links"))
            ids.append((r.json()["ticket_id"], r.json()["decision"]["id"]))
    srv.__exit__()
    comps.close()

    comps2 = make_components(settings)  # same database file and Qdrant path
    assert comps2.store.count() == n_cases
    with comps2.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CaseRow)) == n_cases
    srv2 = live_server(settings, comps2)
    with srv2.client(key) as http:  # the key survived too
        for tid, did in ids:
            got = http.get(f"/v1/tickets/{tid}")
            assert got.status_code == 200 and got.json()["decision"]["id"] == did


def test_a_ticket_persisted_before_a_crash_is_decided_at_start_up(
    db_url: str, tmp_path: Path, make_components, live_server
) -> None:
    settings = settings_for(tmp_path, db_url)
    comps = make_components(settings)
    import_seed(comps)
    key = create_key(comps)
    # the process "crashed" after committing the ticket and before the decision
    sub = persist_ticket(comps.sessions, client_id="crashed-client", ticket=TicketIn.model_validate(
        ticket("crash-1", "Someone posted my home address and phone number in a video")))
    assert sub.created and sub.decision is None
    with comps.sessions() as s:
        assert s.get(Ticket, sub.ticket.id).status == "received"

    srv = live_server(settings, comps)  # start-up reprocessing is on by default
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with comps.sessions() as s:
            if s.get(Ticket, sub.ticket.id).status == "decided":
                break
        time.sleep(0.2)
    with comps.sessions() as s:
        t = s.get(Ticket, sub.ticket.id)
        assert t.status == "decided"
        decision = s.scalar(select(DecisionRow).where(DecisionRow.ticket_id == t.id))
        assert decision is not None and decision.risk in ("high", "critical")
    with srv.client(key) as http:
        assert http.get("/readyz").status_code == 200


def test_reprocess_completes_pending_tickets_and_never_duplicates(tmp_path: Path, make_components) -> None:
    settings = settings_for(tmp_path, reprocess_on_startup=False)
    comps = make_components(settings)
    import_seed(comps)
    subs = [persist_ticket(comps.sessions, client_id="c", ticket=TicketIn.model_validate(
        ticket(f"p-{i}", f"my account was hacked and the email was changed ({i})"))) for i in range(4)]
    assert reprocess(comps) == 4
    assert reprocess(comps) == 0  # nothing pending any more
    # asking again for the same tickets keeps their first decision (seq 1) ...
    reprocess(comps, ticket_ids=[s.ticket.id for s in subs])
    with comps.sessions() as s:
        assert s.scalar(select(func.count()).select_from(DecisionRow)) == 4
    # ... unless a new decision version is asked for explicitly
    reprocess(comps, ticket_ids=[subs[0].ticket.id], redecide=True)
    with comps.sessions() as s:
        seqs = s.scalars(select(DecisionRow.seq).where(DecisionRow.ticket_id == subs[0].ticket.id)).all()
        assert sorted(seqs) == [1, 2]


def test_a_new_tickets_first_decision_is_written_without_reads_and_yields_to_a_concurrent_one(
    db_url: str, tmp_path: Path, make_components
) -> None:
    """`write_decision(new=True)` (the ticket was created by this request) writes seq 1, the ticket's status, language
    and version and the audit event in one transaction without reading them back; when a concurrent retry already
    wrote seq 1, that decision stands and no second one is made."""
    comps = make_components(settings_for(tmp_path, db_url, reprocess_on_startup=False))
    import_seed(comps)
    subs = [persist_ticket(comps.sessions, client_id="c", ticket=TicketIn.model_validate(
        ticket(f"new-{i}", f"Someone posted my home address and phone number in a video ({i})"))) for i in range(2)]
    facts = [TicketFacts.from_ticket(s.ticket) for s in subs]
    first, second = asyncio.run(comps.pipeline.decide_many(facts))

    row = write_decision(comps.sessions, subs[0].ticket.id, first, new=True)
    with comps.sessions() as s:
        t = s.get(Ticket, subs[0].ticket.id)
        assert (t.status, t.language, t.language_detected, t.version) == ("decided", first.language,
                                                                         first.language_detected, 2)
        stored = s.scalars(select(DecisionRow).where(DecisionRow.ticket_id == t.id)).all()
        assert [(d.id, d.seq, d.risk) for d in stored] == [(row.id, 1, first.risk)]
        events = s.scalars(select(AuditEvent).where(AuditEvent.ticket_id == t.id, AuditEvent.action == "decided")).all()
        assert [e.data["decision_id"] for e in events] == [row.id]

    # a concurrent retry of the second ticket wrote its first decision in the meantime
    theirs = write_decision(comps.sessions, subs[1].ticket.id, second)
    ours = write_decision(comps.sessions, subs[1].ticket.id, second, new=True)
    assert ours.id == theirs.id
    with comps.sessions() as s:
        assert s.scalars(select(DecisionRow.seq).where(DecisionRow.ticket_id == subs[1].ticket.id)).all() == [1]
        assert s.get(Ticket, subs[1].ticket.id).version == 2


def test_a_new_tickets_first_decision_and_a_concurrent_retrys_never_deadlock(
    db_url: str, tmp_path: Path, make_components
) -> None:
    """The fast first write (`new=True`) and a retry's ORM write of the same ticket, started together many times:
    each pair ends with one decision and neither raises. The two take their locks in one order (the ticket's row,
    then seq 1's unique entry); in the other order PostgreSQL detected a deadlock and the request failed (a 500
    in CI, `test_concurrent_retries_make_one_ticket_and_one_decision[postgres]`)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    comps = make_components(settings_for(tmp_path, db_url, reprocess_on_startup=False))
    import_seed(comps)
    subs = [persist_ticket(comps.sessions, client_id="c", ticket=TicketIn.model_validate(
        ticket(f"race-{i}", f"Someone posted my home address in a video ({i})"))) for i in range(25)]
    [decision] = asyncio.run(comps.pipeline.decide_many([TicketFacts.from_ticket(subs[0].ticket)]))
    with ThreadPoolExecutor(max_workers=2) as pool:
        for sub in subs:
            start = threading.Barrier(2)

            def write(new: bool, ticket_id: str = sub.ticket.id, barrier: threading.Barrier = start) -> str:
                barrier.wait()
                return write_decision(comps.sessions, ticket_id, decision, new=new).id

            ids = list(pool.map(write, [True, False]))
            assert ids[0] == ids[1], sub.ticket.external_id
    with comps.sessions() as s:
        counts = s.execute(select(DecisionRow.ticket_id, func.count()).group_by(DecisionRow.ticket_id)).all()
        assert sorted(n for _, n in counts) == [1] * len(subs)


def test_concurrent_new_tickets_first_decisions_are_written_in_one_transaction_and_a_conflict_falls_back(
    db_url: str, tmp_path: Path, make_components
) -> None:
    """`DecisionWriter` (the API's, issue 11): first decisions submitted together are written as one group with one
    commit, each exactly as `write_decision(new=True)` writes it alone. When one ticket of a group already has its
    first decision (a concurrent retry wrote it), the group writes nothing and each ticket is written on its own:
    that ticket keeps the decision it has, the others get theirs, and no ticket has two."""
    from sqlalchemy import event

    comps = make_components(settings_for(tmp_path, db_url, reprocess_on_startup=False))
    import_seed(comps)
    writer = comps.decision_writer
    assert writer is not None  # built with micro-batching, the default
    subs = [persist_ticket(comps.sessions, client_id="c", ticket=TicketIn.model_validate(
        ticket(f"group-{i}", f"Someone posted my home address and phone number in a video ({i})"))) for i in range(8)]
    decisions = asyncio.run(comps.pipeline.decide_many([TicketFacts.from_ticket(s.ticket) for s in subs]))
    commits: list[int] = []
    event.listen(comps.engine, "commit", lambda conn: commits.append(1))

    async def write_all(indices: list[int]) -> list[DecisionRow]:
        groups = await asyncio.gather(*(writer.write_many([(subs[i].ticket.id, decisions[i])]) for i in indices))
        return [row for [row] in groups]

    rows = asyncio.run(write_all([0, 1, 2, 3]))
    assert writer.group_sizes[-1] == 4
    assert len(commits) == 1
    with comps.sessions() as s:
        for i, row in zip([0, 1, 2, 3], rows, strict=True):
            t = s.get(Ticket, subs[i].ticket.id)
            assert (t.status, t.language, t.version) == ("decided", decisions[i].language, 2)
            stored = s.scalars(select(DecisionRow).where(DecisionRow.ticket_id == t.id)).all()
            assert [(d.id, d.seq, d.risk, d.category) for d in stored] == [
                (row.id, 1, decisions[i].risk, decisions[i].category)]
            events = s.scalars(select(AuditEvent.data).where(AuditEvent.ticket_id == t.id,
                                                             AuditEvent.action == "decided")).all()
            assert [e["decision_id"] for e in events] == [row.id]

    # a concurrent retry of ticket 5 wrote its first decision before the group
    theirs = write_decision(comps.sessions, subs[5].ticket.id, decisions[5])
    rows = asyncio.run(write_all([4, 5, 6, 7]))
    assert rows[1].id == theirs.id
    with comps.sessions() as s:
        counts = dict(s.execute(select(DecisionRow.ticket_id, func.count()).group_by(DecisionRow.ticket_id)).all())
        assert [counts[sub.ticket.id] for sub in subs] == [1] * 8
        assert [s.get(Ticket, sub.ticket.id).status for sub in subs] == ["decided"] * 8


@pytest.mark.parametrize("through_writer", [False, True], ids=["direct", "decision_writer"])
def test_a_batch_writes_the_first_decisions_of_its_new_tickets_in_one_commit(
    db_url: str, tmp_path: Path, make_components, through_writer: bool
) -> None:
    """`POST /v1/tickets:batch` (`submit_tickets`): each ticket is persisted on its own, but the first decisions of
    the tickets it created are one group, one commit (a batch of 100 wrote 100 before). A retry in the batch keeps the
    decision it has; no ticket gets two."""
    from sqlalchemy import event

    from triage.services.tickets import submit_tickets

    comps = make_components(settings_for(tmp_path, db_url, reprocess_on_startup=False))
    import_seed(comps)
    writer = comps.decision_writer if through_writer else None
    tickets = [TicketIn.model_validate(ticket(f"batch-{i}", f"Someone keeps reposting my videos as their own ({i})"))
               for i in range(6)]

    async def submit(batch: list[TicketIn]) -> list:
        return await submit_tickets(sessions=comps.sessions, pipeline=comps.pipeline, max_chars=20_000,
                                    client_id="c", tickets=batch, writer=writer)

    [earlier] = asyncio.run(submit(tickets[:1]))
    commits: list[int] = []
    event.listen(comps.engine, "commit", lambda conn: commits.append(1))
    subs = asyncio.run(submit(tickets))
    assert len(commits) == 5 + 1  # five new tickets persisted one by one, then their five decisions together
    assert subs[0].ticket.id == earlier.ticket.id and subs[0].decision.id == earlier.decision.id
    with comps.sessions() as s:
        for sub in subs:
            stored = s.scalars(select(DecisionRow).where(DecisionRow.ticket_id == sub.ticket.id)).all()
            assert [(d.id, d.seq) for d in stored] == [(sub.decision.id, 1)]
            assert s.get(Ticket, sub.ticket.id).status == "decided"
            events = s.scalars(select(AuditEvent.data).where(AuditEvent.ticket_id == sub.ticket.id,
                                                             AuditEvent.action == "decided")).all()
            assert [e["decision_id"] for e in events] == [sub.decision.id]
