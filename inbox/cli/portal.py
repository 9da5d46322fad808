"""``inbox portal link``: a customer's sign-in link, for support staff (a
customer whose mail does not arrive) and for trying the demo."""

from __future__ import annotations

import click

from inbox.cli import Context, pass_context


@click.group("portal")
def portal() -> None:
    """The customer portal (/portal)."""


@portal.command("link")
@click.argument("contact")
@click.argument("reference")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True,
              help="Where the portal is, when [portal] public_url is not set.")
@click.option("--language", default="en", show_default=True)
@pass_context
def link(obj: Context, contact: str, reference: str, base_url: str, language: str) -> None:
    """Print a one-time sign-in link for the customer with CONTACT (email or
    mobile number) and REFERENCE (one of their policy or claim numbers)."""
    from db import utcnow
    from inbox.portal.i18n import pick
    from inbox.portal.signin import RateLimited, SignInError, issue_link

    secret = str(obj.app.config["SECRET_KEY"]).encode()
    try:
        with obj.transaction() as session:
            url = issue_link(session, obj.settings, secret, contact=contact,
                             reference=reference, base=base_url, now=utcnow(),
                             language=pick(language))
    except SignInError as exc:
        given = contact if str(exc) == "contact" else reference
        raise click.ClickException(f"not a valid {exc}: {given}") from exc
    except RateLimited as exc:
        raise click.ClickException(
            "too many sign-in requests for this contact; wait a little") from exc
    if url is None:
        raise click.ClickException("no customer with that contact holds that policy or claim")
    minutes = obj.settings.portal.link_minutes
    click.echo(f"one-time link, valid {minutes} minutes:", err=True)
    click.echo(url)


COMMANDS = [portal]
