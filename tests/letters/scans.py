"""Realistic scanned letters for OCR integration tests.

``LETTERS`` holds short insurance letters in the six languages we serve;
``render_pages`` lays one out on A4 and degrades it like a desk scanner
(1-3° skew, sensor noise, slight blur), deterministically per seed. The
writers turn pages into the files customers actually send: PNG, JPEG,
multi-page TIFF, image-only PDF, PDF with a text layer, encrypted PDF, plus
blank pages, barcode separator sheets and corrupt files.
"""

from __future__ import annotations

import html
import io
import random
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist
from typing import Literal

import pikepdf
import zxingcpp
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from rapidfuzz.distance import Levenshtein

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

A4_MM = (210.0, 297.0)
FONT_PT = 11.5  # 48 px at 300 dpi
LINE_SPACING = 1.4
MARGIN_LEFT_MM = 25.0
MARGIN_RIGHT_MM = 20.0
MARGIN_TOP_MM = 45.0  # address block where a window envelope shows it
MARGIN_TOP_NEXT_MM = 25.0  # continuation pages
MARGIN_BOTTOM_MM = 25.0
DPI = 300

CorruptionKind = Literal["truncated-pdf", "garbage-png", "empty"]
NormalForm = Literal["NFC", "NFKC"]


# --------------------------------------------------------------------------- letters


@dataclass(frozen=True)
class LetterSpec:
    """One letter: what is printed on the page and the identifiers it carries."""

    key: str
    language: str
    sender_name: str
    address_lines: list[str]
    place_and_date: str
    date: date
    subject: str
    body: list[str]
    closing: str
    policy_number: str | None = None
    claim_number: str | None = None

    def lines(self, dpi: int = DPI) -> list[str]:
        """The page's text lines in reading order, body wrapped to the text width."""
        font = _font(dpi)
        width = _text_width_px(dpi)
        out = [self.sender_name, *self.address_lines, "", self.place_and_date, "", self.subject, ""]
        for index, paragraph in enumerate(self.body):
            if index:
                out.append("")
            out.extend(wrap(paragraph, font, width))
        out += ["", self.closing, self.sender_name]
        return out

    def text(self) -> str:
        """The expected full text, for comparison with OCR output."""
        return "\n".join(self.lines())

    def word_count(self) -> int:
        """Words in the body (salutation included)."""
        return sum(len(paragraph.split()) for paragraph in self.body)


