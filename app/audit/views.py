"""Admin pages: the integrity of the dossier history (last verification, run one, recent anchors)
and the access log (filters by dossier code and user, paginated).

Routes (blueprint ``audit_pages``, administrators only): /admin/audit/history (GET),
/admin/audit/history/verify (POST), /admin/audit/accesses (GET).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit import presenters, queries
from app.audit.jobs import run_verification
from app.audit.services import start_verification
from app.auth.guards import require_admin_page
from app.jobs import enqueue

bp = Blueprint("audit_pages", __name__, url_prefix="/admin/audit")
bp.before_request(require_admin_page)


@bp.get("/history")
def history() -> str:
    verification = queries.find_last_verification()
    return render_template(
        "audit/history.html",
        section="audit",
        verification=verification,
        anchors=queries.list_recent_anchors(),
        p=presenters,
    )


@bp.post("/history/verify")
def verify_now() -> Response:
    last = queries.find_last_verification()
    if last is not None and last.is_running:
        flash(_("Một lượt kiểm tra đang chạy."), "info")
        return redirect(url_for(".history"), 303)
    run = start_verification(current_user)
    enqueue(run_verification, run.id)
    flash(_("Đã bắt đầu kiểm tra toàn vẹn lịch sử hồ sơ."), "success")
    return redirect(url_for(".history"), 303)


@bp.get("/accesses")
def accesses() -> str:
    args = request.args
    filters = queries.AccessFilter(
        dossier_code=(args.get("code") or "").strip()[:40] or None,
        user=(args.get("user") or "").strip()[:100] or None,
        page=max(args.get("page", 1, type=int), 1),
    )
    rows, total = queries.list_accesses(filters)
    pages = max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1)
    return render_template(
        "audit/accesses.html",
        section="accesses",
        rows=rows,
        total=total,
        filters=filters,
        pages=pages,
        p=presenters,
    )
