from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.identifiers import (
    find_identifiers,
    normalize_address,
    normalize_email,
    normalize_phone,
)

CLAIM = re.compile(r"CLM-\d{4}-\d{6}")
POLICY = re.compile(r"POL-\d{6}")


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+44 20 7946 0958", "GB", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        ("0049 30 1234567", "GB", "+49301234567"),
        ("030 1234567", "DE", "+49301234567"),
        ("+30 21 0123 4567", "GR", "+302101234567"),
        ("602 123 456", "CZ", "+420602123456"),
        ("070-123 45 67", "SE", "+46701234567"),
        ("0812-3456-7890", "ID", "+6281234567890"),
        ("not a number", "GB", None),
        ("12", "GB", None),
        ("", "GB", None),
    ],
)
def test_phone_numbers_become_e164(raw: str, region: str, expected: str | None) -> None:
    assert normalize_phone(raw, region) == expected


def test_emails_are_lowercased_and_validated() -> None:
    assert normalize_email(" <Jane.Doe@Example.COM> ") == "jane.doe@example.com"
    assert normalize_email("jürgen@bücher.de") == "jürgen@xn--bcher-kva.de"
    assert normalize_email("no-at-sign") is None
    assert normalize_email("two@@example.com") is None


def test_addresses_ignore_layout_and_punctuation() -> None:
    a = normalize_address("Hauptstraße 5,\n10115 Berlin")
    b = normalize_address("HAUPTSTRASSE 5 10115  berlin")
    assert a == b
    assert normalize_address("Berlin") is None


def test_identifiers_found_in_order_and_deduplicated() -> None:
    text = "Re CLM-2024-000001 and clm-2024-000002, again CLM-2024-000001."
    assert find_identifiers(CLAIM, [text]) == ["CLM-2024-000001", "CLM-2024-000002"]


def test_identifiers_must_be_whole_tokens() -> None:
    assert find_identifiers(POLICY, ["XPOL-123456 POL-1234567 POL-123456-9"]) == []
    assert find_identifiers(POLICY, ["(POL-123456)."]) == ["POL-123456"]


def test_fullwidth_digits_are_normalized() -> None:
    assert find_identifiers(POLICY, ["POL-１２３４５６"]) == ["POL-123456"]


def _reference(pattern: re.Pattern[str], texts: list[str]) -> list[str]:
    """The plain way: the bounded pattern tried at every position."""
    bounded = re.compile(rf"(?<![\w-])(?:{pattern.pattern})(?![\w-])",
                         pattern.flags | re.IGNORECASE)
    seen: dict[str, None] = {}
    for text in texts:
        for match in bounded.finditer(unicodedata.normalize("NFKC", text)):
            seen.setdefault(match.group(0).upper())
    return list(seen)


def test_a_failed_first_candidate_does_not_hide_a_later_match() -> None:
    assert find_identifiers(POLICY, ["XPOL-123456 pol-654321"]) == ["POL-654321"]
    assert find_identifiers(POLICY, ["-POL-123456", "POL-111111"]) == ["POL-111111"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet="POLCMpolcm-_ X0123456789１２\n", max_size=40), max_size=3))
def test_identifiers_as_the_plain_bounded_search_finds_them(texts: list[str]) -> None:
    for pattern in (CLAIM, POLICY, re.compile(r"POL-\d+-?"), re.compile(r"[A-Z]{2}\d{2,}")):
        assert find_identifiers(pattern, texts) == _reference(pattern, texts)
