"""Personal API tokens: ``Authorization: Bearer ibx_...`` on ``/api/v1``.

A token is random (256 bits), shown once when it is issued, and stored only as
its sha256 (a fast hash is right for high-entropy secrets: there is nothing to
guess). It acts with its user's role, so the API obeys the same permission
matrix as the pages. Tokens can expire and be revoked; a deactivated user's
tokens stop working with them.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from inbox import audit
from inbox.models import ApiToken, User

PREFIX = "ibx_"
# last_used_at is written at most this often per token (no write per request).
TOUCH_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, name: str, now: datetime, *,
                expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the row and the token itself (the
    only time it is seen)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=token_hash(token),
                   prefix=token[:12], created_at=now, expires_at=expires_at)
    session.add(row)
    session.flush()
    audit.record(session, user, "api_token.issued", now, actor_id=user.id,
                 token_id=row.id, name=row.name)
    return row, token


def user_for_token(session: Session, token: str, now: datetime) -> User | None:
    """The active user a valid token belongs to, else None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalars(sa.select(ApiToken).where(
        ApiToken.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
    return user


def revoke_token(session: Session, token_id: int, now: datetime, *,
                 actor_id: int | None = None) -> ApiToken | None:
    row = session.get(ApiToken, token_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(session, row.user, "api_token.revoked", now, actor_id=actor_id,
                     token_id=row.id)
    return row
