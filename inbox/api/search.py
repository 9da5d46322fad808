"""``/api/v1/search``: the workspace's search (customers, threads, claims,
policies) over HTTP; the same function as the page."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from inbox.api import ApiBlueprint, fail
from inbox.api.schemas import MAX_PER_PAGE, Schema, page_number
from inbox.web import db_session, settings
from inbox.web.permissions import requires
from inbox.workspace.search import KINDS, SearchError, search

blp = ApiBlueprint("api_search", __name__, description="Full-text and identifier search.")


class SearchArgs(Schema):
    q = fields.String(required=True, validate=validate.Length(min=1, max=500), metadata={
        "description": "Words (any served language, stemmed), or a claim or policy "
                       "number, email address, phone number or customer reference."})
    kind = fields.List(fields.String(validate=validate.OneOf(KINDS)), metadata={
        "description": "Only these kinds (repeat the parameter); default all."})
    page = page_number()
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


class ThreadRefOut(Schema):
    id = fields.Integer()
    subject = fields.String()
    status = fields.String()
    last_message_at = fields.AwareDateTime(allow_none=True)


class MatchedOut(Schema):
    kind = fields.String()
    value = fields.String()


class CustomerHitOut(Schema):
    id = fields.Integer()
    name = fields.String()
    ref = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    exact = fields.Boolean(metadata={"description": "Found by an identifier, not by name."})
    matched = fields.List(fields.Nested(MatchedOut))
    threads = fields.List(fields.Nested(ThreadRefOut))


class ThreadHitOut(Schema):
    thread_id = fields.Integer()
    message_id = fields.Integer()
    subject = fields.String()
    channel = fields.String()
    direction = fields.String()
    received_at = fields.AwareDateTime()
    status = fields.String()
    language = fields.String(allow_none=True)
    customer_id = fields.Integer()
    customer_name = fields.String()
    claim_number = fields.String(allow_none=True)
    snippet_html = fields.Function(lambda hit: str(hit.snippet), metadata={
        "description": "Escaped text with the matches in <mark>: safe to insert as HTML."})
    exact = fields.Boolean()
    in_subject = fields.Boolean()


class ClaimHitOut(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    policy_number = fields.String()
    customer_id = fields.Integer()
    customer_name = fields.String()
    thread_id = fields.Integer(allow_none=True)


class PolicyHitOut(Schema):
    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    product = fields.String()
    customer_id = fields.Integer()
    customer_name = fields.String()


class SearchOut(Schema):
    query = fields.String()
    kinds = fields.List(fields.String())
    customers = fields.List(fields.Nested(CustomerHitOut))
    threads = fields.List(fields.Nested(ThreadHitOut))
    claims = fields.List(fields.Nested(ClaimHitOut))
    policies = fields.List(fields.Nested(PolicyHitOut))
    has_more = fields.Dict(keys=fields.String(), values=fields.Boolean(), metadata={
        "description": "Per kind: whether the next page has more."})


@blp.route("/search")
@requires("search")
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchOut)
def search_everything(args: dict[str, Any]) -> Any:
    """Search; each kind is paged on its own (``page``, ``per_page``)."""
    try:
        return search(db_session(), args["q"], kinds=args.get("kind") or None,
                      limit=args["per_page"], offset=(args["page"] - 1) * args["per_page"],
                      region=settings().default_region)
    except SearchError as exc:
        fail(422, str(exc))