LETTERS: list[LetterSpec] = [
    LetterSpec(
        key="en-claim",
        language="en",
        sender_name="Margaret Ellison",
        address_lines=["14 Alder Grove", "Leeds LS6 2QT", "United Kingdom"],
        place_and_date="Leeds, 9 March 2026",
        date=date(2026, 3, 9),
        subject="Subject: Storm damage to our roof, claim CLM-2026-004518",
        body=[
            "Dear Sir or Madam,",
            "During the storm on the night of 3 March several tiles were torn from the roof "
            "of our house, and rainwater has since damaged the ceiling of the back bedroom. "
            "I reported the damage by telephone and was given the claim number above. "
            "My home insurance policy number is POL-381204.",
            "Please let me know when your assessor can visit. Photographs of the damage and "
            "a quote from a local roofer are enclosed.",
        ],
        closing="Yours faithfully,",
        policy_number="POL-381204",
        claim_number="CLM-2026-004518",
    ),
    LetterSpec(
        key="en-payment",
        language="en",
        sender_name="Daniel Hartley",
        address_lines=["Flat 3, 27 Mill Lane", "Bristol BS3 4EH", "United Kingdom"],
        place_and_date="Bristol, 16 March 2026",
        date=date(2026, 3, 16),
        subject="Re: Late premium payment for policy POL-204517",
        body=[
            "Dear Sir or Madam,",
            "I received your reminder of 10 March stating that my premium for February has "
            "not been paid. My bank changed my account details in January and the direct "
            "debit failed as a result. I have now paid the outstanding amount of £48.20 by "
            "bank transfer.",
            "Please confirm that my motor cover remains in force and update the direct debit "
            "to the new account details enclosed.",
        ],
        closing="Yours faithfully,",
        policy_number="POL-204517",
    ),
    LetterSpec(
        key="de-claim",
        language="de",
        sender_name="Katrin Weißmüller",
        address_lines=["Schönhauser Allee 112", "10439 Berlin", "Deutschland"],
        place_and_date="Berlin, 12. März 2026",
        date=date(2026, 3, 12),
        subject="Betreff: Schadensmeldung zu CLM-2026-004512",
        body=[
            "Sehr geehrte Damen und Herren,",
            "am 8. März ist in unserer Küche der Zulaufschlauch der Spülmaschine geplatzt. "
            "Das Wasser ist durch die Decke in die darunterliegende Wohnung gelaufen und hat "
            "dort den Parkettboden beschädigt. Der Schaden fällt unter meine "
            "Privathaftpflichtversicherung mit der Versicherungsscheinnummer POL-518733.",
            "Bitte teilen Sie mir mit, welche Unterlagen Sie für die Regulierung noch "
            "benötigen. Fotos und die Rechnung des Installateurs füge ich bei.",
        ],
        closing="Mit freundlichen Grüßen",
        policy_number="POL-518733",
        claim_number="CLM-2026-004512",
    ),
    LetterSpec(
        key="de-address",
        language="de",
        sender_name="Jürgen Krämer",
        address_lines=["Lößnitzgrundstraße 21", "01445 Radebeul", "Deutschland"],
        place_and_date="Radebeul, 23. März 2026",
        date=date(2026, 3, 23),
        subject="Betreff: Adressänderung zum Vertrag POL-627140",
        body=[
            "Sehr geehrte Damen und Herren,",
            "zum 1. April 2026 ziehe ich von Dresden nach Radebeul um. Meine neue Anschrift "
            "lautet Lößnitzgrundstraße 21, 01445 Radebeul. Bitte ändern Sie die Adresse in "
            "meiner Hausratversicherung entsprechend und prüfen Sie, ob sich der Beitrag "
            "durch den Umzug ändert.",
            "Für Rückfragen erreichen Sie mich weiterhin unter meiner bekannten Telefonnummer.",
        ],
        closing="Mit freundlichen Grüßen",
        policy_number="POL-627140",
    ),
    LetterSpec(
        key="el-claim",
        language="el",
        sender_name="Γεώργιος Παπαδόπουλος",
        address_lines=["Οδός Ερμού 45", "105 63 Αθήνα", "Ελλάδα"],
        place_and_date="Αθήνα, 10 Μαρτίου 2026",
        date=date(2026, 3, 10),
        subject="Θέμα: Δήλωση ζημιάς CLM-2026-007341",
        body=[
            "Αξιότιμοι κύριοι,",
            "στις 5 Μαρτίου το σταθμευμένο αυτοκίνητό μου χτυπήθηκε από άλλο όχημα στην οδό "
            "Πατησίων. Ο οδηγός του άλλου οχήματος δεν σταμάτησε, αλλά ένας αυτόπτης μάρτυρας "
            "κατέγραψε τον αριθμό κυκλοφορίας. Το ασφαλιστήριο συμβόλαιό μου έχει αριθμό "
            "POL-734095.",
            "Παρακαλώ ενημερώστε με για τα επόμενα βήματα και για το πότε μπορεί να γίνει η "
            "πραγματογνωμοσύνη. Επισυνάπτω φωτογραφίες και τη δήλωση του μάρτυρα.",
        ],
        closing="Με εκτίμηση,",
        policy_number="POL-734095",
        claim_number="CLM-2026-007341",
    ),
    LetterSpec(
        key="el-renewal",
        language="el",
        sender_name="Ελένη Κωνσταντινίδου",
        address_lines=["Λεωφόρος Νίκης 18", "546 22 Θεσσαλονίκη", "Ελλάδα"],
        place_and_date="Θεσσαλονίκη, 17 Μαρτίου 2026",
        date=date(2026, 3, 17),
        subject="Θέμα: Ανανέωση ασφαλιστηρίου POL-845206",
        body=[
            "Αξιότιμοι κύριοι,",
            "το συμβόλαιο ασφάλισης της κατοικίας μου λήγει στις 30 Απριλίου. Στην ειδοποίηση "
            "ανανέωσης που έλαβα, το ασφάλιστρο είναι αυξημένο κατά σχεδόν είκοσι τοις εκατό, "
            "χωρίς καμία αλλαγή στην κάλυψη.",
            "Θα ήθελα να μου εξηγήσετε τον λόγο της αύξησης και να μου προτείνετε εναλλακτικές "
            "επιλογές πριν αποφασίσω για την ανανέωση.",
        ],
        closing="Με εκτίμηση,",
        policy_number="POL-845206",
    ),
    LetterSpec(
        key="cs-claim",
        language="cs",
        sender_name="Jiří Dvořák",
        address_lines=["Křížová 1287/15", "603 00 Brno", "Česká republika"],
        place_and_date="V Brně dne 11. března 2026",
        date=date(2026, 3, 11),
        subject="Věc: Hlášení pojistné události CLM-2026-002689",
        body=[
            "Vážené dámy a pánové,",
            "dne 6. března 2026 praskla v naší koupelně přívodní hadice pračky. Voda "
            "poškodila podlahu a omítku ve sklepě pod bytem. Událost jsem telefonicky "
            "nahlásil a bylo mi přiděleno číslo škody uvedené výše. Moje pojistná smlouva "
            "má číslo POL-296318.",
            "Prosím o sdělení, kdy může přijet likvidátor. Fotografie poškození a fakturu "
            "za opravu přikládám.",
        ],
        closing="S pozdravem",
        policy_number="POL-296318",
        claim_number="CLM-2026-002689",
    ),
    LetterSpec(
        key="cs-complaint",
        language="cs",
        sender_name="Markéta Šťastná",
        address_lines=["Na Příkopě 854/14", "110 00 Praha 1", "Česká republika"],
        place_and_date="V Praze dne 18. března 2026",
        date=date(2026, 3, 18),
        subject="Věc: Stížnost na vyřízení žádosti ke smlouvě POL-418562",
        body=[
            "Vážené dámy a pánové,",
            "již v lednu jsem Vás požádala o změnu bankovního spojení u mé pojistné smlouvy. "
            "Přestože jsem žádost dvakrát urgovala, dosud jsem nedostala žádnou odpověď "
            "a pojistné je stále strháváno z mého starého účtu.",
            "Žádám Vás o nápravu do čtrnácti dnů a o písemné potvrzení změny. V opačném "
            "případě se obrátím na Českou národní banku.",
        ],
        closing="S pozdravem",
        policy_number="POL-418562",
    ),
    LetterSpec(
        key="sv-claim",
        language="sv",
        sender_name="Anna Söderström",
        address_lines=["Storgatan 12 B", "411 38 Göteborg", "Sverige"],
        place_and_date="Göteborg den 9 mars 2026",
        date=date(2026, 3, 9),
        subject="Ärende: Skadeanmälan CLM-2026-005127",
        body=[
            "Hej,",
            "natten till den 4 mars bröt sig någon in i vårt förråd i källaren och stal två "
            "cyklar och en barnvagn. Inbrottet är polisanmält och jag bifogar en kopia av "
            "anmälan. Min hemförsäkring har nummer POL-563091.",
            "Jag undrar hur stor självrisken blir och om ni behöver kvitton för de stulna "
            "sakerna. Återkom gärna så snart som möjligt.",
        ],
        closing="Med vänliga hälsningar",
        policy_number="POL-563091",
        claim_number="CLM-2026-005127",
    ),
    LetterSpec(
        key="sv-renewal",
        language="sv",
        sender_name="Lars Åkesson",
        address_lines=["Vasavägen 3", "752 36 Uppsala", "Sverige"],
        place_and_date="Uppsala den 19 mars 2026",
        date=date(2026, 3, 19),
        subject="Ärende: Fråga om förnyelse av försäkring POL-671845",
        body=[
            "Hej,",
            "min bilförsäkring förnyas den 1 maj. I förnyelsebrevet har premien höjts med "
            "nästan 900 kronor per år, trots att jag inte har haft någon skada.",
            "Kan ni förklara varför premien har ändrats? Jag vill också veta om det går att "
            "byta till halvförsäkring eller höja självrisken för att sänka kostnaden.",
        ],
        closing="Med vänliga hälsningar",
        policy_number="POL-671845",
    ),
    LetterSpec(
        key="id-claim",
        language="id",
        sender_name="Budi Santoso",
        address_lines=["Jl. Diponegoro No. 27", "Surabaya 60241", "Indonesia"],
        place_and_date="Surabaya, 10 Maret 2026",
        date=date(2026, 3, 10),
        subject="Perihal: Pengajuan klaim CLM-2026-008834",
        body=[
            "Dengan hormat,",
            "pada tanggal 2 Maret 2026 rumah kami terendam banjir setinggi kurang lebih "
            "60 sentimeter. Banjir tersebut merusak lantai, perabot, dan peralatan listrik "
            "di lantai bawah. Rumah kami diasuransikan dengan nomor polis POL-882470.",
            "Bersama surat ini saya lampirkan foto kerusakan dan daftar barang yang rusak. "
            "Mohon informasi mengenai jadwal survei dari pihak asuransi.",
        ],
        closing="Hormat saya,",
        policy_number="POL-882470",
        claim_number="CLM-2026-008834",
    ),
    LetterSpec(
        key="id-payment",
        language="id",
        sender_name="Siti Rahmawati",
        address_lines=["Jl. Cihampelas No. 112", "Bandung 40131", "Indonesia"],
        place_and_date="Bandung, 20 Maret 2026",
        date=date(2026, 3, 20),
        subject="Hal: Keterlambatan pembayaran premi polis POL-905318",
        body=[
            "Dengan hormat,",
            "saya ingin memberitahukan bahwa pembayaran premi bulan Maret untuk polis "
            "asuransi kesehatan saya akan terlambat sekitar dua minggu karena gaji saya baru "
            "dibayarkan pada akhir bulan.",
            "Mohon konfirmasi apakah perlindungan tetap berlaku selama masa tenggang dan "
            "apakah ada denda keterlambatan. Atas perhatian Bapak/Ibu, saya ucapkan terima "
            "kasih.",
        ],
        closing="Hormat saya,",
        policy_number="POL-905318",
    ),
]

