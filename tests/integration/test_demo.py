"""Demo data: the templates against the real intake rules, the plan's
determinism, and ``create_demo_data`` through the real core on each database
(plus ``inbox demo-data`` on a private SQLite file)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from claims.identifiers import normalize_address
from claims.models import (
    ACCOUNT_ISSUE_KINDS,
    AccountIssue,
    Claim,
    Customer,
    CustomerIdentity,
    Policy,
)
from inbox.cli import Context, cli
from inbox.demo import DemoSeedError, create_demo_data, demo_seed, plan_demo
from inbox.demo.texts import EMAIL_KINDS, LANGUAGES, LETTER_KINDS, PACKS, SHORT_KINDS, render
from inbox.intake.classify import classify_account_issue
from inbox.intake.language import detect_language
from inbox.models import ROLES, FailedIntake, Message, Thread, User

SEED = 7
CUSTOMERS = 30
CALLING_CODES = {"en": "+44", "de": "+49", "el": "+30", "cs": "+420", "sv": "+46", "id": "+62"}
PRODUCTS = {"home", "motor", "travel", "health", "contents"}


# The texts: every template, in both genders, as the intake core reads it.


def _sample_values(code: str) -> dict[str, Any]:
    pack = PACKS[code]
    product = pack.products["contents"]
    return {
        "first": "Alex", "last": "Doe", "name": "Alex Doe", "cust_name": "Sam Doe",
        "cust_first": "Sam", "policy": "POL-123456", "claim": "CLM-2026-004321",
        "product": product, "Product": product[:1].upper() + product[1:],
        "loss": pack.losses["home"][0], "loss_date": pack.format_date(date(2026, 2, 3)),
        "amount": pack.format_money(Decimal("1234.50")),
        "approved_date": pack.format_date(date(2026, 2, 10)),
        "renewal_date": pack.format_date(date(2026, 3, 31)),
        "move_date": pack.format_date(date(2026, 3, 1)),
        "return_date": pack.format_date(date(2026, 3, 9)),
        "new_address": "Street 1, 12345 City", "account": "DE89 3704 0044 0532 0130 00",
        "phone": "07700 900123", "deductible": pack.format_money(Decimal(250)),
    }


def _templates(code: str) -> Iterator[tuple[str, str | None, str, str]]:
    """(label, expected account-issue kind or "any", subject, text) of every template."""
    pack = PACKS[code]
    for kind, pairs in pack.email.items():
        for subject, body in pairs:
            yield f"email:{kind}", EMAIL_KINDS[kind], subject, body
    for kind, texts in pack.short.items():
        for body in texts:
            yield f"short:{kind}", SHORT_KINDS[kind], "", body
    for kind, pairs in pack.letter.items():
        for subject, body in pairs:
            text = pack.letter_frame.format(name="Alex Doe", address="Street 1\n12345 City",
                                            city="City", date="3.2.2026", re=subject, body=body)
            yield f"letter:{kind}", LETTER_KINDS[kind], "", text
    for prefix, body in pack.auto_reply:
        yield "auto_reply", "any", f"{prefix} Re: x", body
    for product, losses in pack.losses.items():
        for loss in losses:
            yield f"loss:{product}", None, "", loss


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_template_reads_as_its_language_and_kind(code: str) -> None:
    assert set(PACKS[code].email) == set(EMAIL_KINDS)
    assert set(PACKS[code].short) == set(SHORT_KINDS)
    assert set(PACKS[code].letter) == set(LETTER_KINDS)
    wrong = []
    for label, expected, subject_template, body_template in _templates(code):
        for gender in ("m", "f"):
            values = _sample_values(code)
            subject = render(subject_template, values, gender=gender, partner=gender)
            text = render(body_template, values, gender=gender, partner=gender)
            assert not re.search(r"[{}]|\[\[|<<", subject + text), label
            found = classify_account_issue(subject, text)
            kind = found[0] if found else None
            language = detect_language(f"{subject}\n{text}", tuple(LANGUAGES))
            if expected not in ("any", kind) or language != code:
                wrong.append(f"{label} ({gender}): kind {kind}, language {language}: {text!r}")
    assert not wrong, "\n".join(wrong)


def test_money_and_dates_are_written_the_local_way() -> None:
    amount, day = Decimal("1234.5"), date(2026, 2, 3)
    assert [PACKS[c].format_money(amount) for c in LANGUAGES] == [
        "£1,234.50", "1.234,50 €", "1.234,50 €", "1 235 Kč", "1 235 kr", "Rp 1.235"]
    assert [PACKS[c].format_date(day) for c in LANGUAGES] == [
        "3 February 2026", "03.02.2026", "03/02/2026", "3. 2. 2026", "3 februari 2026",
        "3 Februari 2026"]


# The plan: pure data from the seed.


def _digest(planned: list[Any]) -> list[Any]:
    return [
        (c.ref, c.person, c.email, c.phone, c.address, c.book,
         [(m.inbound, m.filed_at) for m in c.messages])
        for c in planned
    ]


def test_the_plan_is_the_same_for_a_seed_and_grows_at_the_end(now: datetime) -> None:
    first = plan_demo(SEED, now, 18)
    assert _digest(first) == _digest(plan_demo(SEED, now, 18))
    assert _digest(plan_demo(SEED, now, 24)[:18]) == _digest(first)
    other = plan_demo(SEED + 1, now, 18)
    assert [c.person for c in other] != [c.person for c in first]


def test_the_plan_keeps_numbers_and_identities_unique_and_times_in_the_window(
    now: datetime,
) -> None:
    planned = plan_demo(SEED, now, 120)
    policies = [p.number for c in planned for p in c.book.policies]
    claims = [k.number for c in planned for k in c.book.claims]
    assert len(set(policies)) == len(policies)
    assert len(set(claims)) == len(claims)
    assert all(re.fullmatch(r"POL-\d{6}", n) for n in policies)
    assert all(re.fullmatch(r"CLM-\d{4}-\d{6}", n) for n in claims)
    people = [c.email for c in planned] + [c.phone for c in planned]
    people += [normalize_address(c.address.text) or "" for c in planned]
    assert len(set(people)) == len(people)
    times = [m.inbound.received_at for c in planned for m in c.messages]
    assert min(times) >= now - timedelta(days=20)
    assert max(times) < now
    for c in planned:
        for k in c.book.claims:
            assert k.created_at <= now
            named = [m.inbound.received_at for m in c.messages if k.number in m.inbound.text]
            assert all(k.created_at <= at for at in named), k.number


# The database: the real core files every message.


@pytest.fixture
def demo(session: Session, now: datetime) -> Session:
    report = create_demo_data(session, now, seed=SEED, customers=CUSTOMERS)
    assert report.customers_created == CUSTOMERS
    assert report.messages_failed == 0
    assert report.messages_filed > CUSTOMERS * 2
    return session


def test_customers_have_names_identities_and_a_book_in_six_languages(demo: Session) -> None:
    customers = demo.scalars(sa.select(Customer).where(Customer.ref.like("DEMO-%"))).all()
    assert len(customers) == CUSTOMERS
    assert Counter(c.language for c in customers) == dict.fromkeys(LANGUAGES, CUSTOMERS // 6)
    greek = [c.name for c in customers if c.language == "el"]
    assert all(re.search(r"[α-ωΑ-Ω]", name) for name in greek)
    assert any(re.search(r"[áčďéěíňóřšťúůýž]", c.name) for c in customers if c.language == "cs")
    for customer in customers:
        kinds = {i.kind: i.value for i in customer.identities}
        assert set(kinds) == {"email", "phone", "address", "customer_ref"}
        assert kinds["phone"].startswith(CALLING_CODES[customer.language])
        # Reserved domains only (RFC 2606): a reply can never reach a real person.
        assert re.search(r"(\.example|@example\.(com|net|org))$", kinds["email"])
        assert customer.address
        assert customer.verified
        assert customer.policies
    policies = demo.scalars(sa.select(Policy)).all()
    assert {p.product for p in policies} == PRODUCTS
    assert all(p.coverage_limit and p.coverage_limit > p.deductible for p in policies)
    claims = demo.scalars(sa.select(Claim)).all()
    assert len({c.status for c in claims}) >= 6
    assert all(c.loss_date and c.amount_claimed and c.description for c in claims)


def test_messages_are_filed_in_their_language_threaded_and_linked(
    demo: Session, now: datetime
) -> None:
    assert demo.scalar(sa.select(sa.func.count()).select_from(FailedIntake)) == 0
    rows = demo.execute(
        sa.select(Message.channel, Message.language.label("detected"), Message.auto,
                  Customer.language.label("expected"), Message.extras)
        .join(Customer, Customer.id == Message.customer_id)
    ).all()
    assert {r.channel for r in rows} == {"email", "call", "sms", "letter"}
    assert {r.detected for r in rows if r.detected} == set(LANGUAGES)
    # Every book customer's message is detected in the customer's language
    # (a missed call has no text, hence no language).
    misread = [r for r in rows if r.expected and r.detected != r.expected
               and not (r.channel == "call" and r.detected is None)]
    assert not misread
    assert any(r.auto for r in rows)
    rules = Counter(r.extras["thread_rule"] for r in rows)
    assert {"new", "references", "recent", "claim"} <= set(rules)
    identified = Counter(r.extras["identified_by"] for r in rows)
    assert {"email", "phone", "address", "new"} <= set(identified)

    issue_types = set(demo.scalars(sa.select(Thread.issue_type).distinct()))
    assert {"claim", "renewal", "account_change", "complaint", "payment_delay"} <= issue_types
    assert set(demo.scalars(sa.select(AccountIssue.kind).distinct())) == set(
        ACCOUNT_ISSUE_KINDS) - {"other"}
    assert demo.scalar(sa.select(sa.func.count()).select_from(Thread)
                       .where(Thread.claim_id.is_not(None))) >= CUSTOMERS // 3
    # Auto-replies join the thread they answer (through References).
    for thread in demo.scalars(sa.select(Thread).join(Message).where(Message.auto)):
        assert any(not m.auto for m in thread.messages)
    # Unknown senders became new, unverified customers.
    assert demo.scalar(sa.select(sa.func.count()).select_from(Customer)
                       .where(Customer.verified.is_(False))) >= 1
    dues = demo.scalars(sa.select(Thread.due_at).where(Thread.needs_reply)).all()
    assert any(d < now for d in dues)
    assert any(d > now for d in dues)


def test_each_story_of_the_plan_ends_up_in_one_thread_of_its_own(
    demo: Session, now: datetime
) -> None:
    """The plan lays stories out so that the threading rules keep them apart;
    this checks the layout and the core's threading together."""
    story_of = {m.inbound.external_id: m.story
                for c in plan_demo(SEED, now, CUSTOMERS) for m in c.messages}
    threads: dict[int, set[str]] = {}
    for thread_id, external_id in demo.execute(sa.select(Message.thread_id, Message.external_id)):
        threads.setdefault(thread_id, set()).add(story_of[external_id])
    assert all(len(stories) == 1 for stories in threads.values())
    stories = [story for found in threads.values() for story in found]
    assert len(stories) == len(set(stories)) == len(set(story_of.values()))


