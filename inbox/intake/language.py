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
MIN_LETTERS = 12
# At least MIN_LETTERS letters, each after any non-letters: stops at the
# twelfth (a findall of every letter cost 10 µs a mail).
_ENOUGH_LETTERS = re.compile(rf"(?:[\W\d_]*[^\W\d_]){{{MIN_LETTERS}}}")
# lingua's cost grows with the text; a sentence or two decide the language
# (200 characters gave the same answers as 300 on the 3,000 bench mails and
# the demo texts, 0.23 instead of 0.32 ms a call).
SAMPLE_CHARS = 200
# From this length on the trigram models alone ("low accuracy") are as good
# (lingua's documentation; here: the same answer on all 2,000 mails of the
# email bench) and cheaper: 0.26 instead of 0.34 ms a call, and 0.1 instead of
# 1.6 s to load. Shorter texts (an SMS, "Thanks, received") get the full models.
LONG_SAMPLE_CHARS = 120


@lru_cache(maxsize=4)
def _detector(languages: tuple[str, ...], low_accuracy: bool = False) -> Any:
    from lingua import Language, LanguageDetectorBuilder

    chosen = [getattr(Language, _LINGUA_NAMES[code]) for code in languages]
    builder = LanguageDetectorBuilder.from_languages(*chosen)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    # Models load when the detector is built, not on its first text: a
    # detector built before forking (inbox worker, the parse pool) is then
    # complete in every child. Lazily, each RQ work horse loaded them again
    # (~2.5 s per SMS job).
    return (builder.with_minimum_relative_distance(0.05)
            .with_preloaded_language_models().build())


def detect_language(text: str, languages: tuple[str, ...], *,
                    low_accuracy: bool = False) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short or unclear.
    ``low_accuracy``: trigram models only even for short texts (enough for a
    line or two among six distinct languages: the OCR workers)."""
    sample = (text or "")[:SAMPLE_CHARS]
    if _ENOUGH_LETTERS.match(sample) is None:
        return None
    if len(languages) == 1:
        return languages[0]
    low_accuracy = low_accuracy or len(sample) >= LONG_SAMPLE_CHARS
    found = _detector(tuple(sorted(languages)), low_accuracy).detect_language_of(sample)
    if found is None:
        return None
    return str(found.iso_code_639_1.name).lower()


def warm_up(languages: tuple[str, ...], *, short_texts: bool = True) -> None:
    """Load the models now (before forking, or while a process starts)
    instead of on the first message: the trigram models always, the full ones
    only with ``short_texts`` (1.6 s; a process that files mostly mail loads
    them on its first short text instead)."""
    if len(languages) < 2:
        return  # nothing to detect
    chosen = tuple(sorted(languages))
    _detector(chosen, True)
    if short_texts:
        _detector(chosen, False)
