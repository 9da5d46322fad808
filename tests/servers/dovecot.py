"""A real Dovecot 2.3 IMAP server for tests and benchmarks.

One server per test session (``dovecot`` fixture) and a fresh user per test
(``mail_user``), so tests never see each other's mail. The server listens on
127.0.0.1 on two free ports: plain IMAP with STARTTLS offered (``imap_port``)
and IMAPS (``imaps_port``), with a certificate from a private CA made for the
run (``ca_file``). Mail lives in maildirs under a short temporary directory.

Each user has a passwd-file of its own (``users/NAME``): Dovecot re-reads a
changed passwd-file at most once a second, so a user added to a shared file
could be "unknown" for up to a second. The per-IP auth penalty (2 s, 4 s ...
after failed logins) is off, so wrong-password tests do not slow the others.
XOAUTH2 is enabled: Dovecot verifies the bearer token against the passdb like
a password, so a user whose password is the token can log in with XOAUTH2.

As root (CI), Dovecot's login and mail processes run as the package's
``dovenull`` / ``dovecot`` users: it refuses uid 0 for them. As any other user
every process runs as that user (tried as ``nobody``). Started with
``dovecot -F -c CONF``; ready in ~0.1 s, stops in ~1 s.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.servers.process import die_with_parent, wait_until_ready
from tests.servers.tls import TestCA, free_port, make_test_ca

if TYPE_CHECKING:
    from config.email import Mailbox

DEBIAN_PACKAGE = "dovecot-imapd"
PASSWORD_ENV = "TEST_IMAP_PASSWORD"
TOKEN_ENV = "TEST_IMAP_TOKEN"
_USER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")

_CONF = """\
# Written by tests/servers/dovecot.py for one test run (Dovecot 2.3 syntax).
base_dir = {root}/run
state_dir = {root}/state
instance_name = inbox-test-{imap_port}
protocols = imap
listen = 127.0.0.1
log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2
auth_failure_delay = 0
auth_verbose = yes
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_location = maildir:~/Maildir
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users/%u
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
# No growing login delay after the wrong-password tests: auth penalty per IP off.
# No chroot (only root may chroot; a throw-away server needs no jail).
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = {imaps_port}
    ssl = yes
  }}
}}
"""


@dataclass(frozen=True)
class MailUser:
    name: str
    password: str


class DovecotServer:
    """Start with :meth:`start` (or use as a context manager), stop with :meth:`stop`."""

    def __init__(self, ca: TestCA, *, host: str = "127.0.0.1") -> None:
        self.ca = ca
        self.host = host
        self.binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin")
        self.doveadm_binary = shutil.which("doveadm") or shutil.which("doveadm", path="/usr/bin")
        if not self.binary or not self.doveadm_binary:
            raise RuntimeError(
                f"Dovecot is not installed: the email tests need the Debian package "
                f"{DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}; "
                "scripts/ensure-services.sh installs it)"
            )
        # Unix socket paths must stay under ~100 characters: a short base_dir.
        self.root = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))
        self.root.chmod(0o755)
        self.conf = self.root / "dovecot.conf"
        self.passwd_dir = self.root / "users"
        self.log = self.root / "dovecot.log"
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.users: dict[str, MailUser] = {}
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def ca_file(self) -> str:
        return str(self.ca.ca_file)

    # -- lifecycle -----------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> DovecotServer:
        if os.geteuid() == 0:
            internal, group, login = "dovecot", "dovecot", "dovenull"
        else:  # an unprivileged run: every Dovecot process is this user
            internal = login = pwd.getpwuid(os.geteuid()).pw_name
            group = grp.getgrgid(os.getegid()).gr_name
        mail = pwd.getpwnam(internal)
        (self.root / "run").mkdir()
        (self.root / "state").mkdir()
        home = self.root / "home"
        home.mkdir()
        os.chown(home, mail.pw_uid, mail.pw_gid)
        self.passwd_dir.mkdir()
        self.conf.write_text(_CONF.format(
            root=self.root, cert=self.ca.cert_file, key=self.ca.key_file,
            internal_user=internal, internal_group=group, login_user=login,
            mail_uid=mail.pw_uid, mail_gid=mail.pw_gid,
            imap_port=self.imap_port, imaps_port=self.imaps_port,
        ))
        assert self.binary is not None
        with (self.root / "stderr.log").open("wb") as stderr:
            self._process = subprocess.Popen(
                [self.binary, "-F", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=stderr,
                preexec_fn=_die_with_parent,  # noqa: PLW1509 - Linux prctl only, no threads here
            )

        def failed() -> NoReturn:
            logs = self._logs()
            self.stop()
            raise RuntimeError(f"Dovecot did not start: {logs}")

        wait_until_ready(self._process, self._greets, timeout=timeout, failed=failed)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        deadline = time.monotonic() + timeout
        while self._port_open(self.imap_port) and time.monotonic() < deadline:
            time.sleep(0.05)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _greets(self) -> bool:
        try:
            with socket.create_connection((self.host, self.imap_port), timeout=1) as sock:
                return sock.recv(64).startswith(b"* OK")
        except OSError:
            return False

    def _port_open(self, port: int) -> bool:
        with contextlib.suppress(OSError), socket.create_connection((self.host, port), 0.2):
            return True
        return False

    def _logs(self) -> str:
        texts = [p.read_text(errors="replace")[-2000:]
                 for p in (self.root / "stderr.log", self.log) if p.exists()]
        return "\n".join(texts) or "(no log)"

    # -- users and mail -----------------------------------------------------------

    def add_user(self, name: str, password: str) -> MailUser:
        """A new user (a name used before keeps its first password)."""
        if not _USER_RE.match(name) or ":" in password or "\n" in password:
            raise ValueError("user names: letters, digits, . _ @ -; no ':' in passwords")
        if name in self.users:
            raise ValueError(f"user {name} exists")
        user = MailUser(name, password)
        self.users[name] = user
        tmp = self.passwd_dir / f".{name}.tmp"
        tmp.write_text(f"{name}:{{PLAIN}}{password}\n")
        tmp.replace(self.passwd_dir / name)
        return user

    def new_user(self, prefix: str = "u") -> MailUser:
        """A user with a unique name and a random password."""
        return self.add_user(f"{prefix}{uuid.uuid4().hex[:10]}", uuid.uuid4().hex)

    def doveadm(self, command: str, *args: str, user: str | None = None,
                stdin: bytes | None = None, formatter: str | None = None) -> str:
        """``doveadm [-f FORMATTER] COMMAND... [-u USER] ARGS...`` on this server."""
        assert self.doveadm_binary is not None
        argv = [self.doveadm_binary, "-c", str(self.conf)]
        argv += ["-f", formatter] if formatter else []
        argv += command.split() + (["-u", user] if user else []) + list(args)
        result = subprocess.run(argv, input=stdin, capture_output=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"doveadm {command} {' '.join(args)} failed ({result.returncode}): "
                               f"{result.stderr.decode(errors='replace').strip()}")
        return result.stdout.decode(errors="replace")

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put one mail into ``folder`` (``doveadm save``; IDLE clients are told)."""
        self.doveadm("save", "-m", folder, user=user, stdin=raw)

    def append_many(self, user: str, mails: Iterable[bytes], folder: str = "INBOX",
                    chunk: int = 200) -> int:
        """Seed many mails fast over IMAP MULTIAPPEND; returns how many."""
        from imapclient import IMAPClient

        password = self.users[user].password
        count = 0
        with IMAPClient(self.host, self.imap_port, ssl=False, timeout=60) as client:
            client._imap.debug = 0
            client.login(user, password)
            if folder != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            batch: list[bytes] = []
            for raw in mails:
                batch.append(raw)
                if len(batch) == chunk:
                    client.multiappend(folder, batch)
                    count, batch = count + len(batch), []
            if batch:
                client.multiappend(folder, batch)
                count += len(batch)
        return count

    def kick(self, user: str, timeout: float = 5.0) -> None:
        """Drop every connection of ``user`` (the client sees BYE / EOF).
        ``doveadm kick`` only signals the imap processes; wait until anvil no
        longer lists the user, so the client's next command surely fails (on a
        loaded machine it could otherwise still be answered)."""
        self.doveadm("kick", user)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if user not in self.doveadm("who", user):
                return
            time.sleep(0.02)
        raise RuntimeError(f"doveadm kick: {user} still connected after {timeout} s")

    def create_folder(self, user: str, folder: str) -> None:
        self.doveadm("mailbox create", folder, user=user)

    def recreate_folder(self, user: str, folder: str) -> None:
        """Delete and re-create ``folder``: it is empty and has a new UIDVALIDITY.
        INBOX cannot be deleted; it is emptied and given a higher UIDVALIDITY,
        which is what a client sees when a server rebuilds its index."""
        if folder.upper() == "INBOX":
            before = self.status(user, folder)["uidvalidity"]
            self.doveadm("expunge", "mailbox", folder, "all", user=user)
            self.doveadm("mailbox update", "--uid-validity", str(int(before) + 1), folder,
                         user=user)
            return
        self.doveadm("mailbox delete", "-s", folder, user=user)
        self.create_folder(user, folder)

    def status(self, user: str, folder: str = "INBOX") -> dict[str, str]:
        fields = ("messages", "uidnext", "uidvalidity", "unseen", "highestmodseq")
        out = self.doveadm("mailbox status", " ".join(fields), folder, user=user,
                           formatter="pager")
        pairs = (line.split(": ", 1) for line in out.splitlines() if ": " in line)
        return {key.strip(): value.strip() for key, value in pairs}

    # -- client settings ------------------------------------------------------------

    def mailbox(self, user: MailUser, security: str = "ssl", **overrides: Any) -> Mailbox:
        """A ``config.email.Mailbox`` for ``user`` on this server (password in its
        own ``env``). ``security``: ssl (IMAPS), starttls or none (plain port)."""
        from config.email import Mailbox

        fields: dict[str, Any] = {
            "name": "test", "address": f"{user.name}@inbox.test", "imap_host": self.host,
            "imap_port": self.imaps_port if security == "ssl" else self.imap_port,
            "imap_security": security, "username": user.name, "password_env": PASSWORD_ENV,
            "ca_file": self.ca_file, "env": {PASSWORD_ENV: user.password},
        }
        fields.update(overrides)
        return Mailbox(**fields)


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies (a killed CI run
    leaves no Dovecot behind)."""
    die_with_parent(signal.SIGTERM)


def require_dovecot(ca: TestCA) -> DovecotServer:
    """A started server, or a test failure naming the Debian package (never a skip)."""
    try:
        server = DovecotServer(ca)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    return server.start()


# -- pytest fixtures (import them into a conftest.py) ----------------------------------

@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return make_test_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def dovecot(test_ca: TestCA) -> Iterator[DovecotServer]:
    server = require_dovecot(test_ca)
    yield server
    server.stop()


@pytest.fixture
def mail_user(dovecot: DovecotServer) -> MailUser:
    """A fresh user (empty INBOX) for one test."""
    return dovecot.new_user()
