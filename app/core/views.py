"""Home page (the citizen portal's catalogue) and health check."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/")
def index() -> str:
    """The portal home: a search box and the procedures that can be submitted (app.portal)."""
    from app.portal.views import catalogue_context

    return render_template("core/index.html", **catalogue_context())


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """For load balancers: this app server answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
