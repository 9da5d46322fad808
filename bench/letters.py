"""Scanned letters: ``inbox letters ingest`` against the bare tesseract CLI.

    .venv/bin/python bench/letters.py [--pages 50] [--workers 2]

Generates N single-page scans (tests/letters/scans.py: the twelve letters in
six languages, 1-3 degree skew, noise, blur, 300 dpi PNG), then in the same run:

(a) bare: ``tesseract PAGE - -l LANG+eng --psm 6`` per page with
    ``OMP_THREAD_LIMIT=1``, ``--workers`` processes at a time; each page is
    given its true language (the CLI is told what our pipeline must find out);
(b) ``inbox letters ingest`` on the same files (a subprocess, start-up
    included) into a fresh SQLite database: language detection, skew and noise
    checks, OCR, reading, identification and filing.

Prints pages/minute and seconds/page for each and the ratio b/a of the time
per page (target <= 1.1). Also prints (b) without its start-up (Python
imports, worker processes, models), taken from the first page's start.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.letters import scans  # noqa: E402
from tests.letters.scans import LETTERS  # noqa: E402

TESS = {"en": "eng", "de": "deu", "el": "ell", "cs": "ces", "sv": "swe", "id": "ind"}


def make_pages(directory: Path, count: int) -> list[tuple[Path, str]]:
    pages = []
    for i in range(count):
        spec = LETTERS[i % len(LETTERS)]
        image = scans.render_pages(spec, seed=100 + i)[0]
        path = scans.save_png(image, directory / f"page-{i:03d}-{spec.key}.png")
        pages.append((path, spec.language))
    return pages


def bare(pages: list[tuple[Path, str]], workers: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(item: tuple[Path, str]) -> None:
        path, language = item
        lang = "eng" if language == "en" else f"{TESS[language]}+eng"
        subprocess.run(["tesseract", str(path), "-", "-l", lang, "--psm", "6"], env=env,
                       check=True, capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, pages))
    return time.perf_counter() - started


def pipeline(pages: list[tuple[Path, str]], workers: int, tmp: Path) -> tuple[float, str]:
    tmp.mkdir(exist_ok=True)
    env = {**os.environ, "INBOX_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
           "INBOX_INSTANCE_DIR": str(tmp / "instance"), "INBOX_BLOB_DIR": str(tmp / "blobs")}
    inbox = str(Path(sys.executable).with_name("inbox"))
    subprocess.run([inbox, "migrate"], env=env, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run([inbox, "letters", "ingest", "--workers", str(workers),
                           *[str(p) for p, _ in pages]],
                          env=env, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of (a) then (b); the median ratio is the figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        pages = make_pages(tmp, args.pages)
        print(f"{len(pages)} pages, {args.workers} processes, {os.cpu_count()} cores")
        # Warm the page cache and tesseract's models for both.
        bare(pages[:2], args.workers)
        n = len(pages)
        ratios = []
        for run in range(1, args.repeat + 1):
            a = bare(pages, args.workers)
            b, out = pipeline(pages, args.workers, tmp / f"run{run}")
            filed = out.count(": filed:")
            print(f"run {run}")
            print(f"  (a) bare tesseract CLI  : {a:6.1f} s  {n / a * 60:6.1f} pages/min  "
                  f"{a / n:.3f} s/page")
            print(f"  (b) inbox letters ingest: {b:6.1f} s  {n / b * 60:6.1f} pages/min  "
                  f"{b / n:.3f} s/page  ({filed} of {n} filed)")
            print(f"  ratio b/a (time per page): {b / a:.2f}")
            ratios.append(b / a)
        print(f"median ratio b/a over {len(ratios)} runs: {statistics.median(ratios):.2f}"
              "  (target <= 1.1)")


if __name__ == "__main__":
    main()
