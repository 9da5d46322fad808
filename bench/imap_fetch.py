"""Bare IMAP fetch throughput against a real Dovecot on loopback: imapclient
with its default ``debug = 5`` against ``_imap.debug = 0`` (what
``channels.email.imap.connect`` sets), and ``ImapConnection.fetch`` itself.

    .venv/bin/python bench/imap_fetch.py [--mails 5000] [--rounds 3] [--batch 200]

Seeds a fresh Dovecot (tests/servers/dovecot.py; needs the Debian package
dovecot-imapd and root, as the tests do) with N mails over MULTIAPPEND: a mix
of sizes (short notes, longer text + HTML), 10% with a ~100 KB PDF-like
attachment, six languages in several charsets. Then, per round and mode, one
connection fetches every mail with ``BODY.PEEK[]`` in UID batches; prints
mails/s and MB/s (best and median of the rounds). Nothing is parsed or stored.

``build_mails``, ``seeded_server`` and ``fetch_all`` are importable for
bench/email_ingest.py.
"""

from __future__ import annotations

import argparse
import random
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from imapclient import IMAPClient

from channels.email.imap import connect
from tests.servers.dovecot import DovecotServer, MailUser
from tests.servers.tls import make_test_ca

TEXTS = {
    "en": ("Water damage in the kitchen", "Hello, the pipe under the sink burst last night and "
           "the kitchen floor is wet. The policy number is POL-2026-0042. Could you tell me "
           "what to do next and whether an assessor will come?"),
    "de": ("Wasserschaden in der Küche", "Guten Tag, gestern Nacht ist das Rohr unter der "
           "Spüle geplatzt. Die Versicherungsnummer ist POL-2026-0042. Müssen wir einen "
           "Gutachter abwarten? Mit freundlichen Grüßen, Jürgen Müller"),
    "el": ("Ζημιά από νερό στην κουζίνα", "Καλησπέρα σας, χθες το βράδυ έσπασε ο σωλήνας "
           "κάτω από τον νεροχύτη. Ο αριθμός συμβολαίου είναι POL-2026-0042. Θα έρθει "
           "πραγματογνώμονας;"),
    "cs": ("Škoda vodou v kuchyni", "Dobrý den, včera v noci praskla trubka pod dřezem. "
           "Číslo pojistky je POL-2026-0042. Přijde likvidátor? Děkuji, Jiří Novák"),
    "sv": ("Vattenskada i köket", "Hej, i går kväll sprack röret under diskbänken. "
           "Försäkringsnumret är POL-2026-0042. Kommer en besiktningsman? Tack, Åsa Öberg"),
    "id": ("Kerusakan air di dapur", "Selamat malam, pipa di bawah wastafel pecah tadi "
           "malam. Nomor polis POL-2026-0042. Apakah penilai akan datang? Terima kasih, Budi"),
}
CHARSETS = {"en": ["us-ascii", "utf-8"], "de": ["utf-8", "iso-8859-1"],
            "el": ["utf-8", "iso-8859-7"], "cs": ["utf-8", "iso-8859-2"],
            "sv": ["utf-8", "iso-8859-1"], "id": ["utf-8"]}


def build_mails(count: int, seed: int = 7) -> list[bytes]:
    """``count`` RFC 5322 mails: ~55% short text, ~35% longer text + HTML, 10%
    with a ~100 KB PDF-like attachment; languages and charsets in rotation."""
    rng = random.Random(seed)
    langs = list(TEXTS)
    start = datetime(2026, 1, 5, 8, tzinfo=UTC)
    pdf_body = bytes(rng.getrandbits(8) for _ in range(100_000))
    mails = []
    for n in range(count):
        lang = langs[n % len(langs)]
        subject, text = TEXTS[lang]
        msg = EmailMessage(policy=SMTP)
        msg["From"] = f"Customer {n} <customer{n % 500}@example.{lang}>"
        msg["To"] = "claims@insurer.test"
        msg["Subject"] = f"{subject} #{n}"
        msg["Date"] = format_datetime(start + timedelta(minutes=7 * n))
        msg["Message-ID"] = make_msgid(f"b{n}", domain=f"mail.example.{lang}")
        kind = rng.random()
        body = "\n\n".join([text] * (1 if kind < 0.55 else rng.randint(5, 25)))
        charset = rng.choice(CHARSETS[lang])
        msg.set_content(body + "\n", charset=charset)
        if kind >= 0.55:
            paragraphs = "".join(f"<p>{text}</p>" for _ in range(body.count("\n\n") + 1))
            msg.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if n % 10 == 0:
            pdf = b"%PDF-1.4\n" + pdf_body[n % 97:] + b"\n%%EOF\n"
            msg.add_attachment(pdf, "application", "pdf", filename=f"damage-{n}.pdf")
        mails.append(msg.as_bytes())
    return mails


