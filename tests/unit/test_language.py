from __future__ import annotations

import pytest

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
