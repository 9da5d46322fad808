"""What the sync's parse workers run (inbox.mail.parsing): no database layer
imported, the analysis done, the bytes put into the blob store."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from inbox.blobs import BlobStore
from inbox.mail.parsing import ParseSettings, parse_batch

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40


def _mail(n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {n} <c{n}@example.test>"
    msg["To"] = "claims@insurer.test"
    msg["Subject"] = f"Claim CLM-2026-{n:06d}: my kitchen"
    msg["Message-ID"] = f"<m{n}@example.test>"
    msg.set_content("Guten Tag, das Wasser aus der Spülmaschine hat den Boden der Küche "
                    "beschädigt. Ich schicke Ihnen die Rechnung des Installateurs mit.")
    msg.add_attachment(PDF, "application", "pdf", filename="rechnung.pdf")
    return msg.as_bytes()


def _settings(tmp_path: Path) -> ParseSettings:
    return ParseSettings(("cs", "de", "el", "en", "id", "sv"), re.compile(r"CLM-\d{4}-\d{6}"),
                         re.compile(r"POL-\d{6}"), BlobStore(tmp_path / "blobs"))


def test_a_worker_imports_neither_sqlalchemy_nor_the_models() -> None:
    code = ("import sys, inbox.mail.parsing; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'flask') "
            "or m in ('inbox.models', 'claims.models', 'inbox.intake.core')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_parsed_with_analysis_and_bytes_in_the_store(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first, second = _mail(1), _mail(2)
    stored = settings.blobs.put(first, durable=False)  # as the fetching thread does
    out = parse_batch([(11, first, WHEN, stored), (12, second, WHEN, None)],
                      "claims@insurer.test", 25 << 20, settings)
    assert [p.uid for p in out] == [11, 12]
    for parsed, raw in zip(out, (first, second), strict=True):
        assert parsed.raw is None  # travels as a reference
        assert parsed.inbound is not None
        assert parsed.inbound.raw is None
        assert parsed.inbound.raw_ref == hashlib.sha256(raw).hexdigest()
        assert settings.blobs.get(parsed.inbound.raw_ref) == raw
        (attachment,) = parsed.inbound.attachments
        assert attachment.data is None
        assert settings.blobs.get(attachment.sha256) == PDF
        analysis = parsed.inbound.extras["analysis"]
        assert analysis["language"] == "de"
        assert analysis["claim_numbers"] == ("CLM-2026-000001" if raw is first
                                             else "CLM-2026-000002",)
    assert not settings.blobs._unsynced  # synced before the batch is handed back


def test_an_unparseable_mail_comes_back_raw_with_the_reason(tmp_path: Path) -> None:
    out = parse_batch([(5, b"\x00\x01 not a mail", WHEN, None)], "claims@insurer.test",
                      25 << 20, _settings(tmp_path))
    assert out[0].inbound is None
    assert out[0].raw == b"\x00\x01 not a mail"
    assert out[0].error.startswith("unparseable mail: ")


def test_a_stored_mail_is_read_from_the_blob_store(tmp_path: Path) -> None:
    from inbox.mail.sync import _by_reference

    settings = _settings(tmp_path)
    raw = _mail(3)
    stored = settings.blobs.put(raw, durable=False)
    sent = _by_reference([(7, raw, WHEN, stored), (8, b"kept", WHEN, None)])
    assert sent == [(7, None, WHEN, stored), (8, b"kept", WHEN, None)]  # no bytes in the pipe
    (parsed,) = parse_batch(sent[:1], "claims@insurer.test", 25 << 20, settings)
    assert parsed.inbound is not None
    assert parsed.inbound.raw_ref == stored
    assert parsed.inbound.subject == "Claim CLM-2026-000003: my kitchen"


def test_the_analysis_travels_whole() -> None:
    from dataclasses import asdict

    from inbox.intake.analysis import Analysis

    found = Analysis("de", "kitchen", ("CLM-2026-000001",), (), ("complaint", "de"))
    assert found.to_json() == asdict(found)  # every field, a new one included
    assert Analysis.from_json(found.to_json()) == found
