"""Reviewer web sessions, held on the server, and the secret that signs their cookies.

A session is a random 256-bit token: the cookie carries it (signed), the database keeps only its
SHA-256 with the key id, the CSRF token and the expiry. Signing out deletes the row, so the old
cookie is worth nothing; revoking the key ends its sessions too. Knowing a key id (the audit trail
used to show them) gives nothing: there is no cookie to forge without a token that exists.

The signing secret is `TRIAGE_SESSION_SECRET` when set (refused when weak, in every environment);
otherwise one is generated once per data directory (`<data_dir>/session.key`, mode 0600) and shared
by every process that uses that directory.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from triage.config import Settings
from triage.db.models import ApiKey, WebSession, utcnow

__all__ = ["SECRET_FILE", "SignedIn", "end_session", "find_session", "session_secret", "start_session"]

log = logging.getLogger(__name__)

SECRET_FILE = "session.key"


def session_secret(settings: Settings) -> str:
    """The configured secret, or the data directory's generated one (created on first use)."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    return _generated_secret(Path(settings.data_dir))


def _generated_secret(data_dir: Path) -> str:
    path = data_dir / SECRET_FILE
    for _ in range(50):
        if path.exists():
            value = path.read_text(encoding="ascii").strip()
            if len(value) >= 64:
                return value
            time.sleep(0.01)  # another process is writing it
            continue
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)  # atomic, and fails if another process won the race: then use theirs
            log.info("generated the session secret", extra={"path": str(path)})
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
    raise RuntimeError(f"could not read the session secret at {path}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class SignedIn:
    key_id: str
    name: str
    role: str
    csrf: str


def start_session(sessions: sessionmaker[Session], *, key_id: str, lifetime: timedelta) -> str:
    """A new session for the key; returns the token for the cookie. Lapsed sessions of the key go."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with sessions.begin() as session:
        session.execute(delete(WebSession).where(WebSession.key_id == key_id, WebSession.expires_at <= now))
        session.add(WebSession(id=_digest(token), key_id=key_id, csrf=secrets.token_urlsafe(24), created_at=now,
                               expires_at=now + lifetime))
    return token


def find_session(sessions: sessionmaker[Session], token: str, *, now: datetime | None = None) -> SignedIn | None:
    """The live session of this token, with its key (not revoked), or None."""
    now = now or utcnow()
    with sessions() as session:
        row = session.get(WebSession, _digest(token))
        if row is None or row.expires_at <= now:
            return None
        key = session.get(ApiKey, row.key_id)
        if key is None or key.revoked_at is not None:
            return None
        return SignedIn(key_id=key.id, name=key.name, role=key.role, csrf=row.csrf)


def end_session(sessions: sessionmaker[Session], token: str) -> None:
    with sessions.begin() as session:
        session.execute(delete(WebSession).where(WebSession.id == _digest(token)))
