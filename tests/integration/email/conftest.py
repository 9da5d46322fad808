"""Real mail servers for the email channel tests: a session-wide Dovecot with a
fresh user per test, and in-process aiosmtpd servers (see tests/servers/)."""

from tests.servers.dovecot import dovecot, mail_user, test_ca  # noqa: F401 - fixtures
from tests.servers.smtp import smtp_server, smtp_server_factory  # noqa: F401 - fixtures
