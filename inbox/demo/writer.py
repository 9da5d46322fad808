"""The pen of one demo customer: it keeps the customer's book (adding the
claims their messages talk about), fills templates, picks plausible times and
turns texts into channel messages."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from inbox.demo import channels
from inbox.demo.book import Book, Numbers, PlannedClaim, PlannedPolicy, claim_amount
from inbox.demo.channels import PlannedMessage
from inbox.demo.people import Address, Country, Person, national_format
from inbox.demo.texts import PACKS, render

T = TypeVar("T")
# (first hour, last hour, weekdays only) in the sender's zone; letters are
# scanned in the mailroom in London.
_HOURS = {"email": (7, 23, False), "sms": (8, 22, False), "call": (8, 19, False),
          "letter": (9, 17, True)}
_MAILROOM = ZoneInfo("Europe/London")


@dataclass
class Customer:
    """A customer of the plan: who, how to reach them, their book and messages."""

    index: int
    ref: str
    person: Person
    country: Country
    address: Address
    email: str
    phone: str
    created_at: datetime
    book: Book
    messages: list[PlannedMessage] = field(default_factory=list)
    stories: list[str] = field(default_factory=list)


def unique(used: set[str], make: Callable[[], T], key: Callable[[T], str] = str) -> T:
    """``make()`` until it gives something no other demo person has (two
    customers sharing an address or a number would be one customer to the core)."""
    for _ in range(1000):
        value = make()
        if key(value) not in used:
            used.add(key(value))
            return value
    raise RuntimeError("demo data ran out of unique identities")


class Writer:
    """Writes one customer's messages, adding the claims they talk about to
    the customer's book."""

    def __init__(self, rng: random.Random, now: datetime, customer: Customer,
                 numbers: Numbers, used: set[str]) -> None:
        self.rng, self.now, self.c, self.numbers, self.used = rng, now, customer, numbers, used
        self.pack = PACKS[customer.person.language]
        self._claim_slots = 0

    # -- the book ---------------------------------------------------------

    def policy(self) -> PlannedPolicy:
        active = [p for p in self.c.book.policies if p.status == "active"]
        return self.rng.choice(active)

    def claim(self, policy: PlannedPolicy, status: str, created_at: datetime,
              loss_date: date | None = None) -> PlannedClaim:
        created_at = min(created_at, self.now - timedelta(minutes=1)).replace(microsecond=0)
        loss_date = loss_date or (created_at - timedelta(days=self.rng.randint(1, 6))).date()
        loss = self.rng.choice(self.pack.losses[policy.product])
        found = PlannedClaim(
            number=self.numbers.claim(self.c.index, self._claim_slots, created_at.year),
            policy_number=policy.number, product=policy.product, status=status,
            loss_date=loss_date, amount_claimed=claim_amount(self.rng, self.pack.code, policy),
            description=render(loss, {}, gender=self.c.person.gender), created_at=created_at,
        )
        self._claim_slots += 1
        self.c.book.claims.append(found)
        return found

    def policy_of(self, claim: PlannedClaim) -> PlannedPolicy:
        return next(p for p in self.c.book.policies if p.number == claim.policy_number)

    # -- words ------------------------------------------------------------

    def values(self, policy: PlannedPolicy | None = None, claim: PlannedClaim | None = None,
               **extra: Any) -> dict[str, Any]:
        pack, who = self.pack, self.c.person
        if policy is None and claim is not None:
            policy = self.policy_of(claim)
        product = pack.products[policy.product] if policy else ""
        values: dict[str, Any] = {
            "first": who.first, "last": who.last, "name": who.name,
            "phone": national_format(self.c.phone),
            "policy": policy.number if policy else "",
            "product": product, "Product": product[:1].upper() + product[1:],
            "deductible": pack.format_money(policy.deductible) if policy else "",
            "claim": claim.number if claim else "",
            "loss": claim.description if claim else "",
            "loss_date": pack.format_date(claim.loss_date) if claim else "",
            "amount": pack.format_money(claim.amount_claimed) if claim else "",
        }
        values.update(extra)
        return values

    def pick(self, templates: Any) -> Any:
        return self.rng.choice(list(templates))

    def render(self, template: str, values: dict[str, Any], who: Person | None = None) -> str:
        who = who or self.c.person
        return render(template, values, gender=who.gender, partner=self.c.person.gender)

    # -- time -------------------------------------------------------------

    def moment(self, lo: datetime, hi: datetime, channel: str) -> datetime:
        """A time in ``[lo, hi]`` (and before now) when people do this: within
        the channel's hours in the sender's zone, if the window has any."""
        hi = min(hi, self.now - timedelta(minutes=3))
        if hi <= lo:
            return min(lo, hi).replace(microsecond=0)
        first, last, weekdays = _HOURS[channel]
        zone = _MAILROOM if channel == "letter" else ZoneInfo(self.c.country.timezone)
        spans = []
        day = lo.astimezone(zone).date()
        while day <= hi.astimezone(zone).date():
            if not (weekdays and day.weekday() >= 5):
                opens = datetime.combine(day, time(first), zone)
                closes = datetime.combine(day, time(last - 1, 59), zone)
                if max(opens, lo) < min(closes, hi):
                    spans.append((max(opens, lo), min(closes, hi)))
            day += timedelta(days=1)
        if not spans:
            spans = [(lo, hi)]
        seconds = self.rng.uniform(0, sum((b - a).total_seconds() for a, b in spans))
        for a, b in spans:
            if seconds <= (b - a).total_seconds():
                return (a + timedelta(seconds=seconds)).astimezone(UTC).replace(microsecond=0)
            seconds -= (b - a).total_seconds()
        return spans[-1][1].astimezone(UTC).replace(microsecond=0)

    def after(self, at: datetime, end: datetime, hours: tuple[float, float],
              channel: str) -> datetime | None:
        """A moment ``hours`` after ``at`` if the story still has room for it."""
        lo = at + timedelta(hours=hours[0])
        hi = min(end, at + timedelta(hours=hours[1]))
        if lo >= min(hi, self.now - timedelta(minutes=3)):
            return None
        return self.moment(lo, hi, channel)

    # -- channels ---------------------------------------------------------

    def email(self, at: datetime, subject: str, text: str, *, recipient: str = "",
              **kw: Any) -> PlannedMessage:
        message = channels.email(
            self.rng, at, sender=kw.pop("sender", self.c.email),
            name=kw.pop("name", self.c.person.name), subject=subject, text=text,
            recipient=recipient or channels.CLAIMS_ADDRESS, **kw,
        )
        self.c.messages.append(message)
        return message

    def new_email(self, at: datetime, kind: str, values: dict[str, Any],
                  recipient: str = "") -> PlannedMessage:
        subject, body = self.pick(self.pack.email[kind])
        return self.email(at, self.render(subject, values), self.render(body, values),
                          recipient=recipient)

    def reply(self, to: PlannedMessage, at: datetime, kind: str,
              values: dict[str, Any]) -> PlannedMessage:
        """The customer answers our reply to ``to`` (whose Message-ID is all we
        know of), or, now and then, follows up on their own mail."""
        _, body = self.pick(self.pack.email[kind])
        original = to.inbound
        prefix = self.pick(self.pack.reply_prefixes)
        references: tuple[str, ...] = (original.external_id,)
        in_reply_to = original.external_id
        if self.rng.random() < 0.7:
            in_reply_to = f"{channels.hex_token(self.rng, 20)}@{channels.INSURER_DOMAIN}"
            references += (in_reply_to,)
        return self.email(at, f"{prefix} {original.subject}", self.render(body, values),
                          recipient=original.recipient, in_reply_to=in_reply_to,
                          references=references)

    def sms(self, at: datetime, text: str) -> PlannedMessage:
        message = channels.sms(self.rng, at, sender=self.c.phone, text=text,
                               recipient=self.c.country.service_number)
        self.c.messages.append(message)
        return message

    def call(self, at: datetime, text: str, *, status: str = "completed",
             voicemail: bool = False) -> PlannedMessage:
        if status != "completed":
            duration, recording = 0, None
        elif voicemail:
            recording = self.rng.randint(15, 55)
            duration = recording + self.rng.randint(12, 25)
        else:
            duration, recording = self.rng.randint(70, 540), None
        message = channels.call(self.rng, at, sender=self.c.phone, text=text,
                                recipient=self.c.country.service_number, status=status,
                                duration=duration, voicemail=recording)
        self.c.messages.append(message)
        return message

    def letter(self, at: datetime, kind: str, values: dict[str, Any],
               sender: Address | None = None) -> PlannedMessage:
        sender = sender or self.c.address
        subject, body = self.pick(self.pack.letter[kind])
        text = self.pack.letter_frame.format(
            name=self.c.person.name, address=sender.text, city=sender.city,
            date=self.pack.format_date(at.date()), re=self.render(subject, values),
            body=self.render(body, values),
        )
        message = channels.letter(self.rng, at, address=sender.text, name=self.c.person.name,
                                  text=text)
        self.c.messages.append(message)
        return message

    def unique(self, make: Callable[[], T], key: Callable[[T], str] = str) -> T:
        return unique(self.used, make, key)
