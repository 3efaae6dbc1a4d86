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
from app.representation.permissions import require_can_act_for
from app.representation.queries import find_user, list_principals_for
from app.representation.services import principal_label

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
    draft, principals = None, []
    if current_user.is_authenticated and current_user.is_citizen:
        draft = find_latest_draft(current_user, proc.code)
        principals = list_principals_for(current_user, proc.code)  # whom it may file for, too
    return render_template(
        "portal/procedure.html",
        procedure=proc,
        units=receiving_units(proc),
        draft=draft,
        principals=principals,
        principal_label=principal_label,
    )


@bp.route("/procedures/<code>/apply", methods=["GET", "POST"])
@citizen_required
def apply(code: str) -> Response:
    """Resume the latest draft of this procedure, or (POST) start one, for oneself or (`principal`)
    for a principal that authorised the user. A GET, where signing in comes back to, creates
    nothing: with no draft it leads to the procedure page and its start button."""
    proc = current_procedure(code)
    if "online" not in proc.channels:
        raise NotFoundError("Thủ tục này không nhận hồ sơ trực tuyến")
    if request.method == "GET":
        draft = find_latest_draft(current_user, proc.code)
        if draft is None:
            return redirect(url_for("portal.procedure", code=proc.code))
    else:
        principal_id = request.form.get("principal", type=int)
        if principal_id is not None:  # a representative files for a principal
            require_can_act_for(current_user, principal_id, proc.code)
        principal = find_user(principal_id) if principal_id is not None else None
        draft = start_draft(current_user, proc, principal)
    return redirect(url_for("drafts.edit", draft_id=draft.id))
