"""Language detection limited to the languages we serve (lingua, offline).

Restricting the candidates matters: with all 75 languages lingua reads Czech as
Slovak; with our six it is near perfect even on short texts (FIELD-NOTES.md).
The detector is built on first use, not at import.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_LINGUA_NAMES = {
    "en": "ENGLISH",
    "de": "GERMAN",
    "el": "GREEK",
    "cs": "CZECH",
    "sv": "SWEDISH",
    "id": "INDONESIAN",
}
_LETTER_RE = re.compile(r"[^\W\d_]")
MIN_LETTERS = 12
# lingua's cost grows with the text; a few sentences decide the language.
SAMPLE_CHARS = 300


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...], low_accuracy: bool = False) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    chosen = [getattr(Language, _LINGUA_NAMES[code]) for code in languages]
    builder = LanguageDetectorBuilder.from_languages(*chosen)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_minimum_relative_distance(0.05).build()


def detect_language(text: str, languages: tuple[str, ...], *,
                    low_accuracy: bool = False) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short or unclear.
    ``low_accuracy``: trigram models only (0.1 s to load instead of 1.7 s;
    enough for a line or two among six distinct languages: the OCR workers)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if len(_LETTER_RE.findall(sample)) < MIN_LETTERS:
        return None
    if len(languages) == 1:
        return languages[0]
    found = _detector(tuple(sorted(languages)), low_accuracy).detect_language_of(sample)
    if found is None:
        return None
    return str(found.iso_code_639_1.name).lower()
