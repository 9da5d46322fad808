"""The JSON API, ``/api/v1``: the workspace for programs (queue, threads,
messages, replies, notes, customers, claims).

flask-smorest generates the OpenAPI 3 document (``/api/v1/openapi.json``)
from the marshmallow schemas and decorators on the views, so the document
cannot drift from the code. Callers authenticate with a personal token
(``Authorization: Bearer ibx_...``, :mod:`inbox.workspace.tokens`) or with the
browser's session; a session's writes need the CSRF token like a form, a
token's do not (a token is not sent by the browser on its own). Every
endpoint declares a permission of the one matrix (deny by default, checked in
:func:`inbox.web.auth._guard` before the view runs).

Errors are JSON everywhere under ``/api/``: ``{"code", "status", "message",
"errors"}`` (flask-smorest's shape, documented as ``Error``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import Flask, g, request
from flask_smorest import Api, Blueprint, abort
from flask_smorest.error_handler import ErrorSchema
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/v1"
TOKEN_SCHEME = "Bearer "  # noqa: S105 - the header scheme, not a secret


class ApiBlueprint(Blueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint, whose operations document the refusals every
    one can give: 401 (no valid token or session) and 403 (the role may not),
    and 404 for one with an id in its path. (The document's ``default``
    response would cover them, but says nothing about when.)"""

    def route(self, rule: str, **options: Any) -> Callable[[Any], Any]:
        register = super().route(rule, **options)

        def decorator(view: Any) -> Any:
            refusals = [(401, "No valid token or session."),
                        (403, "The caller's role may not do this.")]
            if "<" in rule:
                refusals.append((404, "No such row (or an id out of range)."))
            for code, description in refusals:
                view = self.alt_response(code, schema=ErrorSchema,
                                         description=description)(view)
            return register(view)

        return decorator


def fail(code: int, message: str, **details: Any) -> NoReturn:
    """End the request with the API's error body (``errors`` for field details)."""
    abort(code, message=message, **details)
    raise AssertionError("unreachable")  # abort raises


class InboxApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, but JSON errors only under ``/api/``: the pages
    keep their HTML error pages."""

    def _register_error_handlers(self) -> None:
        self._app.register_error_handler(HTTPException, self._handle)

    def _handle(self, error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            payload, code, headers = self.handle_http_exception(error)
            payload.setdefault("message", error.description or error.name)
            # Keep the exception's own headers (a 405's Allow, which RFC 9110
            # requires); the body is JSON, not its HTML.
            own = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
            return payload, code, {**own, **(headers or {})}
        return error


def init_api(app: Flask) -> None:
    app.config.update(
        API_TITLE="Claims inbox API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=API_PREFIX,
        OPENAPI_JSON_PATH="openapi.json",
        # No Swagger/ReDoc pages: they load scripts from a CDN.
        API_SPEC_OPTIONS={
            "info": {"description": (
                "The representatives' workspace over HTTP. Authenticate with a personal "
                "token (`inbox token create EMAIL`) sent as `Authorization: Bearer <token>`; "
                "the token acts with its user's role. Lists are paginated with `page` and "
                "`per_page` (at most 100)."
            )},
            "components": {"securitySchemes": {
                "token": {"type": "http", "scheme": "bearer",
                          "description": "A personal API token (ibx_...)."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The browser's signed-in session (writes also "
                                           "need the X-CSRFToken header)."},
            }},
            "security": [{"token": []}, {"session": []}],
        },
    )
    api = InboxApi(app)
    from inbox.api import claims, customers, dashboard, search, threads

    blueprints = [module.blp for module in (threads, customers, claims, search, dashboard)]
    for blueprint in blueprints:
        api.register_blueprint(blueprint, url_prefix=API_PREFIX)
    _authenticate_tokens(app, [b.name for b in blueprints])


def _authenticate_tokens(app: Flask, blueprints: list[str]) -> None:
    from inbox.web.auth import SignedIn, csrf, login_manager

    @login_manager.request_loader
    def _from_token(req: Any) -> SignedIn | None:
        header = req.headers.get("Authorization", "")
        if not req.path.startswith("/api/") or not header.startswith(TOKEN_SCHEME):
            return None
        from inbox.web import db_session
        from inbox.workspace.tokens import user_for_token

        user = user_for_token(db_session(), header[len(TOKEN_SCHEME):].strip(),
                              datetime.now(UTC))
        if user is None:
            return None
        g.api_token = True
        return SignedIn(user)

    for name in blueprints:
        csrf.exempt(app.blueprints[name])

    @app.before_request
    def _csrf_for_sessions() -> None:
        # Writes through the API with the browser's session need the CSRF
        # token as forms do; writes with a token do not.
        # current_user first: loading it is what reads a token (and sets
        # g.api_token); on a URL with no view (a 404 or 405) nothing has yet.
        if request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
            from flask_login import current_user

            if current_user.is_authenticated and not g.get("api_token"):
                csrf.protect()
