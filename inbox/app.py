"""The Flask app factory. Extensions are created unbound and bound here."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g

from config import Settings, load_settings
from inbox.binding import bind_database
from inbox.database import Database, discard_after_commit, run_after_commit

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def build_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    settings = config if isinstance(config, Settings) else load_settings(overrides=config)
    app = Flask("inbox", template_folder=str(TEMPLATES))
    app.config["SETTINGS"] = settings
    app.config["SECRET_KEY"] = settings.secret_key or _instance_secret(settings)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    from inbox.observability import init_observability
    from inbox.observability.logs import configure_logging

    configure_logging(settings)

    db = Database()
    init_db(app, db, settings)

    init_observability(app)  # request ids, request metrics, ProxyFix
    from inbox.web import letters, ops, threads, twilio, views

    app.register_blueprint(ops.bp)  # /healthz, /readyz, /metrics
    app.register_blueprint(views.bp)
    app.register_blueprint(threads.bp)
    app.register_blueprint(twilio.bp)
    app.register_blueprint(letters.bp)
    from inbox.web import notifications

    app.register_blueprint(notifications.bp)
    from inbox.web import canned, composer

    app.register_blueprint(composer.bp)  # canned text for a thread, send later, pending
    app.register_blueprint(canned.bp)  # managing canned responses
    from inbox.web import thread_tools

    app.register_blueprint(thread_tools.bp)
    from inbox.web import intake_admin

    app.register_blueprint(intake_admin.bp)
    from inbox.web import search

    app.register_blueprint(search.bp)
    from inbox.web import dashboard

    app.register_blueprint(dashboard.bp)  # the leads' figures (inbox.metrics)
    from inbox.web import sla_admin

    app.register_blueprint(sla_admin.bp)  # SLA policies (/admin/sla), the thread's SLA box
    from inbox.web import portal

    app.register_blueprint(portal.bp)  # customers: sign-in link or code, claims, messages
    app.before_request(portal.limit_request_size)  # before the CSRF check reads a form
    from inbox.web.auth import init_auth

    init_auth(app)
    from inbox.api import init_api

    init_api(app)
    from inbox.web.mail_html import init_mail_html
    from inbox.web.security import init_security
    from inbox.web.views import init_queue_cache

    init_mail_html(app)
    init_queue_cache(app)  # a rep's own writes bypass the queue's cache
    init_security(app)  # CSP and friends on every response
    return app


def init_db(app: Flask, db: Database, settings: Settings) -> None:
    bind_database(db, settings)
    app.extensions["inbox.db"] = db

    @app.after_request
    def _commit(response: Any) -> Any:
        # Commit before the response leaves, so a failed commit is a 500,
        # never a success page over lost data.
        session = g.get("db_session")
        if session is not None and response.status_code < 400:
            session.commit()
            g.pop("db_session").close()
            run_after_commit(session)
        return response

    @app.teardown_request
    def _end_transaction(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            discard_after_commit(session)
            session.close()


def _instance_secret(settings: Settings) -> str:
    """A development secret kept under instance/ (never committed). Production
    sets INBOX_SECRET_KEY."""
    path = settings.instance_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
