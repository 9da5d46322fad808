"""IMAP intake I/O: a small client over ``imapclient`` for one mailbox.

What the sync (``inbox``) needs and nothing more: connect and log in, select a
folder and read its state (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ), list UIDs
after a cursor or since a date, fetch raw mails without marking them read,
and wait for news with IDLE. No database here, no parsing.

Errors, and what the caller does with them:

* :class:`ImapUnavailable` - connection refused, timeout, dropped (BYE / EOF,
  ``doveadm kick``), a temporary server failure: reconnect after a delay from
  :func:`backoff_delays`.
* :class:`AuthenticationFailed` - wrong password or token (or login refused):
  stop syncing that mailbox and show the error; retrying only hammers the
  server and may lock the account.
* :class:`TlsError` - the server's certificate does not verify against the
  system CAs (or ``ca_file``): a configuration error, shown like the above.
* :class:`ImapError` (the base) - any other refusal (e.g. a folder that does
  not exist): show it for that folder.

A missing secret (``password_env`` unset) raises ``MailboxConfigError`` from
``Mailbox.imap_secret()`` before anything is sent.

imapclient 4.x notes (see FIELD-NOTES): it sets imaplib's ``debug = 5``, which
formats every protocol line for a debug log even when logging is off;
:func:`connect` sets it to 0 (a bare fetch over IMAPS on loopback went from
~5,000 to ~9,300 mails/s on the mixed corpus of ``bench/imap_fetch.py``, 1.4x
on small plain mails; FIELD-NOTES saw 3-4x elsewhere). It rejects string
ranges such as ``"1:*"`` in ``fetch``: UID lists only. ``UID SEARCH UID n:*``
always returns the highest UID even when it is below ``n``: filtered here.
"""

from __future__ import annotations

import contextlib
import imaplib
import random
import ssl
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from imapclient import IMAPClient
from imapclient.exceptions import LoginError, ProtocolError

if TYPE_CHECKING:
    from config.email import Mailbox

# RFC 2177: servers may drop a client idle for 30 minutes; re-issue IDLE before.
IDLE_MAX_SECONDS = 29 * 60
_CHANGES = {b"EXISTS", b"EXPUNGE"}
_TEMPORARY_CODES = ("[UNAVAILABLE]", "[SERVERBUG]", "[INUSE]", "[LIMIT]")


_CHANGE_RESPONSES = ("EXISTS", "EXPUNGE")


class ImapError(Exception):
    """The server refused something; not worth an automatic retry."""


class ImapUnavailable(ImapError):  # noqa: N818 - the name says what the caller does
    """Cannot talk to the server now (refused, timeout, dropped): retry with backoff."""


class AuthenticationFailed(ImapError):  # noqa: N818
    """Login refused: stop this mailbox and show the error; do not retry."""


class TlsError(ImapError):
    """The server certificate did not verify (wrong or missing ``ca_file``?)."""


@dataclass(frozen=True, slots=True)
class FolderState:
    uidvalidity: int
    uidnext: int  # 0 if the server did not say (RFC 3501 requires it)
    highestmodseq: int | None  # None without CONDSTORE
    exists: int


@dataclass(frozen=True, slots=True)
class FetchedMail:
    uid: int
    raw: bytes
    internaldate: datetime  # timezone-aware, UTC
    size: int  # of the whole mail (RFC822.SIZE), even when ``raw`` was cut short
    truncated: bool = False  # True when ``raw`` holds only the first ``max_bytes``


def connect(mailbox: Mailbox, timeout: float = 30) -> ImapConnection:
    """Connect (``imap_security``: ssl | starttls | none), verify the certificate
    (system CAs, or ``ca_file`` for a private CA), log in with the password or
    with XOAUTH2, and enable CONDSTORE when offered."""
    kind, secret = mailbox.imap_secret()
    context = None
    if mailbox.imap_security in ("ssl", "starttls"):
        context = ssl.create_default_context(cafile=mailbox.ca_file or None)
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    client: IMAPClient | None = None
    try:
        with _translate(f"connect to {where}"):
            client = IMAPClient(mailbox.imap_host, mailbox.imap_port,
                                ssl=mailbox.imap_security == "ssl", ssl_context=context,
                                timeout=timeout)
            # imapclient sets 5: every line is formatted for a log nobody reads.
            client._imap.debug = 0
            client.normalise_times = False  # keep INTERNALDATE's offset; we convert to UTC
            if mailbox.imap_security == "starttls":
                if not client.has_capability("STARTTLS"):
                    raise ImapError(f"{where} does not offer STARTTLS")
                client.starttls(context)
        with _translate(f"log in to {where} as {mailbox.username}"):
            if kind == "oauth2":
                client.oauth2_login(mailbox.username, secret)
            elif secret.isascii():
                client.login(mailbox.username, secret)
            else:  # LOGIN sends ASCII only; AUTHENTICATE PLAIN carries UTF-8
                client.plain_login(mailbox.username, secret)
        with _translate(f"capabilities of {where}"):
            conn = ImapConnection(client)
    except BaseException:
        if client is not None:
            with contextlib.suppress(Exception):
                client.shutdown()
        raise
    return conn


