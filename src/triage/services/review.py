"""The reviewer workflow: queue, claim (an expiring lease), review, audit trail, stats; learning from reviews.

Invariants kept here:
1. a claim is a compare-and-set UPDATE: two reviewers can never both hold a live lease on a ticket;
2. a review names the ticket `version` it was made on; a stale version is refused with `Conflict`
   (409), never merged (DESIGN invariant 7). The ORM's version counter makes the final UPDATE
   conditional too, so a concurrent writer between the check and the commit also gets 409;
3. an accepted or corrected ticket becomes a past case with id `case_id_for("ticket:<id>")`, so
   reviewing a ticket twice updates one case instead of adding a second. The case is written after the
   review is committed: no transaction is held open across the embedding call.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from triage.db.models import ApiKey, AuditEvent, DecisionRow, ReviewRow, Ticket, utcnow
from triage.db.queries import claim_is_active, key_actor, latest_decision, record_event
from triage.domain.cases import Case, case_id_for
from triage.domain.policy import Policy
from triage.domain.tickets import check_text
from triage.errors import Conflict, InvalidTicket, NotFound
from triage.pipeline.redact import redact
from triage.ports import CaseStore, Embedder
from triage.services.cases import upsert_cases

__all__ = [
    "ACTIONS",
    "DEFAULT_LEASE",
    "QUEUE_STATUSES",
    "REASON_CODES",
    "Claim",
    "QueueItem",
    "QueuePage",
    "ReviewResult",
    "actor_labels",
    "as_utc",
    "claim_ticket",
    "edit_distance",
    "review_queue",
    "review_queue_for",
    "review_stats",
    "review_ticket",
    "stats_window",
    "ticket_history",
]

log = logging.getLogger(__name__)

ACTIONS = ("accept", "edit", "reject")
DEFAULT_LEASE = timedelta(minutes=15)
#: Why a reviewer changed or refused a decision. Required for `reject`; optional otherwise.
REASON_CODES: dict[str, str] = {
    "wrong_category": "the category was wrong",
    "wrong_risk": "the risk level was wrong",
    "wrong_queue": "the queue was wrong",
    "tone": "the reply's tone needed work",
    "inaccurate_reply": "the reply said something untrue or unhelpful",
    "missing_information": "the reply left out something the reporter needs",
    "language": "the reply was in the wrong language or badly translated",
    "personal_data": "the reply exposed or asked for personal data",
    "unsafe_promise": "the reply promised an outcome",
    "not_actionable": "nothing to reply or act on (spam, duplicate, test)",
    "escalated_offline": "handled outside the tool (phone, legal, law enforcement)",
    "other": "something else (say what in the note)",
}
#: `status` filter values of the queue; "open" is decided + in_review.
QUEUE_STATUSES = {"open": ("decided", "in_review"), "decided": ("decided",), "in_review": ("in_review",),
                  "reviewed": ("reviewed",), "all": ("decided", "in_review", "reviewed")}
_CLAIMABLE = ("decided", "in_review", "reviewed")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance in characters (insertions, deletions, substitutions).

    rapidfuzz's bit-parallel implementation: exact at any length (the longest reply, 20,000 characters
    against 20,000, about 40 ms here), so the stats' mean edit distance never rests on an estimate.
    """
    return int(Levenshtein.distance(a, b))


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _key_names(session: Session, ids: set[str]) -> dict[str, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return dict(session.execute(select(ApiKey.id, ApiKey.name).where(ApiKey.id.in_(ids))).all())


# -- claim ---------------------------------------------------------------------------------------
@dataclass
class Claim:
    ticket_id: str
    claimed_by: str
    claimed_by_name: str
    expires_at: datetime
    version: int


def claim_ticket(
    sessions: sessionmaker[Session], *, ticket_id: str, reviewer_id: str, reviewer_name: str,
    lease: timedelta = DEFAULT_LEASE, now: datetime | None = None,
) -> Claim:
    """Take (or renew) the lease on a ticket; `Conflict` while another reviewer's lease is live."""
    now = now or utcnow()
    expires = now + lease
    with sessions.begin() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        if ticket.status not in _CLAIMABLE:
            raise Conflict(f"ticket {ticket_id} is {ticket.status}: it has no decision to review yet")
        # compare-and-set: only free, lapsed or own leases are taken; the row's version is not bumped
        # (a lease does not change what the reviewer read)
        result = session.execute(
            update(Ticket)
            .where(Ticket.id == ticket_id, Ticket.status.in_(_CLAIMABLE),
                   or_(Ticket.claimed_by.is_(None), Ticket.claimed_by == reviewer_id,
                       Ticket.claim_expires_at.is_(None), Ticket.claim_expires_at <= now))
            .values(claimed_by=reviewer_id, claim_expires_at=expires,
                    status=case((Ticket.status == "decided", "in_review"), else_=Ticket.status))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            session.refresh(ticket)
            holder = _key_names(session, {ticket.claimed_by or ""}).get(ticket.claimed_by or "", "another reviewer")
            lapse = as_utc(ticket.claim_expires_at)
            until = lapse.isoformat() if lapse else "?"
            raise Conflict(f"ticket {ticket_id} is claimed by {holder} until {until}")
        decision = latest_decision(session, ticket_id)
        record_event(
            session, ticket_id=ticket_id, actor=key_actor(reviewer_id), action="claimed",
            data={"reviewer": reviewer_name, "expires_at": expires.isoformat(),
                  "decision_id": decision.id if decision else None,
                  "versions": decision.versions if decision else {}},
        )
        session.refresh(ticket)
        return Claim(ticket_id=ticket_id, claimed_by=reviewer_id, claimed_by_name=reviewer_name,
                     expires_at=expires, version=ticket.version)


# -- review --------------------------------------------------------------------------------------
@dataclass
class ReviewResult:
    review: ReviewRow
    ticket_version: int
    case_id: str | None
    learned: bool


def _check_labels(policy: Policy, category: str | None, risk: str | None, queue: str | None) -> None:
    if category is not None and category not in policy.taxonomy.categories:
        raise InvalidTicket(f"category: {category!r} is not in the taxonomy", field="category")
    if risk is not None and risk not in policy.risk_order:
        raise InvalidTicket(f"risk: {risk!r} is not one of {', '.join(policy.risk_order)}", field="risk")
    if queue is not None and queue not in policy.routing.queues:
        raise InvalidTicket(f"queue: {queue!r} is not a queue in the routing policy", field="queue")


def review_queue_for(policy: Policy, decision: DecisionRow, *, category: str, queue: str | None) -> str:
    """The queue a review ends in; one rule for the API and the web form.

    A queue the reviewer chose wins. When the category was corrected and the queue was left as the model
    routed it (unset in the API; the form's pre-filled value on the page), the queue follows the new
    category's default queue, as routing would have.
    """
    moved = category != decision.category
    if queue is not None and not (moved and queue == decision.queue):
        return queue
    if moved:
        return policy.routing.category_queues.get(category, decision.queue)
    return decision.queue


def _case_status(action: str, edited: bool, corrected: bool) -> str:
    if action == "reject":
        return "rejected"
    return "edited" if edited or corrected else "accepted"


def review_ticket(
    *, sessions: sessionmaker[Session], policy: Policy, store: CaseStore, embedder: Embedder, ticket_id: str,
    reviewer_id: str, reviewer_name: str, action: str,
    expected_version: int, final_reply: str | None = None, category: str | None = None,
    also: list[str] | None = None, risk: str | None = None, queue: str | None = None, reason_code: str | None = None,
    note: str | None = None, decision_id: str | None = None, now: datetime | None = None,
) -> ReviewResult:
    """Record a reviewer's verdict on the latest decision; refuse a stale `expected_version` with 409."""
    now = now or utcnow()
    if action not in ACTIONS:
        raise InvalidTicket(f"action: must be one of {', '.join(ACTIONS)}", field="action")
    if reason_code is not None and reason_code not in REASON_CODES:
        raise InvalidTicket(f"reason_code: {reason_code!r} is not one of {', '.join(REASON_CODES)}",
                            field="reason_code")
    if action == "reject" and reason_code is None:
        raise InvalidTicket("reason_code: a rejection needs a reason code", field="reason_code")
    if action == "edit" and not (final_reply or "").strip():
        raise InvalidTicket("final_reply: an edit needs the reply to send", field="final_reply")
    texts = {"final_reply": final_reply, "note": note, "category": category, "risk": risk, "queue": queue,
             "reason_code": reason_code, "decision_id": decision_id}
    for name, value in texts.items():  # the web form reaches here without a request model: check once more
        if value is not None:
            try:
                check_text(value, name)
            except ValueError as exc:
                raise InvalidTicket(str(exc), field=name) from exc
    if note is not None and len(note) > 2000:
        raise InvalidTicket("note: at most 2000 characters", field="note")
    _check_labels(policy, category, risk, queue)
    for other in also or ():
        if other not in policy.taxonomy.categories:
            raise InvalidTicket(f"also: {other!r} is not in the taxonomy", field="also")

    with sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        decision = latest_decision(session, ticket_id)
        if decision is None or ticket.status not in _CLAIMABLE:
            raise Conflict(f"ticket {ticket_id} is {ticket.status}: it has no decision to review yet")
        if ticket.version != expected_version:
            raise Conflict(f"stale write: you read version {expected_version} of ticket {ticket_id} but it is "
                           f"now at version {ticket.version}; reload it and review again", field="version")
        if decision_id is not None and decision_id != decision.id:
            raise Conflict(f"stale write: decision {decision_id} is no longer the latest ({decision.id}); "
                           "reload the ticket", field="decision_id")
        expires = as_utc(ticket.claim_expires_at)
        if ticket.claimed_by != reviewer_id and claim_is_active(ticket, now) and expires is not None:
            holder = _key_names(session, {ticket.claimed_by or ""}).get(ticket.claimed_by or "", "another reviewer")
            raise Conflict(f"ticket {ticket_id} is claimed by {holder} until {expires.isoformat()}")

        final_category = category or decision.category
        final_risk = risk or decision.risk
        queue = review_queue_for(policy, decision, category=final_category, queue=queue)
        sent = None if action == "reject" else (final_reply if final_reply is not None else decision.draft_reply)
        if sent is not None and not sent.strip():
            raise InvalidTicket("final_reply: the reply is empty; reject the draft to send nothing",
                                field="final_reply")
        distance = edit_distance(decision.draft_reply, sent) if sent is not None else 0
        corrected = (final_category, final_risk, queue) != (decision.category, decision.risk, decision.queue)
        learns = action in ("accept", "edit") or corrected
        case_id = case_id_for(f"ticket:{ticket.id}") if learns else None
        review = ReviewRow(
            ticket_id=ticket.id, decision_id=decision.id, reviewer_id=reviewer_id, reviewer_name=reviewer_name,
            action=action, reason_code=reason_code, note=note, draft_reply=decision.draft_reply, final_reply=sent,
            edit_distance=distance, model_category=decision.category, model_risk=decision.risk,
            model_queue=decision.queue, category=final_category, risk=final_risk, queue=queue,
            labels_corrected=corrected, ticket_version=expected_version, sla_due_at=decision.sla_due_at,
            case_id=case_id, created_at=now,
        )
        session.add(review)
        ticket.status = "reviewed"
        ticket.claimed_by = None
        ticket.claim_expires_at = None
        try:
            session.flush()  # UPDATE ... WHERE version = expected: a concurrent writer makes this fail
        except StaleDataError as exc:
            session.rollback()
            raise Conflict(f"stale write: ticket {ticket_id} changed while you reviewed it; reload it",
                           field="version") from exc
        record_event(
            session, ticket_id=ticket.id, actor=key_actor(reviewer_id), action="reviewed", at=now,
            data={"reviewer": reviewer_name, "review_id": review.id, "action": action, "reason_code": reason_code,
                  "decision_id": decision.id, "version_read": expected_version, "version_written": ticket.version,
                  "before": {"category": decision.category, "risk": decision.risk, "queue": decision.queue},
                  "after": {"category": final_category, "risk": final_risk, "queue": queue},
                  "edit_distance": distance, "versions": decision.versions},
        )
        session.commit()
        version = ticket.version
        case = None
        if learns and case_id is not None:
            case = Case(
                id=case_id, key=f"ticket:{ticket.id}", source="review",
                text=redact(f"{ticket.subject}\n\n{ticket.body}".strip()).text, language=ticket.language,
                category=final_category, also=[c for c in dict.fromkeys(also or ()) if c != final_category],
                risk=final_risk, queue=queue, channel=ticket.channel,
                reporter_type=ticket.reporter_type,
                final_reply=redact(sent).text if sent is not None else None,
                outcome=f"review_{action}", status=_case_status(action, distance > 0, corrected),
                extra={"review_action": action, **({"reason_code": reason_code} if reason_code else {})},
            )
        session.expunge(review)

    learned = False
    if case is not None:
        # after the commit, outside any transaction: embed, then write DB row + vector (idempotent by id)
        try:
            upsert_cases([case], store=store, embedder=embedder, sessions=sessions, ticket_id=ticket_id)
            learned = True
        except Exception:  # the review stands; the case can be re-learned by reviewing again
            log.exception("could not add the reviewed ticket to the case memory", extra={"ticket": ticket_id})
        with sessions.begin() as session:
            record_event(
                session, ticket_id=ticket_id, actor="system:review", action="learned" if learned else "learn_failed",
                data={"case_id": case_id, "status": case.status, "category": case.category, "risk": case.risk,
                      "queue": case.queue})
    return ReviewResult(review=review, ticket_version=version, case_id=case_id, learned=learned)


# -- history -------------------------------------------------------------------------------------
def ticket_history(session: Session, ticket_id: str) -> list[AuditEvent]:
    """The ticket's append-only audit trail, oldest first."""
    if session.get(Ticket, ticket_id) is None:
        raise NotFound(f"no ticket with id {ticket_id}")
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.ticket_id == ticket_id).order_by(AuditEvent.id)))


