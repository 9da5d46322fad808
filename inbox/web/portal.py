"""The customer portal's pages (``/portal``): sign-in by link or code, the
customer's claims and threads, writing in with files, the language.

Customers are not users of the workspace: the blueprint is outside the
reps' permission matrix (:data:`inbox.web.permissions.CUSTOMER_BLUEPRINTS`)
and every page here that shows anything checks the portal session itself
(:func:`_customer`). Forms carry CSRF tokens like every form of the app.
The work is done by :mod:`inbox.portal`; these handlers only read forms and
choose pages.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from claims.models import Customer
from inbox.intake.core import CONFIG_KEY
from inbox.jobs.base import enqueue_after_commit
from inbox.models import PortalSession, Thread
from inbox.portal import i18n, overview, signin
from inbox.portal.i18n import N_
from inbox.portal.submit import NotFound, Submission, SubmitError, submit
from inbox.web import db_session, settings
from inbox.web.auth import limiter

bp = Blueprint("portal", __name__, url_prefix="/portal")
TOKEN_KEY = "portal_token"  # noqa: S105 - the session key, not a secret
LANGUAGE_KEY = "portal_language"
REDEEM_LIMIT = "30 per minute; 300 per hour"


def _now() -> datetime:
    return datetime.now(UTC)


def _secret() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _language() -> str:
    chosen = request.args.get("lang") or session.get(LANGUAGE_KEY)
    if chosen:
        return i18n.pick(chosen)
    live: PortalSession | None = g.get("portal_session")
    if live is not None:
        return i18n.pick(live.language)
    return i18n.pick(request.accept_languages.best_match(list(i18n.LANGUAGES)))


def limit_request_size() -> None:
    """The portal's forms are at most their files and text, and a little room
    for the rest: a bigger body is refused (413) before it is read. Registered
    on the app ahead of the CSRF check, which reads the form (inbox.app)."""
    if request.blueprint == "portal":
        cfg = settings().portal
        request.max_content_length = cfg.max_files * cfg.max_file_bytes + 1024 * 1024


@bp.before_request
def _before() -> None:
    g.portal_session = signin.current_session(db_session(), session.get(TOKEN_KEY), _now())
    if request.args.get("lang"):
        session[LANGUAGE_KEY] = i18n.pick(request.args["lang"])


@bp.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def portal_languages() -> dict[str, str]:
    return i18n.LANGUAGES


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    lang = _language()
    zone = settings().timezone
    return render_template(
        f"portal/{template}", lang=lang, _=i18n.translator(lang),
        show_date=lambda value: i18n.show_date(value, lang, zone),
        show_time=lambda value: i18n.show_time(value, lang, zone),
        show_amount=lambda value: i18n.show_amount(value, lang),
        signed_in=g.get("portal_session") is not None, config_portal=settings().portal,
        channel_names=overview.CHANNEL_NAMES,
        **context), status


def _customer(view: Callable[..., Any]) -> Callable[..., Any]:
    """Only for a signed-in customer; others go to the sign-in page."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        live: PortalSession | None = g.get("portal_session")
        if live is None:
            return redirect(url_for("portal.sign_in"))
        g.customer_id = live.customer_id
        return view(*args, **kwargs)

    return wrapped


# -- signing in -------------------------------------------------------------


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    if request.method == "GET":
        if g.get("portal_session") is not None:
            return redirect(url_for("portal.home"))
        return page("sign_in.html", form={})
    form = {"contact": request.form.get("contact", "")[:320],
            "reference": request.form.get("reference", "")[:64]}
    lang = _language()
    base = settings().portal.public_url or request.url_root.rstrip("/")
    try:
        asked = signin.request_sign_in(
            db_session(), settings(), _secret(), contact=form["contact"],
            reference=form["reference"], client=request.remote_addr or "",
            language=lang, link_base=base, now=_now())
    except signin.SignInError as exc:
        error = (N_("Enter your email address or mobile number.") if str(exc) == "contact"
                 else N_("Enter your policy or claim number."))
        return page("sign_in.html", 400, form=form, error=error)
    except signin.RateLimited:
        return page("sign_in.html", 429, form=form,
                    error=N_("Too many attempts. Please wait a few minutes and try again."))
    from inbox.jobs.portal import send_portal_sign_in

    enqueue_after_commit(db_session(), send_portal_sign_in, asked.sign_in_id)
    if asked.channel == "sms":
        return redirect(url_for("portal.code", public_id=asked.public_id))
    return redirect(url_for("portal.sent"))


@bp.route("/sign-in/sent")
def sent() -> Any:
    return page("sent.html")


@bp.route("/code/<public_id>", methods=["GET", "POST"])
@limiter.limit(REDEEM_LIMIT, methods=["POST"])
def code(public_id: str) -> Any:
    if request.method == "GET":
        return page("code.html", public_id=public_id)
    try:
        done = signin.redeem_code(db_session(), settings(), _secret(), public_id,
                                  request.form.get("code", "")[:32], _now())
    except signin.LinkRefused:
        # The count of wrong codes must be kept: commit, then answer.
        db_session().commit()
        return page("code.html", 400, public_id=public_id,
                    error=N_("That code is not valid. Check it, or ask for a new one."))
    return _signed_in(done)


