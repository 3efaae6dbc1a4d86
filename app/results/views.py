"""The public verification page of a signed result (the QR code of its signature block leads
there), and the administrators' log of the pushes to the citizens' data stores.

The public page shows what the result itself shows and nothing else: issuing agency, procedure,
result, date, number and the SHA-256 of the file. Anyone may upload a PDF there (CSRF, limited per
client address by `RESULT_VERIFY_LIMIT`) and be told whether it is this very result (the same bytes)
and whether its signatures are valid; the file is read in memory and kept nowhere.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth.guards import require_admin_page
from app.core.errors import NotFoundError
from app.extensions import limiter
from app.results import datastore, presenters, queries
from app.results.forms import VerifyForm
from app.results.services import VERIFY_PATH
from app.results.verification import check_upload

bp = Blueprint("results", __name__)
admin_bp = Blueprint("results_admin", __name__, url_prefix="/admin/results")
admin_bp.before_request(require_admin_page)


def _verify_limit() -> str:
    return current_app.config["RESULT_VERIFY_LIMIT"]


def _result_or_404(token: str):  # noqa: ANN202
    result = queries.find_by_token(token)
    if result is None:
        raise NotFoundError(_("Không tìm thấy kết quả này. Hãy kiểm tra lại đường dẫn hoặc mã QR."))
    return result


@bp.get(VERIFY_PATH)
def verify(token: str) -> str:
    result = _result_or_404(token)
    return render_template("results/verify.html", result=result, form=VerifyForm(), p=presenters)


@bp.post(VERIFY_PATH)
@limiter.limit(_verify_limit, methods=["POST"])
def verify_upload(token: str) -> tuple[str, int]:
    result = _result_or_404(token)
    form = VerifyForm()
    if not form.validate_on_submit():
        return render_template("results/verify.html", result=result, form=form, p=presenters), 400
    check = check_upload(result.sha256, form.file.data.stream, current_app.config["RESULT_VERIFY_MAX_MB"])
    return render_template("results/verify.html", result=result, form=form, check=check, p=presenters), 200


@admin_bp.get("")
def pushes() -> str:
    state = request.args.get("state") or None
    state = state if state in presenters.PUSH_STATE_LABELS else None
    rows, total = queries.list_pushes(state, request.args.get("page", 1, type=int) or 1)
    return render_template(
        "results/pushes.html",
        section="results",
        rows=rows,
        total=total,
        counts=queries.push_counts(),
        state=state,
        enabled=datastore.is_enabled(),
        p=presenters,
    )


@admin_bp.post("/replay")
def replay() -> Response:
    ids = [int(i) for i in request.form.getlist("push_id") if i.isdigit() and len(i) < 12]
    count = datastore.replay(ids or None) if ids or request.form.get("all") == "1" else 0
    flash(_("Đã gửi lại %(count)s kết quả.", count=count), "success")
    return redirect(url_for(".pushes"))
