"""Tickets: persist first, decide, write the decision in its own short transaction.

Invariants kept here:
1. the ticket is committed before any model work; a crash leaves a `received` ticket that
   `reprocess_pending` (CLI `triage reprocess`, and start-up) completes;
2. (client, external_id) is unique, and a ticket's first decision is seq 1 under a unique
   constraint, so concurrent retries can never create a second ticket or a second first decision.
No transaction is held open across embedding, retrieval or an LLM call. Each write unit runs again when the
database makes it a deadlock or serialization victim (`db/transient.py`); a database that cannot be reached
surfaces as a 503 the client retries with the same external_id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from triage.db.models import DecisionRow, Ticket, new_id, utcnow
from triage.db.queries import key_actor, latest_decision, record_event
from triage.db.transient import retry_transient
from triage.domain.tickets import (
    CategoryOut,
    CriticalEvidence,
    DecisionOut,
    Reporter,
    RiskOut,
    SimilarCase,
    TicketIn,
    TicketOut,
    Versions,
)
from triage.errors import Conflict, NotFound, TicketTooLarge
from triage.pipeline.microbatch import MicroBatcher
from triage.pipeline.pipeline import Decision, Pipeline, Reason, TicketFacts

__all__ = [
    "DecisionWriter",
    "Submission",
    "decision_out",
    "get_ticket",
    "reprocess_pending",
    "submit_ticket",
    "submit_tickets",
    "ticket_out",
]

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:pipeline"


@dataclass
class Submission:
    ticket: Ticket
    decision: DecisionRow | None
    created: bool


def content_hash(ticket: TicketIn) -> str:
    """SHA-256 of everything the client sent except external_id (canonical JSON: sorted keys)."""
    content = ticket.model_dump(mode="json", exclude={"external_id"})
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _same_content(t: Ticket, incoming: TicketIn) -> bool:
    if t.content_hash is not None:
        return t.content_hash == content_hash(incoming)
    # rows written before 0004 have no fingerprint: compare what they stored
    return (t.subject, t.body, t.channel, t.reporter_type) == (
        incoming.subject, incoming.body, incoming.channel.value, incoming.reporter.type.value)


def _find(session: Session, client_id: str, external_id: str) -> Ticket | None:
    return session.scalar(select(Ticket).where(Ticket.client_id == client_id, Ticket.external_id == external_id))


#: TicketIn fields stored under another shape (the reporter's two columns, an upper-case region, metadata
#: under `metadata_`); every other field goes to the ticket column of the same name, so a new ticket field is
#: added to TicketIn/TicketOut and to the Ticket model (and its migration), nothing here
_TICKET_IN_SHAPED = frozenset({"reporter", "region", "metadata"})


def _same_named(ticket: TicketIn) -> dict[str, Any]:
    columns = Ticket.__table__.columns.keys()
    values = {name: getattr(ticket, name) for name in TicketIn.model_fields
              if name in columns and name not in _TICKET_IN_SHAPED}
    return {k: (v.value if isinstance(v, Enum) else list(v) if isinstance(v, list | tuple) else v)
            for k, v in values.items()}


@retry_transient
def persist_ticket(sessions: sessionmaker[Session], *, client_id: str, ticket: TicketIn) -> Submission:
    """Commit the ticket (or find the one a previous attempt committed).

    A new ticket is inserted without looking first (most submissions are new): the unique (client, external_id)
    constraint turns a retry's insert into an IntegrityError, and the retry then reads the ticket it repeats."""
    with sessions() as session:
        row = Ticket(
            id=new_id(), client_id=client_id, reporter_type=ticket.reporter.type.value,
            reporter_id=ticket.reporter.id, language_detected=ticket.language is None,
            region=ticket.region.upper() if ticket.region else None, metadata_=dict(ticket.metadata),
            status="received", content_hash=content_hash(ticket), **_same_named(ticket),
        )
        session.add(row)
        record_event(session, ticket_id=row.id, actor=key_actor(client_id), action="received")
        try:
            session.commit()
            return Submission(ticket=row, decision=None, created=True)
        except IntegrityError:  # a retry, or a concurrent retry committed first
            session.rollback()
        existing = _find(session, client_id, ticket.external_id)
        if existing is None:
            raise Conflict(f"ticket {ticket.external_id!r} could not be stored and no earlier submission of it was "
                           "found; retry", field="external_id")
        if not _same_content(existing, ticket):
            raise Conflict(
                f"external_id {ticket.external_id!r} was already used for a different ticket "
                f"({existing.id}); use a new external_id", field="external_id")
        return Submission(ticket=existing, decision=latest_decision(session, existing.id), created=False)


