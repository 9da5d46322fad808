"""What one demo customer has been writing, calling and posting about.

Each customer has a primary story (cycled by index, so a small demo already
covers every kind in every language) and up to two more, laid out one after
the other over the last 20 days. Threading rules shape the layout: a message
without a subject (call, SMS, letter) joins the customer's latest open thread
of the last week, so only a customer's first story may begin with one; later
stories begin with an email and subject-less follow-ups join them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from inbox.demo import channels
from inbox.demo.book import PlannedClaim, renew_soon, settlement
from inbox.demo.channels import PlannedMessage
from inbox.demo.people import address as new_address
from inbox.demo.people import address_key, bank_account, national_format, partner_of, person
from inbox.demo.people import email_address as new_email
from inbox.demo.people import phone_number as new_phone
from inbox.demo.writer import Writer

WINDOW = timedelta(days=20)
PRIMARY = ("claim_new", "renewal", "account_change", "complaint", "payment_delay",
           "claim_status", "question")
EXTRA_WEIGHTS = {
    "claim_docs": 3.0, "claim_new": 1.5, "claim_status": 2.0, "question": 1.5,
    "voicemail": 1.5, "missed_call": 1.0, "spouse": 1.0, "renewal": 1.0,
    "account_change": 1.0, "complaint": 0.6, "payment_delay": 0.6,
}
# Letters are scanned on working days: a window this long always holds one.
LETTER_DAYS = timedelta(days=4)
# Stories that always begin without a subject (a call or an SMS).
SUBJECTLESS = frozenset({"claim_status", "voicemail", "missed_call"})


# -- stories ----------------------------------------------------------------
# Each takes the writer, the story's window, whether it may begin without a
# subject (only a customer's first story may), and whether it is the customer's
# primary story (which then takes its plainest form, so that every kind shows
# up in a small demo); messages and claims go to the customer.

Story = Callable[[Writer, datetime, datetime, bool, bool], None]


def claim_new(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    """First notice of loss by email; our claim number comes back in a reply."""
    policy = w.policy()
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    status = w.rng.choices(("received", "in_review", "info_requested"), weights=(5, 3, 2))[0]
    claim = w.claim(policy, status, at + timedelta(hours=w.rng.uniform(1, 26)),
                    loss_date=(at - timedelta(days=w.rng.randint(0, 5))).date())
    notice = w.new_email(at, "claim_new", w.values(policy, claim))
    at = max(at, claim.created_at)  # what follows names the claim number
    later = w.after(at, end, (1, 80), "email")
    if later is not None and w.rng.random() < 0.7:
        w.reply(notice, later, "claim_new_reply", w.values(policy, claim))
        at = later
    later = w.after(at, end, (20, 120), "call")
    if later is not None and w.rng.random() < 0.35:
        _status_update(w, later, claim)


def claim_docs(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    """Documents or a question on a claim already in the book."""
    policy = w.policy()
    claim = w.claim(policy, w.rng.choice(("in_review", "info_requested")),
                    start - timedelta(days=w.rng.uniform(3, 40)))
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    subject, body = w.pick(w.pack.email["claim_docs"])
    values = w.values(policy, claim)
    attachments: tuple[tuple[str, str, bytes], ...] = ()
    if "{amount}" in body:
        attachments = (_invoice(w, claim, at),)
    w.email(at, w.render(subject, values), w.render(body, values), attachments=attachments)
    later = w.after(at, end, (48, 140), "sms")
    if later is not None and w.rng.random() < 0.3:
        w.sms(later, w.render(w.pick(w.pack.short["claim_status_sms_2"]), values))


def claim_status(w: Writer, start: datetime, end: datetime, first: bool,
                 canonical: bool) -> None:
    """'Any news on my claim?' by SMS or on the phone, maybe asked again."""
    claim = w.claim(w.policy(), w.rng.choice(("in_review", "info_requested", "escalated")),
                    start - timedelta(days=w.rng.uniform(5, 45)))
    at = _status_update(w, w.moment(start, min(end, start + timedelta(hours=30)), "sms"), claim)
    later = w.after(at, end, (40, 130), "sms")
    if later is not None and w.rng.random() < 0.4:
        w.sms(later, w.render(w.pick(w.pack.short["claim_status_sms_2"]), w.values(claim=claim)))


def _status_update(w: Writer, at: datetime, claim: PlannedClaim) -> datetime:
    values = w.values(claim=claim)
    if w.rng.random() < 0.5:
        w.sms(at, w.render(w.pick(w.pack.short["claim_status_sms"]), values))
    else:
        w.call(at, w.render(w.pick(w.pack.short["claim_status_call"]), values))
    return at


def renewal(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    policy = w.policy()
    # Renews a few weeks after the message, and not before today: an active
    # policy whose term has ended would be a book error, not a demo.
    renews = max(start.date() + timedelta(days=w.rng.randint(12, 45)),
                 w.now.date() + timedelta(days=w.rng.randint(3, 10)))
    renew_soon(policy, renews)
    values = w.values(policy, renewal_date=w.pack.format_date(renews))
    if first and w.rng.random() < 0.35:
        w.letter(w.moment(start, min(end, start + LETTER_DAYS), "letter"), "renewal",
                 values)
        return
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    asked = w.new_email(at, "renewal", values, recipient=channels.SERVICE_ADDRESS)
    later = w.after(at, end, (20, 100), "email")
    if later is not None and w.rng.random() < 0.4:
        w.reply(asked, later, "renewal_reply", values)


def account_change(w: Writer, start: datetime, end: datetime, first: bool,
                   canonical: bool) -> None:
    policy = w.policy()
    if w.rng.random() < 0.4:
        account = w.unique(lambda: _account(w))
        at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
        w.new_email(at, "bank_change", w.values(policy, account=account),
                    recipient=channels.SERVICE_ADDRESS)
        return
    moved_to = w.unique(lambda: new_address(w.rng, w.c.country), address_key)
    by_letter = first and w.rng.random() < 0.4
    if by_letter:
        at = w.moment(start, min(end, start + LETTER_DAYS), "letter")
    else:
        at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    values = w.values(policy, new_address=moved_to.one_line,
                      move_date=w.pack.format_date(at.date() + timedelta(
                          days=w.rng.randint(-20, 25))))
    if by_letter:
        # Written from the new address, which the book does not know yet: the
        # policy number in the letter identifies the customer.
        w.letter(at, "address_change", values, sender=moved_to)
    else:
        w.new_email(at, "address_change", values, recipient=channels.SERVICE_ADDRESS)


def _account(w: Writer) -> str:
    return bank_account(w.rng, w.c.country, w.c.person)


def complaint(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    policy = w.policy()
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    if not canonical and w.rng.random() < 0.3:
        # About a declined claim, naming it: the core links it to the claim.
        claim = w.claim(policy, "denied", start - timedelta(days=w.rng.uniform(10, 60)))
        w.new_email(at, "complaint_claim", w.values(policy, claim))
    elif first and w.rng.random() < 0.35:
        at = w.moment(start, min(end, start + LETTER_DAYS), "letter")
        w.letter(at, "complaint", w.values(policy))
    else:
        w.new_email(at, "complaint", w.values(policy), recipient=channels.SERVICE_ADDRESS)
    later = w.after(at, end, (48, 140), "call")
    if later is not None and w.rng.random() < 0.35:
        w.call(later, w.render(w.pick(w.pack.short["complaint_call"]), w.values(policy)))


def payment_delay(w: Writer, start: datetime, end: datetime, first: bool,
                  canonical: bool) -> None:
    policy = w.policy()
    approved = start - timedelta(days=w.rng.uniform(8, 20))
    claim = w.claim(policy, "approved", approved - timedelta(days=w.rng.uniform(10, 40)))
    values = w.values(policy, claim, amount=w.pack.format_money(settlement(claim, policy)),
                      approved_date=w.pack.format_date(approved.date()))
    if first and not canonical and w.rng.random() < 0.5:
        # An SMS naming the claim: linked to the claim, not recognised as a delay.
        at = w.moment(start, min(end, start + timedelta(hours=20)), "sms")
        w.sms(at, w.render(w.pick(w.pack.short["payment_delay_sms"]), values))
        return
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    w.new_email(at, "payment_delay", values)


def question(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    policy = w.policy()
    if first and w.rng.random() < 0.4:
        at = w.moment(start, min(end, start + timedelta(hours=30)), "call")
        w.call(at, w.render(w.pick(w.pack.short["question_call"]), w.values(policy)))
        return
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    w.new_email(at, "question", w.values(policy), recipient=channels.SERVICE_ADDRESS)


def voicemail(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    at = w.moment(start, min(end, start + timedelta(hours=30)), "call")
    text = w.render(w.pick(w.pack.short["voicemail"]), w.values(w.policy()))
    w.call(at, text, voicemail=True)


def missed_call(w: Writer, start: datetime, end: datetime, first: bool,
                canonical: bool) -> None:
    at = w.moment(start, min(end, start + timedelta(hours=30)), "call")
    w.call(at, "", status=w.rng.choice(("no-answer", "busy", "no-answer")))
    later = w.after(at, end, (0.05, 0.6), "sms")
    if later is not None and w.rng.random() < 0.6:
        w.sms(later, w.render(w.pick(w.pack.short["missed_call_sms"]), w.values()))


def spouse(w: Writer, start: datetime, end: datetime, first: bool, canonical: bool) -> None:
    """The customer's partner writes from an address the book does not know;
    the claim number in the mail identifies the customer."""
    claim = w.claim(w.policy(), "in_review", start - timedelta(days=w.rng.uniform(4, 30)))
    partner = partner_of(w.rng, w.c.country, w.c.person)
    sender = w.unique(lambda: new_email(w.rng, w.c.country, partner))
    index = w.rng.randrange(len(w.pack.email["spouse"]))
    subject, body = w.pack.email["spouse"][index]
    values = w.values(claim=claim, first=partner.first, last=partner.last, name=partner.name,
                      cust_name=w.c.person.name, cust_first=w.c.person.first)
    at = w.moment(start, min(end, start + timedelta(hours=20)), "email")
    attachments = (_invoice(w, claim, at, receipt=True),) if index == 1 else ()
    w.email(at, w.render(subject, values, partner), w.render(body, values, partner),
            sender=sender, name=partner.name, attachments=attachments)


def stranger(w: Writer) -> None:
    """Somebody not in the book asks for a quote."""
    someone = person(w.rng, w.c.country)
    at = w.moment(w.now - WINDOW, w.now, "email")
    product = w.pack.products[w.rng.choice(("home", "contents", "motor", "travel"))]
    values = {"first": someone.first, "last": someone.last, "name": someone.name,
              "product": product, "Product": product[:1].upper() + product[1:]}
    if w.rng.random() < 0.6:
        sender = w.unique(lambda: new_email(w.rng, w.c.country, someone))
        values["phone"] = national_format(w.unique(lambda: new_phone(w.rng, w.c.country)))
        subject, body = w.pick(w.pack.email["stranger"])
        w.email(at, w.render(subject, values, someone), w.render(body, values, someone),
                sender=sender, name=someone.name, recipient=channels.SERVICE_ADDRESS)
    else:
        number = w.unique(lambda: new_phone(w.rng, w.c.country))
        message = channels.sms(w.rng, at, sender=number, recipient=w.c.country.service_number,
                               text=w.render(w.pick(w.pack.short["stranger_sms"]), values,
                                             someone))
        w.c.messages.append(message)


def auto_reply(w: Writer, to: PlannedMessage, end: datetime) -> PlannedMessage | None:
    """An out-of-office note answering our acknowledgement of ``to``."""
    at = w.after(to.inbound.received_at, end, (0.1, 1.5), "email")
    if at is None:
        return None
    ours = f"{channels.hex_token(w.rng, 20)}@{channels.INSURER_DOMAIN}"
    prefix, body = w.pick(w.pack.auto_reply)
    values = w.values(return_date=w.pack.format_date(at.date() + timedelta(
        days=w.rng.randint(3, 14))))
    reply_prefix = w.pack.reply_prefixes[0]
    return w.email(at, f"{prefix} {reply_prefix} {to.inbound.subject}", w.render(body, values),
                   recipient=f"noreply@{channels.INSURER_DOMAIN}", in_reply_to=ours,
                   references=(to.inbound.external_id, ours),
                   headers={"auto-submitted": "auto-replied"})


def _invoice(w: Writer, claim: PlannedClaim, at: datetime,
             receipt: bool = False) -> tuple[str, str, bytes]:
    number = f"{at.year}-{w.rng.randint(1000, 9999)}"
    amount = w.pack.format_money(claim.amount_claimed)
    lines = [("RECEIPT " if receipt else "INVOICE ") + number,
             f"Date: {at.date().isoformat()}", f"Reference: {claim.number}",
             f"Total: {amount}"]
    filename = f"{'receipt' if receipt else 'invoice'}-{number}.pdf"
    return filename, "application/pdf", channels.tiny_pdf(lines)


STORIES: dict[str, Story] = {
    "claim_new": claim_new, "claim_docs": claim_docs, "claim_status": claim_status,
    "renewal": renewal, "account_change": account_change, "complaint": complaint,
    "payment_delay": payment_delay, "question": question, "voicemail": voicemail,
    "missed_call": missed_call, "spouse": spouse,
}


def tell(w: Writer) -> None:
    """Choose the customer's stories, lay them out in time and write them."""
    rng, index = w.rng, w.c.index
    primary = PRIMARY[index % len(PRIMARY)]
    kinds = [primary]
    extras = dict(EXTRA_WEIGHTS)
    extras.pop(primary, None)
    for _ in range(rng.choices((0, 1, 2), weights=(35, 45, 20))[0]):
        kind = rng.choices(list(extras), weights=list(extras.values()))[0]
        del extras[kind]
        if kind in SUBJECTLESS and any(k in SUBJECTLESS for k in kinds):
            continue
        kinds.append(kind)
    # A story that must begin without a subject goes first; the others follow.
    kinds.sort(key=lambda k: k not in SUBJECTLESS)
    starts = sorted(w.now - WINDOW * rng.random() ** 1.6 for _ in kinds)
    ends = [s - timedelta(minutes=30) for s in starts[1:]] + [w.now]
    for position, (kind, start, end) in enumerate(zip(kinds, starts, ends, strict=True)):
        before = len(w.c.messages)
        STORIES[kind](w, start, max(start, end), position == 0, kind == primary)
        first_email = next((m for m in w.c.messages[before:]
                            if m.inbound.channel == "email"
                            and m.inbound.sender[0].value == w.c.email), None)
        wants_auto = index % 12 == 3 or rng.random() < 0.03
        if first_email is not None and wants_auto and "auto" not in w.c.stories \
                and auto_reply(w, first_email, max(start, end)) is not None:
            w.c.stories.append("auto")
        for message in w.c.messages[before:]:
            message.story = f"{index}.{position}:{kind}"
        w.c.stories.append(kind)
    if index % 10 == 7 or rng.random() < 0.04:
        stranger(w)
        w.c.messages[-1].story = f"{index}.stranger"
        w.c.stories.append("stranger")
    w.c.messages.sort(key=lambda m: m.inbound.received_at)


__all__ = ["STORIES", "tell"]
