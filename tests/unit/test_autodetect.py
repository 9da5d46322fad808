from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.base import Inbound, SenderIdentity
from inbox.intake.autodetect import automatic_reason

NOW = datetime(2026, 3, 2, tzinfo=UTC)


def mail(sender: str = "jane@example.com", subject: str = "Claim", **headers: str) -> Inbound:
    return Inbound(
        channel="email", external_id="x@y", received_at=NOW,
        sender=[SenderIdentity("email", sender)], subject=subject,
        headers={k.replace("_", "-"): v for k, v in headers.items()},
    )


@pytest.mark.parametrize(
    "inbound",
    [
        mail(auto_submitted="auto-replied"),
        mail(auto_submitted="auto-generated"),
        mail(x_autoreply="yes"),
        mail(x_autorespond="on"),
        mail(precedence="bulk"),
        mail(precedence="auto_reply"),
        mail(precedence="junk"),
        mail(return_path="<>"),
        mail(content_type='multipart/report; report-type=delivery-status; boundary="x"'),
        mail(sender="MAILER-DAEMON@mx.example.com"),
        mail(sender="postmaster@example.com"),
        mail(sender="noreply@shop.example"),
        mail(subject="Out of Office: Claim"),
        mail(subject="Automatic reply: your letter"),
        mail(subject="Abwesenheitsnotiz: Schaden"),
        mail(subject="Αυτόματη απάντηση: Ζημιά"),
        mail(subject="Automatická odpověď: Škoda"),
        mail(subject="Automatiskt svar: Skada"),
        mail(subject="Undeliverable: Your reply"),
    ],
)
def test_automatic_mail_is_recognised(inbound: Inbound) -> None:
    assert automatic_reason(inbound) is not None


@pytest.mark.parametrize(
    "inbound",
    [
        mail(),
        mail(auto_submitted="no"),
        mail(precedence="first-class"),
        mail(x_auto_response_suppress="All"),  # asks us not to auto-reply; a person wrote it
        mail(sender="daemon.lover@example.com"),
        mail(subject="Re: out of office hours claim line"),
    ],
)
def test_person_written_mail_is_not_automatic(inbound: Inbound) -> None:
    assert automatic_reason(inbound) is None


def test_adapter_flag_wins() -> None:
    inbound = mail()
    inbound.auto = True
    assert automatic_reason(inbound) == "adapter"


def test_subject_rule_only_applies_to_email() -> None:
    sms = Inbound(channel="sms", external_id="SM1", received_at=NOW,
                  sender=[SenderIdentity("phone", "+447700900123")], subject="Out of office")
    assert automatic_reason(sms) is None