LETTERS_BY_KEY: dict[str, LetterSpec] = {spec.key: spec for spec in LETTERS}


# --------------------------------------------------------------------------- layout


def _px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def page_size(dpi: int = DPI) -> tuple[int, int]:
    """A4 in pixels: (2480, 3508) at 300 dpi."""
    return _px(A4_MM[0], dpi), _px(A4_MM[1], dpi)


def _text_width_px(dpi: int) -> int:
    return page_size(dpi)[0] - _px(MARGIN_LEFT_MM, dpi) - _px(MARGIN_RIGHT_MM, dpi)


@lru_cache(maxsize=16)
def _font(dpi: int, bold: bool = False, pt: float = FONT_PT) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT), round(pt / 72 * dpi))


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Greedy word wrap by measured width; an over-long word gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and font.getlength(candidate) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def _paginate(lines: list[str], dpi: int) -> list[list[str]]:
    line_height = round(_font(dpi).size * LINE_SPACING)
    height = page_size(dpi)[1]
    pages: list[list[str]] = []
    current: list[str] = []
    top = _px(MARGIN_TOP_MM, dpi)
    for line in lines:
        if top + (len(current) + 1) * line_height > height - _px(MARGIN_BOTTOM_MM, dpi):
            pages.append(current)
            current = []
            top = _px(MARGIN_TOP_NEXT_MM, dpi)
        if line or current:  # no blank line at the top of a continuation page
            current.append(line)
    pages.append(current)
    return pages