def test_users_cover_every_role(demo: Session) -> None:
    users = demo.scalars(sa.select(User).where(User.email.like("%@insurer.example"))).all()
    assert {u.role for u in users} == set(ROLES)
    assert "rep1@insurer.example" in {u.email for u in users}
    from werkzeug.security import check_password_hash

    from inbox.demo import DEMO_PASSWORD

    assert all(check_password_hash(u.password_hash, DEMO_PASSWORD) for u in users)


def _snapshot(session: Session) -> dict[str, Any]:
    """What the demo wrote, without database ids (sequences differ after a rollback)."""
    session.expire_all()
    threads = sorted(
        (t.customer.ref or t.customer.name, t.issue_type or "", t.claim.number if t.claim else "",
         tuple(sorted(m.external_id for m in t.messages)))
        for t in session.scalars(sa.select(Thread))
    )
    counts = {
        model.__name__: session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (Customer, CustomerIdentity, Policy, Claim, Message, Thread, AccountIssue,
                      User)
    }
    return {"threads": threads, "counts": counts}


def test_same_seed_same_data_and_a_second_run_adds_nothing(
    session: Session, now: datetime
) -> None:
    savepoint = session.begin_nested()
    create_demo_data(session, now, seed=SEED, customers=12)
    first = _snapshot(session)
    savepoint.rollback()
    assert demo_seed(session) is None

    create_demo_data(session, now, seed=SEED, customers=12)
    assert _snapshot(session) == first
    assert demo_seed(session) == SEED

    again = create_demo_data(session, now + timedelta(hours=5), seed=SEED, customers=12)
    assert (again.customers_created, again.customers_present, again.users_created) == (0, 12, 0)
    assert _snapshot(session) == first

    with pytest.raises(DemoSeedError, match=f"seed {SEED}"):
        create_demo_data(session, now, seed=SEED + 1, customers=2)


