"""Ticket endpoints: submit (idempotent), submit a batch, read back."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field, ValidationError

from triage.api.deps import ComponentsDep, ReaderKey, ServiceKey, SessionDep, TicketId
from triage.api.problems import PROBLEM
from triage.api.routing import GuardedRoute
from triage.domain.text import RequestModel
from triage.domain.tickets import DecisionOut, TicketIn, TicketOut
from triage.errors import NotFound, TriageError
from triage.services.tickets import (
    Submission,
    decision_out,
    get_ticket,
    submit_ticket,
    submit_tickets,
    ticket_out,
)

router = APIRouter(prefix="/v1", tags=["tickets"], route_class=GuardedRoute)

_PROBLEM_SCHEMA = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or unknown API key", **_PROBLEM_SCHEMA},
    403: {"description": "The key's role may not do this", **_PROBLEM_SCHEMA},
    409: {"description": "external_id reused for a different ticket", **_PROBLEM_SCHEMA},
    413: {"description": "Body or text over the configured limit", **_PROBLEM_SCHEMA},
    422: {"description": "Malformed JSON, wrong types, empty or binary text (names the field)", **_PROBLEM_SCHEMA},
}


class TriageResult(BaseModel):
    """The outcome of a submission: the ticket's id and its decision."""

    ticket_id: str
    external_id: str
    status: str = Field(description="decided, or received when the decision is still pending")
    created: bool = Field(description="false when this was a retry of an earlier submission")
    decision: DecisionOut | None = Field(description="null only while the decision is pending")


class BatchIn(RequestModel):
    tickets: list[dict[str, Any]] = Field(min_length=1, max_length=100,
                                          description="up to 100 tickets, each as for POST /v1/tickets")


class BatchItem(BaseModel):
    index: int
    status: int = Field(description="HTTP status this ticket would have had on its own")
    result: TriageResult | None = None
    error: dict[str, Any] | None = None


class BatchOut(BaseModel):
    results: list[BatchItem]


def _result(sub: Submission) -> TriageResult:
    return TriageResult(
        ticket_id=sub.ticket.id, external_id=sub.ticket.external_id,
        status="decided" if sub.decision is not None else "received", created=sub.created,
        decision=decision_out(sub.decision) if sub.decision is not None else None,
    )


def _status_of(sub: Submission) -> int:
    if sub.decision is None:
        return status.HTTP_202_ACCEPTED
    return status.HTTP_201_CREATED if sub.created else status.HTTP_200_OK


@router.post(
    "/tickets",
    response_model=TriageResult,
    status_code=status.HTTP_201_CREATED,
    summary="Submit a ticket and get its decision",
    responses={
        200: {"description": "A retry (same key and external_id): the same ticket and decision"},
        202: {"description": "Persisted; the decision is pending and will be completed by reprocessing"},
        **ERRORS,
    },
)
async def create_ticket(
    ticket: TicketIn, components: ComponentsDep, key: ServiceKey, response: Response
) -> TriageResult:
    """Persist the ticket first, then classify, route and draft.

    Idempotent on (API key, external_id): a retry returns the same decision with 200, never a duplicate.
    """
    sub = await submit_ticket(sessions=components.sessions, pipeline=components.pipeline,
                              max_chars=components.settings.limits.max_text_chars, client_id=key.id, ticket=ticket,
                              writer=components.decision_writer)
    response.status_code = _status_of(sub)
    return _result(sub)


@router.post(
    "/tickets:batch",
    response_model=BatchOut,
    summary="Submit up to 100 tickets",
    responses={401: ERRORS[401], 403: ERRORS[403], 413: ERRORS[413], 422: ERRORS[422]},
)
async def create_tickets(batch: BatchIn, components: ComponentsDep, key: ServiceKey) -> BatchOut:
    """Each ticket is validated and persisted on its own; one bad ticket does not fail the others.

    Each item carries the status it would have had alone (201, 200 for a retry, 409, 413, 422).
    """
    items: list[BatchItem] = []
    valid: list[tuple[int, TicketIn]] = []
    for i, raw in enumerate(batch.tickets):
        try:
            valid.append((i, TicketIn.model_validate(raw)))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "ticket"
            items.append(BatchItem(index=i, status=422, error={
                "title": "Invalid ticket", "detail": f"{field}: {err['msg']}", "field": field}))
    subs = await submit_tickets(sessions=components.sessions, pipeline=components.pipeline,
                                max_chars=components.settings.limits.max_text_chars, client_id=key.id,
                                tickets=[t for _, t in valid], writer=components.decision_writer)
    for (i, _), sub in zip(valid, subs, strict=True):
        if isinstance(sub, TriageError):
            items.append(BatchItem(index=i, status=sub.status_code,
                                   error={"title": sub.title, "detail": sub.detail, "field": sub.field}))
        elif isinstance(sub, Submission):
            items.append(BatchItem(index=i, status=_status_of(sub), result=_result(sub)))
    items.sort(key=lambda it: it.index)
    return BatchOut(results=items)


@router.get(
    "/tickets/{ticket_id}",
    response_model=TicketOut,
    summary="Read a ticket and its latest decision",
    responses={401: ERRORS[401], 403: ERRORS[403], 404: {"description": "No such ticket (or not yours)"}},
)
def read_ticket(ticket_id: TicketId, session: SessionDep, key: ReaderKey) -> TicketOut:
    """Service keys see only the tickets they submitted; reviewers, analysts and admins see all."""
    ticket, decision = get_ticket(session, ticket_id)
    if key.role == "service" and ticket.client_id != key.id:
        raise NotFound(f"no ticket with id {ticket_id}")
    return ticket_out(ticket, decision)
