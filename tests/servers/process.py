"""Small helpers for the test servers' processes."""

from __future__ import annotations

import contextlib
import ctypes
import signal
import subprocess
import time
from collections.abc import Callable
from typing import NoReturn

PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """For ``preexec_fn``: the child gets ``sig`` when the test process dies, so
    a killed CI run leaves no server behind (Linux ``prctl``; else nothing)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)


def wait_until_ready(process: subprocess.Popen[bytes], ready: Callable[[], bool], *,
                     timeout: float, failed: Callable[[], NoReturn]) -> None:
    """Poll ``ready`` until it says yes; if the process exits or ``timeout``
    passes first, call ``failed`` (which stops the server and raises)."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            failed()
        time.sleep(0.02)
