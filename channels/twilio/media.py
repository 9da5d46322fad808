"""Fetching a recording's audio or an MMS media item from Twilio with the
account's credentials (HTTP Basic: account sid + auth token). No database here.

Our credentials are only ever sent to Twilio's API host: the configured
``api_base_url`` (scheme, host and port), or, for Twilio's default, https on
``twilio.com`` and its subdomains. A URL elsewhere is refused without a request;
a redirect elsewhere (Twilio sends MMS media to a signed CDN URL) is followed
*without* the Authorization header.

Errors (the classes of :mod:`channels.twilio.rest`):

* :class:`TwilioUnavailable` - connection refused or dropped, timeout, 5xx, 429:
  retry later.
* :class:`TwilioRejected` - any other 4xx, a body over ``max_bytes``, a URL not
  on Twilio's host: permanent.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

from channels.twilio.rest import TwilioError, TwilioRejected, TwilioUnavailable
from config.twilio import DEFAULT_API_BASE_URL, TwilioSettings

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
_CHUNK = 64 * 1024


def recording_url(url: str) -> str:
    """Twilio serves a recording's audio at its URL plus ``.mp3`` (without an
    extension the URL answers the recording's JSON)."""
    parts = urlsplit(url)
    last = parts.path.rsplit("/", 1)[-1]
    if "." in last:
        return url
    return urlunsplit(parts._replace(path=parts.path + ".mp3"))


def is_allowed(settings: TwilioSettings, url: str) -> bool:
    """Whether ``url`` is on Twilio's API host, where our credentials may go."""
    parts = urlsplit(url)
    if parts.username or parts.password or not parts.hostname:
        return False
    host = parts.hostname.lower()
    base = settings.api_base_url.rstrip("/")
    if base == DEFAULT_API_BASE_URL:
        return (parts.scheme == "https" and (host == "twilio.com" or host.endswith(".twilio.com"))
                and parts.port in (None, 443))
    allowed = urlsplit(base)
    return (parts.scheme == allowed.scheme and host == (allowed.hostname or "").lower()
            and _port(parts.scheme, parts.port) == _port(allowed.scheme, allowed.port))


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


def fetch(settings: TwilioSettings, url: str, *, timeout: float = 30,
          max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str]:
    """The body and content type at ``url`` (a media or recording URL Twilio gave us)."""
    if not is_allowed(settings, url):
        raise TwilioRejected(f"fetch {_safe(url)}: not on Twilio's API host, not fetched")
    credentials = f"{settings.account_sid}:{settings.auth_token()}".encode()
    auth = "Basic " + base64.b64encode(credentials).decode()
    request = urllib.request.Request(url, method="GET")  # noqa: S310 - http(s), checked
    # Unredirected: urllib would copy a plain header onto a redirect to any host.
    request.add_unredirected_header("Authorization", auth)
    opener = urllib.request.build_opener(_Redirects(settings, auth))
    action = f"fetch {_safe(url)}"
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TwilioRejected(f"{action}: {length} bytes, more than {max_bytes}")
            data = _read(response, max_bytes, action)
            content_type = response.headers.get_content_type() if response.headers.get(
                "Content-Type") else ""
    except urllib.error.HTTPError as error:
        with error:
            status = error.code
        text = f"{action}: HTTP {status}"
        if status >= 500 or status == 429:
            raise TwilioUnavailable(text, status) from None
        if 400 <= status < 500:
            raise TwilioRejected(text, status) from None
        raise TwilioError(text, status) from None
    except TwilioError:
        raise
    except (urllib.error.URLError, OSError) as error:  # refused, reset, timeout
        raise TwilioUnavailable(f"{action}: {type(error).__name__}: {error}") from error
    return data, content_type


def _read(response: IO[bytes], max_bytes: int, action: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise TwilioRejected(f"{action}: more than {max_bytes} bytes")
        chunks.append(chunk)


def _safe(url: str) -> str:
    """The URL without a query (a signed CDN URL's query is a credential)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects; the Authorization header only to Twilio's host."""

    def __init__(self, settings: TwilioSettings, auth: str) -> None:
        self._settings, self._auth = settings, auth

    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int,
                         msg: str, headers: Any, newurl: str) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is None:
            return None
        new.remove_header("Authorization")
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise TwilioRejected(f"fetch {_safe(req.full_url)}: redirect to a non-http URL")
        if is_allowed(self._settings, newurl):
            new.add_unredirected_header("Authorization", self._auth)
        return new
