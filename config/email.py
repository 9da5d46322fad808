"""``[[email]]`` tables: the mailboxes we pull over IMAP and answer from over SMTP.

```toml
[[email]]
name = "claims"
address = "claims@insurer.example"
imap_host = "imap.insurer.example"
imap_port = 993
imap_security = "ssl"          # ssl | starttls | none
username = "claims@insurer.example"
password_env = "CLAIMS_IMAP_PASSWORD"   # or oauth2_token_env for XOAUTH2
folders = ["INBOX"]
smtp_host = "smtp.insurer.example"
smtp_port = 465
smtp_security = "ssl"          # ssl | starttls | none
smtp_username = "claims@insurer.example"
smtp_password_env = "CLAIMS_SMTP_PASSWORD"
ca_file = "/etc/ssl/private-ca.pem"     # optional
max_message_bytes = 26214400            # optional, default 25 MB
```

Secrets are never in the file: ``password_env`` names the environment variable
that holds the password, and is read when a connection is made.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECURITY = ("ssl", "starttls", "none")
DEFAULT_MAX_MESSAGE_BYTES = 25 * 1024 * 1024
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_KEYS = {
    "name", "address", "imap_host", "imap_port", "imap_security", "username", "password_env",
    "oauth2_token_env", "folders", "smtp_host", "smtp_port", "smtp_security", "smtp_username",
    "smtp_password_env", "ca_file", "max_message_bytes", "idle",
}


class MailboxConfigError(ValueError):
    """A mailbox setting is wrong; the message starts with the key (``email[0].imap_port``)."""


@dataclass(frozen=True)
class Mailbox:
    name: str
    address: str
    imap_host: str
    imap_port: int
    imap_security: str
    username: str
    password_env: str = ""
    oauth2_token_env: str = ""
    folders: tuple[str, ...] = ("INBOX",)
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_password_env: str = ""
    ca_file: str = ""
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    idle: bool = True
    # The environment secrets are read from (tests pass their own).
    env: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False, compare=False)

    def imap_secret(self) -> tuple[str, str]:
        """``("password" | "oauth2", secret)``; raises when the variable is unset."""
        if self.oauth2_token_env:
            return "oauth2", self._secret(self.oauth2_token_env, "oauth2_token_env")
        return "password", self._secret(self.password_env, "password_env")

    def smtp_password(self) -> str:
        if not self.smtp_password_env:
            return ""
        return self._secret(self.smtp_password_env, "smtp_password_env")

    def _secret(self, variable: str, key: str) -> str:
        value = self.env.get(variable)
        if not value:
            raise MailboxConfigError(
                f"email[{self.name}].{key}: environment variable {variable} is not set"
            )
        return value


def parse_mailboxes(raw: Any, env: Mapping[str, str] | None = None) -> tuple[Mailbox, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MailboxConfigError("email: must be an array of tables ([[email]])")
    env = os.environ if env is None else env
    boxes = tuple(_parse_one(i, item, env) for i, item in enumerate(raw))
    names = [box.name for box in boxes]
    for name in names:
        if names.count(name) > 1:
            raise MailboxConfigError(f"email.name: {name!r} is used by two mailboxes")
    return boxes


def _parse_one(index: int, item: Any, env: Mapping[str, str]) -> Mailbox:
    where = f"email[{index}]"
    if not isinstance(item, dict):
        raise MailboxConfigError(f"{where}: must be a table")
    for key in item:
        if key not in _KEYS:
            raise MailboxConfigError(f"{where}.{key}: unknown setting")
    for secret_key in ("password", "smtp_password", "oauth2_token"):
        if secret_key in item:
            raise MailboxConfigError(f"{where}.{secret_key}: use {secret_key}_env")

    def text(key: str, required: bool = False) -> str:
        value = item.get(key, "")
        if not isinstance(value, str):
            raise MailboxConfigError(f"{where}.{key}: must be a string")
        if required and not value.strip():
            raise MailboxConfigError(f"{where}.{key}: is required")
        return value.strip()

    def port(key: str, default: int) -> int:
        value = item.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 65536:
            raise MailboxConfigError(f"{where}.{key}: must be a port number 1-65535")
        return value

    def security(key: str, default: str) -> str:
        value = item.get(key, default)
        if value not in SECURITY:
            raise MailboxConfigError(f"{where}.{key}: must be one of {', '.join(SECURITY)}")
        return str(value)

    name = text("name", required=True)
    if not _NAME_RE.match(name):
        raise MailboxConfigError(f"{where}.name: lower-case letters, digits, - and _ only")
    address = text("address", required=True)
    if "@" not in address:
        raise MailboxConfigError(f"{where}.address: not an email address")
    imap_security = security("imap_security", "ssl")
    smtp_security = security("smtp_security", "starttls")
    password_env, oauth_env = text("password_env"), text("oauth2_token_env")
    if bool(password_env) == bool(oauth_env):
        raise MailboxConfigError(f"{where}.password_env: set exactly one of password_env "
                                 "or oauth2_token_env")
    folders = item.get("folders", ["INBOX"])
    if (not isinstance(folders, list) or not folders
            or not all(isinstance(f, str) and f for f in folders)):
        raise MailboxConfigError(f"{where}.folders: must be a non-empty list of folder names")
    ca_file = text("ca_file")
    if ca_file and not Path(ca_file).is_file():
        raise MailboxConfigError(f"{where}.ca_file: {ca_file} does not exist")
    limit = item.get("max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1024:
        raise MailboxConfigError(f"{where}.max_message_bytes: must be a whole number >= 1024")
    smtp_host = text("smtp_host")
    idle = item.get("idle", True)
    if not isinstance(idle, bool):
        raise MailboxConfigError(f"{where}.idle: must be true or false")
    return Mailbox(
        name=name, address=address, imap_host=text("imap_host", required=True),
        imap_port=port("imap_port", 993 if imap_security == "ssl" else 143),
        imap_security=imap_security, username=text("username", required=True),
        password_env=password_env, oauth2_token_env=oauth_env, folders=tuple(folders),
        smtp_host=smtp_host,
        smtp_port=port("smtp_port", 465 if smtp_security == "ssl" else 587) if smtp_host else 0,
        smtp_security=smtp_security, smtp_username=text("smtp_username"),
        smtp_password_env=text("smtp_password_env"), ca_file=ca_file,
        max_message_bytes=limit, idle=idle, env=env,
    )
