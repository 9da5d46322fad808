"""The sync's fetch-ahead thread (inbox.mail.sync._fetch_ahead): batches in
order, an error raised in the caller's thread, and the thread gone when the
caller stops early. The IMAP side is covered against Dovecot in
tests/integration/email; this is the hand-over between the threads."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.email.imap import ImapUnavailable
from inbox.blobs import BlobStore
from inbox.mail.sync import BATCH, _fetch_ahead


@dataclass
class Mail:
    uid: int
    raw: bytes
    internaldate: datetime


class Connection:
    """Answers fetches from memory; fails at the ``fail_at``-th fetch."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.fetches = 0
        self.fail_at = fail_at

    def fetch(self, uids: list[int], batch: int) -> Iterator[Mail]:
        self.fetches += 1
        if self.fetches == self.fail_at:
            raise ImapUnavailable("connection lost")
        return iter([Mail(uid, b"mail %d" % uid, datetime(2026, 1, 1, tzinfo=UTC))
                     for uid in uids])


def _threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "imap-fetch")


def test_batches_arrive_in_order() -> None:
    uids = list(range(1, 2 * BATCH + 50))
    got = list(_fetch_ahead(Connection(), uids))  # type: ignore[arg-type]
    assert [chunk for chunk, _ in got] == [uids[:BATCH], uids[BATCH:2 * BATCH], uids[2 * BATCH:]]
    assert [m[0] for _, mails in got for m in mails] == uids
    assert _threads() == 0


def test_a_fetch_error_is_raised_in_the_caller() -> None:
    fetched = _fetch_ahead(Connection(fail_at=2), list(range(1, 3 * BATCH)))  # type: ignore[arg-type]
    first = next(fetched)
    assert first[0][0] == 1
    with pytest.raises(ImapUnavailable):
        next(fetched)
    assert _threads() == 0


def test_the_thread_stops_when_the_caller_stops_early() -> None:
    conn = Connection()
    with closing(_fetch_ahead(conn, list(range(1, 20 * BATCH)))) as fetched:  # type: ignore[arg-type]
        next(fetched)
    assert _threads() == 0
    assert conn.fetches <= 4  # one taken, at most two waiting, one being put


def test_with_a_blob_store_the_thread_stores_each_mail_for_a_later_sync(tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    uids = list(range(1, BATCH + 10))
    got = [mail for _, mails in _fetch_ahead(Connection(), uids, blobs=blobs)  # type: ignore[arg-type]
           for mail in mails]
    assert [uid for uid, *_ in got] == uids
    for uid, raw, _, key in got:
        assert key == hashlib.sha256(raw).hexdigest()
        assert blobs.get(key) == b"mail %d" % uid
    assert blobs._unsynced  # durable only once the filing syncs (ingest_batch)
    blobs.sync()
    assert not blobs._unsynced


def test_without_a_blob_store_nothing_is_stored() -> None:
    got = [mail for _, mails in _fetch_ahead(Connection(), [1, 2])  # type: ignore[arg-type]
           for mail in mails]
    assert [key for *_, key in got] == [None, None]
