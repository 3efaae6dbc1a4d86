"""The electronic receipt (biên lai điện tử) of every payment, and the generated notice of a financial
obligation whose officer uploaded none: PDFs rendered by WeasyPrint from the rows, with the dossier's
QR code.

A receipt is rendered once by a job after the payment commits (heavy queue) and stored; until then
(or if the store fails) its download renders it on the spot from the same rows, which never change
once paid, so both give the same document. `render_unfinished_receipts` re-pushes what a lost job
left unrendered. The amount is printed in figures and in words (`amount_in_words`).
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import segno
from flask import current_app
from sqlalchemy import select

from app.core import uow
from app.core.db import utcnow
from app.core.web import local_time
from app.extensions import db
from app.jobs import HEAVY, QUICK, enqueue, job
from app.payments.models import BANK_TRANSFER, CARD, CASH, PAID, PLATFORM, REFUNDED, Charge, Payment
from app.procedures import get_registry
from app.storage import get_storage

log = logging.getLogger(__name__)
MAX_PDF_BYTES = 5 * 1024 * 1024
FONT_FILES = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
}
METHOD_WORDS = {
    PLATFORM: "Thanh toán trực tuyến qua Nền tảng thanh toán của Cổng Dịch vụ công quốc gia",
    CASH: "Tiền mặt, nộp tại quầy",
    CARD: "Thẻ ngân hàng qua máy POS tại quầy",
    BANK_TRANSFER: "Chuyển khoản ngân hàng (mã QR) tại quầy",
}

# --- amounts in words ---------------------------------------------------------------------------

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_SCALES = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")


def _three(number: int, full: bool) -> list[str]:
    """One group of three digits; `full`: a lower group, read with its zero hundreds ("không trăm")."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words = [_DIGITS[hundreds], "trăm"] if full or hundreds else []
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return words


def amount_in_words(amount: int) -> str:
    """'Một trăm nghìn đồng' for 100000, as a receipt writes the amount out (số tiền bằng chữ)."""
    if amount <= 0:
        return "Không đồng"
    groups = []
    while amount:
        groups.append(amount % 1000)
        amount //= 1000
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index] == 0:
            continue
        words += _three(groups[index], full=index < len(groups) - 1)
        if _SCALES[index]:
            words.append(_SCALES[index])
    text = " ".join(words) + " đồng"
    return text[0].upper() + text[1:]


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


# --- rendering -----------------------------------------------------------------------------------


def _font_faces() -> list[dict[str, str]]:
    folder = Path(current_app.static_folder or "", "fonts")
    return [
        {"weight": weight, "style": style, "url": (folder / name).resolve().as_uri()}
        for (weight, style), name in FONT_FILES.items()
    ]


def _tracking_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/track?code={quote(code, safe='')}"


def _pdf(template: str, **context: Any) -> bytes:
    from weasyprint import HTML  # heavy: imported when a PDF is made

    url = _tracking_url(context["dossier"].code)
    html = current_app.jinja_env.get_template(template).render(
        font_faces=_font_faces(),
        qr=segno.make(url, error="m").svg_data_uri(border=2, dark="#000"),
        tracking_url=url,
        money=money,
        words=amount_in_words,
        local_time=local_time,
        **context,
    )
    return HTML(
        string=html, base_url=Path(current_app.static_folder or ".").resolve().as_uri() + "/"
    ).write_pdf()


def _procedure_name(dossier: Any) -> str:
    return get_registry().get(dossier.procedure_code, dossier.procedure_version).name.vi


def receipt_pdf(payment: Payment) -> bytes:
    """The receipt of a paid payment."""
    assert payment.status in (PAID, REFUNDED) and payment.receipt_number
    lines = [item.charge for item in payment.items]
    return _pdf(
        "payments/pdf/receipt.html",
        payment=payment,
        dossier=payment.dossier,
        procedure_name=_procedure_name(payment.dossier),
        lines=[(charge, item.amount) for charge, item in zip(lines, payment.items, strict=True)],
        unit=lines[0].unit,
        method=METHOD_WORDS[payment.method],
        collector=payment.recorded_by.full_name if payment.recorded_by else None,
    )


def notice_pdf(charge: Charge) -> bytes:
    """The notice of a financial obligation, generated from its facts."""
    return _pdf(
        "payments/pdf/notice.html",
        charge=charge,
        dossier=charge.dossier,
        procedure_name=_procedure_name(charge.dossier),
        unit=charge.unit,
        pay_url=f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/my/dossiers/{charge.dossier.code}",
    )


def receipt_filename(payment: Payment) -> str:
    return f"bien-lai-{payment.receipt_number}.pdf"


# --- jobs ------------------------------------------------------------------------------------------


@job(queue=HEAVY, timeout=300, retry=(10, 60, 300))
def render_receipt(payment_id: int) -> None:
    """Render and store the receipt of a paid payment; one already stored is left alone (the row is
    locked meanwhile, so two workers never store two copies)."""
    payment = db.session.get(Payment, payment_id, with_for_update=True)
    if payment is None or payment.storage_key is not None or payment.receipt_number is None:
        return
    pdf = receipt_pdf(payment)
    stored = get_storage().put_stream(
        io.BytesIO(pdf), allowed_types=["application/pdf"], max_bytes=MAX_PDF_BYTES, prefix="receipts"
    )
    uow.on_rollback(lambda: get_storage().delete(stored.key))
    payment.storage_key, payment.receipt_size, payment.receipt_sha256 = stored.key, stored.size, stored.sha256
    log.info("receipt %s of payment %s stored: %s", payment.receipt_number, payment.reference, stored.key)


@job(queue=QUICK, timeout=120)
def render_unfinished_receipts() -> int:
    """Periodic: re-push the receipts of payments paid a while ago and not stored yet."""
    cutoff = utcnow() - timedelta(seconds=int(current_app.config["SWEEP_AFTER_SECONDS"]) * 2)
    ids = list(
        db.session.scalars(
            select(Payment.id).where(
                Payment.receipt_number.is_not(None), Payment.storage_key.is_(None), Payment.paid_at < cutoff
            )
        )
    )
    for payment_id in ids:
        enqueue(render_receipt, payment_id, job_id=f"payment-receipt-{payment_id}", skip_if_live=True)
    return len(ids)
