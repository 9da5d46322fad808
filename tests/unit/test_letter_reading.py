"""Reading a letter's text: numbers (exact and OCR-tolerant), dates in six
languages, the subject line, the sender block; page grouping; config."""

from __future__ import annotations

import re
from datetime import date

import pytest

from channels.letters.ocr import Line
from channels.letters.reading import find_date, find_numbers, normalize_text, read_letter
from channels.letters.separators import split_pages
from config import ConfigError, load_settings

PATTERNS = {"policy": re.compile(r"POL-\d{6}"), "claim": re.compile(r"CLM-\d{4}-\d{6}")}


def numbers(text: str) -> dict[str, set[str]]:
    found = find_numbers(normalize_text(text), PATTERNS)
    return {"exact": {n.number for n in found if n.exact},
            "fuzzy": {n.number for n in found if not n.exact}}


def test_exact_numbers_are_found_whole() -> None:
    found = numbers("Policy POL-123456, claim CLM-2026-004512; not XPOL-123456 or POL-1234567")
    assert found["exact"] == {"POL-123456", "CLM-2026-004512"}


@pytest.mark.parametrize(("read", "meant"), [
    ("P0L-123456", "POL-123456"),       # O read as zero
    ("POL-12345G", "POL-123456"),       # 6 read as G
    ("PO1-123456", "POL-123456"),       # L read as one
    ("CLM-2O26-0O4512", "CLM-2026-004512"),
    ("CLM-2026- 004512", "CLM-2026-004512"),  # a space after the dash
    ("POL–123456", "POL-123456"),       # an en dash
])
def test_ocr_confusions_give_candidates(read: str, meant: str) -> None:
    found = numbers(f"Betreff: {read} bitte")
    assert meant in found["exact"] | found["fuzzy"]


def test_greek_lookalike_capitals_are_read_as_latin() -> None:
    # tesseract with ell+eng reads "POL" as Greek capitals on Greek pages.
    found = numbers("Θέμα: Ανανέωση ασφαλιστηρίου ΡΟL-845206")
    assert found["exact"] == {"POL-845206"}
    assert "POL-845206" in numbers("Θέμα: ασφαλιστηρίου ΡΟΙ -845206")["fuzzy"]


def test_a_plain_number_is_not_a_fuzzy_identifier() -> None:
    assert numbers("Betrag 890 Euro am 12.03.2026, Tel. 030 1234567") == {
        "exact": set(), "fuzzy": set()}


@pytest.mark.parametrize(("language", "line", "expected"), [
    ("en", "Leeds, 9 March 2026", date(2026, 3, 9)),
    ("en", "March 9, 2026", date(2026, 3, 9)),
    ("de", "Berlin, 12. März 2026", date(2026, 3, 12)),
    ("de", "Berlin, 12. Marz 2026", date(2026, 3, 12)),  # OCR lost the umlaut
    ("el", "Θεσσαλονίκη, 17 Μαρτίου 2026", date(2026, 3, 17)),
    ("cs", "V Brně dne 5. března 2026", date(2026, 3, 5)),
    ("sv", "Göteborg den 3 april 2026", date(2026, 4, 3)),
    ("id", "Jakarta, 21 Maret 2026", date(2026, 3, 21)),
    ("de", "München, 02.03.2026", date(2026, 3, 2)),
    ("en", "2026-03-02", date(2026, 3, 2)),
])
def test_the_letters_date_in_each_language(language: str, line: str, expected: date) -> None:
    assert find_date(["Jane Doe", "1 High Street", line], language)[0] == expected


def test_an_impossible_date_is_not_a_date() -> None:
    assert find_date(["31.02.2026", "Ref 99/99/2026"], "de") == (None, "")


def test_subject_sender_and_identities() -> None:
    text = "\n".join([
        "Maria Schneider", "Hauptstraße 12", "10115 Berlin", "Tel.: +49 30 1234567",
        "maria.schneider@example.de",
        "Nordlicht Versicherung AG", "Postfach 100", "20095 Hamburg",
        "Berlin, 12. März 2026", "Betreff: Schadensmeldung CLM-2026-004512",
        "Sehr geehrte Damen und Herren,", "ich melde einen Schaden.",
    ])
    tops = [0, 60, 120, 180, 240, 500, 560, 620, 800, 900, 1000, 1060]
    lines = [Line(t, (100, y, 900, y + 45), 95.0) for t, y in zip(text.splitlines(), tops,
                                                                  strict=True)]
    reading = read_letter(text, lines, language="de", patterns=PATTERNS,
                          own_words=("Nordlicht Versicherung AG",))
    assert reading.sender_name == "Maria Schneider"
    assert reading.address_lines == ["Hauptstraße 12", "10115 Berlin"]
    assert reading.phones == ["+49 30 1234567"]
    assert reading.emails == ["maria.schneider@example.de"]
    assert reading.subject == "Schadensmeldung CLM-2026-004512"
    assert reading.date == date(2026, 3, 12)
    assert reading.exact("claim") == ["CLM-2026-004512"]


def test_the_insurers_own_block_is_not_the_sender() -> None:
    text = "Nordlicht Versicherung AG\nPostfach 100\n20095 Hamburg"
    lines = [Line(t, (100, 60 * i, 900, 60 * i + 45), 95.0)
             for i, t in enumerate(text.splitlines())]
    reading = read_letter(text, lines, language="de", patterns=PATTERNS,
                          own_words=("Nordlicht Versicherung AG",))
    assert reading.sender_name == ""


@pytest.mark.parametrize(("kinds", "split_on_blank", "expected"), [
    (["text", "text"], False, [[0, 1]]),
    (["text", "separator", "text"], False, [[0], [2]]),
    (["text", "blank", "text"], False, [[0, 2]]),
    (["text", "blank", "text", "blank"], True, [[0], [2]]),
    (["separator", "text", "separator", "separator", "text"], False, [[1], [4]]),
    (["blank", "blank"], True, []),
])
def test_pages_are_grouped_into_letters(kinds: list[str], split_on_blank: bool,
                                        expected: list[list[int]]) -> None:
    assert split_pages(kinds, split_on_blank=split_on_blank) == expected


def test_letters_config_defaults_and_errors() -> None:
    settings = load_settings(env={})
    assert settings.letters.separator_barcode == "PATCHT"
    assert settings.letters.drop_folders == ()
    custom = load_settings(env={}, overrides={"letters": {
        "drop_folders": ["/srv/scans"], "ocr_workers": 2,
        "letterhead": {"company": "Nordlicht", "address_lines": ["Postfach 1", "Hamburg"]}}})
    assert custom.letters.drop_folders == ("/srv/scans",)
    assert custom.letters.letterhead.address_lines == ("Postfach 1", "Hamburg")
    for bad, key in [({"ocr_workers": -1}, "letters.ocr_workers"),
                     ({"drop_folder": []}, "letters.drop_folder"),
                     ({"review_min_confidence": 120}, "letters.review_min_confidence"),
                     ({"letterhead": {"colour": "red"}}, "letters.letterhead.colour"),
                     ({"split_on_blank_pages": "yes"}, "letters.split_on_blank_pages")]:
        with pytest.raises(ConfigError, match=re.escape(key)):
            load_settings(env={}, overrides={"letters": bad})
