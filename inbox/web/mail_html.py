"""A mail's HTML on the thread page: sanitised again as it is shown.

The email adapter stores sanitised HTML (:func:`channels.email.html.sanitize_html`);
it is cleaned once more here (the cleaner is idempotent and fast), so HTML
from any other source, or stored before a sanitiser fix, is never trusted.
Inline images (``cid:``) point at the message's own attachments; a ``cid:``
with no such attachment loses its ``src``. Remote images stay blocked: they
keep only ``data-remote-src`` (the page's Content-Security-Policy would refuse
them anyway).
"""

from __future__ import annotations

import re

from flask import Flask, url_for
from markupsafe import Markup

from channels.email.html import sanitize_html
from inbox.models import Message

_CID_SRC = re.compile(r'\ssrc="cid:([^"]*)"', re.I)


def mail_html(message: Message) -> Markup:
    """The message's HTML, safe to put in the page."""
    if not message.html:
        return Markup("")
    by_cid = {a.content_id.strip("<>").lower(): a.sha256
              for a in message.attachments if a.content_id}

    def inline(match: re.Match[str]) -> str:
        sha256 = by_cid.get(match.group(1).strip("<>").lower())
        if sha256 is None:
            return ""
        return f' src="{url_for("letters.attachment", sha256=sha256)}"'

    return Markup(_CID_SRC.sub(inline, sanitize_html(message.html)))  # noqa: S704 - sanitised


def has_blocked_images(html: str) -> bool:
    return "data-remote-src=" in html


def init_mail_html(app: Flask) -> None:
    app.add_template_filter(mail_html)
    app.add_template_test(has_blocked_images, "with_blocked_images")
