"""A private ``redis-server`` on a free loopback port, for tests that stop,
kill or restart Redis (the shared one on :6379 serves other people's tests).

By default it keeps nothing on disk (``--save "" --appendonly no``), so a
restart brings it back **empty**: every queued, scheduled and started RQ job
is gone, the worst case the product must survive (tests/faults). With
``appendonly=True`` it keeps an append-only file and comes back with its data,
as a production Redis for RQ should be configured.

    server = RedisServer().start()
    server.url(3)          # redis://127.0.0.1:PORT/3
    server.restart()       # stop (SIGTERM, or kill=True for SIGKILL), start again
    server.stop()
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from tests.servers.process import die_with_parent, wait_until_ready
from tests.servers.tls import free_port

DEBIAN_PACKAGE = "redis-server"


class RedisServer:
    def __init__(self, *, appendonly: bool = False, host: str = "127.0.0.1") -> None:
        self.binary = shutil.which("redis-server") or shutil.which(
            "redis-server", path="/usr/bin:/usr/sbin")
        if not self.binary:
            raise RuntimeError(f"redis-server is not installed (apt-get install {DEBIAN_PACKAGE};"
                               " scripts/ensure-services.sh installs it)")
        self.host = host
        self.port = free_port()
        self.appendonly = appendonly
        self.root = Path(tempfile.mkdtemp(prefix="redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10.0) -> RedisServer:
        argv = [
            str(self.binary), "--port", str(self.port), "--bind", self.host,
            "--dir", str(self.root), "--save", "",
            "--appendonly", "yes" if self.appendonly else "no",
            "--appendfsync", "everysec", "--protected-mode", "no",
            "--logfile", str(self.root / "redis.log"),
        ]
        self._process = subprocess.Popen(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - Linux prctl only
        )

        def failed() -> NoReturn:
            log = self.log_tail()
            self.stop()
            raise RuntimeError(f"redis-server did not start on {self.port}: {log}")

        wait_until_ready(self._process, self._answers, timeout=timeout, failed=failed)
        return self

    def stop(self, *, kill: bool = False, timeout: float = 10.0) -> None:
        """SIGTERM (Redis writes its AOF and leaves) or, with ``kill``, SIGKILL."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self, *, kill: bool = False, down_seconds: float = 0.0) -> None:
        """Stop, stay down ``down_seconds``, start again on the same port."""
        self.stop(kill=kill)
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.stop(kill=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_tail(self, chars: int = 2000) -> str:
        path = self.root / "redis.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def _answers(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False



def _die_with_parent() -> None:
    die_with_parent(signal.SIGKILL)
