"""The customer portal: customers sign in without a password, see their own
threads and claims in their language, and write in (channel ``portal``,
through :func:`inbox.intake.core.ingest` like every channel).

* :mod:`inbox.portal.signin`: sign-in links and SMS codes, sessions;
* :mod:`inbox.portal.delivery`: sending a link or a code (a job);
* :mod:`inbox.portal.overview`: what a customer may see of their threads and claims;
* :mod:`inbox.portal.submit`: a message from the portal into the inbox;
* :mod:`inbox.portal.scans`: reading uploaded scans (a job on the ``ocr`` queue);
* :mod:`inbox.portal.i18n`: the pages' texts in the customer's language.

The web routes are :mod:`inbox.web.portal`.
"""
