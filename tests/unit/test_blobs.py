"""The blob store's own rules (inbox.blobs): syncing while another thread
writes, and which keys name a blob."""

from __future__ import annotations

from pathlib import Path

import pytest

from inbox.blobs import BlobStore


def test_a_blob_written_while_the_store_syncs_is_synced_by_the_next_sync(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fetching thread writes while the filing thread syncs: a blob
    written during os.sync() may not be covered by it, so it must leave the
    store marked unsynced."""
    blobs = BlobStore(tmp_path / "blobs")
    blobs.put(b"first", durable=False)
    calls = []

    def sync_while_another_thread_writes() -> None:
        calls.append(1)
        if len(calls) == 1:
            blobs.put(b"written meanwhile", durable=False)

    monkeypatch.setattr("inbox.blobs.os.sync", sync_while_another_thread_writes)
    blobs.sync()
    assert blobs._unsynced
    blobs.sync()
    assert len(calls) == 2
    assert not blobs._unsynced


@pytest.mark.parametrize("key", ["../" * 3 + "etc/passwd", "A" * 64, "a" * 63, "a" * 64 + "\n",
                                 "a" * 65, ""])
def test_only_a_sha256_hex_digest_names_a_blob(tmp_path: Path, key: str) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    with pytest.raises(ValueError, match="not a sha256"):
        blobs.get(key)
    with pytest.raises(ValueError, match="not a sha256"):
        blobs.path(key)
