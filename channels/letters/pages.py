"""Opening a scan: which kind of file it is, how many pages, each page as an
image (and a PDF page's own text layer when it has one).

PDFs are read with pdfium (pypdfium2: the PDF engine of Chromium), images with
Pillow. Everything that can go wrong with a file the mail room dropped is a
:class:`ScanError` with a reason a person can act on.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

# A scan bigger than this many pixels is refused (Pillow's bomb guard would
# refuse it anyway, with a less helpful message): A3 at 600 dpi is ~70 MP.
MAX_PIXELS = 80_000_000
RENDER_DPI = 300

KINDS = {
    b"%PDF": ("pdf", "application/pdf"),
    b"\x89PNG": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpeg", "image/jpeg"),
    b"II*\x00": ("tiff", "image/tiff"),
    b"MM\x00*": ("tiff", "image/tiff"),
}


class ScanError(Exception):
    """The file cannot be read as a letter (corrupt, encrypted, empty...)."""


@dataclass(frozen=True)
class ScanFile:
    kind: str  # pdf | png | jpeg | tiff
    content_type: str
    pages: int


def sniff(data: bytes | Path) -> tuple[str, str]:
    """(kind, content type) from the first bytes: the file name can lie."""
    head = data[:8] if isinstance(data, bytes) else _head(data)
    # A PDF may have a few bytes of junk before its header.
    if b"%PDF" in head or (isinstance(data, bytes) and b"%PDF-" in data[:1024]):
        return KINDS[b"%PDF"]
    for magic, found in KINDS.items():
        if head.startswith(magic):
            return found
    raise ScanError("not a PDF, TIFF, PNG or JPEG file")


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(1024)


def inspect(path: Path) -> ScanFile:
    """Kind and page count; raises :class:`ScanError` for what we can't read."""
    if path.stat().st_size == 0:
        raise ScanError("the file is empty")
    kind, content_type = sniff(path)
    if kind == "pdf":
        doc = _open_pdf(path)
        try:
            pages = len(doc)
        finally:
            doc.close()
    else:
        with _open_image(path) as img:
            pages = getattr(img, "n_frames", 1)
    if pages == 0:
        raise ScanError("the file has no pages")
    return ScanFile(kind, content_type, pages)


@dataclass
class Page:
    """One page: a greyscale image at ``dpi`` and, for a PDF page with a text
    layer, that text (then OCR is not needed)."""

    image: Image.Image | None
    dpi: int
    text_layer: str = ""


def load_page(path: Path, kind: str, index: int, *, want_image: bool = True,
              min_text_chars: int = 20) -> Page:
    """Page ``index`` (0-based). A PDF page whose text layer has at least
    ``min_text_chars`` letters or digits is returned without rendering."""
    if kind == "pdf":
        return _pdf_page(path, index, want_image=want_image, min_text_chars=min_text_chars)
    with _open_image(path) as img:
        try:
            img.seek(index)
        except EOFError as exc:
            raise ScanError(f"page {index + 1} is missing") from exc
        dpi = _dpi(img)
        try:
            gray = _to_gray(img)
        except (OSError, ValueError) as exc:
            raise ScanError(f"page {index + 1} cannot be decoded: {exc}") from exc
    return Page(gray, dpi)


def _pdf_page(path: Path, index: int, *, want_image: bool, min_text_chars: int) -> Page:
    import pypdfium2 as pdfium

    doc = _open_pdf(path)
    try:
        page = doc[index]
        textpage = page.get_textpage()
        text = textpage.get_text_bounded()
        textpage.close()
        if sum(ch.isalnum() for ch in text) >= min_text_chars:
            return Page(None, RENDER_DPI, text_layer=text.replace("\r\n", "\n"))
        if not want_image:
            return Page(None, RENDER_DPI)
        bitmap = page.render(scale=RENDER_DPI / 72, grayscale=True)
        image = bitmap.to_pil().convert("L")
        page.close()
        return Page(image, RENDER_DPI)
    except pdfium.PdfiumError as exc:
        raise ScanError(f"page {index + 1} cannot be rendered: {exc}") from exc
    finally:
        doc.close()


def _open_pdf(path: Path):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        message = str(exc)
        if "password" in message.lower():
            raise ScanError("the PDF is password-protected") from exc
        raise ScanError(f"the PDF is damaged: {message}") from exc


def _open_image(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
        if img.width * img.height > MAX_PIXELS:
            img.close()
            raise ScanError(f"the image is too large ({img.width}x{img.height} pixels)")
        return img
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ScanError("the image is too large") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ScanError(f"the image cannot be read: {exc}") from exc


def _dpi(img: Image.Image) -> int:
    dpi = img.info.get("dpi")
    try:
        value = round(float(dpi[0])) if dpi else 0
    except (TypeError, ValueError, IndexError):
        value = 0
    return value if 70 <= value <= 1200 else RENDER_DPI


def _to_gray(img: Image.Image) -> Image.Image:
    if img.mode in ("RGBA", "LA", "P"):
        # Transparent parts are paper, not ink.
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        white.alpha_composite(rgba)
        return white.convert("L")
    return img.convert("L")


def page_png(image: Image.Image, width: int = 1200) -> bytes:
    """A page for the browser: PNG, scaled to ``width`` pixels."""
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)),
                             Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=False)
    return out.getvalue()