# The command, on its own SQLite file (it commits).


@pytest.fixture
def run_cli(tmp_path: Path) -> Iterator[Any]:
    env = {
        "INBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "INBOX_INSTANCE_DIR": str(tmp_path / "instance"),
        "INBOX_BLOB_DIR": str(tmp_path / "blobs"),
    }
    contexts: list[Context] = []

    def run(*args: str) -> Result:
        contexts.append(Context())
        return CliRunner().invoke(cli, list(args), obj=contexts[-1], env=env)

    yield run
    for ctx in contexts:
        ctx.close()


def test_cli_fills_in_batches_and_refuses_to_duplicate(run_cli: Any) -> None:
    assert run_cli("migrate").exit_code == 0
    help_text = run_cli("demo-data", "--help").output
    assert "Safe to run again" in help_text
    assert "DEMO-<seed>-<n>" in help_text

    first = run_cli("demo-data", "--customers", "8", "--seed", "3", "--batch-size", "3")
    assert first.exit_code == 0, first.output
    assert "created 8 customers" in first.output
    assert "9 users" in first.output

    more = run_cli("demo-data", "--customers", "10", "--seed", "3")
    assert more.exit_code == 0, more.output
    assert "created 2 customers" in more.output
    assert "8 customers were already present" in more.output

    again = run_cli("demo-data", "--customers", "10", "--seed", "3")
    assert again.exit_code == 0, again.output
    assert "already present: 10 customers, nothing added" in again.output

    other = run_cli("demo-data", "--customers", "4", "--seed", "4")
    assert other.exit_code == 1
    assert "made with seed 3" in other.output
