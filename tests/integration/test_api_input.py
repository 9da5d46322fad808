"""The API refuses bad input with a 4xx that names the field, never a 500 or
a database error; and its document says what it refuses and what it gives
out. Each case here is one schemathesis found (tests/integration/
test_api_fuzz.py), kept as a plain example that fails without its fix."""

from __future__ import annotations

import pytest
from flask import Flask

from inbox.database import Database
from tests.integration.test_api import story  # noqa: F401 - the fixture
from tests.web import bearer, token_for

pytestmark = pytest.mark.integration


def test_ids_and_pages_beyond_the_columns_are_404_or_422(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:  # noqa: F811
    client = app.test_client()
    _, token = token_for(committed_db)
    for url in ("/api/v1/threads/4648248647931", "/api/v1/customers/2147483648",
                "/api/v1/claims/0"):
        assert client.get(url, headers=bearer(token)).status_code == 404, url
    for url, field in (("/api/v1/queue?page=92233720368547760", "page"),
                       ("/api/v1/claims?customer_id=2147483648", "customer_id"),
                       ("/api/v1/queue?assignee=-1", "assignee"),
                       ("/api/v1/search?q=x&page=100001", "page")):
        refused = client.get(url, headers=bearer(token))
        assert refused.status_code == 422, url
        assert field in refused.get_json()["errors"]["query"], url
    refused = client.patch(f"/api/v1/threads/{story['thread']}", headers=bearer(token),
                           json={"assignee_id": 2**40})
    assert "assignee_id" in refused.get_json()["errors"]["json"]


def test_nul_characters_are_422_naming_the_field(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:  # noqa: F811
    client = app.test_client()
    _, token = token_for(committed_db)
    refused = client.get("/api/v1/customers?q=%00", headers=bearer(token))
    assert (refused.status_code, list(refused.get_json()["errors"]["query"])) == (422, ["q"])
    refused = client.post(f"/api/v1/threads/{story['thread']}/notes", headers=bearer(token),
                          json={"text": "a\x00b"})
    assert (refused.status_code, list(refused.get_json()["errors"]["json"])) == (422, ["text"])
    refused = client.post(f"/api/v1/claims/{story['claim']}/actions", headers=bearer(token),
                          json={"action": "start_review", "items": ["\x00"]})
    assert refused.status_code == 422


def test_amounts_are_documented_as_the_decimal_strings_they_are(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:  # noqa: F811
    client = app.test_client()
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for schema, field in (("PolicyOut", "coverage_limit"), ("PolicyOut", "deductible"),
                          ("ClaimOut", "amount_claimed"), ("ClaimOut", "amount_approved"),
                          ("ClaimActionIn", "amount")):
        assert schemas[schema]["properties"][field]["type"] == "string", (schema, field)
    _, token = token_for(committed_db, "supervisor")
    claim = client.get(f"/api/v1/claims/{story['claim']}", headers=bearer(token)).get_json()
    assert claim["amount_claimed"] == "900.00"
    url = f"/api/v1/claims/{story['claim']}/actions"
    for amount in ("1e400", "12345678901", "1.005", "-5", "NaN"):
        refused = client.post(url, headers=bearer(token), json={"action": "approve",
                                                                 "amount": amount})
        assert refused.status_code == 422, amount
        assert "amount" in refused.get_json()["errors"]["json"], amount


def test_blank_notes_and_replies_are_422_naming_the_field(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:  # noqa: F811
    client = app.test_client()
    _, token = token_for(committed_db)
    thread = f"/api/v1/threads/{story['thread']}"
    for url, body, field in ((f"{thread}/notes", {"text": " \n\t"}, "text"),
                             (f"{thread}/replies", {"channel": "letter", "body": "  "}, "body")):
        refused = client.post(url, headers=bearer(token), json=body)
        assert refused.status_code == 422, url
        assert field in refused.get_json()["errors"]["json"], url
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert spec["NoteIn"]["properties"]["text"]["pattern"] == r"\S"


def test_claim_actions_are_an_enumeration(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:  # noqa: F811
    client = app.test_client()
    _, token = token_for(committed_db)
    refused = client.post(f"/api/v1/claims/{story['claim']}/actions", headers=bearer(token),
                          json={"action": "fly"})
    assert refused.status_code == 422
    assert "action" in refused.get_json()["errors"]["json"]
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert {"start_review", "request_info", "approve", "pay"} <= set(
        spec["ClaimActionIn"]["properties"]["action"]["enum"])


def test_a_patch_that_changes_nothing_is_422(
        app: Flask, committed_db: Database, story: dict[str, int]) -> None:  # noqa: F811
    client = app.test_client()
    _, token = token_for(committed_db)
    url = f"/api/v1/threads/{story['thread']}"
    for body in ({}, None):
        refused = client.patch(url, headers=bearer(token), json=body)
        assert refused.status_code == 422, body
        assert "assignee_id, status or priority" in str(refused.get_json()["errors"]), body


def test_every_operation_documents_its_refusals(app: Flask) -> None:
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    operations = [(path, op) for path, ops in paths.items()
                  for method, op in ops.items() if method != "parameters"]
    assert len(operations) >= 14
    for path, op in operations:
        documented = set(op["responses"])
        assert {"401", "403"} <= documented, path
        assert ("404" in documented) is ("{" in path), path
        assert op["responses"]["401"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"}
