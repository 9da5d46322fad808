"""Charsets without mojibake: every decoded string equals the expected Unicode
exactly."""

from __future__ import annotations

import base64

import pytest

from channels.email.charsets import decode_8bit, decode_bytes, resolve_charset
from channels.email.parse import parse_email
from tests.unit.email.builders import HEAD, eml, encoded_word

SUBJECTS = [
    ("iso-8859-7", None, "Ζημιά στο αυτοκίνητο, αριθμός 42"),
    ("windows-1250", None, "Škoda na vozidle – žádost č. 42"),
    ("koi8-r", None, "Повреждение автомобиля"),
    ("shift_jis", None, "自動車の損害について"),
    ("gb2312", None, "汽车损坏索赔"),
    ("big5", None, "汽車損壞索賠"),
    ("utf-8", None, "Skada på bilen – Åsa Öberg 😀"),
    ("iso-8859-2", None, "Příliš žluťoučký kůň"),
    ("windows-1253", None, "Ασφάλεια Ά"),
    ("euc-jp", None, "保険金請求"),
    ("ks_c_5601-1987", "cp949", "보험 청구"),
    ("iso-2022-jp", None, "保険金請求"),
]


@pytest.mark.parametrize(("charset", "codec", "text"), SUBJECTS)
@pytest.mark.parametrize("q", [False, True])
def test_rfc2047_subjects(charset: str, codec: str | None, text: str, q: bool) -> None:
    word = encoded_word(text, charset, codec, q=q)
    inbound = parse_email(eml(HEAD + f"Subject: Re: {word}\n", "x"))
    assert inbound.subject == f"Re: {text}"
    assert inbound.headers["subject"] == f"Re: {text}"
    assert "defects" not in inbound.extras


