"""The ingest core over a corpus in six languages: nothing lost, nothing twice,
thread and customer grouping as expected. Prints how many of each case it checked."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.identifiers import normalize_identity
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.intake.core import ingest_batch
from inbox.models import FailedIntake, Message, Thread
from tests.corpus.ingest_corpus import CASES, PEOPLE, START, build


def load_book(session: Session) -> None:
    for p in PEOPLE:
        customer = Customer(ref=f"REF-{p.lang}", name=p.name, language=p.lang, address=p.address,
                            verified=True)
        session.add(customer)
        session.flush()
        for kind, value in (("email", p.email), ("phone", p.phone), ("address", p.address)):
            normalized = normalize_identity(kind, value, p.region)
            assert normalized
            session.add(CustomerIdentity(customer_id=customer.id, kind=kind, value=normalized,
                                         verified=True, source="import"))
        policy = Policy(number=p.policy, customer_id=customer.id, product="home",
                        start_date=date(2025, 1, 1), coverage_limit=Decimal("50000"))
        session.add(policy)
        session.flush()
        session.add(Claim(number=p.claim, policy_id=policy.id, loss_date=date(2026, 3, 1)))
    session.flush()


def partition(labels: dict[int, str]) -> set[frozenset[int]]:
    groups: dict[str, set[int]] = defaultdict(set)
    for index, label in labels.items():
        groups[label].add(index)
    return {frozenset(group) for group in groups.values()}


@pytest.mark.parametrize("batch", [1, 25], ids=["one-by-one", "batches"])
def test_corpus(session: Session, capsys: pytest.CaptureFixture[str], batch: int) -> None:
    """Filing one by one and in batches must give the same result (a batch
    sees what earlier messages of the same batch created)."""
    load_book(session)
    items = build()
    now = START + timedelta(days=30)
    ordered = sorted(items, key=lambda i: (i.duplicate_of is not None, i.inbound.received_at))
    results = []
    for start in range(0, len(ordered), batch):
        chunk = ordered[start:start + batch]
        filed = ingest_batch(session, [i.inbound for i in chunk], now)
        results += list(zip(chunk, filed, strict=True))

    # Nothing lost, nothing twice.
    assert session.scalar(sa.select(sa.func.count()).select_from(FailedIntake)) == 0
    originals = [i for i in items if i.duplicate_of is None]
    assert session.scalar(sa.select(sa.func.count()).select_from(Message)) == len(originals)
    by_item = {id(item): result for item, result in results}
    for item, result in results:
        assert result.message is not None, item.inbound.external_id
        if item.duplicate_of is not None:
            assert not result.created
            assert result.message.id == by_item[id(items[item.duplicate_of])].message.id
        else:
            assert result.created, item.inbound.external_id

    # Grouping: exactly the expected threads and customers.
    index = {id(item): n for n, item in enumerate(items)}
    got_threads = {index[id(i)]: str(r.message.thread_id) for i, r in results}
    got_customers = {index[id(i)]: str(r.message.customer_id) for i, r in results}
    want_threads = {index[id(i)]: i.thread for i in items}
    want_customers = {index[id(i)]: i.customer for i in items}
    assert partition(got_threads) == partition(want_threads)
    assert partition(got_customers) == partition(want_customers)

    # Per-message expectations: auto flag, language, thread link.
    for item, result in results:
        message = result.message
        assert message.auto == item.auto, item.inbound.external_id
        if item.language:
            assert message.language == item.language, (item.inbound.text, message.language)
        if item.issue_type:
            thread = session.get(Thread, message.thread_id)
            assert thread is not None
            assert thread.issue_type == item.issue_type
    claim_threads = session.scalars(sa.select(Thread).where(Thread.claim_id.is_not(None))).all()
    assert len(claim_threads) == len(PEOPLE)
    # Automatic mail never opened a thread or asked for a reply on its own.
    stray = session.scalars(sa.select(Thread).where(Thread.status == "closed")).all()
    assert stray == []

    counted = Counter(case for item in items for case in item.cases)
    counted["languages"] = len({p.lang for p in PEOPLE})
    counted["messages delivered"] = len(items)
    counted["messages filed"] = len(originals)
    assert all(counted[case] >= 6 for case in CASES), counted
    with capsys.disabled():
        summary = ", ".join(f"{k}={v}" for k, v in sorted(counted.items()))
        print(f"\ncorpus cases checked: {summary}")
