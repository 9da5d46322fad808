"""What :func:`inbox.workspace.search.search` returns: plain frozen
dataclasses (no ORM objects), for the page, the JSON API and the CLI alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

KINDS = ("customers", "threads", "claims", "policies")


class SearchError(ValueError):
    """A search that cannot run as asked (an unknown kind); the message says why."""


@dataclass(frozen=True)
class Matched:
    """What of a customer matched: ``kind`` is email, phone, customer_ref or name."""
    kind: str
    value: str


@dataclass(frozen=True)
class ThreadRef:
    id: int
    subject: str
    status: str
    last_message_at: datetime | None


@dataclass(frozen=True)
class CustomerHit:
    id: int
    name: str
    ref: str | None
    language: str | None
    exact: bool  # found by an identifier, not by name
    matched: tuple[Matched, ...]
    threads: tuple[ThreadRef, ...]  # their latest few


@dataclass(frozen=True)
class ThreadHit:
    thread_id: int
    message_id: int  # the thread's best-matching message
    subject: str
    channel: str
    direction: str
    received_at: datetime
    status: str
    language: str | None
    customer_id: int
    customer_name: str
    claim_number: str | None
    snippet: Markup  # escaped text, matches in <mark>: safe to render as is
    # Order: exact first, then subject matches, then the newest.
    exact: bool  # the thread's claim, policy or customer was found by identifier
    in_subject: bool  # the query matches the message's subject


@dataclass(frozen=True)
class ClaimHit:
    id: int
    number: str
    status: str
    policy_number: str
    customer_id: int
    customer_name: str
    thread_id: int | None  # its most recent thread, if it has one


@dataclass(frozen=True)
class PolicyHit:
    id: int
    number: str
    status: str
    product: str
    customer_id: int
    customer_name: str


@dataclass(frozen=True)
class SearchResults:
    query: str
    kinds: tuple[str, ...]
    limit: int
    offset: int
    customers: list[CustomerHit] = field(default_factory=list)
    threads: list[ThreadHit] = field(default_factory=list)
    claims: list[ClaimHit] = field(default_factory=list)
    policies: list[PolicyHit] = field(default_factory=list)
    has_more: dict[str, bool] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.customers or self.threads or self.claims or self.policies)
