"""``[letters]`` table: scanned letters in, printed letters out.

```toml
[letters]
drop_folders = ["/srv/scans/claims"]   # watched by the scheduled job
tessdata = "/usr/share/tesseract-ocr/5/tessdata"
ocr_workers = 0                 # processes; 0 = one per core
ocr_timeout_seconds = 120       # per page
deskew_min_degrees = 1.0        # straighten pages skewed at least this much
separator_barcode = "PATCHT"    # a sheet with this barcode splits a batch scan
split_on_blank_pages = false    # true: a blank page splits too (simplex scans)
settle_seconds = 5              # a file is taken once unchanged this long
review_min_confidence = 70      # OCR confidence below this: a person checks
max_file_mb = 100
print_dir = ""                  # also write printable replies here

[letters.letterhead]
company = "Example Insurance plc"
address_lines = ["1 Example Street", "London EC1A 1AA"]
phone = "+44 20 7946 0000"
email = "claims@insurer.example"
website = ""
footer = ""
logo_path = ""
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_KEYS = {"drop_folders", "tessdata", "ocr_workers", "ocr_timeout_seconds",
         "deskew_min_degrees", "separator_barcode", "split_on_blank_pages",
         "settle_seconds", "review_min_confidence", "max_file_mb", "print_dir", "letterhead"}
_LETTERHEAD_KEYS = {"company", "address_lines", "phone", "email", "website", "footer",
                    "logo_path"}


class LettersConfigError(ValueError):
    """A ``[letters]`` setting is wrong; the message starts with the key."""


@dataclass(frozen=True)
class LetterheadSettings:
    company: str = "Claims Inbox Insurance"
    address_lines: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""
    footer: str = ""
    logo_path: str = ""


@dataclass(frozen=True)
class LettersSettings:
    drop_folders: tuple[str, ...] = ()
    tessdata: str = "/usr/share/tesseract-ocr/5/tessdata"
    ocr_workers: int = 0
    ocr_timeout_seconds: float = 120.0
    deskew_min_degrees: float = 1.0
    separator_barcode: str = "PATCHT"
    split_on_blank_pages: bool = False
    settle_seconds: float = 5.0
    review_min_confidence: float = 70.0
    max_file_mb: float = 100.0
    print_dir: str = ""
    letterhead: LetterheadSettings = field(default_factory=LetterheadSettings)


def parse_letters(raw: Any) -> LettersSettings:
    if raw is None:
        return LettersSettings()
    if not isinstance(raw, dict):
        raise LettersConfigError("letters: must be a table ([letters])")
    for key in raw:
        if key not in _KEYS:
            raise LettersConfigError(f"letters.{key}: unknown setting")
    defaults = LettersSettings()

    def number(key: str, *, minimum: float, integer: bool = False) -> Any:
        value = raw.get(key, getattr(defaults, key))
        if isinstance(value, bool) or not isinstance(value, int | float) or (
                integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            raise LettersConfigError(f"letters.{key}: must be {kind}")
        if value < minimum:
            raise LettersConfigError(f"letters.{key}: must be at least {minimum:g}")
        return value

    def text(key: str) -> str:
        value = raw.get(key, getattr(defaults, key))
        if not isinstance(value, str):
            raise LettersConfigError(f"letters.{key}: must be a string")
        return value.strip()

    folders = raw.get("drop_folders", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) and f.strip()
                                                for f in folders):
        raise LettersConfigError("letters.drop_folders: must be a list of directory paths")
    split = raw.get("split_on_blank_pages", False)
    if not isinstance(split, bool):
        raise LettersConfigError("letters.split_on_blank_pages: must be true or false")
    confidence = number("review_min_confidence", minimum=0)
    if confidence > 100:
        raise LettersConfigError("letters.review_min_confidence: must be 0-100")
    return LettersSettings(
        drop_folders=tuple(f.strip() for f in folders),
        tessdata=text("tessdata"),
        ocr_workers=number("ocr_workers", minimum=0, integer=True),
        ocr_timeout_seconds=float(number("ocr_timeout_seconds", minimum=1)),
        deskew_min_degrees=float(number("deskew_min_degrees", minimum=0)),
        separator_barcode=text("separator_barcode"),
        split_on_blank_pages=split,
        settle_seconds=float(number("settle_seconds", minimum=0)),
        review_min_confidence=float(confidence),
        max_file_mb=float(number("max_file_mb", minimum=0.001)),
        print_dir=text("print_dir"),
        letterhead=_letterhead(raw.get("letterhead")),
    )


def _letterhead(raw: Any) -> LetterheadSettings:
    if raw is None:
        return LetterheadSettings()
    if not isinstance(raw, dict):
        raise LettersConfigError("letters.letterhead: must be a table")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _LETTERHEAD_KEYS:
            raise LettersConfigError(f"letters.letterhead.{key}: unknown setting")
        if key == "address_lines":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise LettersConfigError(
                    "letters.letterhead.address_lines: must be a list of strings")
            values[key] = tuple(v.strip() for v in value if v.strip())
        elif not isinstance(value, str):
            raise LettersConfigError(f"letters.letterhead.{key}: must be a string")
        else:
            values[key] = value.strip()
    return LetterheadSettings(**values)
