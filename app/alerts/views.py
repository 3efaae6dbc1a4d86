"""Staff page /work/late: overdue and near-due dossiers of the user's unit (supervisors: a subtree)."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user, login_required

from app.alerts.queries import late_lists, scope_units
from app.queues.presenters import duration_text

bp = Blueprint("alerts_pages", __name__, url_prefix="/work")


@bp.get("/late")
@login_required
def late() -> tuple[str, int]:
    if not current_user.is_staff:
        abort(403)
    units = scope_units(current_user)
    unit_ids = [unit.id for unit in units]
    chosen = request.args.get("unit", type=int)
    if chosen is not None and chosen not in unit_ids:
        abort(404)
    lists = late_lists([chosen] if chosen else unit_ids, g.get("lang", "vi"))
    wide = len(units) > 1
    return render_template(
        "alerts/late.html", lists=lists, units=units, chosen=chosen, wide=wide, duration_text=duration_text
    ), 200
