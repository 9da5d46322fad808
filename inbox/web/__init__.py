"""Web blueprints: route modules hold URL rules and thin handlers."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from config import Settings


def db_session() -> Session:
    """The request's session; committed by the app after the handler returns."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["inbox.db"].session()
    session: Session = g.db_session
    return session


def settings() -> Settings:
    result: Settings = current_app.config["SETTINGS"]
    return result
