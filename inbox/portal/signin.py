"""Signing customers in without passwords.

A customer gives an email address or a mobile number and a policy or claim
number. When both belong to one customer, a one-time link (email) or a
six-digit code (SMS) is sent; either way the answer on the page is the same,
and a request is recorded either way (:class:`~inbox.models.PortalSignIn`,
with no customer when nothing matched), so neither the answer, nor the
rate limit, nor the database's work tells whether the address is known.

Secrets: the link's token and the SMS code are derived from the row's random
``salt`` with the app's secret key (HMAC-SHA256); the database keeps only
the token's sha256, for the lookup. A link or a code works once, until it
expires; a code allows ``code_attempts`` wrong guesses, then it is void.
A portal session is a random token in the browser's (signed) session cookie
and its sha256 here; signing out ends it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.identifiers import normalize_email, normalize_phone
from claims.models import Claim, Customer, CustomerIdentity, Policy
from config import Settings
from inbox.customers import surviving
from inbox.models import PortalSession, PortalSignIn
from inbox.workspace.tokens import token_hash as sha256

CODE_DIGITS = 6


class SignInError(ValueError):
    """The form cannot be taken as filled in; the message says what to fix
    (it never says whether a customer exists)."""


class RateLimited(Exception):  # noqa: N818 - reads as what happened
    """Too many sign-in requests for this address or from this client."""


class LinkRefused(Exception):  # noqa: N818
    """The link or code is unknown, used, expired or void (one answer for all)."""


@dataclass(frozen=True)
class Requested:
    sign_in_id: int
    public_id: str  # the code form's address (SMS)
    channel: str  # email | sms


@dataclass(frozen=True)
class SignedIn:
    token: str  # for the browser's session cookie
    customer_id: int
    language: str


def keyed(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def link_token(secret: bytes, salt: str) -> str:
    return keyed(secret, "portal-link", salt)


def sms_code(secret: bytes, salt: str) -> str:
    number = int(keyed(secret, "portal-code", salt), 16) % 10**CODE_DIGITS
    return f"{number:0{CODE_DIGITS}d}"


def read_contact(text: str, default_region: str) -> tuple[str, str]:
    """``("email"|"phone", normalized)``; :class:`SignInError` when it is neither."""
    text = text.strip()
    if "@" in text:
        email = normalize_email(text)
        if email is not None:
            return "email", email
        raise SignInError("contact")
    phone = normalize_phone(text, default_region)
    if phone is None or sum(ch.isdigit() for ch in text) < 6:
        raise SignInError("contact")
    return "phone", phone


def request_sign_in(session: Session, settings: Settings, secret: bytes, *, contact: str,
                    reference: str, client: str, language: str, link_base: str,
                    now: datetime) -> Requested:
    """Record a sign-in request; the caller sends it after commit
    (:func:`inbox.portal.delivery.send_sign_in`, matched or not)."""
    kind, value = read_contact(contact, settings.default_region)
    reference = "".join(reference.split()).upper()
    if not reference or len(reference) > 64:
        raise SignInError("reference")
    cfg = settings.portal
    contact_hash = keyed(secret, "portal-contact", f"{kind}:{value}")
    client_hash = keyed(secret, "portal-client", client)
    since = now - timedelta(minutes=cfg.request_window_minutes)
    for column, key, limit in ((PortalSignIn.contact_hash, contact_hash,
                                cfg.requests_per_contact),
                               (PortalSignIn.client_hash, client_hash,
                                cfg.requests_per_address)):
        count = session.scalar(sa.select(sa.func.count()).select_from(PortalSignIn)
                               .where(column == key, PortalSignIn.created_at > since))
        if (count or 0) >= limit:
            raise RateLimited
    customer = _matching_customer(session, kind, value, reference)
    channel = "email" if kind == "email" else "sms"
    minutes = cfg.link_minutes if channel == "email" else cfg.code_minutes
    salt = secrets.token_hex(16)
    row = PortalSignIn(
        public_id=secrets.token_urlsafe(24),
        customer_id=customer.id if customer is not None else None,
        channel=channel, contact=value if customer is not None else None,
        contact_hash=contact_hash, client_hash=client_hash, salt=salt,
        token_hash=sha256(link_token(secret, salt)) if channel == "email" else None,
        language=language, link_base=link_base[:300], created_at=now,
        expires_at=now + timedelta(minutes=minutes), attempts=0,
    )
    session.add(row)
    session.flush()
    return Requested(row.id, row.public_id, channel)


def _matching_customer(session: Session, kind: str, value: str,
                       reference: str) -> Customer | None:
    """The customer holding both the contact and the policy or claim, or None."""
    customer = session.scalars(
        sa.select(Customer).join(CustomerIdentity)
        .where(CustomerIdentity.kind == kind, CustomerIdentity.value == value)).first()
    seen: list[int] = []
    if customer is not None:
        customer, seen = surviving(session, customer)
    # The same queries whether or not the contact is known (no timing tell).
    owners = {customer.id, *seen} if customer is not None else {-1}
    policy = session.scalar(sa.select(Policy.id).where(
        sa.func.upper(Policy.number) == reference, Policy.customer_id.in_(owners)))
    claim = session.scalar(
        sa.select(Claim.id).join(Policy)
        .where(sa.func.upper(Claim.number) == reference, Policy.customer_id.in_(owners)))
    return customer if customer is not None and (policy or claim) is not None else None


def redeem_link(session: Session, settings: Settings, secret: bytes, token: str,
                now: datetime) -> SignedIn:
    """Sign in with the link's token: once, before it expires."""
    if not token or len(token) > 128:
        raise LinkRefused
    row = session.scalars(sa.select(PortalSignIn).where(
        PortalSignIn.token_hash == sha256(token))).first()
    if row is None or not hmac.compare_digest(link_token(secret, row.salt), token):
        raise LinkRefused
    return _use(session, settings, row, now)


