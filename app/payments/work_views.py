"""The officer's money pages, reached from the dossier workspace: draft an obligation line (with its
notice), notify the drafts, remove a draft, cancel a notified line, record a counter payment.

Routes under /work/dossiers/<code>/: obligations/new (GET, POST), obligations/notify (POST),
obligations/<id>/delete (POST), obligations/<id>/cancel (GET, POST), counter-payments (GET, POST).
A refused form is shown again with its problems and a 4xx status.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.auth.guards import staff_required
from app.core import uow
from app.core.errors import AppError, ValidationError
from app.dossiers.models import Dossier
from app.dossiers.queries import get_dossier
from app.payments.counter import CounterPayment, record_counter_payment
from app.payments.forms import CancelForm, CounterPaymentForm, ObligationForm
from app.payments.models import COUNTER_METHODS
from app.payments.obligations import (
    NoticeUpload,
    ObligationInput,
    add_obligation,
    cancel_obligation,
    notify_obligations,
    remove_draft,
)
from app.payments.permissions import require_manage_obligations, require_record_counter_payment
from app.payments.presenters import METHOD_LABELS, officer_panel, vnd
from app.payments.queries import due_charges, get_charge
from app.workflow.engine import procedure_of

bp = Blueprint("payments_work", __name__, url_prefix="/work/dossiers/<code>")
ANCHOR = "thanh-toan"


def _back(code: str) -> Response:
    return redirect(url_for("workspace.dossier", code=code, _anchor=ANCHOR), 303)


def _show(template: str, dossier: Dossier, form: FlaskForm, status: int, **extra: Any) -> tuple[str, int]:
    procedure = procedure_of(dossier)
    return render_template(
        template, dossier=dossier, procedure=procedure, form=form, vnd=vnd, **extra
    ), status


def _refused(form: FlaskForm, error: AppError) -> int:
    """A service's refusal: shown next to the fields it names, or above the form."""
    if not isinstance(error, ValidationError):
        raise error
    details = error.details if isinstance(error.details, dict) else {}
    for key, message in details.items():
        field = getattr(form, key, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    form.form_errors.append(error.message)
    return error.status


@bp.route("/obligations/new", methods=["GET", "POST"])
@staff_required
def new_obligation(code: str) -> Response | tuple[str, int]:
    dossier = get_dossier(code, current_user)
    require_manage_obligations(current_user, dossier, procedure_of(dossier))
    form = ObligationForm()
    status = 200
    if form.validate_on_submit():
        upload = form.notice.data
        notice = NoticeUpload(upload.filename, upload.stream) if upload and upload.filename else None
        data = ObligationInput(
            form.name.data,
            form.amount.amount,
            form.basis.data,
            form.payee.data,
            form.due_on.data,
            form.note.data or "",
        )
        with uow.attempt() as failed:
            add_obligation(dossier, current_user, data, notice)
        if not failed:
            flash(
                _(
                    "Đã thêm khoản '%(name)s'. Bấm 'Thông báo cho người nộp' khi đã nhập đủ các khoản.",
                    name=data.name,
                ),
                "success",
            )
            return _back(code)
        status = _refused(form, failed.error)
    elif request.method == "POST":
        status = 422
    return _show("payments/obligation_form.html", dossier, form, status)


@bp.post("/obligations/notify")
@staff_required
def notify(code: str) -> Response:
    dossier = get_dossier(code, current_user)
    charges = notify_obligations(
        dossier, current_user, expected_version=request.form.get("expected_version", type=int)
    )
    total = vnd(sum(c.amount for c in charges))
    flash(
        _(
            "Đã thông báo %(n)s khoản nghĩa vụ tài chính (%(total)s) cho người nộp.",
            n=len(charges),
            total=total,
        ),
        "success",
    )
    return _back(code)


@bp.post("/obligations/<int:charge_id>/delete")
@staff_required
def delete_obligation(code: str, charge_id: int) -> Response:
    dossier = get_dossier(code, current_user)
    remove_draft(get_charge(dossier, charge_id), current_user)
    flash(_("Đã xóa khoản chưa thông báo."), "success")
    return _back(code)


@bp.route("/obligations/<int:charge_id>/cancel", methods=["GET", "POST"])
@staff_required
def cancel(code: str, charge_id: int) -> Response | tuple[str, int]:
    dossier = get_dossier(code, current_user)
    charge = get_charge(dossier, charge_id)
    require_manage_obligations(current_user, dossier, procedure_of(dossier))
    form = CancelForm()
    status = 200
    if form.validate_on_submit():
        with uow.attempt() as failed:
            resumed = cancel_obligation(charge, current_user, form.reason.data)
        if not failed:
            flash(_("Đã hủy khoản '%(name)s'.", name=charge.name), "success")
            if resumed:
                flash(_("Không còn khoản nào phải nộp: hồ sơ được giải quyết tiếp."), "success")
            return _back(code)
        status = _refused(form, failed.error)
    elif request.method == "POST":
        status = 422
    return _show("payments/cancel_form.html", dossier, form, status, charge=charge)


@bp.route("/counter-payments", methods=["GET", "POST"])
@staff_required
def counter_payment(code: str) -> Response | tuple[str, int]:
    dossier = get_dossier(code, current_user)
    require_record_counter_payment(current_user, dossier)
    due = due_charges(dossier.id)
    form = CounterPaymentForm()
    form.charges.choices = [(c.id, f"{c.name} — {vnd(c.amount)}") for c in due]
    form.method.choices = [(m, str(label)) for m, label in METHOD_LABELS.items() if m in COUNTER_METHODS]
    if request.method == "GET":
        form.charges.data = [c.id for c in due]
        form.payer_name.data = dossier.applicant_name
    status = 200
    if form.validate_on_submit():
        data = CounterPayment(
            form.method.data, list(form.charges.data), form.payer_name.data or "", form.reference.data or ""
        )
        with uow.attempt() as failed:
            payment = record_counter_payment(dossier, current_user, data)
        if not failed:
            flash(
                _(
                    "Đã ghi nhận nộp %(amount)s, biên lai số %(number)s.",
                    amount=vnd(payment.amount),
                    number=payment.receipt_number,
                ),
                "success",
            )
            return _back(code)
        status = _refused(form, failed.error)
    elif request.method == "POST":
        status = 422
    return _show("payments/counter_form.html", dossier, form, status, panel=officer_panel(dossier), due=due)
