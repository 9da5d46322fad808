"""Splitting replies in en, de, el, cs, sv, id: the new text is recovered exactly."""

from __future__ import annotations

import pytest

from channels.email.parse import parse_email
from channels.email.quotes import ReplyParts, split_reply
from tests.unit.email.builders import HEAD, eml

NEW = {
    "en": "Hello,\n\nthe photos are attached. The garage says 1,200 EUR.\n\n"
          "Best regards,\nJohn Smith",
    "de": "Guten Tag,\n\nanbei die Fotos. Die Werkstatt schätzt 1.200 EUR.\n\n"
          "Mit freundlichen Grüßen\nJürgen Müller",
    "el": "Καλησπέρα σας,\n\nσας επισυνάπτω τις φωτογραφίες. Το συνεργείο εκτιμά 1.200 EUR.\n\n"
          "Με εκτίμηση,\nΓιώργος Παπαδόπουλος",
    "cs": "Dobrý den,\n\nv příloze posílám fotografie. Servis odhaduje 1 200 EUR.\n\n"
          "S pozdravem\nJiří Novák",
    "sv": "Hej,\n\nbifogar bilderna. Verkstaden uppskattar 1 200 EUR.\n\n"
          "Med vänliga hälsningar\nÅsa Öberg",
    "id": "Selamat siang,\n\nterlampir foto-fotonya. Bengkel memperkirakan 1.200 EUR.\n\n"
          "Hormat saya,\nBudi Santoso",
}
QUOTED_BODY = "> Dear customer,\n> please send photos of the damage.\n>\n> Claims team"

ATTRIBUTION_ONE_LINE = {
    "en": "On Mon, 2 Mar 2026 at 09:00, Claims Team <claims@example.com> wrote:",
    "de": "Am 02.03.2026 um 09:00 schrieb Claims Team <claims@example.com>:",
    "el": "Στις Δευ 2 Μαρ 2026 στις 9:00 π.μ., ο/η Claims Team <claims@example.com> έγραψε:",
    "cs": "Dne po 2. 3. 2026 9:00 uživatel Claims Team <claims@example.com> napsal:",
    "sv": "Den mån 2 mars 2026 kl 09:00 skrev Claims Team <claims@example.com>:",
    "id": "Pada Sen, 2 Mar 2026 pukul 09.00 Claims Team <claims@example.com> menulis:",
}
ATTRIBUTION_TWO_LINES = {
    "en": "On Mon, 2 Mar 2026 at 09:00, Claims Team <claims@example.com>\nwrote:",
    "de": "Am 02.03.2026 um 09:00 schrieb Claims Team <\nclaims@example.com>:",
    "el": "Στις Δευ 2 Μαρ 2026 στις 9:00 π.μ., ο/η Claims Team <claims@example.com>\nέγραψε:",
    "cs": "Dne 02.03.2026 v 9:00 Claims Team\nnapsal(a):",
    "sv": "Den 2026-03-02 kl. 09:00, skrev Claims Team\n<claims@example.com>:",
    "id": "Pada tanggal Sen, 2 Mar 2026 pukul 09.00 Claims Team <claims@example.com>\nmenulis:",
}
OUTLOOK = {
    "en": ("-----Original Message-----", "From: Claims Team <claims@example.com>\n"
           "Sent: Monday, March 2, 2026 9:00 AM\nTo: John Smith <john@example.net>\n"
           "Subject: Your claim CLM-2026-0042"),
    "de": ("-----Ursprüngliche Nachricht-----", "Von: Claims Team <claims@example.com>\n"
           "Gesendet: Montag, 2. März 2026 09:00\nAn: Jürgen Müller <jm@example.de>\n"
           "Betreff: Ihr Schaden CLM-2026-0042"),
    "el": ("-----Αρχικό μήνυμα-----", "Από: Claims Team <claims@example.com>\n"
           "Στάλθηκε: Δευτέρα, 2 Μαρτίου 2026 9:00 π.μ.\nΠρος: Γιώργος <g@example.gr>\n"
           "Θέμα: Η αποζημίωσή σας CLM-2026-0042"),
    "cs": ("-----Původní zpráva-----", "Od: Claims Team <claims@example.com>\n"
           "Odesláno: pondělí 2. března 2026 9:00\nKomu: Jiří Novák <jiri@example.cz>\n"
           "Předmět: Vaše škodní událost CLM-2026-0042"),
    "sv": ("-----Ursprungligt meddelande-----", "Från: Claims Team <claims@example.com>\n"
           "Skickat: den 2 mars 2026 09:00\nTill: Åsa Öberg <asa@example.se>\n"
           "Ämne: Ditt skadeärende CLM-2026-0042"),
    "id": ("-----Pesan Asli-----", "Dari: Claims Team <claims@example.com>\n"
           "Dikirim: Senin, 02 Maret 2026 09.00\nKepada: Budi <budi@example.id>\n"
           "Subjek: Klaim Anda CLM-2026-0042"),
}
MOBILE = {
    "en": "Sent from my iPhone",
    "de": "Von meinem iPhone gesendet",
    "el": "Στάλθηκε από το iPhone μου",
    "cs": "Odesláno z iPhonu",
    "sv": "Skickat från min iPhone",
    "id": "Dikirim dari iPhone saya",
}
LANGS = list(NEW)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("attributions", [ATTRIBUTION_ONE_LINE, ATTRIBUTION_TWO_LINES])
def test_attribution_lines(lang: str, attributions: dict[str, str]) -> None:
    quoted = f"{attributions[lang]}\n{QUOTED_BODY}"
    parts = split_reply(f"{NEW[lang]}\n\n{quoted}\n")
    assert parts == ReplyParts(new=NEW[lang], quoted=quoted, signature="")


