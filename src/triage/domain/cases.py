"""Past cases: resolved tickets with their final labels and the reply that was sent."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from triage.domain.tickets import Channel, ReporterType, check_text

__all__ = ["Case", "category_list", "CaseHit", "CaseOutcome", "ReplyStatus", "SeedCase", "case_id_for"]

_NAMESPACE = uuid.UUID("6f1c3d0e-2b8a-4c57-9d4e-7a1b2c3d4e5f")


def category_list(value: Any) -> Any:
    """Categories from a cell: a list as it is, a JSON list, or names separated by commas (empty: none). Anything
    else is returned unchanged for the caller's validation to refuse."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except ValueError:
            return value  # reported by the model as not a list
    return [part.strip() for part in text.split(",") if part.strip()]


def case_id_for(key: str) -> str:
    """A stable UUID for a case key (source id or content hash): re-imports upsert, never duplicate."""
    return str(uuid.uuid5(_NAMESPACE, key))


class Case(BaseModel):
    id: str = Field(description="stable UUID derived from the source key")
    key: str = Field(description="source key: an external id, or a content hash")
    text: str
    language: str | None = None
    category: str | None = Field(default=None, description=(
        "the case's (first) category; None only for a case whose labels rule categories out without naming one "
        "(partially labelled data: every category not in `unknown` is known not to apply). Such a case teaches "
        "only the one-vs-rest heads, as a negative; the vote, the category model and the drafts skip it"))
    also: list[str] = Field(default_factory=list, description=(
        "secondary categories: the case is also these (a post can be hateful and threatening); the one-vs-rest "
        "heads learn from them"))
    unknown: list[str] = Field(default_factory=list, description=(
        "categories this case's labels say nothing about (partially labelled data: the source did not ask); the "
        "one-vs-rest heads and their calibration leave the case out for these, instead of counting it a negative"))
    risk: str | None = Field(default=None, description="the case's risk level; None only for a case without a category")
    queue: str | None = None
    channel: str | None = None
    reporter_type: str | None = None
    final_reply: str | None = None
    outcome: str | None = None
    status: str = "accepted"
    source: str = "import"
    extra: dict[str, str] = Field(default_factory=dict, description="other labels, e.g. learned ones")

    @model_validator(mode="after")
    def _labelled_or_ruling_out(self) -> Case:
        if self.category is None:
            if self.also:
                raise ValueError("a case without a category has no secondary ones: name the first as `category`")
            if not self.unknown:
                raise ValueError("a case without a category needs `unknown`: the categories its labels leave open "
                                 "(the others are ruled out)")
        elif self.risk is None:
            raise ValueError("a case with a category needs a risk")
        return self

    @property
    def labelled(self) -> bool:
        """Whether the case names a category (False: it only rules categories out)."""
        return self.category is not None

    @staticmethod
    def content_key(text: str) -> str:
        return "sha256:" + hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()


class CaseHit(BaseModel):
    case: Case
    similarity: float


class CaseOutcome(StrEnum):
    """What was done in the end; the closed set of labelled case files (documented in seed/README.md)."""

    content_removed = "content_removed"
    account_suspended = "account_suspended"
    escalated_law_enforcement = "escalated_law_enforcement"
    escalated_emergency_services = "escalated_emergency_services"
    age_restricted = "age_restricted"
    no_violation_found = "no_violation_found"
    account_restored = "account_restored"
    appeal_upheld = "appeal_upheld"
    appeal_denied = "appeal_denied"
    information_provided = "information_provided"
    data_disclosed_under_legal_process = "data_disclosed_under_legal_process"
    request_rejected = "request_rejected"
    label_applied = "label_applied"


class ReplyStatus(StrEnum):
    """How the reply of a labelled case was sent: as drafted, or after a reviewer edited it."""

    accepted = "accepted"
    edited = "edited"


_LANGUAGE = re.compile(r"[a-z]{2,3}")
_REGION = re.compile(r"[A-Z]{2}")


class SeedCase(BaseModel):
    """One labelled case row of a case file (`seed/cases.jsonl`, or an operator's JSONL/CSV).

    The model checks each row on its own; whether category, risk and queue agree with the loaded policy
    is checked by `triage.services.case_validation.validate_cases`. The field order is the key order of
    the bundled seed file.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=200, description="stable id, written once and never reused")
    subject: str = Field(max_length=1000, description="the ticket subject as the reporter wrote it")
    body: str = Field(description="the ticket text as the reporter wrote it")
    language: str = Field(description="ISO 639-1 code, 2-3 lowercase letters")
    region: str | None = Field(default=None, description="ISO 3166-1 alpha-2 country, 2 uppercase letters")
    channel: Channel
    reporter_type: ReporterType
    category: str = Field(description="a category of policy/taxonomy.yaml")
    also: list[str] = Field(default_factory=list, description="secondary categories of policy/taxonomy.yaml: the "
                            "case is also these (a post can be hateful and threatening)")
    risk: str = Field(description="a risk level of policy/taxonomy.yaml, not below the category's floor")
    queue: str | None = Field(default=None, description="the queue policy/routing.yaml routes the case to")
    final_reply: str | None = Field(default=None, description="the reply that was sent to the reporter")
    outcome: CaseOutcome | None = None
    status: ReplyStatus

    @field_validator("region", "queue", "final_reply", "outcome", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        return None if value == "" else value  # an empty CSV cell

    @field_validator("also", mode="before")
    @classmethod
    def _list_cell(cls, value: Any) -> Any:
        return category_list(value)  # a CSV cell

    @field_validator("subject", "body", "final_reply")
    @classmethod
    def _plain_text(cls, value: str | None, info: Any) -> str | None:
        return check_text(value, info.field_name) if value is not None else None

    @field_validator("body")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the body is empty")
        return value

    @field_validator("language")
    @classmethod
    def _iso_language(cls, value: str) -> str:
        if not _LANGUAGE.fullmatch(value):
            raise ValueError(f"{value!r} is not an ISO 639-1 code (2-3 lowercase letters, e.g. 'en')")
        return value

    @field_validator("region")
    @classmethod
    def _iso_region(cls, value: str | None) -> str | None:
        if value is not None and not _REGION.fullmatch(value):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country (2 uppercase letters, e.g. 'DE')")
        return value
