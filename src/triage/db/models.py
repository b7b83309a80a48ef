"""SQLAlchemy 2 typed models. Migrations live in `triage/db/migrations` (Alembic)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiKey", "AuditEvent", "Base", "CaseRow", "DecisionRow", "ReviewRow", "Ticket", "WebSession", "new_id", "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL keeps the zone itself; SQLite stores naive text, so values are converted to UTC on the
    way in and get the UTC zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("client_id", "external_id", name="uq_ticket_client_external"),
        Index("ix_tickets_status_created", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(36))
    external_id: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(40))
    reporter_type: Mapped[str] = mapped_column(String(40))
    reporter_id: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    language_detected: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[str | None] = mapped_column(String(8))
    links: Mapped[list[Any]] = mapped_column(default=list)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    # SHA-256 of everything the client sent but external_id: a retry must carry the same content
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # received -> decided -> (in_review -> reviewed); failed when the pipeline could not finish
    status: Mapped[str] = mapped_column(String(20), default="received")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # the reviewer's lease (an API key id) and when it lapses; set by a compare-and-set UPDATE
    claimed_by: Mapped[str | None] = mapped_column(String(36), default=None)
    claim_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    decisions: Mapped[list[DecisionRow]] = relationship(
        back_populates="ticket", order_by="DecisionRow.seq", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class DecisionRow(Base):
    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("ticket_id", "seq", name="uq_decision_ticket_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(60))
    category_confidence: Mapped[float] = mapped_column(Float)
    runner_up: Mapped[list[Any]] = mapped_column(default=list)
    risk: Mapped[str] = mapped_column(String(20))
    risk_score: Mapped[float] = mapped_column(Float)
    risk_floor: Mapped[str] = mapped_column(String(20))
    signals: Mapped[list[Any]] = mapped_column(default=list)
    queue: Mapped[str] = mapped_column(String(60), index=True)
    priority: Mapped[str] = mapped_column(String(10))
    sla_due_at: Mapped[datetime]
    needs_human: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    draft_reply: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text)
    similar_cases: Mapped[list[Any]] = mapped_column(default=list)
    path: Mapped[str] = mapped_column(String(20))
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    timings_ms: Mapped[dict[str, Any]] = mapped_column(default=dict)
    usage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # the critical detector's hits (group, score, threshold, nearest exemplar, each source's value)
    critical: Mapped[list[Any]] = mapped_column(default=list)
    also: Mapped[list[Any]] = mapped_column(default=list)  # secondary categories with evidence
    # every other field of the pipeline's Decision, by name (services.tickets.decision_row): a new decision
    # field is stored without a migration; columns are for what queues, stats and filters query
    detail: Mapped[dict[str, Any] | None] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    ticket: Mapped[Ticket] = relationship(back_populates="decisions")


class CaseRow(Base):
    """The durable record of the case memory (the vector store holds the same cases, embedded)."""

    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    source: Mapped[str] = mapped_column(String(40), default="import")
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    # None: a partially labelled case that only rules categories out (`Case.category`)
    category: Mapped[str | None] = mapped_column(String(60), index=True)
    also: Mapped[list[Any] | None] = mapped_column(default=list)  # secondary categories
    # categories the case's labels say nothing about (partially labelled data; `Case.unknown`)
    unknown: Mapped[list[Any] | None] = mapped_column(default=list)
    risk: Mapped[str | None] = mapped_column(String(20))
    queue: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(40))
    reporter_type: Mapped[str | None] = mapped_column(String(40))
    final_reply: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="accepted")
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ticket_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """Append-only: who did what, when, with which versions."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str | None] = mapped_column(String(36), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewRow(Base):
    """A reviewer's verdict on one decision: the draft, the reply actually sent, and the final labels."""

    __tablename__ = "reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    decision_id: Mapped[str] = mapped_column(String(36))
    reviewer_id: Mapped[str] = mapped_column(String(36), index=True)
    reviewer_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # accept | edit | reject
    reason_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    draft_reply: Mapped[str] = mapped_column(Text)
    final_reply: Mapped[str | None] = mapped_column(Text)  # null when the draft was rejected unsent
    edit_distance: Mapped[int] = mapped_column(Integer, default=0)
    model_category: Mapped[str] = mapped_column(String(60))
    model_risk: Mapped[str] = mapped_column(String(20))
    model_queue: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(60))
    risk: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(60))
    labels_corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_version: Mapped[int] = mapped_column(Integer)
    sla_due_at: Mapped[datetime]
    case_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WebSession(Base):
    """A reviewer's signed-in web session, held on the server: signing out deletes it.

    The cookie carries a random token (signed); only its SHA-256 is stored, so a database reader cannot
    sign in as anyone, and a key id alone (which the audit trail names) is worth nothing.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the cookie's token
    key_id: Mapped[str] = mapped_column(String(36), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
