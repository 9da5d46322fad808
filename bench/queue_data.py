"""A claims service's worth of data for bench/queue.py, loaded with COPY.

One transaction: TRUNCATE the loaded tables, drop the secondary indexes of
``threads`` and ``messages``, ``COPY ... (FREEZE)`` every table (rows are
frozen and marked all-visible as written, so no VACUUM pass is needed for
index-only scans), reset the id sequences, commit; then rebuild the indexes
and ANALYZE (see :func:`load`). Foreign keys are not checked row by row during the load
(``session_replication_role = replica``): the generator makes every reference
point at a row it wrote.

The shape (scaled by ``Sizes``): customers with email, phone and postal
identities; one or two policies for most, claims on a share of them, account
issues; ~300 users in five teams (reps, supervisors, leads, an admin);
threads mostly closed, tens of thousands open with due times spread around
now (a third overdue), some pending with a follow-up date; about half the
open work assigned; six languages; messages per thread from 1 to ~60 (mean
5) across email, call, SMS, letter and portal, with text sizes typical of
each (SMS a few hundred characters, letters' OCR text a few KB, emails from
a line to tens of KB and an HTML part for half of them), replies and
internal notes among them.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

import psycopg

LANGUAGES = ("en", "de", "el", "cs", "sv", "id")
LANGUAGE_WEIGHTS = (45, 20, 8, 9, 9, 9)
TEAMS = ("motor", "home", "travel", "life", "complaints")
CHANNELS = ("email", "call", "sms", "letter", "portal")
CHANNEL_WEIGHTS = (45, 20, 15, 10, 10)
BENCH_EMAIL = "bench.rep@insurer.test"
BENCH_TEAM = "home"

SENTENCES = {
    "en": ["My roof was damaged in the storm last night and water is coming into the kitchen.",
           "Please find attached the invoice from the builder and three photos of the damage.",
           "I have been waiting for two weeks now and nobody has called me back.",
           "Could you tell me when the payment will arrive in my account?",
           "The policy number is on the letter you sent me in March.",
           "Kind regards, and thank you for your help with this claim."],
    "de": ["Durch den Sturm gestern Nacht wurde unser Dach beschädigt.",
           "Anbei sende ich Ihnen die Rechnung des Handwerkers und drei Fotos.",
           "Ich warte jetzt schon seit zwei Wochen auf eine Rückmeldung.",
           "Können Sie mir bitte sagen, wann die Zahlung überwiesen wird?",
           "Die Versicherungsnummer steht auf Ihrem Schreiben vom März.",
           "Mit freundlichen Grüßen und vielen Dank für Ihre Hilfe."],
    "el": ["Η στέγη μας υπέστη ζημιά από την καταιγίδα χθες το βράδυ.",
           "Επισυνάπτω το τιμολόγιο του τεχνίτη και τρεις φωτογραφίες.",
           "Περιμένω ήδη δύο εβδομάδες και κανείς δεν με έχει καλέσει.",
           "Μπορείτε να μου πείτε πότε θα γίνει η πληρωμή;",
           "Ο αριθμός του συμβολαίου βρίσκεται στην επιστολή σας.",
           "Με εκτίμηση και ευχαριστώ για τη βοήθειά σας."],
    "cs": ["Včerejší bouře nám poškodila střechu a do kuchyně teče voda.",
           "V příloze posílám fakturu od řemeslníka a tři fotografie.",
           "Čekám už dva týdny a nikdo se mi neozval.",
           "Můžete mi prosím sdělit, kdy přijde platba na můj účet?",
           "Číslo pojistky je uvedeno v dopise, který jste mi poslali.",
           "S pozdravem a děkuji za vaši pomoc."],
    "sv": ["Stormen i natt skadade vårt tak och det läcker in vatten i köket.",
           "Bifogat finns fakturan från hantverkaren och tre foton.",
           "Jag har väntat i två veckor och ingen har ringt tillbaka.",
           "Kan ni berätta när utbetalningen kommer till mitt konto?",
           "Försäkringsnumret står i brevet ni skickade i mars.",
           "Med vänliga hälsningar och tack för hjälpen."],
    "id": ["Atap rumah kami rusak karena badai tadi malam.",
           "Terlampir faktur dari tukang dan tiga foto kerusakan.",
           "Saya sudah menunggu dua minggu dan belum ada yang menghubungi saya.",
           "Kapan pembayaran akan masuk ke rekening saya?",
           "Nomor polis tertera pada surat yang Anda kirim bulan Maret.",
           "Hormat saya dan terima kasih atas bantuannya."],
}
SUBJECTS = {
    "en": ["Storm damage to roof", "Water leak in kitchen", "Car accident", "Payment not received",
           "Change of address", "Renewal question", "Complaint about handling", "Stolen bike"],
    "de": ["Sturmschaden am Dach", "Wasserschaden", "Autounfall", "Zahlung nicht erhalten",
           "Adressänderung", "Frage zur Verlängerung", "Beschwerde", "Fahrrad gestohlen"],
    "el": ["Ζημιά στη στέγη", "Διαρροή νερού", "Τροχαίο ατύχημα", "Δεν έλαβα την πληρωμή",
           "Αλλαγή διεύθυνσης", "Ανανέωση συμβολαίου", "Παράπονο", "Κλοπή ποδηλάτου"],
    "cs": ["Poškození střechy", "Vytopená kuchyně", "Dopravní nehoda", "Platba nepřišla",
           "Změna adresy", "Dotaz k obnovení", "Stížnost", "Ukradené kolo"],
    "sv": ["Stormskada på taket", "Vattenläcka", "Bilolycka", "Utbetalning saknas",
           "Adressändring", "Fråga om förnyelse", "Klagomål", "Stulen cykel"],
    "id": ["Kerusakan atap", "Kebocoran air", "Kecelakaan mobil", "Pembayaran belum diterima",
           "Perubahan alamat", "Pertanyaan perpanjangan", "Keluhan", "Sepeda dicuri"],
}
FIRST = {"en": ["Oliver", "Amelia", "George", "Isla", "Harry", "Ava"],
         "de": ["Lukas", "Mia", "Jonas", "Hannah", "Felix", "Lea"],
         "el": ["Γιώργος", "Μαρία", "Νίκος", "Ελένη", "Δημήτρης", "Σοφία"],
         "cs": ["Jiří", "Tereza", "Jan", "Eliška", "Petr", "Anna"],
         "sv": ["Erik", "Elsa", "Lars", "Astrid", "Nils", "Maja"],
         "id": ["Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri"]}
LAST = {"en": ["Smith", "Jones", "Taylor", "Brown", "Wilson"],
        "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber"],
        "el": ["Παπαδόπουλος", "Νικολάου", "Γεωργίου", "Οικονόμου", "Δημητρίου"],
        "cs": ["Novák", "Svoboda", "Novotný", "Dvořák", "Černý"],
        "sv": ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson"],
        "id": ["Santoso", "Wijaya", "Hidayat", "Saputra", "Pratama"]}
PHONE_PREFIX = {"en": "+447700", "de": "+49151", "el": "+30690", "cs": "+420601",
                "sv": "+46701", "id": "+62812"}

_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
NULL = "\\N"


def esc(text: str) -> str:
    """A value in COPY's text format."""
    return text.translate(_ESCAPE)


