"""The administrators' setting of petitions: how many working days an answer may take, per kind.
A change applies to petitions filed from then on; each petition keeps the deadline it was given."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.guards import require_admin_page
from app.core import uow
from app.petitions.forms import DeadlineForm
from app.petitions.models import KINDS
from app.petitions.services import deadline_days, set_deadline
from app.petitions.views import show_problems

bp = Blueprint("petitions_admin", __name__, url_prefix="/admin/petitions")
bp.before_request(require_admin_page)


@bp.route("", methods=["GET", "POST"])
def deadlines() -> Response | tuple[str, int]:
    current = {kind: str(deadline_days(kind)) for kind in KINDS}
    form = DeadlineForm(data=current)
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("petitions/admin.html", form=form, section="petitions"), status
    with uow.attempt() as failed:
        for kind in KINDS:
            set_deadline(kind, int(getattr(form, kind).data), current_user)
    if failed:
        show_problems(form, failed.error)
        return render_template("petitions/admin.html", form=form, section="petitions"), failed.error.status
    flash(_("Đã lưu thời hạn trả lời phản ánh, kiến nghị."), "success")
    return redirect(url_for(".deadlines"))