class ImapConnection:
    """One logged-in IMAP session. Not thread-safe; one per mailbox worker."""

    def __init__(self, client: IMAPClient) -> None:
        self._client = client
        self._broken = False
        self.folder: str | None = None
        capabilities = set(client.capabilities())
        self.has_idle = b"IDLE" in capabilities
        self.has_condstore = b"CONDSTORE" in capabilities
        if self.has_condstore and b"ENABLE" in capabilities:
            client.enable("CONDSTORE")

    @property
    def client(self) -> IMAPClient:
        """The underlying ``IMAPClient``, for what this class does not cover."""
        return self._client

    # -- folders -------------------------------------------------------------------

    def select(self, folder: str, *, readonly: bool = True) -> FolderState:
        """Select ``folder`` (EXAMINE by default: nothing we do can change flags)."""
        with self._guard(f"select {folder}"):
            info = self._client.select_folder(folder, readonly=readonly)
        self._forget_changes()
        self.folder = folder
        if b"UIDVALIDITY" not in info:
            raise ImapError(f"select {folder}: the server sent no UIDVALIDITY")
        modseq = info.get(b"HIGHESTMODSEQ")
        return FolderState(
            uidvalidity=int(info[b"UIDVALIDITY"]),
            uidnext=int(info.get(b"UIDNEXT", 0)),
            highestmodseq=int(modseq) if modseq is not None else None,
            exists=int(info.get(b"EXISTS", 0)),
        )

    def _untagged(self) -> dict[str, Any]:
        # imaplib keeps untagged responses that no command asked for here.
        return getattr(getattr(self._client, "_imap", None), "untagged_responses", {})

    def _forget_changes(self) -> None:
        for key in _CHANGE_RESPONSES:
            self._untagged().pop(key, None)

    def changed_since_select(self) -> bool:
        """True when the server reported new or expunged mail in the selected
        folder after it was selected, in the response to some other command.
        The server says so once: an IDLE started now would wait for the next
        change, so the caller syncs again first."""
        return any(self._untagged().get(key) for key in _CHANGE_RESPONSES)

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid`` in the selected folder, ascending."""
        with self._guard("search"):
            found = self._client.search(["UID", f"{last_uid + 1}:*"])
        # "n:*" matches the highest UID even when it is below n: drop it.
        return sorted(uid for uid in found if uid > last_uid)

    def uids_since(self, since: date) -> list[int]:
        """UIDs of mail whose INTERNALDATE is on or after ``since`` (server's
        day boundaries, as IMAP SEARCH SINCE defines), ascending."""
        day = since.date() if isinstance(since, datetime) else since
        with self._guard("search"):
            return sorted(self._client.search(["SINCE", day]))

    # -- mail --------------------------------------------------------------------------

    def fetch(self, uids: Iterable[int], batch: int = 200, *,
              max_bytes: int | None = None) -> Iterator[FetchedMail]:
        """Raw mails for ``uids`` in ascending UID order, ``batch`` UIDs a round
        trip, with ``BODY.PEEK[]`` (never sets \\Seen). UIDs expunged meanwhile
        are skipped. With ``max_bytes``, mails larger than that come back cut to
        their first ``max_bytes`` bytes (``truncated=True``; headers and the
        text part usually come first) in the same round trip."""
        if batch < 1:
            raise ValueError("batch must be >= 1")
        # Without a limit the size is len(raw): RFC822.SIZE is asked for only with
        # one (imapclient lexes every extra item byte by byte in Python).
        if max_bytes is None:
            items, key = [b"BODY.PEEK[]", b"INTERNALDATE"], b"BODY[]"
        else:
            items = [f"BODY.PEEK[]<0.{max_bytes}>".encode(), b"INTERNALDATE", b"RFC822.SIZE"]
            key = b"BODY[]<0>"
        ordered = sorted(set(uids))
        for start in range(0, len(ordered), batch):
            chunk = ordered[start:start + batch]
            with self._guard("fetch"):
                response = self._client.fetch(chunk, items)
            for uid in chunk:
                item = response.get(uid)
                if item is None or key not in item:
                    continue
                raw = bytes(item[key] or b"")
                size = int(item.get(b"RFC822.SIZE", len(raw)))
                yield FetchedMail(uid=uid, raw=raw, internaldate=_utc(item.get(b"INTERNALDATE")),
                                  size=size, truncated=len(raw) < size)

    def flags(self, uids: Iterable[int]) -> dict[int, tuple[bytes, ...]]:
        with self._guard("fetch flags"):
            return {uid: tuple(flags) for uid, flags in
                    self._client.get_flags(sorted(set(uids))).items()}

    # -- waiting for news -----------------------------------------------------------

    def idle(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds (at most 29 minutes, RFC 2177) for the
        server to announce new or expunged mail in the selected folder; True if
        it did. Callers loop: ``while True: if conn.idle(25 * 60): sync()``.
        Without the IDLE capability (``has_idle`` False) this sleeps ``timeout``
        and asks with NOOP instead (polling). Dovecot announces a delivery
        ~0.5 s after it happened."""
        if self.folder is None:
            raise ImapError("idle: no folder selected")
        timeout = max(0.0, min(timeout, IDLE_MAX_SECONDS))
        if not self.has_idle:
            time.sleep(timeout)
            return self.noop()
        changed = False
        with self._guard("idle"):
            self._client.idle()
            deadline = time.monotonic() + timeout
            while not changed and (left := deadline - time.monotonic()) > 0:
                responses = self._client.idle_check(timeout=left)
                if any(r[:1] == (b"BYE",) for r in responses):
                    raise ImapUnavailable("idle: the server closed the connection (BYE)")
                changed = _announces_change(responses)
            # DONE also collects what arrived between the last check and now.
            _text, responses = self._client.idle_done()
        return changed or _announces_change(responses)

    def noop(self) -> bool:
        """NOOP: keeps the session alive; True if it reported new or expunged mail."""
        with self._guard("noop"):
            _text, responses = self._client.noop()
        return _announces_change(responses)

    # -- lifetime ------------------------------------------------------------------------

    def close(self) -> None:
        """Log out (or just drop the socket when the session is already dead)."""
        if self._broken:
            with contextlib.suppress(Exception):
                self._client.shutdown()
            return
        self._broken = True
        try:
            self._client.logout()
        except Exception:  # closing a connection that may already be gone
            with contextlib.suppress(Exception):
                self._client.shutdown()

    def __enter__(self) -> ImapConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _guard(self, action: str) -> Iterator[None]:
        if self._broken:
            raise ImapUnavailable(f"{action}: the connection is closed; reconnect")
        try:
            with _translate(action):
                yield
        except ImapUnavailable:
            self._broken = True
            with contextlib.suppress(Exception):
                self._client.shutdown()
            raise


