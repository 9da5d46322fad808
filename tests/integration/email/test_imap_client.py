"""channels.email.imap against a real Dovecot (tests/servers/dovecot.py)."""

from __future__ import annotations

import dataclasses
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from channels.email.imap import (
    AuthenticationFailed,
    ImapConnection,
    ImapError,
    ImapUnavailable,
    TlsError,
    backoff_delays,
    connect,
)
from tests.servers.dovecot import TOKEN_ENV, DovecotServer, MailUser
from tests.servers.tls import free_port

pytestmark = pytest.mark.integration


def mail(n: int, body: str = "", subject: str = "") -> bytes:
    return (f"From: Jane <jane@example.com>\r\nTo: claims@inbox.test\r\n"
            f"Subject: {subject or f'Mail {n}'}\r\nMessage-ID: <m{n}@example.com>\r\n\r\n"
            f"{body or f'Body {n}'}\r\n").encode()


@pytest.fixture
def conn(dovecot: DovecotServer, mail_user: MailUser) -> Iterator[ImapConnection]:
    with connect(dovecot.mailbox(mail_user), timeout=10) as connection:
        yield connection


def later(seconds: float, action: Any) -> threading.Timer:
    timer = threading.Timer(seconds, action)
    timer.start()
    return timer


# -- connecting ------------------------------------------------------------------------

@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_connects_over_tls_trusting_the_private_ca(
        dovecot: DovecotServer, mail_user: MailUser, security: str) -> None:
    with connect(dovecot.mailbox(mail_user, security)) as conn:
        sock = conn.client.socket()
        assert isinstance(sock, ssl.SSLSocket)
        assert sock.version() in ("TLSv1.2", "TLSv1.3")
        assert conn.client._imap.debug == 0
        assert conn.select("INBOX").exists == 0


def test_connects_without_tls_when_configured(dovecot: DovecotServer, mail_user: MailUser) -> None:
    with connect(dovecot.mailbox(mail_user, "none")) as conn:
        assert not isinstance(conn.client.socket(), ssl.SSLSocket)
        assert conn.select("INBOX").exists == 0


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_certificate_is_verified_without_the_ca(
        dovecot: DovecotServer, mail_user: MailUser, security: str) -> None:
    with pytest.raises(TlsError, match="certificate not trusted"):
        connect(dovecot.mailbox(mail_user, security, ca_file=""))


def test_wrong_password_is_an_authentication_failure(
        dovecot: DovecotServer, mail_user: MailUser) -> None:
    box = dovecot.mailbox(mail_user, env={"TEST_IMAP_PASSWORD": "not-the-password"})
    with pytest.raises(AuthenticationFailed, match="AUTHENTICATIONFAILED") as caught:
        connect(box)
    assert not isinstance(caught.value, ImapUnavailable)  # the sync must not retry it


def test_unknown_user_is_an_authentication_failure(dovecot: DovecotServer) -> None:
    stranger = MailUser("nobody-here", "x")
    with pytest.raises(AuthenticationFailed):
        connect(dovecot.mailbox(stranger))


def test_non_ascii_password_logs_in(dovecot: DovecotServer) -> None:
    user = dovecot.add_user("greek-password", "κωδικός-Ζ1")
    with connect(dovecot.mailbox(user)) as conn:
        assert conn.select("INBOX").exists == 0


def test_refused_connection_is_unavailable(dovecot: DovecotServer, mail_user: MailUser) -> None:
    with pytest.raises(ImapUnavailable, match="ConnectionRefusedError"):
        connect(dovecot.mailbox(mail_user, "none", imap_port=free_port()))


def test_silent_server_times_out_as_unavailable(
        dovecot: DovecotServer, mail_user: MailUser) -> None:
    with socket.socket() as listener:  # accepts TCP, never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        box = dovecot.mailbox(mail_user, "none", imap_port=listener.getsockname()[1])
        started = time.monotonic()
        with pytest.raises(ImapUnavailable):
            connect(box, timeout=0.5)
        assert time.monotonic() - started < 5


def test_xoauth2_login(dovecot: DovecotServer) -> None:
    # Dovecot's XOAUTH2 checks the bearer token against the passdb like a password.
    user = dovecot.add_user("oauth-user", "ya29.token-Abc_123")
    box = dovecot.mailbox(user, password_env="", oauth2_token_env=TOKEN_ENV,
                          env={TOKEN_ENV: user.password})
    with connect(box) as conn:
        assert conn.select("INBOX").exists == 0
    with pytest.raises(AuthenticationFailed):
        connect(dataclasses.replace(box, env={TOKEN_ENV: "ya29.expired"}))


# -- folder state -------------------------------------------------------------------------

