"""Data protection: what is held about one customer (:mod:`.scope`), a
subject-access export of it (:mod:`.export`), erasure on request by
anonymisation (:mod:`.erase`), and the retention policy for raw mail,
recordings and failed intake (:mod:`.retention`). Blobs are deleted only when
no row refers to them any more (:mod:`.blobrefs`), and only after commit.

Commands: ``inbox export customer``, ``inbox customers erase``,
``inbox retention run``; the periodic job is
:func:`inbox.jobs.retention.apply_retention_policy`.
"""
