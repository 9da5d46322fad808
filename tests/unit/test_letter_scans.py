"""The scanned-letter generator in tests/letters/scans.py."""

from __future__ import annotations

import dataclasses
import random
import re
from collections import Counter
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageStat, UnidentifiedImageError

from tests.letters import scans
from tests.letters.scans import (
    LETTERS,
    LetterSpec,
    blank_page,
    char_accuracy,
    corrupt_file,
    layout_pages,
    page_size,
    render_pages,
    save_encrypted_pdf,
    save_jpeg,
    save_pdf,
    save_png,
    save_text_pdf,
    save_tiff,
    separator_page,
    skew_angle,
    wrap,
)

CLAIM = re.compile(r"\bCLM-\d{4}-\d{6}\b")
POLICY = re.compile(r"\bPOL-\d{6}\b")
PREFIXES = {
    "en": ("Subject:", "Re:"),
    "de": ("Betreff:",),
    "el": ("Θέμα:",),
    "cs": ("Věc:",),
    "sv": ("Ärende:",),
    "id": ("Perihal:", "Hal:"),
}
LOW_DPI = 72  # multi-page file tests do not need full resolution


def _long(spec: LetterSpec) -> LetterSpec:
    return dataclasses.replace(spec, body=spec.body * 6)


@pytest.fixture(scope="module")
def de_claim_pages() -> list[Image.Image]:
    return render_pages(LETTERS[2], seed=0)


# --------------------------------------------------------------------------- catalogue


def test_catalogue_covers_every_language_twice() -> None:
    counts = Counter(spec.language for spec in LETTERS)
    assert set(counts) == set(PREFIXES)
    assert min(counts.values()) >= 2
    assert len({spec.key for spec in LETTERS}) == len(LETTERS)
    assert len({spec.sender_name for spec in LETTERS}) == len(LETTERS)


def test_identifiers_are_well_formed_unique_and_printed() -> None:
    numbers: list[str] = []
    for spec in LETTERS:
        printed = " ".join([spec.subject, *spec.body])
        for number, pattern in ((spec.policy_number, POLICY), (spec.claim_number, CLAIM)):
            if number is not None:
                assert pattern.fullmatch(number), spec.key
                assert number in printed, spec.key
                numbers.append(number)
        assert set(CLAIM.findall(printed)) == {spec.claim_number} - {None}, spec.key
        assert set(POLICY.findall(printed)) == {spec.policy_number} - {None}, spec.key
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("language", sorted(PREFIXES))
def test_each_language_has_a_claim_letter_and_a_policy_only_letter(language: str) -> None:
    specs = [spec for spec in LETTERS if spec.language == language]
    assert any(spec.policy_number and spec.claim_number for spec in specs)
    assert any(spec.policy_number and not spec.claim_number for spec in specs)


@pytest.mark.parametrize("spec", LETTERS, ids=lambda spec: spec.key)
def test_letter_shape(spec: LetterSpec) -> None:
    assert spec.subject.startswith(PREFIXES[spec.language])
    assert 40 <= spec.word_count() <= 90
    assert str(spec.date.year) in spec.place_and_date
    assert spec.sender_name not in spec.address_lines
    lines = spec.lines()
    assert lines[0] == spec.sender_name
    assert lines[1 : 1 + len(spec.address_lines)] == spec.address_lines
    assert lines[-2:] == [spec.closing, spec.sender_name]
    assert " ".join(spec.text().split()) == " ".join(
        [
            spec.sender_name,
            *spec.address_lines,
            spec.place_and_date,
            spec.subject,
            " ".join(spec.body),
            spec.closing,
            spec.sender_name,
        ]
    )


@pytest.mark.parametrize("spec", LETTERS, ids=lambda spec: spec.key)
def test_lines_fit_between_the_margins(spec: LetterSpec) -> None:
    font = scans._font(300)
    width = scans._text_width_px(300)
    assert all(font.getlength(line) <= width for line in spec.lines())
    assert len(layout_pages(spec)) == 1


def test_wrap_keeps_an_overlong_word_whole() -> None:
    font = scans._font(300)
    assert wrap("a " + "x" * 200 + " b", font, 500) == ["a", "x" * 200, "b"]


# --------------------------------------------------------------------------- rendering


def test_page_is_a4_greyscale_at_300_dpi(de_claim_pages: list[Image.Image]) -> None:
    assert len(de_claim_pages) == 1
    page = de_claim_pages[0]
    assert page.size == (2480, 3508) == page_size()
    assert page.mode == "L"
    assert page.info["dpi"] == (300, 300)
    assert 46 <= scans._font(300).size <= 50


def test_rendering_is_deterministic_per_seed(de_claim_pages: list[Image.Image]) -> None:
    again = render_pages(LETTERS[2], seed=0)
    assert again[0].tobytes() == de_claim_pages[0].tobytes()
    other = render_pages(LETTERS[2], seed=1, dpi=LOW_DPI)
    assert other[0].tobytes() != render_pages(LETTERS[2], seed=2, dpi=LOW_DPI)[0].tobytes()


def test_skew_is_one_to_three_degrees_either_way() -> None:
    angles = [skew_angle(random.Random(seed)) for seed in range(200)]
    assert all(1.0 <= abs(angle) <= 3.0 for angle in angles)
    assert any(angle < 0 for angle in angles)
    assert any(angle > 0 for angle in angles)


