"""Who else has a thread open, and whether they are writing a reply
(collision detection). Kept in Redis only: it is worth nothing after a few
seconds and must cost the database nothing.

Each page open on a thread sends a heartbeat every few seconds. A heartbeat
sets one key per (thread, user) holding the user's name and state with a
time to live (``presence_ttl_seconds``, 30 s by default), so Redis itself
forgets a user whose page went away; a set per thread indexes the users
(its own expiry refreshed by every heartbeat) and loses members whose key
expired on the next read. No clocks are compared between web servers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

STATES = ("viewing", "replying")
LEAVE = "left"
PREFIX = "inbox:presence"


class PresenceError(ValueError):
    """A heartbeat that makes no sense (an unknown state)."""


@dataclass(frozen=True)
class Present:
    user_id: int
    name: str
    state: str


class Presence:
    def __init__(self, client: redis.Redis, ttl_seconds: float) -> None:
        self.client = client
        self.ttl_ms = max(1, round(ttl_seconds * 1000))

    def heartbeat(self, thread_id: int, user_id: int, name: str, state: str) -> None:
        """``user_id`` has the thread open (``viewing``, ``replying``) or closed
        it (``left``)."""
        if state == LEAVE:
            self.leave(thread_id, user_id)
            return
        if state not in STATES:
            raise PresenceError(f"state: must be one of {', '.join((*STATES, LEAVE))}")
        value = json.dumps({"name": name, "state": state})
        index = _index(thread_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(_key(thread_id, user_id), value, px=self.ttl_ms)
            pipe.sadd(index, user_id)
            pipe.pexpire(index, self.ttl_ms)
            pipe.execute()

    def leave(self, thread_id: int, user_id: int) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(_key(thread_id, user_id))
            pipe.srem(_index(thread_id), user_id)
            pipe.execute()

    def present(self, thread_id: int, *, besides: int | None = None) -> list[Present]:
        """Who has the thread open now (``besides``: leave that user out),
        those replying first, then by name."""
        index = _index(thread_id)
        members = sorted(int(m) for m in self.client.smembers(index))  # type: ignore[union-attr]
        if not members:
            return []
        values = self.client.mget([_key(thread_id, m) for m in members])
        found: list[Present] = []
        gone: list[int] = []
        for user_id, raw in zip(members, values, strict=True):  # type: ignore[arg-type]
            if raw is None:
                gone.append(user_id)
                continue
            data = json.loads(raw)
            if user_id != besides:
                found.append(Present(user_id, str(data.get("name") or ""),
                                     str(data.get("state") or "viewing")))
        if gone:
            self.client.srem(index, *gone)
        found.sort(key=lambda p: (p.state != "replying", p.name.casefold(), p.user_id))
        return found


def _key(thread_id: int, user_id: int) -> str:
    return f"{PREFIX}:{thread_id}:{user_id}"


def _index(thread_id: int) -> str:
    return f"{PREFIX}:{thread_id}"
