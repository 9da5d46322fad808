"""A local server speaking Twilio's REST format for the real SDK (tests/servers/twilio.py)."""

from tests.servers.twilio import fake_twilio  # noqa: F401 - fixture
