"""Settings: embedded defaults, a TOML file named by ``INBOX_CONFIG``, then
``INBOX_*`` environment variables. Read once at start, validated, immutable.

A bad value raises :class:`ConfigError` whose message names the key, so start-up
fails with something a person can fix.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.claims import ClaimsConfigError, ClaimsSettings, parse_claims
from config.email import Mailbox, MailboxConfigError, parse_mailboxes
from config.letters import LettersConfigError, LettersSettings, parse_letters
from config.portal import PortalConfigError, PortalSettings, parse_portal
from config.retention import RetentionConfigError, RetentionSettings, parse_retention
from config.sla import SlaConfigError, SlaSettings, parse_sla
from config.twilio import TwilioConfigError, TwilioSettings, parse_twilio

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")
ENV_PREFIX = "INBOX_"
SUPPORTED_LANGUAGES = ("en", "de", "el", "cs", "sv", "id")


class ConfigError(ValueError):
    """A setting is missing or wrong; the message starts with the key."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str
    instance_dir: Path
    blob_dir: Path
    secret_key: str
    policy_pattern: str
    claim_pattern: str
    default_region: str
    timezone: str
    languages: tuple[str, ...]
    thread_window_days: int
    subjectless_window_days: int
    first_response_hours: int
    log_level: str
    # Limits of the attachment store (inbox.blobs): its size, and the space left
    # free on its file system; 0: none. Input that does not fit waits, visibly.
    blob_max_mb: float = 0.0
    blob_min_free_mb: float = 0.0
    # Send the session cookie only over HTTPS (production, behind TLS).
    secure_cookies: bool = False
    # How long a thread page's heartbeat keeps its user shown as present
    # (inbox.workspace.presence); the page beats every third of it.
    presence_ttl_seconds: float = 30.0
    # How long the queue's rows are shared from Redis (inbox.answer_cache);
    # 0: computed on every request.
    queue_cache_seconds: float = 2.0
    # How long the dashboard's range figures are shared (inbox.answer_cache); 0: off.
    dashboard_cache_seconds: float = 60.0
    # PostgreSQL connections each process keeps (SQLAlchemy QueuePool): pool_size
    # kept open, max_overflow more under bursts, pool_timeout seconds to wait for
    # one before the request fails (docs/deploy.md sizes them).
    database_pool_size: int = 5
    database_max_overflow: int = 10
    database_pool_timeout: float = 30.0
    # "text" for people at a terminal, "json" (one object a line) for log shippers.
    log_format: str = "text"
    # Bearer token /metrics asks for (INBOX_METRICS_TOKEN); empty: open, so keep
    # /metrics off the public proxy (docs/deploy.md).
    metrics_token: str = ""
    # /readyz calls a mailbox stale when its last successful sync is older.
    mailbox_stale_minutes: int = 15
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust
    # (werkzeug ProxyFix); 0: none, the client is the peer address.
    proxy_hops: int = 0
    # [[email]] tables, validated (config.email).
    mailboxes: tuple[Mailbox, ...] = ()
    # [twilio], validated (config.twilio); None when not configured.
    twilio: TwilioSettings | None = None
    # [letters], validated (config.letters); defaults when absent.
    letters: LettersSettings = field(default_factory=LettersSettings)
    # [claims], validated (config.claims); defaults when absent.
    claims: ClaimsSettings = field(default_factory=ClaimsSettings)
    # [sla], its shape checked (config.sla); the policies are built and their
    # values checked by inbox.sla.policies when the app starts.
    sla: SlaSettings = field(default_factory=SlaSettings)
    # [portal], validated (config.portal); defaults when absent.
    portal: PortalSettings = field(default_factory=PortalSettings)
    # [retention], validated (config.retention); keep everything when absent.
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    # Sections of features still to come ([twilio], ...) are kept raw here and
    # validated by their own loaders.
    sections: Mapping[str, Any] = field(default_factory=dict)

    @property
    def policy_re(self) -> re.Pattern[str]:
        return re.compile(self.policy_pattern)

    @property
    def claim_re(self) -> re.Pattern[str]:
        return re.compile(self.claim_pattern)

    @property
    def uses_embedded_redis(self) -> bool:
        return not self.redis_url


