"""Message templates and book vocabulary for the demo, one module a language."""

from inbox.demo.texts import czech, english, german, greek, indonesian, swedish
from inbox.demo.texts.pack import EMAIL_KINDS, LETTER_KINDS, SHORT_KINDS, LanguagePack, render

PACKS: dict[str, LanguagePack] = {
    pack.code: pack
    for pack in (english.PACK, german.PACK, greek.PACK, czech.PACK, swedish.PACK,
                 indonesian.PACK)
}
LANGUAGES: tuple[str, ...] = tuple(PACKS)

__all__ = ["EMAIL_KINDS", "LANGUAGES", "LETTER_KINDS", "PACKS", "SHORT_KINDS", "LanguagePack",
           "render"]
