"""``GET /search``: the workspace's search page, grouped by kind (customers,
claims, policies, threads), a next page per group. A thin handler over
:func:`inbox.workspace.search.search` (the API calls the same function)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from inbox.web import db_session
from inbox.web.permissions import requires
from inbox.workspace.search import KINDS, SearchError, search

bp = Blueprint("search", __name__)
PAGE_SIZE = 20


@bp.get("/search")
@requires("search")
def page() -> tuple[str, int]:
    query = request.args.get("q", "")
    kind = (request.args.get("kind") or "").strip().lower() or None
    number = max(1, request.args.get("page", 1, type=int) or 1)
    try:
        results = search(db_session(), query, kinds=[kind] if kind else None,
                         limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    except SearchError as exc:
        return render_template("search.html", q=query, kind=None, page=1, results=None,
                               kinds=KINDS, error=str(exc)), 400
    return render_template("search.html", q=results.query, kind=kind, page=number,
                           results=results, kinds=KINDS, error=None), 200
