"""Response headers that keep the browser on our side: a Content-Security-Policy
on every page, and a per-request nonce for the few inline scripts a template
may carry.

The policy (:func:`policy`):

* everything (scripts, styles, images, fonts, fetches, frames, media) from our
  own origin only: a customer's mail cannot make the browser fetch anything
  from elsewhere, even if a sanitiser bug let a tag through;
* scripts: our static files (``inbox/static/``) and inline ``<script>`` blocks
  carrying ``nonce="{{ csp_nonce() }}"``; no inline event handlers, no
  ``javascript:`` URLs, no ``eval``;
* styles: our own plus inline ones. Templates carry page-specific ``<style>``
  blocks and sanitised mail keeps harmless ``style`` attributes (colours,
  fonts); CSS can load nothing from elsewhere (``img-src``, ``font-src`` and
  ``default-src`` say so) and the sanitiser drops ``url()``/``expression()``;
* images: ours and ``data:`` (pasted signatures); remote images in mail stay
  blocked (the sanitiser turns their ``src`` into ``data-remote-src``);
* no plugins (``object-src 'none'``), no ``<base>`` (``base-uri 'none'``), forms
  post only to us, and no other site may frame our pages (click-jacking).

Only HTML responses get the policy: files (attachments, scans) are served
with their own type and ``nosniff``, and only inert types are shown inline.
"""

from __future__ import annotations

import secrets

from flask import Flask, g
from werkzeug.wrappers import Response

NONCE_BYTES = 18


def csp_nonce() -> str:
    """This request's nonce (made on first use)."""
    nonce: str | None = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(NONCE_BYTES)
    return nonce


def policy(nonce: str) -> str:
    return "; ".join((
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ))


def init_security(app: Flask) -> None:
    app.add_template_global(csp_nonce)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html" and "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = policy(csp_nonce())
            headers.setdefault("X-Frame-Options", "DENY")  # frame-ancestors for old browsers
        return response
