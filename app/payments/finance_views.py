"""Reconciliation of a day's money, its export, and refunds: for leaders, supervisors and
administrators (`permissions.can_reconcile`), each for their unit and the units below it.

Routes: GET /payments/reconciliation?day=YYYY-MM-DD&unit=CODE, GET /payments/reconciliation.xlsx
(same parameters), GET/POST /payments/<id>/refund.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import uow
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.core.time import to_local
from app.extensions import db
from app.org.models import Unit
from app.org.queries import find_unit_by_code, subtree_ids
from app.payments.counter import record_refund
from app.payments.forms import DayForm, RefundForm
from app.payments.models import Payment
from app.payments.permissions import reconciliation_scope, require_reconcile
from app.payments.presenters import METHOD_LABELS, PAYMENT_STATUS, vnd
from app.payments.reconciliation import XLSX_MIME, export_xlsx, reconcile_day
from app.storage.base import content_disposition

bp = Blueprint("payments_finance", __name__, url_prefix="/payments")


def _scope() -> tuple[date, Unit | None, set[int] | None, DayForm]:
    """The day and unit asked for (today and the user's own unit by default), checked."""
    require_reconcile(current_user)
    form = DayForm(request.args)
    if not form.validate():
        raise ValidationError(
            _("Tham số không hợp lệ"), {k: [str(e) for e in v] for k, v in form.errors.items()}
        )
    day = form.day.data or to_local(utcnow()).date()
    code = (form.unit.data or "").strip()
    unit = find_unit_by_code(code) if code else (current_user.unit if current_user.unit_id else None)
    if code and unit is None:
        raise NotFoundError(_("Không có đơn vị mã '%(code)s'", code=code))
    units = subtree_ids(unit.id) if unit is not None else reconciliation_scope(current_user)
    require_reconcile(current_user, units)
    return day, unit, units, form


@bp.get("/reconciliation")
@login_required
def reconciliation() -> str:
    day, unit, units, form = _scope()
    return render_template(
        "payments/reconciliation.html",
        figures=reconcile_day(day, units),
        unit=unit,
        form=form,
        methods=METHOD_LABELS,
        statuses=PAYMENT_STATUS,
        vnd=vnd,
    )


@bp.get("/reconciliation.xlsx")
@login_required
def export() -> Response:
    day, unit, units, _form = _scope()
    labels = {key: str(label) for key, label in METHOD_LABELS.items()}
    body = export_xlsx(reconcile_day(day, units), unit.name if unit else _("Toàn tỉnh"), labels)
    response = Response(body, mimetype=XLSX_MIME)
    suffix = unit.code if unit else "all"
    response.headers["Content-Disposition"] = content_disposition(f"doi-soat-{day.isoformat()}-{suffix}.xlsx")
    return response


@bp.route("/<int:payment_id>/refund", methods=["GET", "POST"])
@login_required
def refund(payment_id: int) -> Response | tuple[str, int]:
    require_reconcile(current_user)
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        raise NotFoundError(_("Không tìm thấy khoản thanh toán này"))
    require_reconcile(current_user, {item.charge.unit_id for item in payment.items})
    form = RefundForm()
    if request.method == "GET" and payment.surplus:
        form.amount.data = f"{payment.surplus:,}".replace(",", ".")
    status = 200
    if form.validate_on_submit():
        with uow.attempt() as failed:
            record_refund(payment, current_user, form.amount.amount, form.reason.data)
        if not failed:
            flash(_("Đã ghi nhận hoàn trả cho khoản %(ref)s.", ref=payment.reference), "success")
            day = to_local(payment.paid_at).date().isoformat() if payment.paid_at else None
            return redirect(url_for(".reconciliation", day=day), 303)
        if not isinstance(failed.error, ValidationError):
            raise failed.error
        form.form_errors.append(failed.error.message)
        status = failed.error.status
    elif request.method == "POST":
        status = 422
    return render_template("payments/refund_form.html", payment=payment, form=form, vnd=vnd), status
