"""Settings: defaults, a TOML file named by INBOX_CONFIG, INBOX_* environment
variables; validated at start with messages that name the key."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from config import ConfigError, load_settings


def write_toml(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "inbox.toml"
    path.write_text(text, encoding="utf-8")
    return {"INBOX_CONFIG": str(path)}


def test_defaults_are_valid_and_embedded() -> None:
    settings = load_settings(env={})
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("inbox.sqlite3")
    assert settings.redis_url == ""
    assert settings.uses_embedded_redis
    assert settings.secret_key == ""
    assert settings.languages == ("en", "de", "el", "cs", "sv", "id")
    assert settings.blob_dir == settings.instance_dir / "blobs"


def test_settings_are_immutable() -> None:
    settings = load_settings(env={})
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.redis_url = "redis://elsewhere"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("database_url", "mysql://root@localhost/inbox", "only postgresql"),
        ("database_url", "not a url at all", "not a database URL"),
        ("redis_url", "http://127.0.0.1:6379", "must start with redis://"),
        ("policy_pattern", "POL-(\\d{6}", "not a valid regular expression"),
        ("policy_pattern", "\\d*", "must not match the empty string"),
        ("claim_pattern", "CLM-[", "not a valid regular expression"),
        ("claim_pattern", "", "must not match the empty string"),
        ("default_region", "XX", "is not a region code"),
        ("timezone", "Mars/Olympus_Mons", "unknown time zone"),
        ("languages", "en,fr", "fr not supported"),
        ("languages", "", "non-empty list"),
        ("thread_window_days", "0", "positive whole number"),
        ("thread_window_days", "-3", "positive whole number"),
        ("thread_window_days", "a month", "whole number"),
        ("log_level", "LOUD", "must be DEBUG"),
    ],
)
def test_bad_environment_value_names_the_key(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(env={f"INBOX_{key.upper()}": value})
    text = str(caught.value)
    assert text.startswith(f"{key}: "), text
    assert message in text


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("thread_window_days = 0", "thread_window_days"),
        ("thread_window_days = true", "thread_window_days"),
        ("subjectless_window_days = 1.5", "subjectless_window_days"),
        ("languages = []", "languages"),
        ("languages = \"xx\"", "languages"),
        ("timezone = 1", "timezone"),
        ("default_region = \"Atlantis\"", "default_region"),
        ("redis_url = \"localhost:6379\"", "redis_url"),
        ("log_format = \"xml\"", "log_format"),
        ("database_pool_size = 0", "database_pool_size"),
        ("database_max_overflow = -1", "database_max_overflow"),
        ("database_pool_timeout = 0", "database_pool_timeout"),
        ("mailbox_stale_minutes = 1.5", "mailbox_stale_minutes"),
        ("proxy_hops = -1", "proxy_hops"),
    ],
)
def test_bad_file_value_names_the_key(tmp_path: Path, line: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}: "):
        load_settings(env=write_toml(tmp_path, line + "\n"))


def test_toml_file_is_read(tmp_path: Path) -> None:
    env = write_toml(tmp_path, """
database_url = "postgresql://inbox@db.internal/inbox"
redis_url = "redis://queue.internal:6379/2"
default_region = "de"
timezone = "Europe/Berlin"
languages = ["de", "en"]
thread_window_days = 14

