"""The home page and the public catalogue (search, filters, procedure pages), and starting an online
application."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.core.errors import NotFoundError
from app.portal.presenters import lang
from app.portal.queries import current_procedure, find_latest_draft, get_catalogue, receiving_units
from app.portal.services import start_draft
from app.portal.web import citizen_required

bp = Blueprint("portal", __name__)


def catalogue_context() -> dict:
    """Search and filters from the query string; shared by the home page and /procedures."""
    q = (request.args.get("q") or "").strip()[:200]
    level = request.args.get("level") or None
    field = request.args.get("field") or None
    catalogue = get_catalogue(q or None, level, field, lang())
    return {"catalogue": catalogue, "q": q, "level": level, "field": field}


@bp.get("/")
def index() -> str:
    """The portal home: a search box and the procedures that can be submitted."""
    return render_template("portal/index.html", **catalogue_context())


@bp.get("/procedures")
def procedures() -> str:
    return render_template("portal/procedures.html", **catalogue_context())


@bp.get("/procedures/<code>")
def procedure(code: str) -> str:
    proc = current_procedure(code)
    draft = None
    if current_user.is_authenticated and current_user.is_citizen:
        draft = find_latest_draft(current_user, proc.code)
    return render_template("portal/procedure.html", procedure=proc, units=receiving_units(proc), draft=draft)


@bp.route("/procedures/<code>/apply", methods=["GET", "POST"])
@citizen_required
def apply(code: str) -> Response:
    """Resume the latest draft of this procedure, or (POST) start one. A GET, where signing in comes
    back to, creates nothing: with no draft it leads to the procedure page and its start button."""
    proc = current_procedure(code)
    if "online" not in proc.channels:
        raise NotFoundError("Thủ tục này không nhận hồ sơ trực tuyến")
    if request.method == "GET":
        draft = find_latest_draft(current_user, proc.code)
        if draft is None:
            return redirect(url_for("portal.procedure", code=proc.code))
    else:
        draft = start_draft(current_user, proc)
    return redirect(url_for("drafts.edit", draft_id=draft.id))