@pytest.mark.parametrize("lang", LANGS)
def test_outlook_header_block_with_rule(lang: str) -> None:
    _, block = OUTLOOK[lang]
    quoted = f"________________________________\n{block}\n\nDear customer,\nplease send photos."
    parts = split_reply(f"{NEW[lang]}\n\n{quoted}")
    assert parts == ReplyParts(new=NEW[lang], quoted=quoted, signature="")


@pytest.mark.parametrize("lang", LANGS)
def test_outlook_original_message_separator(lang: str) -> None:
    separator, block = OUTLOOK[lang]
    quoted = f"{separator}\n{block}\n\nDear customer,\nplease send photos."
    parts = split_reply(f"{NEW[lang]}\n\n{quoted}")
    assert parts == ReplyParts(new=NEW[lang], quoted=quoted, signature="")


@pytest.mark.parametrize("lang", LANGS)
def test_outlook_block_without_separator_and_bold_labels(lang: str) -> None:
    _, block = OUTLOOK[lang]
    bold = "\n".join(f"*{line.replace(':', ':*', 1)}" for line in block.split("\n"))
    quoted = f"{bold}\n\nDear customer."
    parts = split_reply(f"{NEW[lang]}\n\n{quoted}")
    assert parts == ReplyParts(new=NEW[lang], quoted=quoted, signature="")