def actor_labels(session: Session, events: list[AuditEvent]) -> dict[str, str]:
    """How each event's actor is shown: `role:name` for a key (never its id: key ids are kept to the
    audit table), `system:...` as it is."""
    ids = {e.actor.removeprefix("key:") for e in events if e.actor.startswith("key:")}
    rows = session.execute(select(ApiKey.id, ApiKey.role, ApiKey.name).where(ApiKey.id.in_(ids))).all() if ids else []
    labels = {f"key:{key_id}": f"{role}:{name}" for key_id, role, name in rows}
    return {e.actor: labels.get(e.actor, "key:unknown" if e.actor.startswith("key:") else e.actor) for e in events}


def latest_review(session: Session, ticket_id: str) -> ReviewRow | None:
    return session.scalar(select(ReviewRow).where(ReviewRow.ticket_id == ticket_id)
                          .order_by(ReviewRow.created_at.desc(), ReviewRow.id).limit(1))


# -- queue ---------------------------------------------------------------------------------------
@dataclass
class QueueItem:
    ticket: Ticket
    decision: DecisionRow
    claimed_by_name: str | None
    claim_active: bool


@dataclass
class QueuePage:
    items: list[QueueItem]
    total: int
    limit: int
    offset: int


def _latest_join() -> Any:
    latest = (select(DecisionRow.ticket_id, func.max(DecisionRow.seq).label("seq"))
              .group_by(DecisionRow.ticket_id).subquery())
    return (select(Ticket, DecisionRow)
            .join(latest, latest.c.ticket_id == Ticket.id)
            .join(DecisionRow, and_(DecisionRow.ticket_id == Ticket.id, DecisionRow.seq == latest.c.seq)))