def test_page_looks_scanned(de_claim_pages: list[Image.Image]) -> None:
    page = de_claim_pages[0]
    margin = page.crop((0, 0, page.width, 300))  # paper above the address block
    low, high = ImageStat.Stat(margin).extrema[0]
    assert high == 255
    assert low < 230  # sensor noise, not pure white
    assert ImageStat.Stat(margin).mean[0] > 235
    clean = render_pages(LETTERS[2], seed=0, rotate=0, noise=0, blur=0)[0]
    assert ImageStat.Stat(clean.crop((0, 0, clean.width, 300))).extrema[0] == (255, 255)


def test_long_letter_continues_on_a_second_page() -> None:
    spec = _long(LETTERS[0])
    pages = layout_pages(spec)
    assert len(pages) == 2
    assert [line for page in pages for line in page if line] == [
        line for line in spec.lines() if line
    ]
    assert len(render_pages(spec, dpi=LOW_DPI)) == 2


# --------------------------------------------------------------------------- files


def test_png_and_jpeg_keep_size_and_dpi(tmp_path: Path) -> None:
    page = render_pages(LETTERS[4], dpi=LOW_DPI)[0]
    for path in (save_png(page, tmp_path / "p.png"), save_jpeg(page, tmp_path / "p.jpg")):
        with Image.open(path) as image:
            assert image.size == page.size
            assert round(image.info["dpi"][0]) == LOW_DPI


def test_tiff_has_every_page(tmp_path: Path) -> None:
    pages = render_pages(_long(LETTERS[6]), dpi=LOW_DPI)
    path = save_tiff([*pages, blank_page(dpi=LOW_DPI)], tmp_path / "scan.tiff")
    with Image.open(path) as image:
        assert getattr(image, "n_frames", 1) == 3
        assert image.info["compression"] == "tiff_adobe_deflate"
        assert round(image.info["dpi"][0]) == LOW_DPI


def test_image_pdf_has_every_page_and_no_text(tmp_path: Path) -> None:
    pages = render_pages(_long(LETTERS[8]), dpi=LOW_DPI)
    path = save_pdf(pages, tmp_path / "scan.pdf")
    pdf = pdfium.PdfDocument(path)
    try:
        assert len(pdf) == 2
        page = pdf[0]
        width, height = page.get_size()
        assert (round(width), round(height)) == (595, 842)
        assert page.get_textpage().get_text_range().strip() == ""
    finally:
        pdf.close()


@pytest.mark.parametrize("key", ["de-claim", "el-claim"])
def test_text_pdf_has_a_text_layer(tmp_path: Path, key: str) -> None:
    spec = scans.LETTERS_BY_KEY[key]
    path = save_text_pdf(spec, tmp_path / "letter.pdf")
    pdf = pdfium.PdfDocument(path)
    try:
        assert len(pdf) == 1
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert spec.claim_number is not None
    assert spec.claim_number in text
    assert char_accuracy(spec.text(), text) > 0.99


def test_encrypted_pdf_needs_the_password(tmp_path: Path) -> None:
    pages = render_pages(LETTERS[10], dpi=LOW_DPI)
    path = save_encrypted_pdf(pages, tmp_path / "locked.pdf", password="secret")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(path)
    pdf = pdfium.PdfDocument(path, password="secret")
    try:
        assert len(pdf) == 1
    finally:
        pdf.close()
    source = save_text_pdf(LETTERS[11], tmp_path / "open.pdf")
    locked = save_encrypted_pdf(source, tmp_path / "locked-text.pdf", password="pw")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(locked)
    pdf = pdfium.PdfDocument(locked, password="pw")
    try:
        assert "POL-905318" in pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()


@pytest.mark.parametrize(("seed", "rotate"), [(0, None), (1, 3.0), (2, -3.0)])
def test_separator_barcode_survives_the_scan(seed: int, rotate: float | None) -> None:
    page = separator_page("PATCHT", seed=seed, rotate=rotate)
    assert page.size == page_size()
    found = zxingcpp.read_barcodes(page)
    assert [(barcode.text, barcode.format) for barcode in found] == [
        ("PATCHT", zxingcpp.BarcodeFormat.Code128)
    ]
    assert found[0].position.top_left.y < page.height // 4


def test_blank_page_is_empty_but_noisy() -> None:
    page = blank_page(seed=3)
    assert page.size == page_size()
    assert page.info["dpi"] == (300, 300)
    assert ImageStat.Stat(page).mean[0] > 240
    assert ImageStat.Stat(page).extrema[0][0] > 100  # noise, no ink
    assert blank_page(seed=3).tobytes() == page.tobytes()
    assert zxingcpp.read_barcodes(page) == []


def test_corrupt_files_do_not_parse(tmp_path: Path) -> None:
    truncated = corrupt_file(tmp_path / "cut.pdf", "truncated-pdf")
    assert truncated.read_bytes().startswith(b"%PDF-")
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(truncated)
    garbage = corrupt_file(tmp_path / "photo.png", "garbage-png")
    assert garbage.stat().st_size > 0
    with pytest.raises(UnidentifiedImageError):
        Image.open(garbage)
    assert corrupt_file(tmp_path / "empty.pdf", "empty").stat().st_size == 0


# --------------------------------------------------------------------------- accuracy


def test_char_accuracy() -> None:
    assert char_accuracy("abc", "abc") == 1.0
    assert char_accuracy("abcd", "abxd") == 0.75
    assert char_accuracy("a  b\nc", " a b c ") == 1.0
    assert char_accuracy("abc", "") == 0.0
    assert char_accuracy("ab", "completely different") == 0.0
    assert char_accuracy("", "") == 1.0
    assert char_accuracy("Gr\u00fc\u00dfe", "Gru\u0308\u00dfe") == 1.0  # NFC
    assert char_accuracy("ζημιά", "ζη\u00b5ιά") == 0.8
    assert char_accuracy("ζημιά", "ζη\u00b5ιά", form="NFKC") == 1.0
