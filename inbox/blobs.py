"""Content-addressed file store for raw input and attachments.

Files live at ``<root>/<aa>/<sha256>`` (256 folders, as git does: a fresh
store makes at most 256 folders, not one per file). Writing the same bytes twice is a
no-op; writes go to a temporary file first and are renamed into place, so a
crash never leaves a half-written blob under a valid name.

Durability: ``put`` fsyncs each file by default. Bulk writers (an IMAP batch)
pass ``durable=False`` and call :meth:`sync` once before committing the rows
that point at the blobs: one flush of the file system instead of one per file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._dirs: set[Path] = set()
        self._unsynced = False

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes, *, durable: bool = True) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
                else:
                    self._unsynced = True
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return digest

    def put_file(self, source: Path, *, chunk: int = 1 << 20) -> str:
        """Copy a file in, hashing as it is read (one pass, bounded memory:
        a 40 MB scan is never held whole); durable like :meth:`put`."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out, Path(source).open("rb") as src:
                while block := src.read(chunk):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            name = digest.hexdigest()
            target = self.path(name)
            if target.exists():
                Path(tmp).unlink()
                return name
            if target.parent not in self._dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._dirs.add(target.parent)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return name

    def sync(self) -> None:
        """Make every blob written with ``durable=False`` durable."""
        if self._unsynced:
            os.sync()
            self._unsynced = False

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()
