"""Letters a person must look at: the scan could not say with confidence who
wrote it (nobody matched, a number read only with OCR corrections, a poor
scan, a number belonging to someone else). The rep's choice is kept here and
in the customer's identities, so the next letter from that address is filed
without asking."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db import Base, IdMixin
from inbox.models.messages import Message

REVIEW_STATUSES = ("open", "resolved")


class LetterReview(IdMixin, Base):
    __tablename__ = "letter_reviews"
    __table_args__ = (sa.Index("ix_letter_reviews_status", "status", "created_at"),)

    message_id: Mapped[int] = mapped_column(sa.ForeignKey("messages.id"), unique=True)
    # Why a person must look (short, shown in the list).
    reasons: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default="open")
    # The customer the letter was filed under, and the one the rep chose.
    filed_customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    chosen_customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"))
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    message: Mapped[Message] = relationship()
