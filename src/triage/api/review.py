"""Review API: queue, claim, review, history, stats; and key management for admins.

Roles: reviewers (and admins) work the queue; analysts (and admins) read stats; history is for
reviewers, analysts and admins; only admins manage keys. Service keys submit tickets and read their own.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Response, status
from pydantic import BaseModel, BeforeValidator, Field

from triage.api.deps import AdminKey, AnalystKey, ComponentsDep, HistoryKey, ReviewerKey, SessionDep, TicketId
from triage.api.routing import GuardedRoute
from triage.api.tickets import ERRORS
from triage.db.models import AuditEvent, ReviewRow
from triage.domain.text import PlainText, RequestModel
from triage.errors import InvalidTicket
from triage.services import keys as key_service
from triage.services.review import (
    DEFAULT_LEASE,
    QUEUE_STATUSES,
    REASON_CODES,
    actor_labels,
    claim_ticket,
    review_queue,
    review_stats,
    review_ticket,
    stats_window,
    ticket_history,
)
from triage.services.tickets import reason_texts

router = APIRouter(prefix="/v1", tags=["review"], route_class=GuardedRoute)

#: Deeper pages are refused (422): no one pages a million tickets, and the database needs a bounded int.
MAX_OFFSET = 1_000_000


AUTH: dict[int | str, dict[str, Any]] = {401: ERRORS[401], 403: ERRORS[403]}
CONFLICT: dict[int | str, dict[str, Any]] = {409: {
    **ERRORS[409],
    "description": "Stale write (the ticket changed since you read it) or claimed by another reviewer"}}


# -- models --------------------------------------------------------------------------------------
class QueueItemOut(BaseModel):
    ticket_id: str
    external_id: str
    subject: str
    excerpt: str = Field(description="the first 160 characters of the body")
    language: str | None
    status: str
    version: int
    category: str
    category_confidence: float
    risk: str
    queue: str
    priority: str
    sla_due_at: datetime
    needs_human: bool
    reasons: list[str]
    claimed_by: str | None = Field(description="the reviewer holding a live lease, if any")
    claim_expires_at: datetime | None
    created_at: datetime


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    total: int
    limit: int
    offset: int


class ClaimIn(RequestModel):
    lease_seconds: int = Field(default=int(DEFAULT_LEASE.total_seconds()), ge=1, le=4 * 3600,
                               description="how long the lease lasts; claim again to renew")


class ClaimOut(BaseModel):
    ticket_id: str
    claimed_by: str
    expires_at: datetime
    version: int = Field(description="the ticket version to send back with the review")


class ReviewIn(RequestModel):
    action: Literal["accept", "edit", "reject"] = Field(
        description="accept: send the draft (or `final_reply`); edit: send `final_reply`; reject: send nothing")
    version: int | None = Field(default=None, ge=0, le=2**31 - 1,
                                description="the ticket version you read (or an If-Match header)")
    decision_id: str | None = Field(default=None, max_length=64, description="optional: the decision you reviewed")
    final_reply: str | None = Field(default=None, max_length=20_000)
    category: str | None = Field(default=None, max_length=60, description="corrected category (taxonomy label)")
    also: list[Annotated[str, Field(max_length=60)]] | None = Field(
        default=None, max_length=10, description="secondary categories the ticket also is (taxonomy labels); the "
        "past case it becomes carries them and the one-vs-rest heads learn them")
    risk: str | None = Field(default=None, max_length=20, description="corrected risk level")
    queue: str | None = Field(default=None, max_length=60,
                              description="corrected queue; follows a corrected category if unset")
    reason_code: str | None = Field(default=None, max_length=40,
                                    description="required for reject: " + ", ".join(REASON_CODES))
    note: str | None = Field(default=None, max_length=2000)


class ReviewOut(BaseModel):
    review_id: str
    ticket_id: str
    action: str
    reason_code: str | None
    draft_reply: str
    final_reply: str | None
    edit_distance: int
    category: str
    risk: str
    queue: str
    labels_corrected: bool
    version: int = Field(description="the ticket's new version")
    case_id: str | None = Field(description="the past case this review became (accepted or corrected tickets)")
    learned: bool
    reviewer: str
    created_at: datetime


class HistoryEvent(BaseModel):
    id: int
    at: datetime
    actor: str = Field(description="`role:name` of the key that acted (never its id), or `system:<part>`")
    action: str
    data: dict[str, Any]


class HistoryOut(BaseModel):
    ticket_id: str
    events: list[HistoryEvent]


class KeyIn(RequestModel):
    role: key_service.Role
    name: str = Field(min_length=1, max_length=200)


class KeyOut(BaseModel):
    id: str
    name: str
    role: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None = None
    key: str | None = Field(default=None, description="the plain key: shown once, at creation")


def review_out(r: ReviewRow, *, version: int, learned: bool) -> ReviewOut:
    return ReviewOut(
        review_id=r.id, ticket_id=r.ticket_id, action=r.action, reason_code=r.reason_code,
        draft_reply=r.draft_reply, final_reply=r.final_reply, edit_distance=r.edit_distance, category=r.category,
        risk=r.risk, queue=r.queue, labels_corrected=r.labels_corrected, version=version, case_id=r.case_id,
        learned=learned, reviewer=r.reviewer_name, created_at=r.created_at,
    )


def history_out(ticket_id: str, events: list[AuditEvent], actors: dict[str, str]) -> HistoryOut:
    return HistoryOut(ticket_id=ticket_id, events=[
        HistoryEvent(id=e.id, at=e.created_at, actor=actors.get(e.actor, e.actor), action=e.action, data=e.data)
        for e in events])


def _iso_8601(value: Any) -> Any:
    """Refuse numbers where a date-time is documented (pydantic would read `0.5` as a Unix time)."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError(f"{value!r} is a number; send an ISO 8601 date-time such as 2026-11-30T00:00:00Z")
    return value


