"""Queries and writes that more than one service needs, defined once.

`latest_decision` and `record_event` were copied between services/tickets.py and services/review.py;
`claim_is_active` is the lease rule the API queue, the review check and the web page all apply.
Like repositories, these add and flush at most; the calling service owns the transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from triage.db.models import AuditEvent, DecisionRow, Ticket

__all__ = ["claim_is_active", "key_actor", "latest_decision", "record_event"]


def latest_decision(session: Session, ticket_id: str) -> DecisionRow | None:
    """The ticket's newest decision (highest seq), or None while it is pending."""
    return session.scalar(
        select(DecisionRow).where(DecisionRow.ticket_id == ticket_id).order_by(DecisionRow.seq.desc()).limit(1))


def key_actor(key_id: str) -> str:
    """How an API key is recorded as an actor in the audit trail (shown as `role:name`, never the id)."""
    return f"key:{key_id}"


def record_event(session: Session, *, ticket_id: str | None, actor: str, action: str,
                 data: dict[str, Any] | None = None, at: datetime | None = None) -> AuditEvent:
    """Append one audit event (the trail is append-only) in the caller's transaction."""
    event = AuditEvent(ticket_id=ticket_id, actor=actor, action=action, data=data or {})
    if at is not None:
        event.created_at = at
    session.add(event)
    return event


def claim_is_active(ticket: Ticket, now: datetime) -> bool:
    """A reviewer holds a live lease on the ticket (SQLite hands back naive UTC times)."""
    expires = ticket.claim_expires_at
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return bool(ticket.claimed_by and expires is not None and expires > now)
