"""Incremental IMAP sync that never loses or repeats a mail.

Per mailbox and folder we keep UIDVALIDITY and the last UID stored
(:class:`~inbox.models.MailboxState`). A sync fetches the UIDs above the
cursor with ``BODY.PEEK[]`` in batches; each batch is parsed, filed through
``ingest`` and the cursor moved to the batch's highest UID in ONE database
transaction. A crash anywhere before that commit re-fetches the batch next
time, and exactly-once filing makes the repeat harmless. A changed UIDVALIDITY
resets the cursor: the folder is scanned again and duplicates are recognised.

Parsing (the costly part) runs in a process pool while the main process
talks to IMAP and the database, so both cores work.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import Executor, Future
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from channels.email.imap import AuthenticationFailed, ImapConnection, ImapUnavailable, connect
from config.email import Mailbox, MailboxConfigError
from inbox.blobs import BlobStore, BlobStoreFull
from inbox.database import Database
from inbox.intake.core import CONFIG_KEY, ingest_batch, record_raw_failure
from inbox.mail.parsing import Fetched, Parsed, ParseSettings, parse_batch
from inbox.models import MailboxState

log = logging.getLogger(__name__)
BATCH = 200


@dataclass
class FolderReport:
    mailbox: str
    folder: str
    fetched: int = 0
    filed: int = 0
    duplicates: int = 0
    failed: int = 0
    uidvalidity_reset: bool = False
    # Where the time went (seconds): the bottleneck, for operators and bench/.
    fetch_seconds: float = 0.0
    parse_wait_seconds: float = 0.0
    store_seconds: float = 0.0


@dataclass
class SyncReport:
    folders: list[FolderReport] = field(default_factory=list)
    error: str = ""

    @property
    def filed(self) -> int:
        return sum(f.filed for f in self.folders)


def sync_mailbox(
    db: Database,
    mailbox: Mailbox,
    *,
    now: Callable[[], datetime],
    since: date | None = None,
    pool: Executor | None = None,
    connection: ImapConnection | None = None,
) -> SyncReport:
    """One pass over every folder of ``mailbox``. Authentication failures mark
    the mailbox ``auth_failed`` and raise; connection failures raise
    :class:`ImapUnavailable` for the caller's backoff."""
    report = SyncReport()
    try:
        conn = connection or connect(mailbox)
    except MailboxConfigError as exc:
        mark_failed(db, mailbox, "auth_failed", str(exc), now())
        raise AuthenticationFailed(str(exc)) from exc
    except AuthenticationFailed as exc:
        mark_failed(db, mailbox, "auth_failed", str(exc), now())
        raise
    except ImapUnavailable as exc:
        mark_failed(db, mailbox, "error", f"cannot connect: {exc}", now())
        raise
    try:
        for folder in mailbox.folders:
            report.folders.append(_sync_folder(db, mailbox, conn, folder, now, since, pool))
    except ImapUnavailable as exc:
        mark_failed(db, mailbox, "error", f"connection lost: {exc}", now())
        raise
    except BlobStoreFull as exc:
        # Nothing of the batch is filed and the cursor stays: the next sync
        # after space is freed fetches the same mail again.
        mark_failed(db, mailbox, "error", str(exc), now())
        raise
    finally:
        if connection is None:
            conn.close()
    return report


def _sync_folder(
    db: Database, mailbox: Mailbox, conn: ImapConnection, folder: str,
    now: Callable[[], datetime], since: date | None, pool: Executor | None,
) -> FolderReport:
    report = FolderReport(mailbox.name, folder)
    cfg = db.info[CONFIG_KEY]
    settings = ParseSettings.of(cfg)
    state_info = conn.select(folder)
    with db.transaction() as session:
        state = _state(session, mailbox.name, folder)
        if state.uidvalidity is not None and state.uidvalidity != state_info.uidvalidity:
            log.warning("mailbox %s/%s: UIDVALIDITY changed %s -> %s; scanning again",
                        mailbox.name, folder, state.uidvalidity, state_info.uidvalidity)
            state.last_uid = 0
            report.uidvalidity_reset = True
        state.uidvalidity = state_info.uidvalidity
        state.highestmodseq = state_info.highestmodseq
        state.last_attempt_at = now()
        last_uid = state.last_uid

    # Backfill (--since): older mail by date, whatever the cursor says;
    # exactly-once filing skips what is stored already.
    uids = conn.uids_since(since) if since is not None else conn.uids_after(last_uid)

    # Batches in flight in the pool, oldest first: as many as it has workers
    # (plus one), so every worker parses while this process files in order.
    pending: deque[tuple[Future[list[Parsed]], list[int]]] = deque()
    depth = getattr(pool, "_max_workers", 1) + 1

    def store(parsed: list[Parsed], chunk: list[int]) -> None:
        started = time.perf_counter()
        _store_batch(db, mailbox, folder, parsed, chunk, report, now, backfill=since is not None)
        report.store_seconds += time.perf_counter() - started

    def store_oldest() -> None:
        future, chunk = pending.popleft()
        started = time.perf_counter()
        parsed = future.result()
        report.parse_wait_seconds += time.perf_counter() - started
        store(parsed, chunk)

    # The thread fetching ahead stops when this block is left, an error
    # included. It stores each mail's bytes too (writing files is mostly
    # waiting, and the parse workers are the slower side); they are made
    # durable before their batch is filed (ingest_batch).
    with closing(_fetch_ahead(conn, uids, blobs=cfg.blobs)) as fetched:
        while True:
            started = time.perf_counter()
            batch = next(fetched, None)
            report.fetch_seconds += time.perf_counter() - started  # waiting for it
            if batch is None:
                break
            chunk, mails = batch
            report.fetched += len(mails)
            if pool is None:
                started = time.perf_counter()
                parsed = parse_batch(mails, mailbox.address, mailbox.max_message_bytes, settings)
                report.parse_wait_seconds += time.perf_counter() - started
                store(parsed, chunk)
                continue
            pending.append((pool.submit(parse_batch, _by_reference(mails), mailbox.address,
                                        mailbox.max_message_bytes, settings), chunk))
            if len(pending) >= depth:
                store_oldest()
    while pending:
        store_oldest()

    with db.transaction() as session:
        state = _state(session, mailbox.name, folder)
        state.status, state.error, state.last_success_at = "ok", "", now()
    return report


