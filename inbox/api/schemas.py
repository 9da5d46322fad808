"""The API's shapes (marshmallow): what goes out is documented by the same
schema that dumps it; what comes in is validated before a view runs
(a bad field is a 422 naming it)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from claims.workflow import ACTIONS
from inbox.workspace.queue import CHANNELS, STATUSES, VIEWS

MAX_PER_PAGE = 100
# Ids are INTEGER columns (int4 on PostgreSQL): a larger number is no row, and
# sent to the database it is an error, not "not found". Pages end well before
# an OFFSET overflows.
MAX_ID = 2**31 - 1
MAX_PAGE = 100_000
ROW_ID = f"int(min=1, max={MAX_ID})"  # the URL converter of a path's id: 404 outside
CLAIM_ACTIONS = tuple(ACTIONS)  # request_info among them


class Schema(ma.Schema):
    class Meta:
        ordered = True
        unknown = ma.RAISE

    @ma.pre_load
    def _refuse_nul(self, data: Any, **_: Any) -> Any:
        """PostgreSQL's text cannot hold NUL: a field with one is a 422 naming
        it here, not a database error later."""
        if not isinstance(data, Mapping):
            return data  # marshmallow refuses it as it is
        names = (field.data_key or name for name, field in self.load_fields.items())
        bad = {name: ["must not contain NUL (\\u0000)"] for name in names
               if name in data and _has_nul(data[name])}
        if bad:
            raise ma.ValidationError(bad)
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    return False


# --- money ------------------------------------------------------------------------
# Amounts are decimal strings ("1200.00"), never floats; the columns are
# NUMERIC(12, 2). apispec documents a Decimal field as a number whatever it
# dumps, so the type is given here.
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
MONEY_DOC = {"type": "string", "format": "decimal", "example": "1200.00"}


def money(**kwargs: Any) -> fields.Decimal:
    """An amount the API gives out."""
    return fields.Decimal(as_string=True, metadata=MONEY_DOC, **kwargs)


def _storable_amount(value: Decimal) -> None:
    if not (value.is_finite() and 0 <= value < 10**10 and value == round(value, 2)):
        raise ma.ValidationError("an amount of at most 10 digits and 2 decimals, "
                                 "e.g. 1200.00")


def money_in(**kwargs: Any) -> fields.Decimal:
    """An amount the API takes: a string (or a JSON number) that fits NUMERIC(12, 2)."""
    return fields.Decimal(as_string=True, validate=_storable_amount,
                          metadata={**MONEY_DOC, "pattern": AMOUNT_PATTERN}, **kwargs)


def not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("must not be blank")


# Documented as a pattern (some character that is not a space) so that the
# document says what the validator refuses.
NOT_BLANK_DOC = {"pattern": r"\S"}


def row_id(**kwargs: Any) -> fields.Integer:
    """A row's id in a query or a body (422 outside 1..MAX_ID)."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


def page_number(**kwargs: Any) -> fields.Integer:
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE), **kwargs)


# --- paging ---------------------------------------------------------------------
class PageArgs(Schema):
    page = page_number()
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class Page(Schema):
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    pages = fields.Integer(required=True)


