"""Who has a thread open (inbox.workspace.presence), on a real Redis: states,
leaving, and expiry driven by a short time to live."""

from __future__ import annotations

import time

import pytest
import redis

from inbox.workspace.presence import Presence, PresenceError, Present

pytestmark = pytest.mark.integration
TTL = 0.3  # seconds: long enough for a heartbeat and a read, short to wait out


def test_others_are_listed_with_their_state(conn: redis.Redis) -> None:
    presence = Presence(conn, 30)
    presence.heartbeat(7, 1, "Anna", "viewing")
    presence.heartbeat(7, 2, "Bert", "replying")
    presence.heartbeat(8, 3, "Cleo", "viewing")  # another thread

    assert presence.present(7, besides=1) == [Present(2, "Bert", "replying")]
    # Replying first: that is the collision to see.
    assert presence.present(7) == [Present(2, "Bert", "replying"), Present(1, "Anna", "viewing")]
    presence.heartbeat(7, 2, "Bert", "viewing")
    assert presence.present(7, besides=1) == [Present(2, "Bert", "viewing")]
    presence.heartbeat(7, 2, "Bert", "left")
    assert presence.present(7, besides=1) == []
    assert presence.present(8) == [Present(3, "Cleo", "viewing")]
    with pytest.raises(PresenceError, match="state"):
        presence.heartbeat(7, 1, "Anna", "typing")


def test_presence_expires_without_heartbeats(conn: redis.Redis) -> None:
    presence = Presence(conn, TTL)
    presence.heartbeat(9, 1, "Anna", "viewing")
    presence.heartbeat(9, 2, "Bert", "replying")
    assert 0 < conn.pttl("inbox:presence:9:1") <= TTL * 1000  # type: ignore[operator]
    assert len(presence.present(9)) == 2

    deadline = time.monotonic() + TTL * 0.6
    while time.monotonic() < deadline:  # Bert's page keeps beating, Anna's went away
        presence.heartbeat(9, 2, "Bert", "replying")
        time.sleep(TTL / 6)
    time.sleep(TTL * 0.6)
    presence.heartbeat(9, 2, "Bert", "replying")
    assert presence.present(9) == [Present(2, "Bert", "replying")]
    # The index forgot Anna too, and after Bert stops, everything expires.
    assert conn.smembers("inbox:presence:9") == {b"2"}
    time.sleep(TTL * 1.3)
    assert presence.present(9) == []
    assert conn.keys("inbox:presence:9*") == []
