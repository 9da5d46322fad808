"""What a request for missing information may ask (claims.info_requests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from claims.info_requests import DOCUMENTS, BadInfoRequest, check_request, follow_up_due


def test_items_are_cleaned_and_kept_in_order() -> None:
    request = check_request([" Invoice", "photos", "invoice", ""], "  the repair date ")
    assert request.items == ("invoice", "photos")
    assert request.note == "the repair date"


def test_a_note_alone_is_a_request() -> None:
    assert check_request([], "the name of your builder").items == ()


@pytest.mark.parametrize(("items", "note", "match"), [
    ([], "", "say what is missing"),
    (["", " "], "  ", "say what is missing"),
    (["selfie"], "", "unknown item 'selfie'"),
    (["invoice"], "x" * 2001, "at most 2000"),
])
def test_bad_requests_are_refused(items: list[str], note: str, match: str) -> None:
    with pytest.raises(BadInfoRequest, match=match):
        check_request(items, note)


def test_the_catalogue_names_the_usual_documents() -> None:
    assert {"invoice", "photos", "police_report", "bank_details"} <= set(DOCUMENTS)


def test_follow_up_date() -> None:
    sent = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert follow_up_due(sent, 14) == sent + timedelta(days=14)
    with pytest.raises(ValueError, match="at least one day"):
        follow_up_due(sent, 0)
