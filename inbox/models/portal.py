"""The customer portal's sign-ins and sessions (inbox.portal).

Neither table holds a secret a reader of the database could use: a sign-in
link's token and an SMS code are derived from the row's ``salt`` with the
app's secret key (only their sha256 is kept, for the lookup), and a portal
session's cookie token is kept as its sha256.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, IdMixin


class PortalSignIn(IdMixin, Base):
    """One request to sign in: a link by email or a code by SMS. A request
    whose contact and reference matched nobody is kept too (``customer_id``
    empty, never redeemable), so the answer and the rate limits are the same
    whether or not the customer exists."""

    __tablename__ = "portal_sign_ins"
    __table_args__ = (
        sa.Index("ix_portal_sign_ins_contact", "contact_hash", "created_at"),
        sa.Index("ix_portal_sign_ins_client", "client_hash", "created_at"),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="portal_sign_in_channel"),
    )

    # In the code form's URL: which request a typed code answers.
    public_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(sa.String(8))
    # Where to send it (normalized), only while it can still be sent: cleared
    # once sent. Kept as a keyed hash for the rate limit.
    contact: Mapped[str | None] = mapped_column(sa.String(320))
    contact_hash: Mapped[str] = mapped_column(sa.String(64))
    client_hash: Mapped[str] = mapped_column(sa.String(64))
    salt: Mapped[str] = mapped_column(sa.String(64))
    # sha256 of the link's token (email only).
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    # Where the link points (the portal's public URL), kept for the sender.
    link_base: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class PortalSession(IdMixin, Base):
    """A signed-in customer. The browser holds the token; we keep its sha256."""

    __tablename__ = "portal_sessions"

    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    sign_in_id: Mapped[int] = mapped_column(sa.ForeignKey("portal_sign_ins.id"))
    language: Mapped[str] = mapped_column(sa.String(8), default="en")
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
