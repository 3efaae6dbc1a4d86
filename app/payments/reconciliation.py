"""The day's reconciliation (đối soát) of a unit and the units below it, and its XLSX export.

For one Vietnam day and a scope of units (the charges' collecting units):

- **expected**: charges that became payable that day (fee lines fixed at receipt, obligations
  notified), not cancelled since;
- **paid**: money received that day, by channel and method (item amounts, so a surplus counts as
  received), with every payment listed (receipt, dossier, method, platform transaction);
- **refunded**: money paid back that day;
- **mismatches**: signed messages of the platform refused that day (an amount or currency that does
  not match its order, an unknown order) and payments that paid for charges already settled (a
  surplus to refund);
- **pending**: online payments started that day the platform has not confirmed yet.

Messages that name no payment of the scope (an unknown order) are shown to administrators.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, exists, func, select, true
from sqlalchemy.orm import selectinload

from app.core.time import VN_TZ
from app.core.web import local_time
from app.extensions import db
from app.payments.models import (
    CANCELLED,
    DRAFT,
    PAID,
    PENDING,
    REFUNDED,
    REFUSED_OUTCOMES,
    Charge,
    Payment,
    PaymentItem,
    PlatformMessage,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Total:
    count: int = 0
    amount: int = 0


@dataclass
class Day:
    day: date
    expected: Total = field(default_factory=Total)
    paid: dict[tuple[str, str], Total] = field(default_factory=dict)  # (channel, method) -> total
    refunded: Total = field(default_factory=Total)
    pending: Total = field(default_factory=Total)
    payments: list[Payment] = field(default_factory=list)
    refunds: list[Payment] = field(default_factory=list)
    mismatches: list[PlatformMessage] = field(default_factory=list)
    surpluses: list[Payment] = field(default_factory=list)

    @property
    def paid_total(self) -> Total:
        return Total(sum(t.count for t in self.paid.values()), sum(t.amount for t in self.paid.values()))


def bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), VN_TZ)
    return start, start + timedelta(days=1)


def _in_scope(units: set[int] | None) -> ColumnElement[bool]:
    """Payments with an item for a charge of the scope."""
    if units is None:
        return true()
    return exists().where(
        PaymentItem.payment_id == Payment.id, PaymentItem.charge_id == Charge.id, Charge.unit_id.in_(units)
    )


def reconcile_day(day: date, units: set[int] | None) -> Day:
    start, end = bounds(day)
    result = Day(day)
    charge_scope = Charge.unit_id.in_(units) if units is not None else true()
    count, amount = db.session.execute(
        select(func.count(Charge.id), func.coalesce(func.sum(Charge.amount), 0)).where(
            charge_scope,
            Charge.payable_at >= start,
            Charge.payable_at < end,
            Charge.status.not_in((DRAFT, CANCELLED)),
        )
    ).one()
    result.expected = Total(count, int(amount))
    paid_rows = db.session.execute(
        select(
            Payment.channel,
            Payment.method,
            func.count(func.distinct(Payment.id)),
            func.sum(PaymentItem.amount),
        )
        .join(PaymentItem, PaymentItem.payment_id == Payment.id)
        .join(Charge, Charge.id == PaymentItem.charge_id)
        .where(
            charge_scope,
            Payment.paid_at >= start,
            Payment.paid_at < end,
            Payment.status.in_((PAID, REFUNDED)),
        )
        .group_by(Payment.channel, Payment.method)
    ).all()
    result.paid = {(channel, method): Total(n, int(total)) for channel, method, n, total in paid_rows}
    listed = select(Payment).options(selectinload(Payment.items).selectinload(PaymentItem.charge))
    result.payments = list(
        db.session.scalars(
            listed.where(_in_scope(units), Payment.paid_at >= start, Payment.paid_at < end).order_by(
                Payment.paid_at
            )
        )
    )
    result.refunds = list(
        db.session.scalars(
            listed.where(_in_scope(units), Payment.refunded_at >= start, Payment.refunded_at < end)
        )
    )
    result.refunded = Total(len(result.refunds), sum(p.refunded_amount for p in result.refunds))
    pending = list(
        db.session.scalars(
            select(Payment).where(
                _in_scope(units),
                Payment.status == PENDING,
                Payment.created_at >= start,
                Payment.created_at < end,
            )
        )
    )
    result.pending = Total(len(pending), sum(p.amount for p in pending))
    result.surpluses = [p for p in result.payments if p.surplus]
    result.mismatches = _mismatches(start, end, units)
    return result


def _mismatches(start: datetime, end: datetime, units: set[int] | None) -> list[PlatformMessage]:
    query = select(PlatformMessage).where(
        PlatformMessage.received_at >= start,
        PlatformMessage.received_at < end,
        PlatformMessage.outcome.in_(REFUSED_OUTCOMES),
    )
    if units is not None:
        scoped = select(Payment.id).where(_in_scope(units))
        query = query.where(PlatformMessage.payment_id.in_(scoped))
    return list(db.session.scalars(query.order_by(PlatformMessage.received_at)))


# --- export -------------------------------------------------------------------------------------


def spreadsheet_text(text: str) -> str:
    """Shown as text, never run: control characters removed, a leading quote before a formula start
    (names and references come from citizens and officers)."""
    text = _CONTROL.sub("", text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _row(values: list) -> list:
    return [spreadsheet_text(v) if isinstance(v, str) else v for v in values]


def export_xlsx(figures: Day, scope_name: str, labels: dict[str, str]) -> bytes:
    """Three sheets: the day's totals, the payments, the mismatches. `labels`: method names."""
    book = Workbook()
    summary = book.active
    summary.title = _("Tổng hợp")
    summary.append(_row([_("Đối soát ngày"), figures.day.strftime("%d/%m/%Y")]))
    summary.append(_row([_("Đơn vị"), scope_name]))
    summary.append([])
    summary.append(_row([_("Chỉ tiêu"), _("Số lượng"), _("Số tiền (đồng)")]))
    summary.append(_row([_("Phải thu trong ngày"), figures.expected.count, figures.expected.amount]))
    for (_channel, method), total in sorted(figures.paid.items()):
        summary.append(
            _row([_("Đã thu: %(how)s", how=labels.get(method, method)), total.count, total.amount])
        )
    summary.append(_row([_("Đã thu: tổng"), figures.paid_total.count, figures.paid_total.amount]))
    summary.append(_row([_("Đã hoàn trả"), figures.refunded.count, figures.refunded.amount]))
    summary.append(_row([_("Đang chờ xác nhận (trực tuyến)"), figures.pending.count, figures.pending.amount]))
    summary.append(_row([_("Sai lệch"), len(figures.mismatches) + len(figures.surpluses), None]))
    payments = book.create_sheet(_("Giao dịch"))
    payments.append(
        _row(
            [
                _("Biên lai"),
                _("Mã hồ sơ"),
                _("Thời điểm"),
                _("Hình thức"),
                _("Mã giao dịch"),
                _("Số tiền"),
                _("Nộp thừa"),
            ]
        )
    )
    for p in figures.payments:
        payments.append(
            _row(
                [
                    p.receipt_number or "",
                    p.dossier.code,
                    local_time(p.paid_at),
                    labels.get(p.method, p.method),
                    p.platform_transaction or p.external_reference or "",
                    p.amount,
                    p.surplus,
                ]
            )
        )
    mismatches = book.create_sheet(_("Sai lệch"))
    mismatches.append(_row([_("Thời điểm"), _("Mã đơn hàng"), _("Loại sai lệch"), _("Chi tiết")]))
    for m in figures.mismatches:
        mismatches.append(_row([local_time(m.received_at), m.order_id or "", m.outcome, m.detail or ""]))
    for p in figures.surpluses:
        mismatches.append(_row([local_time(p.paid_at), p.reference, "surplus", f"{p.surplus} VND"]))
    for sheet in (summary, payments, mismatches):
        for cell in sheet[1 if sheet is not summary else 4]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            sheet.column_dimensions[column[0].column_letter].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