_SCALAR_KEYS = {f.name for f in fields(Settings)} - {"sections", "mailboxes", "twilio", "letters",
                                                  "claims", "sla", "portal",
                                                  "retention"}
# Top-level tables that features read themselves; accepted here, checked there.
_SECTION_KEYS = {"email", "twilio", "letters", "claims", "sla", "portal", "retention"}
_SECRET_KEYS = {"secret_key", "metrics_token"}


def load_settings(
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build validated settings. ``overrides`` wins over everything (tests)."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = _read_toml(DEFAULTS_FILE, "defaults")
    raw["secret_key"] = ""
    raw["metrics_token"] = ""

    config_path = env.get(f"{ENV_PREFIX}CONFIG")
    if config_path:
        from_file = _read_toml(Path(config_path), f"{ENV_PREFIX}CONFIG")
        for key in from_file:
            if key in _SECRET_KEYS:
                raise ConfigError(
                    f"{key}: secrets are not read from files; set {ENV_PREFIX}{key.upper()}"
                )
            if key not in _SCALAR_KEYS and key not in _SECTION_KEYS:
                raise ConfigError(f"{key}: unknown setting in {config_path}")
        raw.update(from_file)

    for key in _SCALAR_KEYS:
        value = env.get(f"{ENV_PREFIX}{key.upper()}")
        if value is not None:
            raw[key] = value
    if overrides:
        for key in overrides:
            if key not in _SCALAR_KEYS and key not in _SECTION_KEYS:
                raise ConfigError(f"{key}: unknown setting")
        raw.update(overrides)
    return _validate(raw, env)


def _read_toml(path: Path, what: str) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"{what}: file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what}: {path} is not valid TOML: {exc}") from exc


