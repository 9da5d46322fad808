"""Book import: the domain module against the rolled-back ``session``, and the
``inbox import`` command through its own engine (committed, cleaned up after)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.book_import import BOOK_FILES, HeaderError, RowResult, import_rows
from claims.models import Claim, Customer, CustomerIdentity, Policy
from inbox.models import AuditEvent
from tests import factories as f
from tests.conftest import Invoke

CUSTOMERS = "customer_ref,name,email,phone,language,address\n"
POLICIES = (
    "policy_number,customer_ref,product,status,start_date,end_date,renewal_date,"
    "coverage_limit,deductible\n"
)
CLAIMS = "claim_number,policy_number,status,loss_date,amount_claimed,description\n"


def load(session: Session, kind: str, text: str) -> list[RowResult]:
    """Import CSV ``text`` (header included) as the CLI would, in one batch."""
    reader = csv.reader(io.StringIO(text))
    header = BOOK_FILES[kind].header(next(reader))
    rows = [(number, cells) for number, cells in enumerate(reader, start=2) if cells]
    return import_rows(session, header, rows, default_region="GB")


def outcomes(results: list[RowResult]) -> list[str]:
    return [r.outcome for r in results]


def identities(customer: Customer) -> set[tuple[str, str]]:
    return {(i.kind, i.value) for i in customer.identities}


def by_ref(session: Session, ref: str) -> Customer:
    session.expire_all()
    return session.scalars(sa.select(Customer).where(Customer.ref == ref)).one()


# The domain: claims.book_import


def test_customers_are_created_verified_with_normalized_identities(session: Session) -> None:
    results = load(session, "customers", CUSTOMERS
                   + 'K1,Jane Doe,Jane@Example.COM,020 7946 0018,EN,"1 High Street, London"\n'
                   + "K2,Bob,,,,\n")
    assert outcomes(results) == ["created", "created"]
    jane = by_ref(session, "K1")
    assert (jane.name, jane.language, jane.address, jane.verified) == (
        "Jane Doe", "en", "1 High Street, London", True)
    assert identities(jane) == {
        ("customer_ref", "K1"), ("email", "jane@example.com"), ("phone", "+442079460018"),
        ("address", "1 high street london"),
    }
    assert all(i.verified and i.source == "import" for i in jane.identities)
    assert identities(by_ref(session, "K2")) == {("customer_ref", "K2")}


def test_reimport_changes_nothing(session: Session) -> None:
    book = CUSTOMERS + "K1,Jane,jane@example.com,+44 20 7946 0018,en,1 High Street London\n"
    assert outcomes(load(session, "customers", book)) == ["created"]
    policies = POLICIES + "POL-000001,K1,home,active,2025-01-01,2025-12-31,,50000,250.50\n"
    assert outcomes(load(session, "policies", policies)) == ["created"]
    claims = CLAIMS + 'CLM-2026-000001,POL-000001,received,2026-02-01,1200,"Flood,\nkitchen"\n'
    assert outcomes(load(session, "claims", claims)) == ["created"]
    session.expire_all()

    assert outcomes(load(session, "customers", book)) == ["unchanged"]
    assert outcomes(load(session, "policies", policies)) == ["unchanged"]
    assert outcomes(load(session, "claims", claims)) == ["unchanged"]
    assert not session.dirty
    assert not session.new
    assert not session.deleted


def test_customer_update_replaces_identities_from_the_book_only(session: Session) -> None:
    load(session, "customers", CUSTOMERS + "K1,Jane,old@example.com,,en,\n")
    jane = by_ref(session, "K1")
    session.add(CustomerIdentity(customer_id=jane.id, kind="email", value="jane@work.test",
                                 source="ingest:email"))
    session.flush()

    results = load(session, "customers", CUSTOMERS + "K1,Jane Roe,new@example.com,,de,\n")
    assert outcomes(results) == ["updated"]
    jane = by_ref(session, "K1")
    assert (jane.name, jane.language) == ("Jane Roe", "de")
    # The old address from the book is gone; one learned from mail is kept.
    assert identities(jane) == {
        ("customer_ref", "K1"), ("email", "new@example.com"), ("email", "jane@work.test"),
    }


def test_import_verifies_an_identity_the_customer_already_has(session: Session) -> None:
    jane = f.customer(session, ref="K1", email="jane@example.com")
    session.execute(sa.update(CustomerIdentity).values(verified=False))
    results = load(session, "customers", CUSTOMERS + f"K1,{jane.name},jane@example.com,,en,\n")
    assert outcomes(results) == ["updated"]
    assert all(i.verified for i in by_ref(session, "K1").identities)


def test_identity_of_another_customer_is_a_bad_row_not_moved(session: Session) -> None:
    other = f.customer(session, ref="K9", email="jane@example.com", phone="+442079460018")
    results = load(session, "customers", CUSTOMERS
                   + "K1,Jane,JANE@example.com,,en,\n"
                   + "K2,Jim,,02079460018,en,\n"
                   + "K3,Ann,ann@example.com,,en,\n"
                   + "K4,Ann's twin,ann@example.com,,en,\n")
    assert outcomes(results) == ["bad", "bad", "created", "bad"]
    assert results[0].reason == (
        "email: jane@example.com already belongs to another customer (customer_ref K9)")
    assert results[1].reason.startswith("phone: +442079460018 already belongs")
    assert results[3].reason.startswith("email: ann@example.com already belongs")
    assert "customer_ref K3" in results[3].reason
    kept = session.scalars(sa.select(Customer.ref).where(Customer.ref.like("K%"))).all()
    assert sorted(kept) == ["K3", "K9"]
    session.refresh(other)
    assert ("email", "jane@example.com") in identities(other)


def test_policies_and_claims_are_created_and_updated(session: Session) -> None:
    owner = f.customer(session, ref="K1")
    results = load(session, "policies", POLICIES
                   + "pol-000001,K1,home,active,2025-01-01,2025-12-31,2025-12-01,50000,250.5\n"
                   + "POL-000002,K1,,lapsed,,,,,\n")
    assert outcomes(results) == ["created", "created"]
    first = session.scalars(sa.select(Policy).where(Policy.number == "POL-000001")).one()
    assert (first.customer_id, first.product, first.status) == (owner.id, "home", "active")
    assert (first.start_date, first.end_date, first.renewal_date) == (
        date(2025, 1, 1), date(2025, 12, 31), date(2025, 12, 1))
    assert (first.coverage_limit, first.deductible) == (Decimal("50000.00"), Decimal("250.50"))
    second = session.scalars(sa.select(Policy).where(Policy.number == "POL-000002")).one()
    assert (second.start_date, second.coverage_limit, second.product) == (None, None, "")

    results = load(session, "claims", CLAIMS
                   + "CLM-2026-000001,POL-000001,received,2026-02-01,1200.00,Burst pipe\n")
    assert outcomes(results) == ["created"]
    results = load(session, "claims", CLAIMS
                   + "CLM-2026-000001,pol-000001,approved,2026-02-01,1150,Burst pipe\n")
    assert outcomes(results) == ["updated"]
    session.expire_all()
    claim = session.scalars(sa.select(Claim).where(Claim.number == "CLM-2026-000001")).one()
    assert (claim.policy_id, claim.status, claim.amount_claimed) == (
        first.id, "approved", Decimal("1150.00"))


def test_exclusions_and_causes_are_codes(session: Session) -> None:
    f.customer(session, ref="K9")
    results = load(session, "policies", POLICIES.rstrip("\n") + ",exclusions\n"
                   + "POL-000091,K9,home,active,2026-01-01,2026-12-31,,5000,100,"
                   "Flood; wear-and-tear;flood\n")
    assert outcomes(results) == ["created"]
    policy = session.scalars(sa.select(Policy).where(Policy.number == "POL-000091")).one()
    assert policy.exclusions == ["flood", "wear_and_tear"]
    results = load(session, "claims", CLAIMS.rstrip("\n") + ",cause,amount_approved\n"
                   + "CLM-2026-000091,POL-000091,paid,2026-02-01,900,Storm,Storm,800\n"
                   + "CLM-2026-000092,POL-000091,received,2026-02-02,900,x,storm!,\n")
    assert outcomes(results) == ["created", "bad"]
    assert "cause: 'storm!' is not a code" in results[1].reason
    claim = session.scalars(sa.select(Claim).where(Claim.number == "CLM-2026-000091")).one()
    assert (claim.cause, claim.amount_approved) == ("storm", Decimal("800.00"))


@pytest.mark.parametrize(("kind", "row", "reason"), [
    ("customers", ",No Ref,,,,", "customer_ref: missing"),
    ("customers", "K1,Jane,not-an-address,,,", "email: 'not-an-address' is not a valid email"),
    ("customers", "K1,Jane,,12,,", "phone: '12' is not a valid phone"),
    ("customers", "K1,Jane,,,english!,", "language: 'english!' is not a language code"),
    ("customers", "K1,Jane,,,," + "Long Street " * 30, "address: longer than 320 characters"),
    ("customers", "K1,Jane,,,", "expected 6 columns, found 5"),
    ("customers", "K1,Jane\udcff,,,,", "not valid UTF-8"),
    ("policies", "POL-000001,NOBODY,home,active,,,,,", "customer_ref: unknown customer 'NOBODY'"),
    ("policies", ",K1,home,active,,,,,", "policy_number: missing"),
    ("policies", "POL-000001,K1,home,sleeping,,,,,", "status: unknown status 'sleeping'"),
    ("policies", "POL-000001,K1,home,,,,,,", "status: missing (one of active,"),
    ("policies", "POL-000001,K1,home,active,01/02/2025,,,,", "start_date: '01/02/2025' is not"),
    ("policies", "POL-000001,K1,home,active,2025-02-30,,,,", "start_date: '2025-02-30' is not"),
    ("policies", "POL-000001,K1,home,active,,,,1e5,", "coverage_limit: '1e5' is not a decimal"),
    ("policies", "POL-000001,K1,home,active,,,,,-5", "deductible: '-5' is not a decimal"),
    ("policies", "POL-000001,K1,home,active,,,,,1.005", "deductible: '1.005' is not a decimal"),
    ("claims", "CLM-2026-000001,POL-999999,received,,,", "policy_number: unknown policy 'POL-9"),
    ("claims", "CLM-2026-000001,POL-000001,lost,,,", "status: unknown status 'lost'"),
    ("claims", "CLM-2026-000001,POL-000001,received,2026-1-5,,", "loss_date: '2026-1-5' is not"),
    ("claims", "CLM-2026-000001,POL-000001,received,,12.3.4,", "amount_claimed: '12.3.4' is not a"),
    ("claims", "CLM-2026-000001,POL-000001,received,,1,2,3", "expected 6 columns, found 7"),
])
def test_bad_rows_are_reported_and_the_good_rows_kept(
    session: Session, kind: str, row: str, reason: str
) -> None:
    owner = f.customer(session, ref="K1")
    f.policy(session, owner, number="POL-000001")
    header = {"customers": CUSTOMERS, "policies": POLICIES, "claims": CLAIMS}[kind]
    good = {
        "customers": "K2,Good,good@example.com,,en,",
        "policies": "POL-000002,K1,home,active,,,,,",
        "claims": "CLM-2026-000002,POL-000001,received,,,",
    }[kind]
    results = load(session, kind, f"{header}{good}\n{row}\n{good}\n")
    assert outcomes(results) == ["created", "bad", "unchanged"]
    assert results[1].line == 3
    assert results[1].reason.startswith(reason), results[1].reason


def test_header_problems() -> None:
    customers = BOOK_FILES["customers"]
    with pytest.raises(HeaderError, match="missing required column"):
        customers.header(["customer_ref", "name", "email", "phone", "language"])
    with pytest.raises(HeaderError, match="duplicate column"):
        customers.header([*CUSTOMERS.strip().split(","), "email"])
    with pytest.raises(HeaderError, match="no header row"):
        customers.header([""])
    header = customers.header([" Customer_Ref", *CUSTOMERS.strip().split(",")[1:], "notes"])
    assert header.unknown == ("notes",)


# The command: inbox import


def write(tmp_path: Path, name: str, text: str, *, bom: bool = False) -> str:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return str(path)


def test_cli_imports_the_book_and_a_reimport_changes_nothing(
    invoke: Invoke, engine: sa.Engine, tmp_path: Path
) -> None:
    files = {
        "customers": write(tmp_path, "customers.csv", CUSTOMERS
                           + "K1,Jane,jane@example.com,+442079460018,en,1 High Street London\n"
                           + "K2,Bob,bob@example.com,,en,\n", bom=True),
        "policies": write(tmp_path, "policies.csv", POLICIES
                          + "POL-000001,K1,home,active,2025-01-01,,,50000,250\n"
                          + "POL-000002,K2,car,active,,,,,\n"),
        "claims": write(tmp_path, "claims.csv", CLAIMS
                        + "CLM-2026-000001,POL-000001,received,2026-02-01,1200,Flood\n"
                        + "CLM-2026-000002,POL-000002,in_review,,,\n"),
    }
    for kind, path in files.items():
        result = invoke("import", kind, path)
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        assert result.stdout == f"{path}: 2 created, 0 updated, 0 unchanged, 0 bad\n"
    for kind, path in files.items():
        result = invoke("import", kind, path)
        assert result.exit_code == 0, result.output
        assert result.stdout == f"{path}: 0 created, 0 updated, 2 unchanged, 0 bad\n"

    with Session(engine) as check:
        claim = check.scalars(sa.select(Claim).where(Claim.number == "CLM-2026-000001")).one()
        assert claim.policy.customer.ref == "K1"
        runs = check.scalars(sa.select(AuditEvent).where(AuditEvent.entity_type == "import")
                             .order_by(AuditEvent.id)).all()
        assert [(e.action, e.data["kind"], e.data["created"], e.data["unchanged"])
                for e in runs[-6:]] == [
            ("book.imported", "customers", 2, 0), ("book.imported", "policies", 2, 0),
            ("book.imported", "claims", 2, 0), ("book.imported", "customers", 0, 2),
            ("book.imported", "policies", 0, 2), ("book.imported", "claims", 0, 2),
        ]


def test_cli_applies_updates(invoke: Invoke, engine: sa.Engine, tmp_path: Path) -> None:
    invoke("import", "customers", write(tmp_path, "c1.csv", CUSTOMERS + "K1,Jane,,,en,\n"
                                        + "K2,Bob,,,en,\n"))
    path = write(tmp_path, "c2.csv", CUSTOMERS + "K1,Jane Roe,,,en,\nK2,Bob,,,en,\nK3,Al,,,,\n")
    result = invoke("import", "customers", path)
    assert result.stdout == f"{path}: 1 created, 1 updated, 1 unchanged, 0 bad\n"
    with Session(engine) as check:
        assert check.scalars(sa.select(Customer.name).where(Customer.ref == "K1")).one() == (
            "Jane Roe")


def test_cli_reports_bad_rows_by_line_and_keeps_the_good_ones(
    invoke: Invoke, engine: sa.Engine, tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(
        CUSTOMERS.encode()
        + b"K1,Jane,jane@example.com,,en,\n"
        + b",Nobody,,,,\n"
        + b'K2,"Two\nlines",bad-address,,,\n'
        + b"\n"
        + b"K3,Caf\xe9,,,,\n"
        + b"K4,Short,,,\n"
        + b"K5,Five,five@example.com,,en,\n"
        + b"K6,Six,JANE@example.com,,en,\n"
        + b"K7,Seven,,,en," + b"x" * 140_000 + b"\n"
        + b"K8,Eight,,,en,\n"
    )
    # Batches of 2: line numbers and results survive the batching.
    result = invoke("import", "customers", str(path), "--batch-size", "2")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:3: customer_ref: missing",
        f"{path}:4: email: 'bad-address' is not a valid email",
        f"{path}:7: not valid UTF-8",
        f"{path}:8: expected 6 columns, found 5",
        f"{path}:10: email: jane@example.com already belongs to another customer "
        "(customer_ref K1)",
        f"{path}:11: unreadable CSV: field larger than field limit (131072)",
    ]
    assert result.stdout == f"{path}: 3 created, 0 updated, 0 unchanged, 6 bad\n"
    with Session(engine) as check:
        refs = check.scalars(sa.select(Customer.ref).where(Customer.ref.like("K%"))).all()
        assert sorted(refs) == ["K1", "K5", "K8"]


def test_cli_policies_and_claims_bad_rows(invoke: Invoke, tmp_path: Path) -> None:
    invoke("import", "customers", write(tmp_path, "c.csv", CUSTOMERS + "K1,Jane,,,,\n"))
    policies = write(tmp_path, "p.csv", POLICIES
                     + "POL-000001,K1,home,active,,,,,\n"
                     + "POL-000002,K404,home,active,,,,,\n"
                     + "POL-000003,K1,home,active,2025-13-01,,,,\n"
                     + "POL-000004,K1,home,active,,,,12.345,\n"
                     + "POL-000005,K1,home,gone,,,,,\n")
    result = invoke("import", "policies", policies)
    assert result.exit_code == 1
    assert [line.split(": ", 1)[0] for line in result.stderr.splitlines()] == [
        f"{policies}:3", f"{policies}:4", f"{policies}:5", f"{policies}:6"]
    assert "unknown customer 'K404'" in result.stderr
    claims = write(tmp_path, "cl.csv", CLAIMS
                   + "CLM-2026-000001,POL-000404,received,,,\n"
                   + "CLM-2026-000002,POL-000001,received,,,\n")
    result = invoke("import", "claims", claims)
    assert result.exit_code == 1
    assert result.stderr == f"{claims}:2: policy_number: unknown policy 'POL-000404'\n"
    assert result.stdout == f"{claims}: 1 created, 0 updated, 0 unchanged, 1 bad\n"


def test_cli_unusable_file_exits_2_and_changes_nothing(
    invoke: Invoke, engine: sa.Engine, tmp_path: Path
) -> None:
    path = write(tmp_path, "claims.csv", "claim_number,status,loss_date\nCLM-2026-000001,x,\n")
    result = invoke("import", "claims", path)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"{path}: error: missing required column(s): policy_number, amount_claimed, description")
    empty = write(tmp_path, "empty.csv", "")
    result = invoke("import", "customers", empty)
    assert (result.exit_code, result.stderr) == (2, f"{empty}: error: the file is empty\n")
    result = invoke("import", "planets", empty)
    assert result.exit_code == 2
    with Session(engine) as check:
        assert check.scalars(sa.select(Claim).where(Claim.number == "CLM-2026-000001")).all() == []


def test_cli_unknown_column_is_a_warning(invoke: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path, "c.csv", CUSTOMERS.replace("\n", ",notes\n") + "K1,Jane,,,,,VIP\n")
    result = invoke("import", "customers", path)
    assert result.exit_code == 0
    assert result.stderr == f"{path}:1: warning: unknown column 'notes' ignored\n"
    assert result.stdout == f"{path}: 1 created, 0 updated, 0 unchanged, 0 bad\n"
