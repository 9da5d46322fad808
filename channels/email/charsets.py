"""Bytes to text for mail, in the charsets Python knows and the wrong ones
found in practice.

* Declared names are resolved through Python's codec registry, a table of
  aliases seen in real mail (``ks_c_5601-1987``, ``iso-8859-8-i``, ``x-sjis``…)
  and a few patterns for garbled names (``windows-1252x``, ``cp-1250``).
* Labels are widened to the superset that senders really use, as browsers do
  (WHATWG Encoding): latin-1/us-ascii -> cp1252, gb2312 -> gb18030,
  shift_jis -> cp932, big5 -> big5hkscs, euc-kr -> cp949.
* Single-byte labels on bytes that are valid UTF-8 with non-ASCII content are
  read as UTF-8: the common "latin-1 declared, UTF-8 sent" mistake. Genuine
  single-byte text is practically never valid UTF-8.
* Undeclared or unknown charsets: UTF-8 if valid, else the best of a few
  European single-byte codecs scored on the letters of the languages we serve
  (general detectors confuse cp1252/cp1250/iso-8859-2 on short texts), else
  ``charset_normalizer`` for the rest (CJK, Cyrillic), else cp1252.

Every fallback is reported as a short note in the caller's ``defects`` list.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

# Labels that carry no information: decode as if undeclared.
_MEANINGLESS = frozenset({
    "", "unknown", "x-unknown", "unknown-8bit", "x-user-defined", "8bit", "binary",
    "default", "charset", "none", "null", "us-ascii-8bit", "x-binaryenc", "_autodetect_all",
    "auto",
})

# Names Python does not know, or knows as a subset of what senders really use.
_ALIASES = {
    "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "iso_8859-1": "cp1252", "8859-1": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254",
    "iso-8859-11": "cp874", "tis-620": "cp874", "windows-874": "cp874",
    "ks_c_5601-1987": "cp949", "ks_c_5601": "cp949", "ksc5601": "cp949", "euc-kr": "cp949",
    "x-windows-949": "cp949", "korean": "cp949",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "euc-cn": "gb18030", "gb_2312-80": "gb18030", "x-euc-cn": "gb18030", "chinese": "gb18030",
    "big5": "big5hkscs", "x-big5": "big5hkscs", "big-5": "big5hkscs", "cn-big5": "big5hkscs",
    "shift_jis": "cp932", "shift-jis": "cp932", "x-sjis": "cp932", "sjis": "cp932",
    "ms_kanji": "cp932", "windows-31j": "cp932", "x-ms-cp932": "cp932",
    "x-euc-jp": "euc_jp", "iso-8859-8-i": "iso8859_8", "iso-8859-8-e": "iso8859_8",
    "iso-8859-6-i": "iso8859_6", "iso-8859-6-e": "iso8859_6", "logical": "iso8859_8",
    "visual": "iso8859_8", "x-mac-roman": "mac_roman", "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-greek": "mac_greek", "x-mac-ce": "mac_latin2", "x-mac-turkish": "mac_turkish",
    "latin-9": "iso8859_15", "latin9": "iso8859_15", "iso-8859-15": "iso8859_15",
    "euc_kr": "cp949", "iso8859-9": "cp1254", "iso8859-11": "cp874",
    "x-cp1250": "cp1250", "x-cp1251": "cp1251", "utf8": "utf-8", "utf-8": "utf-8",
    "x-utf-8": "utf-8", "utf_8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_GARBLED = (
    (re.compile(r"^(?:x-)?(?:windows|win|cp|ms|ansi)[-_ ]?(\d{3,5})"), "cp{}"),
    (re.compile(r"^(?:x-)?(?:iso)?[-_ ]?8859[-_ ]?(\d{1,2})"), "iso8859_{}"),
    (re.compile(r"^(?:x-)?utf[-_ ]?8"), "utf-8"),
    (re.compile(r"^(?:x-)?koi8[-_ ]?([ru])"), "koi8_{}"),
)
# Codecs whose ASCII bytes do not mean ASCII (stateful or 16/32-bit).
_ASCII_UNSAFE = ("utf-16", "utf-32", "utf-7", "iso2022", "hz")

_MIN_DETECT = 32  # a general detector is no better than a guess on fewer bytes
_SAMPLE = 64 * 1024  # enough to choose a codec for the whole text
# Undeclared 8-bit text: candidates tried in this order (ties go to the first).
_GUESSES = ("cp1252", "cp1250", "iso8859_2", "cp1253", "iso8859_7", "cp1251")
# Letters and punctuation of the languages we serve (de, sv, cs, el; en and id
# are ASCII) score; other letters a little less; symbols and controls count
# against a candidate.
_LIKELY = frozenset(
    "äöüßÄÖÜåÅéÉáÁčČďĎěĚíÍňŇóÓřŘšŠťŤúÚůŮýÝžŽ"
    "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρστυφχψωςάέήίόύώΆΈΉΊΌΎΏϊϋΐΰ"
    "€„“”‚‘’–—…«»°§·\u00a0"
)


@lru_cache(maxsize=512)
def resolve_charset(label: str | None) -> tuple[str | None, str | None]:
    """(codec name or None when unknown/undeclared, note for the defects list)."""
    name = (label or "").strip().strip("\"'").strip().lower()
    if name in _MEANINGLESS:
        note = f"unknown charset {name!r}" if name else None
        return None, note
    if name in _ALIASES:
        return _ALIASES[name], None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        pass
    else:
        return _ALIASES.get(codec, codec), None
    for pattern, template in _GARBLED:
        found = pattern.match(name)
        if found:
            guess = template.format(*found.groups())
            try:
                codec = codecs.lookup(guess).name
            except LookupError:
                continue
            codec = _ALIASES.get(codec, codec)
            return codec, f"charset {name!r} read as {codec}"
    return None, f"unknown charset {name!r}"


@lru_cache(maxsize=128)
def _single_byte(codec: str) -> bool:
    return len(bytes(range(256)).decode(codec, "replace")) == 256


def decode_bytes(
    data: bytes, label: str | None, defects: list[str], *, hint: str | None = None
) -> str:
    """Decode ``data`` declared as ``label``; ``hint`` is a charset to try first
    when the label is missing (e.g. the body's charset for an 8-bit header)."""
    codec, note = resolve_charset(label)
    if codec is not None and codec.startswith(_ASCII_UNSAFE):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            defects.append(f"invalid {codec} data")
            return data.decode(codec, "replace")
    if data.isascii():
        return data.decode("ascii")
    if note:
        defects.append(note)
    if codec is None:
        return _undeclared(data, defects, hint)
    if codec == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            text, used = _guess(data, hint)
            defects.append(f"invalid utf-8 read as {used}")
            return text
    if _single_byte(codec):
        if _valid_utf8(data):
            defects.append(f"{_printable(label)} declared, utf-8 sent")
            return data.decode("utf-8")
        return data.decode(codec, "replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if _valid_utf8(data):
            defects.append(f"{_printable(label)} declared, utf-8 sent")
            return data.decode("utf-8")
        defects.append(f"invalid {codec} data")
        return data.decode(codec, "replace")


def decode_8bit(data: bytes, defects: list[str], hint: str | None = None) -> str:
    """Undeclared bytes (a raw 8-bit header, a filename): UTF-8, else guessed."""
    if data.isascii():
        return data.decode("ascii")
    return _undeclared(data, defects, hint, header=True)


def _undeclared(data: bytes, defects: list[str], hint: str | None, *, header: bool = False) -> str:
    if _valid_utf8(data):
        return data.decode("utf-8")
    text, used = _guess(data, hint, detect=not header)
    defects.append(f"8-bit read as {used}" if header else f"undeclared 8-bit text read as {used}")
    return text


def _printable(label: str | None) -> str:
    return (label or "").encode("ascii", "replace").decode("ascii")


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _guess(data: bytes, hint: str | None, *, detect: bool = True) -> tuple[str, str]:
    """Best decoding of non-UTF-8 bytes: (text, codec used)."""
    candidates: list[str] = []
    hinted, _ = resolve_charset(hint) if hint else (None, None)
    if hinted and hinted != "utf-8" and not hinted.startswith(_ASCII_UNSAFE):
        candidates.append(hinted)
    candidates += [c for c in _GUESSES if c not in candidates]
    sample = data[:_SAMPLE]
    best: tuple[int, str] | None = None
    for codec in candidates:
        try:
            score = _score(sample.decode(codec))
        except UnicodeDecodeError:
            continue
        if best is None or score > best[0]:
            best = (score, codec)
    if best is not None and best[0] > 0:
        return data.decode(best[1], "replace"), best[1]
    detected = _detect(data) if detect and len(data) >= _MIN_DETECT else None
    if detected is not None:
        return detected
    codec = best[1] if best is not None else "cp1252"
    return data.decode(codec, "replace"), codec


def _score(text: str) -> int:
    score = 0
    for char in text:
        if char.isascii():
            continue
        if char in _LIKELY:
            score += 2
        elif char.isalpha():
            score -= 1
        else:
            score -= 4
    return score


def _detect(data: bytes) -> tuple[str, str] | None:
    """Last resort for scripts outside our languages (CJK, Cyrillic...)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: without it, the single-byte guess stands
        return None
    match = from_bytes(data).best()
    if match is None or match.encoding.startswith(("utf_16", "utf_32")):
        return None  # without a BOM these are noise on mail bytes
    return str(match), match.encoding
