"""channels.email.smtp against a real SMTP server (aiosmtpd, tests/servers/smtp.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from channels.base import InboundAttachment, Outbound
from channels.email.smtp import (
    REFERENCES_MAX,
    SmtpRejected,
    SmtpUnavailable,
    reference_chain,
    send,
)
from tests.servers.smtp import SmtpFactory, SmtpServer
from tests.servers.tls import free_port

pytestmark = pytest.mark.integration

GREEK_SUBJECT = "Απάντηση: Ζημιά από νερό στην κουζίνα — αριθμός απαίτησης CL-2026-0042"
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def reply(**fields: object) -> Outbound:
    values: dict[str, object] = {
        "channel": "email", "to": "Γιάννης Παπαδόπουλος <jane@example.com>",
        "subject": GREEK_SUBJECT, "text": "Καλησπέρα,\nλάβαμε το αίτημά σας.\n",
        "in_reply_to": "<cust-2@mail.example.com>",
        "references": ["<cust-1@mail.example.com>", "cust-2@mail.example.com"],
    }
    values.update(fields)
    return Outbound(**values)  # type: ignore[arg-type]


def test_reply_goes_out_with_threading_headers(smtp_server: SmtpServer) -> None:
    box = smtp_server.mailbox(address="claims@insurer.test")
    before = datetime.now(UTC)
    sent = send(box, reply())
    assert before <= sent.accepted_at <= datetime.now(UTC) + timedelta(seconds=1)
    [got] = smtp_server.messages
    assert got.mail_from == "claims@insurer.test"
    assert got.rcpt_tos == ["jane@example.com"]
    assert got.raw.replace(b"\r\n", b"\n") == sent.raw.replace(b"\r\n", b"\n")
    msg = got.parsed()
    assert msg["From"] == "claims@insurer.test"
    assert msg["To"].addresses[0].display_name == "Γιάννης Παπαδόπουλος"
    assert msg["Subject"] == GREEK_SUBJECT
    assert re.search(rb"^Subject: =\?utf-8\?", got.raw, re.M)  # RFC 2047 on the wire
    assert got.raw.isascii()
    assert msg["Message-ID"] == f"<{sent.message_id}>"
    assert sent.message_id.endswith("@insurer.test")
    assert msg["In-Reply-To"] == "<cust-2@mail.example.com>"
    assert msg["References"].split() == ["<cust-1@mail.example.com>", "<cust-2@mail.example.com>"]
    assert msg["Auto-Submitted"] is None
    body = msg.get_body(("plain",))
    assert body is not None
    # base64 of the canonical (CRLF) form: line ends come back as CRLF
    assert body.get_content().replace("\r\n", "\n") == "Καλησπέρα,\nλάβαμε το αίτημά σας.\n"
    assert sent.refused == {}


def test_given_message_id_and_automatic_answer(smtp_server: SmtpServer) -> None:
    sent = send(smtp_server.mailbox(),
                reply(message_id="ack-77@insurer.test", extras={"automatic": True}))
    assert sent.message_id == "ack-77@insurer.test"
    msg = smtp_server.messages[0].parsed()
    assert msg["Message-ID"] == "<ack-77@insurer.test>"
    assert msg["Auto-Submitted"] == "auto-replied"


def test_html_alternative_inline_image_and_attachment(smtp_server: SmtpServer) -> None:
    send(smtp_server.mailbox(), reply(
        html='<p>Καλησπέρα</p><img src="cid:logo@insurer.test">',
        attachments=[
            InboundAttachment("Απόφαση.pdf", "application/pdf", data=PDF),
            InboundAttachment("logo.png", "image/png", data=PNG, content_id="logo@insurer.test",
                              inline=True),
        ],
    ))
    msg = smtp_server.messages[0].parsed()
    html = msg.get_body(("html",))
    assert html is not None
    assert "Καλησπέρα" in html.get_content()
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert [p["Content-ID"] for p in images] == ["<logo@insurer.test>"]
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_filename() == "Απόφαση.pdf"
    assert pdf.get_content() == PDF


def test_attachment_without_bytes_is_refused_before_sending(smtp_server: SmtpServer) -> None:
    att = InboundAttachment("a.pdf", "application/pdf", sha256="ab" * 32)
    with pytest.raises(SmtpRejected, match="load its bytes"):
        send(smtp_server.mailbox(), reply(attachments=[att]))
    assert smtp_server.messages == []


def test_long_reference_chains_are_trimmed_and_never_encoded(smtp_server: SmtpServer) -> None:
    ids = [f"<{'x' * 70}.{n}@mail.example.com>" for n in range(40)]
    send(smtp_server.mailbox(), reply(references=ids[:-1], in_reply_to=ids[-1]))
    raw = smtp_server.messages[0].raw
    header = re.search(rb"^References:.*?(?=^\S)", raw, re.M | re.S)
    assert header is not None
    assert b"=?" not in header.group()
    refs = smtp_server.messages[0].parsed()["References"].split()
    assert len(refs) == REFERENCES_MAX
    assert refs[0] == ids[0]  # the thread root stays
    assert refs[-1] == ids[-1]  # the parent is last
    assert refs[1:] == ids[-(REFERENCES_MAX - 1):]


def test_reference_chain_normalises_and_deduplicates() -> None:
    chain = reference_chain(["<a@x> <b@x>", "c@x", "<a@x>", "not an id", ""], "b@x")
    assert chain == ["<a@x>", "<c@x>", "<b@x>"]


@pytest.mark.parametrize("password", ["s3cret", "s3cret-Ω"])  # LOGIN / UTF-8 AUTH PLAIN
def test_starttls_with_private_ca_and_auth(smtp_server_factory: SmtpFactory,
                                           password: str) -> None:
    server = smtp_server_factory(tls="starttls", users={"claims": password})
    send(server.mailbox(username="claims", password=password), reply())
    [got] = server.messages
    assert got.tls
    assert got.auth_user == "claims"


def test_implicit_tls(smtp_server_factory: SmtpFactory) -> None:
    server = smtp_server_factory(tls="ssl")
    send(server.mailbox(), reply())
    assert server.messages[0].tls


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_certificate_is_verified_without_the_ca(smtp_server_factory: SmtpFactory,
                                                tls: str) -> None:
    server = smtp_server_factory(tls=tls)
    with pytest.raises(SmtpRejected, match="certificate not trusted"):
        send(server.mailbox(ca_file=""), reply())
    assert server.messages == []


def test_starttls_required_but_not_offered(smtp_server: SmtpServer) -> None:
    with pytest.raises(SmtpRejected, match="STARTTLS"):
        send(smtp_server.mailbox(security="starttls"), reply())


def test_wrong_smtp_password_is_rejected(smtp_server_factory: SmtpFactory) -> None:
    server = smtp_server_factory(tls="starttls", users={"claims": "right"})
    with pytest.raises(SmtpRejected) as caught:
        send(server.mailbox(username="claims", password="wrong"), reply())
    assert caught.value.code == 535
    assert caught.value.permanent


def test_missing_auth_is_rejected(smtp_server_factory: SmtpFactory) -> None:
    server = smtp_server_factory(tls="starttls", users={"claims": "right"})
    with pytest.raises(SmtpRejected) as caught:
        send(server.mailbox(), reply())
    assert caught.value.code == 530
    assert server.messages == []


def test_550_is_permanent_with_the_server_reply(smtp_server: SmtpServer) -> None:
    smtp_server.reply_to_data("550 5.7.1 Message refused by policy")
    with pytest.raises(SmtpRejected, match="refused by policy") as caught:
        send(smtp_server.mailbox(), reply())
    assert caught.value.code == 550
    assert caught.value.reply == "5.7.1 Message refused by policy"


def test_451_is_temporary(smtp_server: SmtpServer) -> None:
    smtp_server.reply_to_data("451 4.3.0 Try again later")
    with pytest.raises(SmtpUnavailable) as caught:
        send(smtp_server.mailbox(), reply())
    assert caught.value.code == 451
    assert not caught.value.permanent
    smtp_server.reply_to_data(None)
    send(smtp_server.mailbox(), reply())  # the retry goes through
    assert len(smtp_server.messages) == 1


def test_server_down_is_temporary(smtp_server: SmtpServer) -> None:
    box = smtp_server.mailbox(smtp_port=free_port())
    with pytest.raises(SmtpUnavailable, match="ConnectionRefusedError"):
        send(box, reply())


def test_partial_refusal_is_reported(smtp_server: SmtpServer) -> None:
    smtp_server.reply_to_rcpt("gone@example.com", "550 5.1.1 No such user")
    sent = send(smtp_server.mailbox(), reply(to="jane@example.com, gone@example.com"))
    assert sent.refused == {"gone@example.com": (550, "5.1.1 No such user")}
    assert smtp_server.messages[0].rcpt_tos == ["jane@example.com"]


@pytest.mark.parametrize(("code", "kind"), [(550, SmtpRejected), (450, SmtpUnavailable)])
def test_every_recipient_refused(smtp_server: SmtpServer, code: int,
                                 kind: type[Exception]) -> None:
    smtp_server.reply_to_rcpt("jane@example.com", f"{code} mailbox problem")
    with pytest.raises(kind, match="refused every recipient"):
        send(smtp_server.mailbox(), reply())
    assert smtp_server.messages == []


def test_no_recipient_or_no_server_is_permanent(smtp_server: SmtpServer) -> None:
    with pytest.raises(SmtpRejected, match="recipient"):
        send(smtp_server.mailbox(), reply(to="not an address"))
    with pytest.raises(SmtpRejected, match="smtp_host"):
        send(smtp_server.mailbox(smtp_host=""), reply())
