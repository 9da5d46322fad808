from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inbox.intake.classify import classify_account_issue, fold

CASES = {
    "complaint": {
        "en": "I want to make a formal complaint about how my claim was handled.",
        "de": "Ich möchte mich über die Bearbeitung beschweren, das ist eine Beschwerde.",
        "el": "Θέλω να υποβάλω παράπονο για την εξυπηρέτηση.",
        "cs": "Podávám stížnost na vyřízení mé pojistné události.",
        "sv": "Jag vill lämna ett klagomål på handläggningen.",
        "id": "Saya ingin menyampaikan keluhan tentang layanan Anda.",
    },
    "payment_delay": {
        "en": "The payment has not been received yet, it is three weeks late.",
        "de": "Die Zahlung ist noch nicht eingegangen. Wo bleibt meine Erstattung?",
        "el": "Υπάρχει καθυστέρηση της πληρωμής της αποζημίωσης.",
        "cs": "Platba stále nedorazila, jde o zpoždění platby.",
        "sv": "Jag har fortfarande inte fått min ersättning, försenad utbetalning.",
        "id": "Pembayaran klaim saya belum masuk ke rekening.",
    },
    "account_change": {
        "en": "Please update my address, we have moved to 5 Elm Road.",
        "de": "Bitte beachten Sie meine neue Adresse ab dem 1. Mai.",
        "el": "Παρακαλώ καταχωρίστε την αλλαγή διεύθυνσης μου.",
        "cs": "Prosím o změnu adresy v mé smlouvě.",
        "sv": "Jag vill anmäla en adressändring.",
        "id": "Saya ingin melakukan perubahan alamat pada polis saya.",
    },
    "renewal": {
        "en": "I would like to renew my policy before it expires.",
        "de": "Ich möchte die Verlängerung meiner Police beantragen.",
        "el": "Θα ήθελα την ανανέωση του συμβολαίου μου.",
        "cs": "Chtěl bych obnovu pojistky na další rok.",
        "sv": "Jag vill förnya min försäkring.",
        "id": "Saya ingin perpanjangan polis untuk tahun depan.",
    },
}


@pytest.mark.parametrize(
    ("kind", "lang", "text"),
    [(kind, lang, text) for kind, by_lang in CASES.items() for lang, text in by_lang.items()],
)
def test_each_kind_is_recognised_in_each_language(kind: str, lang: str, text: str) -> None:
    found = classify_account_issue("", text)
    assert found is not None, text
    assert found[0] == kind


@pytest.mark.parametrize(
    "text",
    [
        "Here are the photos of the water damage in the kitchen.",
        "Anbei die Rechnung für die Reparatur.",
        "Επισυνάπτω τις φωτογραφίες της ζημιάς.",
        "V příloze posílám fotografie škody.",
        "Här är kvittot för reparationen.",
        "Terlampir foto kerusakan mobil saya.",
        "",
        # Seen wrongly classified before the rules were narrowed:
        "I moved the car out of the garage before the water reached it.",
        "Please correct the name on the invoice you sent.",
        "I need to renew my passport before the trip, is that covered?",
        "Saya belum menerima dokumen polis.",
        "Mein Koffer ist noch nicht angekommen und ich habe noch kein Geld für neue Kleidung.",
    ],
)
def test_ordinary_claim_correspondence_is_not_an_account_issue(text: str) -> None:
    assert classify_account_issue("", text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Bitte überweisen Sie künftig auf meine neue Bankverbindung.", "account_change"),
        ("Ich wohne jetzt unter meiner neuen Adresse in Köln.", "account_change"),
        ("Meine Police endet am 31.03.", "renewal"),
        ("Η νέα μου διεύθυνση είναι Οδός Ερμού 5.", "account_change"),
        ("Ζητώ αλλαγή του IBAN για τις πληρωμές.", "account_change"),
        ("S obnovením smlouvy souhlasím.", "renewal"),
        ("Nyní bydlím na nové adrese v Brně.", "account_change"),
        ("Saya ingin memperpanjang polis saya.", "renewal"),
        ("Här är mitt nya kontonummer.", "account_change"),
        ("Jag vill förlänga den ett år till.", "renewal"),
    ],
)
def test_natural_phrasings(text: str, kind: str) -> None:
    found = classify_account_issue("", text)
    assert found is not None, text
    assert found[0] == kind


def test_complaint_about_a_late_payment_is_a_complaint() -> None:
    found = classify_account_issue("Complaint", "My payment is three weeks late. Unacceptable.")
    assert found == ("complaint", "en")


def test_subject_alone_classifies() -> None:
    assert classify_account_issue("Adressänderung", "") == ("account_change", "de")


def test_fold_removes_accents_and_case() -> None:
    assert fold("Änderung ΑΝΑΝΈΩΣΗ Stížnost") == "anderung ανανεωση stiznost"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000ab-Ä", max_size=30))
def test_white_space_collapses_as_the_regular_expression_does(text: str) -> None:
    from inbox.intake.classify import _one_space

    assert _one_space(text) == re.sub(r"\s+", " ", text)
