"""``inbox import users FILE.csv``: the workspace's users with their role,
team and authority limit, through the same row machinery as the book of
business (:mod:`claims.book_import`).

    email,name,role,team,authority_limit

Upserted by email (case-insensitive). An empty authority_limit means the
configured default for reps (``claims.default_authority_limit``) and none for
supervisors and admins. Imported users have no password until one is set
(``inbox user add``/``inbox user password``); removing a row does not remove
a user.
"""

from __future__ import annotations

from claims.book_import import Batch, BookFile, Field, money, status, text
from claims.identifiers import normalize_identity
from inbox.models import ROLES, User


def _email(value: str) -> str:
    normalized = normalize_identity("email", value, "GB")
    if not normalized:
        raise ValueError(f"{value!r} is not an email address" if value else "missing")
    return normalized


class _Users(Batch):
    model = User
    key_attr = "email"


USERS_FILE = BookFile("users", "email", (
    Field("email", _email),
    Field("name", text(200), "name"),
    Field("role", status(ROLES), "role"),
    Field("team", text(64), "team"),
    Field("authority_limit", money, "authority_limit", header_required=False),
), _Users)
