"""SLA policies for admins (``/admin/sla``, permission ``sla.manage``): the
list in the order they are tried, a form to add or edit one (targets,
conditions, calendar), switching one off, and writing ``[sla]``'s policies
to the table. The rules (what a valid policy is, audit) are
:mod:`inbox.sla.store`'s. After a change every open thread takes the new
targets (a job, after the commit).

Also the thread page's SLA box (``templates/thread_parts/sla.html``): the
``sla_view`` template global gives each target's due time and state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from inbox.models import Thread
from inbox.models.sla import SlaPolicy
from inbox.sla.calendar import WEEKDAYS, BusinessCalendar, span_text
from inbox.sla.policies import (
    CLAIM_TARGETS,
    CONDITION_KEYS,
    DEFAULT_KEY,
    THREAD_TARGETS,
    PolicyError,
    format_duration,
)
from inbox.web import db_session
from inbox.web.permissions import requires

bp = Blueprint("sla_admin", __name__)
LABELS = {"first_response": "First response", "next_response": "Next response",
          "resolution": "Resolution", "claim_acknowledgement": "Claim acknowledgement",
          "claim_decision": "Claim decision (from proof of claim)",
          "claim_status": "Written claim status, every"}


def _row(policy_id: int) -> SlaPolicy:
    row = db_session().get(SlaPolicy, policy_id)
    if row is None:
        abort(404)
    return row


def _recompute_after_commit(policy_key: str | None) -> None:
    from inbox.jobs.base import enqueue_after_commit
    from inbox.jobs.sla import recompute_sla

    enqueue_after_commit(db_session(), recompute_sla, policy_key)


@bp.get("/admin/sla")
@requires("sla.manage")
def index() -> str:
    from inbox.sla.store import load_policies, policies_in_order

    session = db_session()
    rows = policies_in_order(session)
    in_force = load_policies(session, fresh=True)
    return render_template("sla/list.html", rows=rows, in_force=in_force,
                           labels=LABELS, fmt=format_duration)


@bp.post("/admin/sla/sync")
@requires("sla.manage")
def sync() -> Response:
    from inbox.sla.store import sync_config

    outcome = sync_config(db_session(), datetime.now(UTC))
    changed = [f"{what}: {', '.join(keys)}" for what, keys in outcome.items() if keys]
    flash("; ".join(changed) if changed else "The table already holds the configuration.", "ok")
    if any(outcome[k] for k in ("added", "updated", "deactivated")):
        _recompute_after_commit(None)
    return redirect(url_for("sla_admin.index"), code=303)


@bp.route("/admin/sla/new", methods=["GET", "POST"])
@requires("sla.manage")
def create() -> str | Response | tuple[str, int]:
    return _form(None)


@bp.route("/admin/sla/<int:policy_id>/edit", methods=["GET", "POST"])
@requires("sla.manage")
def edit(policy_id: int) -> str | Response | tuple[str, int]:
    return _form(_row(policy_id))


@bp.post("/admin/sla/<int:policy_id>/active")
@requires("sla.manage")
def active(policy_id: int) -> Response:
    from inbox.sla.store import set_active

    row = _row(policy_id)
    wanted = request.form.get("active") == "1"
    try:
        set_active(db_session(), row, wanted, datetime.now(UTC), actor_id=current_user.id)
    except PolicyError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{row.key} is {'on' if wanted else 'off'}.", "ok")
        _recompute_after_commit(None)
    return redirect(url_for("sla_admin.index"), code=303)


def _form(row: SlaPolicy | None) -> str | Response | tuple[str, int]:
    from inbox.sla.store import save_policy

    values = _values_of(row)
    error = ""
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        session = db_session()
        try:
            raw = raw_policy(request.form, key=row.key if row else None)
            position = _position(request.form.get("position", ""))
            with session.begin_nested():
                saved = save_policy(session, raw, datetime.now(UTC), actor_id=current_user.id,
                                    row=row, position=position)
        except PolicyError as exc:
            error = str(exc)
        else:
            flash(f"Saved {saved.key}. Open threads take it on now.", "ok")
            _recompute_after_commit(None)
            return redirect(url_for("sla_admin.index"), code=303)
    page = render_template("sla/edit.html", row=row, values=values, error=error,
                           labels=LABELS, thread_targets=THREAD_TARGETS,
                           claim_targets=CLAIM_TARGETS, conditions=CONDITION_KEYS,
                           weekdays=WEEKDAYS, default_key=DEFAULT_KEY)
    return (page, 422) if error else page


def _position(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise PolicyError(f"position: {text!r} is not a whole number") from None


def raw_policy(form: MultiDict[str, str], *, key: str | None) -> dict[str, Any]:
    """The form as :func:`inbox.sla.policies.parse_policy` reads a policy."""
    raw: dict[str, Any] = {"key": key or form.get("key", "").strip(),
                           "name": form.get("name", "").strip(),
                           "on_breach": form.get("on_breach", "reassign")}
    for name in CONDITION_KEYS:
        raw[name] = [v.strip() for v in form.get(name, "").split(",") if v.strip()]
    for name in (*THREAD_TARGETS, *CLAIM_TARGETS):
        raw[name] = form.get(name, "").strip()
    try:
        raw["warn_at"] = float(form.get("warn_at", "0.8") or "0.8")
    except ValueError:
        raise PolicyError("warn_at: give a fraction like 0.8") from None
    if form.get("calendar_kind") == "business":
        raw["calendar"] = {
            "timezone": form.get("timezone", "").strip(),
            "hours": {day: [s.strip() for s in form.get(f"hours_{day}", "").split(",")
                            if s.strip()]
                      for day in WEEKDAYS if form.get(f"hours_{day}", "").strip()},
            "holidays": [h.strip() for h in form.get("holidays", "").split() if h.strip()],
        }
    else:
        raw["calendar"] = "24/7"
    return raw


def _values_of(row: SlaPolicy | None) -> dict[str, str]:
    values = {"key": "", "name": "", "on_breach": "reassign", "warn_at": "0.8",
              "calendar_kind": "calendar", "timezone": "Europe/London", "holidays": "",
              "position": "", **dict.fromkeys(CONDITION_KEYS, ""),
              **dict.fromkeys((*THREAD_TARGETS, *CLAIM_TARGETS), ""),
              **{f"hours_{day}": "" for day in WEEKDAYS}}
    if row is None:
        for day in WEEKDAYS[:5]:
            values[f"hours_{day}"] = "09:00-17:00"
        return values
    from inbox.sla.store import row_policy

    policy = row_policy(row)
    values.update(key=row.key, name=row.name, on_breach=row.on_breach,
                  warn_at=f"{row.warn_at:g}", position=str(row.position))
    for name in CONDITION_KEYS:
        values[name] = ", ".join(sorted(getattr(policy.conditions, name)))
    for name, duration in policy.targets.items():
        values[name] = format_duration(duration)
    calendar = policy.calendar
    if isinstance(calendar, BusinessCalendar):
        values["calendar_kind"], values["timezone"] = "business", calendar.timezone
        for n, spans in enumerate(calendar.hours):
            values[f"hours_{WEEKDAYS[n]}"] = ", ".join(span_text(s) for s in spans)
        values["holidays"] = "\n".join(sorted(d.isoformat() for d in calendar.holidays))
    return values


# -- the thread page's SLA box -----------------------------------------------------------


@dataclass(frozen=True)
class TargetView:
    name: str
    label: str
    due_at: datetime | None
    state: str  # ok | warning | breached | paused


@dataclass(frozen=True)
class SlaView:
    policy: str
    targets: list[TargetView]
    paused_since: datetime | None
    remind_at: datetime | None


@bp.app_template_global("sla_view")
def sla_view(thread: Thread) -> SlaView | None:
    """What the thread page shows of the thread's SLA, as of now; None when
    nothing is timed."""
    from inbox.sla.clock import thread_clock
    from inbox.sla.store import load_policies
    from inbox.sla.track import facts_of

    session = db_session()
    policies = load_policies(session)
    policy = policies.by_key(thread.sla_policy_key)
    if policy is None:
        return None
    now = datetime.now(UTC)
    clock = thread_clock(facts_of(thread), policy)
    targets = [TargetView(name, LABELS.get(name, name), target.due_at, target.state(now))
               for name, target in clock.targets.items()]
    if not targets and thread.sla_remind_at is None:
        return None
    return SlaView(policy.name, targets, thread.sla_paused_at,
                   thread.sla_remind_at if thread.status == "open" else None)
