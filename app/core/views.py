"""Landing page and health check. The citizen portal and officer workspace build on this."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("core", __name__)
LEVEL_NAMES = {
    "vi": {"province": "Tỉnh", "district": "Huyện", "commune": "Xã"},
    "en": {"province": "Province", "district": "District", "commune": "Commune"},
}


@bp.get("/")
def index():  # noqa: ANN201
    from app.procedures import get_registry

    lang = "en" if request.args.get("lang") == "en" else "vi"
    procedures = sorted(get_registry().list_current(), key=lambda p: p.name.get(lang))
    return render_template("core/index.html", procedures=procedures, lang=lang, levels=LEVEL_NAMES[lang])


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """For load balancers: this app server answers and reaches its database."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
