"""Sending queued replies after commit, whatever their channel."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from inbox.jobs.base import enqueue_after_commit

if TYPE_CHECKING:
    import redis
    from sqlalchemy.orm import Session

    from inbox.models import OutboundMessage


def sender_job(channel: str) -> Callable[..., Any]:
    """The job that sends a queued reply on ``channel``."""
    if channel == "email":
        from inbox.jobs.mail import send_email_reply

        return send_email_reply
    if channel == "sms":
        from inbox.jobs.twilio import send_sms_reply

        return send_sms_reply
    if channel == "letter":
        from inbox.jobs.letters import print_letter_reply

        return print_letter_reply
    raise ValueError(f"no sender for channel {channel!r}")


def send_after_commit(session: Session, outbounds: Iterable[OutboundMessage], *,
                      connection: redis.Redis | None = None) -> None:
    """Enqueue each reply's sender once ``session`` has committed."""
    for outbound in outbounds:
        enqueue_after_commit(session, sender_job(outbound.channel), outbound.id,
                             connection=connection)