def _version_from(body: int | None, if_match: str | None) -> int:
    raw: Any = body
    if raw is None and if_match:
        raw = if_match.strip().removeprefix("W/").strip('"')
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise InvalidTicket("version: send the ticket version you read, in the body or an If-Match header",
                            field="version") from None


# -- endpoints -----------------------------------------------------------------------------------
@router.get("/review/queue", response_model=QueueOut, summary="Tickets to review, most urgent first",
            responses={**AUTH, 422: ERRORS[422]})
def get_queue(
    session: SessionDep, components: ComponentsDep, key: ReviewerKey,
    queue: Annotated[PlainText | None, Query(max_length=60, description="a queue from the routing policy")] = None,
    risk: Annotated[PlainText | None, Query(max_length=20, description="a risk level")] = None,
    language: Annotated[PlainText | None, Query(max_length=8)] = None,
    status_: Annotated[PlainText, Query(alias="status", max_length=20, description=", ".join(QUEUE_STATUSES))]
    = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"at most {MAX_OFFSET}")] = 0,
) -> QueueOut:
    """Ordered by risk (most severe first), then SLA due time. `status=open` is decided + in review."""
    page = review_queue(session, policy=components.policy, queue=queue, risk=risk, language=language,
                        status=status_, limit=limit, offset=offset)
    return QueueOut(total=page.total, limit=page.limit, offset=page.offset, items=[
        QueueItemOut(
            ticket_id=i.ticket.id, external_id=i.ticket.external_id, subject=i.ticket.subject,
            excerpt=i.ticket.body[:160], language=i.ticket.language, status=i.ticket.status,
            version=i.ticket.version, category=i.decision.category,
            category_confidence=i.decision.category_confidence, risk=i.decision.risk, queue=i.decision.queue,
            priority=i.decision.priority, sla_due_at=i.decision.sla_due_at, needs_human=i.decision.needs_human,
            reasons=reason_texts(i.decision.reasons)[0], claimed_by=i.claimed_by_name,
            claim_expires_at=i.ticket.claim_expires_at if i.claim_active else None, created_at=i.ticket.created_at,
        ) for i in page.items])


