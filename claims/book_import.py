"""Importing the book of business from CSV rows: customers, policies, claims.

Each row is parsed and validated whole before anything changes, then upserted
by its key (customer_ref, policy_number, claim_number): importing the same book
twice changes nothing. A row that cannot be imported raises no exception; it
comes back as a ``bad`` :class:`RowResult` with a reason a person can act on.

The caller reads the file and owns the transactions (one per batch of rows);
this module only flushes. Adding a column is one :class:`Field` in
:data:`BOOK_FILES` (``header_required=False`` for columns older files lack: when
absent from a file, the attribute is left as it is).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from claims.identifiers import normalize_identity
from claims.models import (
    CLAIM_STATUSES,
    CONTACT_CHANNELS,
    POLICY_STATUSES,
    Claim,
    Customer,
    CustomerIdentity,
    Policy,
)

IDENTITY_SOURCE = "import"
# Identities the book supplies; the book is their source of truth.
BOOK_IDENTITY_KINDS = ("customer_ref", "email", "phone", "address")
OUTCOMES = ("created", "updated", "unchanged", "bad")
_IDENTITIES = "(identities)"  # the normalized identities of a customer row
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BAD_BYTE_RE = re.compile("[\udc80-\udcff]")
_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{1,4})?$")
_MONEY_RE = re.compile(r"^\d{1,10}(\.\d{1,2})?$")  # Numeric(12, 2)
_IDENTITY_MAX = 320  # CustomerIdentity.value


class HeaderError(ValueError):
    """The header row cannot be used (a required column is missing, ...)."""


class RowError(ValueError):
    """One row cannot be imported; the message says why."""


@dataclass(frozen=True)
class Field:
    column: str
    parse: Callable[[str], Any]  # stripped text -> value; ValueError with a reason
    # The model attribute it sets; None when the importer uses it itself.
    attr: str | None = None
    header_required: bool = True


@dataclass(frozen=True)
class Header:
    book: BookFile
    names: tuple[str, ...]  # as in the file, stripped and lower-cased
    unknown: tuple[str, ...]  # ignored columns: the caller warns

    @cached_property
    def fields(self) -> list[tuple[int, Field]]:
        """The known columns present, with their positions."""
        by_name = {f.column: f for f in self.book.fields}
        return [(i, by_name[n]) for i, n in enumerate(self.names) if n in by_name]


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # one of OUTCOMES
    key: str = ""
    reason: str = ""


# Parsers: each takes stripped text and returns the value or raises ValueError.


def text(max_len: int, *, required: bool = False) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if required and not value:
            raise ValueError("missing")
        if len(value) > max_len:
            raise ValueError(f"longer than {max_len} characters")
        return value

    return parse


def book_number(value: str) -> str:
    """Policy and claim numbers, upper-cased as ingest finds them in free text."""
    return text(64, required=True)(value).upper()


def iso_date(value: str) -> date | None:
    if not value:
        return None
    if _DATE_RE.match(value):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    raise ValueError(f"{value!r} is not a date (yyyy-mm-dd)")


def money(value: str) -> Decimal | None:
    """A non-negative amount with at most 2 decimals that fits Numeric(12, 2)."""
    if not value:
        return None
    if not _MONEY_RE.match(value):
        raise ValueError(f"{value!r} is not a decimal amount like 1200.50")
    return Decimal(value).quantize(Decimal("0.01"))


_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")


def code(value: str) -> str | None:
    """A coded cause (``storm``, ``wear_and_tear``): lower case, digits, ``_``."""
    value = value.strip().lower().replace(" ", "_").replace("-", "_")
    if not value:
        return None
    if not _CODE_RE.match(value):
        raise RowError(f"{value!r} is not a code (letters, digits and _)")
    return value


def codes(value: str) -> list[str]:
    """Codes separated by ``;`` or ``|`` (``flood;wear_and_tear``)."""
    found = [code(part) for part in re.split(r"[;|]", value)]
    return list(dict.fromkeys(c for c in found if c))


def status(options: Sequence[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.lower()
        if value not in options:
            problem = f"unknown status {value!r}" if value else "missing"
            raise ValueError(f"{problem} (one of {', '.join(options)})")
        return value

    return parse


def channel(value: str) -> str | None:
    value = value.lower()
    if not value:
        return None
    if value not in CONTACT_CHANNELS:
        raise ValueError(f"{value!r} is not a channel (one of {', '.join(CONTACT_CHANNELS)})")
    return value


def segment(value: str) -> str | None:
    """A service segment (an SLA policy condition), lower-case; empty: none."""
    value = value.strip().lower()
    if len(value) > 32:
        raise ValueError(f"{value[:40]!r} is longer than 32 characters")
    return value or None


def language(value: str) -> str | None:
    value = value.lower().replace("_", "-")
    if not value:
        return None
    if len(value) > 8 or not _LANGUAGE_RE.match(value):
        raise ValueError(f"{value!r} is not a language code like en or de")
    return value


# The importers: one per file kind.


class Batch:
    """One batch of rows of one file, upserted in order. Subclass for another
    kind of file (``inbox.users_import`` does, for users)."""

    model: type[Any]
    key_attr: str

    def __init__(self, session: Session, header: Header, default_region: str) -> None:
        self.session = session
        self.header = header
        self.region = default_region
        self.existing: dict[str, Any] = {}

    def run(self, rows: Sequence[tuple[int, Sequence[str]]]) -> list[RowResult]:
        parsed: list[tuple[int, dict[str, Any] | RowError]] = []
        for line, cells in rows:
            try:
                parsed.append((line, self.parse(cells)))
            except RowError as exc:
                parsed.append((line, exc))
        good = [values for _, values in parsed if isinstance(values, dict)]
        if good:
            self.prefetch(good)
        results = []
        for line, values in parsed:
            if isinstance(values, RowError):
                results.append(RowResult(line, "bad", reason=str(values)))
                continue
            key = values[self.header.book.key]
            try:
                results.append(RowResult(line, self.upsert(key, values), key))
            except RowError as exc:
                results.append(RowResult(line, "bad", key, str(exc)))
        self.session.flush()
        return results

    def parse(self, cells: Sequence[str]) -> dict[str, Any]:
        if len(cells) != len(self.header.names):
            raise RowError(f"expected {len(self.header.names)} columns, found {len(cells)}")
        if any(_has_bad_bytes(cell) for cell in cells):
            raise RowError("not valid UTF-8")
        values = {}
        for index, field in self.header.fields:
            try:
                values[field.column] = field.parse(cells[index].strip())
            except ValueError as exc:
                raise RowError(f"{field.column}: {exc}") from None
        return self.check(values)

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        """Checks across columns, before any look-up; may raise RowError."""
        return values

    def prefetch(self, rows: list[dict[str, Any]]) -> None:
        keys = {row[self.header.book.key] for row in rows}
        column = getattr(self.model, self.key_attr)
        for obj in self.session.scalars(sa.select(self.model).where(column.in_(keys))):
            self.existing[getattr(obj, self.key_attr)] = obj

    def attributes(self, values: dict[str, Any]) -> dict[str, Any]:
        return {f.attr: values[f.column] for _, f in self.header.fields if f.attr}

    def upsert(self, key: str, values: dict[str, Any]) -> str:
        attrs = self.attributes(values)
        obj = self.existing.get(key)
        if obj is None:
            obj = self.model(**{self.key_attr: key}, **attrs)
            self.session.add(obj)
            self.existing[key] = obj
            return "created"
        return "updated" if _assign(obj, attrs) else "unchanged"


class _Customers(Batch):
    model = Customer
    key_attr = "ref"

    def prefetch(self, rows: list[dict[str, Any]]) -> None:
        keys = {row["customer_ref"] for row in rows}
        found = self.session.scalars(
            sa.select(Customer).where(Customer.ref.in_(keys))
            .options(selectinload(Customer.identities))
        )
        self.existing = {c.ref: c for c in found if c.ref}
        # Who holds each identity named in the batch: a Customer or its id.
        self.owners: dict[tuple[str, str], Customer | int] = {}
        values = {v for row in rows for _, v in row[_IDENTITIES]}
        if values:
            for ident in self.session.scalars(
                sa.select(CustomerIdentity).where(CustomerIdentity.value.in_(values))
            ):
                self.owners[(ident.kind, ident.value)] = ident.customer_id

    def check(self, values: dict[str, Any]) -> dict[str, Any]:
        found = []
        for kind in BOOK_IDENTITY_KINDS:
            raw = values.get(kind)
            if not raw:
                continue
            normalized = normalize_identity(kind, raw, self.region)
            if normalized is None:
                if kind == "address":
                    continue  # too short to recognise a letter by; kept as text only
                raise RowError(f"{kind}: {raw!r} is not a valid {kind}")
            if len(normalized) > _IDENTITY_MAX:
                raise RowError(f"{kind}: longer than {_IDENTITY_MAX} characters")
            found.append((kind, normalized))
        return {**values, _IDENTITIES: found}

    def upsert(self, key: str, values: dict[str, Any]) -> str:
        wanted = values[_IDENTITIES]
        customer = self.existing.get(key)
        for pair in wanted:
            owner = self.owners.get(pair)
            if owner is None or owner is customer:
                continue
            if customer is not None and owner == customer.id:
                continue
            raise RowError(f"{pair[0]}: {pair[1]} already belongs to another customer "
                           f"({self._describe(owner)})")
        outcome = super().upsert(key, values)
        customer = self.existing[key]
        changed = self._sync_identities(customer, wanted)
        return "updated" if changed and outcome == "unchanged" else outcome

    def attributes(self, values: dict[str, Any]) -> dict[str, Any]:
        return {**super().attributes(values), "verified": True}

    def _sync_identities(self, customer: Customer, wanted: list[tuple[str, str]]) -> bool:
        changed = False
        held = {(i.kind, i.value): i for i in customer.identities}
        stale = [i for pair, i in held.items() if pair not in wanted
                 and i.source == IDENTITY_SOURCE and i.kind in BOOK_IDENTITY_KINDS]
        for old in stale:
            customer.identities.remove(old)
            self.session.delete(old)
            self.owners.pop((old.kind, old.value), None)
            changed = True
        if stale:
            self.session.flush()  # free the values before another row takes them
        for kind, value in wanted:
            ident = held.get((kind, value))
            if ident is None:
                customer.identities.append(CustomerIdentity(
                    kind=kind, value=value, verified=True, source=IDENTITY_SOURCE,
                ))
                self.owners[(kind, value)] = customer
                changed = True
            elif not ident.verified:
                ident.verified = True
                changed = True
        return changed

    def _describe(self, owner: Customer | int) -> str:
        found = self.session.get(Customer, owner) if isinstance(owner, int) else owner
        return f"customer_ref {found.ref}" if found and found.ref else f"customer #{owner}"


class _Policies(Batch):
    model = Policy
    key_attr = "number"

    def prefetch(self, rows: list[dict[str, Any]]) -> None:
        super().prefetch(rows)
        refs = {row["customer_ref"] for row in rows}
        self.customers = dict(self.session.execute(
            sa.select(Customer.ref, Customer.id).where(Customer.ref.in_(refs))
        ).all())

    def attributes(self, values: dict[str, Any]) -> dict[str, Any]:
        ref = values["customer_ref"]
        if ref not in self.customers:
            raise RowError(f"customer_ref: unknown customer {ref!r}")
        return {**super().attributes(values), "customer_id": self.customers[ref]}


class _Claims(Batch):
    model = Claim
    key_attr = "number"

    def prefetch(self, rows: list[dict[str, Any]]) -> None:
        super().prefetch(rows)
        numbers = {row["policy_number"] for row in rows}
        self.policies = dict(self.session.execute(
            sa.select(Policy.number, Policy.id).where(Policy.number.in_(numbers))
        ).all())

    def attributes(self, values: dict[str, Any]) -> dict[str, Any]:
        number = values["policy_number"]
        if number not in self.policies:
            raise RowError(f"policy_number: unknown policy {number!r}")
        return {**super().attributes(values), "policy_id": self.policies[number]}


@dataclass(frozen=True)
class BookFile:
    kind: str
    key: str
    fields: tuple[Field, ...]
    batch: type[Batch]

    def header(self, names: Sequence[str]) -> Header:
        """Check a header row; raises :class:`HeaderError` when it cannot be used."""
        cleaned = tuple(name.strip().lower() for name in names)
        if not any(cleaned):
            raise HeaderError("no header row")
        if any(_has_bad_bytes(name) for name in cleaned):
            raise HeaderError("header row is not valid UTF-8")
        duplicates = sorted({n for n in cleaned if cleaned.count(n) > 1})
        if duplicates:
            raise HeaderError(f"duplicate column(s): {', '.join(duplicates)}")
        missing = [f.column for f in self.fields if f.header_required and f.column not in cleaned]
        if missing:
            raise HeaderError(
                f"missing required column(s): {', '.join(missing)} "
                f"(a {self.kind} file has {', '.join(f.column for f in self.fields)})"
            )
        known = {f.column for f in self.fields}
        return Header(self, cleaned, tuple(n for n in cleaned if n not in known))


BOOK_FILES: dict[str, BookFile] = {
    "customers": BookFile("customers", "customer_ref", (
        Field("customer_ref", text(64, required=True)),
        Field("name", text(200), "name"),
        Field("email", text(320)),
        Field("phone", text(320)),
        Field("language", language, "language"),
        Field("address", text(2000), "address"),
        Field("preferred_channel", channel, "preferred_channel", header_required=False),
        Field("segment", segment, "segment", header_required=False),
    ), _Customers),
    "policies": BookFile("policies", "policy_number", (
        Field("policy_number", book_number),
        Field("customer_ref", text(64, required=True)),
        Field("product", text(100), "product"),
        Field("status", status(POLICY_STATUSES), "status"),
        Field("start_date", iso_date, "start_date"),
        Field("end_date", iso_date, "end_date"),
        Field("renewal_date", iso_date, "renewal_date"),
        Field("coverage_limit", money, "coverage_limit"),
        Field("deductible", money, "deductible"),
        Field("exclusions", codes, "exclusions", header_required=False),
    ), _Policies),
    "claims": BookFile("claims", "claim_number", (
        Field("claim_number", book_number),
        Field("policy_number", book_number),
        Field("status", status(CLAIM_STATUSES), "status"),
        Field("loss_date", iso_date, "loss_date"),
        Field("amount_claimed", money, "amount_claimed"),
        Field("description", text(20000), "description"),
        Field("cause", code, "cause", header_required=False),
        Field("amount_approved", money, "amount_approved", header_required=False),
    ), _Claims),
}


def import_rows(
    session: Session,
    header: Header,
    rows: Sequence[tuple[int, Sequence[str]]],
    *,
    default_region: str,
) -> list[RowResult]:
    """Upsert one batch of ``(line number, cells)`` rows; only flushes.

    Returns one result per row, in order. Bad rows change nothing.
    """
    return header.book.batch(session, header, default_region).run(rows)


def _assign(obj: Any, attrs: dict[str, Any]) -> bool:
    changed = False
    for attr, value in attrs.items():
        if getattr(obj, attr) != value:
            setattr(obj, attr, value)
            changed = True
    return changed


def _has_bad_bytes(value: str) -> bool:
    """Undecodable bytes, as read with ``errors="surrogateescape"``."""
    return _BAD_BYTE_RE.search(value) is not None
