"""Endpoints for the machines that run the product: liveness, readiness and
Prometheus metrics. Public (no sign-in): a load balancer or Prometheus calls
them; ``/metrics`` asks for ``INBOX_METRICS_TOKEN`` when it is set.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from inbox import queueing
from inbox.web import settings

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness: the process answers. It checks no dependency, so an outage of
    the database does not make every instance restart at once."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Readiness: 503 when the database or Redis cannot be reached; otherwise
    200 with ``status`` ok or degraded and what needs attention."""
    from inbox.observability.health import readiness

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    status, report = readiness(app.extensions["inbox.db"],
                               lambda: queueing.app_connection(app), settings())
    response = jsonify(report)
    response.headers["Cache-Control"] = "no-store"
    return response, status


@bp.get("/metrics")
def metrics() -> Any:
    from prometheus_client import CONTENT_TYPE_LATEST

    from inbox.observability.metrics import exposition

    token = settings().metrics_token
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return Response("metrics need the bearer token\n", 401,
                            {"WWW-Authenticate": 'Bearer realm="metrics"'})
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    body = exposition(app.extensions["inbox.db"], lambda: queueing.app_connection(app),
                      settings())
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST,
                                "Cache-Control": "no-store"})