def test_rfc2047_folded_over_several_words_and_lines() -> None:
    text = "Αίτηση αποζημίωσης για ζημιά στο αυτοκίνητο"
    data = text.encode("utf-8")
    # Split in the middle of two-byte characters, as real mailers do.
    chunks = [data[i : i + 13] for i in range(0, len(data), 13)]
    folded = "\n ".join(f"=?UTF-8?B?{base64.b64encode(c).decode()}?=" for c in chunks)
    inbound = parse_email(eml(HEAD + f"Subject: {folded}\n", "x"))
    assert inbound.subject == text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # A character split across two Q words.
        ("=?utf-8?Q?=C5?= =?utf-8?Q?=A0koda?=", "Škoda"),
        # The "?=" lost at the end.
        ("=?utf-8?B?xaBrb2Rh", "Škoda"),
        # Spaces inside a Q word (not allowed, common).
        ("=?utf-8?Q?Sch=C3=A4den am Auto?=", "Schäden am Auto"),
        # No space between text and encoded word.
        ("Re:=?utf-8?Q?_Sch=C3=A4den?=", "Re: Schäden"),
        ("AW: =?ISO-8859-1?Q?Sch=E4den?=test", "AW: Schädentest"),
        # Lower-case markers, RFC 2231 language suffix.
        ("=?utf-8?q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
        ("=?utf-8*de?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
        # Base64 without padding.
        ("=?utf-8?B?R3LDvMOfZQ?=", "Grüße"),
        # Declared latin-1, UTF-8 sent.
        ("=?iso-8859-1?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
        # Unknown charset name.
        ("=?x-unknown?Q?Gr=FC=DFe?=", "Grüße"),
        ("=?windows-1252x?Q?Gr=FC=DFe?=", "Grüße"),
        # Different charsets side by side.
        (encoded_word("Ζημιά", "iso-8859-7") + " " + encoded_word("Пер", "koi8-r"), "ΖημιάПер"),
        # Whitespace between two words is dropped, around plain text kept.
        ("=?utf-8?Q?a?= =?utf-8?Q?b?= c =?utf-8?Q?d?=", "ab c d"),
        # Not an encoded word at all.
        ("50% =? off ?= today", "50% =? off ?= today"),
    ],
)
def test_malformed_encoded_words(header: str, expected: str) -> None:
    assert parse_email(eml(HEAD + f"Subject: {header}\n", "x")).subject == expected


def test_encoded_display_name_in_quotes_with_comma() -> None:
    head = (
        'From: "=?utf-8?Q?M=C3=BCller=2C_J=C3=BCrgen?=" <jm@example.de>\n'
        "To: claims@example.com\nSubject: x\n"
    )
    inbound = parse_email(eml(head, "x"))
    assert inbound.sender_name == "Müller, Jürgen"
    assert inbound.sender[0].value == "jm@example.de"
    assert inbound.headers["from"] == '"Müller, Jürgen" <jm@example.de>'


def test_raw_8bit_utf8_headers() -> None:
    head = (
        "From: Ji\u0159\u00ed Nov\u00e1k <jiri@example.cz>\nTo: claims@example.com\n"
        "Message-ID: <a@example.cz>\nDate: Mon, 02 Mar 2026 10:00:00 +0100\n"
        "Subject: P\u0159\u00edli\u0161 \u017elu\u0165ou\u010dk\u00fd k\u016f\u0148\n"
    ).encode()
    inbound = parse_email(eml(head, "x"))
    assert inbound.subject == "Příliš žluťoučký kůň"
    assert inbound.sender_name == "Jiří Novák"
    assert inbound.headers["subject"] == "Příliš žluťoučký kůň"
    assert "defects" not in inbound.extras


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Grüße aus Köln – schöne Grüße", "cp1252"),
        ("Skada på bilen, Åsa Öberg", "cp1252"),
        ("Příliš žluťoučký kůň", "cp1250"),
        ("Příliš žluťoučký kůň", "iso-8859-2"),
        ("Ζημιά στο αυτοκίνητο", "cp1253"),
        ("Ζημιά στο αυτοκίνητο", "iso-8859-7"),
    ],
)
def test_raw_8bit_legacy_headers_are_guessed(text: str, codec: str) -> None:
    head = b"From: a@example.net\nSubject: " + text.encode(codec) + b"\n"
    inbound = parse_email(eml(head, "x"))
    assert inbound.subject == text
    assert any(d.startswith("8-bit read as") for d in inbound.extras["defects"])


def test_raw_8bit_header_uses_the_body_charset_as_a_hint() -> None:
    # "Čeština" in cp1250 is "Èeština" in cp1252: both plausible without a hint.
    head = (b"From: a@example.net\nSubject: \xc8e\x9atina\n"
            b"Content-Type: text/plain; charset=windows-1250\n")
    inbound = parse_email(eml(head, "Čeština".encode("cp1250")))
    assert inbound.subject == "Čeština"
    assert inbound.text == "Čeština"


def test_latin1_declared_utf8_sent() -> None:
    text = "Grüße aus München – Jürgen"
    head = HEAD + "Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n"
    inbound = parse_email(eml(head + "Content-Transfer-Encoding: 8bit\n", text.encode()))
    assert inbound.text == text
    assert "iso-8859-1 declared, utf-8 sent" in inbound.extras["defects"]


def test_genuine_latin1_is_read_as_cp1252() -> None:
    text = "Grüße – „Schaden“ €"
    head = HEAD + "Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n"
    inbound = parse_email(eml(head, text.encode("cp1252")))
    assert inbound.text == text
    assert "defects" not in inbound.extras


def test_us_ascii_declared_utf8_sent_in_quoted_printable() -> None:
    head = HEAD + "Subject: x\nContent-Type: text/plain; charset=us-ascii\n"
    head += "Content-Transfer-Encoding: quoted-printable\n"
    inbound = parse_email(eml(head, "D=C4=9Bkuji, Ji=C5=99=C3=AD\n"))
    assert inbound.text == "Děkuji, Jiří"


