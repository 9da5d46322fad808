from __future__ import annotations

from typing import Any

import pytest

from config.twilio import DEFAULT_API_BASE_URL, TwilioConfigError, parse_twilio

SID = "AC" + "0123456789abcdef" * 2
BASE: dict[str, Any] = {
    "account_sid": SID, "auth_token_env": "TWILIO_TOKEN",
    "numbers": ["+44 20 7946 0000", "020 7946 0001"],
    "public_base_url": "https://inbox.insurer.example/",
}


def test_absent_table_is_none() -> None:
    assert parse_twilio(None, {}) is None


def test_defaults_and_normalised_numbers() -> None:
    settings = parse_twilio(BASE, {"TWILIO_TOKEN": "s3cret-t0ken"})
    assert settings is not None
    assert settings.numbers == ("+442079460000", "+442079460001")
    assert settings.public_base_url == "https://inbox.insurer.example"
    assert (settings.api_base_url, settings.default_region) == (DEFAULT_API_BASE_URL, "GB")
    assert settings.auth_token() == "s3cret-t0ken"
    assert "s3cret" not in repr(settings)
    assert settings.is_ours("+442079460001")
    assert not settings.is_ours("+447700900123")


def test_region_applies_to_local_numbers() -> None:
    settings = parse_twilio({**BASE, "default_region": "de", "numbers": ["030 123456"]}, {})
    assert settings is not None
    assert (settings.default_region, settings.numbers) == ("DE", ("+4930123456",))


def test_unset_token_variable_fails_when_read() -> None:
    settings = parse_twilio(BASE, {})
    assert settings is not None
    with pytest.raises(TwilioConfigError, match=r"^twilio\.auth_token_env: .*TWILIO_TOKEN"):
        settings.auth_token()


def test_loopback_may_be_plain_http() -> None:
    settings = parse_twilio({**BASE, "public_base_url": "http://127.0.0.1:5000",
                             "api_base_url": "http://127.0.0.1:8080/"}, {})
    assert settings is not None
    assert settings.api_base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize(("change", "error"), [
    ({"auth_token": "abc"}, "twilio.auth_token: never in the file"),
    ({"auth_token_env": "0123456789abcdef0123 456"}, "twilio.auth_token_env: must name"),
    ({"auth_token_env": None}, "twilio.auth_token_env: is required"),
    ({"account_sid": "AC123"}, "twilio.account_sid: must be AC"),
    ({"account_sid": 5}, "twilio.account_sid: must be a string"),
    ({"numbers": []}, "twilio.numbers: must be a non-empty list"),
    ({"numbers": "+442079460000"}, "twilio.numbers: must be a non-empty list"),
    ({"numbers": ["12345"]}, "twilio.numbers: '12345' is not a valid phone number"),
    ({"numbers": ["+442079460000", "020 7946 0000"]}, "twilio.numbers: '020 7946 0000' is "
                                                      "listed twice"),
    ({"public_base_url": "http://inbox.insurer.example"}, "twilio.public_base_url: must be https"),
    ({"public_base_url": "inbox.insurer.example"}, "twilio.public_base_url: must be an http"),
    ({"public_base_url": "https://x.example/?a=1"}, "twilio.public_base_url: no query"),
    ({"api_base_url": "https://api.example/2010-04-01"}, "twilio.api_base_url: scheme and host"),
    ({"default_region": "XX"}, "twilio.default_region: 'XX' is not a known region"),
    ({"region": "GB"}, "twilio.region: unknown setting"),
])
def test_errors_name_the_key(change: dict[str, Any], error: str) -> None:
    raw = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    with pytest.raises(TwilioConfigError) as info:
        parse_twilio(raw, {})
    assert str(info.value).startswith(error)


def test_not_a_table() -> None:
    with pytest.raises(TwilioConfigError, match=r"^twilio: must be a table"):
        parse_twilio(["x"], {})


def test_twilio_section_is_validated_at_start() -> None:
    from config import ConfigError, load_settings

    settings = load_settings(env={}, overrides={"twilio": {
        "account_sid": "AC" + "0" * 32, "auth_token_env": "TWILIO_TOKEN",
        "numbers": ["+44 20 7946 0000"], "public_base_url": "https://inbox.example",
    }})
    assert settings.twilio is not None
    assert settings.twilio.numbers == ("+442079460000",)
    with pytest.raises(ConfigError, match=r"^twilio\."):
        load_settings(env={}, overrides={"twilio": {"account_sid": "nope"}})
