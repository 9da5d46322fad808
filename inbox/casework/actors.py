"""The person acting on a claim or issue, with what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from claims.workflow import SUPERVISOR_ROLES
from config import Settings
from inbox.models import User


class UnknownActor(LookupError):  # noqa: N818 - reads as what happened
    pass


@dataclass(frozen=True)
class Actor:
    id: int | None  # None: the system (an automatic step)
    name: str
    role: str
    team: str
    # The largest approval without escalation; None: no limit.
    authority_limit: Decimal | None

    @property
    def is_supervisor(self) -> bool:
        return self.role in SUPERVISOR_ROLES


SYSTEM = Actor(None, "system", "system", "", None)


def actor_for(session: Session, settings: Settings, who: int | str) -> Actor:
    """The active user with this id or email address."""
    query = sa.select(User).where(User.active.is_(True))
    if isinstance(who, int):
        user = session.scalars(query.where(User.id == who)).first()
    else:
        user = session.scalars(query.where(sa.func.lower(User.email) == who.strip().lower())
                               ).first()
    if user is None:
        raise UnknownActor(f"no active user {who}")
    return actor_of(user, settings)


def actor_of(user: User, settings: Settings) -> Actor:
    limit = user.authority_limit
    if limit is None and user.role not in SUPERVISOR_ROLES:
        limit = settings.claims.default_authority_limit
    return Actor(user.id, user.name or user.email, user.role, user.team, limit)
