"""Printable letter replies: a rep's reply by letter rendered as an A4 PDF for
the print room.

Layout (``templates/letters/reply.html``): DIN 5008 form B for a window
envelope (DL, C6/5 or C5 with the window on the left). Page 1 carries the
insurer's letterhead top right, the address field 85 mm x 45 mm at 20 mm from
the left and 45 mm from the top edge (a one-line return address at its top, the
recipient below, always within the window's 50-90 mm band), and the information
block (our reference, your reference, date) to its right. The subject, the
body, the closing and the signature flow from there onto page 2 and further;
every page has the letterhead footer and "Page X of Y".

Language: ``PrintableLetter.language`` (ISO 639-1) chooses the labels, the
closing formula and the date format (CLDR "long", through babel). The
*salutation is part of the body*: the rep writes it ("Dear Ms Novak," /
"Vážená paní Nováková,") because it depends on the person, the form of address
and, in Czech and Greek, the vocative case, none of which the system knows.
The closing formula ("Yours sincerely", "Mit freundlichen Grüßen", ...) and the
signature are added by the template, so the body should end before them.

The body is plain text: paragraphs are separated by blank lines, single line
breaks are kept. It is HTML-escaped by Jinja's autoescape, never interpreted.

Rendering is offline: fonts come from fontconfig (DejaVu Sans, which covers
Latin, Greek and Czech), and the URL fetcher handed to WeasyPrint only reads
``file:`` and ``data:`` URLs, so an ``http(s)`` logo in a letterhead is skipped
(WeasyPrint logs a warning) instead of being fetched.

This module does no database or ``inbox`` access: the caller passes the letter
and the letterhead in, and gets PDF bytes back.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from babel.dates import format_date
from markupsafe import Markup

with warnings.catch_warnings():
    # Without the system's libharfbuzz-subset (Debian: libharfbuzz-subset0)
    # WeasyPrint subsets fonts with fontTools, about twice as slow, and warns
    # at import that a future version will need the library. Install it to
    # speed rendering up; until then the warning is not ours to raise.
    warnings.filterwarnings("ignore", message="HarfBuzz-Subset", category=DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

TEMPLATE_NAME = "letters/reply.html"
DEFAULT_LANGUAGE = "en"

# Geometry of the address field (DIN 5008 form B), in mm from the page's
# top-left corner. The template positions the field with the same numbers
# (passed in as ``window``); the check after layout uses them too.
WINDOW_LEFT_MM = 20.0
WINDOW_TOP_MM = 45.0
WINDOW_WIDTH_MM = 85.0
WINDOW_HEIGHT_MM = 45.0
# The first 17.7 mm of the field are the remarks zone (return address, postal
# endorsements); the recipient starts below it unless it needs more room.
REMARKS_ZONE_MM = 17.7
# The recipient lines are never placed above this line (the top of the
# envelope's window, 5 mm below the field's top edge).
RECIPIENT_MIN_TOP_MM = 50.0
RECIPIENT_LINE_HEIGHT_PT = 12.0  # 10 pt text, 1.2 leading (set in the template)
_MM_PER_PT = 25.4 / 72
_CSS_PX_PER_MM = 96 / 25.4

# Every string a letter prints besides what the rep and the letterhead supply.
# One place: add a language here and in SUPPORTED_LANGUAGES together.
STRINGS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "our_reference": "Our reference",
        "your_reference": "Your reference",
        "date": "Date",
        "page": "Page {page} of {pages}",
        "closing": "Yours sincerely",
        "phone": "Phone",
        "email": "Email",
    },
    "de": {
        "our_reference": "Unser Zeichen",
        "your_reference": "Ihr Zeichen",
        "date": "Datum",
        "page": "Seite {page} von {pages}",
        "closing": "Mit freundlichen Grüßen",
        "phone": "Telefon",
        "email": "E-Mail",
    },
    "el": {
        "our_reference": "Αριθμός αναφοράς μας",
        "your_reference": "Αριθμός αναφοράς σας",
        "date": "Ημερομηνία",
        "page": "Σελίδα {page} από {pages}",
        "closing": "Με εκτίμηση",
        "phone": "Τηλ.",
        "email": "Email",
    },
    "cs": {
        "our_reference": "Naše značka",
        "your_reference": "Vaše značka",
        "date": "Datum",
        "page": "Strana {page} z {pages}",
        "closing": "S pozdravem",
        "phone": "Tel.",
        "email": "E-mail",
    },
    "sv": {
        "our_reference": "Vår referens",
        "your_reference": "Er referens",
        "date": "Datum",
        "page": "Sida {page} av {pages}",
        "closing": "Med vänliga hälsningar",
        "phone": "Telefon",
        "email": "E-post",
    },
    "id": {
        "our_reference": "Referensi kami",
        "your_reference": "Referensi Anda",
        "date": "Tanggal",
        "page": "Halaman {page} dari {pages}",
        "closing": "Hormat kami",
        "phone": "Telepon",
        "email": "Email",
    },
}
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(STRINGS)


class LetterLayoutError(ValueError):
    """The letter cannot be printed as laid out (e.g. the recipient's address
    does not fit the envelope window)."""


@dataclass(frozen=True)
class Letterhead:
    """The insurer's letterhead, from configuration."""

    company: str
    address_lines: tuple[str, ...]
    phone: str = ""
    email: str = ""
    website: str = ""
    # Registration, bank details, ...: the small print in every page's footer.
    footer: str = ""
    # A PNG or SVG file: an absolute path, a path relative to the template
    # directory, or a file: URL. Other URLs (http, https) are not fetched.
    logo_path: str | None = None