def _by_reference(mails: list[Fetched]) -> list[Fetched]:
    """``mails`` for a parse worker: the ones in the blob store without their
    bytes. The worker reads them from there (the page cache) instead of
    through the pool's pipe, 64 KB at a time: 85 MB for the bench's mail."""
    return [(uid, None if ref is not None else raw, when, ref) for uid, raw, when, ref in mails]


def _fetch_ahead(
    conn: ImapConnection, uids: list[int], depth: int = 2, blobs: BlobStore | None = None,
) -> Generator[tuple[list[int], list[Fetched]], None, None]:
    """(UIDs, mails) in batches, fetched by a thread up to ``depth`` batches
    ahead: the server's and the network's time overlaps the filing instead of
    adding to it. With ``blobs`` the thread also puts each mail's bytes there
    (not yet durable). The connection is the thread's alone until this
    generator is closed; a fetch error is raised here, in the caller's thread."""
    results: queue.Queue[tuple[list[int], list[Fetched]] | BaseException | None] = (
        queue.Queue(maxsize=depth))
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def fetch_all() -> None:
        try:
            for chunk in _chunks(uids, BATCH):
                mails = [(m.uid, m.raw, m.internaldate,
                          blobs.put(m.raw, durable=False) if blobs is not None else None)
                         for m in conn.fetch(chunk, batch=BATCH)]
                if not put((chunk, mails)):
                    return
        except BaseException as exc:  # handed to the caller
            put(exc)
            return
        put(None)

    thread = threading.Thread(target=fetch_all, name="imap-fetch", daemon=True)
    thread.start()
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _store_batch(
    db: Database, mailbox: Mailbox, folder: str, parsed: list[Parsed], chunk: list[int],
    report: FolderReport, now: Callable[[], datetime], *, backfill: bool,
) -> None:
    """File a batch and move the cursor, in one transaction."""
    at = now()
    with db.transaction() as session:
        batch = []
        for item in parsed:
            if item.inbound is None:
                assert item.raw is not None
                record_raw_failure(session, "email", item.raw, item.error, at,
                                   context={"mailbox": mailbox.name, "folder": folder,
                                            "uid": item.uid})
                report.failed += 1
            else:
                if item.raw is not None:
                    item.inbound.raw = item.raw
                item.inbound.extras.setdefault("mailbox", mailbox.name)
                item.inbound.extras.setdefault("folder", folder)
                batch.append(item.inbound)
        tally = Counter(result.outcome for result in ingest_batch(session, batch, at))
        report.filed += tally["filed"]
        report.duplicates += tally["duplicate"]
        report.failed += tally["failed"]
        state = _state(session, mailbox.name, folder)
        # A backfill never moves the cursor: mail between the cursor and the
        # newest backfilled UID may be older than --since and not fetched yet.
        if chunk and not backfill and max(chunk) > state.last_uid:
            state.last_uid = max(chunk)
        state.messages_synced += len(parsed)


def _state(session: Session, mailbox: str, folder: str) -> MailboxState:
    state = session.scalars(
        sa.select(MailboxState).where(MailboxState.mailbox == mailbox,
                                      MailboxState.folder == folder)
    ).first()
    if state is None:
        state = MailboxState(mailbox=mailbox, folder=folder, last_uid=0, status="new",
                             messages_synced=0)
        session.add(state)
        session.flush()
    return state


def mark_failed(db: Database, mailbox: Mailbox, status: str, error: str, at: datetime) -> None:
    """Make a mailbox's trouble visible on every folder's state."""
    with db.transaction() as session:
        for folder in mailbox.folders:
            state = _state(session, mailbox.name, folder)
            state.status, state.error, state.last_attempt_at = status, error[:2000], at


def _chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def utcnow() -> datetime:
    return datetime.now(UTC)
