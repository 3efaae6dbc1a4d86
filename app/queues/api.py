"""Queue API: one page of a unit's queue, keyset-paginated (`after=next_cursor`)."""

from __future__ import annotations

from flask import Response, g, jsonify
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.core.errors import ErrorSchema
from app.queues.queries import KINDS, encode_cursor, list_queue
from app.queues.schemas import QueuePageSchema, QueueQuerySchema, filters_from, queue_page_json

blp = Blueprint(
    "queues", __name__, url_prefix="/api/v1/queues", description="Hàng việc cán bộ (officer queues)"
)


@blp.route(f"/<any({', '.join(KINDS)}):kind>", methods=["GET"])
@require_api_user(*KINDS)
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, QueuePageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Not a queue kind")
def queue(args: dict, kind: str) -> Response:
    """Dossiers of the caller's unit waiting for this role, due first."""
    rows, cursor = list_queue(
        current_user,
        kind,
        filters_from(args, current_user.id),
        args.get("after"),
        args["limit"],
        g.get("lang", "vi"),
    )
    return jsonify(queue_page_json(rows, encode_cursor(cursor) if cursor else None))