@pytest.mark.parametrize("lang", LANGS)
def test_mobile_signature_and_quote(lang: str) -> None:
    quoted = f"{ATTRIBUTION_ONE_LINE[lang]}\n{QUOTED_BODY}"
    parts = split_reply(f"{NEW[lang]}\n\n{MOBILE[lang]}\n\n{quoted}")
    assert parts == ReplyParts(new=NEW[lang], quoted=quoted, signature=MOBILE[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_dash_dash_signature(lang: str) -> None:
    signature = "-- \nClaims Department\nPhone +49 30 1234567\nhttps://example.com"
    parts = split_reply(f"{NEW[lang]}\n\n{signature}\n")
    assert parts == ReplyParts(new=NEW[lang], quoted="", signature=signature)


def test_closings_are_not_signatures() -> None:
    for lang in LANGS:
        assert split_reply(NEW[lang]) == ReplyParts(new=NEW[lang], quoted="", signature="")


def test_plain_quote_block_without_attribution() -> None:
    text = f"{NEW['en']}\n\n{QUOTED_BODY}\n"
    assert split_reply(text) == ReplyParts(new=NEW["en"], quoted=QUOTED_BODY, signature="")


def test_unknown_language_attribution_before_quote_block() -> None:
    quoted = f"Le lun. 2 mars 2026 à 09:00, Claims <claims@example.com> a écrit :\n{QUOTED_BODY}"
    parts = split_reply(f"{NEW['en']}\n\n{quoted}")
    assert parts == ReplyParts(new=NEW["en"], quoted=quoted, signature="")


def test_bottom_posted_reply() -> None:
    quoted = f"{ATTRIBUTION_ONE_LINE['de']}\n{QUOTED_BODY}"
    parts = split_reply(f"{quoted}\n\n{NEW['de']}\n\n-- \nJürgen")
    assert parts == ReplyParts(new=NEW["de"], quoted=quoted, signature="-- \nJürgen")


def test_interleaved_reply_is_kept_whole() -> None:
    text = "> Which car?\nThe blue one.\n\n> When?\nOn Monday.\n"
    assert split_reply(text) == ReplyParts(new=text.strip("\n"), quoted="", signature="")


def test_text_that_only_looks_like_an_attribution() -> None:
    text = "On Monday I wrote:\nthe car was parked.\n\nFrom: my neighbour\nthey saw it."
    assert split_reply(text) == ReplyParts(new=text, quoted="", signature="")


def test_loose_double_dash_only_before_a_short_tail() -> None:
    body = "Costs:\n--\n" + "\n".join(f"item {n}" for n in range(12))
    assert split_reply(body).signature == ""
    assert split_reply("Thanks\n--\nJane").signature == "--\nJane"


def test_empty_and_quote_only() -> None:
    assert split_reply("") == ReplyParts("", "", "")
    assert split_reply("> only a quote\n") == ReplyParts("", "> only a quote", "")


def test_crlf_text() -> None:
    text = f"{NEW['cs']}\r\n\r\n{ATTRIBUTION_ONE_LINE['cs']}\r\n> stará zpráva\r\n"
    assert split_reply(text).new == NEW["cs"]


def test_parse_email_keeps_the_full_text_and_adds_body_parts() -> None:
    text = f"{NEW['el']}\n\n{MOBILE['el']}\n\n{ATTRIBUTION_ONE_LINE['el']}\n{QUOTED_BODY}\n"
    head = HEAD + "Subject: Re: x\nContent-Type: text/plain; charset=utf-8\n"
    inbound = parse_email(eml(head + "Content-Transfer-Encoding: 8bit\n", text.encode()))
    assert inbound.text == text.strip("\n")
    assert inbound.extras["body_parts"] == {
        "new": NEW["el"],
        "quoted": f"{ATTRIBUTION_ONE_LINE['el']}\n{QUOTED_BODY}",
        "signature": MOBILE["el"],
    }


def test_parse_email_splits_html_only_gmail_reply() -> None:
    html = (
        '<div dir="ltr">Dobrý den,<div><br></div><div>posílám fotky.</div></div><br>'
        '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">Dne po 2. 3. 2026 9:00 '
        'uživatel Claims &lt;<a href="mailto:claims@example.com">claims@example.com</a>&gt; '
        "napsal:<br></div><blockquote class=\"gmail_quote\"><div>Pošlete fotky.</div>"
        "</blockquote></div>"
    )
    head = HEAD + "Subject: Re: x\nContent-Type: text/html; charset=utf-8\n"
    inbound = parse_email(eml(head, html))
    assert inbound.extras["body_parts"]["new"] == "Dobrý den,\n\nposílám fotky."
    assert inbound.extras["body_parts"]["quoted"] == (
        "Dne po 2. 3. 2026 9:00 uživatel Claims <claims@example.com> napsal:\n\n> Pošlete fotky."
    )


def test_format_flowed_attribution_is_unwrapped() -> None:
    body = (
        "Tack!\n\nDen 2026-03-02 kl. 09:00, skrev Claims Team \n<claims@example.com>:\n"
        "> Hej Åsa, \n> skicka bilder.\n"
    )
    head = HEAD + "Subject: Re: x\nContent-Type: text/plain; charset=utf-8; format=flowed\n"
    inbound = parse_email(eml(head + "Content-Transfer-Encoding: 8bit\n", body.encode()))
    assert inbound.text == (
        "Tack!\n\nDen 2026-03-02 kl. 09:00, skrev Claims Team <claims@example.com>:\n"
        "> Hej Åsa, skicka bilder."
    )
    assert inbound.extras["body_parts"]["new"] == "Tack!"


def test_parse_email_splits_html_only_outlook_reply() -> None:
    html = (
        "<html><body><div>Hallo,</div><div>anbei die Rechnung.</div><div><br></div>"
        "<div>Gruß<br>Jürgen</div><hr style='display:inline-block;width:98%'>"
        "<div id='divRplyFwdMsg'><font face='Calibri' color='#000000'><b>Von:</b> Claims Team "
        "&lt;claims@example.com&gt;<br><b>Gesendet:</b> Montag, 2. März 2026 09:00<br>"
        "<b>An:</b> Jürgen Müller &lt;jm@example.de&gt;<br><b>Betreff:</b> Ihr Schaden</font>"
        "<div>&nbsp;</div></div><div>Sehr geehrter Herr Müller,</div></body></html>"
    )
    head = HEAD + "Subject: AW: Ihr Schaden\nContent-Type: text/html; charset=utf-8\n"
    parts = parse_email(eml(head, html)).extras["body_parts"]
    assert parts == {
        "new": "Hallo,\nanbei die Rechnung.\n\nGruß\nJürgen",
        "quoted": "---\nVon: Claims Team <claims@example.com>\n"
                  "Gesendet: Montag, 2. März 2026 09:00\nAn: Jürgen Müller <jm@example.de>\n"
                  "Betreff: Ihr Schaden\n\nSehr geehrter Herr Müller,",
        "signature": "",
    }
