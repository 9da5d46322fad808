"""A throw-away private CA and a server certificate for 127.0.0.1 / localhost,
made with the ``openssl`` command (no Python dependency). The test servers
(Dovecot, aiosmtpd) present the server certificate; clients trust ``ca_file``
and keep verification on."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TestCA:
    ca_file: Path  # the CA certificate clients trust
    cert_file: Path  # server certificate (SAN: IP 127.0.0.1, DNS localhost)
    key_file: Path  # its private key

    __test__ = False  # not a pytest test class

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx


def make_test_ca(directory: Path) -> TestCA:
    """Write ``ca.pem``, ``server.pem`` and ``server.key`` into ``directory``."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the openssl command is missing (Debian package: openssl)")
    directory.mkdir(parents=True, exist_ok=True)
    ca_key, ca_pem = directory / "ca.key", directory / "ca.pem"
    key, csr, pem = directory / "server.key", directory / "server.csr", directory / "server.pem"
    ext = directory / "server.ext"
    ext.write_text(
        "basicConstraints = CA:FALSE\n"
        "keyUsage = digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = IP:127.0.0.1, DNS:localhost\n"
    )

    def run(*args: str | Path) -> None:
        subprocess.run([openssl, *map(str, args)], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", ca_key, "-out", ca_pem, "-days", "2", "-subj", "/CN=Inbox Test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    run("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-out", pem, "-days", "2", "-extfile", ext)
    for path in (ca_pem, pem, key):
        path.chmod(0o644)  # Dovecot reads them before dropping privileges; tmp only
    return TestCA(ca_file=ca_pem, cert_file=pem, key_file=key)


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