def layout_pages(spec: LetterSpec, dpi: int = DPI) -> list[list[str]]:
    """The lines on each page, before rendering."""
    return _paginate(spec.lines(dpi), dpi)


def _clean_page(lines: list[str], dpi: int, first: bool) -> Image.Image:
    image = Image.new("L", page_size(dpi), 255)
    draw = ImageDraw.Draw(image)
    font = _font(dpi)
    line_height = round(font.size * LINE_SPACING)
    x = _px(MARGIN_LEFT_MM, dpi)
    y = _px(MARGIN_TOP_MM if first else MARGIN_TOP_NEXT_MM, dpi)
    for line in lines:
        if line:
            draw.text((x, y), line, font=font, fill=0)
        y += line_height
    return image


# --------------------------------------------------------------------------- degradation


@lru_cache(maxsize=8)
def _noise_lut(sigma: float) -> list[int]:
    """Uniform byte -> Gaussian(128, sigma) byte, by the inverse normal CDF."""
    dist = NormalDist(128.0, sigma)
    return [max(0, min(255, round(dist.inv_cdf((i + 0.5) / 256)))) for i in range(256)]


def _noise(size: tuple[int, int], sigma: float, rng: random.Random) -> Image.Image:
    # Image.effect_noise draws from C rand(), which no seed reaches: the noise is
    # made from seeded uniform bytes mapped through the Gaussian quantile function.
    uniform = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return uniform.point(_noise_lut(float(sigma)))


