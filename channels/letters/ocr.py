"""Reading a scanned page with tesseract (through tesserocr, one API object per
language and process, fed raw pixels: handing tesserocr a PIL image costs
~2.4 s of PNG encoding per page).

Per page, cheaply and before the real OCR, on a quarter-size thumbnail:

* blank? (ink on the thumbnail, where scanner noise averages away);
* skew, by the projection profile: the angle at which the rows of ink are
  sharpest. The page is rotated upright when the skew is at least
  ``deskew_min_degrees`` (tesseract's single-block mode copes with less);
* noise: the share of lone specks in a sample square; a noisy page gets a
  3x3 median filter (without it tesseract can take minutes on a page);
* language: two body lines are cut out, straightened and read with the
  English model (the Greek one too when that reads badly); the detector
  given by the caller names the
  language, and the page is then read with that language (plus English, for
  identifiers and English words).

tesseract runs with ``OMP_THREAD_LIMIT=1`` (set before tesserocr loads): one
process per core is ~5x faster than its own threads on two cores.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import math
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from PIL import Image, ImageChops, ImageFilter

TESSERACT_CODES = {"en": "eng", "de": "deu", "el": "ell", "cs": "ces", "sv": "swe", "id": "ind"}
DEFAULT_TESSDATA = "/usr/share/tesseract-ocr/5/tessdata"
# Below this mean confidence the English model's reading of the language band
# is tried again with the Greek one.
GREEK_RETRY_CONFIDENCE = 75
# Share of the page width read for language detection.
BAND_WIDTH = 0.6


class OcrTimeout(Exception):  # noqa: N818 - reads as the event it is
    """tesseract did not finish the page within the time allowed."""


@dataclass(frozen=True)
class OcrOptions:
    languages: tuple[str, ...] = ("en", "de", "el", "cs", "sv", "id")
    tessdata: str = DEFAULT_TESSDATA
    timeout_seconds: float = 60.0
    deskew_min_degrees: float = 3.0
    # Share of lone specks in the sample square above which a page is cleaned.
    noise_threshold: float = 0.004
    # Share of ink on the thumbnail below which a page counts as blank.
    blank_max_ink: float = 0.002
    detect_lines: int = 2


@dataclass
class Line:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom in page pixels
    confidence: float


@dataclass
class PageText:
    text: str
    method: str  # ocr | text-layer | blank
    confidence: float  # 0-100; 100 for a text layer
    language: str | None = None
    skew: float = 0.0
    deskewed: bool = False
    cleaned: bool = False
    seconds: float = 0.0
    lines: list[Line] = field(default_factory=list)
    width: int = 0
    height: int = 0

    def summary(self) -> dict[str, Any]:
        """What is kept with the message (no line boxes)."""
        return {
            "method": self.method, "confidence": round(self.confidence, 1),
            "language": self.language, "skew": round(self.skew, 2),
            "deskewed": self.deskewed, "cleaned": self.cleaned,
            "seconds": round(self.seconds, 3),
        }


Detector = Callable[[str], "str | None"]


class OcrEngine:
    """One per process: keeps a tesseract API per language string."""

    def __init__(self, options: OcrOptions, detect: Detector | None = None) -> None:
        self.options = options
        self.detect = detect
        self._apis: dict[str, Any] = {}

    # -- tesseract --------------------------------------------------------

    def api(self, lang: str) -> Any:
        found = self._apis.get(lang)
        if found is None:
            import tesserocr

            found = tesserocr.PyTessBaseAPI(
                path=self.options.tessdata.rstrip("/") + "/", lang=lang,
                psm=tesserocr.PSM.SINGLE_BLOCK, oem=tesserocr.OEM.LSTM_ONLY,
            )
            self._apis[lang] = found
        return found

    def close(self) -> None:
        for api in self._apis.values():
            api.End()
        self._apis.clear()

    def tesseract_lang(self, language: str | None) -> str:
        code = TESSERACT_CODES.get(language or "en", "eng")
        return code if code == "eng" else f"{code}+eng"

    def _band_text(self, band: Image.Image, dpi: int) -> str:
        """The band read with the English model, which reads every Latin-script
        language well enough to tell them apart; a Greek band reads as
        low-confidence nonsense and is read again with the Greek model.
        (``eng+ell`` in one pass costs twice as much on Latin pages.)"""
        text, confidence, _ = self._ocr(band, dpi, "eng")
        if "el" in self.options.languages and confidence < GREEK_RETRY_CONFIDENCE:
            greek, greek_confidence, _ = self._ocr(band, dpi, "ell")
            if greek_confidence > confidence:
                return greek
        return text

    # -- a page -----------------------------------------------------------

    def read_text_layer(self, text: str) -> PageText:
        return PageText(text.strip(), "text-layer", 100.0, language=self._detect(text))

    def read(self, image: Image.Image, dpi: int = 300, language: str | None = None) -> PageText:
        """OCR one greyscale page. ``language`` skips detection."""
        started = time.perf_counter()
        image = image if image.mode == "L" else image.convert("L")
        factor = 4 if dpi >= 200 else 2
        thumb = image.reduce(factor)
        threshold = _otsu(thumb)
        ink = thumb.point(lambda v: 255 if v < threshold else 0)
        ink_share = _mean(ink) / 255
        if ink_share < self.options.blank_max_ink:
            return PageText("", "blank", 0.0, seconds=time.perf_counter() - started,
                            width=image.width, height=image.height)

        skew, rows = _skew(ink)
        result = PageText("", "ocr", 0.0, skew=skew, width=image.width, height=image.height)
        if _noisy(image, threshold, self.options.noise_threshold):
            image = image.filter(ImageFilter.MedianFilter(3))
            result.cleaned = True
        if abs(skew) >= self.options.deskew_min_degrees:
            image = image.rotate(skew, resample=Image.Resampling.NEAREST, fillcolor=255)
            result.deskewed = True

        if language is None and self.detect is not None and len(self.options.languages) > 1:
            band = _band(image, rows, factor, 0.0 if result.deskewed else skew,
                         self.options.detect_lines)
            if band is not None:
                language = self._detect(self._band_text(band, dpi))
        result.language = language or (self.options.languages[0]
                                        if self.options.languages else None)
        text, confidence, lines = self._ocr(image, dpi, self.tesseract_lang(result.language),
                                            with_lines=True)
        result.text, result.confidence, result.lines = text, confidence, lines
        result.seconds = time.perf_counter() - started
        return result

    def _detect(self, text: str) -> str | None:
        if self.detect is None or not text.strip():
            return None
        return self.detect(text)

    def _ocr(self, image: Image.Image, dpi: int, lang: str, *,
             with_lines: bool = False) -> tuple[str, float, list[Line]]:
        api = self.api(lang)
        api.SetImageBytes(image.tobytes(), image.width, image.height, 1, image.width)
        api.SetSourceResolution(dpi)
        timeout_ms = int(self.options.timeout_seconds * 1000)
        if not api.Recognize(timeout_ms):
            api.Clear()
            raise OcrTimeout(f"OCR took longer than {self.options.timeout_seconds:g} s")
        # NFKC: tesseract's Greek model writes µ (micro sign) for μ, and so on.
        text = unicodedata.normalize("NFKC", api.GetUTF8Text())
        confidence = float(api.MeanTextConf())
        lines = _lines(api) if with_lines else []
        api.Clear()
        return text.strip(), confidence, lines


def _lines(api: Any) -> list[Line]:
    import tesserocr

    found: list[Line] = []
    level = tesserocr.RIL.TEXTLINE
    iterator = api.GetIterator()
    if iterator is None:
        return found
    for item in tesserocr.iterate_level(iterator, level):
        text = item.GetUTF8Text(level)
        box = item.BoundingBox(level)
        if text and text.strip() and box:
            found.append(Line(unicodedata.normalize("NFKC", text.strip()), tuple(box),
                              float(item.Confidence(level))))
    return found


# -- cheap image measures -------------------------------------------------


def _mean(image: Image.Image) -> float:
    # A 1x1 box resize is the mean, computed in C.
    return float(image.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0)))  # type: ignore[arg-type]


def _otsu(image: Image.Image) -> int:
    """The grey level that best splits ink from paper (Otsu's method)."""
    hist = image.histogram()[:256]
    total = sum(hist)
    weighted = sum(i * h for i, h in enumerate(hist))
    best, best_t, w0, sum0 = -1.0, 128, 0, 0.0
    for t, count in enumerate(hist):
        w0 += count
        if w0 == 0:
            continue
        w1 = total - w0
        if w1 == 0:
            break
        sum0 += t * count
        m0, m1 = sum0 / w0, (weighted - sum0) / w1
        between = w0 * w1 * (m0 - m1) ** 2
        if between > best:
            best, best_t = between, t
    # Paper that is nearly all white has no real second class.
    return min(best_t + 1, 200)


def _profile(ink: Image.Image, angle: float) -> list[int]:
    rotated = ink.rotate(angle, resample=Image.Resampling.NEAREST, fillcolor=0) if angle else ink
    column = rotated.resize((1, rotated.height), Image.Resampling.BOX)
    return list(column.tobytes())


def _sharpness(profile: list[int]) -> float:
    # Sum of squared differences between neighbouring rows: highest when the
    # rows of text and the gaps between them are cleanly separated.
    return float(sum((a - b) ** 2 for a, b in pairwise(profile)))


def _skew(ink: Image.Image, limit: int = 8) -> tuple[float, list[int]]:
    """The skew in degrees (rotate by it to straighten) and the row profile at
    that angle: coarse search in 1° steps on a half-size copy, then 0.25°
    steps around the best on the thumbnail itself."""
    small = ink.reduce(2)
    coarse = max((float(a) for a in range(-limit, limit + 1)),
                 key=lambda a: _sharpness(_profile(small, a)))
    scores: dict[float, tuple[float, list[int]]] = {}
    for angle in (coarse + d / 4 for d in (-3, -2, -1, 0, 1, 2, 3)):
        profile = _profile(ink, angle)
        scores[angle] = (_sharpness(profile), profile)
    fine = max(scores, key=lambda a: scores[a][0])
    return fine, scores[fine][1]


def _noisy(image: Image.Image, threshold: int, limit: float) -> bool:
    """Lone dark specks in a 400 px square from the page's middle."""
    w, h = image.size
    side = min(400, w, h)
    left, top = (w - side) // 2, (h - side) // 2
    sample = image.crop((left, top, left + side, top + side))
    ink = sample.point(lambda v: 255 if v < threshold else 0)
    specks = ImageChops.subtract(ink, ink.filter(ImageFilter.MedianFilter(3)))
    return _mean(specks) / 255 > limit


def _band(image: Image.Image, rows: list[int], factor: int, skew: float,
          count: int) -> Image.Image | None:
    """``count`` text lines from the body of the page, cut out and
    straightened, for language detection; None when no lines are found."""
    lines = _text_rows(rows)
    if not lines:
        return None
    # The middle of the page: past the letterhead, addresses, date and
    # subject (names and numbers say little about the language), in the body.
    start = min(len(lines) - 1, len(lines) // 2)
    chosen = lines[start:start + count]
    pad = 2
    # The left part of the lines is enough words for the detector.
    width = int(image.width * BAND_WIDTH)
    top, bottom = (chosen[0][0] - pad) * factor, (chosen[-1][1] + pad) * factor
    if not skew:
        return image.crop((0, max(0, top), width, min(image.height, bottom)))
    drift = int(image.width / 2 * math.tan(math.radians(abs(skew)))) + 4 * factor
    strip_top = max(0, top - drift)
    strip = image.crop((0, strip_top, image.width, min(image.height, bottom + drift)))
    # Rotate about the page centre, as the thumbnail was, so rows line up.
    upright = strip.rotate(skew, resample=Image.Resampling.NEAREST, fillcolor=255,
                           center=(image.width / 2, image.height / 2 - strip_top))
    return upright.crop((0, top - strip_top, width, bottom - strip_top))


def _text_rows(profile: list[int], min_height: int = 3) -> list[tuple[int, int]]:
    """(top, bottom) of the runs of rows that hold ink."""
    if not profile:
        return []
    floor = max(profile) * 0.08
    runs: list[tuple[int, int]] = []
    start = None
    for y, value in enumerate([*profile, 0]):
        if value > floor and start is None:
            start = y
        elif value <= floor and start is not None:
            if y - start >= min_height:
                runs.append((start, y))
            start = None
    return runs