#: Decision fields that are not decision columns: they belong to the ticket (language) or are not stored
_NOT_STORED = frozenset({"language", "language_detected"})


def _stored(value: Any) -> Any:
    """JSON for a decision field: domain objects by their own `as_dict` (Reason, CriticalHit), the rest
    (enums, tuples, nested dicts) by pydantic's encoder."""
    if hasattr(value, "as_dict"):
        return value.as_dict()
    if isinstance(value, list | tuple) and value and all(hasattr(v, "as_dict") for v in value):
        return [v.as_dict() for v in value]
    return to_jsonable_python(value)


def decision_row(d: Decision, *, ticket_id: str, seq: int) -> DecisionRow:
    """The one place a decision becomes a row. Every field of `Decision` with a column of that name goes to
    the column (the ones queues and stats filter on); every other field goes to the `detail` document, so a
    new decision field needs no migration and no copy here: add it to `Decision` and to `DecisionOut`."""
    columns = DecisionRow.__table__.columns.keys()
    values: dict[str, Any] = {}
    detail: dict[str, Any] = {}
    for f in dataclasses.fields(d):
        if f.name in _NOT_STORED:
            continue
        value = getattr(d, f.name)
        if f.name in columns:
            values[f.name] = value if f.name == "sla_due_at" else _stored(value)
        else:
            detail[f.name] = _stored(value)
    return DecisionRow(id=new_id(), ticket_id=ticket_id, seq=seq, detail=detail, **values)


#: ticket statuses a new decision moves to `decided` (a ticket in review keeps its status)
_DECIDABLE = ("received", "decided", "failed")


def _mark_decided(session: Session, ticket_id: str, d: Decision) -> bool:
    """The ticket's status, language and version for its new decision, as one UPDATE with no read; False when the
    ticket is not there."""
    updated = session.execute(
        update(Ticket).where(Ticket.id == ticket_id).values(
            status=case((Ticket.status.in_(_DECIDABLE), "decided"), else_=Ticket.status),
            language=d.language, language_detected=d.language_detected, version=Ticket.version + 1,
            updated_at=utcnow()),
        execution_options={"synchronize_session": False})
    return bool(updated.rowcount == 1)  # type: ignore[attr-defined]


def _write_first_decision(sessions: sessionmaker[Session], ticket_id: str, d: Decision) -> DecisionRow | None:
    """The first decision of a ticket this request has just created, without reading the ticket or its decisions
    back: the decision row (seq 1), the ticket's status and language as one UPDATE, the audit event, one commit.
    The unique (ticket, seq) constraint still guards it: when a concurrent retry wrote seq 1 first, this returns
    None and `write_decision` reads what is there. Two SELECTs and an ORM load fewer on every new ticket."""
    with sessions() as session:
        row = decision_row(d, ticket_id=ticket_id, seq=1)
        try:
            # the ticket's row first, then the decision's insert: the order of `write_decision`'s ORM flush (parent
            # before child). The other order deadlocked on PostgreSQL against a concurrent retry (this transaction
            # held seq 1's unique entry and waited for the ticket's row; the retry held the row and waited for seq 1)
            if not _mark_decided(session, ticket_id, d):
                session.rollback()
                return None
            session.add(row)
            record_event(session, ticket_id=ticket_id, actor=SYSTEM_ACTOR, action="decided",
                         data=_decided_event(row, d))
            session.commit()
            return row
        except IntegrityError:
            session.rollback()
            return None


