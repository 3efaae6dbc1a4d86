"""Paying online through the national payment platform (the contract: `app.payments.platform`).

- `start_online_payment`: a pending payment for every charge the dossier owes now, and the signed
  URL the citizen's browser is sent to (asked again within the order's lifetime for the same
  charges, the same order and URL).
- `receive_confirmation`: the platform's signed message, server to server. Its signature, merchant,
  order, amount and currency are checked; a paid order settles its payment once (the payment row is
  locked, and a payment already paid answers "duplicate" and changes nothing); a cancelled or failed
  one closes a pending payment and leaves its charges due. Every signed message is kept with its
  outcome, refused ones too (they stand even though the answer is an error: `uow.even_on_failure`);
  an unsigned one, which anyone could post, is refused into the application log only.
- `check_payment`: the platform asked about one order (when the browser comes back, and by the
  periodic `reconcile_pending`), its signed answer applied the same way. The browser's return is
  never believed on its own: only the order id is read from it.
- `reconcile_pending`: pending payments older than PAYMENT_QUERY_AFTER_SECONDS are asked about,
  one unit of work each; those the platform still has as pending (or never saw) after
  PAYMENT_EXPIRE_HOURS are closed as expired.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ConflictError
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments import platform
from app.payments.models import (
    BAD_AMOUNT,
    BAD_CURRENCY,
    BAD_SIGNATURE,
    BY_CALLBACK,
    BY_QUERY,
    CANCELLED,
    CONFIRMED,
    CURRENCY,
    DUPLICATE,
    EXPIRED,
    MALFORMED,
    NOT_PAID,
    ONLINE,
    PENDING,
    PLATFORM,
    STILL_PENDING,
    UNKNOWN_ORDER,
    Payment,
    PaymentItem,
    PlatformMessage,
)
from app.payments.permissions import require_pay
from app.payments.queries import due_charges, find_payment_by_reference, pending_online_payment_ids
from app.payments.settlement import lock_dossier, settle
from app.workflow.engine import procedure_of

log = logging.getLogger(__name__)


def settings() -> platform.Settings | None:
    return platform.Settings.from_config(current_app.config)


def is_offered() -> bool:
    return settings() is not None


def new_order_id(now: datetime) -> str:
    return f"MC{now:%y%m%d}{secrets.token_hex(6).upper()}"


@dataclass(frozen=True)
class Started:
    payment: Payment
    url: str


def _order(payment: Payment, dossier: Dossier, locale: str) -> platform.Order:
    names = ", ".join(item.charge.name for item in payment.items)
    description = f"Hồ sơ {dossier.code}: {names}"[:255]
    return platform.Order(payment.reference, payment.amount, description, payment.created_at, locale)


def start_online_payment(dossier: Dossier, user: User, locale: str = "vi") -> Started:
    """A pending online payment of everything `dossier` owes now, and where to send the browser."""
    require_pay(user, dossier)
    config = settings()
    if config is None:
        raise ConflictError(_("Thanh toán trực tuyến chưa được cấu hình; vui lòng nộp tại bộ phận một cửa."))
    lock_dossier(dossier.id)
    if procedure_of(dossier).states[dossier.state].is_final:
        raise ConflictError(_("Hồ sơ đã kết thúc: không thanh toán trực tuyến được nữa."))
    charges = due_charges(dossier.id, lock=True)
    if not charges:
        raise ConflictError(_("Hồ sơ không còn khoản nào phải nộp."))
    now = utcnow()
    reusable = _reusable(dossier.id, {c.id for c in charges}, now - timedelta(minutes=config.order_minutes))
    if reusable is not None:
        return Started(reusable, platform.payment_url(config, _order(reusable, dossier, locale)))
    payment = Payment(
        dossier_id=dossier.id,
        reference=new_order_id(now),
        channel=ONLINE,
        method=PLATFORM,
        amount=sum(c.amount for c in charges),
        currency=CURRENCY,
        status=PENDING,
        payer_name=user.full_name,
        payer_id=user.id,
        created_at=now,
        items=[PaymentItem(charge=c, amount=c.amount) for c in charges],
    )
    db.session.add(payment)
    db.session.flush()
    return Started(payment, platform.payment_url(config, _order(payment, dossier, locale)))


def _reusable(dossier_id: int, charge_ids: set[int], since: datetime) -> Payment | None:
    """A pending online payment of the same charges, still within the order's lifetime."""
    candidates = db.session.scalars(
        db.select(Payment).where(
            Payment.dossier_id == dossier_id,
            Payment.status == PENDING,
            Payment.channel == ONLINE,
            Payment.created_at >= since,
        )
    )
    return next((p for p in candidates if {i.charge_id for i in p.items} == charge_ids), None)


# --- confirmations -----------------------------------------------------------------------------------


