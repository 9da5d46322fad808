"""A rep's day in Chromium: sign in, take the next item, read a thread with an
attachment, a call and a letter, reply by email, approve a claim, and watch
the queue change while it is open. Assertions are on what the page shows;
the database and the SMTP server are only asked what the page cannot show."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from inbox.models import Message, Thread
from tests.e2e import seed
from tests.e2e.conftest import Browse
from tests.e2e.seed import AUDIO, Story
from tests.e2e.server import Product

pytestmark = pytest.mark.e2e
REP = "rep1@insurer.example"  # Emma Clarke, authority 2,500


def _thread_for(product: Product, name: str, subject: str, text: str) -> int:
    email, _ = seed.customer_with_claim(product, name)
    return seed.file_email(product, seed.raw_email(sender=email, name=name, subject=subject,
                                                   text=text))


def test_sign_in_and_take_the_most_urgent_thread(browse: Browse) -> None:
    product = browse.product
    ids = {}
    for name, overdue in (("Ada Early", timedelta(hours=2)), ("Bea Oldest", timedelta(days=365)),
                          ("Cy Middle", timedelta(days=1))):
        ids[name] = _thread_for(product, name, f"Water damage ({name})", "Please help.")
        with product.db.transaction() as session:
            session.execute(sa.update(Thread).where(Thread.id == ids[name])
                            .values(due_at=seed.now() - overdue))

    page = browse.page()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)$"))  # signed out: to the form
    browse.sign_in(page, REP)
    expect(page.get_by_role("heading", name=re.compile("^Queue"))).to_be_visible()
    expect(page.locator("header")).to_contain_text("Emma Clarke (rep)")
    rows = page.locator("#queue-rows tr")
    expect(rows.filter(has_text="Water damage (Bea Oldest)")).to_contain_text("(overdue)")

    page.get_by_role("button", name="Take next").click()
    expect(page).to_have_url(f"{product.base}/threads/{ids['Bea Oldest']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Water damage (Bea Oldest)")

    page.goto("/?view=mine")
    mine = page.locator("#queue-rows tr[data-thread]")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Water damage (Bea Oldest)")
    expect(mine.locator("td").last).to_have_text("Emma Clarke")


def test_email_thread_with_its_attachment(browse: Browse, story: Story) -> None:
    page = browse.page_as(REP)
    page.get_by_role("link", name=story.email_subject).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(story.email_subject)
    mail = page.locator("article.msg").filter(has=page.locator(".mail-html")).first
    # The mail's own (sanitised) HTML, formatting kept.
    expect(mail.locator(".mail-html b")).to_have_text("The roofer's quote is attached.")
    link = mail.get_by_role("link", name=story.attachment_name)
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    assert href is not None
    answer = browse.context.request.get(href)
    assert answer.ok
    assert answer.body() == story.attachment_bytes
    assert answer.headers["content-type"] == "application/pdf"


def test_call_and_letter_join_the_email_in_one_thread(browse: Browse, story: Story) -> None:
    page = browse.page_as(REP)
    page.goto(f"/threads/{story.thread_id}")
    messages = page.locator("article.msg")
    channels = [c.strip() for c in messages.locator(".meta .chan").all_text_contents()]
    assert channels[:3] == ["email", "call", "letter"], channels

    call = messages.nth(1)
    expect(call.locator(".call-details")).to_have_text("completed · 1:35 · recorded")
    expect(call).to_contain_text(story.transcript)
    audio = call.locator("audio")
    expect(audio).to_have_count(1)
    recording = browse.context.request.get(audio.get_attribute("src") or "")
    assert recording.body() == AUDIO

    letter = messages.nth(2)
    expect(letter.locator(".sender")).to_contain_text("Margaret Ellison")
    expect(letter.locator(".ocr-text")).to_contain_text("tiles")
    expect(letter.locator(".ocr-text")).to_contain_text(story.claim_number)
    scan = letter.locator(".pages img").first
    scan.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=scan.element_handle())
    expect(page.locator(".claim-panel")).to_contain_text(f"Claim {story.claim_number}")


def test_reply_by_email_reaches_smtp_and_the_thread(browse: Browse) -> None:
    product = browse.product
    email, _ = seed.customer_with_claim(product, "Rhea Reply")
    thread_id = seed.file_email(product, seed.raw_email(
        sender=email, name="Rhea Reply", subject="Where is my money?",
        text="I sent the invoices last week."))
    page = browse.page_as(REP)
    page.goto(f"/threads/{thread_id}")
    page.get_by_label("Channel").select_option("email")
    body = "Dear Ms Reply, the invoices arrived; we will pay this week."
    page.get_by_label("Message").fill(body)
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_role("status")).to_have_text("Reply queued by email.")

    sent = product.wait_for("the SMTP server to accept the reply", lambda: [
        m for m in product.smtp.messages if m.rcpt_tos == [email]])
    mail = sent[0].parsed()
    assert mail["Subject"] == "Re: Where is my money?"
    assert body in mail.get_body(preferencelist=("plain",)).get_content()

    product.wait_for("the reply filed in the thread", lambda: product.scalar(
        sa.select(Message.id).where(Message.thread_id == thread_id,
                                    Message.direction == "outbound")))
    page.reload()
    reply = page.locator("article.msg").filter(has_text=body)
    expect(reply).to_have_count(1)
    expect(reply.locator(".meta")).to_contain_text("email outbound")


def test_rep_approves_a_claim_within_authority(browse: Browse) -> None:
    product = browse.product
    email, number = seed.customer_with_claim(product, "Otto Approve", status="in_review",
                                             amount="1200")
    thread_id = seed.file_email(product, seed.raw_email(
        sender=email, name="Otto Approve", subject=f"Fence blown over, {number}",
        text="The invoice for the new fence is 1,200."))
    page = browse.page_as(REP)
    page.goto(f"/threads/{thread_id}")
    panel = page.get_by_role("complementary", name=f"Claim {number}")
    expect(panel.locator("#claim-status")).to_have_text("in_review")
    panel.get_by_label("Action").select_option("approve")
    panel.get_by_label("Amount").fill("1200")
    panel.get_by_label("Why").fill("Invoice checked against the policy")
    panel.get_by_role("button", name="Apply").click()

    expect(page.get_by_role("status")).to_contain_text(f"{number}: in_review → approved")
    expect(page.locator("#claim-status")).to_have_text("approved")
    expect(panel).to_contain_text("approved 1200")
    assert seed.claim_status(product, number) == "approved"
    # The customer is told (the notice goes out through the worker and SMTP).
    product.wait_for("the approval notice", lambda: [
        m for m in product.smtp.messages if m.rcpt_tos == [email]])


def test_queue_shows_new_mail_without_a_reload(browse: Browse) -> None:
    product = browse.product
    page = browse.page_as(REP)
    expect(page.locator("#queue-rows")).to_have_attribute("data-poll-ms", str(400))
    page.evaluate("window.__sameDocument = true")
    subject = f"Burst pipe at {time.monotonic_ns()}"
    expect(page.locator("#queue-rows")).not_to_contain_text(subject)

    email, _ = seed.customer_with_claim(product, "Nina New")
    seed.file_email(product, seed.raw_email(sender=email, name="Nina New", subject=subject,
                                            text="Water everywhere."))
    row = page.locator("#queue-rows tr").filter(has_text=subject)
    expect(row).to_be_visible(timeout=5_000)
    expect(row).to_contain_text("Nina New")
    assert page.evaluate("window.__sameDocument") is True  # no navigation, no reload
