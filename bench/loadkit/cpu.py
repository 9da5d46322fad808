"""CPU time per process group over the measured window, to name the bottleneck.

A group is a process this bench started (gunicorn's master, each ``inbox
worker``, the IMAP sync, Dovecot's master) with every descendant. A group's
CPU is, summed over its live processes, their own user+system time plus
the time of the children they have waited for (Linux folds a reaped
child's time, and its own reaped children's, into its parent's): so RQ's
work horses, forked per job and gone a moment later, and the OCR pool's
processes still count. Shared servers are apportioned where they can be:
PostgreSQL counts only the backends connected to this bench's database
(``pg_stat_activity``, looked up every second: a backend living less than a
second is missed), Redis is the whole server (others' tests use it too, in
other databases). "Rest of machine" is all busy CPU (/proc/stat) less the
groups: other engineers' test suites, the kernel.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psutil
import sqlalchemy as sa

from inbox.database import create_engine

REST = "rest of machine (other engineers' work, kernel)"


def _tree_seconds(root: psutil.Process) -> float:
    total = 0.0
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for proc in processes:
        try:
            t = proc.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def _busy_seconds() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0) - getattr(t, "guest", 0.0) \
        - getattr(t, "guest_nice", 0.0)


class CpuMeter:
    def __init__(self, groups: dict[str, int], database_url: str, database: str) -> None:
        self.roots = {name: psutil.Process(pid) for name, pid in groups.items()}
        self.database = database
        self.engine = create_engine(database_url, pool_size=1)
        self.backends: dict[int, tuple[float, float]] = {}  # pid -> (first, last) seconds
        self._started = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-backends", daemon=True)
        self._before: dict[str, float] = {}

    def _redis(self) -> list[psutil.Process]:
        return [p for p in psutil.process_iter(["name"]) if p.info["name"] == "redis-server"]

    def _snapshot(self) -> dict[str, float]:
        values = {name: _tree_seconds(root) for name, root in self.roots.items()}
        values["redis (whole server)"] = sum(_tree_seconds(p) for p in self._redis())
        own = psutil.Process().cpu_times()  # not its children: they are the groups
        values["this script (load generator, SMTP sink, fake Twilio)"] = own.user + own.system
        values["machine busy"] = _busy_seconds()
        return values

    def start(self) -> None:
        self._started = time.time()
        self._before = self._snapshot()
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self._backends()
            except (sa.exc.SQLAlchemyError, psutil.Error) as exc:
                print(f"backend sample failed: {exc}", flush=True)

    def _backends(self) -> None:
        with self.engine.connect() as conn:
            pids = conn.scalars(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :d AND pid <> pg_backend_pid()"),
                {"d": self.database}).all()
        for pid in pids:
            try:
                proc = psutil.Process(pid)
                t = proc.cpu_times()
                seconds = t.user + t.system
                born = proc.create_time()
            except psutil.Error:
                continue
            first, _ = self.backends.get(pid, (seconds if born < self._started else 0.0, 0.0))
            self.backends[pid] = (first, seconds)

    def stop(self) -> dict[str, Any]:
        """Cores used by each group over the window, and the machine's."""
        self._stop.set()
        self._thread.join(5)
        after = self._snapshot()
        wall = time.time() - self._started
        self.engine.dispose()
        cores = {name: max(0.0, after[name] - self._before.get(name, 0.0)) / wall
                 for name in after}
        cores[f"postgres (backends of {self.database})"] = sum(
            last - first for first, last in self.backends.values()) / wall
        busy = cores.pop("machine busy")
        ours = sum(cores.values())
        cores[REST] = max(0.0, busy - ours)
        return {"wall": wall, "cores": cores, "machine_busy": busy,
                "cpus": psutil.cpu_count()}