def skew_angle(rng: random.Random) -> float:
    """A scanner's skew: 1-3 degrees either way."""
    return rng.uniform(1.0, 3.0) * rng.choice((-1.0, 1.0))


def degrade(
    image: Image.Image,
    rng: random.Random,
    *,
    rotate: float | None = None,
    noise: float = 18,
    blur: float = 0.8,
    dpi: int = DPI,
) -> Image.Image:
    """Skew, add sensor noise and blur a clean page like a flatbed scan."""
    angle = skew_angle(rng) if rotate is None else rotate
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    if noise > 0:
        image = ImageChops.add(image, _noise(image.size, noise, rng), scale=1.0, offset=-128)
    if blur > 0:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    image.info["dpi"] = (dpi, dpi)
    return image


def render_pages(
    spec: LetterSpec,
    *,
    seed: int = 0,
    rotate: float | None = None,
    noise: float = 18,
    blur: float = 0.8,
    dpi: int = DPI,
) -> list[Image.Image]:
    """The letter as scanned A4 greyscale pages (one per sheet), deterministic per seed."""
    rng = random.Random(f"{spec.key}:{seed}")
    return [
        degrade(
            _clean_page(lines, dpi, first=index == 0),
            rng,
            rotate=rotate,
            noise=noise,
            blur=blur,
            dpi=dpi,
        )
        for index, lines in enumerate(layout_pages(spec, dpi))
    ]


def blank_page(
    seed: int = 0, *, noise: float = 18, blur: float = 0.8, dpi: int = DPI
) -> Image.Image:
    """An empty sheet as a scanner returns it: white with faint noise."""
    rng = random.Random(f"blank:{seed}")
    return degrade(
        Image.new("L", page_size(dpi), 255), rng, rotate=0, noise=noise, blur=blur, dpi=dpi
    )


