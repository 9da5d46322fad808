"""Stock boundary names while parsing (channels.email.boundaries): the same
Inbound as parsing the mail as sent, whatever the boundaries look like."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from channels.email import boundaries
from channels.email.parse import parse_email
from tests.unit.email.builders import HEAD, b64, eml

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 400
B1 = "----=_Part_12345_67890.1700000000000"


def _multipart(boundary: str, parts: str) -> bytes:
    head = HEAD + f'Subject: x\nContent-Type: multipart/mixed; boundary="{boundary}"\n'
    return eml(head, parts.replace("{B}", boundary))


def _mails() -> dict[str, bytes]:
    plain = "--{B}\nContent-Type: text/plain\n\nHello\n--{B}--\n"
    mails = {
        "simple": _multipart(B1, plain),
        "unquoted": eml(HEAD + f"Subject: x\nContent-Type: multipart/mixed; boundary={B1}\n",
                        plain.replace("{B}", B1)),
        "mentioned in the text": _multipart(
            B1, "--{B}\nContent-Type: text/plain\n\nOur boundary is {B}, see\n--{B}--\n"),
        "in the subject": eml(HEAD + f"Subject: {B1}\nContent-Type: multipart/mixed; "
                              f'boundary="{B1}"\n', plain.replace("{B}", B1)),
        "too short": _multipart("abc", plain),
        "wrong declaration": _multipart(B1, plain.replace("{B}", "other-boundary-123")),
        "quoted raw mail in a text part": _multipart(
            "outer-boundary-0001",
            "--{B}\nContent-Type: text/plain\n\nForwarded as text:\n"
            f'Content-Type: multipart/alternative; boundary="{B1}"\n\n'
            f"--{B1}\nContent-Type: text/plain\n\ninner\n--{B1}--\n--{{B}}--\n"),
        "prefix of another": _multipart(
            "nested-boundary",
            "--{B}\nContent-Type: multipart/alternative; boundary=\"nested-boundary-2\"\n\n"
            "--nested-boundary-2\nContent-Type: text/plain\n\ntext\n"
            "--nested-boundary-2\nContent-Type: text/html\n\n<p>html</p>\n"
            "--nested-boundary-2--\n--{B}--\n"),
        "attached message": _multipart(
            B1, "--{B}\nContent-Type: text/plain\n\nSee attached.\n--{B}\n"
            "Content-Type: message/rfc822\n\nFrom: a@example.org\nSubject: inner\n"
            'Content-Type: multipart/mixed; boundary="inner-boundary-77"\n\n'
            "--inner-boundary-77\nContent-Type: text/plain\n\ninner text\n"
            "--inner-boundary-77\nContent-Type: application/pdf\n"
            "Content-Transfer-Encoding: base64\n\n" + b64(PDF) + "--inner-boundary-77--\n"
            "--{B}--\n"),
        "crlf": eml(HEAD + f'Subject: x\nContent-Type: multipart/mixed; boundary="{B1}"\n',
                    plain.replace("{B}", B1), crlf=True),
    }
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "a@example.org", "b@example.com", "Bericht"
    msg["Message-ID"] = "<gen@example.org>"
    msg.set_content("Guten Tag, anbei der Bericht.\n")
    msg.add_alternative("<p>Guten Tag, anbei der Bericht.</p>", subtype="html")
    msg.add_attachment(PDF, "application", "pdf", filename="bericht.pdf")
    mails["generated"] = msg.as_bytes()
    for path in sorted(Path(__file__).resolve().parents[2].glob("fixtures/mail/*.eml")):
        mails[path.name] = path.read_bytes()
    return mails


MAILS = _mails()


@pytest.mark.parametrize("name", sorted(MAILS))
def test_the_same_inbound_as_without_stock_names(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = MAILS[name]
    renamed = parse_email(raw)
    monkeypatch.setattr(boundaries, "rename", lambda skeleton: (skeleton, {}))
    assert renamed == parse_email(raw)


@pytest.mark.parametrize(("name", "expected"), [
    ("simple", 1), ("unquoted", 1), ("crlf", 1), ("generated", 2), ("attached message", 2),
    ("mentioned in the text", 0), ("in the subject", 0), ("too short", 0),
    ("wrong declaration", 0), ("prefix of another", 1),
])
def test_which_boundaries_get_stock_names(name: str, expected: int) -> None:
    _, names = boundaries.rename(MAILS[name])
    assert len(names) == expected