def test_select_reports_folder_state(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    for n in (1, 2):
        dovecot.deliver(mail_user.name, mail(n))
    state = conn.select("INBOX")
    assert state.exists == 2
    assert state.uidnext == 3
    assert conn.has_condstore
    assert isinstance(state.highestmodseq, int)
    assert state.uidvalidity == int(dovecot.status(mail_user.name)["uidvalidity"])


@pytest.mark.parametrize("folder", ["INBOX", "Claims"])
def test_uidvalidity_changes_when_the_folder_is_recreated(
        dovecot: DovecotServer, mail_user: MailUser, folder: str) -> None:
    if folder != "INBOX":
        dovecot.create_folder(mail_user.name, folder)
    dovecot.deliver(mail_user.name, mail(1), folder=folder)
    with connect(dovecot.mailbox(mail_user)) as conn:
        before = conn.select(folder)
    dovecot.recreate_folder(mail_user.name, folder)
    with connect(dovecot.mailbox(mail_user)) as conn:
        after = conn.select(folder)
    assert before.exists == 1
    assert after.exists == 0
    assert after.uidvalidity != before.uidvalidity


def test_missing_folder_is_an_error_not_an_outage(conn: ImapConnection) -> None:
    with pytest.raises(ImapError) as caught:
        conn.select("No such folder")
    assert not isinstance(caught.value, ImapUnavailable)


# -- listing UIDs ---------------------------------------------------------------------------

def test_uids_after_filters_the_highest_uid_quirk(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    for n in (1, 2, 3):
        dovecot.deliver(mail_user.name, mail(n))
    conn.select("INBOX")
    assert conn.client.search(["UID", "4:*"]) == [3]  # the server's answer to "4:*"
    assert conn.uids_after(0) == [1, 2, 3]
    assert conn.uids_after(1) == [2, 3]
    assert conn.uids_after(3) == []
    assert conn.uids_after(100) == []


def test_uids_since_uses_the_internal_date(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    conn.client.append("INBOX", mail(1), msg_time=datetime(2024, 1, 10, 12, tzinfo=UTC))
    conn.client.append("INBOX", mail(2), msg_time=datetime(2024, 3, 5, 12, tzinfo=UTC))
    dovecot.deliver(mail_user.name, mail(3))
    conn.select("INBOX")
    assert conn.uids_since(date(2024, 2, 1)) == [2, 3]
    assert conn.uids_since(datetime(2024, 1, 1, tzinfo=UTC)) == [1, 2, 3]
    assert conn.uids_since(datetime.now(UTC).date() + timedelta(days=2)) == []


# -- fetching -------------------------------------------------------------------------------

@pytest.mark.parametrize("readonly", [True, False])
def test_fetch_returns_raw_mail_and_leaves_it_unseen(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection, readonly: bool) -> None:
    sent = [mail(n, subject="Ζημιά από νερό") for n in (1, 2)]
    for raw in sent:
        dovecot.deliver(mail_user.name, raw)
    conn.select("INBOX", readonly=readonly)
    fetched = list(conn.fetch(conn.uids_after(0)))
    assert [m.uid for m in fetched] == [1, 2]
    assert [m.raw for m in fetched] == sent
    for item in fetched:
        assert item.size == len(item.raw)
        assert not item.truncated
        assert item.internaldate.tzinfo == UTC
        assert abs(datetime.now(UTC) - item.internaldate) < timedelta(minutes=5)
    assert all(b"\\Seen" not in flags for flags in conn.flags([1, 2]).values())
    assert dovecot.status(mail_user.name)["unseen"] == "2"


def test_rfc822_would_have_marked_the_mail_seen(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    # The contrast that makes the test above meaningful.
    dovecot.deliver(mail_user.name, mail(1))
    conn.select("INBOX", readonly=False)
    conn.client.fetch([1], ["RFC822"])
    assert b"\\Seen" in conn.flags([1])[1]


def test_fetch_in_batches_of_uid_lists(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dovecot.append_many(mail_user.name, (mail(n) for n in range(450)))
    conn.select("INBOX")
    calls: list[list[int]] = []
    real_fetch = conn.client.fetch

    def counting_fetch(uids: list[int], data: Any, modifiers: Any = None) -> Any:
        calls.append(list(uids))
        return real_fetch(uids, data, modifiers)

    monkeypatch.setattr(conn.client, "fetch", counting_fetch)
    fetched = list(conn.fetch(reversed(conn.uids_after(0)), batch=200))
    assert [m.uid for m in fetched] == list(range(1, 451))
    assert [len(c) for c in calls] == [200, 200, 50]
    assert fetched[123].raw == mail(123)
    with pytest.raises(ValueError, match="batch"):
        list(conn.fetch([1], batch=0))


def test_fetch_skips_uids_that_are_gone(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    dovecot.deliver(mail_user.name, mail(1))
    conn.select("INBOX")
    assert [m.uid for m in conn.fetch([1, 77])] == [1]
    assert list(conn.fetch([])) == []


def test_fetch_cuts_mail_over_max_bytes(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    small, big = mail(1), mail(2, body="x" * 5000)
    dovecot.deliver(mail_user.name, small)
    dovecot.deliver(mail_user.name, big)
    conn.select("INBOX")
    first, second = conn.fetch([1, 2], max_bytes=1000)
    assert (first.raw, first.truncated, first.size) == (small, False, len(small))
    assert (second.raw, second.truncated, second.size) == (big[:1000], True, len(big))


# -- waiting for mail ---------------------------------------------------------------------

def test_idle_wakes_up_when_mail_arrives(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    assert conn.has_idle
    conn.select("INBOX")
    timer = later(0.3, lambda: dovecot.deliver(mail_user.name, mail(1)))
    started = time.monotonic()
    assert conn.idle(10) is True
    assert time.monotonic() - started < 5  # woken, not timed out
    timer.join()
    assert conn.uids_after(0) == [1]


def test_idle_returns_false_after_the_timeout(conn: ImapConnection) -> None:
    conn.select("INBOX")
    started = time.monotonic()
    assert conn.idle(2) is False
    assert time.monotonic() - started >= 1.9
    assert conn.uids_after(0) == []  # the session is usable after IDLE


def test_idle_needs_a_selected_folder(conn: ImapConnection) -> None:
    with pytest.raises(ImapError, match="no folder"):
        conn.idle(1)


def test_polling_fallback_without_idle(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    conn.select("INBOX")
    conn.has_idle = False  # as on a server that does not offer IDLE
    assert conn.idle(0.2) is False
    dovecot.deliver(mail_user.name, mail(1))
    assert conn.idle(0.2) is True  # NOOP reported EXISTS


# -- dropped connections ------------------------------------------------------------------

def test_kick_makes_the_next_call_unavailable_and_reconnect_works(
        dovecot: DovecotServer, mail_user: MailUser) -> None:
    box = dovecot.mailbox(mail_user)
    conn = connect(box)
    conn.select("INBOX")
    dovecot.kick(mail_user.name)
    with pytest.raises(ImapUnavailable):
        conn.uids_after(0)
    with pytest.raises(ImapUnavailable, match="reconnect"):
        conn.select("INBOX")
    conn.close()  # closing a dead session is quiet
    dovecot.deliver(mail_user.name, mail(1))
    with connect(box) as again:
        again.select("INBOX")
        assert again.uids_after(0) == [1]


def test_kick_during_idle_is_unavailable(dovecot: DovecotServer, mail_user: MailUser) -> None:
    with connect(dovecot.mailbox(mail_user, "starttls")) as conn:
        conn.select("INBOX")
        timer = later(0.3, lambda: dovecot.kick(mail_user.name))
        with pytest.raises(ImapUnavailable):
            conn.idle(10)
        timer.join()


def test_unreadable_line_during_idle_is_unavailable_not_an_error(
        dovecot: DovecotServer, mail_user: MailUser, conn: ImapConnection) -> None:
    """imapclient can read a server line in pieces during IDLE and raise
    ProtocolError ("till here" of "* OK Still here"; seen under load by
    bench/load.py, which stopped `inbox sync email`): the loop must reconnect."""
    from imapclient.exceptions import ProtocolError

    conn.select("INBOX")

    def misread(timeout: float | None = None) -> list[Any]:
        raise ProtocolError("Server replied with a response that violates the IMAP protocol")

    conn._client.idle_check = misread  # type: ignore[method-assign]
    with pytest.raises(ImapUnavailable, match="reconnecting"):
        conn.idle(5)
    with pytest.raises(ImapUnavailable, match="reconnect"):
        conn.select("INBOX")
    dovecot.deliver(mail_user.name, mail(1))
    with connect(dovecot.mailbox(mail_user)) as again:
        again.select("INBOX")
        assert again.uids_after(0) == [1]


def test_closed_connection_refuses_further_calls(conn: ImapConnection) -> None:
    conn.close()
    with pytest.raises(ImapUnavailable):
        conn.select("INBOX")


# -- backoff ------------------------------------------------------------------------------

def test_backoff_ceiling_doubles_up_to_the_cap() -> None:
    delays = backoff_delays(base=1, cap=300, rng=lambda: 1.0)
    assert [next(delays) for _ in range(12)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_backoff_is_fully_jittered() -> None:
    delays = backoff_delays(base=1, cap=300)
    values = [next(delays) for _ in range(200)]
    ceilings = [min(300, 2 ** n) for n in range(200)]
    assert all(0 <= v <= c for v, c in zip(values, ceilings, strict=True))
    assert len({round(v, 6) for v in values[10:]}) > 150  # random, not a fixed schedule
    with pytest.raises(ValueError, match="base"):
        next(backoff_delays(base=0))
