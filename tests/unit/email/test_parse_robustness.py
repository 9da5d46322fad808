"""Whatever arrives: an Inbound whose strings are valid Unicode (storable as
JSON and in PostgreSQL), or UnparseableMail; never another exception."""

from __future__ import annotations

import json
import random
from pathlib import Path

from channels.base import Inbound
from channels.email.parse import UnparseableMail, parse_email
from tests.unit.email.builders import HEAD, b64, eml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"

EIGHT_BIT_EVERYWHERE = (
    b"From: \xc8esk\xfd Z\xe1kazn\xedk <z\xe1kazn\xedk@example.cz>\n"
    b"To: \xff\xfe <claims@example.com>\nCc: \x80\x81 <cc@example.com>\n"
    b"Subject: \xc5\xa0koda \xff\xfe\x00 bad\n"
    b"Message-ID: <\xc3\xa9t\xc3\xa9@example.fr>\n"
    b"References: <r\xe9f@example.fr>\nDate: Mon, 02 Mar 2026 10:00:00 +0100\n"
    b"X-Autoreply: \xe9\n"
    b'Content-Type: multipart/mixed; boundary="b\xe9"; charset="\xe9"\n\n'
    b"--b\xe9\nContent-Type: text/plain; charset=\"utf-\xe9\"\n\nText \xe9\xe8 \x00 end\n"
    b"--b\xe9\nContent-Type: application/pdf; name=\"r\xe9sum\xe9.pdf\"\n"
    b"Content-ID: <\xe9@x>\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!\n"
    b"--b\xe9\nContent-Type: message/delivery-status\n\nReporting-MTA: x\n\n"
    b"Final-Recipient: rfc822; \xe9@example.com\nAction: failed\n--b\xe9--\n"
)


def assert_storable(inbound: Inbound) -> None:
    data = inbound.to_json()
    data["attachments"] = [{**a, "data": None} for a in data["attachments"]]
    text = json.dumps(data, ensure_ascii=False)
    text.encode("utf-8")  # raises on lone surrogates
    assert "\\u0000" not in text  # PostgreSQL text and jsonb cannot hold NUL


def test_eight_bit_everywhere_is_storable() -> None:
    inbound = parse_email(EIGHT_BIT_EVERYWHERE)
    assert_storable(inbound)
    assert inbound.sender_name == "Český Zákazník"
    assert inbound.sender[0].value == "zákazník@example.cz"
    assert inbound.external_id == "été@example.fr"
    assert inbound.text.startswith("Text ")
    assert inbound.text.endswith(" end")
    assert inbound.attachments[0].filename == "résumé.pdf"
    assert inbound.extras["defects"]


def _corpus() -> list[bytes]:
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 400
    body = (
        "--m\nContent-Type: multipart/alternative; boundary=a\n\n"
        "--a\nContent-Type: text/plain; charset=iso-8859-2\nContent-Transfer-Encoding: "
        "quoted-printable\n\nD=ECkuji, Ji=F8=ED\n\nDne 1. 3. 2026 napsal:\n> star=E1\n"
        "--a\nContent-Type: text/html; charset=utf-8\n\n<p>D\u011bkuji</p><img src=cid:x@y>\n"
        "--a--\n--m\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: "
        "base64\n\n" + b64(pdf) + "--m--\n"
    )
    head = HEAD + "Subject: =?utf-8?Q?=C5=A0koda?=\nContent-Type: multipart/mixed; boundary=m\n"
    return [eml(head, body), (FIXTURES / "bounce.eml").read_bytes(), EIGHT_BIT_EVERYWHERE]


def test_truncated_anywhere() -> None:
    for raw in _corpus():
        step = max(1, len(raw) // 80)
        for cut in range(0, len(raw), step):
            try:
                inbound = parse_email(raw[:cut])
            except UnparseableMail:
                continue
            assert_storable(inbound)


def test_corrupted_bytes() -> None:
    rng = random.Random(5)
    for raw in _corpus():
        for _ in range(60):
            data = bytearray(raw)
            for _ in range(rng.randint(1, 12)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            try:
                inbound = parse_email(bytes(data))
            except UnparseableMail:
                continue
            assert_storable(inbound)


def test_deep_nesting_is_cut_off() -> None:
    depth = 40
    part = "--b{}\nContent-Type: multipart/mixed; boundary=b{}\n\n"
    body = "".join(part.format(n, n + 1) for n in range(depth))
    body += f"--b{depth}\nContent-Type: text/plain\n\ndeep\n"
    body += "".join(f"--b{n}--\n" for n in reversed(range(depth + 1)))
    head = HEAD + "Subject: x\nContent-Type: multipart/mixed; boundary=b0\n"
    inbound = parse_email(eml(head, body))
    assert "MIME nesting too deep; rest ignored" in inbound.extras["defects"]
    assert inbound.text == ""


def test_signed_mail_keeps_text_and_signature_file() -> None:
    body = (
        "--s\nContent-Type: text/plain; charset=utf-8\n\nSigned text\n"
        "--s\nContent-Type: application/pgp-signature; name=signature.asc\n\n"
        "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n--s--\n"
    )
    head = HEAD + "Subject: x\n"
    head += 'Content-Type: multipart/signed; protocol="application/pgp-signature"; boundary=s\n'
    inbound = parse_email(eml(head, body))
    assert inbound.text == "Signed text"
    assert [a.filename for a in inbound.attachments] == ["signature.asc"]
