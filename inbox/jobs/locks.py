"""One run at a time across workers, and no lock outliving a killed worker.

A periodic pass (an IMAP sync, the drop folders) takes a Redis lock so two
workers never run it at once. A lock with a TTL as long as the longest pass
(35 minutes, an hour) would, after ``kill -9`` of the worker holding it, keep
every later pass out for that long. :func:`renewed_lock` instead takes a
short lock (``ttl``, 30 s) and renews it from a thread every third of its TTL
while the body runs: a worker that dies stops renewing, and the lock is free
again within ``ttl``.

Redis going away and coming back empty loses the lock; renewing then takes it
again when it is free (a second pass that started meanwhile is harmless:
filing is exactly-once and cursors only move forward). Releasing a lock that
is gone is not an error: the work is done.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from redis.exceptions import LockError, RedisError

if TYPE_CHECKING:
    import redis

log = logging.getLogger(__name__)
DEFAULT_TTL = 30


@contextlib.contextmanager
def renewed_lock(connection: redis.Redis, key: str, ttl: int = DEFAULT_TTL) -> Iterator[bool]:
    """Yields whether the lock was taken; the body runs either way and should
    return at once when it was not."""
    lock = connection.lock(key, timeout=ttl, thread_local=False)
    if not lock.acquire(blocking=False):
        yield False
        return
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(ttl / 3):
            try:
                lock.reacquire()
            except LockError:
                # Lost (Redis restarted empty, or it expired): take it back if free.
                with contextlib.suppress(LockError, RedisError):
                    if lock.acquire(blocking=False):
                        continue
                log.warning("lock %s lost while its work runs", key)
            except RedisError as exc:
                log.warning("lock %s not renewed: %s", key, type(exc).__name__)

    renewer = threading.Thread(target=renew, name=f"lock:{key}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        stop.set()
        renewer.join(5)
        with contextlib.suppress(LockError, RedisError):
            lock.release()