@router.post("/tickets/{ticket_id}/claim", response_model=ClaimOut, summary="Claim a ticket (an expiring lease)",
             responses={**AUTH, 404: {"description": "No such ticket"}, **CONFLICT})
def post_claim(
    ticket_id: TicketId, components: ComponentsDep, key: ReviewerKey, body: ClaimIn | None = None) -> ClaimOut:
    """Take the lease, or renew your own. 409 while another reviewer's lease is live."""
    lease = timedelta(seconds=(body or ClaimIn()).lease_seconds)
    claim = claim_ticket(components.sessions, ticket_id=ticket_id, reviewer_id=key.id, reviewer_name=key.name,
                         lease=lease)
    return ClaimOut(ticket_id=claim.ticket_id, claimed_by=claim.claimed_by_name, expires_at=claim.expires_at,
                    version=claim.version)


@router.post("/tickets/{ticket_id}/review", response_model=ReviewOut, summary="Accept, edit or reject a decision",
             responses={**AUTH, 404: {"description": "No such ticket"}, **CONFLICT, 422: ERRORS[422]})
def post_review(
    ticket_id: TicketId, body: ReviewIn, components: ComponentsDep, key: ReviewerKey,
    if_match: Annotated[str | None, Header(max_length=40, description="the ticket version you read")] = None,
) -> ReviewOut:
    """Record the verdict. Send the ticket `version` you read (body or If-Match); a stale one gets 409.

    An accepted or corrected ticket becomes a past case (idempotently), so the next similar ticket sees it.
    """
    result = review_ticket(
        sessions=components.sessions, policy=components.policy, store=components.store,
        embedder=components.embedder, ticket_id=ticket_id, reviewer_id=key.id, reviewer_name=key.name,
        action=body.action,
        expected_version=_version_from(body.version, if_match), final_reply=body.final_reply,
        category=body.category, also=body.also, risk=body.risk, queue=body.queue, reason_code=body.reason_code,
        note=body.note,
        decision_id=body.decision_id,
    )
    return review_out(result.review, version=result.ticket_version, learned=result.learned)


@router.get("/tickets/{ticket_id}/history", response_model=HistoryOut, summary="The ticket's audit trail",
            responses={**AUTH, 404: {"description": "No such ticket"}})
def get_history(
    ticket_id: TicketId, session: SessionDep, key: HistoryKey) -> HistoryOut:
    """Append-only: who did what, when, with which model, prompt and policy versions."""
    events = ticket_history(session, ticket_id)
    return history_out(ticket_id, events, actor_labels(session, events))


@router.get("/stats", summary="Operations figures over a time window", responses={**AUTH, 422: ERRORS[422]})
def get_stats(
    session: SessionDep, key: AnalystKey,
    since: Annotated[datetime | None, BeforeValidator(_iso_8601),
                     Query(description="window start (ISO 8601); default: 7 days before until")] = None,
    until: Annotated[datetime | None, BeforeValidator(_iso_8601),
                     Query(description="window end (ISO 8601); default: now")] = None,
) -> dict[str, Any]:
    """Volumes by queue, category and risk; SLA breaches; draft acceptance and edit rates; model–reviewer
    agreement per category; per-reviewer counts."""
    since, until = stats_window(since, until)
    return review_stats(session, since=since, until=until).as_dict()


@router.post("/keys", response_model=KeyOut, status_code=status.HTTP_201_CREATED, summary="Create an API key",
             tags=["keys"], responses=AUTH)
def post_key(body: KeyIn, session: SessionDep, key: AdminKey) -> KeyOut:
    """The plain key is in the response once; it is stored hashed."""
    row, plain = key_service.create_key(session, role=body.role, name=body.name)
    session.commit()
    return KeyOut(id=row.id, name=row.name, role=row.role, prefix=row.prefix, created_at=row.created_at, key=plain)


@router.delete("/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke an API key",
               tags=["keys"], responses={**AUTH, 404: {"description": "No such key"}})
def delete_key(key_id: TicketId, session: SessionDep, key: AdminKey) -> Response:
    key_service.revoke_key(session, key_id=key_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
