"""A corpus of ``Inbound`` messages in six languages with the expected outcome.

Each language gets one book customer (email, phone, postal address, a policy
and a claim) and a story told across channels, plus an unknown sender. Every
item carries the thread and customer it must end up in (labels), and the cases
it exercises, so the test can check grouping and count each case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from channels.base import Inbound, SenderIdentity, stable_id

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

CASES = (
    "references_only",  # In-Reply-To unknown, References name an earlier mail
    "no_headers",  # reply from a client that drops all threading headers
    "second_address",  # another address naming policy and claim number
    "call_same_claim",
    "letter_same_claim",
    "sms_same_claim",
    "duplicate",
    "no_message_id",
    "auto_reply",
    "bounce",
    "unknown_sender",
    "account_issue",
)


@dataclass
class Person:
    lang: str
    name: str
    email: str
    phone: str
    address: str
    region: str
    policy: str
    claim: str


@dataclass
class Item:
    inbound: Inbound
    thread: str  # label: same label, same thread
    customer: str  # label: same label, same customer
    cases: tuple[str, ...] = ()
    auto: bool = False
    issue_type: str | None = None
    language: str | None = None
    duplicate_of: int | None = None  # index of the item it repeats


@dataclass
class Texts:
    subject: str
    first: str
    follow_up: str
    spouse: str
    call: str
    letter: str
    sms: str
    issue_subject: str
    issue_text: str
    issue_type: str
    ooo_subject: str
    ooo_text: str
    unknown_subject: str
    unknown_text: str
    unknown_again: str
    reply_prefix: str = "Re: "
    extra: dict[str, str] = field(default_factory=dict)


PEOPLE = [
    Person("en", "Oliver Smith", "oliver.smith@example.co.uk", "+44 7700 900123",
           "12 Baker Street, London NW1 6XE", "GB", "POL-100001", "CLM-2026-000101"),
    Person("de", "Jürgen Müller", "juergen.mueller@example.de", "+49 151 23456789",
           "Hauptstraße 5, 10115 Berlin", "DE", "POL-100002", "CLM-2026-000102"),
    Person("el", "Μαρία Παπαδοπούλου", "maria.papadopoulou@example.gr", "+30 691 234 5678",
           "Οδός Αθηνάς 21, 105 54 Αθήνα", "GR", "POL-100003", "CLM-2026-000103"),
    Person("cs", "Jan Novák", "jan.novak@example.cz", "+420 602 123 456",
           "Národní 10, 110 00 Praha 1", "CZ", "POL-100004", "CLM-2026-000104"),
    Person("sv", "Anna Svensson", "anna.svensson@example.se", "+46 70 123 45 67",
           "Storgatan 12, 111 22 Stockholm", "SE", "POL-100005", "CLM-2026-000105"),
    Person("id", "Budi Santoso", "budi.santoso@example.co.id", "+62 812 3456 7890",
           "Jalan Sudirman 45, Jakarta 10210", "ID", "POL-100006", "CLM-2026-000106"),
]

TEXTS = {
    "en": Texts(
        subject="Water damage in the kitchen",
        first="Good morning, a pipe burst in our kitchen last night and the floor is ruined. "
              "What do I need to send you?",
        follow_up="I have attached the plumber's invoice and the photos of the floor.",
        spouse="Hello, I am writing for my husband about policy {policy} and claim {claim}. "
               "The repair estimate is attached.",
        call="Customer called about claim {claim}, asked when the assessor will visit the house.",
        letter="Dear Sir or Madam,\nRegarding claim {claim} I enclose the original receipts "
               "for the damaged furniture.\nYours faithfully",
        sms="Hi, did you receive the photos for claim {claim}? Thanks",
        issue_subject="Question about my policy",
        issue_text="Please update my address, we have moved to 5 Elm Road, Leeds.",
        issue_type="account_change",
        ooo_subject="Automatic reply: Water damage in the kitchen",
        ooo_text="I am out of the office until Monday and will reply when I am back.",
        unknown_subject="Quote for home insurance",
        unknown_text="Hello, I would like a quote for insuring my flat in Manchester.",
        unknown_again="Hello again, could you also include cover for my bicycle in the quote?",
    ),
    "de": Texts(
        subject="Wasserschaden in der Küche",
        first="Guten Tag, gestern Nacht ist in unserer Küche ein Rohr geplatzt und der Boden "
              "ist zerstört. Welche Unterlagen brauchen Sie?",
        follow_up="Anbei sende ich die Rechnung des Installateurs und die Fotos vom Boden.",
        spouse="Guten Tag, ich schreibe für meinen Mann wegen der Police {policy} und des "
               "Schadens {claim}. Der Kostenvoranschlag liegt bei.",
        call="Kunde rief wegen Schaden {claim} an und fragte, wann der Gutachter kommt.",
        letter="Sehr geehrte Damen und Herren,\nzum Schadenfall {claim} übersende ich die "
               "Originalbelege für die beschädigten Möbel.\nMit freundlichen Grüßen",
        sms="Hallo, haben Sie die Fotos zu {claim} erhalten? Danke",
        issue_subject="Mein Vertrag",
        issue_text="Ich möchte mich über die lange Bearbeitungszeit beschweren, "
                   "das ist eine offizielle Beschwerde.",
        issue_type="complaint",
        ooo_subject="Abwesenheitsnotiz: Wasserschaden in der Küche",
        ooo_text="Ich bin bis Montag nicht im Büro und antworte nach meiner Rückkehr.",
        unknown_subject="Angebot Hausratversicherung",
        unknown_text="Guten Tag, ich hätte gern ein Angebot für eine Hausratversicherung "
                     "für meine Wohnung in München.",
        unknown_again="Guten Tag nochmals, könnten Sie auch mein Fahrrad mitversichern?",
        reply_prefix="AW: ",
    ),
    "el": Texts(
        subject="Ζημιά από νερό στην κουζίνα",
        first="Καλημέρα σας, χθες το βράδυ έσπασε ένας σωλήνας στην κουζίνα μας και το πάτωμα "
              "καταστράφηκε. Τι πρέπει να σας στείλω;",
        follow_up="Σας επισυνάπτω το τιμολόγιο του υδραυλικού και τις φωτογραφίες του πατώματος.",
        spouse="Καλημέρα, γράφω για τον σύζυγό μου σχετικά με το συμβόλαιο {policy} και τη "
               "ζημιά {claim}. Επισυνάπτω την προσφορά επισκευής.",
        call="Η πελάτισσα τηλεφώνησε για τη ζημιά {claim} και ρώτησε πότε θα έρθει ο πραγματογνώμονας.",
        letter="Αξιότιμοι κύριοι,\nσχετικά με τη ζημιά {claim} σας αποστέλλω τις πρωτότυπες "
               "αποδείξεις για τα κατεστραμμένα έπιπλα.\nΜε εκτίμηση",
        sms="Γεια σας, λάβατε τις φωτογραφίες για τη ζημιά {claim}; Ευχαριστώ",
        issue_subject="Το συμβόλαιό μου",
        issue_text="Θα ήθελα την ανανέωση του συμβολαίου μου για τον επόμενο χρόνο.",
        issue_type="renewal",
        ooo_subject="Αυτόματη απάντηση: Ζημιά από νερό στην κουζίνα",
        ooo_text="Βρίσκομαι εκτός γραφείου έως τη Δευτέρα και θα απαντήσω όταν επιστρέψω.",
        unknown_subject="Προσφορά ασφάλισης κατοικίας",
        unknown_text="Καλησπέρα, θα ήθελα μια προσφορά για την ασφάλιση του διαμερίσματός μου "
                     "στη Θεσσαλονίκη.",
        unknown_again="Καλησπέρα ξανά, μπορείτε να συμπεριλάβετε και το ποδήλατό μου στην προσφορά;",
        reply_prefix="ΑΠ: ",
    ),
    "cs": Texts(
        subject="Škoda způsobená vodou v kuchyni",
        first="Dobrý den, včera v noci nám v kuchyni praskla trubka a podlaha je zničená. "
              "Jaké doklady vám mám poslat?",
        follow_up="V příloze posílám fakturu od instalatéra a fotografie podlahy.",
        spouse="Dobrý den, píši za manžela ohledně smlouvy {policy} a pojistné události {claim}. "
               "Přikládám odhad opravy.",
        call="Klient volal kvůli pojistné události {claim} a ptal se, kdy přijde likvidátor.",
        letter="Vážení,\nk pojistné události {claim} zasílám originály účtenek za poškozený "
               "nábytek.\nS pozdravem",
        sms="Dobrý den, dostali jste fotky k události {claim}? Děkuji",
        issue_subject="Moje smlouva",
        issue_text="Platba za pojistné plnění stále nedorazila, jde o zpoždění platby už tři týdny.",
        issue_type="payment_delay",
        ooo_subject="Automatická odpověď: Škoda způsobená vodou v kuchyni",
        ooo_text="Jsem mimo kancelář do pondělí a odpovím po návratu.",
        unknown_subject="Nabídka pojištění domácnosti",
        unknown_text="Dobrý den, chtěl bych nabídku pojištění domácnosti pro byt v Brně.",
        unknown_again="Dobrý den znovu, můžete do nabídky zahrnout i moje kolo?",
        reply_prefix="Odp: ",
    ),
    "sv": Texts(
        subject="Vattenskada i köket",
        first="Hej, i natt sprack ett rör i vårt kök och golvet är förstört. "
              "Vilka handlingar behöver ni från mig?",
        follow_up="Här bifogar jag rörmokarens faktura och bilderna på golvet.",
        spouse="Hej, jag skriver för min man angående försäkring {policy} och skada {claim}. "
               "Offerten för reparationen är bifogad.",
        call="Kunden ringde om skada {claim} och frågade när besiktningsmannen kommer.",
        letter="Hej,\nangående skadeärende {claim} skickar jag originalkvittona för de "
               "skadade möblerna.\nMed vänliga hälsningar",
        sms="Hej, har ni fått bilderna till skada {claim}? Tack",
        issue_subject="Min försäkring",
        issue_text="Jag vill förnya min försäkring inför nästa år, vad kostar det?",
        issue_type="renewal",
        ooo_subject="Automatiskt svar: Vattenskada i köket",
        ooo_text="Jag är inte på kontoret förrän på måndag och svarar när jag är tillbaka.",
        unknown_subject="Offert hemförsäkring",
        unknown_text="Hej, jag skulle vilja ha en offert på hemförsäkring för min lägenhet i Malmö.",
        unknown_again="Hej igen, kan ni också ta med min cykel i offerten?",
        reply_prefix="SV: ",
    ),
    "id": Texts(
        subject="Kerusakan air di dapur",
        first="Selamat pagi, tadi malam pipa di dapur kami pecah dan lantainya rusak. "
              "Dokumen apa yang perlu saya kirim?",
        follow_up="Terlampir tagihan dari tukang ledeng dan foto lantai yang rusak.",
        spouse="Selamat pagi, saya menulis untuk suami saya mengenai polis {policy} dan klaim "
               "{claim}. Perkiraan biaya perbaikan terlampir.",
        call="Nasabah menelepon tentang klaim {claim} dan bertanya kapan surveyor akan datang.",
        letter="Dengan hormat,\nsehubungan dengan klaim {claim} bersama ini saya kirimkan "
               "kuitansi asli untuk perabot yang rusak.\nHormat saya",
        sms="Halo, apakah foto untuk klaim {claim} sudah diterima? Terima kasih",
        issue_subject="Polis saya",
        issue_text="Saya ingin menyampaikan keluhan karena layanan Anda sangat lambat.",
        issue_type="complaint",
        ooo_subject="Balasan otomatis: Kerusakan air di dapur",
        ooo_text="Saya sedang di luar kantor sampai hari Senin dan akan membalas setelah kembali.",
        unknown_subject="Penawaran asuransi rumah",
        unknown_text="Selamat siang, saya ingin penawaran asuransi untuk apartemen saya di Bandung.",
        unknown_again="Selamat siang lagi, apakah sepeda saya juga bisa dimasukkan ke penawaran?",
        reply_prefix="Balas: ",
    ),
}


def email(lang: str, n: int, sender: str, subject: str, text: str, at: datetime, *,
          message_id: str | None = "", in_reply_to: str | None = None,
          references: list[str] | None = None, headers: dict[str, str] | None = None,
          name: str = "") -> Inbound:
    if message_id == "":
        message_id = f"{lang}-{n}@mail.example"
    if message_id is None:  # what the email adapter does for mail without one
        message_id = stable_id(sender, at.isoformat(), subject, text)
    return Inbound(
        channel="email", external_id=message_id, received_at=at,
        sender=[SenderIdentity("email", sender)], sender_name=name, subject=subject, text=text,
        in_reply_to=in_reply_to, references=references or [], headers=headers or {},
    )


def build() -> list[Item]:
    items: list[Item] = []
    for p in PEOPLE:
        t = TEXTS[p.lang]
        day = START + timedelta(hours=PEOPLE.index(p))
        claim_thread, me = f"{p.lang}:claim", f"{p.lang}:customer"
        fmt = {"policy": p.policy, "claim": p.claim}

        base = len(items)
        first = email(p.lang, 1, p.email, f"{t.subject} {p.claim}", t.first, day, name=p.name)
        items.append(Item(first, claim_thread, me, language=p.lang, issue_type="claim"))
        # A reply whose In-Reply-To names something we never saw, but whose
        # References still name the first mail; its subject was edited.
        items.append(Item(
            email(p.lang, 2, p.email, "Photos", t.follow_up, day + timedelta(hours=5),
                  in_reply_to="lost-123@other.example",
                  references=[first.external_id, "lost-123@other.example"]),
            claim_thread, me, ("references_only",), language=p.lang))
        # A client that drops every threading header; only the subject is left.
        items.append(Item(
            email(p.lang, 3, p.email, f"{t.reply_prefix}{t.reply_prefix}{t.subject} {p.claim}",
                  t.follow_up, day + timedelta(days=1)),
            claim_thread, me, ("no_headers",), language=p.lang))
        items.append(Item(
            email(p.lang, 4, f"partner.{p.email}", "Documents", t.spouse.format(**fmt),
                  day + timedelta(days=2)),
            claim_thread, me, ("second_address",), language=p.lang))
        items.append(Item(
            Inbound(channel="call", external_id=f"CA{p.lang}0001", received_at=day + timedelta(days=3),
                    sender=[SenderIdentity("phone", p.phone)], text=t.call.format(**fmt),
                    extras={"status": "completed", "duration": 143}),
            claim_thread, me, ("call_same_claim",), language=p.lang))
        items.append(Item(
            Inbound(channel="letter", external_id=f"scan-{p.lang}-0001",
                    received_at=day + timedelta(days=4), sender_name=p.name,
                    sender=[SenderIdentity("address", p.address)], text=t.letter.format(**fmt)),
            claim_thread, me, ("letter_same_claim",), language=p.lang))
        items.append(Item(
            Inbound(channel="sms", external_id=f"SM{p.lang}0001", received_at=day + timedelta(days=4, hours=2),
                    sender=[SenderIdentity("phone", p.phone)], text=t.sms.format(**fmt)),
            claim_thread, me, ("sms_same_claim",), language=p.lang))
        # The first mail delivered again (a second IMAP folder, a re-sync).
        items.append(Item(
            email(p.lang, 1, p.email, f"{t.subject} {p.claim}", t.first, day, name=p.name),
            claim_thread, me, ("duplicate",), duplicate_of=base))

        issue_thread = f"{p.lang}:issue"
        no_id = email(p.lang, 5, p.email, t.issue_subject, t.issue_text, day + timedelta(days=5),
                      message_id=None)
        items.append(Item(no_id, issue_thread, me, ("no_message_id", "account_issue"),
                          language=p.lang, issue_type=t.issue_type))
        items.append(Item(
            email(p.lang, 5, p.email, t.issue_subject, t.issue_text, day + timedelta(days=5),
                  message_id=None),
            issue_thread, me, ("duplicate", "no_message_id"), duplicate_of=len(items) - 1))

        # The customer's own out-of-office answering our mail: stays in the
        # claim thread, asks for nothing.
        items.append(Item(
            email(p.lang, 6, p.email, t.ooo_subject, t.ooo_text, day + timedelta(days=6),
                  in_reply_to=first.external_id, headers={"auto-submitted": "auto-replied"}),
            claim_thread, me, ("auto_reply",), auto=True))
        # A bounce from a mail server, naming the mail it returns.
        items.append(Item(
            email(p.lang, 7, "MAILER-DAEMON@mx.example.net", "Undelivered Mail Returned to Sender",
                  "This is the mail system. Your message could not be delivered.",
                  day + timedelta(days=6, hours=1), references=[first.external_id],
                  headers={"content-type": "multipart/report; report-type=delivery-status",
                           "return-path": "<>"}),
            claim_thread, me, ("bounce",), auto=True))

        stranger, stranger_thread = f"{p.lang}:stranger", f"{p.lang}:stranger-thread"
        addr = f"prospect.{p.lang}@example.org"
        items.append(Item(
            email(p.lang, 8, addr, t.unknown_subject, t.unknown_text, day + timedelta(days=7)),
            stranger_thread, stranger, ("unknown_sender",), language=p.lang))
        items.append(Item(
            email(p.lang, 9, addr, f"{t.reply_prefix}{t.unknown_subject}", t.unknown_again,
                  day + timedelta(days=8)),
            stranger_thread, stranger, ("unknown_sender", "no_headers"), language=p.lang))
    return items
