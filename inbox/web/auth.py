"""Signing in and out, and the check every request passes.

Passwords are hashed by werkzeug (scrypt); the session cookie is HttpOnly,
SameSite=Lax and, with ``secure_cookies``, Secure; sessions are bound to the
client (Flask-Login's strong protection). Sign-in attempts are rate-limited
per address (Flask-Limiter, on the app's Redis when there is one). Every form
carries a CSRF token (Flask-WTF's CSRFProtect, app-wide; Twilio's webhooks are
exempt and check Twilio's signature instead).
"""

from __future__ import annotations

import secrets
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from inbox.models import User
from inbox.web import db_session
from inbox.web.permissions import (
    CUSTOMER_BLUEPRINTS,
    PUBLIC,
    PUBLIC_BLUEPRINTS,
    allowed,
    permission_of,
)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
LOGIN_LIMIT = "10 per minute; 100 per hour"
class SignedIn(UserMixin):
    """The signed-in user as the web layer sees it (no ORM object kept
    across requests)."""

    def __init__(self, user: User) -> None:
        self.id = user.id
        self.email = user.email
        self.name = user.name or user.email
        self.role = user.role
        self.team = user.team

    def can(self, permission: str) -> bool:
        return allowed(self.role, permission)


class LoginForm(FlaskForm):  # type: ignore[misc]
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=500)])


def init_auth(app: Flask) -> None:
    cfg = app.config["SETTINGS"]
    app.config["SESSION_COOKIE_SECURE"] = cfg.secure_cookies
    app.config["REMEMBER_COOKIE_SECURE"] = cfg.secure_cookies
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # valid for the session's life
    app.config.setdefault("RATELIMIT_STORAGE_URI", cfg.redis_url or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis down: count in memory rather than refuse every sign-in.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "inbox:ratelimit")
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)
    for name in PUBLIC_BLUEPRINTS:
        if name in app.blueprints:
            csrf.exempt(app.blueprints[name])
    app.before_request(_guard)

    @app.context_processor
    def _user() -> dict[str, Any]:
        return {"me": current_user}


@login_manager.user_loader
def _load(user_id: str) -> SignedIn | None:
    user = db_session().get(User, int(user_id))
    return SignedIn(user) if user is not None and user.active else None


def _guard() -> Response | None:
    """Deny by default: public endpoints pass, the rest need a signed-in user
    whose role has the endpoint's permission."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404 follows
    blueprint = endpoint.partition(".")[0]
    if endpoint in PUBLIC or blueprint in PUBLIC_BLUEPRINTS or blueprint in CUSTOMER_BLUEPRINTS:
        return None
    api = request.path.startswith("/api/")
    if not current_user.is_authenticated:
        if api:
            return _json_error(401, "sign in first (a token or a session)")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    permission = permission_of(current_app.view_functions.get(endpoint))
    if permission is None or not current_user.can(permission):
        if api:
            return _json_error(403, f"your role ({current_user.role}) may not do this")
        abort(403)
    return None


def _json_error(status: int, message: str) -> Response:
    """The API's error body (the shape :mod:`inbox.api` documents as Error)."""
    from werkzeug.http import HTTP_STATUS_CODES

    response = jsonify({"code": status, "status": HTTP_STATUS_CODES.get(status, ""),
                        "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="inbox"'
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db_session().scalars(sa.select(User).where(
            sa.func.lower(User.email) == email, User.active.is_(True))).first()
        stored = user.password_hash if user is not None and user.password_hash else _dummy()
        if check_password_hash(stored, form.password.data) and user is not None:
            login_user(SignedIn(user))
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong email address or password.")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> Response:
    logout_user()
    return redirect(url_for("auth.login"))


@cache
def _dummy() -> str:
    """A hash to check against when the address is unknown, so a wrong address
    costs as long as a wrong password (no user enumeration by timing)."""
    return generate_password_hash(secrets.token_hex(16))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no open redirect)."""
    if not target:
        return url_for("views.queue")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("views.queue")
    return target
