"""API keys: created once (the plain key is shown once), stored as a SHA-256 hash, checked per request."""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from triage.db.models import ApiKey, utcnow
from triage.errors import AuthError, NotFound

__all__ = ["Role", "authenticate", "create_key", "revoke_key"]

KEY_PREFIX = "trg_"


class Role(StrEnum):
    service = "service"
    reviewer = "reviewer"
    analyst = "analyst"
    admin = "admin"


def _hash(key: str) -> str:
    # API keys are 256-bit random tokens, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, role: Role, name: str) -> tuple[ApiKey, str]:
    """Create a key; return the row and the plain key (never stored)."""
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=name, role=role.value, prefix=plain[:12], key_hash=_hash(plain))
    session.add(row)
    session.flush()
    return row, plain


def authenticate(session: Session, plain: str) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(plain)))
    if row is None or row.revoked_at is not None:
        raise AuthError("unknown or revoked API key")
    return row


def revoke_key(session: Session, *, key_id: str) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"no API key {key_id}")
    row.revoked_at = utcnow()
    session.flush()
    return row
