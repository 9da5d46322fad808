"""The portal's texts in the customer's language: gettext catalogs
(``templates/portal/locale/<lang>.po``), read with Babel when first used.

Standard PO files, so translators use their usual tools (Poedit, Weblate);
no compile step: Babel reads the ``.po`` directly. The English text is the
message id; a text a catalog lacks is shown in English. Placeholders are
Python's named ``%(name)s``. ``tests/unit/test_portal_i18n.py`` checks that
every language has every text and the same placeholders.

Dates are written in the language's own way (Babel's CLDR data).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALE_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "portal" / "locale"
LANGUAGES: dict[str, str] = {  # code -> the language's own name, for the switcher
    "en": "English", "de": "Deutsch", "el": "Ελληνικά", "cs": "Čeština",
    "sv": "Svenska", "id": "Bahasa Indonesia",
}
DEFAULT = "en"


@cache
def N_(text: str) -> str:  # noqa: N802 - the gettext convention for "mark, don't translate"
    """Marks ``text`` as a catalog key where it is written (for extraction);
    it is translated where it is shown."""
    return text


@cache
def catalog(language: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{language}.po"
    if language == DEFAULT or not path.exists():
        return {}
    with path.open("rb") as handle:
        po = read_po(handle, locale=language)
    return {str(m.id): str(m.string) for m in po if m.id and m.string and not m.fuzzy}


def pick(language: str | None) -> str:
    """``language`` when the portal speaks it, else English."""
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT


def translate(language: str, text: str, **values: Any) -> str:
    found = catalog(language).get(text, text)
    return found % values if values else found


def translator(language: str) -> Callable[..., str]:
    def _(text: str, **values: Any) -> str:
        return translate(language, text, **values)

    return _


def show_date(value: date | datetime | None, language: str, zone: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(zone)).date()
    return format_date(value, format="long", locale=language)


def show_time(value: datetime | None, language: str, zone: str) -> str:
    if value is None:
        return ""
    return format_datetime(value, format="medium", tzinfo=ZoneInfo(zone), locale=language)


def show_amount(value: Decimal | None, language: str) -> str:
    """An amount with the language's separators (1,200.00 / 1.200,00)."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale=language)


# Where texts are marked: ``_()`` in templates and the portal's Python,
# ``N_()`` for keys written down before they are shown, and ``translate()``.
KEYWORDS = {"_": None, "N_": None, "translate": (2,)}


def extract_ids(root: Path) -> dict[str, list[tuple[str, int]]]:
    """Every text the portal shows, with where it is written (for the .pot
    and the completeness test). The documents a claim may be missing are
    named in :data:`claims.info_requests.DOCUMENTS` (English) and added here."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    from claims.info_requests import DOCUMENTS

    with (LOCALE_DIR / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, list[tuple[str, int]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(root), method_map, options_map, keywords=KEYWORDS):
        text = message if isinstance(message, str) else message[0]
        found.setdefault(text, []).append((filename, lineno))
    for code, text in DOCUMENTS.items():
        found.setdefault(text, []).append(("claims/info_requests.py", 0))
        del code
    return found