@retry_transient
def write_first_decisions(sessions: sessionmaker[Session], items: list[tuple[str, Decision]]) -> list[DecisionRow]:
    """The first decisions of several tickets that their requests have just created, in one transaction: what
    `_write_first_decision` does for each, with one commit and the inserts batched. All or nothing: a ticket that is
    gone, or a seq 1 a concurrent retry wrote first, raises `GroupConflict` or IntegrityError with nothing written,
    and `DecisionWriter` then writes each on its own (`write_decision`, which settles the conflict)."""
    with sessions() as session:
        rows = [decision_row(d, ticket_id=ticket_id, seq=1) for ticket_id, d in items]
        # the tickets' rows first, in a fixed order, then the inserts (the order `_write_first_decision` keeps, and
        # one order for every group: two groups never wait for each other's rows crosswise)
        for ticket_id, d in sorted(items, key=lambda item: item[0]):
            if not _mark_decided(session, ticket_id, d):
                raise GroupConflict(f"ticket {ticket_id} is not there to decide")
        session.add_all(rows)
        for row, (ticket_id, d) in zip(rows, items, strict=True):
            record_event(session, ticket_id=ticket_id, actor=SYSTEM_ACTOR, action="decided",
                         data=_decided_event(row, d))
        session.commit()
        return rows


class GroupConflict(Exception):
    """A grouped write found a row it cannot write as a group; each item is then written on its own."""


def write_first_decisions_or_each(
    sessions: sessionmaker[Session], items: list[tuple[str, Decision]],
) -> list[DecisionRow]:
    """The first decisions of tickets just created, as one group (`write_first_decisions`: one transaction, one
    commit); when the group cannot be written whole (a concurrent retry decided one of them first), each on its own
    by `write_decision`, which keeps the decision that is there. Nothing is written twice: the group is all or
    nothing."""
    if len(items) > 1:
        try:
            return write_first_decisions(sessions, items)
        except (GroupConflict, IntegrityError) as exc:
            log.info("a group of %d first decisions was written one by one: %s", len(items), exc.__class__.__name__)
    return [write_decision(sessions, ticket_id, d, new=True) for ticket_id, d in items]


class DecisionWriter:
    """Writes the first decisions of concurrent new tickets together (issue 11: one transaction and one commit for a
    micro-batch's worth of tickets instead of one each, which under 16 clients took as much of the process's time as
    the decision stages). A group that fails for any reason is written ticket by ticket by `write_decision`, so a
    conflict in one ticket costs the others nothing but the retry. Used by the HTTP API, where requests overlap."""

    def __init__(self, sessions: sessionmaker[Session], *, max_items: int = 32) -> None:
        self._sessions = sessions
        self._batcher: MicroBatcher[tuple[str, Decision], DecisionRow] = MicroBatcher(
            self._write_group, max_items=max_items)

    @property
    def group_sizes(self) -> list[int]:
        return self._batcher.group_sizes

    async def write_many(self, items: list[tuple[str, Decision]]) -> list[DecisionRow]:
        """The first decisions of one request's new tickets (one, or a batch's), grouped with concurrent requests'."""
        return await self._batcher.submit(items)

    def _write_group(self, items: list[tuple[str, Decision]]) -> list[DecisionRow]:
        return write_first_decisions_or_each(self._sessions, items)


def _decided_event(row: DecisionRow, d: Decision) -> dict[str, Any]:
    return {"decision_id": row.id, "seq": row.seq, "path": str(d.path), "category": d.category, "risk": d.risk,
            "queue": d.queue, "versions": d.versions}


@retry_transient
def write_decision(
    sessions: sessionmaker[Session], ticket_id: str, d: Decision, *, first_only: bool = True, new: bool = False,
) -> DecisionRow:
    """Write a decision in one short transaction. With first_only, an existing decision wins. `new`: the ticket was
    created by this very request (no decision can be there but a concurrent retry's): written without reading."""
    if new and first_only:
        written = _write_first_decision(sessions, ticket_id, d)
        if written is not None:
            return written
    for _ in range(3):
        with sessions() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"ticket {ticket_id} vanished before its decision was written")
            latest = latest_decision(session, ticket_id)
            if first_only and latest is not None:
                return latest
            # the latest decision has the highest seq: no second query (a concurrent writer taking the same seq
            # fails the unique constraint and this loop reads again)
            seq = (latest.seq if latest is not None else 0) + 1
            row = decision_row(d, ticket_id=ticket_id, seq=seq)
            session.add(row)
            if ticket.status in _DECIDABLE:
                ticket.status = "decided"
            ticket.language = d.language
            ticket.language_detected = d.language_detected
            record_event(session, ticket_id=ticket_id, actor=SYSTEM_ACTOR, action="decided",
                         data=_decided_event(row, d))
            try:
                session.commit()
                return row
            except (IntegrityError, StaleDataError):  # a concurrent writer got there first
                session.rollback()
                continue
    with sessions() as session:
        latest = latest_decision(session, ticket_id)
        if latest is None:
            raise Conflict(f"could not write a decision for ticket {ticket_id} under contention")
        return latest


