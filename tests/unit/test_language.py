from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inbox.intake.language import detect_language

SIX = ("en", "de", "el", "cs", "sv", "id")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, I am sending the invoice for the repair of my car.", "en"),
        ("Guten Tag, anbei sende ich die Rechnung für die Reparatur.", "de"),
        ("Καλημέρα σας, σας στέλνω το τιμολόγιο για την επισκευή.", "el"),
        ("Dobrý den, posílám fakturu za opravu auta.", "cs"),
        ("Hej, jag skickar fakturan för reparationen av bilen.", "sv"),
        ("Selamat pagi, saya kirim tagihan untuk perbaikan mobil.", "id"),
    ],
)
def test_six_languages(text: str, expected: str) -> None:
    assert detect_language(text, SIX) == expected


def test_too_short_is_unknown() -> None:
    assert detect_language("ok", SIX) is None
    assert detect_language("CLM-2024-000001", SIX) is None


def test_single_language_deployment() -> None:
    assert detect_language("Whatever language this text is written in", ("de",)) == "de"


LONG = {
    "en": "Hello, I am writing about my claim for the water damage in the kitchen. "
          "The plumber has sent his invoice and I attach it to this message.",
    "de": "Guten Tag, ich schreibe wegen meines Schadens durch das Leitungswasser "
          "in der Küche. Der Installateur hat seine Rechnung geschickt.",
    "el": "Καλημέρα σας, σας γράφω για την αποζημίωση της ζημιάς από νερό στην "
          "κουζίνα. Ο υδραυλικός έστειλε το τιμολόγιο και το επισυνάπτω.",
    "cs": "Dobrý den, píši kvůli své pojistné události, vytopení kuchyně vodou. "
          "Instalatér poslal fakturu a přikládám ji k této zprávě.",
    "sv": "Hej, jag skriver om min skadeanmälan för vattenskadan i köket. "
          "Rörmokaren har skickat sin faktura och jag bifogar den här.",
    "id": "Selamat pagi, saya menulis tentang klaim kerusakan air di dapur saya. "
          "Tukang ledeng sudah mengirim tagihannya dan saya lampirkan di sini.",
}


@pytest.mark.parametrize("language", sorted(LONG))
def test_long_texts_use_the_trigram_models_alike(language: str) -> None:
    from inbox.intake.language import LONG_SAMPLE_CHARS, _detector

    text = LONG[language]
    assert len(text) >= LONG_SAMPLE_CHARS
    assert detect_language(text, SIX) == language
    full = _detector(tuple(sorted(SIX)), False).detect_language_of(text)
    assert full is not None
    assert full.iso_code_639_1.name.lower() == language


def test_warm_up_builds_the_detectors_a_process_will_need() -> None:
    from inbox.intake.language import _detector, warm_up

    _detector.cache_clear()
    warm_up(SIX, short_texts=False)
    assert _detector.cache_info().currsize == 1  # the trigram models only
    warm_up(SIX)
    assert _detector.cache_info().currsize == 2  # and the full ones (RQ worker, pre-fork)
    misses = _detector.cache_info().misses
    detect_language("Hej, jag skickar fakturan.", SIX)  # short: the full models, built
    detect_language(LONG["sv"], SIX)
    assert _detector.cache_info().misses == misses


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab ÄΩ1_-.\n", max_size=40))
def test_enough_letters_as_counting_them(text: str) -> None:
    from inbox.intake.language import _ENOUGH_LETTERS, MIN_LETTERS

    counted = len(re.findall(r"[^\W\d_]", text)) >= MIN_LETTERS
    assert (_ENOUGH_LETTERS.match(text) is not None) == counted
