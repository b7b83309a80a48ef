"""Tickets and decisions as the outside world sees them (request and response models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from triage.domain.channels import Channel, ReporterType
from triage.domain.text import RequestModel, check_free_json, check_text, has_visible_text, iso_country, iso_language

__all__ = [
    "CategoryOut",
    "check_text",
    "Channel",
    "CriticalEvidence",
    "DecisionOut",
    "Reporter",
    "ReporterType",
    "RiskOut",
    "SimilarCase",
    "TicketIn",
    "TicketOut",
    "Versions",
]


class Reporter(RequestModel):
    type: ReporterType = Field(description="who reports: partners get tighter SLAs")
    id: str | None = Field(default=None, max_length=200, description="the reporter's id in your system")


class TicketIn(RequestModel):
    """A ticket as submitted by a client service."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "tf-2026-11-0042",
                    "channel": "partner_portal",
                    "reporter": {"type": "trusted_flagger", "id": "ngo-safekids-eu"},
                    "subject": "Account soliciting images from minors",
                    "body": "The account @fake.handle123 sends DMs to 13-year-olds asking for private "
                    "photos and offers gift cards in return. Screenshots attached in our portal.",
                    "language": "en",
                    "region": "GB",
                    "links": ["https://www.example-video.com/@fake.handle123"],
                    "metadata": {"portal_case": "PC-88812"},
                }
            ]
        },
    )

    external_id: str = Field(
        min_length=1, max_length=200, description="your id; a retry with the same id is idempotent"
    )
    channel: Channel
    reporter: Reporter
    subject: str = Field(default="", max_length=1000)
    body: str = Field(description="the ticket text (plain UTF-8)")
    language: str | None = Field(
        default=None, min_length=2, max_length=3,
        description="ISO 639-1 language code (ISO 639-3 accepted); detected when absent")
    region: str | None = Field(default=None, min_length=2, max_length=2,
                               description="ISO 3166-1 alpha-2 country code")
    links: list[str] = Field(default_factory=list, max_length=50, description="links to reported content")
    metadata: dict[str, Any] = Field(
        default_factory=dict,
        description="free metadata, stored as-is: at most 8 levels deep, 500 keys and values, 16 KiB as JSON; "
        "keys up to 200 and strings up to 4000 characters; finite numbers, 64-bit integers")

    @field_validator("links")
    @classmethod
    def _links_are_short(cls, value: list[str]) -> list[str]:
        for link in value:
            if len(link) > 2000:
                raise ValueError("a link is longer than 2000 characters")
        return value

    @field_validator("language")
    @classmethod
    def _iso_language(cls, value: str | None) -> str | None:
        return iso_language(value) if value is not None else None

    @field_validator("region")
    @classmethod
    def _iso_region(cls, value: str | None) -> str | None:
        return iso_country(value) if value is not None else None

    @field_validator("metadata")
    @classmethod
    def _bounded_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_free_json(value, "metadata")  # type: ignore[no-any-return]

    @model_validator(mode="after")
    def _has_text(self) -> TicketIn:
        if not (has_visible_text(self.subject) or has_visible_text(self.body)):
            raise ValueError("the ticket has no text: subject and body are empty or only spaces and invisible "
                             "characters")
        return self

    @property
    def text(self) -> str:
        return f"{self.subject}\n\n{self.body}".strip()


class CategoryOut(BaseModel):
    label: str
    confidence: float = Field(ge=0, le=1)
    runner_up: list[dict[str, float | str]] = Field(
        default_factory=list, description="next labels with their probabilities"
    )
    also: list[str] = Field(default_factory=list,
                            description="secondary categories with evidence (their floors count too)")


class CriticalEvidence(BaseModel):
    """A critical situation the detector found (policy/critical.yaml), and why."""

    group: str = Field(description="the exemplar group, e.g. self_harm_imminent")
    category: str
    risk: str = Field(description="the risk this hit sets at least")
    score: float = Field(description="combined evidence (noisy-OR of the calibrated sources)")
    threshold: float = Field(description="the category's threshold, chosen for recall on the case memory")
    exemplar: str = Field(description="the nearest exemplar of the group")
    exemplar_language: str
    similarity: float = Field(description="embedding cosine to that exemplar")
    ngram_similarity: float = Field(description="character n-gram overlap with the closest exemplar")
    classifier_probability: float = Field(description="the local classifier's probability of the category")
    signal: str | None = Field(default=None, description="a regex signal of the category that fired")
    probability: float = Field(default=0.0, description="the score calibrated on the case memory")


class RiskOut(BaseModel):
    level: str
    score: float = Field(ge=0, le=1, description="expected severity, 0 = low, 1 = critical")
    floor: str = Field(description="the category's policy floor")
    signals: list[str] = Field(default_factory=list, description="critical signals found locally")
    critical: list[CriticalEvidence] = Field(default_factory=list,
                                             description="the critical detector's hits, with their evidence")


class SimilarCase(BaseModel):
    id: str
    similarity: float
    category: str
    risk: str
    queue: str | None = None
    outcome: str | None = None
    language: str | None = None


class Versions(BaseModel):
    embedder: str
    policy: str
    classifier: str
    prompt: str | None = None
    model: str | None = None


class DecisionOut(BaseModel):
    id: str
    seq: int = Field(description="decisions of one ticket are numbered from 1")
    category: CategoryOut
    risk: RiskOut
    queue: str
    priority: str
    sla_due_at: datetime
    needs_human: bool
    reasons: list[str] = Field(description='why a person is needed, as "code: detail"')
    reason_codes: list[str] = Field(default_factory=list, description="the codes of `reasons`, in order")
    flags: list[str] = Field(default_factory=list, description="e.g. prompt_injection_suspected, language_uncertain")
    draft_reply: str
    rationale: str
    similar_cases: list[SimilarCase]
    path: str = Field(description="local | llm | degraded")
    versions: Versions
    timings_ms: dict[str, float]
    usage: dict[str, Any] = Field(default_factory=dict, description="LLM tokens, cost and calls, if any")
    created_at: datetime


class TicketOut(BaseModel):
    id: str
    external_id: str
    status: str
    channel: str
    reporter: Reporter
    subject: str
    body: str
    language: str
    language_detected: bool
    region: str | None
    links: list[str]
    metadata: dict[str, Any]
    created_at: datetime
    version: int = Field(description="changes with every write; send it back to avoid stale writes")
    decision: DecisionOut | None = None
