"""MIME structure: bodies, attachments, inline images, forwarded mail, bounces,
broken structure, unparseable input, the size limit."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from channels.email.parse import UnparseableMail, parse_email
from inbox.intake.autodetect import automatic_reason
from tests.unit.email.builders import HEAD, b64, eml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 800  # ~200 KB
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def test_plain_text_mail() -> None:
    raw = eml(HEAD.replace("test-1", "p1") + "Subject: Claim\n", "Hello,\nmy car.\n")
    inbound = parse_email(raw)
    assert inbound.channel == "email"
    assert inbound.external_id == "p1@example.net"
    assert inbound.text == "Hello,\nmy car."
    assert inbound.html == ""
    assert inbound.sender[0].kind == "email"
    assert inbound.sender[0].value == "jane@example.net"
    assert inbound.sender_name == "Jane Doe"
    assert inbound.subject == "Claim"
    assert inbound.recipient == "claims@example.com"
    assert inbound.received_at == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert inbound.attachments == []
    assert inbound.raw is None  # the caller keeps the raw bytes
    assert "defects" not in inbound.extras


def test_crlf_line_endings_give_the_same_text() -> None:
    head = HEAD + "Subject: Claim\n"
    assert parse_email(eml(head, "a\nb\n", crlf=True)).text == "a\nb"


def test_html_only_mail_gets_text_and_sanitised_html() -> None:
    body = "<html><head><style>p{color:red}</style></head><body><p>Hello <b>there</b></p>"
    body += "<p>Line one<br>Line two</p><script>alert(1)</script></body></html>"
    raw = eml(HEAD + "Subject: x\nContent-Type: text/html; charset=utf-8\n", body)
    inbound = parse_email(raw)
    assert inbound.text == "Hello there\n\nLine one\nLine two"
    assert inbound.html == "<p>Hello <b>there</b></p><p>Line one<br>Line two</p>"


def test_alternative_keeps_both_bodies() -> None:
    body = (
        "--alt\nContent-Type: text/plain; charset=utf-8\n\nPlain version\n"
        "--alt\nContent-Type: text/html; charset=utf-8\n\n<p>HTML version</p>\n--alt--\n"
    )
    head = HEAD + "Subject: x\nMIME-Version: 1.0\n"
    head += 'Content-Type: multipart/alternative; boundary="alt"\n'
    inbound = parse_email(eml(head, body))
    assert inbound.text == "Plain version"
    assert inbound.html == "<p>HTML version</p>"
    assert inbound.headers["content-type"] == 'multipart/alternative; boundary="alt"'


def _related_mail(extra_image: str = "") -> bytes:
    body = (
        "--mix\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
        "--alt\nContent-Type: text/plain; charset=utf-8\n\nSee the photo.\n"
        "--alt\nContent-Type: multipart/related; boundary=\"rel\"\n\n"
        "--rel\nContent-Type: text/html; charset=utf-8\n\n"
        '<p>See the photo.</p><img src="cid:photo1@example.net" alt="photo">\n'
        "--rel\nContent-Type: image/png; name=\"photo.png\"\nContent-Transfer-Encoding: base64\n"
        "Content-ID: <photo1@example.net>\nContent-Disposition: inline; filename=\"photo.png\"\n\n"
        + b64(PNG) + extra_image
        + "--rel--\n--alt--\n"
        "--mix\nContent-Type: application/pdf; name=\"report.pdf\"\n"
        "Content-Disposition: attachment; filename=\"report.pdf\"\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(b"%PDF-1.4 small") + "--mix--\n"
    )
    head = HEAD + 'Subject: Photo\nContent-Type: multipart/mixed; boundary="mix"\n'
    return eml(head, body)


def test_mixed_related_alternative_with_inline_image_and_attachment() -> None:
    extra = (
        "--rel\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n"
        "Content-ID: <unused@example.net>\n\n" + b64(b"GIF89a") + "\n"
    )
    inbound = parse_email(_related_mail(extra))
    assert inbound.text == "See the photo."
    assert inbound.html == '<p>See the photo.</p><img src="cid:photo1@example.net" alt="photo">'
    photo, unused, pdf = inbound.attachments
    assert (photo.filename, photo.content_type, photo.data) == ("photo.png", "image/png", PNG)
    assert photo.content_id == "photo1@example.net"
    assert photo.inline is True
    assert photo.size == len(PNG)
    assert unused.content_id == "unused@example.net"
    assert unused.inline is False  # not shown by the HTML: listed as an attachment
    assert unused.filename == "image-2.gif"
    assert (pdf.filename, pdf.content_type, pdf.data) == ("report.pdf", "application/pdf",
                                                           b"%PDF-1.4 small")
    assert pdf.inline is False


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ("attachment; filename*=utf-8''" + quote("Αναφορά ζημιάς.pdf".encode()),
         "Αναφορά ζημιάς.pdf"),
        ("attachment; filename*=windows-1250''" + quote("Škoda – žádost.pdf".encode("cp1250")),
         "Škoda – žádost.pdf"),
        ("attachment;\n filename*0*=utf-8''" + quote("Pojistná událost ".encode())
         + ";\n filename*1*=" + quote("č. 42.pdf".encode()), "Pojistná událost č. 42.pdf"),
        ('attachment; filename="=?utf-8?B?' + "xaBrb2RhLnBkZg==" + '?="', "Škoda.pdf"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
    ],
)
def test_attachment_filenames(disposition: str, expected: str) -> None:
    body = (
        "--m\nContent-Type: text/plain\n\nsee attached\n"
        f"--m\nContent-Type: application/pdf\nContent-Disposition: {disposition}\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(b"%PDF") + "--m--\n"
    )
    head = HEAD + 'Subject: x\nContent-Type: multipart/mixed; boundary="m"\n'
    inbound = parse_email(eml(head, body))
    assert [a.filename for a in inbound.attachments] == [expected]


def test_raw_8bit_utf8_filename() -> None:
    body = (
        b"--m\nContent-Type: text/plain\n\nsee attached\n"
        b'--m\nContent-Type: application/pdf; name="\xce\x96\xce\xb7\xce\xbc\xce\xb9\xce\xac.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\n" + b64(b"%PDF").encode() + b"--m--\n"
    )
    head = HEAD + 'Subject: x\nContent-Type: multipart/mixed; boundary="m"\n'
    assert parse_email(eml(head, body)).attachments[0].filename == "Ζημιά.pdf"


def test_forwarded_message_is_an_eml_attachment() -> None:
    inner = (
        "From: Agent <agent@broker.example>\nTo: jane@example.net\n"
        "Subject: =?utf-8?Q?Schadenmeldung_M=C3=BCller?=\nMessage-ID: <orig-1@broker.example>\n"
        "Date: Fri, 27 Feb 2026 08:00:00 +0100\n\nOriginal text\n"
    )
    body = (
        "--m\nContent-Type: text/plain\n\nPlease see the forwarded mail.\n"
        "--m\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n" + inner
        + "--m--\n"
    )
    head = HEAD + 'Subject: Fwd\nContent-Type: multipart/mixed; boundary="m"\n'
    inbound = parse_email(eml(head, body))
    assert inbound.text == "Please see the forwarded mail."
    (att,) = inbound.attachments
    assert att.content_type == "message/rfc822"
    assert att.filename == "Schadenmeldung Müller.eml"
    assert att.data is not None
    forwarded = email.message_from_bytes(att.data)
    assert forwarded["Message-ID"] == "<orig-1@broker.example>"
    assert forwarded.get_payload() == "Original text"  # the last newline belongs to the boundary
    assert inbound.extras["forwarded"] == [{
        "subject": "Schadenmeldung Müller", "from": "Agent <agent@broker.example>",
        "date": "Fri, 27 Feb 2026 08:00:00 +0100", "message_id": "orig-1@broker.example",
    }]
    assert inbound.references == []  # a forward does not thread to the forwarded mail


def test_bounce_threads_to_the_original_message() -> None:
    inbound = parse_email((FIXTURES / "bounce.eml").read_bytes())
    assert inbound.text.startswith("This is the mail system at host mx.example.com.")
    assert "could not\nbe delivered" in inbound.text
    assert inbound.references == ["out-42.1772442000@claims.example.com"]
    assert inbound.reference_ids() == ["out-42.1772442000@claims.example.com"]
    assert inbound.extras["delivery_status"] == [{
        "final-recipient": "rfc822; nobody@example.net", "action": "failed",
        "original-recipient": "rfc822;nobody@example.net", "status": "5.1.1",
        "diagnostic-code": "smtp; 550 5.1.1 <nobody@example.net>: Recipient address "
        "rejected: User unknown",
    }]
    (returned,) = inbound.attachments
    assert returned.content_type == "message/rfc822"
    assert "forwarded" not in inbound.extras
    assert inbound.headers["content-type"].startswith("multipart/report;")
    assert automatic_reason(inbound) == "Auto-Submitted: auto-replied"
    del inbound.headers["auto-submitted"], inbound.headers["return-path"]
    assert automatic_reason(inbound) == "multipart/report"


def test_bounce_with_returned_headers_only() -> None:
    body = (
        "--R\nContent-Type: text/plain\n\nDelivery failed.\n"
        "--R\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx\n\n"
        "Final-Recipient: rfc822; x@example.net\nAction: failed\nStatus: 5.0.0\n"
        "--R\nContent-Type: text/rfc822-headers\n\nFrom: claims@example.com\n"
        "Subject: Claim\nMessage-ID: <out-7@claims.example.com>\n--R--\n"
    )
    head = (
        "From: MAILER-DAEMON@mx.example.com\nTo: claims@example.com\nSubject: failure\n"
        "Date: Mon, 02 Mar 2026 10:00:00 +0000\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\n'
    )
    inbound = parse_email(eml(head, body))
    assert inbound.text == "Delivery failed."
    assert inbound.references == ["out-7@claims.example.com"]
    assert inbound.extras["delivery_status"][0]["status"] == "5.0.0"


def test_auto_reply_headers_are_kept_for_the_core() -> None:
    head = HEAD.replace("test-1", "ooo") + (
        "Subject: Abwesenheitsnotiz\nAuto-Submitted: auto-replied\nX-Autoreply: yes\n"
        "Precedence: auto_reply\nReturn-Path: <>\nList-Id: <claims.example.com>\n"
        "X-Auto-Response-Suppress: All\nX-Autorespond: on\nX-Autogenerated: Reply\n"
    )
    inbound = parse_email(eml(head, "Ich bin nicht im Büro."))
    assert inbound.headers["auto-submitted"] == "auto-replied"
    assert inbound.headers["x-autoreply"] == "yes"
    assert inbound.headers["x-autorespond"] == "on"
    assert inbound.headers["x-autogenerated"] == "Reply"
    assert inbound.headers["precedence"] == "auto_reply"
    assert inbound.headers["return-path"] == "<>"
    assert inbound.headers["list-id"] == "<claims.example.com>"
    assert inbound.headers["x-auto-response-suppress"] == "All"
    assert inbound.headers["from"] == "Jane Doe <jane@example.net>"
    assert inbound.headers["to"] == "claims@example.com"
    assert inbound.headers["date"] == "Mon, 02 Mar 2026 10:00:00 +0100"
    assert inbound.headers["message-id"] == "<ooo@example.net>"
    assert automatic_reason(inbound) == "Auto-Submitted: auto-replied"


def test_addresses_in_extras_and_mailbox_as_recipient() -> None:
    head = (
        'From: "Doe, Jane" <jane@example.net>\nTo: claims@example.com, Bob <bob@example.org>\n'
        "Cc: =?utf-8?Q?J=C3=BCrgen?= <j@example.de>, ann@example.se\n"
        "Reply-To: Jane private <jane.private@example.net>\nSubject: x\n"
        "Date: Mon, 02 Mar 2026 10:00:00 +0100\n"
    )
    inbound = parse_email(eml(head, "hi"), mailbox="complaints@example.com")
    assert inbound.sender_name == "Doe, Jane"
    assert inbound.recipient == "complaints@example.com"
    assert inbound.extras["to"] == ["claims@example.com", "bob@example.org"]
    assert inbound.extras["cc"] == ["j@example.de", "ann@example.se"]
    assert inbound.extras["reply_to"] == ["jane.private@example.net"]


def test_missing_from_falls_back_to_sender() -> None:
    head = "Sender: Agent <agent@example.org>\nTo: claims@example.com\nSubject: x\n"
    inbound = parse_email(eml(head, "hi"))
    assert inbound.sender[0].value == "agent@example.org"
    assert "no usable From address; sender used" in inbound.extras["defects"]


def test_nested_multiparts() -> None:
    body = "--a\nContent-Type: multipart/mixed; boundary=b\n\n"
    body += "--b\nContent-Type: multipart/mixed; boundary=c\n\n"
    body += "--c\nContent-Type: text/plain\n\nDeep text\n--c--\n--b--\n--a--\n"
    head = HEAD + "Subject: x\nContent-Type: multipart/mixed; boundary=a\n"
    assert parse_email(eml(head, body)).text == "Deep text"


def test_missing_boundary_is_recovered() -> None:
    body = (
        "--xyz\nContent-Type: text/plain; charset=utf-8\n\nThe text\n"
        "--xyz\nContent-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64\n\n"
        + b64(b"%PDF") + "--xyz--\n"
    )
    for content_type in ("multipart/mixed", 'multipart/mixed; boundary="wrong"'):
        inbound = parse_email(eml(HEAD + f"Subject: x\nContent-Type: {content_type}\n", body))
        assert inbound.text == "The text"
        assert [a.filename for a in inbound.attachments] == ["a.pdf"]
        assert "multipart/mixed without usable boundary; recovered from the body" in (
            inbound.extras["defects"]
        )


def test_multipart_without_any_part_is_read_as_text() -> None:
    inbound = parse_email(eml(HEAD + "Subject: x\nContent-Type: multipart/mixed\n", "just text\n"))
    assert inbound.text == "just text"
    assert "multipart/mixed without usable boundary; read as text" in inbound.extras["defects"]


def test_truncated_mail_keeps_what_arrived() -> None:
    full = _related_mail()
    cut = full[: full.index(b"iVBORw0KGgo") + 101]  # in the middle of the image
    inbound = parse_email(cut)
    assert inbound.text == "See the photo."
    assert inbound.subject == "Photo"
    assert "close boundary not found" in inbound.extras["defects"]


def test_truncated_in_headers() -> None:
    inbound = parse_email(b"From: Jane <jane@example.net>\nSubject: Cla")
    assert inbound.subject == "Cla"
    assert inbound.text == ""


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n ", "empty"),
        (b"hello world, this is just a line of text\nand another\n", "no mail headers"),
        (b'{"from": "jane@example.net", "subject": "x"}', "no mail headers"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "no mail headers"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        ("From: a@b\n\ntext", "expected bytes"),
    ],
)
def test_not_a_mail(raw: bytes, reason: str) -> None:
    with pytest.raises(UnparseableMail, match=reason):
        parse_email(raw)


def test_unparseable_mail_is_a_value_error() -> None:
    assert issubclass(UnparseableMail, ValueError)


def test_mail_over_the_limit_holds_attachments_back() -> None:
    raw = _related_mail()
    inbound = parse_email(raw, max_bytes=len(raw) - 1)
    assert inbound.text == "See the photo."
    assert inbound.html.startswith("<p>See the photo.</p>")
    assert inbound.attachments == []
    assert inbound.extras["attachments_held_back"] == [
        {"filename": "photo.png", "content_type": "image/png", "size": len(PNG)},
        {"filename": "report.pdf", "content_type": "application/pdf", "size": 14},
    ]
    (note,) = inbound.extras["notes"]
    assert "2 attachment(s) held back" in note
    assert "stored raw mail" in note
    at_limit = parse_email(raw, max_bytes=len(raw))
    assert len(at_limit.attachments) == 2
    assert "notes" not in at_limit.extras


def test_large_base64_attachment_survives_lifting() -> None:
    head = HEAD + 'Subject: x\nContent-Type: multipart/mixed; boundary="m"\n'
    body = (
        "--m\nContent-Type: text/plain\n\nReport attached.\n"
        "--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=r.pdf\n"
        "Content-Transfer-Encoding: base64\n\n" + b64(PDF) + "--m\n"
        "Content-Type: message/rfc822\n\nFrom: a@example.org\nSubject: inner\n"
        "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
        + b64(PDF) + "--m--\n"
    )
    for crlf in (False, True):
        inbound = parse_email(eml(head, body, crlf=crlf))
        pdf, inner = inbound.attachments
        assert pdf.data == PDF
        assert inner.data is not None
        assert email.message_from_bytes(inner.data).get_payload(decode=True) == PDF
        assert inbound.text == "Report attached."


def test_lifting_takes_out_only_whole_base64_bodies() -> None:
    from channels.email.lift import lift

    head = HEAD + 'Subject: x\nContent-Type: multipart/mixed; boundary="m"\n'
    text = "Dear sir\n\n" + "word " * 20_000 + "\n"  # large, but text
    odd = b64(PDF)
    odd = odd[:1000] + "\r" + odd[1000:]  # a lone CR inside
    body = (
        f"--m\nContent-Type: text/plain\n\n{text}"
        "--m\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n"
        + b64(PDF) + "--m\nContent-Type: application/octet-stream\n"
        "Content-Transfer-Encoding: base64\n\n" + odd + "--m--\n"
    )
    for crlf in (False, True):
        raw = eml(head, body, crlf=crlf)
        skeleton, runs = lift(raw)
        # Both attachments lifted (the lone CR in the second one included),
        # each without its last, padded line; the text stays.
        assert len(runs) == 2
        assert all(b"=" not in run and b"-" not in run for run in runs)
        assert len(skeleton) < len(raw) - 2 * 250_000
        assert b"word word" in skeleton
        inbound = parse_email(raw)
        assert [a.data for a in inbound.attachments] == [PDF, PDF]
        assert inbound.text.startswith("Dear sir")


def test_json_round_trip_of_the_result() -> None:
    from channels.base import Inbound

    inbound = parse_email(_related_mail())
    again = Inbound.from_json(inbound.to_json())
    assert again == inbound
