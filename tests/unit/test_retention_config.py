"""``[retention]``: days per kind of data, 0 keeps forever; a bad value names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.retention import RetentionSettings
from tests.unit.test_config import write_toml


def test_absent_keeps_everything() -> None:
    settings = load_settings(env={})
    assert settings.retention == RetentionSettings(0, 0, 0)
    assert not settings.retention.active


def test_retention_settings_are_read(tmp_path: Path) -> None:
    settings = load_settings(env=write_toml(
        tmp_path, "[retention]\nraw_mail_days = 90\nrecording_days = 365\n"))
    assert settings.retention == RetentionSettings(raw_mail_days=90, recording_days=365,
                                                   failed_intake_days=0)
    assert settings.retention.active


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("raw_mail_days = -1", "retention.raw_mail_days"),
        ("recording_days = 1.5", "retention.recording_days"),
        ("failed_intake_days = \"30\"", "retention.failed_intake_days"),
        ("recording_days = true", "retention.recording_days"),
        ("mail_days = 30", "retention.mail_days"),
    ],
)
def test_bad_retention_setting_names_the_key(tmp_path: Path, table: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"^{key}: "):
        load_settings(env=write_toml(tmp_path, f"[retention]\n{table}\n"))


def test_retention_must_be_a_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^retention: must be a table"):
        load_settings(env=write_toml(tmp_path, "retention = 30\n"))
