"""Running it for real: structured, redacted logs with request and job ids
(:mod:`.logs`), Prometheus metrics (:mod:`.metrics`), the readiness report
(:mod:`.health`) and the system state both read (:mod:`.state`). The routes
are in :mod:`inbox.web.ops`; docs/deploy.md says how to use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def init_observability(app: Flask) -> None:
    """Request ids, request metrics and, behind a proxy, the client's address."""
    from inbox.observability.logs import init_request_ids
    from inbox.observability.metrics import init_request_metrics

    settings = app.config["SETTINGS"]
    if settings.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops, x_prefix=hops)
    init_request_ids(app)
    init_request_metrics(app)
