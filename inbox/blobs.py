"""Content-addressed file store for raw input and attachments.

Files live at ``<root>/<aa>/<sha256>`` (256 folders, as git does: a fresh
store makes at most 256 folders, not one per file). Writing the same bytes twice is a
no-op; writes go to a temporary file first and are renamed into place, so a
crash never leaves a half-written blob under a valid name.

Durability: ``put`` fsyncs each file by default. Bulk writers (an IMAP batch)
pass ``durable=False`` and call :meth:`sync` once before committing the rows
that point at the blobs: one flush of the file system instead of one per file.

Limits (``blob_max_mb``, ``blob_min_free_mb``): a write that would take the
store above ``max_bytes``, or leave less than ``min_free_bytes`` free on its
file system, raises :class:`BlobStoreFull` before writing, and so does a
write the file system refuses for want of space (ENOSPC, EDQUOT). Callers
keep the input where it was (the IMAP cursor stays, the webhook event stays
pending, the scan stays in its drop folder) so it is filed once space is
freed. The store's size is counted by walking it, at most every
``RECOUNT_SECONDS`` per process plus what this process wrote since, and always
afresh before refusing: other processes' writes of the last seconds may take
the store a little above the cap (a soft limit), a freed store is seen at once.
"""

from __future__ import annotations

import errno
import hashlib
import itertools
import os
import re
import tempfile
import threading
import time
from pathlib import Path

RECOUNT_SECONDS = 30.0
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobStoreFull(RuntimeError):  # noqa: N818 - reads as what happened, like ConnectionRefused
    """No room for a blob: the configured limit, or the file system is full.
    Not an ``OSError`` on purpose: a caller must not take it for unreadable input."""


class BlobStore:
    def __init__(self, root: Path, *, max_bytes: int = 0, min_free_bytes: int = 0) -> None:
        self.root = Path(root)
        self._root = str(self.root)
        self._folders: set[str] = set()
        self._counter = itertools.count()
        self.max_bytes = max_bytes  # 0: no cap
        self.min_free_bytes = min_free_bytes  # 0: write until the file system is full
        self._unsynced = False
        self._used: int | None = None
        self._counted_at = 0.0

    # -- limits -------------------------------------------------------------

    def usage(self) -> int:
        """Bytes in the store now (a walk of it)."""
        total = 0
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                try:
                    total += os.stat(os.path.join(folder, name)).st_size
                except FileNotFoundError:
                    continue
        self._used, self._counted_at = total, time.monotonic()
        return total

    def check_room(self, size: int) -> None:
        """Raise :class:`BlobStoreFull` when ``size`` more bytes do not fit."""
        if self.min_free_bytes:
            try:
                st = os.statvfs(self.root if self.root.exists() else self.root.parent)
            except OSError:
                st = None
            if st is not None and st.f_bavail * st.f_frsize - size < self.min_free_bytes:
                raise BlobStoreFull(
                    f"attachment store {self.root}: less than {self.min_free_bytes >> 20} MB "
                    "would be left free on its file system (blob_min_free_mb)")
        if not self.max_bytes:
            return
        stale = self._used is None or time.monotonic() - self._counted_at > RECOUNT_SECONDS
        used = self.usage() if stale else self._used
        assert used is not None
        if used + size > self.max_bytes and not stale:
            used = self.usage()  # never refuse on an old count: space may have been freed
        if used + size > self.max_bytes:
            raise BlobStoreFull(
                f"attachment store {self.root} is full: {used >> 20} MB used, "
                f"{size} bytes more would pass the limit of {self.max_bytes >> 20} MB "
                "(blob_max_mb)")

    def _wrote(self, size: int) -> None:
        if self._used is not None:
            self._used += size

    def path(self, sha256: str) -> Path:
        return Path(self._file(sha256))

    def _file(self, sha256: str) -> str:
        if _SHA256.fullmatch(sha256) is None:
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return os.path.join(self._root, sha256[:2], sha256)

    def put(self, data: bytes, *, durable: bool = True) -> str:
        digest = hashlib.sha256(data).hexdigest()
        # Plain os.path strings: pathlib and mkstemp's random names were a
        # third of the cost of storing a mail's bytes (an IMAP batch stores
        # thousands).
        folder = os.path.join(self._root, digest[:2])
        target = os.path.join(folder, digest)
        if os.path.exists(target):
            return digest
        self.check_room(len(data))
        try:
            if folder not in self._folders:
                os.makedirs(folder, exist_ok=True)
                self._folders.add(folder)
            fd, tmp = self._incoming(folder)
        except OSError as exc:
            _raise_if_full(exc, self.root)
            raise
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
                else:
                    self._unsynced = True
            os.replace(tmp, target)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                _raise_if_full(exc, self.root)
            raise
        self._wrote(len(data))
        return digest

    def _incoming(self, folder: str) -> tuple[int, str]:
        """A new temporary file in ``folder``: named by process, thread and a
        counter (unique while this process lives), mkstemp if one is left
        over from a crash."""
        name = f".incoming-{os.getpid()}-{threading.get_ident()}-{next(self._counter)}"
        tmp = os.path.join(folder, name)
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), tmp
        except FileExistsError:
            return tempfile.mkstemp(dir=folder, prefix=".incoming-")

    def put_file(self, source: Path, *, chunk: int = 1 << 20) -> str:
        """Copy a file in, hashing as it is read (one pass, bounded memory:
        a 40 MB scan is never held whole); durable like :meth:`put`."""
        self.check_room(Path(source).stat().st_size)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        except OSError as exc:
            _raise_if_full(exc, self.root)
            raise
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out, Path(source).open("rb") as src:
                while block := src.read(chunk):
                    digest.update(block)
                    out.write(block)
                    size += len(block)
                out.flush()
                os.fsync(out.fileno())
            name = digest.hexdigest()
            target = self.path(name)
            if target.exists():
                Path(tmp).unlink()
                return name
            if str(target.parent) not in self._folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(str(target.parent))
            os.replace(tmp, target)
        except BaseException as exc:
            Path(tmp).unlink(missing_ok=True)
            if isinstance(exc, OSError):
                _raise_if_full(exc, self.root)
            raise
        self._wrote(size)
        return name

    def sync(self) -> None:
        """Make every blob written with ``durable=False`` durable."""
        if self._unsynced:
            # Cleared first: a blob that another thread writes meanwhile sets
            # it again, and the next sync covers it.
            self._unsynced = False
            os.sync()

    def get(self, sha256: str) -> bytes:
        # Plain open: a parse worker reads every mail of an IMAP sync here.
        with open(self._file(sha256), "rb") as fh:
            return fh.read()

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def delete(self, sha256: str) -> bool:
        """Remove a blob (gone already: False). The caller checks first that no
        row refers to it any more: the same bytes are stored once for everyone
        (inbox.privacy.blobrefs)."""
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True


def _raise_if_full(exc: OSError, root: Path) -> None:
    if exc.errno in _NO_SPACE:
        raise BlobStoreFull(f"attachment store {root}: the file system is full ({exc})") from exc
