"""``GET /api/v1/dashboard``: the dashboard's figures (``dashboard.view``:
leads, supervisors, admins), computed by the same functions as the page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import fields, validate

from channels.base import CHANNELS
from inbox.api import ApiBlueprint, fail
from inbox.api.schemas import Schema, row_id
from inbox.metrics.dashboard import as_dict, dashboard
from inbox.metrics.query import DashboardError, parse_query
from inbox.web import db_session, settings
from inbox.web.dashboard import figures_cache, read_sessions
from inbox.web.permissions import requires

blp = ApiBlueprint("api_dashboard", __name__,
                description="Response and resolution times, SLA, backlog, escalations.")


class DashboardArgs(Schema):
    from_ = fields.Date(data_key="from", metadata={
        "description": "First day (yyyy-mm-dd, in the office's time zone); default 29 days "
                       "before `to`."})
    to = fields.Date(metadata={"description": "Last day, inclusive; default today."})
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    team = fields.String(validate=validate.Length(max=64), metadata={
        "description": "A team; `-` for facts without a team."})
    rep = row_id(metadata={"description": "A user id."})


class StatOut(Schema):
    count = fields.Integer()
    median = fields.Float(allow_none=True, metadata={"description": "Seconds."})
    p90 = fields.Float(allow_none=True, metadata={"description": "Seconds (90th percentile)."})


class TimesOut(Schema):
    key = fields.String()
    label = fields.String()
    first_response = fields.Nested(StatOut)
    resolution = fields.Nested(StatOut)


class TimesGroupsOut(Schema):
    all = fields.Nested(TimesOut)
    responses = fields.Integer(metadata={
        "description": "Every answer to a customer in the range, not only first responses."})
    by_channel = fields.List(fields.Nested(TimesOut))
    by_team = fields.List(fields.Nested(TimesOut))
    by_rep = fields.List(fields.Nested(TimesOut), metadata={"description": "key: the user id."})
    by_day = fields.List(fields.Nested(TimesOut))
    by_week = fields.List(fields.Nested(TimesOut), metadata={"description": "key: the Monday."})


class SlaRowOut(Schema):
    key = fields.String()
    label = fields.String()
    met = fields.Integer()
    breached = fields.Integer()
    warned = fields.Integer()
    attainment = fields.Float(allow_none=True, metadata={"description": "met / (met + breached)"})


class SlaOut(Schema):
    all = fields.Nested(SlaRowOut)
    by_target = fields.List(fields.Nested(SlaRowOut))
    by_team = fields.List(fields.Nested(SlaRowOut))
    by_day = fields.List(fields.Nested(SlaRowOut))


class LiveOut(Schema):
    open = fields.Integer()
    unassigned = fields.Integer()
    overdue = fields.Integer()
    waiting_on_customer = fields.Integer()
    backlog = fields.Integer()


class BacklogRowOut(Schema):
    key = fields.String()
    label = fields.String()
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    total = fields.Integer()


class BacklogOut(Schema):
    channels = fields.List(fields.String())
    rows = fields.List(fields.Nested(BacklogRowOut))


class TeamCountOut(Schema):
    team = fields.String()
    count = fields.Integer()


class EscalationOut(Schema):
    id = fields.Integer()
    thread_id = fields.Integer(allow_none=True)
    claim_id = fields.Integer(allow_none=True)
    source = fields.String()
    team = fields.String()
    supervisor = fields.String()
    raised_by = fields.String()
    created_at = fields.AwareDateTime()
    age_seconds = fields.Integer()
    reason = fields.String()


class EscalationsOut(Schema):
    open = fields.Integer()
    by_team = fields.List(fields.Nested(TeamCountOut))
    oldest = fields.List(fields.Nested(EscalationOut))


class RangeOut(Schema):
    from_ = fields.Date(data_key="from", attribute="from")
    to = fields.Date()
    timezone = fields.String()


class FiltersOut(Schema):
    channel = fields.String(allow_none=True)
    team = fields.String(allow_none=True)
    rep = fields.Integer(allow_none=True)


class DashboardOut(Schema):
    range = fields.Nested(RangeOut)
    filters = fields.Nested(FiltersOut)
    generated_at = fields.AwareDateTime()
    times = fields.Nested(TimesGroupsOut)
    sla = fields.Nested(SlaOut)
    live = fields.Nested(LiveOut)
    backlog = fields.Nested(BacklogOut)
    escalations = fields.Nested(EscalationsOut)


@blp.route("/dashboard")
@requires("dashboard.view")
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, DashboardOut)
def figures(args: dict[str, Any]) -> dict[str, Any]:
    """The dashboard: times for the range (seconds), SLA, live counts, backlog,
    open escalations; the same figures as the page ``/dashboard``."""
    now = datetime.now(UTC)
    given = {"from": args.get("from_"), "to": args.get("to"), "channel": args.get("channel"),
             "team": args.get("team"), "rep": args.get("rep")}
    try:
        q = parse_query({k: str(v) for k, v in given.items() if v is not None},
                        settings().timezone, now)
    except DashboardError as exc:
        fail(422, str(exc))
    return as_dict(dashboard(db_session(), q, now, sessions=read_sessions(),
                             cache=figures_cache()))
