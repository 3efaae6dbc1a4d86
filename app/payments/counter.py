"""Payments recorded by staff at the counter (cash, card terminal, bank transfer by QR code), and
refunds recorded by the finance side.

A counter payment is paid the moment it is recorded: the officer who took the money is named on it
and on its receipt; its charges are settled like an online payment's (`settlement.settle`), and a
dossier waiting for them resumes. A card slip or a bank transfer is recorded with its reference (the
slip number, the bank's transaction code), so the day's reconciliation can be matched to the bank.
A refund records money paid back (a surplus, a refusal): who, when, how much and why; it changes no
charge.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.auth.models import User
from app.core.db import utcnow
from app.core.errors import ConflictError, ValidationError
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.models import (
    BANK_TRANSFER,
    BY_COUNTER,
    CARD,
    COUNTER,
    COUNTER_METHODS,
    CURRENCY,
    PENDING,
    REFUNDED,
    Payment,
    PaymentItem,
)
from app.payments.permissions import require_reconcile, require_record_counter_payment
from app.payments.queries import due_charges
from app.payments.receipts import METHOD_WORDS
from app.payments.settlement import lock_dossier, settle

NEEDS_REFERENCE = (CARD, BANK_TRANSFER)


@dataclass
class CounterPayment:
    method: str
    charge_ids: list[int] = field(default_factory=list)
    payer_name: str = ""
    reference: str = ""


def record_counter_payment(dossier: Dossier, user: User, data: CounterPayment) -> Payment:
    require_record_counter_payment(user, dossier)
    lock_dossier(dossier.id)
    due = {c.id: c for c in due_charges(dossier.id, lock=True)}
    problems = {}
    if data.method not in COUNTER_METHODS:
        problems["method"] = _("Chọn hình thức nộp: tiền mặt, thẻ hoặc chuyển khoản")
    chosen = [due[i] for i in dict.fromkeys(data.charge_ids) if i in due]
    if not chosen or len(chosen) != len(set(data.charge_ids)):
        problems["charges"] = _("Chọn các khoản còn phải nộp của hồ sơ này")
    if data.method in NEEDS_REFERENCE and not data.reference.strip():
        problems["reference"] = _("Ghi số hóa đơn thẻ (POS) hoặc mã giao dịch chuyển khoản")
    if problems:
        raise ValidationError(_("Chưa ghi nhận được khoản nộp: ") + "; ".join(problems.values()), problems)
    now = utcnow()
    payment = Payment(
        dossier_id=dossier.id,
        reference=f"TQ{now:%y%m%d}{secrets.token_hex(6).upper()}",
        channel=COUNTER,
        method=data.method,
        amount=sum(c.amount for c in chosen),
        currency=CURRENCY,
        status=PENDING,
        payer_name=(data.payer_name.strip() or dossier.applicant_name)[:255],
        recorded_by_id=user.id,
        external_reference=data.reference.strip()[:100] or None,
        created_at=now,
        items=[PaymentItem(charge=c, amount=c.amount) for c in chosen],
    )
    db.session.add(payment)
    db.session.flush()
    how = f"Nộp tại quầy ({METHOD_WORDS[data.method].lower()}), cán bộ thu: {user.full_name}"
    settle(payment, now, BY_COUNTER, how)
    return payment


def record_refund(payment: Payment, user: User, amount: int | None, reason: str) -> Payment:
    """Money paid back on `payment` (at most what it still holds)."""
    units = {item.charge.unit_id for item in payment.items}
    require_reconcile(user, units)
    db.session.refresh(payment, with_for_update=True)
    if not payment.is_paid:
        raise ConflictError(_("Chỉ hoàn trả được khoản đã thanh toán."))
    left = payment.amount - payment.refunded_amount
    problems = {}
    if amount is None or not 0 < amount <= left:
        problems["amount"] = _(
            "Số tiền hoàn trả phải từ 1 đến %(left)s đồng", left=f"{left:,}".replace(",", ".")
        )
    if not reason.strip():
        problems["reason"] = _("Cần ghi lý do hoàn trả")
    if problems:
        raise ValidationError(
            _("Chưa ghi nhận được khoản hoàn trả: ") + "; ".join(problems.values()), problems
        )
    payment.refunded_amount += amount
    payment.refunded_at, payment.refunded_by_id = utcnow(), user.id
    payment.refund_reason = reason.strip()[:2000]
    if payment.refunded_amount == payment.amount:
        payment.status = REFUNDED
    db.session.flush()
    return payment
