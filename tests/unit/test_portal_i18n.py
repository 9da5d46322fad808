"""Every text the portal shows exists in every language it offers, with the
same placeholders; a missing translation fails here, not in front of a customer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from inbox.portal import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT]


@pytest.fixture(scope="module")
def texts() -> dict[str, list[tuple[str, int]]]:
    found = i18n.extract_ids(ROOT)
    assert len(found) > 80  # the extraction itself works (templates and Python)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_is_translated_with_its_placeholders(
        texts: dict[str, list[tuple[str, int]]], language: str) -> None:
    catalog = i18n.catalog(language)
    missing = [text for text in texts if not catalog.get(text)]
    assert missing == [], f"{language}.po lacks: {missing} (scripts/portal-messages.py)"
    for text in texts:
        assert sorted(PLACEHOLDER.findall(catalog[text])) == sorted(PLACEHOLDER.findall(text)), \
            (language, text)


def test_a_text_the_catalog_lacks_is_shown_in_english() -> None:
    assert i18n.translate("el", "no such text %(x)s", x="1") == "no such text 1"
    assert i18n.translate("el", "Sign in") != "Sign in"


def test_languages_are_picked_from_what_the_portal_speaks() -> None:
    assert i18n.pick("el-GR") == "el"
    assert i18n.pick("fr") == "en"
    assert i18n.pick(None) == "en"


def test_dates_and_amounts_are_written_the_languages_way() -> None:
    from datetime import date
    from decimal import Decimal

    assert i18n.show_date(date(2026, 12, 15), "el", "Europe/Athens") == "15 Δεκεμβρίου 2026"
    assert i18n.show_date(date(2026, 12, 15), "de", "Europe/Berlin") == "15. Dezember 2026"
    assert i18n.show_amount(Decimal("1200"), "de") == "1.200,00"
    assert i18n.show_amount(Decimal("1200"), "en") == "1,200.00"