@dataclass(frozen=True)
class Sizes:
    customers: int = 50_000
    threads: int = 200_000
    messages: int = 1_000_000
    users: int = 300

    @classmethod
    def scaled(cls, messages: int) -> Sizes:
        """The default proportions for ``messages`` messages."""
        k = messages / 1_000_000
        return cls(customers=max(100, int(50_000 * k)), threads=max(20, int(200_000 * k)),
                   messages=messages, users=max(12, min(300, int(300 * k ** 0.5))))


@dataclass
class ThreadRow:
    id: int
    customer: int
    language: str
    channel: str
    status: str
    assignee: int | None
    created: datetime
    last: datetime
    needs_reply: bool
    subject: str
    messages: int


def _text(rng: random.Random, language: str, size: int) -> str:
    sentences = SENTENCES[language]
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = rng.choice(sentences)
        parts.append(sentence + ("\n\n" if rng.random() < 0.25 else " "))
        length += len(sentence) + 1
    return "".join(parts)[:size].rstrip()


class TextPool:
    """Pre-made, pre-escaped texts per (kind, language): a message picks one,
    so a million rows cost no text generation."""

    # kind: (median characters, spread of the log-normal, cap)
    SIZES: ClassVar[dict[str, tuple[int, float, int]]] = {
        "email": (900, 0.9, 30_000), "reply": (700, 0.6, 8_000), "call": (1200, 0.7, 12_000),
        "sms": (160, 0.6, 480), "letter": (1800, 0.5, 9_000), "portal": (500, 0.8, 6_000),
        "note": (150, 0.6, 2_000),
    }

    def __init__(self, rng: random.Random, per_language: int = 150) -> None:
        import math

        self.pool: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for kind, (median, sigma, cap) in self.SIZES.items():
            for language in LANGUAGES:
                entries = []
                for _ in range(per_language):
                    size = max(20, min(cap, int(rng.lognormvariate(math.log(median), sigma))))
                    text = _text(rng, language, size)
                    html = ""
                    if kind in ("email", "reply") and rng.random() < 0.5:
                        html = "<html><body>" + "".join(
                            f"<p>{p}</p>" for p in text.split("\n\n")) + "</body></html>"
                    entries.append((esc(text), esc(html)))
                self.pool[kind, language] = entries

    def pick(self, rng: random.Random, kind: str, language: str) -> tuple[str, str]:
        return rng.choice(self.pool[kind, language])


