"""Queue page and queue API latency on 1,000,000 messages, under wrk, served by
gunicorn: ``.venv/bin/python bench/queue.py --help`` (the work is in
bench/queue_latency.py).

This file only starts it. Its name shadows the standard library's ``queue``
for any script run from this folder (``python bench/x.py`` puts bench/ first
on sys.path, and multiprocessing, concurrent.futures and urllib3 all
``import queue``); when imported under that name it steps aside and hands
the importer the real module.
"""

import sys

if __name__ == "queue":  # someone's `import queue` found this folder first
    import importlib
    from pathlib import Path

    _here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
    del sys.modules["queue"]
    # The importer returns whatever sys.modules holds once this body ends.
    sys.modules["queue"] = importlib.import_module("queue")
elif __name__ == "__main__":
    from pathlib import Path

    _root = Path(__file__).resolve().parent.parent
    sys.path[:] = [str(_root)] + [p for p in sys.path
                                  if Path(p or ".").resolve() != _root / "bench"]
    from bench.queue_latency import main

    main()
