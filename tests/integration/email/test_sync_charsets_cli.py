"""Every charset case of the parser, through a real Dovecot into the database,
and ``inbox sync email`` as a user runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from inbox.database import Database
from inbox.mail.sync import sync_mailbox
from inbox.models import FailedIntake, MailboxState, Message
from tests.conftest import Invoke
from tests.servers.dovecot import PASSWORD_ENV, DovecotServer, MailUser
from tests.unit.email.builders import b64, eml, encoded_word

HEAD = (
    "From: Jana Novakova <jana@example.cz>\nTo: claims@inbox.test\n"
    "Date: Mon, 02 Mar 2026 10:00:00 +0100\n"
)

CZ_SUBJECT = encoded_word("Škoda na vozidle", "windows-1250", q=True)

# (case, raw mail, expected subject, text that must appear exactly)
CASES: list[tuple[str, bytes, str, str]] = [
    (
        "rfc2047 iso-8859-7",
        eml(
            HEAD + f"Message-ID: <c1@x>\nSubject: {encoded_word('Ζημιά στο σπίτι', 'iso-8859-7')}\n"
            "Content-Type: text/plain; charset=utf-8\n",
            "Καλημέρα",
        ),
        "Ζημιά στο σπίτι",
        "Καλημέρα",
    ),
    (
        "rfc2047 windows-1250 Q",
        eml(
            HEAD
            + f"Message-ID: <c2@x>\nSubject: {CZ_SUBJECT}\n"
            "Content-Type: text/plain; charset=windows-1250\nContent-Transfer-Encoding: 8bit\n",
            "Dobrý den, posílám fakturu.".encode("cp1250"),
        ),
        "Škoda na vozidle",
        "Dobrý den, posílám fakturu.",
    ),
    (
        "raw 8-bit UTF-8 header",
        eml(
            (
                HEAD + "Message-ID: <c3@x>\nSubject: Vattenskada i köket\n"
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
            ).encode(),
            "Hej, röret sprack.",
        ),
        "Vattenskada i köket",
        "Hej, röret sprack.",
    ),
    (
        "raw 8-bit cp1252 header",
        eml(
            (
                HEAD + "Message-ID: <c4@x>\nSubject: Wasserschaden in der Küche\n"
                "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n"
            ).encode("cp1252"),
            "Grüße aus Köln".encode("cp1252"),
        ),
        "Wasserschaden in der Küche",
        "Grüße aus Köln",
    ),
    (
        "latin-1 declared, UTF-8 sent",
        eml(
            HEAD + "Message-ID: <c5@x>\nSubject: Schaden\n"
            "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n",
            "Straße und Gebäude".encode(),
        ),
        "Schaden",
        "Straße und Gebäude",
    ),
    (
        "unknown charset name",
        eml(
            HEAD + "Message-ID: <c6@x>\nSubject: Klaim\n"
            "Content-Type: text/plain; charset=x-unknown-8bit\nContent-Transfer-Encoding: 8bit\n",
            "Příloha: faktura".encode(),
        ),
        "Klaim",
        "Příloha: faktura",
    ),
    (
        "no charset, base64 UTF-8",
        eml(
            HEAD + "Message-ID: <c7@x>\nSubject: Polis\nContent-Type: text/plain\n"
            "Content-Transfer-Encoding: base64\n",
            b64(b"Terima kasih, Ibu Siti"),
        ),
        "Polis",
        "Terima kasih, Ibu Siti",
    ),
]


def now() -> datetime:
    return datetime.now(UTC)


def test_every_charset_case_through_dovecot(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
) -> None:
    box = dovecot.mailbox(mail_user, name=f"cs-{mail_user.name}"[:60])
    for _, raw, _, _ in CASES:
        dovecot.deliver(mail_user.name, raw)
    report = sync_mailbox(committed_db, box, now=now)
    assert report.filed == len(CASES)
    with committed_db.transaction() as s:
        messages = {
            m.external_id: m
            for m in s.scalars(sa.select(Message).where(Message.recipient == box.address))
        }
        for n, (case, _, subject, text) in enumerate(CASES, start=1):
            message = messages[f"c{n}@x"]
            assert message.subject == subject, case
            assert text in message.text, (case, message.text)
            assert "\ufffd" not in message.subject + message.text, case


def test_cli_once_since_and_errors(
    invoke: Invoke,
    dovecot: DovecotServer,
    mail_user: MailUser,
    tmp_path: Path,
) -> None:
    for n in range(3):
        dovecot.deliver(
            mail_user.name, eml(HEAD + f"Message-ID: <cli{n}@x>\nSubject: Q {n}\n", "Hello")
        )
    config = tmp_path / "inbox.toml"
    config.write_text(
        "[[email]]\n"
        f'name = "claims"\naddress = "claims-{mail_user.name}@inbox.test"\n'
        f'imap_host = "{dovecot.host}"\nimap_port = {dovecot.imap_port}\n'
        f'imap_security = "starttls"\nusername = "{mail_user.name}"\n'
        f'password_env = "{PASSWORD_ENV}"\nca_file = "{dovecot.ca_file}"\n'
    )
    env = {"INBOX_CONFIG": str(config), PASSWORD_ENV: mail_user.password}
    result = invoke("sync", "email", "--once", "--parse-workers", "0", extra_env=env)
    assert result.exit_code == 0, result.output
    assert "claims/INBOX: 3 fetched, 3 filed" in result.output
    again = invoke(
        "sync", "email", "--once", "--mailbox", "claims", "--parse-workers", "0", extra_env=env
    )
    assert "0 fetched" in again.output
    backfill = invoke(
        "sync", "email", "--once", "--since", "2020-01-01", "--parse-workers", "1", extra_env=env
    )
    assert backfill.exit_code == 0, backfill.output
    assert "3 fetched, 0 filed, 3 already filed" in backfill.output
    unknown = invoke("sync", "email", "--once", "--mailbox", "nope", extra_env=env)
    assert unknown.exit_code != 0
    assert "unknown mailbox: nope" in unknown.output
    wrong = invoke("sync", "email", "--once", extra_env={**env, PASSWORD_ENV: "wrong"})
    assert wrong.exit_code == 1
    assert "claims:" in wrong.output


@pytest.mark.parametrize("garbage", [b"\x00\x01\x02 not a mail at all", b""])
def test_garbage_in_the_mailbox_is_kept_raw(
    committed_db: Database,
    dovecot: DovecotServer,
    mail_user: MailUser,
    garbage: bytes,
) -> None:
    box = dovecot.mailbox(mail_user, name=f"g-{mail_user.name}"[:60])
    dovecot.deliver(mail_user.name, garbage + b"\r\n")
    dovecot.deliver(
        mail_user.name, eml(HEAD + "Message-ID: <after-garbage@x>\nSubject: ok\n", "ok")
    )
    report = sync_mailbox(committed_db, box, now=now)
    assert report.filed + report.folders[0].failed == 2
    with committed_db.transaction() as s:
        state = s.scalars(sa.select(MailboxState).where(MailboxState.mailbox == box.name)).one()
        assert state.last_uid == 2  # the cursor moved past it: nothing blocks the mailbox
        assert (
            s.scalar(
                sa.select(sa.func.count())
                .select_from(Message)
                .where(Message.external_id == "after-garbage@x")
            )
            == 1
        )
        if report.folders[0].failed:
            assert (
                s.scalar(
                    sa.select(sa.func.count())
                    .select_from(FailedIntake)
                    .where(FailedIntake.channel == "email", FailedIntake.raw_ref.is_not(None))
                )
                >= 1
            )