@pytest.mark.parametrize(
    ("label", "text", "codec", "defect"),
    [
        ("x-unknown", "Grüße aus München", "cp1252", "unknown charset 'x-unknown'"),
        ("utf8", "Grüße aus München", "utf-8", None),
        ("windows-1252x", "Grüße aus München", "cp1252", "charset 'windows-1252x' read as cp1252"),
        ("ks_c_5601-1987", "보험 청구 접수", "cp949", None),
        ("iso-8859-8-i", "שלום, תביעה", "iso-8859-8", None),
        ("unknown-8bit", "Děkuji za odpověď", "cp1250", "unknown charset 'unknown-8bit'"),
        ("cp-1250", "Děkuji za odpověď", "cp1250", "charset 'cp-1250' read as cp1250"),
        ('"UTF-8"', "Tack så mycket", "utf-8", None),
        ("gb2312", "汽车损坏索赔", "gb18030", None),
    ],
)
def test_body_charset_labels(label: str, text: str, codec: str, defect: str | None) -> None:
    head = HEAD + f"Subject: x\nContent-Type: text/plain; charset={label}\n"
    inbound = parse_email(eml(head, text.encode(codec)))
    assert inbound.text == text
    if defect:
        assert defect in inbound.extras["defects"]
    else:
        assert "defects" not in inbound.extras


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Dobrý den, posílám fotky poškozeného auta. Děkuji", "utf-8"),
        ("Dobrý den, posílám fotky poškozeného auta. Děkuji", "cp1250"),
        ("Hej! Jag skickar bilder på skadan, tack så mycket", "cp1252"),
        ("Καλησπέρα σας, στέλνω φωτογραφίες της ζημιάς", "iso-8859-7"),
        ("Selamat siang, saya mengirimkan foto kerusakan", "ascii"),
    ],
)
def test_missing_charset(text: str, codec: str) -> None:
    head = HEAD + "Subject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n"
    inbound = parse_email(eml(head, text.encode(codec)))
    assert inbound.text == text


def test_html_meta_charset_when_mime_has_none() -> None:
    html = '<html><head><meta charset="windows-1250"></head><body><p>Škoda č. 5</p></body></html>'
    head = HEAD + "Subject: x\nContent-Type: text/html\n"
    inbound = parse_email(eml(head, html.encode("cp1250")))
    assert inbound.text == "Škoda č. 5"
    assert inbound.html == "<p>Škoda č. 5</p>"


def test_resolve_charset_aliases() -> None:
    assert resolve_charset("ISO-8859-1") == ("cp1252", None)
    assert resolve_charset("latin1") == ("cp1252", None)
    assert resolve_charset("Shift_JIS") == ("cp932", None)
    assert resolve_charset("big5") == ("big5hkscs", None)
    assert resolve_charset("utf8") == ("utf-8", None)
    assert resolve_charset(None) == (None, None)
    assert resolve_charset("iso-8859-8-i") == ("iso8859_8", None)
    assert resolve_charset("win-1251") == ("cp1251", "charset 'win-1251' read as cp1251")
    assert resolve_charset("klingon") == (None, "unknown charset 'klingon'")


def test_decode_bytes_reports_invalid_utf8() -> None:
    defects: list[str] = []
    assert decode_bytes("Grüße".encode("cp1252"), "utf-8", defects) == "Grüße"
    assert defects == ["invalid utf-8 read as cp1252"]


def test_decode_8bit_prefers_utf8() -> None:
    defects: list[str] = []
    assert decode_8bit("Ζημιά".encode(), defects) == "Ζημιά"
    assert defects == []


def test_utf16_body() -> None:
    head = HEAD + "Subject: x\nContent-Type: text/plain; charset=utf-16\n"
    head += "Content-Transfer-Encoding: base64\n"
    body = base64.encodebytes("Tack så mycket".encode("utf-16")).decode()
    assert parse_email(eml(head, body)).text == "Tack så mycket"