@dataclass(frozen=True)
class PrintableLetter:
    recipient_name: str
    recipient_address: tuple[str, ...]
    language: str  # ISO 639-1; unsupported -> English
    subject: str
    body: str  # plain text; the rep's salutation is its first line
    date: dt.date
    signature_name: str
    our_reference: str | None = None  # e.g. the claim number
    your_reference: str | None = None
    signature_title: str | None = None


def render_letter_pdf(
    letter: PrintableLetter, letterhead: Letterhead, *, template_dir: Path | str
) -> bytes:
    """Render ``letter`` on ``letterhead`` as A4 PDF bytes.

    ``template_dir`` is the directory holding ``letters/reply.html`` (the
    repository's top-level ``templates``). Raises :class:`LetterLayoutError`
    when the recipient's address does not fit in the envelope window.
    """
    template_dir = Path(template_dir).resolve()
    html = (
        _environment(str(template_dir))
        .get_template(TEMPLATE_NAME)
        .render(_context(letter, letterhead, template_dir))
    )
    document = HTML(
        string=html,
        base_url=template_dir.as_uri() + "/",
        url_fetcher=_OfflineURLFetcher(),
    ).render()
    _check_window(document)
    pdf: bytes = document.write_pdf()
    return pdf


def letter_language(language: str | None) -> str:
    """The supported language ``language`` maps to: ``de-AT`` -> ``de``,
    anything unknown -> English."""
    base = re.split(r"[-_]", (language or "").strip().lower(), maxsplit=1)[0]
    return base if base in STRINGS else DEFAULT_LANGUAGE


