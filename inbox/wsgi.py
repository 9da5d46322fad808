"""The WSGI entry point for production servers: ``gunicorn inbox.wsgi:app``.

Configuration comes from ``INBOX_CONFIG`` and ``INBOX_*`` variables, as for the
CLI; a bad setting fails here, at start, with a message naming the key.
"""

from inbox import create_app

app = create_app()