@retry_transient
def _note_failure(sessions: sessionmaker[Session], ticket_id: str, error: Exception) -> None:
    with sessions.begin() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            ticket.attempts += 1
            record_event(session, ticket_id=ticket_id, actor=SYSTEM_ACTOR, action="decision_failed",
                         data={"error": type(error).__name__})


async def _decide_and_write(
    tickets: list[Ticket], *, sessions: sessionmaker[Session], pipeline: Pipeline, first_only: bool = True,
    new: list[bool] | None = None, writer: DecisionWriter | None = None,
) -> list[DecisionRow | None]:
    """Decide the tickets in one pipeline pass, then write each decision. `new[i]`: ticket i was created by this
    request (see `write_decision`); with a `writer`, such a ticket's first decision is written with other requests'."""
    facts = [TicketFacts.from_ticket(t) for t in tickets]
    try:
        decisions = await pipeline.decide_many(facts)
    except Exception as exc:  # the ticket is safe; reprocess will complete it
        log.exception("pipeline failed; tickets stay pending", extra={"tickets": [t.id for t in tickets]})
        for t in tickets:
            await asyncio.to_thread(_note_failure, sessions, t.id, exc)
        return [None] * len(tickets)
    created = new or [False] * len(tickets)
    rows: list[DecisionRow | None] = [None] * len(tickets)
    # the first decisions of the tickets this request created are written as one group (one transaction and one
    # commit for a batch of 100 instead of 100), through the writer when there is one (grouped with other requests')
    first = [i for i, c in enumerate(created) if c and first_only]
    if first:
        items = [(tickets[i].id, decisions[i]) for i in first]
        written = (await writer.write_many(items) if writer is not None
                   else await asyncio.to_thread(write_first_decisions_or_each, sessions, items))
        for i, row in zip(first, written, strict=True):
            rows[i] = row
    for i, (t, d) in enumerate(zip(tickets, decisions, strict=True)):
        if rows[i] is None:
            rows[i] = await asyncio.to_thread(write_decision, sessions, t.id, d, first_only=first_only,
                                              new=created[i])
    return rows


def check_size(ticket: TicketIn, max_chars: int) -> None:
    size = len(ticket.subject) + len(ticket.body)
    if size > max_chars:
        raise TicketTooLarge(
            f"ticket text is {size} characters; the limit is {max_chars} (TRIAGE_LIMITS__MAX_TEXT_CHARS)",
            field="body")


async def submit_ticket(
    *, sessions: sessionmaker[Session], pipeline: Pipeline, max_chars: int, client_id: str, ticket: TicketIn,
    writer: DecisionWriter | None = None,
) -> Submission:
    """Persist, then decide (unless a previous attempt already did). `max_chars`: TRIAGE_LIMITS__MAX_TEXT_CHARS;
    `writer`: writes the decision together with concurrent requests' (`DecisionWriter`)."""
    check_size(ticket, max_chars)
    sub = await asyncio.to_thread(persist_ticket, sessions, client_id=client_id, ticket=ticket)
    if sub.decision is None:
        [row] = await _decide_and_write([sub.ticket], sessions=sessions, pipeline=pipeline, new=[sub.created],
                                        writer=writer)
        sub.decision = row
    return sub


async def submit_tickets(
    *, sessions: sessionmaker[Session], pipeline: Pipeline, max_chars: int, client_id: str, tickets: list[TicketIn],
    writer: DecisionWriter | None = None,
) -> list[Submission | Exception]:
    """Batch: each ticket persisted on its own (one bad ticket loses nothing else), decided in one batch, and the
    new tickets' first decisions written as one group (`write_first_decisions_or_each`; through `writer` if given)."""
    subs: list[Submission | Exception] = []
    for t in tickets:
        try:
            check_size(t, max_chars)
            subs.append(await asyncio.to_thread(persist_ticket, sessions, client_id=client_id, ticket=t))
        except (Conflict, TicketTooLarge) as exc:
            subs.append(exc)
    pending = [s for s in subs if isinstance(s, Submission) and s.decision is None]
    rows = await _decide_and_write([s.ticket for s in pending], sessions=sessions, pipeline=pipeline,
                                   new=[s.created for s in pending], writer=writer) if pending else []
    for s, row in zip(pending, rows, strict=True):
        s.decision = row
    return subs


