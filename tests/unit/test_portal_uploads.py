"""A portal upload is judged by its bytes, not its name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from channels.portal.submission import (
    Limits,
    UploadRefused,
    check_file,
    clean_filename,
    sniff,
    submission_inbound,
)

LIMITS = Limits(max_file_bytes=1000, max_files=3, max_chars=100)


@pytest.mark.parametrize(("data", "kind"), [
    (b"%PDF-1.7\n...", "pdf"),
    (b"\n\n%PDF-1.4 junk before the header", "pdf"),
    (b"\x89PNG\r\n\x1a\n....", "png"),
    (b"\xff\xd8\xff\xe0....", "jpeg"),
    (b"II*\x00....", "tiff"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "webp"),
    (b"GIF89a...", "gif"),
])
def test_known_kinds_are_recognised(data: bytes, kind: str) -> None:
    found = sniff(data)
    assert found is not None
    assert found[0] == kind


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("invoice.pdf", b"MZ\x90\x00 an exe named pdf", "type"),
    ("page.html", b"<html><script>alert(1)</script>", "type"),
    ("IMG_1.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00", "heic"),
    ("big.pdf", b"%PDF-" + b"0" * 1000, "size"),
    ("empty.pdf", b"", "empty"),
])
def test_refused_files_name_the_reason(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UploadRefused) as refused:
        check_file(name, data, LIMITS)
    assert refused.value.reason == reason
    assert refused.value.filename == name


def test_the_name_gets_the_ending_of_what_the_file_is() -> None:
    attachment = check_file("../../etc/photo.pdf", b"\xff\xd8\xff\xe0 jpeg", LIMITS)
    assert attachment.filename == "photo.jpg"
    assert attachment.content_type == "image/jpeg"
    assert clean_filename("C:\\Users\\me\\scan\x00\u202e.tif", "pdf") == "scan.pdf"
    assert clean_filename("", "png") == "upload.png"


def test_one_form_is_one_message_whatever_is_sent_twice() -> None:
    when = datetime(2026, 11, 22, tzinfo=UTC)
    one = submission_inbound(customer_id=7, submission_id="a" * 24, received_at=when,
                             subject="s", text="t", attachments=[], sender=[], sender_name="")
    again = submission_inbound(customer_id=7, submission_id="a" * 24, received_at=when,
                               subject="s", text="changed", attachments=[], sender=[],
                               sender_name="")
    assert one.external_id == again.external_id == "portal:7:" + "a" * 24
    assert one.extras == {"customer_id": 7}
    with pytest.raises(ValueError, match="submission_id"):
        submission_inbound(customer_id=7, submission_id="short", received_at=when, subject="",
                           text="", attachments=[], sender=[], sender_name="")