def body_paragraphs(body: str) -> list[str]:
    """Plain text -> paragraphs (split at blank lines; line breaks within a
    paragraph are kept and rendered by the template)."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return [para.strip("\n") for para in re.split(r"\n[ \t]*\n", text) if para.strip()]


class _OfflineURLFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher restricted to local resources: ``file:`` (the
    logo) and ``data:``. Anything else raises, which WeasyPrint turns into a
    warning and a missing image, without a network request."""

    ALLOWED_SCHEMES = frozenset({"file", "data"})

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = urlsplit(url).scheme.lower()
        if scheme not in self.ALLOWED_SCHEMES:
            raise ValueError(f"letters render offline; not fetching {url!r}")
        return super().fetch(url, headers)


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(letter: PrintableLetter, letterhead: Letterhead, template_dir: Path) -> dict[str, Any]:
    language = letter_language(letter.language)
    strings = STRINGS[language]
    recipient_lines = [
        line.strip() for line in (letter.recipient_name, *letter.recipient_address) if line.strip()
    ]
    return {
        "language": language,
        "t": strings,
        "page_counter_css": _page_counter_css(strings["page"]),
        "letter": letter,
        "letterhead": letterhead,
        "logo_url": _logo_url(letterhead.logo_path, template_dir),
        "date": format_date(letter.date, format="long", locale=language),
        "paragraphs": body_paragraphs(letter.body),
        "recipient_lines": recipient_lines,
        "return_address": " · ".join(
            part.strip() for part in (letterhead.company, *letterhead.address_lines) if part.strip()
        ),
        "window": {
            "left": WINDOW_LEFT_MM,
            "top": WINDOW_TOP_MM,
            "width": WINDOW_WIDTH_MM,
            "height": WINDOW_HEIGHT_MM,
            "recipient_top": _recipient_top_mm(len(recipient_lines)) - WINDOW_TOP_MM,
        },
    }


def _recipient_top_mm(lines: int) -> float:
    """Where the recipient block starts (mm from the page top): below the
    remarks zone as DIN 5008 wants, or higher when the lines need the room."""
    needed = lines * RECIPIENT_LINE_HEIGHT_PT * _MM_PER_PT
    bottom = WINDOW_TOP_MM + WINDOW_HEIGHT_MM
    return round(
        max(RECIPIENT_MIN_TOP_MM, min(WINDOW_TOP_MM + REMARKS_ZONE_MM, bottom - needed)), 2
    )


def _logo_url(logo_path: str | None, template_dir: Path) -> str | None:
    """A URL WeasyPrint resolves against the template directory (base_url)."""
    if not logo_path:
        return None
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]{1,}:", logo_path):
        return logo_path  # already a URL (file:, data:, or one the fetcher refuses)
    path = Path(logo_path)
    if not path.is_absolute():
        path = template_dir / path
    return path.resolve().as_uri()


def _page_counter_css(label: str) -> Markup:
    """``"Page {page} of {pages}"`` -> a CSS ``content`` value with counters."""
    parts: list[str] = []
    for piece in re.split(r"(\{page\}|\{pages\})", label):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    # Safe: the only text in it went through _css_string (nothing can end the
    # string or the <style> element); HTML-escaping would corrupt the CSS.
    return Markup(" ".join(parts))  # noqa: S704


def _css_string(text: str) -> str:
    """A double-quoted CSS string that cannot end the string or the <style>."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;-_()/" or ord(ch) > 0x7F else f"\\{ord(ch):x} "
        for ch in text
    )
    return f'"{escaped}"'


def _check_window(document: Any) -> None:
    """After layout: the recipient block ends inside the window."""
    anchors = document.pages[0].anchors if document.pages else {}
    if "recipient-end" not in anchors:
        raise LetterLayoutError("the recipient block is missing from page 1")
    # (x, y) in older WeasyPrint, (x1, y1, x2, y2) in newer: CSS px from the top-left.
    end_y = max(anchors["recipient-end"][1::2])
    limit = (WINDOW_TOP_MM + WINDOW_HEIGHT_MM) * _CSS_PX_PER_MM
    if end_y > limit + 0.5:
        raise LetterLayoutError(
            f"the recipient's address does not fit in the envelope window "
            f"(ends {end_y / _CSS_PX_PER_MM:.1f} mm from the top, the window at "
            f"{WINDOW_TOP_MM + WINDOW_HEIGHT_MM:.0f} mm): shorten or merge address lines"
        )