@contextmanager
def seeded_server(count: int, seed: int = 7) -> Iterator[tuple[DovecotServer, MailUser, int]]:
    """A started Dovecot with one user holding ``count`` mails in INBOX;
    yields (server, user, total bytes)."""
    with tempfile.TemporaryDirectory() as tmp:
        server = DovecotServer(make_test_ca(Path(tmp)))
        with server:
            user = server.new_user("bench")
            mails = build_mails(count, seed)
            started = time.perf_counter()
            server.append_many(user.name, mails)
            took = time.perf_counter() - started
            print(f"seeded {count} mails, {sum(map(len, mails)) / 1e6:.1f} MB "
                  f"in {took:.1f} s ({count / took:,.0f} mails/s, MULTIAPPEND)")
            yield server, user, sum(map(len, mails))


def fetch_all(server: DovecotServer, user: MailUser, *, debug: int | None,
              batch: int = 200, each: Callable[[bytes], object] | None = None,
              ) -> tuple[int, int, float]:
    """Bare imapclient fetch of every mail in INBOX; ``debug=None`` leaves
    imapclient's own setting (5); ``each`` is called with every mail's bytes
    (inside the timing). Returns (mails, bytes, seconds)."""
    context = ssl.create_default_context(cafile=server.ca_file)
    started = time.perf_counter()
    with IMAPClient(server.host, server.imaps_port, ssl_context=context, timeout=60) as client:
        if debug is not None:
            client._imap.debug = debug
        client.login(user.name, user.password)
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        count = size = 0
        for start in range(0, len(uids), batch):
            for item in client.fetch(uids[start:start + batch], [b"BODY.PEEK[]"]).values():
                count += 1
                size += len(item[b"BODY[]"])
                if each is not None:
                    each(item[b"BODY[]"])
    return count, size, time.perf_counter() - started


def fetch_with_channel(server: DovecotServer, user: MailUser, *,
                       batch: int = 200) -> tuple[int, int, float]:
    """The same through ``channels.email.imap`` (debug 0, UTC dates, dataclasses)."""
    started = time.perf_counter()
    count = size = 0
    with connect(server.mailbox(user), timeout=60) as conn:
        conn.select("INBOX")
        for item in conn.fetch(conn.uids_after(0), batch=batch):
            count += 1
            size += len(item.raw)
    return count, size, time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    modes: dict[str, Callable[[DovecotServer, MailUser], tuple[int, int, float]]] = {
        "imapclient, default debug=5": lambda s, u: fetch_all(s, u, debug=None,
                                                                batch=args.batch),
        "imapclient, _imap.debug = 0": lambda s, u: fetch_all(s, u, debug=0, batch=args.batch),
        "channels.email.imap.fetch": lambda s, u: fetch_with_channel(s, u, batch=args.batch),
    }
    with seeded_server(args.mails, args.seed) as (server, user, total):
        fetch_all(server, user, debug=0, batch=args.batch)  # warm the page cache and index
        seconds: dict[str, list[float]] = {name: [] for name in modes}
        for _ in range(args.rounds):
            for name, run in modes.items():  # interleaved: drift hits every mode alike
                count, size, took = run(server, user)
                assert count == args.mails, count
                assert size == total, size
                seconds[name].append(took)
    print(f"fetch of {args.mails} mails ({total / 1e6:.1f} MB), BODY.PEEK[], "
          f"batch {args.batch}, {args.rounds} rounds, IMAPS on loopback:")
    for name, times in seconds.items():
        best, median = min(times), statistics.median(times)
        print(f"  {name:30} best {args.mails / best:8,.0f} mails/s {total / best / 1e6:7.1f} MB/s"
              f"   median {args.mails / median:8,.0f} mails/s")
    slow = min(seconds["imapclient, default debug=5"])
    fast = min(seconds["imapclient, _imap.debug = 0"])
    print(f"  debug 0 is {slow / fast:.1f}x the default")


if __name__ == "__main__":
    main()
