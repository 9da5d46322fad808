"""Webhook signatures through the SDK's RequestValidator."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, parse_qsl, urlencode

import pytest

from channels.twilio.signature import public_url, sign, verify
from config.twilio import TwilioSettings

TOKEN = "12345678901234567890123456789012"
URL = "https://inbox.insurer.example/webhooks/twilio/voice/status?tenant=uk"
PARAMS = {"CallSid": "CA" + "1" * 32, "CallStatus": "completed", "From": "+447700900123",
          "To": "+442079460000", "SequenceNumber": "4", "ForwardedFrom": ""}


@pytest.fixture
def signature() -> str:
    return sign(TOKEN, URL, PARAMS)


def test_correct_signature(signature: str) -> None:
    assert verify(TOKEN, URL, PARAMS, signature)


def test_matches_twilios_algorithm() -> None:
    # Documented: HMAC-SHA1 over the URL then each name+value sorted by name, base64.
    data = URL + "".join(name + PARAMS[name] for name in sorted(PARAMS))
    expected = base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest())
    assert sign(TOKEN, URL, PARAMS) == expected.decode()


@pytest.mark.parametrize("forgery", ["token", "url", "dropped", "added", "changed", "none"])
def test_forgeries_fail(signature: str, forgery: str) -> None:
    token, url, params, sig = TOKEN, URL, dict(PARAMS), signature
    if forgery == "token":
        token = "0" * 32
    elif forgery == "url":
        url = URL.replace("tenant=uk", "tenant=de")
    elif forgery == "dropped":
        del params["SequenceNumber"]
    elif forgery == "added":
        params["Body"] = "hello"
    elif forgery == "changed":
        params["CallStatus"] = "no-answer"
    else:
        sig = ""
    assert not verify(token, url, params, sig)


def test_blank_values_are_signed(signature: str) -> None:
    body = urlencode(PARAMS)
    assert verify(TOKEN, URL, dict(parse_qsl(body, keep_blank_values=True)), signature)
    # parse_qsl without keep_blank_values (or parse_qs) loses ForwardedFrom="".
    assert not verify(TOKEN, URL, dict(parse_qsl(body)), signature)
    assert "ForwardedFrom" not in parse_qs(body)


def test_behind_a_proxy() -> None:
    settings = TwilioSettings(account_sid="AC" + "0" * 32, auth_token_env="T",
                              numbers=("+442079460000",),
                              public_base_url="https://inbox.insurer.example/")
    # Twilio called the public https URL; the app behind the proxy sees
    # http://10.0.0.5:8000/webhooks/... - the signature is over the public one.
    signed = sign(TOKEN, URL, PARAMS)
    rebuilt = public_url(settings, "/webhooks/twilio/voice/status", b"tenant=uk")
    assert rebuilt == URL
    assert verify(TOKEN, rebuilt, PARAMS, signed)
    internal = "http://10.0.0.5:8000/webhooks/twilio/voice/status?tenant=uk"
    assert not verify(TOKEN, internal, PARAMS, signed)
    assert public_url(settings, "webhooks/twilio/sms") == \
        "https://inbox.insurer.example/webhooks/twilio/sms"


def test_port_variants_accepted() -> None:
    # Twilio sometimes signs with the default port spelled out; the SDK tries both.
    signed = sign(TOKEN, "https://inbox.insurer.example:443/webhooks/twilio/sms", PARAMS)
    assert verify(TOKEN, "https://inbox.insurer.example/webhooks/twilio/sms", PARAMS, signed)