def _validate(raw: dict[str, Any], env: Mapping[str, str]) -> Settings:
    instance_dir = Path(_text(raw, "instance_dir") or "instance").resolve()
    blob_dir_text = _text(raw, "blob_dir")
    blob_dir = Path(blob_dir_text).resolve() if blob_dir_text else instance_dir / "blobs"

    database_url = _text(raw, "database_url") or f"sqlite:///{instance_dir / 'inbox.sqlite3'}"
    _check_database_url(database_url)
    redis_url = _text(raw, "redis_url")
    if redis_url and not re.match(r"^(redis|rediss|unix)://", redis_url):
        raise ConfigError("redis_url: must start with redis://, rediss:// or unix://")

    for key in ("policy_pattern", "claim_pattern"):
        pattern = _text(raw, key)
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{key}: not a valid regular expression: {exc}") from exc
        if not pattern or compiled.match(""):
            raise ConfigError(f"{key}: must not match the empty string")

    region = _text(raw, "default_region").upper()
    import phonenumbers

    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigError(f"default_region: {region!r} is not a region code like GB or DE")

    tz = _text(raw, "timezone")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"timezone: unknown time zone {tz!r}") from exc

    languages = raw.get("languages")
    if isinstance(languages, str):
        languages = [part.strip() for part in languages.split(",") if part.strip()]
    if not isinstance(languages, list) or not languages:
        raise ConfigError("languages: must be a non-empty list of language codes")
    unknown = [lang for lang in languages if lang not in SUPPORTED_LANGUAGES]
    if unknown:
        raise ConfigError(
            f"languages: {', '.join(unknown)} not supported (have {', '.join(SUPPORTED_LANGUAGES)})"
        )

    log_level = _text(raw, "log_level").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("log_level: must be DEBUG, INFO, WARNING or ERROR")
    log_format = _text(raw, "log_format").lower()
    if log_format not in {"text", "json"}:
        raise ConfigError("log_format: must be text or json")

    sections = {key: raw[key] for key in _SECTION_KEYS - {"email", "twilio", "letters", "claims",
                                                          "sla", "portal", "retention"}
                if key in raw}
    try:
        mailboxes = parse_mailboxes(raw.get("email"), env)
        twilio = parse_twilio(raw.get("twilio"), env)
        letters = parse_letters(raw.get("letters"))
        claims = parse_claims(raw.get("claims"))
        sla = parse_sla(raw.get("sla"))
        portal = parse_portal(raw.get("portal"))
        retention = parse_retention(raw.get("retention"))
    except (MailboxConfigError, TwilioConfigError, LettersConfigError,
            ClaimsConfigError, SlaConfigError, PortalConfigError,
            RetentionConfigError) as exc:
        raise ConfigError(str(exc)) from exc
    return Settings(
        database_url=database_url,
        redis_url=redis_url,
        instance_dir=instance_dir,
        blob_dir=blob_dir,
        blob_max_mb=_positive_number(raw, "blob_max_mb", zero=True),
        blob_min_free_mb=_positive_number(raw, "blob_min_free_mb", zero=True),
        secret_key=_text(raw, "secret_key"),
        policy_pattern=_text(raw, "policy_pattern"),
        claim_pattern=_text(raw, "claim_pattern"),
        default_region=region,
        timezone=tz,
        languages=tuple(languages),
        thread_window_days=_positive_int(raw, "thread_window_days"),
        subjectless_window_days=_positive_int(raw, "subjectless_window_days"),
        first_response_hours=_positive_int(raw, "first_response_hours"),
        log_level=log_level,
        secure_cookies=_bool(raw, "secure_cookies"),
        presence_ttl_seconds=_positive_number(raw, "presence_ttl_seconds"),
        queue_cache_seconds=_positive_number(raw, "queue_cache_seconds", zero=True),
        dashboard_cache_seconds=_positive_number(raw, "dashboard_cache_seconds", zero=True),
        database_pool_size=_positive_int(raw, "database_pool_size"),
        database_max_overflow=_positive_int(raw, "database_max_overflow", zero=True),
        database_pool_timeout=_positive_number(raw, "database_pool_timeout"),
        log_format=log_format,
        metrics_token=_text(raw, "metrics_token"),
        mailbox_stale_minutes=_positive_int(raw, "mailbox_stale_minutes"),
        proxy_hops=_positive_int(raw, "proxy_hops", zero=True),
        mailboxes=mailboxes,
        twilio=twilio,
        letters=letters,
        claims=claims,
        sla=sla,
        portal=portal,
        retention=retention,
        sections=sections,
    )


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{key}: must be a string, got {type(value).__name__}")
    return value.strip()


def _bool(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"true", "1", "yes", "on"}:
            return True
        if lowered in {"false", "0", "no", "off", ""}:
            return False
    if isinstance(value, bool):
        return value
    raise ConfigError(f"{key}: must be true or false, got {value!r}")


def _positive_int(raw: Mapping[str, Any], key: str, *, zero: bool = False) -> int:
    """A positive whole number (or 0 too, with ``zero``)."""
    value = raw.get(key)
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError as exc:
            raise ConfigError(f"{key}: must be a whole number, got {raw.get(key)!r}") from exc
    if not isinstance(value, int) or isinstance(value, bool) or value < (0 if zero else 1):
        what = "0 or a positive whole number" if zero else "a positive whole number"
        raise ConfigError(f"{key}: must be {what}, got {raw.get(key)!r}")
    return value


def _positive_number(raw: Mapping[str, Any], key: str, *, zero: bool = False) -> float:
    """A positive finite number (or 0 too, with ``zero``)."""
    value = raw.get(key)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError as exc:
            raise ConfigError(f"{key}: must be a number, got {raw.get(key)!r}") from exc
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not (value >= 0 if zero else value > 0) or value == float("inf"):
        what = "0 or a positive number" if zero else "a positive number"
        raise ConfigError(f"{key}: must be {what}, got {raw.get(key)!r}")
    return float(value)


def _check_database_url(url: str) -> None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"database_url: not a database URL: {exc}") from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError("database_url: only postgresql:// and sqlite:// are supported")