@contextlib.contextmanager
def _translate(action: str) -> Iterator[None]:
    """imaplib / socket / TLS exceptions as the three kinds callers act on."""
    try:
        yield
    except ImapError:
        raise
    except LoginError as exc:
        if any(code in str(exc) for code in _TEMPORARY_CODES):
            raise ImapUnavailable(f"{action}: {exc}") from exc
        raise AuthenticationFailed(f"{action}: {exc}") from exc
    except imaplib.IMAP4.abort as exc:  # BYE, EOF, garbled stream
        raise ImapUnavailable(f"{action}: connection lost: {exc}") from exc
    except ProtocolError as exc:
        # A line imapclient could not parse; in IDLE it can read a server line
        # in pieces (mjs/imapclient#351, #464: "till here" of "* OK Still
        # here"). The session's state is unknown: a new connection, not a
        # stopped mailbox (found by bench/load.py: `inbox sync email` ended).
        raise ImapUnavailable(f"{action}: unreadable response, reconnecting: {exc}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise TlsError(f"{action}: certificate not trusted: {exc.verify_message}") from exc
    except (OSError, EOFError) as exc:  # refused, reset, timeout, TLS failure
        raise ImapUnavailable(f"{action}: {exc.__class__.__name__}: {exc}") from exc
    except imaplib.IMAP4.error as exc:
        if any(code in str(exc) for code in _TEMPORARY_CODES):
            raise ImapUnavailable(f"{action}: {exc}") from exc
        raise ImapError(f"{action}: {exc}") from exc


def _announces_change(responses: Iterable[Any]) -> bool:
    # ``* 12 EXISTS`` and ``* 3 EXPUNGE`` parse as (12, b"EXISTS"), (3, b"EXPUNGE").
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in _CHANGES for r in responses)


def _utc(value: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ImapError(f"fetch: bad INTERNALDATE {value!r}")
    if value.tzinfo is None:  # imapclient without an offset: local time of this machine
        value = value.astimezone()
    return value.astimezone(UTC)


def backoff_delays(base: float = 1.0, cap: float = 300.0, *,
                   rng: Callable[[], float] = random.random) -> Iterator[float]:
    """Endless reconnect delays in seconds: exponential backoff with full jitter.

    Attempt ``n`` (from 0) waits a uniformly random time in
    ``[0, min(cap, base * 2**n)]``: the ceiling doubles to ``cap`` (5 minutes by
    default) and the randomness keeps many workers from reconnecting in step
    after an outage ("full jitter", AWS Architecture Blog, 2015). Start a new
    generator after a successful connection::

        delays = backoff_delays()
        while True:
            try:
                conn = connect(mailbox)
            except ImapUnavailable:
                time.sleep(next(delays))
                continue
            delays = backoff_delays()
            ...
    """
    if base <= 0 or cap < base:
        raise ValueError("need 0 < base <= cap")
    attempt = 0
    while True:
        ceiling = min(cap, base * 2 ** min(attempt, 62))
        yield rng() * ceiling
        attempt += 1
