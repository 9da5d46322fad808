#!/usr/bin/env python3
"""Extract the customer portal's texts into templates/portal/locale/messages.pot
and merge them into each language's .po (Babel; run from the repository root):

    .venv/bin/python scripts/portal-messages.py

New texts appear untranslated in every .po (translate them: the unit test
tests/unit/test_portal_i18n.py fails until every language has every text).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inbox.portal.i18n import DEFAULT, LANGUAGES, LOCALE_DIR, extract_ids  # noqa: E402


def main() -> None:
    template = Catalog(project="claims-inbox portal", fuzzy=False)
    for msgid, locations in extract_ids(ROOT).items():
        template.add(msgid, locations=locations)
    with (LOCALE_DIR / "messages.pot").open("wb") as out:
        write_po(out, template, width=100, sort_output=True)
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        path = LOCALE_DIR / f"{language}.po"
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language)
        else:
            catalog = Catalog(locale=language, project="claims-inbox portal")
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as out:
            write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True)
        missing = [m.id for m in catalog if m.id and not m.string]
        print(f"{language}: {len(missing)} untranslated")


if __name__ == "__main__":
    main()
