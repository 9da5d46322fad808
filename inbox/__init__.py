"""The conversation side: threads, messages, ingest, queue, jobs and the web app.

``create_app`` is the app factory; nothing connects to anything at import time.
``ingest(session, inbound, now)`` files one normalized message (see
:mod:`inbox.intake.core`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from config import Settings
    from inbox.intake.core import IngestResult, ingest

__all__ = ["IngestResult", "create_app", "ingest"]


def __getattr__(name: str) -> Any:
    # Lazy: the OCR worker processes import inbox.letters.pool and must not
    # pay for SQLAlchemy (0.7 s) on start.
    if name in ("IngestResult", "ingest"):
        from inbox.intake import core

        return getattr(core, name)
    raise AttributeError(f"module 'inbox' has no attribute {name!r}")


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    from inbox.app import build_app

    return build_app(config)
