"""Reading a dossier's charges and payments (other domains read fee lines from here: Mẫu 01)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, case, exists, select
from sqlalchemy.orm import selectinload

from app.core.errors import NotFoundError
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.models import (
    BAD_AMOUNT,
    BAD_CURRENCY,
    DRAFT,
    DUE,
    FEE,
    OBLIGATION,
    ONLINE,
    PAID,
    PENDING,
    REFUNDED,
    Charge,
    Payment,
    PaymentItem,
    PlatformMessage,
)


def list_charges(dossier_id: int) -> list[Charge]:
    """Fees first (in the procedure's order), then obligations in the order they were drafted."""
    order = case((Charge.kind == FEE, 0), else_=1)
    query = select(Charge).where(Charge.dossier_id == dossier_id).order_by(order, Charge.id)
    return list(db.session.scalars(query))


def fee_lines_of(dossier_id: int) -> list[Charge]:
    """The fee lines fixed when the dossier was received."""
    return [c for c in list_charges(dossier_id) if c.kind == FEE]


def due_charges(dossier_id: int, *, lock: bool = False) -> list[Charge]:
    query = select(Charge).where(Charge.dossier_id == dossier_id, Charge.status == DUE).order_by(Charge.id)
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def draft_obligations(dossier_id: int) -> list[Charge]:
    query = select(Charge).where(
        Charge.dossier_id == dossier_id, Charge.kind == OBLIGATION, Charge.status == DRAFT
    )
    return list(db.session.scalars(query.order_by(Charge.id)))


def notified_obligations(dossier_id: int) -> list[Charge]:
    query = select(Charge).where(
        Charge.dossier_id == dossier_id, Charge.kind == OBLIGATION, Charge.status != DRAFT
    )
    return list(db.session.scalars(query.order_by(Charge.id)))


def get_charge(dossier: Dossier, charge_id: int) -> Charge:
    charge = db.session.get(Charge, charge_id)
    if charge is None or charge.dossier_id != dossier.id:
        raise NotFoundError(f"Không tìm thấy khoản thu #{charge_id} của hồ sơ {dossier.code}")
    return charge


def list_payments(dossier_id: int) -> list[Payment]:
    query = (
        select(Payment)
        .where(Payment.dossier_id == dossier_id)
        .options(selectinload(Payment.items).selectinload(PaymentItem.charge))
        .order_by(Payment.id)
    )
    return list(db.session.scalars(query))


def get_payment(dossier: Dossier, payment_id: int) -> Payment:
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.dossier_id != dossier.id:
        raise NotFoundError(f"Không tìm thấy khoản thanh toán #{payment_id} của hồ sơ {dossier.code}")
    return payment


def find_payment_by_reference(reference: str, *, lock: bool = False) -> Payment | None:
    query = select(Payment).where(Payment.reference == reference)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def pending_online_payment_ids(created_before: datetime, limit: int = 500) -> list[int]:
    """Online payments still pending, created before `created_before`, oldest first; those whose
    confirmation was refused for its amount or currency wait for a person, not for the job."""
    disputed = select(PlatformMessage.payment_id).where(
        PlatformMessage.payment_id.is_not(None), PlatformMessage.outcome.in_((BAD_AMOUNT, BAD_CURRENCY))
    )
    query = (
        select(Payment.id)
        .where(
            Payment.status == PENDING,
            Payment.channel == ONLINE,
            Payment.created_at < created_before,
            Payment.id.not_in(disputed),
        )
        .order_by(Payment.created_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


# --- facts the indicators count (Decision 766 group 4: paid online / with a fee or obligation) ---


def has_charges_clause() -> ColumnElement[bool]:
    """SQL over `Dossier`: it has a fee line fixed at receipt or a notified financial obligation."""
    return exists().where(Charge.dossier_id == Dossier.id, Charge.status != DRAFT)


def paid_online_clause() -> ColumnElement[bool]:
    """SQL over `Dossier`: money was received for it through the national payment platform."""
    return exists().where(
        Payment.dossier_id == Dossier.id, Payment.channel == ONLINE, Payment.status.in_((PAID, REFUNDED))
    )