@bp.route("/link/<token>", methods=["GET", "POST"])
@limiter.limit(REDEEM_LIMIT, methods=["POST"])
def link(token: str) -> Any:
    # Opening the link only shows a button: mail scanners that fetch links
    # must not use up the customer's sign-in.
    if request.method == "GET":
        return page("link.html", token=token)
    try:
        done = signin.redeem_link(db_session(), settings(), _secret(), token, _now())
    except signin.LinkRefused:
        return page("refused.html", 400)
    return _signed_in(done)


def _signed_in(done: signin.SignedIn) -> BaseResponse:
    chosen = session.get(LANGUAGE_KEY)
    session.clear()  # a fresh session: nothing carried over from before sign-in
    session[TOKEN_KEY] = done.token
    session[LANGUAGE_KEY] = chosen or done.language
    return redirect(url_for("portal.home"))


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> BaseResponse:
    signin.sign_out(db_session(), session.pop(TOKEN_KEY, None), _now())
    return redirect(url_for("portal.sign_in"))


@bp.route("/language", methods=["POST"])
def language() -> BaseResponse:
    lang = i18n.pick(request.form.get("language"))
    session[LANGUAGE_KEY] = lang
    live: PortalSession | None = g.get("portal_session")
    if live is not None:
        live.language = lang
    target = request.form.get("next", "")
    if not target.startswith("/portal") or target.startswith("//"):
        target = url_for("portal.home")
    return redirect(target)


# -- the customer's own pages -----------------------------------------------


@bp.route("/")
@_customer
def home() -> Any:
    s = db_session()
    customer = s.get(Customer, g.customer_id)
    return page("home.html", customer=customer, claims=overview.claims_of(s, g.customer_id),
                threads=overview.threads_of(s, g.customer_id))


@bp.route("/threads/<int:thread_id>")
@_customer
def thread(thread_id: int) -> Any:
    s = db_session()
    found = overview.own_thread(s, g.customer_id, thread_id)
    if found is None:
        abort(404)
    return _thread_page(found, 200, submission_id=secrets.token_urlsafe(18))


def _thread_page(found: Thread, status: int, **context: Any) -> Any:
    return page("thread.html", status, thread=found,
                messages=overview.messages_of(db_session(), found), claim=found.claim,
                **context)


@bp.route("/messages/new")
@_customer
def compose() -> Any:
    s = db_session()
    claims = overview.claims_of(s, g.customer_id)
    chosen = request.args.get("claim", "")
    return page("compose.html", claims=claims, chosen=chosen, form={},
                submission_id=secrets.token_urlsafe(18))


@bp.route("/messages", methods=["POST"])
@_customer
def send_new() -> Any:
    return _submit(None)


@bp.route("/threads/<int:thread_id>/messages", methods=["POST"])
@_customer
def send_answer(thread_id: int) -> Any:
    return _submit(thread_id)


def _submit(thread_id: int | None) -> Any:
    s = db_session()
    form = request.form
    files = [(f.filename or "", f.read()) for f in request.files.getlist("files")
             if f.filename]
    sub = Submission(submission_id=form.get("submission_id", ""),
                     text=form.get("text", ""), subject=form.get("subject", "")[:300],
                     claim_number=form.get("claim", "")[:64], thread_id=thread_id, files=files)
    try:
        result = submit(s, settings(), g.customer_id, sub, _now(), language=_language())
    except NotFound:
        abort(404)
    except SubmitError as exc:
        values = {"file": exc.filename, "mb": f"{settings().portal.max_file_mb:g}",
                  "count": settings().portal.max_files}
        if thread_id is not None:
            found = overview.own_thread(s, g.customer_id, thread_id)
            assert found is not None
            return _thread_page(found, 400, submission_id=sub.submission_id,
                                error=exc.reason, error_values=values, text=sub.text)
        return page("compose.html", 400, claims=overview.claims_of(s, g.customer_id),
                    chosen=sub.claim_number, form=form, submission_id=sub.submission_id,
                    error=exc.reason, error_values=values)
    if result.thread_id is None:  # a failed intake, kept for a retry
        return redirect(url_for("portal.home", sent=1))
    return redirect(url_for("portal.thread", thread_id=result.thread_id, sent=1))


@bp.route("/files/<int:attachment_id>")
@_customer
def file(attachment_id: int) -> Any:
    s = db_session()
    found = overview.own_attachment(s, g.customer_id, attachment_id)
    if found is None:
        abort(404)
    blobs = s.info[CONFIG_KEY].blobs
    if not blobs.exists(found.sha256):  # removed (retention, erasure): no 500
        abort(404)
    return send_file(blobs.path(found.sha256), mimetype=found.content_type,
                     as_attachment=True, download_name=found.filename or "file")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc: RequestEntityTooLarge) -> Any:
    cfg = settings().portal
    return page("error.html", 413, message=N_("The files are too large together. Send at most "
                                              "%(count)s files of up to %(mb)s MB each."),
                values={"count": cfg.max_files, "mb": f"{cfg.max_file_mb:g}"})


@bp.errorhandler(404)
def _not_found(_exc: Exception) -> Any:
    return page("error.html", 404, message=N_("This page does not exist."), values={})
