"""Who may do what in the workspace: one matrix, enforced on every request.

Every endpoint either is public (:data:`PUBLIC`: sign-in, health, Twilio's
signed webhooks) or declares the permission it needs with :func:`requires`;
an endpoint that declares nothing is refused for everyone (deny by default),
so a new route cannot be left open by accident. The same matrix guards the
JSON API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

ROLES = ("rep", "supervisor", "lead", "admin")
_ALL = frozenset(ROLES)
_WORKERS = frozenset({"rep", "supervisor", "admin"})  # handle customers' matters

PERMISSIONS: dict[str, frozenset[str]] = {
    "queue.view": _ALL,
    # Search messages, customers, claim and policy numbers (read-only, like the queue).
    "search": _ALL,
    "thread.view": _ALL,
    "thread.reply": _WORKERS,
    "thread.assign": _WORKERS,
    # Merge and split threads, move a message between a customer's threads.
    "thread.organize": _WORKERS,
    "thread.note": _ALL,
    # One's own notifications (mentions, escalations, decisions).
    "notifications.view": _ALL,
    "claim.act": _WORKERS,
    "escalation.decide": frozenset({"supervisor", "admin"}),
    "letters.upload": _WORKERS,
    "letters.review": _WORKERS,
    "letters.print": _WORKERS,
    "dashboard.view": frozenset({"lead", "supervisor", "admin"}),
    # The team's canned responses (list, create, edit, delete); using them is thread.reply.
    "canned.manage": frozenset({"lead", "supervisor", "admin"}),
    "intake.manage": frozenset({"admin"}),
    # SLA policies: targets, conditions, calendars (/admin/sla).
    "sla.manage": frozenset({"admin"}),
    "users.manage": frozenset({"admin"}),
}
# Endpoints anyone may reach (the webhooks check Twilio's signature instead).
PUBLIC = frozenset({"auth.login", "auth.logout", "static",
                    # Liveness, readiness, metrics: for load balancers and Prometheus.
                    "ops.healthz", "ops.readyz", "ops.metrics",
                    # The API's description (no data): tools read it unauthenticated.
                    "api-docs.openapi_json"})
PUBLIC_BLUEPRINTS = frozenset({"twilio"})
# Customers' pages: outside this matrix (customers are not users), each
# page checks the customer's own portal session (inbox.web.portal); CSRF applies.
CUSTOMER_BLUEPRINTS = frozenset({"portal"})

F = TypeVar("F", bound=Callable[..., Any])


def requires(permission: str) -> Callable[[F], F]:
    """Declare the permission a view needs (checked before it runs)."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def mark(view: F) -> F:
        view.required_permission = permission  # type: ignore[attr-defined]
        return view

    return mark


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def permission_of(view: Callable[..., Any] | None) -> str | None:
    return getattr(view, "required_permission", None)
