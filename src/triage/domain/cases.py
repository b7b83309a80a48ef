"""Past cases: resolved tickets with their final labels and the reply that was sent."""

from __future__ import annotations

import hashlib
import uuid

from pydantic import BaseModel, Field

__all__ = ["Case", "CaseHit", "case_id_for"]

_NAMESPACE = uuid.UUID("6f1c3d0e-2b8a-4c57-9d4e-7a1b2c3d4e5f")


def case_id_for(key: str) -> str:
    """A stable UUID for a case key (source id or content hash): re-imports upsert, never duplicate."""
    return str(uuid.uuid5(_NAMESPACE, key))


class Case(BaseModel):
    id: str = Field(description="stable UUID derived from the source key")
    key: str = Field(description="source key: an external id, or a content hash")
    text: str
    language: str | None = None
    category: str
    risk: str
    queue: str | None = None
    channel: str | None = None
    reporter_type: str | None = None
    final_reply: str | None = None
    outcome: str | None = None
    status: str = "accepted"
    source: str = "import"
    extra: dict[str, str] = Field(default_factory=dict, description="other labels, e.g. learned ones")

    @staticmethod
    def content_key(text: str) -> str:
        return "sha256:" + hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()


class CaseHit(BaseModel):
    case: Case
    similarity: float
