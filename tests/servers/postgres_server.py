"""A private PostgreSQL cluster (``initdb`` + ``pg_ctl``) in a temporary
directory on a free loopback port, for tests that restart or crash the
database server (the shared one on :5432 serves other people's tests).

Trust authentication, ``fsync=off`` (a test cluster needs no durability
against power loss: ``pg_ctl stop -m immediate`` is still a crash PostgreSQL
recovers from with its WAL). As root the cluster belongs to the ``postgres``
user (initdb refuses root); commands run through ``runuser``. Starts in ~1-2 s.

    server = PostgresServer().start()
    url = server.create_database("inbox")   # postgresql+psycopg://postgres@127.0.0.1:PORT/inbox
    server.restart(mode="immediate")        # a crash and recovery
    server.close()
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.servers.tls import free_port

DEBIAN_PACKAGE = "postgresql"
MODES = ("smart", "fast", "immediate")


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if not found:
        which = shutil.which("initdb")
        if which is None:
            raise RuntimeError(f"PostgreSQL's initdb is not installed (apt-get install "
                               f"{DEBIAN_PACKAGE}; scripts/ensure-services.sh installs it)")
        return Path(which).parent
    return Path(found[-1]).parent


class PostgresServer:
    def __init__(self, *, host: str = "127.0.0.1") -> None:
        self.bin = _bin_dir()
        self.host = host
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self._user: str | None = None
        if os.geteuid() == 0:
            self._user = "postgres"
            owner = pwd.getpwnam(self._user)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self._initialised = False

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{database}"

    def _run(self, tool: str, *args: str, check: bool = True,
             timeout: float = 60) -> subprocess.CompletedProcess[str]:
        argv = [str(self.bin / tool), *args]
        if self._user is not None:
            argv = ["runuser", "-u", self._user, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, check=False,
                                timeout=timeout, cwd=self.root)
        if check and result.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed ({result.returncode}): "
                               f"{result.stderr.strip()}\n{self.log_tail()}")
        return result

    def start(self, timeout: float = 30.0) -> PostgresServer:
        if not self._initialised:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--no-sync", "--locale=C.UTF-8")
            self._initialised = True
        options = (f"-p {self.port} -c listen_addresses={self.host} "
                   f"-c unix_socket_directories={self.root} -c fsync=off "
                   "-c max_connections=100")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", str(int(timeout)), "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, mode: str = "fast", down_seconds: float = 0.0) -> None:
        """Stop with ``mode`` (``immediate``: a crash; WAL recovery on start),
        stay down ``down_seconds``, start again on the same port."""
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()

    @property
    def running(self) -> bool:
        if not self._initialised:
            return False
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def create_database(self, name: str) -> str:
        import sqlalchemy as sa

        engine = sa.create_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def close(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_tail(self, chars: int = 2000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""
