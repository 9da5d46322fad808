"""What the customer is told about their claim, in their language, on the
channel they prefer.

Texts are Jinja templates in ``templates/notices/``: ``NAME.LANG.txt``, and
``NAME.sms.LANG.txt`` where an SMS needs a shorter one. The channel is the
customer's preferred one (``customers.preferred_channel``), else the one they
last wrote on; when that cannot be used (no address on file, no mailbox or
Twilio configured) the next of email, letter and SMS is tried, and the reasons
are kept for the error when none can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound
from sqlalchemy.orm import Session

from claims.models import CONTACT_CHANNELS, Customer
from config import SUPPORTED_LANGUAGES, Settings
from inbox.models import Message, OutboundMessage, Thread
from inbox.outbound import ReplyError, queue_on_channel

NOTICES = Path(__file__).resolve().parents[2] / "templates" / "notices"
FALLBACK_ORDER = ("email", "letter", "sms")


@dataclass(frozen=True)
class Sent:
    outbound: OutboundMessage
    channel: str
    language: str
    text: str


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(NOTICES), undefined=StrictUndefined,
                       keep_trailing_newline=True, autoescape=False)  # noqa: S701 - plain text


def render(name: str, language: str, channel: str, context: Mapping[str, Any]) -> str:
    """The notice ``name`` in ``language`` (English when missing) for ``channel``."""
    env = _env()
    lang = language if language in SUPPORTED_LANGUAGES else "en"
    candidates = [f"{name}.sms.{lang}.txt"] if channel == "sms" else []
    candidates += [f"{name}.{lang}.txt", f"{name}.en.txt"]
    for candidate in candidates:
        try:
            template = env.get_template(candidate)
        except TemplateNotFound:
            continue
        return template.render(**context).strip()
    raise LookupError(f"no notice template {name!r}")


def language_of(thread: Thread, customer: Customer) -> str:
    lang = thread.language or customer.language or "en"
    return lang if lang in SUPPORTED_LANGUAGES else "en"


def show_date(day: date | datetime, language: str, settings: Settings) -> str:
    if isinstance(day, datetime):
        day = day.astimezone(ZoneInfo(settings.timezone)).date()
    return format_date(day, format="long", locale=language)


def channels_for(session: Session, thread: Thread, customer: Customer,
                 wanted: str | None = None) -> list[str]:
    """Channels to try, best first: the one asked for, the customer's
    preferred one, the one they last wrote on, then the rest."""
    last = session.scalars(
        sa.select(Message.channel)
        .where(Message.thread_id == thread.id, Message.direction == "inbound",
               Message.auto.is_(False), Message.channel.in_(CONTACT_CHANNELS))
        .order_by(Message.received_at.desc(), Message.id.desc()).limit(1)
    ).first()
    order = [c for c in (wanted, customer.preferred_channel, last, *FALLBACK_ORDER) if c]
    return list(dict.fromkeys(order))


def send_notice(
    session: Session, settings: Settings, thread: Thread, name: str,
    context: Mapping[str, Any], now: datetime, *, author_id: int | None,
    channel: str | None = None, subject: str = "",
) -> Sent:
    """Queue notice ``name`` to the thread's customer; :class:`ReplyError`
    naming every channel tried when none can carry it. With ``channel`` given
    only that channel is tried."""
    customer = session.get(Customer, thread.customer_id)
    assert customer is not None
    language = language_of(thread, customer)
    if channel is not None and channel not in CONTACT_CHANNELS:
        raise ReplyError(f"cannot write on {channel!r}; channels are "
                         f"{', '.join(CONTACT_CHANNELS)}")
    tried = [channel] if channel else channels_for(session, thread, customer)
    failures = []
    for option in tried:
        text = render(name, language, option, {"name": customer.name, **context})
        try:
            with session.begin_nested():
                outbound = queue_on_channel(session, settings, option, thread.id, text, now,
                                            author_id=author_id, subject=subject)
        except ReplyError as exc:
            failures.append(f"{option}: {exc}")
            continue
        return Sent(outbound, option, language, text)
    raise ReplyError("cannot reach the customer: " + "; ".join(failures))
