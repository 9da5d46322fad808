"""The whole demo as plain data, before anything touches the database.

Everything comes from ``random.Random(seed)``: the same seed, ``now`` and count
give the same plan. Customer ``n`` gets its own generator, drawn in order from
the seed's, so a larger count only adds customers at the end: the first 30 of
a 300-customer demo are the 30 of a 30-customer demo.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from functools import partial

from inbox.demo.book import Book, Numbers, plan_policies
from inbox.demo.people import (
    COUNTRIES,
    address,
    address_key,
    email_address,
    person,
    phone_number,
)
from inbox.demo.stories import tell
from inbox.demo.texts import LANGUAGES
from inbox.demo.writer import Customer, Writer, unique

REF_PREFIX = "DEMO-"


def customer_ref(seed: int, index: int) -> str:
    return f"{REF_PREFIX}{seed}-{index + 1:05d}"


def seed_of_ref(ref: str) -> int | None:
    """The seed a demo customer ref was made with (``DEMO-7-00012`` → 7)."""
    body = ref.removeprefix(REF_PREFIX)
    seed, _, number = body.rpartition("-")
    return int(seed) if seed.isdigit() and number.isdigit() else None


def plan_demo(seed: int, now: datetime, customers: int) -> list[Customer]:
    master = random.Random(seed)
    numbers = Numbers.for_seed(seed)
    used: set[str] = set()
    planned = []
    for index in range(customers):
        rng = random.Random(master.getrandbits(64))
        language = LANGUAGES[index % len(LANGUAGES)]
        country = COUNTRIES[language]
        who = person(rng, country)
        customer = Customer(
            index=index, ref=customer_ref(seed, index), person=who, country=country,
            address=unique(used, partial(address, rng, country), address_key),
            email=unique(used, partial(email_address, rng, country, who)),
            phone=unique(used, partial(phone_number, rng, country)),
            created_at=now, book=Book(language),
        )
        plan_policies(rng, customer.book, numbers, index, now.date())
        first_day = min(p.start_date for p in customer.book.policies if p.status != "pending")
        customer.created_at = datetime.combine(first_day, time(10), tzinfo=UTC)
        writer = Writer(rng, now, customer, numbers, used)
        tell(writer)
        if rng.random() < 0.3:
            # An old claim, settled or declined, that nobody writes about any more.
            policy = customer.book.policies[0]
            age = min(400, (now.date() - policy.start_date).days - 10)
            writer.claim(policy, rng.choice(("paid", "paid", "closed", "denied")),
                         now - timedelta(days=rng.uniform(60, max(61, age))))
        planned.append(customer)
    return planned