def _ts(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def _line(*values: object) -> str:
    return "\t".join(NULL if v is None else str(v) for v in values) + "\n"


def _copy_value(value: object) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        return esc(json.dumps(value))
    if isinstance(value, datetime):
        return value.isoformat()
    return esc(str(value))


def model_defaults(cur: psycopg.Cursor, table: str, columns: str) -> tuple[str, str]:
    """Columns the generator does not write but the table requires (NOT NULL,
    no server default: added by a later migration), with the model's default
    for each: the column list and the values to append to every row."""
    from db import Base
    from inbox import models  # noqa: F401 - registers every table on Base.metadata

    cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                "AND is_nullable = 'NO' AND column_default IS NULL", (table,))
    written = {c.strip().strip('"') for c in columns.split(",")}
    names, values = [], []
    for (name,) in cur.fetchall():
        if name in written:
            continue
        default = Base.metadata.tables[table].c[name].default
        if default is None:
            raise SystemExit(f"bench/queue_data.py: {table}.{name} is required and has no "
                             f"default in the model: the generator must write it")
        arg = getattr(default, "arg", None)
        value = arg(None) if callable(arg) else arg
        names.append(name)
        values.append(_copy_value(value))
    return "".join(f", {n}" for n in names), "".join(f"\t{v}" for v in values)


def copy_rows(cur: psycopg.Cursor, table: str, columns: str, lines: Iterable[str]) -> int:
    """COPY text lines into ``table`` (required columns the lines lack get
    the model's default); returns the row count."""
    more_columns, more_values = model_defaults(cur, table, columns)
    count = 0
    with cur.copy(f"COPY {table} ({columns}{more_columns}) FROM STDIN (FREEZE)") as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(f"{line[:-1]}{more_values}\n" if more_values else line)
            if len(chunk) >= 5000:
                copy.write("".join(chunk))
                count += len(chunk)
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))
            count += len(chunk)
    return count


