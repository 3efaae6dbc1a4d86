"""Money owed on a dossier and what was paid for it.

- A **charge** is one amount the applicant owes: a *fee* line (phí, lệ phí) of the procedure version,
  fixed when the dossier is received (`app.payments.fees`), or a *financial obligation* (nghĩa vụ tài
  chính: land-use levy, registration tax …) that the competent officer drafts and then notifies, with
  its legal basis, payee, due date and notice document (uploaded, else generated from these facts).
  Its status: draft (obligations only, seen by staff) → due → paid, or cancelled.
- A **payment** settles one or more charges (its items): online through the national payment
  platform (pending until the platform confirms it, server to server, or the reconciliation job asks)
  or at the counter (cash, card terminal, bank transfer), recorded by staff. A paid payment has a
  receipt number and its electronic receipt (biên lai) PDF. Money that arrives for charges already
  settled (a second payment of the same notice) is kept as `surplus`, to refund.
- Every signed message received from the platform (confirmations, query answers) is kept with its
  outcome, refused ones included (an amount or currency that does not match its order, an order
  unknown here); unsigned ones go to the application log only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.org.models import Unit

JSONType = JSON().with_variant(JSONB(), "postgresql")
CURRENCY = "VND"

FEE, OBLIGATION = "fee", "obligation"
CHARGE_KINDS = (FEE, OBLIGATION)
DRAFT, DUE, PAID, CANCELLED = "draft", "due", "paid", "cancelled"
CHARGE_STATUSES = (DRAFT, DUE, PAID, CANCELLED)

ONLINE, COUNTER = "online", "counter"
PAYMENT_CHANNELS = (ONLINE, COUNTER)
PLATFORM, CASH, CARD, BANK_TRANSFER = "platform", "cash", "card", "bank_transfer"
METHODS = (PLATFORM, CASH, CARD, BANK_TRANSFER)
COUNTER_METHODS = (CASH, CARD, BANK_TRANSFER)
PENDING, EXPIRED, REFUNDED = "pending", "expired", "refunded"
PAYMENT_STATUSES = (PENDING, PAID, CANCELLED, EXPIRED, REFUNDED)
# How the system learned that a payment was made.
BY_CALLBACK, BY_QUERY, BY_COUNTER = "callback", "query", "counter"
CONFIRMED_BY = (BY_CALLBACK, BY_QUERY, BY_COUNTER)

# Outcomes of a message from the platform.
CONFIRMED, DUPLICATE, NOT_PAID, STILL_PENDING = "confirmed", "duplicate", "not_paid", "pending"
BAD_SIGNATURE, BAD_AMOUNT, BAD_CURRENCY = "bad_signature", "bad_amount", "bad_currency"
UNKNOWN_ORDER, MALFORMED = "unknown_order", "malformed"
REFUSED_OUTCOMES = (BAD_SIGNATURE, BAD_AMOUNT, BAD_CURRENCY, UNKNOWN_ORDER, MALFORMED)
MESSAGE_OUTCOMES = (CONFIRMED, DUPLICATE, NOT_PAID, STILL_PENDING, *REFUSED_OUTCOMES)
MESSAGE_SOURCES = (BY_CALLBACK, BY_QUERY)


def _one_of(column: str, choices: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(c) for c in choices)})", name=f"{column}_known")


class Charge(db.Model):
    __tablename__ = "charges"
    __table_args__ = (
        _one_of("kind", CHARGE_KINDS),
        _one_of("status", CHARGE_STATUSES),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("kind = 'obligation' OR status != 'draft'", name="only_obligations_drafted"),
        # Reconciliation: what a unit's charges made payable on a day.
        Index("ix_charges_unit_payable", "unit_id", "payable_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # The unit the money is collected for: the receiving unit for a fee, the notifying unit for an
    # obligation (reconciliation pages are per unit).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))
    fee_key: Mapped[str | None] = mapped_column(String(64))  # the procedure's fee line key
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[int] = mapped_column(BigInteger)  # VND
    currency: Mapped[str] = mapped_column(String(3), default=CURRENCY)
    basis: Mapped[str | None] = mapped_column(Text)  # legal basis (căn cứ)
    payee: Mapped[str] = mapped_column(String(255))  # đơn vị thụ hưởng
    note: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)  # obligations: the last day to pay
    status: Mapped[str] = mapped_column(String(12), default=DUE)
    # The notice document of an obligation, when the officer uploaded one (else it is generated).
    storage_key: Mapped[str | None] = mapped_column(String(255))
    notice_name: Mapped[str | None] = mapped_column(String(255))
    notice_size: Mapped[int | None] = mapped_column(BigInteger)
    notice_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # When it became payable: the receipt of the dossier (fee), the notice (obligation).
    payable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))  # the one that settled it
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship()
    unit: Mapped[Unit] = relationship()
    notice_event: Mapped[DossierEvent | None] = relationship()
    payment: Mapped[Payment | None] = relationship(foreign_keys=[payment_id])

    @property
    def is_obligation(self) -> bool:
        return self.kind == OBLIGATION

    @property
    def is_due(self) -> bool:
        return self.status == DUE

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        _one_of("channel", PAYMENT_CHANNELS),
        _one_of("method", METHODS),
        _one_of("status", PAYMENT_STATUSES),
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("surplus >= 0 AND surplus <= amount", name="surplus_within_amount"),
        CheckConstraint("(channel = 'online') = (method = 'platform')", name="online_through_platform"),
        CheckConstraint(
            "status NOT IN ('paid', 'refunded') OR receipt_number IS NOT NULL", name="paid_has_receipt"
        ),
        # The reconciliation job: online payments still pending, oldest first.
        Index(
            "ix_payments_pending",
            "created_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_payments_paid_at", "paid_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    # The order id sent to the platform (online) or the counter's own reference: unique, never reused.
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default=CURRENCY)
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    payer_name: Mapped[str] = mapped_column(String(255))
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the citizen, online
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the officer, counter
    platform_transaction: Mapped[str | None] = mapped_column(String(64))  # the platform's own number
    external_reference: Mapped[str | None] = mapped_column(String(100))  # card slip, bank transfer ref
    confirmed_by: Mapped[str | None] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # cancelled or expired
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The electronic receipt PDF once rendered (app.payments.receipts).
    storage_key: Mapped[str | None] = mapped_column(String(255))
    receipt_size: Mapped[int | None] = mapped_column(BigInteger)
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    surplus: Mapped[int] = mapped_column(BigInteger, default=0)  # paid for charges already settled
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refunded_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    refunded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refund_reason: Mapped[str | None] = mapped_column(Text)

    dossier: Mapped[Dossier] = relationship()
    payer: Mapped[User | None] = relationship(foreign_keys=[payer_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    items: Mapped[list[PaymentItem]] = relationship(back_populates="payment", order_by="PaymentItem.id")

    @property
    def is_paid(self) -> bool:
        return self.status in (PAID, REFUNDED)

    @property
    def is_pending(self) -> bool:
        return self.status == PENDING


class PaymentItem(db.Model):
    """One charge a payment covers, with the amount paid for it (the charge's amount)."""

    __tablename__ = "payment_items"
    __table_args__ = (UniqueConstraint("payment_id", "charge_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    charge_id: Mapped[int] = mapped_column(ForeignKey("charges.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)

    payment: Mapped[Payment] = relationship(back_populates="items")
    charge: Mapped[Charge] = relationship()


class PlatformMessage(db.Model):
    """A message received from the payment platform (a confirmation, the answer to a query), kept
    with what the system made of it; the refused ones are the reconciliation's mismatches."""

    __tablename__ = "payment_platform_messages"
    __table_args__ = (
        _one_of("source", MESSAGE_SOURCES),
        _one_of("outcome", MESSAGE_OUTCOMES),
        Index("ix_payment_platform_messages_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(12))
    order_id: Mapped[str | None] = mapped_column(String(64))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(String(64))

    payment: Mapped[Payment | None] = relationship()

    @property
    def is_refused(self) -> bool:
        return self.outcome in REFUSED_OUTCOMES
