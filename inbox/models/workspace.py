"""What the workspace keeps beside the conversation: API tokens of users and
the team's canned responses."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, IdMixin, utcnow
from inbox.models.users import User


class ApiToken(IdMixin, Base):
    """A personal access token for ``/api/v1``. Only its sha256 is stored; the
    token is shown once, when it is made. It acts with its user's role."""

    __tablename__ = "api_tokens"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the token, to tell tokens apart in a list.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class CannedResponse(IdMixin, Base):
    """A reply text the team reuses, one row per language of the same ``key``.
    ``body`` may name placeholders: ``{name}``, ``{claim_number}``,
    ``{policy_number}``, ``{missing_documents}``, ``{agent_name}``."""

    __tablename__ = "canned_responses"
    __table_args__ = (sa.UniqueConstraint("key", "language"),)

    key: Mapped[str] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
