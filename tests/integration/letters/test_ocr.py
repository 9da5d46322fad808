"""The OCR engine on its own, with real tesseract: speckled scans are
cleaned, skewed ones straightened, blank pages recognised."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from channels.letters.ocr import OcrEngine, OcrOptions
from inbox.intake.language import detect_language
from tests.letters import scans
from tests.letters.scans import LETTERS_BY_KEY, char_accuracy

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine() -> OcrEngine:
    options = OcrOptions()
    return OcrEngine(options, detect=lambda text: detect_language(
        text, options.languages, low_accuracy=True))


def speckle(page: Image.Image, share: float, seed: int) -> Image.Image:
    """Salt-and-pepper noise like a dirty scanner glass."""
    rng = random.Random(seed)
    noisy = page.copy()
    pixels = noisy.load()
    width, height = noisy.size
    for _ in range(int(width * height * share)):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))
    return noisy


def test_a_speckled_scan_is_cleaned_and_read(engine: OcrEngine) -> None:
    spec = LETTERS_BY_KEY["cs-complaint"]
    page = speckle(scans.render_pages(spec, seed=21, noise=8)[0], 0.03, seed=1)
    result = engine.read(page, 300)
    assert result.cleaned
    assert result.language == "cs"
    assert char_accuracy(spec.text(), result.text, form="NFKC") >= 0.97


def test_a_clean_scan_is_not_filtered(engine: OcrEngine) -> None:
    page = scans.render_pages(LETTERS_BY_KEY["en-claim"], seed=22)[0]
    assert not engine.read(page, 300).cleaned


@pytest.mark.parametrize("angle", [-6.0, 4.0])
def test_a_skewed_scan_is_straightened(engine: OcrEngine, angle: float) -> None:
    spec = LETTERS_BY_KEY["de-claim"]
    page = scans.render_pages(spec, seed=23, rotate=angle)[0]
    result = engine.read(page, 300)
    assert result.deskewed
    assert abs(result.skew + angle) <= 0.5  # rotated back by what it was turned
    assert char_accuracy(spec.text(), result.text, form="NFKC") >= 0.97


def test_a_blank_page_is_blank(engine: OcrEngine) -> None:
    result = engine.read(scans.blank_page(seed=24), 300)
    assert result.method == "blank"
    assert result.text == ""
