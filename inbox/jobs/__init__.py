"""RQ jobs: thin functions that take ids, declared with
:func:`inbox.jobs.base.job` (queue, timeout, retry), run inside an app context
and one transaction, and safe to run twice. Enqueue with
:func:`inbox.jobs.base.enqueue_after_commit` (or ``enqueue`` outside a
transaction). Periodic jobs are declared in one place: :mod:`inbox.jobs.schedule`.

This module stays import-light (no rq, no redis) so the CLI's help and the web
app do not pay for the queue until they use it.
"""

# Queue names in the order a worker serves them: a waiting customer message
# first, OCR (slow, bulky) last so a scan backlog never delays the rest.
QUEUES: tuple[str, ...] = ("intake", "outbound", "scheduled", "default", "ocr")