def review_queue(
    session: Session, *, policy: Policy, queue: str | None = None, risk: str | None = None,
    language: str | None = None, status: str = "open", limit: int = 50, offset: int = 0,
    now: datetime | None = None,
) -> QueuePage:
    """Tickets to review, most severe risk first, then the earliest SLA deadline."""
    now = now or utcnow()
    if status not in QUEUE_STATUSES:
        raise InvalidTicket(f"status: must be one of {', '.join(QUEUE_STATUSES)}", field="status")
    _check_labels(policy, None, risk, queue)
    query = _latest_join().where(Ticket.status.in_(QUEUE_STATUSES[status]))
    if queue:
        query = query.where(DecisionRow.queue == queue)
    if risk:
        query = query.where(DecisionRow.risk == risk)
    if language:
        query = query.where(Ticket.language == language.lower())
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    severity = case({level: i for i, level in enumerate(policy.risk_order)}, value=DecisionRow.risk,
                    else_=len(policy.risk_order))
    rows = session.execute(query.order_by(severity, DecisionRow.sla_due_at, Ticket.created_at, Ticket.id)
                           .limit(limit).offset(offset)).all()
    names = _key_names(session, {t.claimed_by or "" for t, _ in rows})
    items = []
    for t, d in rows:
        active = claim_is_active(t, now)
        items.append(QueueItem(ticket=t, decision=d, claimed_by_name=names.get(t.claimed_by or "") if active else None,
                               claim_active=active))
    return QueuePage(items=items, total=int(total), limit=limit, offset=offset)


