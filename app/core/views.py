"""Health check for load balancers."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """For load balancers: this app server answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