def pending_ticket_ids(sessions: sessionmaker[Session], *, limit: int = 1000) -> list[str]:
    with sessions() as session:
        return list(session.scalars(
            select(Ticket.id).where(Ticket.status == "received").order_by(Ticket.created_at).limit(limit)))


async def reprocess_pending(
    *, sessions: sessionmaker[Session], pipeline: Pipeline, ticket_ids: list[str] | None = None,
    redecide: bool = False, batch_size: int = 32, on_progress: object = None,
) -> int:
    """Complete tickets left without a decision (or, with redecide, add a new decision version)."""
    ids = ticket_ids if ticket_ids is not None else await asyncio.to_thread(pending_ticket_ids, sessions)
    done = 0
    for start in range(0, len(ids), batch_size):
        chunk = ids[start:start + batch_size]
        with sessions() as session:
            tickets = [t for t in (session.get(Ticket, i) for i in chunk) if t is not None]
        rows = await _decide_and_write(tickets, sessions=sessions, pipeline=pipeline, first_only=not redecide)
        done += sum(r is not None for r in rows)
        if callable(on_progress):
            on_progress(len(chunk))
    if ids:
        log.info("reprocessed tickets", extra={"requested": len(ids), "decided": done})
    return done


def get_ticket(session: Session, ticket_id: str) -> tuple[Ticket, DecisionRow | None]:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket, latest_decision(session, ticket_id)


def reason_texts(stored: list[Any]) -> tuple[list[str], list[str]]:
    """Stored reasons (dicts; plain text in rows written before 0003) as text and as codes."""
    texts: list[str] = []
    codes: list[str] = []
    for value in stored:
        reason = Reason.parse(value)
        texts.append(str(reason) if reason is not None else str(value.get("detail", value))
                     if isinstance(value, dict) else str(value))
        codes.append(str(reason.code) if reason is not None else str(value).partition(":")[0])
    return texts, codes


#: DecisionOut fields filled from a row's detail document rather than from a column
_DETAIL_OUT = frozenset(DecisionOut.model_fields) - {
    "id", "seq", "category", "risk", "queue", "priority", "sla_due_at", "needs_human", "reasons", "reason_codes",
    "flags", "draft_reply", "rationale", "similar_cases", "path", "versions", "timings_ms", "usage", "created_at"}


def decision_out(d: DecisionRow) -> DecisionOut:
    texts, codes = reason_texts(d.reasons)
    return DecisionOut(
        id=d.id, seq=d.seq,
        category=CategoryOut(label=d.category, confidence=d.category_confidence, runner_up=d.runner_up,
                             also=d.also or []),
        risk=RiskOut(level=d.risk, score=d.risk_score, floor=d.risk_floor, signals=d.signals,
                     critical=[CriticalEvidence(**h) for h in d.critical or []]),
        queue=d.queue, priority=d.priority, sla_due_at=d.sla_due_at, needs_human=d.needs_human,
        reasons=texts, reason_codes=codes, flags=d.flags, draft_reply=d.draft_reply, rationale=d.rationale,
        similar_cases=[SimilarCase(**s) for s in d.similar_cases], path=d.path,
        versions=Versions(**{k: v for k, v in d.versions.items() if k in Versions.model_fields}),
        timings_ms=d.timings_ms, usage=d.usage, created_at=d.created_at,
        # fields kept in the detail document reach the response by name (see `decision_row`)
        **{k: v for k, v in (d.detail or {}).items() if k in _DETAIL_OUT},
    )


#: TicketOut fields built here; every other one is read from the row's column of the same name
_TICKET_OUT_BUILT = frozenset({"reporter", "language", "metadata", "decision"})


def ticket_out(t: Ticket, d: DecisionRow | None) -> TicketOut:
    return TicketOut(
        reporter=Reporter(type=t.reporter_type, id=t.reporter_id),  # type: ignore[arg-type]
        language=t.language or "und", metadata=t.metadata_, decision=decision_out(d) if d is not None else None,
        **{name: getattr(t, name) for name in TicketOut.model_fields if name not in _TICKET_OUT_BUILT},
    )