def separator_page(
    text: str = "PATCHT",
    seed: int = 0,
    *,
    rotate: float | None = None,
    noise: float = 18,
    blur: float = 0.8,
    dpi: int = DPI,
) -> Image.Image:
    """A batch separator sheet: a Code 128 barcode of ``text`` and the word SEPARATOR."""
    width, _ = page_size(dpi)
    page = Image.new("L", page_size(dpi), 255)
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.Code128)
    modules = Image.fromarray(
        zxingcpp.write_barcode_to_image(barcode, scale=1, add_quiet_zones=False)
    )
    scale = max(1, round(600 * dpi / DPI / modules.width))
    bars = modules.resize(
        (modules.width * scale, round(200 * dpi / DPI)), Image.Resampling.NEAREST
    ).convert("L")
    top = _px(30, dpi)
    page.paste(bars, ((width - bars.width) // 2, top))
    draw = ImageDraw.Draw(page)
    draw.text(
        (width // 2, top + bars.height + _px(15, dpi)),
        "SEPARATOR",
        font=_font(dpi, bold=True, pt=36),
        fill=0,
        anchor="mt",
    )
    rng = random.Random(f"separator:{text}:{seed}")
    return degrade(page, rng, rotate=rotate, noise=noise, blur=blur, dpi=dpi)


# --------------------------------------------------------------------------- writers


def _dpi(page: Image.Image) -> tuple[float, float]:
    dpi = page.info.get("dpi", (DPI, DPI))
    return float(dpi[0]), float(dpi[1])


def save_png(page: Image.Image, path: str | Path) -> Path:
    """One page as PNG with its dpi."""
    page.save(path, "PNG", dpi=_dpi(page))
    return Path(path)


def save_jpeg(page: Image.Image, path: str | Path, quality: int = 85) -> Path:
    """One page as JPEG, as cheap scanners and phones deliver it."""
    page.save(path, "JPEG", dpi=_dpi(page), quality=quality)
    return Path(path)


def save_tiff(pages: Sequence[Image.Image], path: str | Path) -> Path:
    """All pages in one multi-page TIFF (deflate)."""
    first, *rest = pages
    first.save(
        path,
        "TIFF",
        save_all=True,
        append_images=rest,
        compression="tiff_deflate",
        dpi=_dpi(first),
    )
    return Path(path)


def save_pdf(pages: Sequence[Image.Image], path: str | Path | io.BytesIO) -> Path | None:
    """An image-only PDF (no text layer), one scanned page per PDF page."""
    first, *rest = pages
    first.save(path, "PDF", save_all=True, append_images=rest, resolution=_dpi(first)[0])
    return None if isinstance(path, io.BytesIO) else Path(path)


def save_text_pdf(spec: LetterSpec, path: str | Path) -> Path:
    """A born-digital A4 PDF of the letter with a real text layer (WeasyPrint)."""
    with warnings.catch_warnings():
        # WeasyPrint 70 warns at import when libharfbuzz-subset is missing.
        warnings.filterwarnings("ignore", "HarfBuzz-Subset", DeprecationWarning)
        import weasyprint

    paragraphs = "\n".join(
        f"<p>{html.escape(line) if line else '&#160;'}</p>" for line in spec.lines()
    )
    margins = f"{MARGIN_TOP_MM}mm {MARGIN_RIGHT_MM}mm {MARGIN_BOTTOM_MM}mm {MARGIN_LEFT_MM}mm"
    css = (
        f"@page {{ size: A4; margin: {margins}; }}\n"
        f'body {{ font-family: "DejaVu Sans", sans-serif; font-size: {FONT_PT}pt;'
        f" line-height: {LINE_SPACING}; }}\n"
        "p { margin: 0; white-space: pre; }"
    )
    document = (
        f'<!DOCTYPE html>\n<html lang="{spec.language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(spec.subject)}</title><style>{css}</style></head>"
        f"<body>\n{paragraphs}\n</body></html>"
    )
    weasyprint.HTML(string=document).write_pdf(path)
    return Path(path)


def save_encrypted_pdf(
    pages_or_src_pdf: Sequence[Image.Image] | str | Path,
    path: str | Path,
    password: str = "secret",
    *,
    owner_password: str | None = None,
) -> Path:
    """An AES-256 (R=6) encrypted PDF that needs ``password`` to open."""
    if isinstance(pages_or_src_pdf, str | Path):
        source = pikepdf.open(pages_or_src_pdf)
    else:
        buffer = io.BytesIO()
        save_pdf(pages_or_src_pdf, buffer)
        buffer.seek(0)
        source = pikepdf.open(buffer)
    with source:
        source.save(
            path,
            encryption=pikepdf.Encryption(
                owner=owner_password or f"{password}-owner", user=password, R=6
            ),
        )
    return Path(path)


def corrupt_file(path: str | Path, kind: CorruptionKind) -> Path:
    """Write a file that must not parse: ``truncated-pdf``, ``garbage-png`` or ``empty``."""
    path = Path(path)
    if kind == "truncated-pdf":
        buffer = io.BytesIO()
        with pikepdf.new() as pdf:
            pdf.add_blank_page(page_size=(595, 842))
            pdf.save(
                buffer, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable
            )
        data = buffer.getvalue()
        path.write_bytes(data[: len(data) // 3])
    elif kind == "garbage-png":
        path.write_bytes(random.Random(f"garbage:{path.name}").randbytes(4096))
    elif kind == "empty":
        path.write_bytes(b"")
    else:
        raise ValueError(f"unknown corruption {kind!r}")
    return path


# --------------------------------------------------------------------------- accuracy


def normalize_text(text: str, form: NormalForm = "NFC") -> str:
    """Unicode ``form`` (NFC), every whitespace run (newlines too) as one space, stripped."""
    return re.sub(r"\s+", " ", unicodedata.normalize(form, text)).strip()


def char_accuracy(expected: str, actual: str, *, form: NormalForm = "NFC") -> float:
    """1 - Levenshtein(expected, actual) / len(expected), after normalising; floored at 0.

    ``form="NFKC"`` also folds compatibility characters, e.g. the MICRO SIGN (U+00B5)
    Tesseract's Greek model emits for GREEK SMALL LETTER MU (U+03BC).
    """
    want, got = normalize_text(expected, form), normalize_text(actual, form)
    if not want:
        return 1.0 if not got else 0.0
    return max(0.0, 1.0 - Levenshtein.distance(want, got) / len(want))
