"""The book of business of one demo customer, planned as plain data: policies
with realistic limits and deductibles, and claims.

Amounts are in the customer's local currency (GBP, EUR, CZK, SEK, IDR): that
is what the customer's messages quote. Numbers follow the default patterns
(``POL-\\d{6}``, ``CLM-\\d{4}-\\d{6}``) and are unique per customer index.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

PRODUCTS = ("motor", "contents", "home", "travel", "health")
_PRODUCT_WEIGHTS = (30, 25, 20, 15, 10)
# Local currency per pound sterling, roughly, times the local price level (a
# house in Bandung is not insured for what one in Bristol is).
FX: dict[str, Decimal] = {
    "en": Decimal(1), "de": Decimal("1.17"), "el": Decimal("0.76"), "cs": Decimal("17.4"),
    "sv": Decimal("13.3"), "id": Decimal(5000),
}
# Amounts below shown with pence/cents; the others are written in whole units.
_CENTS = {"en", "de", "el"}
# In pounds: (coverage limits, deductibles, claim amount range).
_TERMS: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[int, int]]] = {
    "home": ((250_000, 350_000, 450_000, 600_000), (250, 500, 1000), (900, 24_000)),
    "contents": ((25_000, 40_000, 60_000, 100_000), (100, 250, 500), (300, 8000)),
    "motor": ((9000, 14_000, 22_000, 35_000), (250, 500, 750), (400, 9000)),
    "travel": ((10_000, 25_000, 50_000), (0, 50, 100), (150, 3500)),
    "health": ((50_000, 100_000, 250_000, 1_000_000), (0, 150, 300, 500), (300, 12_000)),
}
_EXCLUSIONS: dict[str, tuple[str, ...]] = {
    "home": ("wear and tear", "gradual leaks", "unoccupied over 60 days", "subsidence"),
    "contents": ("unattended bicycles", "cash over limit", "business equipment"),
    "motor": ("racing and track days", "unlisted drivers", "commercial use"),
    "travel": ("pre-existing conditions", "extreme sports", "travel against official advice"),
    "health": ("cosmetic treatment", "pre-existing conditions", "experimental treatment"),
}
CLAIM_OPEN = ("received", "in_review", "info_requested", "escalated")


@dataclass
class PlannedPolicy:
    number: str
    product: str
    status: str
    start_date: date
    end_date: date | None
    renewal_date: date | None
    coverage_limit: Decimal
    deductible: Decimal
    exclusions: list[str]


@dataclass
class PlannedClaim:
    number: str
    policy_number: str
    product: str
    status: str
    loss_date: date
    amount_claimed: Decimal
    description: str
    created_at: datetime


@dataclass
class Numbers:
    """Policy and claim numbers: a fixed bijection of (customer index, slot), so
    the same customer always gets the same numbers and no two collide."""

    policy_offset: int
    claim_offset: int

    @classmethod
    def for_seed(cls, seed: int) -> Numbers:
        rng = random.Random(f"numbers:{seed}")
        return cls(rng.randrange(1_000_000), rng.randrange(1_000_000))

    def policy(self, index: int, slot: int) -> str:
        return f"POL-{(self.policy_offset + (index * 4 + slot) * 7919) % 1_000_000:06d}"

    def claim(self, index: int, slot: int, year: int) -> str:
        return f"CLM-{year}-{(self.claim_offset + (index * 8 + slot) * 7927) % 1_000_000:06d}"


@dataclass
class Book:
    language: str
    policies: list[PlannedPolicy] = field(default_factory=list)
    claims: list[PlannedClaim] = field(default_factory=list)


def nice(amount: Decimal) -> Decimal:
    """Two significant figures: 10,150,000 → 10,000,000; 1,755 → 1,800."""
    if amount <= 0:
        return Decimal(0)
    step = Decimal(10) ** (math.floor(math.log10(amount)) - 1)
    return (amount / step).quantize(Decimal(1)) * step


def money(rng: random.Random, language: str, low: int, high: int) -> Decimal:
    """A claimed amount between ``low`` and ``high`` pounds, in local currency."""
    value = Decimal(rng.uniform(low, high)).quantize(Decimal("0.01")) * FX[language]
    if language in _CENTS:
        return value.quantize(Decimal("0.01"))
    step = Decimal(1000) if language == "id" else Decimal(10)
    return (value / step).quantize(Decimal(1)) * step


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plan_policies(rng: random.Random, book: Book, numbers: Numbers, index: int,
                  today: date) -> None:
    count = rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
    products: list[str] = []
    while len(products) < count:
        product = rng.choices(PRODUCTS, weights=_PRODUCT_WEIGHTS)[0]
        if product not in products:
            products.append(product)
    for slot, product in enumerate(products):
        limits, deductibles, _ = _TERMS[product]
        fx = FX[book.language]
        status = "active" if slot == 0 else rng.choices(
            ("active", "expired", "lapsed", "cancelled", "pending"), weights=(80, 6, 5, 5, 4)
        )[0]
        inception = today - timedelta(days=rng.randint(120, 2600))
        years = 0
        while add_years(inception, years + 1) <= today:
            years += 1
        term_start = add_years(inception, years)
        end: date | None = add_years(term_start, 1) - timedelta(days=1)
        renewal: date | None = add_years(term_start, 1)
        if status in ("expired", "lapsed", "cancelled"):
            end = today - timedelta(days=rng.randint(10, 300))
            inception = min(inception, end - timedelta(days=200))
            renewal = None
        elif status == "pending":
            inception = today + timedelta(days=rng.randint(5, 30))
            end = add_years(inception, 1) - timedelta(days=1)
            renewal = add_years(inception, 1)
        book.policies.append(PlannedPolicy(
            number=numbers.policy(index, slot), product=product, status=status,
            start_date=inception, end_date=end, renewal_date=renewal,
            coverage_limit=nice(Decimal(rng.choice(limits)) * fx),
            deductible=nice(Decimal(rng.choice(deductibles)) * fx),
            exclusions=sorted(rng.sample(_EXCLUSIONS[product], rng.randint(1, 2))),
        ))


def renew_soon(policy: PlannedPolicy, renewal: date) -> None:
    """Move ``policy``'s term so that it renews on ``renewal``."""
    policy.renewal_date = renewal
    policy.end_date = renewal - timedelta(days=1)
    policy.start_date = min(policy.start_date, add_years(renewal, -1))


def claim_amount(rng: random.Random, language: str, policy: PlannedPolicy) -> Decimal:
    _, _, (low, high) = _TERMS[policy.product]
    return min(money(rng, language, low, high), policy.coverage_limit)


def settlement(claim: PlannedClaim, policy: PlannedPolicy) -> Decimal:
    """What an approved claim pays: the amount less the deductible."""
    paid = max(claim.amount_claimed - policy.deductible, claim.amount_claimed / 2)
    return paid.quantize(Decimal("0.01") if claim.amount_claimed % 1 else Decimal(1))
