"""The bare queue endpoint `benchmarks/queue.py` measures ours against: a plain Flask app whose one
route runs the same `app.queues.queries.queue_statement` with SQLAlchemy Core and returns the rows
as JSON, with no authentication, no marshmallow schema, no ORM session and no per-row work.

    gunicorn -w 2 benchmarks.bare_queue:app        # DATABASE_URL names the benchmark database

GET /queue/<kind>?unit=<id>[&procedure=..][&overdue=1][&q=..][&after=<cursor>][&limit=50]
returns {"items": [...], "next_cursor": ...}: the same rows and cursor as the real endpoint.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, jsonify, request
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.procedures.queries import EXTENSION_KEY  # noqa: E402
from app.queues.queries import (  # noqa: E402
    Cursor,
    QueueFilters,
    decode_cursor,
    encode_cursor,
    queue_statement,
)


def _registry() -> object:
    """The procedure registry queue_statement reads (which states belong to a queue), loaded once
    by the real factory at start-up; requests never touch the real app."""
    from app import create_app

    real = create_app({"SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
    return real.extensions[EXTENSION_KEY]


app = Flask(__name__)
app.extensions[EXTENSION_KEY] = _registry()
engine = create_engine(os.environ["DATABASE_URL"], pool_size=4, max_overflow=4)


@app.get("/queue/<kind>")
def queue(kind: str):  # noqa: ANN201
    args = request.args
    filters = QueueFilters(
        procedure=args.get("procedure") or None,
        overdue=args.get("overdue") in {"1", "true"},
        q=args.get("q") or None,
    )
    cursor = decode_cursor(args["after"]) if args.get("after") else None
    limit = int(args.get("limit", 50))
    with engine.connect() as conn:
        rows = conn.execute(queue_statement(int(args["unit"]), kind, filters, cursor, limit + 1)).all()
    page = rows[:limit]
    more = len(rows) > limit
    return jsonify(
        items=[row._asdict() for row in page],
        next_cursor=encode_cursor(Cursor(page[-1].queue_due_at, page[-1].id)) if more else None,
    )
