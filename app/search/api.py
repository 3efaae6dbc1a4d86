"""Search API: dossiers the caller's units hold or held, keyset-paginated (`after=next_cursor`)."""

from __future__ import annotations

from flask import Response, g, jsonify
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.auth.roles import STAFF
from app.core.cursors import encode_cursor
from app.search.queries import search_dossiers
from app.search.schemas import SearchPageSchema, SearchQuerySchema, filters_from, search_page_json

blp = Blueprint(
    "search", __name__, url_prefix="/api/v1/search", description="Tra cứu hồ sơ cho cán bộ (staff search)"
)


@blp.route("/dossiers", methods=["GET"])
@require_api_user(*STAFF)
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, SearchPageSchema)
def dossiers(args: dict) -> Response:
    """Dossiers the caller's unit holds or held (a supervisor's: their area; an administrator's:
    all), in any state, newest submission first."""
    rows, cursor = search_dossiers(
        current_user, filters_from(args), args.get("after"), args["limit"], g.get("lang", "vi")
    )
    return jsonify(search_page_json(rows, encode_cursor(cursor) if cursor else None))
