"""The citizen's money pages and the documents anyone who may see the dossier downloads, plus the two
ends of the platform: the browser's return and the server-to-server confirmation.

Routes: POST /my/dossiers/<code>/payments (pay online: 303 to the platform), GET /payments/return
(the browser back from the platform), GET /payments/dossiers/<code>/receipts/<id> (the receipt PDF),
GET /payments/dossiers/<code>/charges/<id>/notice (an obligation's notice), POST
/api/v1/payments/platform/notify (the platform's signed confirmation; JSON, no session, no CSRF).
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit.services import record_access
from app.core.errors import NotFoundError
from app.dossiers.queries import get_dossier
from app.payments import platform
from app.payments.models import CANCELLED, EXPIRED, Payment
from app.payments.online import check_payment, receive_confirmation, start_online_payment
from app.payments.queries import find_payment_by_reference, get_charge, get_payment
from app.payments.receipts import notice_pdf, receipt_filename, receipt_pdf
from app.storage import download_response
from app.storage.base import content_disposition

bp = Blueprint("payments", __name__)
platform_bp = Blueprint("payments_platform", __name__)


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF made now, sent like a stored download (attachment, nothing in it may run)."""
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def dossier_page(code: str) -> str:
    endpoint = "my_dossiers.detail" if current_user.is_citizen else "workspace.dossier"
    return url_for(endpoint, code=code, _anchor="thanh-toan")


@bp.post("/my/dossiers/<code>/payments")
@login_required
def pay(code: str) -> Response:
    """Everything the dossier owes now, paid online: the browser goes to the platform."""
    dossier = get_dossier(code, current_user)
    started = start_online_payment(dossier, current_user, g.get("lang", "vi"))
    return redirect(started.url, 303)


@bp.get("/payments/return")
@login_required
def platform_return() -> Response:
    """Back from the platform. What the browser carries is not believed: the order id is looked up
    and, while the payment is pending, the platform itself is asked."""
    reference = request.args.get("orderId", "")[:64]
    payment = find_payment_by_reference(reference) if reference else None
    if payment is None:
        raise NotFoundError(_("Không tìm thấy giao dịch thanh toán này"))
    dossier = get_dossier(payment.dossier.code, current_user)
    if payment.is_pending:
        check_payment(payment, request.remote_addr)
    flash(*_returned_message(payment))
    return redirect(dossier_page(dossier.code), 303)


def _returned_message(payment: Payment) -> tuple[str, str]:
    if payment.is_paid:
        return _(
            "Đã thanh toán %(amount)s. Biên lai số %(number)s.",
            amount=f"{payment.amount:,}".replace(",", ".") + " đồng",
            number=payment.receipt_number,
        ), "success"
    if payment.status in (CANCELLED, EXPIRED):
        return _("Giao dịch chưa được thanh toán (đã hủy). Các khoản vẫn chờ nộp."), "error"
    return _(
        "Chưa nhận được xác nhận của Nền tảng thanh toán; trang hồ sơ sẽ cập nhật khi có xác nhận."
    ), "info"


@bp.get("/payments/dossiers/<code>/receipts/<int:payment_id>")
@login_required
def receipt(code: str, payment_id: int) -> Response:
    dossier = get_dossier(code, current_user)
    payment = get_payment(dossier, payment_id)
    if not payment.is_paid:
        raise NotFoundError(_("Khoản thanh toán này chưa có biên lai"))
    record_access(current_user, dossier, form_name=f"Biên lai {payment.receipt_number}")
    if payment.storage_key:
        return download_response(
            payment.storage_key, receipt_filename(payment), "application/pdf", size=payment.receipt_size
        )
    return pdf_response(receipt_pdf(payment), receipt_filename(payment))


@bp.get("/payments/dossiers/<code>/charges/<int:charge_id>/notice")
@login_required
def notice(code: str, charge_id: int) -> Response:
    """The notice of a financial obligation: the uploaded PDF, else one generated from its facts."""
    dossier = get_dossier(code, current_user)
    charge = get_charge(dossier, charge_id)
    if not charge.is_obligation or (charge.is_draft and not current_user.is_staff):
        raise NotFoundError(_("Không có thông báo nộp tiền cho khoản này"))
    record_access(current_user, dossier, form_name=f"Thông báo nộp tiền: {charge.name}")
    if charge.storage_key:
        return download_response(
            charge.storage_key,
            charge.notice_name or "thong-bao.pdf",
            "application/pdf",
            size=charge.notice_size,
        )
    return pdf_response(notice_pdf(charge), f"thong-bao-nop-tien-{dossier.code}-{charge.id}.pdf")


@platform_bp.post("/api/v1/payments/platform/notify")
def platform_notify() -> tuple[Response, int]:
    """The platform's signed confirmation of an order (server to server)."""
    outcome = receive_confirmation(request.get_json(silent=True), remote_addr=request.remote_addr)
    status, body = platform.answer(outcome)
    return jsonify(body), status
