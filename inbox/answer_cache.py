"""A few seconds' cache of answers many users ask for (the queue, the
dashboard's figures), shared by everyone asking the same question, that
never hides a user's own changes from that user.

The queue (``AnswerCache(client, queue_cache_seconds, QUEUE)``):

Hundreds of reps keep the queue open and their pages poll it every 10 s;
most ask the same few questions (open work due first, unassigned, overdue,
a channel). The answer (the rendered rows and their count, or the API's
JSON) is kept in Redis for ``queue_cache_seconds`` (2 by default) under a
hash of the question; questions that depend on who asks ("my work",
"escalated to me") include the rep in the key. When it is older, the first
request to notice computes it anew (holding a lock) while the others are
still given the old answer, so the web workers never all compute the same
answer at once. Others' changes therefore show about that long later (plus
one computation), well inside the page's own poll interval.

A rep's own changes show at once: every write a signed-in user makes
(any POST, PUT, PATCH or DELETE that succeeds) takes a number from one
Redis counter after its transaction has committed, and stores it as the
user's last write. An entry records the counter as it was *before* its
answer was computed; it is served to a user only if the user's last write
is not newer. No clocks are compared, so several web servers agree.

The dashboard (``AnswerCache(client, dashboard_cache_seconds, DASHBOARD)``):
the figures of a range (times, SLA) for a minute by default; nobody's own
write changes them, so no user is asked about (``user_id`` None).

Redis trouble never fails a request: the answer is computed as if there
were no cache (and logged once per process).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import redis

if TYPE_CHECKING:
    from config import Settings

QUEUE = "inbox:queue"
DASHBOARD = "inbox:dashboard"
# An answer is fresh for queue_cache_seconds; then, for this many times as
# long, one request computes it anew while the others are still given the
# stale one (no stampede of workers all computing the same answer).
STALE_FACTOR = 5
# How long that one request may take before another tries (it may have died).
LOCK_MS = 10_000
# A user's last-write number must outlive every entry that could hide it.
WROTE_MIN_SECONDS = 60

log = logging.getLogger(__name__)
_warned: set[str] = set()


class AnswerCache:
    """Answers under ``prefix`` (one of :data:`QUEUE`, :data:`DASHBOARD`),
    fresh for ``ttl_seconds``; ``client`` None or ``ttl_seconds`` 0: off."""

    def __init__(self, client: redis.Redis | None, ttl_seconds: float,
                 prefix: str = QUEUE) -> None:
        self.client = client
        self.ttl_ms = round(ttl_seconds * 1000)
        self.prefix = prefix
        self.sequence = f"{prefix}:seq"

    @property
    def enabled(self) -> bool:
        return self.client is not None and self.ttl_ms > 0

    def answer(self, question: Any, user_id: int | None,
               build: Callable[[], bytes]) -> bytes:
        """The cached answer to ``question`` (anything JSON can write: the
        caller includes the user when the answer depends on them), or
        ``build()``'s, stored for the next asker. ``user_id`` None: no
        user's writes change the answer (it is only ever as old as the TTL)."""
        if not self.enabled:
            return build()
        assert self.client is not None
        digest = _digest(question)
        key, fresh, lock = (f"{self.prefix}:{kind}:{digest}" for kind in ("a", "f", "l"))
        try:
            cached, is_fresh, mine, sequence = self.client.mget(
                key, fresh, self._wrote(user_id), self.sequence)
            if cached is not None:
                raw = cached.encode() if isinstance(cached, str) else cached
                stamp, _, body = raw.partition(b"\n")
                # Not older than the user's own last write; and fresh, or
                # stale while another request computes it anew.
                if (mine is None or int(mine) <= int(stamp)) and (
                        is_fresh or not self.client.set(lock, 1, nx=True, px=LOCK_MS)):
                    return body
        except redis.RedisError as exc:
            _warn(exc)
            return build()
        body = build()
        try:
            with self.client.pipeline(transaction=False) as pipe:
                pipe.set(key, b"%d\n" % int(sequence or 0) + body,
                         px=self.ttl_ms * STALE_FACTOR)
                pipe.set(fresh, 1, px=self.ttl_ms)
                pipe.delete(lock)
                pipe.execute()
        except redis.RedisError as exc:
            _warn(exc)
        return body

    def _wrote(self, user_id: int | None) -> str:
        # No user: a key never written, so no write is ever newer.
        return f"{self.prefix}:wrote:{'-' if user_id is None else user_id}"

    def wrote(self, user_id: int) -> None:
        """``user_id`` changed something (committed): their next question is
        answered afresh."""
        if not self.enabled:
            return
        assert self.client is not None
        keep_ms = max(WROTE_MIN_SECONDS * 1000, 2 * STALE_FACTOR * self.ttl_ms)
        try:
            number = self.client.incr(self.sequence)
            self.client.set(self._wrote(user_id), number, px=keep_ms)
        except redis.RedisError as exc:
            _warn(exc)




OFF = AnswerCache(None, 0)


def shared(settings: Settings, seconds: float, prefix: str) -> AnswerCache:
    """The cache of ``prefix`` on the app's Redis, fresh for ``seconds`` (a
    setting; 0: :data:`OFF`, no connection made)."""
    if seconds <= 0:
        return OFF
    from inbox.queueing import connect

    return AnswerCache(connect(settings), seconds, prefix)


def _digest(question: Any) -> str:
    text = json.dumps(question, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _warn(exc: Exception) -> None:
    if not _warned:
        _warned.add("once")
        log.warning("queue cache unavailable, answering without it: %s", exc)
