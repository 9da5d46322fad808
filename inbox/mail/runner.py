"""Keeping mailboxes in sync: one pass (``--once``, the periodic job) or a
long-running loop with IMAP IDLE where the server offers it.

The loop runs one thread per mailbox (IDLE blocks a connection). After each
pass it waits for the server's IDLE notice (re-issued within 29 minutes, as
RFC 2177 asks) or polls. A dropped connection is retried with exponential
backoff and full jitter; an authentication failure stops that mailbox with a
visible error (``mailbox_states.status = auth_failed``) instead of hammering
the server with a wrong password.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from datetime import datetime

from channels.email.imap import AuthenticationFailed, ImapUnavailable, backoff_delays, connect
from config.email import Mailbox, MailboxConfigError
from inbox.database import Database
from inbox.mail.sync import SyncReport, mark_failed, sync_mailbox

log = logging.getLogger(__name__)
IDLE_RENEW_SECONDS = 29 * 60


def run_mailbox(
    db: Database,
    mailbox: Mailbox,
    stop: threading.Event,
    *,
    now: Callable[[], datetime],
    poll_seconds: float = 60.0,
    pool: Executor | None = None,
    on_pass: Callable[[SyncReport], None] | None = None,
) -> str:
    """Sync ``mailbox`` until ``stop`` is set. Returns why it ended:
    ``"stopped"`` or ``"auth_failed"``."""
    delays = backoff_delays()
    while not stop.is_set():
        try:
            with connect(mailbox) as conn:
                delays = backoff_delays()  # connected: the next failure starts small
                while not stop.is_set():
                    report = sync_mailbox(db, mailbox, now=now, pool=pool, connection=conn)
                    if on_pass is not None:
                        on_pass(report)
                    if conn.changed_since_select():
                        continue  # mail came during the pass: its notice is spent
                    if mailbox.idle and conn.has_idle:
                        # Waits for the server's notice, at most until the poll
                        # interval or the IDLE renewal, whichever comes first.
                        conn.idle(timeout=min(poll_seconds, IDLE_RENEW_SECONDS))
                    else:
                        stop.wait(poll_seconds)
        except (AuthenticationFailed, MailboxConfigError) as exc:
            log.error("mailbox %s: authentication failed, stopped: %s", mailbox.name, exc)
            mark_failed(db, mailbox, "auth_failed", str(exc), now())
            return "auth_failed"
        except ImapUnavailable as exc:
            delay = next(delays)
            log.warning("mailbox %s: %s; reconnecting in %.1f s", mailbox.name, exc, delay)
            stop.wait(delay)
    return "stopped"


def run_all(
    db: Database,
    mailboxes: Iterable[Mailbox],
    stop: threading.Event,
    *,
    now: Callable[[], datetime],
    poll_seconds: float = 60.0,
    pool: Executor | None = None,
) -> dict[str, str]:
    """One thread per mailbox until ``stop``; returns how each ended
    (``"failed"`` for a loop that raised: ``inbox sync email`` then exits
    non-zero, so its supervisor restarts it, instead of running on without
    that mailbox and exiting 0 once stopped)."""
    results: dict[str, str] = {}

    def target(box: Mailbox) -> None:
        try:
            results[box.name] = run_mailbox(db, box, stop, now=now, poll_seconds=poll_seconds,
                                            pool=pool)
        except Exception:
            log.exception("mailbox %s: the sync loop failed", box.name)
            results[box.name] = "failed"
            stop.set()  # the others end too: the process exits and is restarted

    threads = [threading.Thread(target=target, args=(box,), name=f"imap-{box.name}", daemon=True)
               for box in mailboxes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