[portal]
public_url = "https://portal.example"
""")
    settings = load_settings(env=env)
    assert settings.database_url == "postgresql://inbox@db.internal/inbox"
    assert settings.redis_url == "redis://queue.internal:6379/2"
    assert not settings.uses_embedded_redis
    assert settings.default_region == "DE"
    assert settings.timezone == "Europe/Berlin"
    assert settings.languages == ("de", "en")
    assert settings.thread_window_days == 14
    assert settings.portal.public_url == "https://portal.example"


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    env = write_toml(tmp_path, 'timezone = "Europe/Berlin"\nthread_window_days = 14\n')
    env |= {
        "INBOX_TIMEZONE": "Europe/Athens",
        "INBOX_THREAD_WINDOW_DAYS": "21",
        "INBOX_LANGUAGES": "el, en",
        "INBOX_REDIS_URL": "redis://127.0.0.1:6379/5",
    }
    settings = load_settings(env=env)
    assert settings.timezone == "Europe/Athens"
    assert settings.thread_window_days == 21
    assert settings.languages == ("el", "en")
    assert settings.redis_url == "redis://127.0.0.1:6379/5"


def test_overrides_win_over_environment() -> None:
    settings = load_settings(env={"INBOX_TIMEZONE": "Europe/Athens"},
                             overrides={"timezone": "Europe/Prague"})
    assert settings.timezone == "Europe/Prague"


def test_unknown_key_in_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^redis_uri: unknown setting in .*inbox\.toml"):
        load_settings(env=write_toml(tmp_path, 'redis_uri = "redis://x"\n'))


def test_unknown_override_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^colour: unknown setting"):
        load_settings(env={}, overrides={"colour": "blue"})


def test_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^secret_key: secrets are not read") as caught:
        load_settings(env=write_toml(tmp_path, 'secret_key = "hunter2"\n'))
    assert "INBOX_SECRET_KEY" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_metrics_token_in_the_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^metrics_token: secrets are not read") as caught:
        load_settings(env=write_toml(tmp_path, 'metrics_token = "t0ken"\n'))
    assert "INBOX_METRICS_TOKEN" in str(caught.value)


def test_secret_comes_from_the_environment() -> None:
    assert load_settings(env={"INBOX_SECRET_KEY": "s3cret"}).secret_key == "s3cret"


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"^INBOX_CONFIG: file .*nope.toml does not exist"):
        load_settings(env={"INBOX_CONFIG": str(missing)})


def test_broken_toml_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^INBOX_CONFIG: .* is not valid TOML"):
        load_settings(env=write_toml(tmp_path, "timezone = \n"))


def test_paths_follow_instance_dir(tmp_path: Path) -> None:
    settings = load_settings(env={"INBOX_INSTANCE_DIR": str(tmp_path / "inst")})
    assert settings.instance_dir == (tmp_path / "inst").resolve()
    assert settings.database_url == f"sqlite:///{tmp_path.resolve() / 'inst' / 'inbox.sqlite3'}"
    assert settings.blob_dir == settings.instance_dir / "blobs"


def test_claims_section_defaults_and_values(tmp_path: Path) -> None:
    from decimal import Decimal

    defaults = load_settings(env={}).claims
    assert defaults.info_request_follow_up_days == 14
    assert defaults.default_authority_limit == Decimal("5000.00")
    assert defaults.complaint_ack_days == 5
    env = write_toml(tmp_path, '[claims]\ninfo_request_follow_up_days = 7\n'
                               'default_authority_limit = ""\ncurrency = "EUR"\n'
                               'team = "Schadenservice"\n')
    claims = load_settings(env=env).claims
    assert claims.info_request_follow_up_days == 7
    assert claims.default_authority_limit is None
    assert (claims.currency, claims.team) == ("EUR", "Schadenservice")


@pytest.mark.parametrize(("text", "message"), [
    ("complaint_ack_days = 0", "claims.complaint_ack_days: must be a whole number"),
    ('default_authority_limit = "lots"', "claims.default_authority_limit: 'lots' is not"),
    ("default_authority_limit = -5", "claims.default_authority_limit: must be 0 or more"),
    ('currency = "pounds"', "claims.currency: must be a currency code"),
    ("colour = 1", "claims.colour: unknown setting"),
])
def test_bad_claims_settings_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=write_toml(tmp_path, f"[claims]\n{text}\n"))


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("link_minutes = 0", "portal.link_minutes"),
        ("max_file_mb = -1", "portal.max_file_mb"),
        ("public_url = \"portal.example\"", "portal.public_url"),
        ("requests_per_contact = true", "portal.requests_per_contact"),
        ("colour = \"blue\"", "portal.colour"),
    ],
)
def test_bad_portal_setting_names_the_key(tmp_path: Path, table: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}: "):
        load_settings(env=write_toml(tmp_path, f"[portal]\n{table}\n"))


def test_portal_settings_are_read(tmp_path: Path) -> None:
    settings = load_settings(env=write_toml(
        tmp_path, "[portal]\npublic_url = \"https://portal.example/\"\nmax_file_mb = 2.5\n"))
    assert settings.portal.public_url == "https://portal.example"
    assert settings.portal.max_file_bytes == int(2.5 * 1024 * 1024)
    assert settings.portal.link_minutes == 15
