"""What the dossier pages show of its money: the citizen's panel (fees, obligations, pay online,
receipts) and the officer's (the same, plus drafting and notifying obligations, counter payments and
the bank-transfer QR code). The pages include `payments/_applicant_panel.html` and
`payments/_officer_panel.html`, which ask for these through two template globals."""

from __future__ import annotations

from dataclasses import dataclass, field

import segno
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.db import utcnow
from app.core.numbers import format_number
from app.core.time import to_local
from app.dossiers.models import Dossier
from app.payments.models import (
    BANK_TRANSFER,
    CANCELLED,
    CARD,
    CASH,
    COUNTER_METHODS,
    DRAFT,
    DUE,
    EXPIRED,
    FEE,
    PAID,
    PENDING,
    PLATFORM,
    REFUNDED,
    Charge,
    Payment,
)
from app.payments.obligations import may_notify_now
from app.payments.online import is_offered
from app.payments.permissions import can_manage_obligations, can_pay, can_record_counter_payment
from app.payments.queries import list_charges, list_payments
from app.procedures.vocabulary import CONFIRM_PAYMENT, REQUEST_PAYMENT
from app.workflow.engine import procedure_of

METHOD_LABELS = {
    PLATFORM: _l("Trực tuyến (Nền tảng thanh toán quốc gia)"),
    CASH: _l("Tiền mặt tại quầy"),
    CARD: _l("Thẻ ngân hàng (máy POS)"),
    BANK_TRANSFER: _l("Chuyển khoản (mã QR)"),
}
CHARGE_STATUS = {
    DRAFT: ("warn", _l("Chưa thông báo")),
    DUE: ("warn", _l("Chưa nộp")),
    PAID: ("ok", _l("Đã nộp")),
    CANCELLED: ("", _l("Đã hủy")),
}
PAYMENT_STATUS = {
    PENDING: ("warn", _l("Đang chờ xác nhận")),
    PAID: ("ok", _l("Đã thanh toán")),
    CANCELLED: ("", _l("Đã hủy")),
    EXPIRED: ("", _l("Hết hạn")),
    REFUNDED: ("", _l("Đã hoàn trả")),
}


def vnd(amount: int | None) -> str:
    """'100.000 đồng' (Vietnamese thousands separator)."""
    return "" if amount is None else format_number(amount, 0, "vi") + " đồng"


@dataclass
class Panel:
    dossier: Dossier
    fees: list[Charge] = field(default_factory=list)
    obligations: list[Charge] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    charge_statuses = CHARGE_STATUS
    payment_statuses = PAYMENT_STATUS
    methods = METHOD_LABELS

    @property
    def due(self) -> list[Charge]:
        return [c for c in (*self.fees, *self.obligations) if c.status == DUE]

    @property
    def due_total(self) -> int:
        return sum(c.amount for c in self.due)

    @property
    def paid_payments(self) -> list[Payment]:
        return [p for p in self.payments if p.is_paid]

    @property
    def pending(self) -> Payment | None:
        return next((p for p in reversed(self.payments) if p.is_pending), None)

    @property
    def is_empty(self) -> bool:
        return not (self.fees or self.obligations or self.payments)


@dataclass
class ApplicantPanel(Panel):
    can_pay_online: bool = False
    offered_online: bool = False
    is_closed: bool = False  # a final state: nothing more is collected through this page


@dataclass
class OfficerPanel(Panel):
    drafts: list[Charge] = field(default_factory=list)
    can_draft: bool = False
    can_record: bool = False
    hidden_actions: frozenset[str] = frozenset()
    transfer_qr: str | None = None
    transfer_account: str | None = None
    today: str = ""
    methods: tuple[str, ...] = COUNTER_METHODS


def _split(dossier: Dossier) -> tuple[list[Charge], list[Charge], list[Charge]]:
    charges = list_charges(dossier.id)
    fees = [c for c in charges if c.kind == FEE]
    obligations = [c for c in charges if c.kind != FEE and c.status != DRAFT]
    drafts = [c for c in charges if c.status == DRAFT]
    return fees, obligations, drafts


def applicant_panel(dossier: Dossier) -> ApplicantPanel:
    fees, obligations, _drafts = _split(dossier)
    panel = ApplicantPanel(dossier, fees, obligations, list_payments(dossier.id))
    panel.offered_online = is_offered()
    panel.is_closed = procedure_of(dossier).states[dossier.state].is_final
    payable = bool(panel.due) and not panel.is_closed
    panel.can_pay_online = panel.offered_online and payable and can_pay(current_user, dossier)
    return panel


def officer_panel(dossier: Dossier) -> OfficerPanel:
    fees, obligations, drafts = _split(dossier)
    panel = OfficerPanel(dossier, fees, obligations, list_payments(dossier.id), drafts)
    procedure, user = procedure_of(dossier), current_user
    manages = can_manage_obligations(user, dossier, procedure)
    panel.can_draft = manages and may_notify_now(dossier, user)
    panel.can_record = can_record_counter_payment(user, dossier) and bool(panel.due)
    obligations_due = any(c.status == DUE for c in obligations)
    panel.hidden_actions = frozenset(
        t.name
        for t in procedure.transitions
        if (t.kind == REQUEST_PAYMENT and manages) or (t.kind == CONFIRM_PAYMENT and obligations_due)
    )
    panel.today = to_local(utcnow()).date().isoformat()
    account = current_app.config.get("PAYMENT_TRANSFER_ACCOUNT")
    if account and panel.can_record:
        panel.transfer_account = account
        text = f"{account} | {panel.due_total} VND | {dossier.code}"
        panel.transfer_qr = segno.make(text, error="m").svg_data_uri(border=2, dark="#000")
    return panel
