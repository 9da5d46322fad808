"""Batch-scan separators: the mail room scans a pile of letters as one file
with a separator sheet between them, a barcode (Paperless-ngx's convention:
Code 128 or QR reading ``PATCHT``) or a blank page. zxing-cpp reads the
barcodes; only pages that are nearly empty are looked at, since a separator
sheet carries little else.
"""

from __future__ import annotations

from PIL import Image

# A separator sheet is mostly paper; a page of text has far more ink.
SEPARATOR_MAX_INK = 0.06


def barcode_texts(image: Image.Image, dpi: int = 300) -> list[str]:
    """Texts of the barcodes on the page (at ~150 dpi, enough for a sheet
    printed to be found)."""
    import zxingcpp

    factor = max(1, round(dpi / 150))
    small = image.reduce(factor) if factor > 1 else image
    return [r.text for r in zxingcpp.read_barcodes(small) if r.valid and r.text]


def ink_share(image: Image.Image, dpi: int = 300) -> float:
    """Share of dark pixels on a quarter-size thumbnail (noise averages away)."""
    factor = 4 if dpi >= 200 else 2
    thumb = image.reduce(factor)
    dark = thumb.point(lambda v: 255 if v < 128 else 0)
    mean = dark.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))
    return float(mean) / 255  # type: ignore[arg-type]


def is_separator(image: Image.Image, dpi: int, barcode: str) -> bool:
    """True when the page carries the separator barcode."""
    if not barcode or ink_share(image, dpi) > SEPARATOR_MAX_INK:
        return False
    wanted = barcode.strip().casefold()
    return any(text.strip().casefold() == wanted for text in barcode_texts(image, dpi))


def split_pages(kinds: list[str], *, split_on_blank: bool) -> list[list[int]]:
    """Group page indexes into letters. ``kinds`` per page: ``separator``,
    ``blank`` or ``text``. Separator pages are dropped; blank pages split the
    file when ``split_on_blank`` and are dropped either way. A file of blank
    pages only gives no letters."""
    letters: list[list[int]] = []
    current: list[int] = []
    for index, kind in enumerate(kinds):
        if kind == "separator" or (kind == "blank" and split_on_blank):
            if current:
                letters.append(current)
            current = []
        elif kind == "text":
            current.append(index)
    if current:
        letters.append(current)
    return letters
