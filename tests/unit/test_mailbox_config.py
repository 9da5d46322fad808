from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from config import ConfigError, load_settings
from config.email import DEFAULT_MAX_MESSAGE_BYTES

BASE = {
    "name": "claims", "address": "claims@insurer.example", "imap_host": "imap.example",
    "username": "claims", "password_env": "CLAIMS_PW",
}


def load(*boxes: dict[str, Any], env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return load_settings(env=env or {}, overrides={"email": list(boxes)})


def test_defaults() -> None:
    (box,) = load(BASE).mailboxes
    assert (box.imap_port, box.imap_security, box.folders) == (993, "ssl", ("INBOX",))
    assert box.max_message_bytes == DEFAULT_MAX_MESSAGE_BYTES
    assert box.smtp_port == 0  # no SMTP host: this mailbox cannot send
    starttls = load({**BASE, "imap_security": "starttls", "smtp_host": "smtp.example"}).mailboxes[0]
    assert (starttls.imap_port, starttls.smtp_port) == (143, 587)


def test_secrets_come_from_the_environment() -> None:
    (box,) = load(BASE, env={"CLAIMS_PW": "s3cret"}).mailboxes
    assert box.imap_secret() == ("password", "s3cret")
    assert "s3cret" not in repr(box)
    (unset,) = load(BASE).mailboxes
    with pytest.raises(ValueError, match="CLAIMS_PW is not set"):
        unset.imap_secret()
    (oauth,) = load({**BASE, "password_env": "", "oauth2_token_env": "TOKEN"},
                    env={"TOKEN": "ya29"}).mailboxes
    assert oauth.imap_secret() == ("oauth2", "ya29")


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"imap_port": 0}, "email[0].imap_port"),
        ({"imap_port": "993"}, "email[0].imap_port"),
        ({"imap_security": "tls"}, "email[0].imap_security"),
        ({"smtp_security": "ssl3"}, "email[0].smtp_security"),
        ({"name": "Claims Box"}, "email[0].name"),
        ({"address": "claims"}, "email[0].address"),
        ({"imap_host": ""}, "email[0].imap_host"),
        ({"password_env": ""}, "email[0].password_env"),
        ({"oauth2_token_env": "T"}, "email[0].password_env"),
        ({"folders": []}, "email[0].folders"),
        ({"folders": "INBOX"}, "email[0].folders"),
        ({"max_message_bytes": 10}, "email[0].max_message_bytes"),
        ({"password": "in the file"}, "email[0].password"),
        ({"imap_hots": "typo"}, "email[0].imap_hots"),
        ({"ca_file": "/nonexistent/ca.pem"}, "email[0].ca_file"),
        ({"idle": "yes"}, "email[0].idle"),
    ],
)
def test_bad_values_name_the_key(change: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load({**BASE, **change})
    assert str(info.value).startswith(f"{key}:"), str(info.value)


def test_two_mailboxes_cannot_share_a_name() -> None:
    with pytest.raises(ConfigError, match=r"email\.name"):
        load(BASE, BASE)


def test_from_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "inbox.toml"
    path.write_text(
        '[[email]]\nname = "claims"\naddress = "claims@insurer.example"\n'
        'imap_host = "imap.example"\nusername = "u"\npassword_env = "PW"\n'
        'folders = ["INBOX", "Scans"]\n'
        '[[email]]\nname = "complaints"\naddress = "complaints@insurer.example"\n'
        'imap_host = "imap.example"\nusername = "c"\noauth2_token_env = "TOKEN"\n'
    )
    settings = load_settings(env={"INBOX_CONFIG": str(path)})
    assert [b.name for b in settings.mailboxes] == ["claims", "complaints"]
    assert settings.mailboxes[0].folders == ("INBOX", "Scans")