# -- stats ---------------------------------------------------------------------------------------
@dataclass
class Stats:
    since: datetime
    until: datetime
    tickets: int = 0
    by_queue: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_risk: dict[str, int] = field(default_factory=dict)
    by_path: dict[str, int] = field(default_factory=dict)
    sla: dict[str, Any] = field(default_factory=dict)
    reviews: dict[str, Any] = field(default_factory=dict)
    agreement: dict[str, dict[str, Any]] = field(default_factory=dict)
    reviewers: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def review_stats(session: Session, *, since: datetime, until: datetime, now: datetime | None = None) -> Stats:
    """Volumes, SLA breaches, draft acceptance and edit rates, model–reviewer agreement, per reviewer.

    Volumes and SLA count tickets received in [since, until); review figures count reviews made then.
    """
    now = now or utcnow()
    stats = Stats(since=since, until=until)
    rows = session.execute(_latest_join().where(Ticket.created_at >= since, Ticket.created_at < until)).all()
    first_review = dict(session.execute(
        select(ReviewRow.ticket_id, func.min(ReviewRow.created_at)).group_by(ReviewRow.ticket_id)
        .where(ReviewRow.ticket_id.in_([t.id for t, _ in rows] or [""]))).all())
    queues: Counter[str] = Counter()
    cats: Counter[str] = Counter()
    risks: Counter[str] = Counter()
    paths: Counter[str] = Counter()
    breached_by_queue: Counter[str] = Counter()
    open_breached = late_reviews = on_time = 0
    for t, d in rows:
        queues[d.queue] += 1
        cats[d.category] += 1
        risks[d.risk] += 1
        paths[d.path] += 1
        reviewed_at = as_utc(first_review.get(t.id))
        due = as_utc(d.sla_due_at)
        assert due is not None
        if reviewed_at is None:
            if due < now:
                open_breached += 1
                breached_by_queue[d.queue] += 1
        elif reviewed_at > due:
            late_reviews += 1
            breached_by_queue[d.queue] += 1
        else:
            on_time += 1
    stats.tickets = len(rows)
    stats.by_queue, stats.by_category, stats.by_risk, stats.by_path = (
        dict(queues.most_common()), dict(cats.most_common()), dict(risks.most_common()), dict(paths.most_common()))
    breaches = open_breached + late_reviews
    stats.sla = {"breached": breaches, "open_past_due": open_breached, "reviewed_late": late_reviews,
                 "reviewed_on_time": on_time, "breach_rate": _rate(breaches, len(rows)),
                 "breached_by_queue": dict(breached_by_queue.most_common())}

    reviews = list(session.scalars(select(ReviewRow).where(ReviewRow.created_at >= since,
                                                           ReviewRow.created_at < until)))
    actions = Counter(r.action for r in reviews)
    sent = [r for r in reviews if r.action != "reject"]
    unchanged = sum(r.edit_distance == 0 for r in sent)
    stats.reviews = {
        "total": len(reviews), "by_action": {a: actions.get(a, 0) for a in ACTIONS},
        "draft_acceptance_rate": _rate(unchanged, len(reviews)),
        "draft_edit_rate": _rate(len(sent) - unchanged, len(reviews)),
        "draft_reject_rate": _rate(actions.get("reject", 0), len(reviews)),
        "mean_edit_distance": round(sum(r.edit_distance for r in sent) / len(sent), 1) if sent else None,
        "labels_corrected": sum(r.labels_corrected for r in reviews),
        "by_reason": dict(Counter(r.reason_code for r in reviews if r.reason_code).most_common()),
    }
    per_cat: dict[str, Counter[str]] = defaultdict(Counter)
    for r in reviews:
        cnt = per_cat[r.model_category]
        cnt["reviewed"] += 1
        cnt["category_agreed"] += r.category == r.model_category
        cnt["risk_agreed"] += r.risk == r.model_risk
        cnt["queue_agreed"] += r.queue == r.model_queue
    stats.agreement = {
        cat: {"reviewed": cnt["reviewed"], "category_agreement": _rate(cnt["category_agreed"], cnt["reviewed"]),
              "risk_agreement": _rate(cnt["risk_agreed"], cnt["reviewed"]),
              "queue_agreement": _rate(cnt["queue_agreed"], cnt["reviewed"])}
        for cat, cnt in sorted(per_cat.items())
    }
    per_reviewer: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for r in reviews:
        per_reviewer[(r.reviewer_id, r.reviewer_name)][r.action] += 1
    stats.reviewers = sorted(
        ({"name": name, "total": sum(cnt.values()), **{a: cnt.get(a, 0) for a in ACTIONS}}
         for (_, name), cnt in per_reviewer.items()),
        key=lambda x: (-x["total"], x["name"]))
    return stats


def stats_window(since: datetime | None, until: datetime | None, *, days: float = 7) -> tuple[datetime, datetime]:
    """Fill in a window: until defaults to now, since to `days` before until; naive times are UTC."""
    until = until or utcnow()
    try:
        since = since or until - timedelta(days=days)
    except OverflowError:  # an `until` in year 1
        raise InvalidTicket(f"until: must leave room for a {days:g}-day window; send since too",
                            field="until") from None
    try:  # stored times are UTC; a time at the edge of the calendar has no UTC equivalent
        until = until.astimezone(UTC) if until.tzinfo else until.replace(tzinfo=UTC)
        since = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
    except OverflowError:
        raise InvalidTicket("since/until: out of the range of dates in UTC", field="until") from None
    if since >= until:
        raise InvalidTicket("since: must be before until", field="since")
    return since, until