def redeem_code(session: Session, settings: Settings, secret: bytes, public_id: str,
                code: str, now: datetime) -> SignedIn:
    """Sign in with the SMS code of request ``public_id``. Each wrong code
    counts; after ``code_attempts`` the request is void."""
    row = session.scalars(sa.select(PortalSignIn).where(
        PortalSignIn.public_id == public_id[:64], PortalSignIn.channel == "sms")
        .with_for_update()).first()
    if row is None:
        raise LinkRefused
    if row.attempts >= settings.portal.code_attempts:
        raise LinkRefused
    code = "".join(code.split())
    if not hmac.compare_digest(sms_code(secret, row.salt), code[:CODE_DIGITS * 2]):
        row.attempts += 1
        session.flush()
        raise LinkRefused
    return _use(session, settings, row, now)


def _use(session: Session, settings: Settings, row: PortalSignIn, now: datetime) -> SignedIn:
    if row.customer_id is None or row.expires_at <= now:
        raise LinkRefused
    # Conditional, so two clicks at once cannot both sign in.
    used = session.execute(
        sa.update(PortalSignIn)
        .where(PortalSignIn.id == row.id, PortalSignIn.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkRefused
    token = secrets.token_urlsafe(32)
    session.add(PortalSession(
        token_hash=sha256(token), customer_id=row.customer_id, sign_in_id=row.id,
        language=row.language, created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=settings.portal.session_hours)))
    session.flush()
    return SignedIn(token, row.customer_id, row.language)


def current_session(session: Session, token: str | None, now: datetime) -> PortalSession | None:
    """The live portal session of ``token``, its customer followed through
    merges; None when signed out, expired or unknown."""
    if not token:
        return None
    row = session.scalars(sa.select(PortalSession).where(
        PortalSession.token_hash == sha256(token))).first()
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    customer = session.get(Customer, row.customer_id)
    if customer is None:
        return None
    customer, _ = surviving(session, customer)
    if customer.id != row.customer_id:
        row.customer_id = customer.id
    if now - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = now
    return row


def sign_out(session: Session, token: str | None, now: datetime) -> None:
    if token:
        session.execute(sa.update(PortalSession)
                        .where(PortalSession.token_hash == sha256(token),
                               PortalSession.ended_at.is_(None))
                        .values(ended_at=now).execution_options(synchronize_session=False))


def issue_link(session: Session, settings: Settings, secret: bytes, *, contact: str,
               reference: str, base: str, now: datetime, language: str = "en") -> str | None:
    """A sign-in link for support staff to hand over (``inbox portal link``),
    or None when the contact and reference do not belong to one customer.
    The same rules as a link by mail: once, until it expires."""
    asked = request_sign_in(session, settings, secret, contact=contact, reference=reference,
                            client="cli", language=language, link_base=base, now=now)
    row = session.get(PortalSignIn, asked.sign_in_id)
    if row is None or row.customer_id is None:
        return None
    if row.channel != "email":  # a phone number: the link works all the same
        row.channel, row.token_hash = "email", sha256(link_token(secret, row.salt))
        row.expires_at = now + timedelta(minutes=settings.portal.link_minutes)
    row.sent_at, row.contact = now, None
    session.flush()
    url = (settings.portal.public_url or base).rstrip("/")
    return f"{url}/portal/link/{link_token(secret, row.salt)}"