def _log(
    source: str,
    fields: Mapping[str, Any],
    outcome: str,
    payment: Payment | None,
    detail: str,
    addr: str | None,
    *,
    signed: bool = True,
) -> None:
    """Keep a signed message and what was made of it, whatever the unit's outcome. An unsigned one
    (anyone can post to the notify URL) goes to the application log only, never to the database."""
    order_id = str(fields.get("orderId") or "")[:64] or None
    if not signed:
        log.warning(
            "unsigned payment platform message refused (%s) for order %s from %s", outcome, order_id, addr
        )
        return
    kept = {str(k)[:40]: str(v)[:300] for k, v in list(fields.items())[:40]}
    payment_id = payment.id if payment is not None else None

    def write() -> None:
        db.session.add(
            PlatformMessage(
                received_at=utcnow(),
                source=source,
                order_id=order_id,
                payment_id=payment_id,
                outcome=outcome,
                detail=detail[:2000],
                fields=kept,
                remote_addr=addr,
            )
        )
        db.session.flush()

    uow.even_on_failure(write)
    if outcome in (BAD_SIGNATURE, BAD_AMOUNT, BAD_CURRENCY, UNKNOWN_ORDER, MALFORMED):
        log.warning("payment platform message refused (%s) for order %s: %s", outcome, order_id, detail)


def receive_confirmation(fields: Any, *, source: str = BY_CALLBACK, remote_addr: str | None = None) -> str:
    """The outcome (models.MESSAGE_OUTCOMES) of one signed message from the platform."""
    config = settings()
    if not isinstance(fields, dict):
        _log(source, {}, MALFORMED, None, "the body is not a JSON object", remote_addr, signed=False)
        return MALFORMED
    if config is None or not platform.has_valid_signature(fields, config.key):
        _log(source, fields, BAD_SIGNATURE, None, "no valid signature", remote_addr, signed=False)
        return BAD_SIGNATURE
    try:
        confirmation = platform.read_confirmation(fields)
    except platform.MalformedMessage as exc:
        _log(source, fields, MALFORMED, None, str(exc), remote_addr)
        return MALFORMED
    return apply_confirmation(config, confirmation, fields, source, remote_addr)


def apply_confirmation(
    config: platform.Settings,
    confirmation: platform.Confirmation,
    fields: Mapping[str, Any],
    source: str,
    remote_addr: str | None = None,
) -> str:
    """Apply a confirmation whose signature was checked (a callback, or a query's answer)."""
    payment = find_payment_by_reference(confirmation.order_id, lock=True)
    if confirmation.merchant_code != config.merchant_code or payment is None or payment.channel != ONLINE:
        _log(
            source,
            fields,
            UNKNOWN_ORDER,
            None,
            "no online payment of this system has this order id",
            remote_addr,
        )
        return UNKNOWN_ORDER
    outcome, detail = _outcome(payment, confirmation, source)
    _log(source, fields, outcome, payment, detail, remote_addr)
    return outcome


def _outcome(payment: Payment, confirmation: platform.Confirmation, source: str) -> tuple[str, str]:
    if confirmation.status == platform.PAID:
        if payment.is_paid:
            return DUPLICATE, f"already paid, receipt {payment.receipt_number}"
        if confirmation.amount != payment.amount:
            return BAD_AMOUNT, f"platform says {confirmation.amount} VND, the order is {payment.amount} VND"
        if confirmation.currency != payment.currency:
            return BAD_CURRENCY, f"platform says {confirmation.currency}, the order is in {payment.currency}"
        payment.platform_transaction = confirmation.transaction_no
        paid_at = confirmation.paid_at or utcnow()
        how = "Đã thanh toán trực tuyến qua Nền tảng thanh toán quốc gia"
        if confirmation.transaction_no:
            how += f" (giao dịch {confirmation.transaction_no})"
        settle(payment, paid_at, source, how)
        return CONFIRMED, f"paid {payment.amount} VND, receipt {payment.receipt_number}"
    if confirmation.status in (platform.CANCELLED, platform.FAILED):
        if payment.status != PENDING:
            return DUPLICATE, f"payment already {payment.status}"
        payment.status, payment.closed_at = CANCELLED, utcnow()
        return NOT_PAID, f"the platform says {confirmation.status}; the charges stay due"
    return STILL_PENDING, f"the platform says {confirmation.status}"


def check_payment(payment: Payment, remote_addr: str | None = None) -> str | None:
    """Ask the platform about a pending payment and apply its answer; None when it cannot be asked."""
    config = settings()
    if config is None or not payment.is_pending:
        return None
    try:
        fields, confirmation = platform.query(config, payment.reference, utcnow())
    except platform.PlatformError as exc:
        log.warning("payment %s not checked: %s", payment.reference, exc)
        return None
    return apply_confirmation(config, confirmation, fields, BY_QUERY, remote_addr)


def reconcile_pending(now: datetime | None = None) -> dict[str, int]:
    """Ask about every pending payment old enough; close those pending too long. Counts by outcome."""
    now = now or utcnow()
    config = current_app.config
    asked_before = now - timedelta(seconds=int(config["PAYMENT_QUERY_AFTER_SECONDS"]))
    expire_before = now - timedelta(hours=float(config["PAYMENT_EXPIRE_HOURS"]))
    counts: dict[str, int] = {}
    for payment_id in pending_online_payment_ids(asked_before):
        with uow.unit_of_work():
            payment = db.session.get(Payment, payment_id)
            outcome = check_payment(payment) if payment is not None else None
            if outcome == STILL_PENDING and payment is not None and payment.created_at < expire_before:
                payment.status, payment.closed_at, outcome = EXPIRED, now, EXPIRED
            counts[outcome or "unreachable"] = counts.get(outcome or "unreachable", 0) + 1
    return counts
