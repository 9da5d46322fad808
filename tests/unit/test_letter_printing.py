"""Printable letter replies (channels.letters.printing): real WeasyPrint, the PDF
read back with pdfium. Geometry is checked against the DIN 5008 form B window
(20-105 mm from the left, 50-90 mm from the top)."""

from __future__ import annotations

import socket
import struct
import time
import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from channels.letters.printing import (
    SUPPORTED_LANGUAGES,
    Letterhead,
    LetterLayoutError,
    PrintableLetter,
    body_paragraphs,
    letter_language,
    render_letter_pdf,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PT_PER_MM = 72 / 25.4
A4_PT = (595.28, 841.89)
# The envelope window, in PDF points (origin bottom-left).
WINDOW = {
    "left": 20 * PT_PER_MM,
    "right": 105 * PT_PER_MM,
    "top": A4_PT[1] - 50 * PT_PER_MM,
    "bottom": A4_PT[1] - 90 * PT_PER_MM,
}
LETTER_DATE = date(2026, 3, 12)

LETTERHEAD = Letterhead(
    company="Aurora Insurance SE",
    address_lines=("Königstraße 12", "70173 Stuttgart"),
    phone="+49 711 123456",
    email="claims@aurora.example",
    website="www.aurora.example",
    footer="Registered office Stuttgart · HRB 12345 · IBAN DE12 3456 7890 1234 5678 90",
)

# language -> (recipient name, address lines, subject, body, long-format date)
SAMPLES: dict[str, tuple[str, tuple[str, ...], str, str, str]] = {
    "en": (
        "Ms Jane Smith",
        ("12 High Street", "Oxford OX1 4AB", "United Kingdom"),
        "Your claim CL-2026-00042",
        "Dear Ms Smith,\n\nThank you for your letter about the water damage.",
        "March 12, 2026",
    ),
    "de": (
        "Frau Erika Müller",
        ("Hauptstraße 5", "10115 Berlin"),
        "Ihr Schaden CL-2026-00042",
        "Sehr geehrte Frau Müller,\n\nvielen Dank für Ihr Schreiben zum Wasserschaden.",
        "12. März 2026",
    ),
    "el": (
        "Κυρία Μαρία Παπαδοπούλου",
        ("Οδός Ερμού 25", "105 63 Αθήνα", "Ελλάδα"),
        "Η αποζημίωσή σας CL-2026-00042",
        "Αγαπητή κυρία Παπαδοπούλου,\n\nσας ευχαριστούμε για την επιστολή σας σχετικά με τη ζημιά.",
        "12 Μαρτίου 2026",
    ),
    "cs": (
        "Paní Jana Nováková",
        ("Vinohradská 112", "130 00 Praha 3", "Česká republika"),
        "Vaše pojistná událost CL-2026-00042",
        "Vážená paní Nováková,\n\nděkujeme za Váš dopis týkající se škody způsobené vodou.",
        "12. března 2026",
    ),
    "sv": (
        "Anna Svensson",
        ("Storgatan 7", "114 51 Stockholm", "Sverige"),
        "Ditt skadeärende CL-2026-00042",
        "Hej Anna,\n\ntack för ditt brev om vattenskadan på köksgolvet.",
        "12 mars 2026",
    ),
    "id": (
        "Ibu Siti Rahayu",
        ("Jalan Sudirman No. 45", "Jakarta 10210", "Indonesia"),
        "Klaim Anda CL-2026-00042",
        "Yang terhormat Ibu Rahayu,\n\nterima kasih atas surat Anda mengenai kerusakan akibat air.",
        "12 Maret 2026",
    ),
}


def make_letter(language: str = "en", **changes: object) -> PrintableLetter:
    name, address, subject, body, _ = SAMPLES.get(language, SAMPLES["en"])
    fields: dict[str, object] = {
        "recipient_name": name,
        "recipient_address": address,
        "language": language,
        "subject": subject,
        "body": body,
        "date": LETTER_DATE,
        "our_reference": "CL-2026-00042",
        "your_reference": "Letter of 1 March",
        "signature_name": "Max Mustermann",
        "signature_title": "Claims service",
    }
    fields.update(changes)
    return PrintableLetter(**fields)  # type: ignore[arg-type]


def render(letter: PrintableLetter, letterhead: Letterhead = LETTERHEAD) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(render_letter_pdf(letter, letterhead, template_dir=TEMPLATES))


def page_text(pdf: pdfium.PdfDocument, index: int = 0) -> str:
    return pdf[index].get_textpage().get_text_range()


def flat(text: str) -> str:
    """Text without pdfium's line breaks (a wrapped paragraph reads as one)."""
    return " ".join(text.split())


def char_boxes(page: pdfium.PdfPage, needle: str) -> list[tuple[float, float, float, float]]:
    """The boxes (left, bottom, right, top; pt) of every non-space character of
    the first occurrence of ``needle`` on ``page``."""
    textpage = page.get_textpage()
    found = textpage.search(needle, match_case=True).get_next()
    assert found is not None, f"{needle!r} not on the page"
    start, count = found
    return [
        textpage.get_charbox(i)
        for i in range(start, start + count)
        if not textpage.get_text_range(i, 1).isspace()
    ]


@pytest.fixture(scope="module", params=SUPPORTED_LANGUAGES)
def rendered(request: pytest.FixtureRequest) -> Iterator[tuple[str, pdfium.PdfDocument]]:
    pdf = render(make_letter(request.param))
    yield request.param, pdf
    pdf.close()


def test_supported_languages_are_the_six_served() -> None:
    assert set(SUPPORTED_LANGUAGES) == {"en", "de", "el", "cs", "sv", "id"}


def test_letter_is_one_a4_page(rendered: tuple[str, pdfium.PdfDocument]) -> None:
    _, pdf = rendered
    assert len(pdf) == 1
    width, height = pdf[0].get_size()
    assert width == pytest.approx(A4_PT[0], abs=1)
    assert height == pytest.approx(A4_PT[1], abs=1)


def test_text_layer_has_recipient_subject_date_and_body(
    rendered: tuple[str, pdfium.PdfDocument],
) -> None:
    language, pdf = rendered
    name, address, subject, body, long_date = SAMPLES[language]
    text = flat(page_text(pdf))
    assert name in text
    for line in address:
        assert line in text
    assert subject in text
    assert long_date in text
    for word in body.split():
        assert word in text
    assert "Max Mustermann" in text
    assert "CL-2026-00042" in text


def test_recipient_lines_are_inside_the_window(rendered: tuple[str, pdfium.PdfDocument]) -> None:
    language, pdf = rendered
    name, address, *_ = SAMPLES[language]
    page = pdf[0]
    for line in (name, *address):
        for left, bottom, right, top in char_boxes(page, line):
            assert left >= WINDOW["left"], line
            assert right <= WINDOW["right"], line
            assert bottom >= WINDOW["bottom"], line
            assert top <= WINDOW["top"], line
    # And read back from the window rectangle alone, the recipient is all there.
    window_text = flat(page.get_textpage().get_text_bounded(**WINDOW))
    assert f"{name} {' '.join(address)}" in window_text


def test_return_address_line_is_at_the_top_of_the_address_field(
    rendered: tuple[str, pdfium.PdfDocument],
) -> None:
    _, pdf = rendered
    boxes = char_boxes(pdf[0], "Aurora Insurance SE · Königstraße 12 · 70173 Stuttgart")
    field_top = A4_PT[1] - 45 * PT_PER_MM
    assert min(box[0] for box in boxes) >= 20 * PT_PER_MM
    assert max(box[2] for box in boxes) <= 105 * PT_PER_MM
    assert min(box[1] for box in boxes) >= WINDOW["top"] - 2
    assert max(box[3] for box in boxes) <= field_top


def test_labels_are_localised() -> None:
    text = flat(page_text(render(make_letter("de"))))
    assert "Unser Zeichen" in text
    assert "Ihr Zeichen" in text
    assert "Datum 12. März 2026" in text
    assert "Seite 1 von 1" in text
    assert "Mit freundlichen Grüßen" in text


def test_unknown_language_falls_back_to_english() -> None:
    text = flat(page_text(render(make_letter("xx"))))
    assert "March 12, 2026" in text
    assert "Our reference" in text
    assert "Page 1 of 1" in text
    assert letter_language("de-AT") == "de"
    assert letter_language("CS") == "cs"
    assert letter_language("") == "en"


def test_body_is_text_not_html() -> None:
    body = (
        'Dear Ms Smith,\n\n<script>alert("x")</script> and <b>not bold</b> & '
        "<img src=x onerror=1> stay as typed.\n</p><p>"
    )
    pdf = render(
        make_letter(
            body=body, subject="<i>Subject</i>", your_reference="<u>ref</u>", recipient_name="A <b>"
        )
    )
    text = flat(page_text(pdf))
    assert '<script>alert("x")</script> and <b>not bold</b> &' in text
    assert "<img src=x onerror=1> stay as typed. </p><p>" in text
    assert "<i>Subject</i>" in text
    assert "<u>ref</u>" in text
    assert "A <b>" in text


def test_paragraphs_split_at_blank_lines() -> None:
    assert body_paragraphs("Dear Jo,\r\n\r\nLine one\nline two\n \nEnd.\n") == [
        "Dear Jo,",
        "Line one\nline two",
        "End.",
    ]


def test_long_body_flows_onto_numbered_pages() -> None:
    paragraph = "The assessor will visit the property to inspect the damage. " * 8
    body = "Dear Ms Smith,\n\n" + "\n\n".join(f"{n}. {paragraph}" for n in range(1, 25))
    pdf = render(make_letter("en", body=body))
    pages = len(pdf)
    assert pages >= 2
    for index in range(pages):
        text = flat(page_text(pdf, index))
        assert f"Page {index + 1} of {pages}" in text
        # The letterhead footer is on every page.
        assert "Registered office Stuttgart" in text
    second = flat(page_text(pdf, 1))
    # The address window is on page 1 only.
    assert "Ms Jane Smith" not in second
    assert "Oxford OX1 4AB" not in second
    # The body continues where page 1 stopped, and ends with the signature.
    assert "24. The assessor" in flat(page_text(pdf, pages - 1))
    assert "Yours sincerely" in flat(page_text(pdf, pages - 1))


def test_address_that_does_not_fit_the_window_is_refused() -> None:
    letter = make_letter("en", recipient_address=tuple(f"Line {n}" for n in range(1, 13)))
    with pytest.raises(LetterLayoutError, match="window"):
        render_letter_pdf(letter, LETTERHEAD, template_dir=TEMPLATES)


def test_long_address_uses_the_whole_window() -> None:
    # Eight lines do not fit below the remarks zone; they move up, still inside.
    address = (
        "c/o Claims Dept.",
        "Building 4",
        "Floor 2",
        "Room 17",
        "12 High Street",
        "Oxford",
        "OX1 4AB",
    )
    pdf = render(make_letter("en", recipient_address=address))
    for line in ("Ms Jane Smith", *address):
        for _, bottom, _, top in char_boxes(pdf[0], line):
            assert bottom >= WINDOW["bottom"], line
            assert top <= WINDOW["top"], line


def _png(width: int = 4, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x00\x40\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def image_count(pdf: pdfium.PdfDocument) -> int:
    return len(list(pdf[0].get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])))


def test_logo_file_is_drawn(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(_png())
    letterhead = Letterhead(
        company="Aurora Insurance SE", address_lines=("Stuttgart",), logo_path=str(logo)
    )
    assert image_count(render(make_letter("en"), letterhead)) == 1
    assert image_count(render(make_letter("en"))) == 0


def test_http_logo_is_not_fetched() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.setblocking(False)
        port = server.getsockname()[1]
        for url in (f"http://127.0.0.1:{port}/logo.png", f"https://127.0.0.1:{port}/logo.png"):
            letterhead = Letterhead(
                company="Aurora Insurance SE", address_lines=("Stuttgart",), logo_path=url
            )
            started = time.monotonic()
            pdf = render(make_letter("en"), letterhead)
            assert time.monotonic() - started < 10
            assert image_count(pdf) == 0
            assert "Ms Jane Smith" in page_text(pdf)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody connected
