"""Schemathesis against ``/api/v1/openapi.json``: every operation of the
document, with valid and invalid input, on the real app and a seeded database
(PostgreSQL and SQLite). Each response must not be a 5xx, must have a status
code, content type and body that the document gives for the operation, and the
operations that need a token must refuse requests without one (or with a
wrong one) with the documented 401.

Reproducible: Hypothesis is derandomized (the same cases on every run, no
example database), so a failure in CI is a failure on a laptop. Cost: at most
FUZZ_EXAMPLES generated cases per operation in the fuzzing phase, plus the
coverage phase's boundary cases: about 1,040 requests on each database (14
operations, 62% of them invalid input) and 40 without a token; the module
takes 65-85 s on 2 cores for both databases.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis import Case

from channels.base import InboundAttachment
from config import load_settings
from inbox import create_app, ingest
from inbox.database import Database
from tests import factories
from tests.web import bearer, token_for

pytestmark = pytest.mark.integration

OPENAPI = "/api/v1/openapi.json"
FUZZ_EXAMPLES = 25  # generated cases per operation in the fuzzing phase (each DB)
# Path ids are mapped onto the seeded rows so that most cases reach a real
# thread, customer or claim (random integers would almost all be 404s).
PATH_IDS = ("thread_id", "customer_id", "claim_id")


@pytest.fixture
def fuzz_world(committed_db: Database) -> dict[str, list[int]]:
    """Customers with policies, claims and threads on every channel."""
    now = datetime.now(UTC) - timedelta(hours=2)
    ids: dict[str, list[int]] = {name: [] for name in PATH_IDS}
    with committed_db.transaction() as s:
        for n in range(3):
            owner = factories.customer(
                s, name=f"Fuzz Customer {n}", email=f"fuzz{n}@example.com",
                phone=f"+4477009001{n:02d}", address=f"{n} Fuzz Road, York")
            policy = factories.policy(s, owner)
            claim = factories.claim(s, policy, cause="storm", loss_date=date(2026, 2, 1),
                                    amount_claimed=Decimal("900"))
            at = now + timedelta(minutes=10 * n)
            mail = ingest(s, factories.email(
                sender=f"fuzz{n}@example.com", subject=f"Roof {claim.number}",
                text="Tiles gone.", received_at=at, attachments=[InboundAttachment(
                    "roof.jpg", "image/jpeg", data=b"\xff\xd8\xff fake jpeg")]), at)
            ingest(s, factories.call(caller=f"+4477009001{n:02d}", text="About the roof.",
                                     received_at=at + timedelta(minutes=1), duration=61,
                                     direction="inbound", body_parts={"new": "Covered?"}), at)
            text = ingest(s, factories.sms(sender=f"+4477009001{n:02d}", text="Any news?",
                                           received_at=at + timedelta(minutes=2)), at)
            ids["customer_id"].append(owner.id)
            ids["claim_id"].append(claim.id)
            ids["thread_id"] += [mail.thread_id, text.thread_id]
    return ids


@pytest.fixture
def fuzz_token(committed_db: Database) -> str:
    """A supervisor's token: the role that may use every operation."""
    return token_for(committed_db, "supervisor", authority_limit=Decimal("5000"))[1]


def _document_app() -> Flask:
    """An app that only serves the document, made when the module is
    collected (it connects to nothing: the document does not depend on the
    database). The requests go to each test's app on its own database; the
    schema keeps this one so that the checks' own probes use the WSGI
    transport too, with the test's app passed along."""
    return create_app(load_settings(env={}, overrides={
        "database_url": "sqlite://", "secret_key": "only-to-serve-the-openapi-document"}))


# What the API answers a schema-valid request for a rule the document cannot
# state is a 422 saying which rule: a claim's workflow (a step its status does
# not allow, an approval above the caller's authority), an assignee who is not
# an active user, a reply on a channel the customer has no address for, a
# dashboard range over two years. For those operations only, a valid request's
# 422 is accepted by positive_data_acceptance (its other codes stay as they are).
POSITIVE_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
BUSINESS_RULES_422 = (("PATCH", "/api/v1/threads/{thread_id}"),
                      ("POST", "/api/v1/threads/{thread_id}/replies"),
                      ("POST", "/api/v1/claims/{claim_id}/actions"),
                      ("GET", "/api/v1/dashboard"))


def _config(*, modes: str, max_examples: int, whole: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "generation": {
            "mode": modes, "max-examples": max_examples, "deterministic": True,
            "database": "none",
            # Valid strings without NUL: PostgreSQL's text cannot hold one, so the
            # API refuses it (422, tested in test_api_input.py) though the document's
            # "string" allows it.
            "allow-x00": False,
            # Unknown query parameters are ignored by design (cache busters), so
            # adding one does not make a request invalid.
            "allow-extra-parameters": False,
            # The token is the test's (a valid one, or none): a generated
            # Authorization header would be replaced anyway.
            "with-security-parameters": False,
        },
        # The examples phase and the coverage phase's boundary cases, when whole.
        "phases": {"examples": {"enabled": whole}, "coverage": {"enabled": whole}},
        "operations": [{"include-method": method, "include-path": path, "checks": {
            "positive_data_acceptance": {"expected-statuses": [*POSITIVE_ACCEPTED, "422"]}}}
            for method, path in BUSINESS_RULES_422],
    })


DOCUMENT_APP = _document_app()
# With a valid token: valid and invalid input, every phase.
schema = schemathesis.openapi.from_wsgi(
    OPENAPI, DOCUMENT_APP, config=_config(modes="all", max_examples=FUZZ_EXAMPLES, whole=True))
# Without a token: a few valid requests an operation are enough to see the 401.
anonymous = schemathesis.openapi.from_wsgi(
    OPENAPI, DOCUMENT_APP, config=_config(modes="positive", max_examples=3, whole=False))
HYPOTHESIS = settings(deadline=None, derandomize=True, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                             HealthCheck.function_scoped_fixture])


def _on_seeded_rows(case: Case, world: dict[str, list[int]]) -> None:
    """Two in three positive ids become a seeded row's; the rest stay as
    generated (mostly 404s, documented too)."""
    for name, value in (case.path_parameters or {}).items():
        if name in world and isinstance(value, int) and not isinstance(value, bool) and value % 3:
            case.path_parameters[name] = world[name][value % len(world[name])]


@schema.parametrize()
@HYPOTHESIS
def test_every_operation_with_a_token(case: Case, app_with_redis: Flask,
                                      fuzz_world: dict[str, list[int]], fuzz_token: str) -> None:
    _on_seeded_rows(case, fuzz_world)
    case.call_and_validate(app=app_with_redis, headers=bearer(fuzz_token))


@anonymous.parametrize()
@HYPOTHESIS
def test_every_operation_refuses_no_token_with_a_documented_401(
        case: Case, app_with_redis: Flask, fuzz_world: dict[str, list[int]]) -> None:
    _on_seeded_rows(case, fuzz_world)
    response = case.call_and_validate(app=app_with_redis)
    assert response.status_code == 401, (case.method, case.formatted_path, response.text)
    # Documented as such, not only by the catch-all "default" response.
    assert "401" in case.operation.definition.raw["responses"]


def test_the_fuzzed_document_has_every_operation() -> None:
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 14
    assert {op.path for op in operations} >= {"/api/v1/threads/{thread_id}/replies",
                                              "/api/v1/claims/{claim_id}/actions"}