def paged(items: list[Any], total: int, args: dict[str, Any]) -> dict[str, Any]:
    per_page = args["per_page"]
    return {"items": items, "page": {"page": args["page"], "per_page": per_page,
                                     "total": total, "pages": -(-total // per_page)}}


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """A list envelope: ``{"items": [...], "page": {...}}``."""
    return type(name, (Schema,), {"items": fields.List(fields.Nested(item), required=True),
                                  "page": fields.Nested(Page, required=True)})


# --- small references -------------------------------------------------------------
class UserRef(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()


class CustomerRef(Schema):
    id = fields.Integer()
    name = fields.String()
    language = fields.String(allow_none=True)


class ClaimRef(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()


class AccountIssueRef(Schema):
    id = fields.Integer()
    kind = fields.String()
    status = fields.String()
    summary = fields.String()


# --- queue and threads -----------------------------------------------------------
class QueueArgs(PageArgs):
    view = fields.String(load_default="all", validate=validate.OneOf(VIEWS))
    status = fields.String(load_default="open", validate=validate.OneOf(STATUSES))
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    issue_type = fields.String()
    assignee = row_id(metadata={"description": "A user id."})
    team = fields.String()
    language = fields.String()


class ThreadSummary(Schema):
    id = fields.Integer()
    subject = fields.String()
    status = fields.String()
    priority = fields.String()
    issue_type = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    channels = fields.List(fields.String(), metadata={"description": "Channels of its messages."})
    customer = fields.Nested(CustomerRef)
    claim = fields.Nested(ClaimRef, allow_none=True)
    account_issue = fields.Nested(AccountIssueRef, allow_none=True)
    assignee = fields.Nested(UserRef, allow_none=True)
    needs_reply = fields.Boolean()
    due_at = fields.AwareDateTime(allow_none=True)
    overdue = fields.Boolean()
    follow_up_at = fields.AwareDateTime(allow_none=True)
    last_message_at = fields.AwareDateTime(allow_none=True)
    last_inbound_at = fields.AwareDateTime(allow_none=True)
    created_at = fields.AwareDateTime()
    merged_into_id = fields.Integer(allow_none=True)


QueuePage = page_of(ThreadSummary, "QueuePage")


class ThreadUpdate(Schema):
    assignee_id = row_id(allow_none=True, metadata={
        "description": "A user id, or null to unassign."})
    status = fields.String(validate=validate.OneOf(STATUSES))
    priority = fields.String(validate=validate.OneOf(("low", "normal", "high", "urgent")))

    @ma.validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        # No body (or {}) is a mistake, not a change of nothing.
        if not data:
            raise ma.ValidationError("give assignee_id, status or priority")


class AttachmentOut(Schema):
    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    inline = fields.Boolean()
    url = fields.String(metadata={"description": "Download (same authentication)."})


class MessageOut(Schema):
    id = fields.Integer()
    thread_id = fields.Integer()
    channel = fields.String()
    direction = fields.String(metadata={"description": "inbound, outbound or note"})
    sender = fields.String()
    sender_name = fields.String()
    recipient = fields.String()
    subject = fields.String()
    text = fields.String()
    html = fields.String(metadata={"description": "Sanitised HTML (remote images blocked)."})
    language = fields.String(allow_none=True)
    received_at = fields.AwareDateTime()
    auto = fields.Boolean()
    author = fields.Nested(UserRef, allow_none=True)
    call = fields.Dict(allow_none=True, metadata={
        "description": "For calls: duration, direction, recording, transcript."})
    attachments = fields.List(fields.Nested(AttachmentOut))


MessagePage = page_of(MessageOut, "MessagePage")


class OutboundOut(Schema):
    id = fields.Integer()
    thread_id = fields.Integer()
    channel = fields.String()
    recipient = fields.String()
    status = fields.String(metadata={"description": "pending, sent, failed or cancelled"})
    attempts = fields.Integer()
    last_error = fields.String()
    created_at = fields.AwareDateTime()
    send_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    message_id = fields.Integer(allow_none=True)


class ThreadOut(ThreadSummary):
    pending_replies = fields.List(fields.Nested(OutboundOut), metadata={
        "description": "Replies the channel has not accepted yet, or refused."})


class ReplyIn(Schema):
    channel = fields.String(load_default="email", validate=validate.OneOf(
        ("email", "sms", "letter")))
    body = fields.String(required=True, validate=[validate.Length(min=1, max=100_000), not_blank],
                         metadata=NOT_BLANK_DOC)
    seen_inbound = fields.AwareDateTime(allow_none=True, metadata={"description": (
        "The last customer message time the writer had seen (the thread's "
        "last_inbound_at). If the customer wrote since, the reply is refused "
        "with 409 so they read it first.")})


class NoteIn(Schema):
    text = fields.String(required=True, validate=[validate.Length(min=1, max=20_000), not_blank],
                         metadata=NOT_BLANK_DOC)


class NoteOut(Schema):
    id = fields.Integer()
    thread_id = fields.Integer()
    text = fields.String()
    received_at = fields.AwareDateTime()


# --- customers ------------------------------------------------------------------
class CustomerArgs(PageArgs):
    q = fields.String(metadata={"description": "Name, email address, phone number or "
                                               "customer reference."})


class IdentityOut(Schema):
    kind = fields.String()
    value = fields.String()
    verified = fields.Boolean()


class PolicyOut(Schema):
    id = fields.Integer()
    number = fields.String()
    product = fields.String()
    status = fields.String()
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    renewal_date = fields.Date(allow_none=True)
    coverage_limit = money(allow_none=True)
    deductible = money(allow_none=True)
    exclusions = fields.List(fields.String())


class CustomerOut(CustomerRef):
    ref = fields.String(allow_none=True)
    address = fields.String()
    preferred_channel = fields.String(allow_none=True)
    identities = fields.List(fields.Nested(IdentityOut))


class CustomerDetail(CustomerOut):
    policies = fields.List(fields.Nested(PolicyOut))
    claims = fields.List(fields.Nested(ClaimRef))
    threads = fields.List(fields.Nested(ThreadSummary))


CustomerPage = page_of(CustomerOut, "CustomerPage")


# --- claims ---------------------------------------------------------------------
class ClaimArgs(PageArgs):
    number = fields.String()
    status = fields.String()
    customer_id = row_id()


class ClaimOut(ClaimRef):
    policy = fields.Nested(PolicyOut)
    customer = fields.Nested(CustomerRef)
    loss_date = fields.Date(allow_none=True)
    cause = fields.String(allow_none=True)
    amount_claimed = money(allow_none=True)
    amount_approved = money(allow_none=True)
    description = fields.String()
    created_at = fields.AwareDateTime()


class ClaimEventOut(Schema):
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    reason = fields.String()
    reason_code = fields.String()
    actor = fields.Nested(UserRef, allow_none=True)
    created_at = fields.AwareDateTime()


class ClaimDetail(ClaimOut):
    events = fields.List(fields.Nested(ClaimEventOut))
    thread_ids = fields.List(fields.Integer())


ClaimPage = page_of(ClaimOut, "ClaimPage")


class ClaimActionIn(Schema):
    action = fields.String(required=True, validate=validate.OneOf(CLAIM_ACTIONS), metadata={
        "description": "A workflow step, or request_info (ask the customer for documents); "
                       "a step the claim's status does not allow is a 422 naming the "
                       "possible ones."})
    thread_id = row_id(allow_none=True)
    amount = money_in(allow_none=True)
    reason = fields.String(load_default="")
    reason_code = fields.String(load_default="")
    items = fields.List(fields.String(), load_default=list, metadata={
        "description": "request_info: documents asked for."})
    note = fields.String(load_default="")
    channel = fields.String(allow_none=True, metadata={
        "description": "request_info: the channel to ask on (default: the customer's)."})


class ClaimActionOut(Schema):
    claim = fields.Nested(ClaimRef)
    from_status = fields.String()
    to_status = fields.String()
    escalated = fields.Boolean()
    notices = fields.List(fields.Nested(OutboundOut))