class Generator:
    def __init__(self, sizes: Sizes, now: datetime, seed: int) -> None:
        self.sizes = sizes
        self.now = now
        self.rng = random.Random(seed)
        self.customer_language: list[str] = [""]  # index = id
        self.customer_email: list[str] = [""]
        self.customer_phone: list[str] = [""]
        self.policies: list[tuple[int, int]] = []  # (policy id, customer id)
        self.claims: list[tuple[int, int, int]] = []  # (claim id, policy id, customer id)
        self.issues: list[tuple[int, int, str]] = []  # (issue id, customer id, kind)
        self.reps: dict[str, list[int]] = {t: [] for t in TEAMS}
        self.supervisors: list[int] = []
        self.threads: list[ThreadRow] = []

    # --- the book of business ------------------------------------------------------

    def users(self) -> Iterator[str]:
        rng, n = self.rng, self.sizes.users
        for uid in range(1, n + 1):
            team = TEAMS[uid % len(TEAMS)]
            role = ("admin" if uid == 1 else "lead" if uid <= 1 + len(TEAMS)
                    else "supervisor" if uid <= 1 + 4 * len(TEAMS) else "rep")
            if uid == 1 + 4 * len(TEAMS) + 1:
                email, team = BENCH_EMAIL, BENCH_TEAM
            else:
                email = f"user{uid}@insurer.test"
            (self.reps[team] if role == "rep" else self.supervisors
             if role == "supervisor" else []).append(uid)
            lang = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
            name = f"{rng.choice(FIRST[lang])} {rng.choice(LAST[lang])}"
            limit = {"rep": 5000, "supervisor": 50000, "lead": 250000}.get(role)
            # The bench user's creation time marks when the data was made
            # (bench/queue.py --reuse shifts the times by the age of the data).
            created = self.now if email == BENCH_EMAIL else self.now - timedelta(days=800)
            yield _line(uid, email, esc(name), role, team, "", "t", limit, _ts(created))

    def customers(self) -> Iterator[str]:
        rng = self.rng
        for cid in range(1, self.sizes.customers + 1):
            lang = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
            first, last = rng.choice(FIRST[lang]), rng.choice(LAST[lang])
            self.customer_language.append(lang)
            self.customer_email.append(f"c{cid}.{rng.randrange(10**6)}@mail.example.{lang}")
            self.customer_phone.append(f"{PHONE_PREFIX[lang]}{cid:07d}")
            created = self.now - timedelta(days=rng.uniform(30, 3000))
            yield _line(cid, f"C{cid:07d}", esc(f"{first} {last}"), lang,
                        esc(f"{rng.randint(1, 200)} High Street\nTown {cid % 997}"),
                        "letter" if rng.random() < 0.05 else None,
                        "t" if rng.random() < 0.95 else "f", None, _ts(created))

    def identities(self) -> Iterator[str]:
        rng, iid = self.rng, 0
        created = _ts(self.now - timedelta(days=30))
        for cid in range(1, self.sizes.customers + 1):
            rows = []
            if rng.random() < 0.9:
                rows.append(("email", self.customer_email[cid]))
            if rng.random() < 0.7:
                rows.append(("phone", self.customer_phone[cid]))
            if rng.random() < 0.3:
                rows.append(("address", f"{cid} high street town {cid % 997}"))
            for kind, value in rows:
                iid += 1
                yield _line(iid, cid, kind, esc(value), "t", "import", created)

    def policies_rows(self) -> Iterator[str]:
        rng, pid = self.rng, 0
        for cid in range(1, self.sizes.customers + 1):
            for _ in range(rng.choices((0, 1, 2, 3), (10, 60, 25, 5))[0]):
                pid += 1
                self.policies.append((pid, cid))
                start = (self.now - timedelta(days=rng.uniform(0, 1500))).date()
                yield _line(pid, f"POL-{pid:06d}", cid,
                            rng.choice(("home", "motor", "travel", "life")),
                            "active" if rng.random() < 0.85 else "lapsed", start,
                            start + timedelta(days=365), start + timedelta(days=365),
                            rng.choice((10000, 50000, 250000)), rng.choice((100, 250, 500)), "[]")

    def claims_rows(self) -> Iterator[str]:
        rng, kid = self.rng, 0
        statuses = ("received", "in_review", "info_requested", "approved", "denied", "paid",
                    "closed")
        for pid, cid in self.policies:
            if rng.random() < 0.45:
                kid += 1
                self.claims.append((kid, pid, cid))
                created = self.now - timedelta(days=rng.uniform(0, 700))
                yield _line(kid, f"CLM-{created.year}-{kid:06d}", pid,
                            rng.choices(statuses, (10, 20, 10, 5, 5, 20, 30))[0],
                            (created - timedelta(days=3)).date(),
                            f"{rng.uniform(100, 20000):.2f}", "Storm damage", _ts(created),
                            rng.choice(("storm", "theft", "flood", "collision", None)), None)

    def issues_rows(self) -> Iterator[str]:
        rng = self.rng
        kinds = ("renewal", "account_change", "complaint", "payment_delay", "other")
        for aid in range(1, self.sizes.customers // 4 + 1):
            cid = rng.randint(1, self.sizes.customers)
            kind = rng.choices(kinds, (30, 30, 15, 15, 10))[0]
            self.issues.append((aid, cid, kind))
            created = self.now - timedelta(days=rng.uniform(0, 700))
            yield _line(aid, cid, None, kind, rng.choice(("open", "resolved", "closed")),
                        esc(kind.replace("_", " ")), "{}", _ts(created),
                        _ts(created + timedelta(days=14)), None)

    # --- conversations ---------------------------------------------------------------

    def thread_rows(self) -> Iterator[str]:
        rng, now, sizes = self.rng, self.now, self.sizes
        counts = [1 + min(int(rng.expovariate(1 / 4)), 60) for _ in range(sizes.threads)]
        diff = sizes.messages - sum(counts)
        while diff:
            i = rng.randrange(sizes.threads)
            if diff > 0:
                counts[i] += 1
                diff -= 1
            elif counts[i] > 1:
                counts[i] -= 1
                diff += 1
        all_reps = [u for team in TEAMS for u in self.reps[team]]
        issue_types = ("claim", "renewal", "account_change", "complaint", "payment_delay",
                       "other", None)
        for tid in range(1, sizes.threads + 1):
            status = rng.choices(("closed", "open", "pending"), (75, 20, 5))[0]
            kind = rng.choices(issue_types, (40, 8, 8, 5, 5, 10, 24))[0]
            claim_id = policy_id = issue_id = None
            if kind == "claim" and self.claims:
                claim_id, policy_id, cid = rng.choice(self.claims)
            elif kind in ("renewal", "account_change", "complaint", "payment_delay") and \
                    rng.random() < 0.7 and self.issues:
                issue_id, cid, kind = rng.choice(self.issues)
            else:
                cid = 1 + int(sizes.customers * rng.random() ** 1.5)  # some write a lot
            language = self.customer_language[cid] if rng.random() < 0.95 \
                else rng.choice(LANGUAGES)
            channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
            due: datetime | None
            follow_up: datetime | None = None
            assignee: int | None
            if status == "closed":
                created = now - timedelta(days=rng.uniform(3, 730))
                last = created + timedelta(hours=rng.uniform(0.5, 24 * 20))
                due = created + timedelta(hours=24)
                assignee = rng.choice(all_reps)
                needs_reply = False
            else:
                created = now - timedelta(hours=rng.uniform(1, 24 * 30))
                last = created + (now - created) * rng.random()
                if status == "open":
                    r = rng.random()
                    due = (None if r < 0.05 else
                           now - timedelta(hours=rng.uniform(0, 24 * 7)) if r < 0.38 else
                           now + timedelta(hours=rng.uniform(0, 24 * 3)))
                    needs_reply = rng.random() < 0.85
                else:
                    due = None
                    follow_up = now + timedelta(hours=rng.uniform(1, 24 * 14))
                    needs_reply = False
                assignee = rng.choice(all_reps) if rng.random() < 0.55 else None
            subject = rng.choice(SUBJECTS[language]) if channel in ("email", "portal", "letter") \
                else ""
            if claim_id is not None and subject:
                subject += f" CLM-{created.year}-{claim_id:06d}"
            self.threads.append(ThreadRow(tid, cid, language, channel, status, assignee,
                                          created, last, needs_reply, subject, counts[tid - 1]))
            priority = rng.choices(("low", "normal", "high", "urgent"), (10, 75, 12, 3))[0]
            first_response = created + timedelta(hours=rng.uniform(0.2, 30)) \
                if status == "closed" or rng.random() < 0.5 else None
            yield _line(tid, cid, esc(subject), esc(subject.lower()), status, priority,
                        assignee, claim_id, policy_id, issue_id,
                        kind if kind is not None else None, language,
                        "t" if needs_reply else "f", _ts(due), _ts(first_response), _ts(last),
                        _ts(last), _ts(follow_up), None, _ts(created))

    def message_rows(self, pool: TextPool) -> Iterator[str]:
        rng = self.rng
        all_reps = [u for team in TEAMS for u in self.reps[team]]
        mid = 0
        for t in self.threads:
            span = (t.last - t.created).total_seconds()
            offsets = [*sorted(rng.random() * span for _ in range(t.messages - 1)), span]
            previous: str | None = None
            for n, offset in enumerate(offsets):
                mid += 1
                received = t.created + timedelta(seconds=offset)
                last = n == len(offsets) - 1
                r = rng.random()
                direction = ("inbound" if n == 0 or (last and t.needs_reply) or r < 0.55
                             else "outbound" if r < 0.92 else "note")
                channel = t.channel if rng.random() < 0.75 else \
                    rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
                extras, auto = "{}", "f"
                author: int | None = None
                raw_ref: str | None = None
                in_reply_to: str | None = None
                sender = recipient = sender_name = subject = ""
                references = "[]"
                if direction == "note":
                    channel, external = "note", f"note-{mid:032x}"
                    text, html = pool.pick(rng, "note", t.language)
                    author = t.assignee or rng.choice(all_reps)
                elif channel == "email":
                    external = f"{mid:x}.{t.id:x}@mail.example.{t.language}"
                    kind = "email" if direction == "inbound" else "reply"
                    text, html = pool.pick(rng, kind, t.language)
                    subject = t.subject if n == 0 else f"Re: {t.subject}"
                    if previous is not None:
                        in_reply_to, references = previous, f'["{previous}"]'
                    previous = external
                    auto = "t" if direction == "inbound" and rng.random() < 0.01 else "f"
                elif channel == "call":
                    external = f"CA{mid:032x}"
                    text, html = pool.pick(rng, "call", t.language)
                    if rng.random() < 0.2:
                        text = ""  # missed call, no transcript
                    extras = (f'{{"duration": {rng.randint(5, 1800)}, '
                              f'"recording_sid": "RE{mid:032x}", "status": "completed"}}')
                elif channel == "sms":
                    external = f"SM{mid:032x}"
                    text, html = pool.pick(rng, "sms", t.language)
                elif channel == "letter":
                    external = f"scan:{mid:064x}"
                    text, html = pool.pick(rng, "letter", t.language)
                    subject = t.subject
                    extras = f'{{"pages": {rng.randint(1, 4)}}}'
                else:
                    external = f"portal:{mid}"
                    text, html = pool.pick(rng, "portal", t.language)
                    subject = t.subject
                if direction == "inbound":
                    sender = self.customer_email[t.customer] if channel in ("email", "portal") \
                        else self.customer_phone[t.customer] if channel in ("call", "sms") else ""
                    recipient = "claims@insurer.test" if channel == "email" else ""
                    raw_ref = f"{mid:064x}"
                elif direction == "outbound":
                    author = t.assignee or rng.choice(all_reps)
                    recipient = self.customer_email[t.customer] if channel == "email" else \
                        self.customer_phone[t.customer] if channel == "sms" else ""
                yield _line(mid, t.id, t.customer, channel, direction, esc(external),
                            esc(sender), sender_name, esc(recipient), esc(subject), text, html,
                            t.language, _ts(received), auto, raw_ref,
                            esc(in_reply_to) if in_reply_to else None, references, extras,
                            author, _ts(received))

    def escalation_rows(self) -> Iterator[str]:
        rng, eid = self.rng, 0
        for t in self.threads:
            if t.status == "open" and t.subject and rng.random() < 0.01 and self.supervisors:
                eid += 1
                yield _line(eid, None, None, t.id, "rep", t.assignee, rng.choice(self.supervisors),
                            "", "Above my authority", "open", "", "", None, _ts(t.last), None)


LOAD_ORDER = [
    ("users", "id, email, name, role, team, password_hash, active, authority_limit, created_at",
     "users"),
    ("customers", "id, ref, name, language, address, preferred_channel, verified, "
     "merged_into_id, created_at", "customers"),
    ("customer_identities", "id, customer_id, kind, value, verified, source, created_at",
     "identities"),
    ("policies", "id, number, customer_id, product, status, start_date, end_date, renewal_date, "
     "coverage_limit, deductible, exclusions", "policies_rows"),
    ("claims", "id, number, policy_id, status, loss_date, amount_claimed, description, "
     "created_at, cause, amount_approved", "claims_rows"),
    ("account_issues", "id, customer_id, policy_id, kind, status, summary, details, created_at, "
     "due_at, resolved_at", "issues_rows"),
    ("threads", "id, customer_id, subject, subject_key, status, priority, assignee_id, claim_id, "
     "policy_id, account_issue_id, issue_type, language, needs_reply, due_at, "
     "first_response_at, last_message_at, last_inbound_at, follow_up_at, merged_into_id, "
     "created_at", "thread_rows"),
    ("messages", 'id, thread_id, customer_id, channel, direction, external_id, sender, '
     'sender_name, recipient, subject, text, html, language, received_at, auto, raw_ref, '
     'in_reply_to, "references", extras, author_id, created_at', "message_rows"),
    ("escalations", "id, claim_id, account_issue_id, thread_id, source, raised_by, "
     "supervisor_id, team, reason, status, decision, decision_note, decided_by, created_at, "
     "decided_at", "escalation_rows"),
]
# Rebuilt after the load rather than maintained row by row.
REBUILT = ("threads", "messages")
SEARCH_INDEX = "ix_messages_search"


def _secondary_indexes(cur: psycopg.Cursor, table: str) -> list[tuple[str, str, str]]:
    """(name, drop, create) statements for the table's indexes other than its
    primary key; unique constraints go back as constraints."""
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname,
                  pg_get_constraintdef(c.oid)
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u'
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""", (table,))
    out = []
    for index, definition, constraint, condef in cur.fetchall():
        if constraint:
            out.append((index, f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"',
                        f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {condef}'))
        else:
            out.append((index, f'DROP INDEX "{index}"', definition))
    return out


def load(dsn: str, sizes: Sizes, now: datetime, seed: int = 7,
         say: Callable[[str], None] = print, search_index: bool = False) -> dict[str, float]:
    """Fill the migrated database at ``dsn`` (emptied first); returns seconds per step.

    After the COPY: ANALYZE, the unique constraints, then the other
    secondary indexes of threads and messages on two connections at once:
    the full-text GIN index of messages (migration 0010; a GIN build is not
    parallel and is the longest step) on one, the btree indexes on the
    other. The GIN index is left out unless ``search_index`` (the queue
    never reads it; it takes longer than all the rest).
    """
    timings: dict[str, float] = {}
    gen = Generator(sizes, now, seed)
    started = time.perf_counter()
    pool = TextPool(random.Random(seed + 1))
    timings["text pool"] = time.perf_counter() - started
    rebuild: list[tuple[str, str]] = []  # (index name, statement)
    with psycopg.connect(dsn, autocommit=False) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        tables = ", ".join(t for t, _, _ in LOAD_ORDER)
        cur.execute(f"TRUNCATE {tables}, api_tokens, audit_events RESTART IDENTITY CASCADE")
        for table in REBUILT:
            for name, drop, create in _secondary_indexes(cur, table):
                cur.execute(drop)  # type: ignore[arg-type]
                rebuild.append((name, create))
        for table, columns, method in LOAD_ORDER:
            step = time.perf_counter()
            lines = getattr(gen, method)(pool) if method == "message_rows" \
                else getattr(gen, method)()
            count = copy_rows(cur, table, columns, lines)
            timings[table] = time.perf_counter() - step
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"greatest(%s, 1), %s)", (count, count > 0))
            say(f"  {table:<20} {count:>9,} rows  {timings[table]:6.1f} s")
        conn.commit()

    # ANALYZE first: it would wait for a CREATE INDEX on the same table
    # (lock conflict), and it needs none of the indexes.
    with psycopg.connect(dsn, autocommit=True) as conn:
        step = time.perf_counter()
        conn.execute("ANALYZE")
        timings["analyze"] = time.perf_counter() - step
        say(f"  {'analyze':<20} {'':>9} {timings['analyze']:11.1f} s")
    # Unique constraints next, one at a time (ALTER TABLE locks the table).
    constraints = [create for _, create in rebuild if create.startswith("ALTER TABLE")]
    search = [create for name, create in rebuild if name == SEARCH_INDEX]
    others = [create for name, create in rebuild
              if name != SEARCH_INDEX and create not in constraints]

    def build(statements: list[str], key: str) -> None:
        step = time.perf_counter()
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '256MB'")
            for statement in statements:
                conn.execute(statement)  # type: ignore[arg-type]
        timings[key] = time.perf_counter() - step

    step = time.perf_counter()
    build(constraints, "unique constraints")
    # Then plain CREATE INDEX on two connections (they do not block each other).
    with ThreadPoolExecutor(2) as executor:
        jobs = [executor.submit(build, others, "indexes")]
        if search and search_index:
            jobs.append(executor.submit(build, search, "search index"))
        for job in jobs:
            job.result()
    built = len(constraints) + len(others)
    say(f"  {'btree indexes':<20} {built:>9} "
        f"{timings['unique constraints'] + timings['indexes']:11.1f} s")
    if search and search_index:
        say(f"  {'search index (GIN)':<20} {1:>9} {timings['search index']:11.1f} s")
    elif search:
        say(f"  {'search index (GIN)':<20} left out (--with-search-index builds it)")
    timings["indexes, total"] = time.perf_counter() - step
    return timings
