"""Notice templates to customers: every notice renders in every language, on
every channel, naming what is missing and the claim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from claims.info_requests import DOCUMENTS
from config import SUPPORTED_LANGUAGES
from inbox.casework.notices import NOTICES, render

CONTEXT = {"name": "Eleni Papadopoulou", "claim_number": "CLM-2026-000123",
           "items": list(DOCUMENTS), "note": "the date of the repair",
           "due_date": "16 March 2026", "amount": "£7,500.00", "reason_key": "exclusion",
           "cause": "flood", "provision": "exclusion:flood"}


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("channel", ["email", "sms", "letter"])
@pytest.mark.parametrize("name", ["info_request", "claim_approved", "claim_denied"])
def test_every_notice_renders(name: str, channel: str, language: str) -> None:
    text = render(name, language, channel, CONTEXT)
    assert "CLM-2026-000123" in text
    assert "{{" not in text
    assert "{%" not in text
    if channel == "sms":
        assert len(text) <= 1600


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_document_is_named_in_every_language(language: str) -> None:
    source = (NOTICES / f"info_request.{language}.txt").read_text("utf-8")
    names = re.search(r"set names = (\{.*?\}) -%}", source, re.S)
    assert names is not None
    for code in DOCUMENTS:
        assert f'"{code}":' in names.group(1), (language, code)
    one = render("info_request", language, "email", {**CONTEXT, "items": ["invoice"],
                                                        "note": ""})
    assert one.count("\n- ") == 1


def test_the_request_is_in_the_customers_language() -> None:
    greek = render("info_request", "el", "email", {**CONTEXT, "items": ["invoice"]})
    assert "τιμολόγιο" in greek
    assert "16 March 2026" in greek
    german = render("info_request", "de", "sms", {**CONTEXT, "items": ["photos"], "note": ""})
    assert german.startswith("Schadenfall CLM-2026-000123")
    assert "Fotos des Schadens" in german


def test_an_unknown_language_falls_back_to_english() -> None:
    assert render("claim_approved", "fi", "email", CONTEXT).startswith("Dear Eleni")


@pytest.mark.parametrize(("key", "expected"), [
    ("exclusion", "excludes losses caused by flood"),
    ("policy_not_active", "not in force"),
    ("within_deductible", "within the policy's deductible"),
    ("limit_exhausted", "coverage limit has been used up"),
    ("duplicate", "already been claimed"),
    ("other", "policy provision exclusion:flood"),
])
def test_a_denial_explains_its_reason(key: str, expected: str) -> None:
    text = render("claim_denied", "en", "email", {**CONTEXT, "reason_key": key})
    reason = next(line for line in text.splitlines() if line.startswith("The reason: "))
    assert expected in reason


def test_templates_exist_for_every_language() -> None:
    names = {p.name for p in Path(NOTICES).iterdir()}
    for language in SUPPORTED_LANGUAGES:
        for notice in ("info_request", "info_request.sms", "claim_approved", "claim_denied"):
            assert f"{notice}.{language}.txt" in names
