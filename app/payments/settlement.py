"""What happens once money is known to be paid, whichever way it came (the platform's confirmation, the
platform's answer to a query, the counter): the payment is paid and numbered, its charges are paid,
its electronic receipt is rendered after commit, and a dossier waiting for its financial obligations
goes on.

**The clock resumes through the engine, as the system.** When no notified obligation of a dossier
waiting for payment is left due, the workflow's confirm-payment transition is applied by
`apply_system_transition`: the event names no actor (the officers' history reads "Hệ thống", the
applicant's timeline the transition's sentence) and its internal comment names the receipts and how
the money came, e.g. "Đã thanh toán trực tuyến qua Nền tảng thanh toán quốc gia (giao dịch GD…),
biên lai BL2026-0000012". Neither the citizen (whose browser is never believed) nor an officer acts:
the fact comes from the platform's signature or from the officer's counter record, which keeps that
officer's name on the payment itself.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from app.core import uow
from app.core.errors import AppError
from app.core.time import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.jobs import enqueue
from app.payments.models import CANCELLED, DUE, PAID, Charge, Payment
from app.payments.queries import notified_obligations
from app.procedures.vocabulary import CONFIRM_PAYMENT
from app.workflow.engine import apply_system_transition, procedure_of

log = logging.getLogger(__name__)


def lock_dossier(dossier_id: int) -> Dossier:
    """The dossier, locked (FOR UPDATE) and read afresh: settlements of one dossier go one at a time."""
    query = select(Dossier).where(Dossier.id == dossier_id).with_for_update()
    dossier = db.session.scalar(query.execution_options(populate_existing=True))
    assert dossier is not None
    return dossier


def receipt_number(payment: Payment, paid_at: datetime) -> str:
    """ "BL<year>-<payment id, 7 digits>": unique, in the order payments were started (not gapless:
    a started payment that is never paid keeps its id)."""
    return f"BL{to_local(paid_at).year}-{payment.id:07d}"


def settle(payment: Payment, paid_at: datetime, confirmed_by: str, how: str) -> Dossier:
    """Mark `payment` paid now: each charge still due is paid by it, the amount of any other is its
    surplus (to refund); the receipt is rendered after commit; the dossier resumes if nothing it
    waits for is left due. `how` says how the money came, for the dossier's history."""
    from app.payments.receipts import render_receipt

    dossier = lock_dossier(payment.dossier_id)
    charge_ids = [item.charge_id for item in payment.items]
    charges = {
        c.id: c
        for c in db.session.scalars(
            select(Charge)
            .where(Charge.id.in_(charge_ids))
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    payment.status, payment.paid_at, payment.confirmed_by = PAID, paid_at, confirmed_by
    payment.receipt_number = receipt_number(payment, paid_at)
    payment.surplus = 0
    for item in payment.items:
        charge = charges[item.charge_id]
        if charge.status == DUE:
            charge.status, charge.paid_at, charge.payment_id = PAID, paid_at, payment.id
        else:  # paid by another payment meanwhile, or cancelled: this money is to be refunded
            payment.surplus += item.amount
    db.session.flush()
    if payment.surplus:
        log.warning("payment %s paid %s VND for charges already settled", payment.reference, payment.surplus)
    enqueue(render_receipt, payment.id, job_id=f"payment-receipt-{payment.id}")
    resume_if_settled(dossier, f"{how}, biên lai {payment.receipt_number}")
    return dossier


def awaits_payment(dossier: Dossier) -> bool:
    """The dossier is in a state its workflow leaves by confirming the payment."""
    return _confirm_transition(dossier) is not None


def _confirm_transition(dossier: Dossier):  # noqa: ANN202
    procedure = procedure_of(dossier)
    return next((t for t in procedure.transitions_from(dossier.state) if t.kind == CONFIRM_PAYMENT), None)


def resume_if_settled(dossier: Dossier, comment: str) -> bool:
    """Confirm the payment (as the system) when the dossier waits for it, has notified obligations,
    and none of them is still due. True when it did; a workflow that refuses (a guard of its own)
    leaves the dossier paused for an officer to confirm, the payment standing."""
    confirm = _confirm_transition(dossier)
    if confirm is None:
        return False
    obligations = notified_obligations(dossier.id)
    if not obligations or any(c.status == DUE for c in obligations):
        return False
    if all(c.status == CANCELLED for c in obligations):
        comment = "Các khoản nghĩa vụ tài chính đã được hủy: " + comment
    try:  # the money is recorded whatever the workflow says; a refusal leaves the dossier to staff
        with uow.savepoint():
            apply_system_transition(dossier, confirm.name, {"comment": comment[:4000]})
    except AppError as exc:
        log.warning("dossier %s paid but not resumed: %s", dossier.code, exc.message)
        return False
    return True
