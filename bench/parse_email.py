"""Parsing cost: ``channels.email.parse.parse_email`` against a bare
``email.message_from_bytes(raw, policy=email.policy.default)`` (the baseline
of bench/email_ingest.py, which does no decoding, sanitising or splitting).

    .venv/bin/python bench/parse_email.py [--mails 600] [--rounds 5] [--seed 7]

Builds a mixed corpus in memory (plain text, HTML-only, alternative with
inline image, 10% multipart with a 200 KB PDF, six languages, various
charsets including wrong and undeclared ones) and prints mails/s for both,
per kind and overall, and the ratio parse_email / baseline (target >= 1.0).
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from channels.email.parse import parse_email

TEXTS = {
    "en": "Hello, I am sending the photos of the damage to my car. The claim number is "
          "CLM-2026-0042. Please let me know what else you need.",
    "de": "Guten Tag, anbei die Fotos vom Schaden an meinem Auto. Die Schadennummer ist "
          "CLM-2026-0042. Mit freundlichen Grüßen, Jürgen Müller",
    "el": "Καλησπέρα σας, σας στέλνω τις φωτογραφίες της ζημιάς στο αυτοκίνητό μου. "
          "Ο αριθμός της αποζημίωσης είναι CLM-2026-0042.",
    "cs": "Dobrý den, posílám fotografie poškození mého auta. Číslo škodní události je "
          "CLM-2026-0042. Děkuji, Jiří Novák",
    "sv": "Hej, jag skickar bilder på skadan på min bil. Skadenumret är CLM-2026-0042. "
          "Tack så mycket, Åsa Öberg",
    "id": "Selamat siang, saya mengirimkan foto kerusakan mobil saya. Nomor klaim adalah "
          "CLM-2026-0042. Terima kasih, Budi Santoso",
}
CHARSETS = {
    "en": ["us-ascii", "utf-8"], "de": ["utf-8", "iso-8859-1", "windows-1252"],
    "el": ["utf-8", "iso-8859-7", "windows-1253"], "cs": ["utf-8", "iso-8859-2", "windows-1250"],
    "sv": ["utf-8", "iso-8859-1"], "id": ["utf-8", "us-ascii"],
}
QUOTE = {
    "en": "On Mon, 2 Mar 2026 at 09:00, Claims <claims@example.com> wrote:",
    "de": "Am 02.03.2026 um 09:00 schrieb Claims <claims@example.com>:",
    "el": "Στις Δευ 2 Μαρ 2026 στις 9:00 π.μ., ο/η Claims <claims@example.com> έγραψε:",
    "cs": "Dne po 2. 3. 2026 9:00 uživatel Claims <claims@example.com> napsal:",
    "sv": "Den mån 2 mars 2026 kl 09:00 skrev Claims <claims@example.com>:",
    "id": "Pada Sen, 2 Mar 2026 pukul 09.00 Claims <claims@example.com> menulis:",
}


def build_corpus(count: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    pdf = b"%PDF-1.4\n" + os.urandom(200 * 1024)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(4 * 1024)
    corpus = []
    for n in range(count):
        lang = rng.choice(list(TEXTS))
        charset = rng.choice(CHARSETS[lang])
        body = "\n\n".join([TEXTS[lang]] * rng.randint(1, 6))
        body = f"{body}\n\n{QUOTE[lang]}\n> {TEXTS[lang]}\n> \n> Claims team\n"
        msg = EmailMessage()
        msg["From"] = f"Customer {n} <customer{n}@example.net>"
        msg["To"] = "claims@example.com"
        msg["Subject"] = f"Re: {TEXTS[lang][:40]}"
        msg["Date"] = "Mon, 02 Mar 2026 10:00:00 +0100"
        msg["Message-ID"] = f"<m{n}.{seed}@example.net>"
        msg["In-Reply-To"] = f"<out{n}@example.com>"
        roll = rng.random()
        if roll < 0.10:
            kind = "pdf"
            _set_text(msg, body, charset)
            msg.add_attachment(pdf, maintype="application", subtype="pdf",
                               filename=f"škoda-{n}.pdf")
        elif roll < 0.35:
            kind = "html-only"
            msg.set_content(_html(body), subtype="html", charset="utf-8")
        elif roll < 0.60:
            kind = "alternative+image"
            _set_text(msg, body, charset)
            msg.add_alternative(_html(body) + '<img src="cid:logo@example.net">', subtype="html")
            msg.get_payload()[1].add_related(png, maintype="image", subtype="png",
                                             cid="<logo@example.net>")
        else:
            kind = "plain"
            _set_text(msg, body, charset)
        corpus.append((kind, msg.as_bytes(policy=email.policy.SMTP)))
    return corpus


def _set_text(msg: EmailMessage, body: str, charset: str) -> None:
    try:
        body.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    cte = "7bit" if charset == "us-ascii" else "quoted-printable"
    msg.set_content(body, charset=charset, cte=cte)


def _html(body: str) -> str:
    paras = "".join(f"<p style='color:#333;font-family:Arial'>{p}</p>" for p in body.split("\n\n"))
    return (f"<html><head><style>p{{margin:0}}</style></head><body>{paras}"
            "<img src='https://tracker.example/p.gif' width=1 height=1></body></html>")


def baseline(raw: bytes) -> object:
    return email.message_from_bytes(raw, policy=email.policy.default)


def ours(raw: bytes) -> object:
    return parse_email(raw)


def measure(func: Callable[[bytes], object], mails: list[bytes], rounds: int) -> float:
    """Best-of-rounds mails/s."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        for raw in mails:
            func(raw)
        rates.append(len(mails) / (time.perf_counter() - start))
    return max(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus = build_corpus(args.mails, args.seed)
    for _, raw in corpus:  # warm up caches and lazy imports; fail early on a bug
        ours(raw)
        baseline(raw)
    sizes = [len(raw) for _, raw in corpus]
    print(f"corpus: {len(corpus)} mails, median {statistics.median(sizes) / 1024:.1f} KB, "
          f"total {sum(sizes) / 1e6:.1f} MB; best of {args.rounds} rounds, one core")
    print(f"{'kind':<20}{'mails':>7}{'baseline/s':>13}{'parse_email/s':>15}{'ratio':>8}")
    kinds = sorted({kind for kind, _ in corpus})
    for kind in [*kinds, "all"]:
        mails = [raw for k, raw in corpus if kind in ("all", k)]
        base = measure(baseline, mails, args.rounds)
        mine = measure(ours, mails, args.rounds)
        print(f"{kind:<20}{len(mails):>7}{base:>13,.0f}{mine:>15,.0f}{mine / base:>8.2f}")


if __name__ == "__main__":
    main()
