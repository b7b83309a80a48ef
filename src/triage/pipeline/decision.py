"""The shapes that pass between pipeline stages: ticket facts in, a decision draft through, a decision out.

    TicketFacts ──prepare──> Prepared (frozen: redaction, language, vector, similar cases, local
                             prediction, critical evidence, memory state)
        └──> DecisionDraft (mutable; each stage reads and updates it) ──freeze──> Decision

`DecisionPath` and `ReasonCode` are the closed sets a decision is described by; a `Reason` is a code
plus a human detail, rendered as ``"code: detail"`` where text is wanted (API, web page).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

import numpy as np

from triage.domain.cases import CaseHit
from triage.pipeline.classify import LocalPrediction
from triage.pipeline.redact import Redaction
from triage.pipeline.signals import Signal

__all__ = [
    "CriticalHit",
    "Decision",
    "DecisionDraft",
    "DecisionPath",
    "MemoryState",
    "Prepared",
    "Reason",
    "ReasonCode",
    "TicketFacts",
]


class DecisionPath(StrEnum):
    """Which path decided: the local classifier, the LLM, or the local classifier after the LLM failed."""

    local = "local"
    llm = "llm"
    degraded = "degraded"


class ReasonCode(StrEnum):
    """Why a decision needs a person (each one sets `needs_human`)."""

    no_evidence = "no_evidence"  # empty or tiny memory, unfitted classifier, store down, LLM down + unsure
    store_unavailable = "store_unavailable"
    model_unavailable = "model_unavailable"
    unknown_category_in_memory = "unknown_category_in_memory"
    conflicting_evidence = "conflicting_evidence"
    prompt_injection_suspected = "prompt_injection_suspected"
    llm_unavailable = "llm_unavailable"
    possible_category = "possible_category"
    critical_signal = "critical_signal"
    critical_detector = "critical_detector"
    critical_near_miss = "critical_near_miss"  # a critical head just below its threshold: high, with a person
    low_confidence = "low_confidence"
    critical_risk = "critical_risk"
    draft_guard = "draft_guard"
    draft_language = "draft_language"
    partly_read = "partly_read"  # the local model read only the start of a long ticket, and no LLM read it all


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"

    def as_dict(self) -> dict[str, str]:
        return {"code": str(self.code), "detail": self.detail}

    @staticmethod
    def parse(value: Any) -> Reason | None:
        """Read a stored reason: a {"code", "detail"} dict, or the "code: detail" text of older rows."""
        if isinstance(value, dict):
            code, detail = str(value.get("code", "")), str(value.get("detail", ""))
        else:
            code, _, detail = str(value).partition(": ")
        try:
            return Reason(ReasonCode(code), detail)
        except ValueError:  # a code this version does not know (older rows): keep the text
            return None


@dataclass(frozen=True)
class TicketFacts:
    """What the pipeline needs of a ticket (already validated and persisted)."""

    id: str
    subject: str
    body: str
    channel: str
    reporter_type: str
    language: str | None
    region: str | None
    received_at: datetime

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()

    @classmethod
    def from_ticket(cls, ticket: StoredTicket) -> TicketFacts:
        """The facts of a persisted ticket. A detected language is not a fact: it is detected again."""
        received = ticket.created_at if ticket.created_at.tzinfo else ticket.created_at.replace(tzinfo=UTC)
        return cls(id=ticket.id, subject=ticket.subject, body=ticket.body, channel=ticket.channel,
                   reporter_type=ticket.reporter_type, language=None if ticket.language_detected else ticket.language,
                   region=ticket.region, received_at=received)


class StoredTicket(Protocol):
    """What `TicketFacts.from_ticket` reads of a ticket row (`db.models.Ticket`; the pipeline imports no ORM)."""

    id: str
    subject: str
    body: str
    channel: str
    reporter_type: str
    language: str | None
    language_detected: bool
    region: str | None
    created_at: datetime


@dataclass(frozen=True)
class CriticalHit:
    """One critical situation the detector found, with the evidence behind it."""

    group: str  # the exemplar group in policy/critical.yaml
    category: str
    risk: str
    score: float  # the combined score, compared with the threshold
    threshold: float
    exemplar: str  # the nearest exemplar of the group
    exemplar_language: str
    similarity: float  # embedding cosine to that exemplar
    ngram_similarity: float  # character n-gram cosine to the nearest exemplar of the group
    classifier_probability: float  # the local classifier's probability of the category
    signal: str | None  # a regex signal of the category that fired, if any
    probability: float = 0.0  # the score calibrated on the memory: P(the ticket is of this category)

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class MemoryState:
    """How much the case memory can teach: empty or tiny means no evidence."""

    cases: int
    fitted: bool  # the local classifier has a model for the category label
    per_category: dict[str, int]
    thin_categories: tuple[str, ...]  # categories with fewer cases than the learning minimum
    min_cases: int
    store_ok: bool = True

    @property
    def tiny(self) -> bool:
        return self.cases < self.min_cases

    @property
    def degraded(self) -> bool:
        return self.tiny or not self.fitted or bool(self.thin_categories) or not self.store_ok


@dataclass(frozen=True)
class Prepared:
    """The CPU-bound half of a decision, computed in a worker thread for a whole batch."""

    facts: TicketFacts
    redaction: Redaction
    language: str
    language_detected: bool
    vector: np.ndarray | None  # None when the embedder failed
    hits: tuple[CaseHit, ...]
    local: LocalPrediction
    critical: tuple[CriticalHit, ...]
    signals: tuple[Signal, ...]  # regex signals found in the ticket text
    memory: MemoryState
    problems: tuple[Reason, ...]  # what went wrong while preparing (store or model down)
    timings: dict[str, float]
    language_confident: bool = True  # False: detection was unsure, the default language was kept
    # memory cases in the ticket's language, when counted (`Pipeline(min_language_cases=)`); None: not counted
    language_cases: int | None = None
    # critical heads just below their hit threshold, in the watch band (risk at most high; triage.pipeline.critical)
    near_misses: tuple[CriticalHit, ...] = ()
    # word pieces of the ticket beyond the embedding model's window (0: it read all of it; see `Embedder.unread`)
    unread: int = 0


@dataclass
class DecisionDraft:
    """The decision being made; each stage reads and updates it."""

    prepared: Prepared
    category: str
    confidence: float
    runner_up: list[dict[str, float | str]]
    risk: str
    risk_score: float
    path: DecisionPath = DecisionPath.local
    reasons: list[Reason] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)
    also: list[str] = field(default_factory=list)  # secondary categories with evidence
    rationale: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    llm_draft: str | None = None
    queue: str = ""
    priority: str = ""
    sla_due_at: datetime | None = None
    reply: str = ""
    reply_language: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def add_reason(self, code: ReasonCode, detail: str) -> None:
        self.reasons.append(Reason(code, detail))

    def has_reason(self, code: ReasonCode) -> bool:
        return any(r.code == code for r in self.reasons)


@dataclass
class Decision:
    category: str
    category_confidence: float
    runner_up: list[dict[str, float | str]]
    risk: str
    risk_score: float
    risk_floor: str
    signals: list[str]
    queue: str
    priority: str
    sla_due_at: datetime
    needs_human: bool
    reasons: list[Reason]
    flags: list[str]
    draft_reply: str
    rationale: str
    similar_cases: list[dict[str, Any]]
    path: DecisionPath
    versions: dict[str, str]
    timings_ms: dict[str, float]
    usage: dict[str, Any]
    language: str
    language_detected: bool
    probabilities: dict[str, dict[str, float]] = field(default_factory=dict)
    critical: list[CriticalHit] = field(default_factory=list)
    also: list[str] = field(default_factory=list)

    @property
    def reason_codes(self) -> list[str]:
        return [str(r.code) for r in self.reasons]
