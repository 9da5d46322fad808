"""Plausible people per country: names, postal addresses, phone numbers, email
addresses and bank accounts.

Nothing here may reach a real person: email domains are under the reserved
``.example`` names (RFC 2606) and British numbers come from Ofcom's range for
drama (07700 900xxx). Other countries have no such range, so their numbers are
valid-looking random ones: outbound SMS must never be sent to demo customers.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

import phonenumbers

from claims.identifiers import normalize_address


@dataclass(frozen=True)
class Country:
    language: str
    region: str  # phone region, ISO 3166
    timezone: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    # (male form, female form); Indonesian second names are given per gender.
    surnames: tuple[tuple[str, str], ...]
    shared_surname: bool  # spouses share the family name
    streets: tuple[str, ...]
    # (city, postcodes, extra line) - the extra line is the Indonesian kelurahan/kecamatan.
    cities: tuple[tuple[str, tuple[str, ...], str], ...]
    domains: tuple[str, ...]
    # Insurer's own number that calls and texts arrive on.
    service_number: str


@dataclass(frozen=True)
class Address:
    lines: tuple[str, ...]
    city: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def one_line(self) -> str:
        return ", ".join(self.lines)


def _names(names: str) -> tuple[str, ...]:
    return tuple(names.split())


def _pairs(names: str) -> tuple[tuple[str, str], ...]:
    """``"Novák/Nováková Svoboda/Svobodová"`` → pairs; a name without ``/`` is both."""
    out = []
    for item in names.split():
        male, _, female = item.partition("/")
        out.append((male.replace("_", " "), (female or male).replace("_", " ")))
    return tuple(out)


COUNTRIES: dict[str, Country] = {
    "en": Country(
        "en", "GB", "Europe/London",
        male=_names("James Oliver Harry George Thomas Daniel Matthew Andrew David Michael Samuel "
                    "Benjamin Joseph William Callum Rhys Mohammed Connor"),
        female=_names("Olivia Emily Sophie Charlotte Amelia Jessica Hannah Lucy Grace Chloe "
                      "Rebecca Sarah Emma Megan Eleanor Aisha Priya Niamh"),
        surnames=_pairs("Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright "
                        "Thompson Evans Walker White Roberts Green Hall Wood Jackson Clarke Patel "
                        "Khan Hughes Edwards O'Connor Murphy Campbell MacDonald"),
        shared_surname=True,
        streets=("Victoria Road", "Church Street", "Park Avenue", "Station Road", "Mill Lane",
                 "Queens Road", "Highfield Road", "Grove Road", "Kings Road", "Elm Grove",
                 "Albert Street", "The Crescent"),
        cities=(("London", ("SW11", "N7", "E17", "SE15", "NW6"), ""),
                ("Manchester", ("M14", "M20"), ""), ("Leeds", ("LS6", "LS8"), ""),
                ("Bristol", ("BS6", "BS7"), ""), ("Glasgow", ("G12", "G41"), ""),
                ("Edinburgh", ("EH10", "EH6"), ""), ("Cardiff", ("CF24", "CF14"), ""),
                ("Birmingham", ("B13", "B29"), ""), ("York", ("YO10", "YO31"), ""),
                ("Norwich", ("NR2", "NR3"), "")),
        domains=("mail.uk.example", "inbox.uk.example", "example.com"),
        service_number="+441134960000",
    ),
    "de": Country(
        "de", "DE", "Europe/Berlin",
        male=_names("Lukas Jonas Felix Maximilian Tobias Florian Stefan Andreas Michael Thomas "
                    "Jürgen Klaus Matthias Sebastian Jan Uwe Mehmet"),
        female=_names("Anna Laura Julia Lena Katharina Sabine Petra Claudia Sophie Marie Lea "
                      "Jana Ute Birgit Franziska Nicole Ayşe"),
        surnames=_pairs("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz "
                        "Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz "
                        "Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann Köhler Weiß"),
        shared_surname=True,
        streets=("Lindenstraße", "Hauptstraße", "Bahnhofstraße", "Gartenstraße",
                 "Schillerstraße", "Goethestraße", "Bergstraße", "Am Mühlbach", "Rosenweg",
                 "Kirchplatz", "Parkallee", "Friedrichstraße"),
        cities=(("Berlin", ("10115", "10437", "10961", "12049", "13353"), ""),
                ("Hamburg", ("20249", "22083", "22765"), ""),
                ("München", ("80331", "80799", "81541"), ""),
                ("Köln", ("50667", "50733", "51103"), ""),
                ("Frankfurt am Main", ("60311", "60487", "60594"), ""),
                ("Leipzig", ("04103", "04229"), ""), ("Stuttgart", ("70173", "70197"), ""),
                ("Dresden", ("01067", "01309"), ""), ("Hannover", ("30159", "30451"), ""),
                ("Nürnberg", ("90402", "90429"), "")),
        domains=("post.de.example", "mail.de.example", "example.com"),
        service_number="+4940609442700",
    ),
    "el": Country(
        "el", "GR", "Europe/Athens",
        male=_names("Γιώργος Δημήτρης Κωνσταντίνος Νίκος Γιάννης Παναγιώτης Βασίλης Χρήστος "
                    "Αθανάσιος Μιχάλης Ευάγγελος Σπύρος Άγγελος Στέλιος"),
        female=_names("Μαρία Ελένη Αικατερίνη Βασιλική Σοφία Αγγελική Γεωργία Δέσποινα Χριστίνα "
                      "Ειρήνη Παναγιώτα Δήμητρα Αναστασία Κατερίνα"),
        surnames=_pairs("Παπαδόπουλος/Παπαδοπούλου Παπαδάκης/Παπαδάκη Γεωργίου Οικονόμου "
                        "Νικολάου Βασιλείου Παπανικολάου Μακρής/Μακρή "
                        "Κωνσταντινίδης/Κωνσταντινίδου Αθανασίου Δημητρίου Ιωάννου "
                        "Καραγιάννης/Καραγιάννη Αλεξίου Πετρόπουλος/Πετροπούλου "
                        "Χατζηδάκης/Χατζηδάκη Σταυρόπουλος/Σταυροπούλου Αντωνίου "
                        "Μαυρίδης/Μαυρίδου Λαμπρόπουλος/Λαμπροπούλου"),
        shared_surname=True,
        streets=("Ερμού", "Πατησίων", "Αγίου Δημητρίου", "Εγνατίας", "Τσιμισκή", "Κορίνθου",
                 "Μαιζώνος", "25ης Μαρτίου", "Ελευθερίου Βενιζέλου", "Αγίας Σοφίας",
                 "Ιπποκράτους", "Σολωμού"),
        cities=(("Αθήνα", ("105 63", "112 51", "114 72", "115 21"), ""),
                ("Θεσσαλονίκη", ("546 22", "546 35", "552 36"), ""),
                ("Πάτρα", ("262 21", "262 23"), ""), ("Ηράκλειο", ("712 01", "713 05"), ""),
                ("Λάρισα", ("412 21", "412 22"), ""), ("Βόλος", ("382 21", "383 33"), ""),
                ("Ιωάννινα", ("452 21", "454 44"), ""), ("Χανιά", ("731 31", "731 34"), "")),
        domains=("mail.gr.example", "example.org"),
        service_number="+302108201500",
    ),
    "cs": Country(
        "cs", "CZ", "Europe/Prague",
        male=_names("Jan Petr Jiří Josef Pavel Martin Tomáš Jaroslav Miroslav Zdeněk Lukáš Jakub "
                    "Ondřej Václav Michal David"),
        female=_names("Jana Marie Eva Hana Anna Lenka Kateřina Lucie Věra Alena Petra Veronika "
                      "Tereza Markéta Zuzana Jitka"),
        surnames=_pairs("Novák/Nováková Svoboda/Svobodová Novotný/Novotná Dvořák/Dvořáková "
                        "Černý/Černá Procházka/Procházková Kučera/Kučerová Veselý/Veselá "
                        "Horák/Horáková Němec/Němcová Pokorný/Pokorná Marek/Marková "
                        "Pospíšil/Pospíšilová Hájek/Hájková Jelínek/Jelínková Král/Králová "
                        "Růžička/Růžičková Beneš/Benešová Fiala/Fialová Sedláček/Sedláčková "
                        "Doležal/Doležalová Zeman/Zemanová Kolář/Kolářová Krejčí/Krejčí "
                        "Navrátil/Navrátilová Čermák/Čermáková"),
        shared_surname=True,
        streets=("Korunní", "Vinohradská", "Husova", "Palackého", "Masarykova", "Nádražní",
                 "Komenského", "Smetanova", "Jiráskova", "Tylova", "Lidická", "Na Příkopě"),
        cities=(("Praha 2", ("120 00",), ""), ("Praha 3", ("130 00",), ""),
                ("Praha 6", ("160 00",), ""), ("Brno", ("602 00", "612 00"), ""),
                ("Ostrava", ("702 00",), ""), ("Plzeň", ("301 00",), ""),
                ("Olomouc", ("779 00",), ""), ("Liberec", ("460 01",), ""),
                ("České Budějovice", ("370 01",), ""), ("Hradec Králové", ("500 02",), "")),
        domains=("posta.cz.example", "mail.cz.example", "example.net"),
        service_number="+420225990500",
    ),
    "sv": Country(
        "sv", "SE", "Europe/Stockholm",
        male=_names("Erik Lars Karl Anders Johan Per Nils Mikael Oskar Lucas William Hugo Axel "
                    "Magnus Björn Henrik"),
        female=_names("Anna Maria Eva Karin Kristina Lena Sara Emma Elin Ida Maja Astrid Ingrid "
                      "Linnéa Frida Sofia"),
        surnames=_pairs("Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson "
                        "Svensson Gustafsson Pettersson Jonsson Hansson Bengtsson Lindberg "
                        "Lindqvist Lindström Bergström Sandberg Forsberg Sjöberg Wallin Engström "
                        "Holm Åberg Lundgren Nyström Hedlund"),
        shared_surname=True,
        streets=("Storgatan", "Drottninggatan", "Kungsgatan", "Vasagatan", "Skolgatan",
                 "Parkvägen", "Björkvägen", "Ringvägen", "Linnégatan", "Södra vägen",
                 "Sveavägen", "Järnvägsgatan"),
        cities=(("Stockholm", ("113 46", "116 28", "118 53"), ""),
                ("Göteborg", ("411 38", "413 01", "414 63"), ""),
                ("Malmö", ("211 43", "214 21"), ""), ("Uppsala", ("752 36", "753 20"), ""),
                ("Västerås", ("722 15",), ""), ("Örebro", ("702 11",), ""),
                ("Linköping", ("582 24",), ""), ("Umeå", ("903 26",), ""),
                ("Lund", ("222 21",), "")),
        domains=("post.se.example", "mail.se.example", "example.org"),
        service_number="+46858801500",
    ),
    "id": Country(
        "id", "ID", "Asia/Jakarta",
        male=_names("Budi Agus Andi Dedi Hendra Rudi Joko Bambang Eko Rizky Fajar Arif Dimas "
                    "Yusuf Wayan Gede"),
        female=_names("Siti Dewi Sri Rina Ayu Fitri Nur Putri Indah Wulan Ratna Kartika Lestari "
                      "Nadia Maya Intan"),
        surnames=tuple(zip(
            _names("Santoso Wijaya Saputra Hidayat Pratama Kurniawan Setiawan Nugroho Gunawan "
                   "Siregar Nasution Lubis Harahap Wibowo Purnomo Rahman"),
            _names("Rahmawati Lestari Wulandari Sari Puspitasari Handayani Anggraini Permatasari "
                   "Kusuma Siregar Nasution Wijaya Utami Susanti Maharani Safitri"),
            strict=True,
        )),
        shared_surname=False,
        streets=("Merdeka", "Jenderal Sudirman", "Diponegoro", "Gatot Subroto", "Ahmad Yani",
                 "Pahlawan", "Veteran", "Kartini", "Cendrawasih", "Melati", "Anggrek",
                 "Kenanga"),
        cities=(("Jakarta Selatan", ("12190",), "Kel. Senayan, Kec. Kebayoran Baru"),
                ("Bandung", ("40135",), "Kel. Dago, Kec. Coblong"),
                ("Surabaya", ("60286",), "Kel. Airlangga, Kec. Gubeng"),
                ("Yogyakarta", ("55224",), "Kel. Kotabaru, Kec. Gondokusuman"),
                ("Medan", ("20153",), "Kel. Darat, Kec. Medan Baru"),
                ("Semarang", ("50256",), "Kel. Jomblang, Kec. Candisari"),
                ("Denpasar", ("80113",), "Kel. Dauh Puri, Kec. Denpasar Barat"),
                ("Makassar", ("90231",), "Kel. Pandang, Kec. Panakkukang")),
        domains=("mail.id.example", "surel.id.example", "example.com"),
        service_number="+622150881500",
    ),
}


@dataclass(frozen=True)
class Person:
    language: str
    gender: str  # m | f
    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def person(rng: random.Random, country: Country, gender: str | None = None,
           surname: tuple[str, str] | None = None) -> Person:
    gender = gender or rng.choice("mf")
    first = rng.choice(country.male if gender == "m" else country.female)
    male, female = surname or rng.choice(country.surnames)
    return Person(country.language, gender, first, male if gender == "m" else female)


def partner_of(rng: random.Random, country: Country, customer: Person) -> Person:
    gender = "f" if customer.gender == "m" or rng.random() < 0.05 else "m"
    surname = None
    if country.shared_surname:
        surname = next(pair for pair in country.surnames
                       if customer.last in pair)
    found = person(rng, country, gender, surname)
    while found.first == customer.first:
        found = person(rng, country, gender, surname)
    return found


def address(rng: random.Random, country: Country) -> Address:
    city, postcodes, extra = rng.choice(country.cities)
    street = rng.choice(country.streets)
    postcode = rng.choice(postcodes)
    number = rng.randint(1, 120)
    code = country.language
    if code == "en":
        inward = f"{rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
                 f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        flat = f"Flat {rng.randint(1, 12)}, " if rng.random() < 0.2 else ""
        return Address((f"{flat}{number} {street}", city, f"{postcode} {inward}"), city)
    if code == "cs":
        house = f"{rng.randint(100, 2999)}/{number}"
        return Address((f"{street} {house}", f"{postcode} {city}"), city.split(" ")[0]
                       if city.startswith("Praha") else city)
    if code == "id":
        line = f"Jl. {street} No. {number}, RT {rng.randint(1, 12):03d}/RW {rng.randint(1, 9):03d}"
        return Address((line, extra, f"{city} {postcode}"), city)
    if code == "sv" and rng.random() < 0.3:
        return Address((f"{street} {number}", f"lgh {rng.randint(10, 14)}{rng.randint(1, 9):02d}",
                        f"{postcode} {city}"), city)
    return Address((f"{street} {number}", f"{postcode} {city}"), city)


def address_key(found: Address) -> str:
    """What the core compares addresses by."""
    return f"address:{normalize_address(found.text)}"


_LATIN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "'": "", " ": ""})
_SWEDISH = str.maketrans({"å": "a", "ä": "a", "ö": "o"})
_GREEK_PAIRS = (("ου", "ou"), ("αι", "ai"), ("ει", "ei"), ("οι", "oi"), ("ευ", "ev"),
                ("αυ", "av"), ("γγ", "ng"), ("γκ", "gk"), ("μπ", "mp"), ("ντ", "nt"),
                ("θ", "th"), ("χ", "ch"), ("ψ", "ps"))
_GREEK = str.maketrans(dict(zip("αβγδεζηικλμνξοπρσςτυφω", "avgdeziiklmnxoprsstyfo",
                                strict=True)))


def ascii_name(text: str, language: str) -> str:
    """A name as people write it in an email address: ``Jürgen`` → ``juergen``,
    ``Γιώργος`` → ``giorgos``, ``Čermák`` → ``cermak``."""
    text = text.casefold()
    if language == "el":
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                       if not unicodedata.combining(ch))
        for greek, latin in _GREEK_PAIRS:
            text = text.replace(greek, latin)
        text = text.translate(_GREEK)
    elif language == "de":
        text = text.translate(_LATIN)
    elif language == "sv":
        text = text.translate(_SWEDISH)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(ch))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def email_address(rng: random.Random, country: Country, who: Person) -> str:
    first, last = ascii_name(who.first, who.language), ascii_name(who.last, who.language)
    year = rng.randint(55, 99) if rng.random() < 0.5 else rng.randint(1, 30)
    local = rng.choice((
        f"{first}.{last}", f"{first}{last}", f"{first[0]}.{last}", f"{first}.{last}{year:02d}",
        f"{last}.{first}", f"{first}_{last}{year:02d}", f"{first}{year:02d}",
    ))
    return f"{local}@{rng.choice(country.domains)}"


# Mobile prefixes per region (national significant number), and its length.
_MOBILE: dict[str, tuple[tuple[str, ...], int]] = {
    "DE": (("151", "152", "157", "160", "170", "171", "172", "175", "176", "177", "178",
            "179"), 11),
    "GR": (("690", "693", "694", "695", "697", "698", "699"), 10),
    "CZ": (("601", "602", "603", "604", "605", "606", "607", "608", "702", "720", "721",
            "723", "724", "730", "731", "732", "736", "737", "739", "770", "773", "774",
            "775", "776", "777", "778"), 9),
    "SE": (("70", "72", "73", "76", "79"), 9),
    "ID": (("811", "812", "813", "821", "822", "852", "853", "856", "857", "858", "877",
            "878", "895", "896", "897", "898", "899", "817", "818", "819", "859", "831",
            "832", "838"), 11),
}
_COUNTRY_CODES = {"GB": "44", "DE": "49", "GR": "30", "CZ": "420", "SE": "46", "ID": "62"}


def phone_number(rng: random.Random, country: Country) -> str:
    """A mobile number in E.164 (how Twilio reports it)."""
    region = country.region
    if region == "GB":
        # Ofcom's drama range; then its drama landline ranges if a big demo runs out.
        if rng.random() < 0.97:
            return f"+447700900{rng.randint(0, 999):03d}"
        return f"+44{rng.choice(('113496', '114496', '115496', '117496', '118496'))}" \
               f"{rng.randint(0, 999):04d}"
    prefixes, length = _MOBILE[region]
    while True:
        prefix = rng.choice(prefixes)
        rest = "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix)))
        number = f"+{_COUNTRY_CODES[region]}{prefix}{rest}"
        if phonenumbers.is_valid_number(phonenumbers.parse(number)):
            return number


def national_format(number: str) -> str:
    """``+447700900123`` → ``07700 900123``: how people write their own number."""
    return phonenumbers.format_number(
        phonenumbers.parse(number), phonenumbers.PhoneNumberFormat.NATIONAL
    )


def _iban(country: str, bban: str) -> str:
    digits = "".join(str(int(ch, 36)) for ch in f"{bban}{country}00")
    check = 98 - int(digits) % 97
    raw = f"{country}{check:02d}{bban}"
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _czech_account(rng: random.Random) -> str:
    weights = (6, 3, 7, 9, 10, 5, 8, 4, 2, 1)
    while True:
        number = f"{rng.randint(10_000_000, 9_999_999_999):010d}"
        if sum(int(d) * w for d, w in zip(number, weights, strict=True)) % 11 == 0:
            return f"{int(number)}/{rng.choice(('0100', '0300', '0800', '2010', '0600', '3030'))}"


def bank_account(rng: random.Random, country: Country, holder: Person) -> str:
    """A bank account written the way customers of that country write it."""
    code = country.language
    if code == "en":
        return f"Sort code {rng.randint(10, 40)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}, " \
               f"account number {_digits(rng, 8)}"
    if code == "de":
        return _iban("DE", f"{rng.choice(('10050000', '37040044', '50010517', '70020270'))}"
                           f"{_digits(rng, 10)}")
    if code == "el":
        return _iban("GR", f"{rng.choice(('011', '017', '026', '014'))}{_digits(rng, 4)}"
                           f"{_digits(rng, 16)}")
    if code == "cs":
        return _czech_account(rng)
    if code == "sv":
        return f"clearingnummer {rng.choice(('5213', '6127', '8327-9', '3300', '9420'))}, " \
               f"kontonummer {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 3)}"
    bank, length = rng.choice((("BCA", 10), ("Mandiri", 13), ("BNI", 10), ("BRI", 15)))
    return f"{bank} {_digits(rng, length)} a.n. {holder.name}"
