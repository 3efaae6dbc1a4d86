"""Financial obligations (nghĩa vụ tài chính) notified during processing by the competent officer.

The officer drafts each line (name, amount, legal basis, payee, due date, and the notice document: a
PDF they upload, e.g. the tax office's notice, or one the system generates from these facts), then
notifies them all at once: the drafts become due and the workflow's request-payment transition is
applied through the engine in the same unit of work, which pauses the clock (the transition the
workflow declares, with its own roles, guards and event); the applicant gets an e-mail and an SMS.
A dossier already waiting for payment (a second notice) takes further lines without another
transition. A notified line can be cancelled with a reason (an exemption decided later); when no
notified line is left due, the dossier resumes (`settlement.resume_if_settled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ConflictError, ValidationError
from app.core.time import to_local
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.payments.models import CANCELLED, DRAFT, DUE, OBLIGATION, Charge
from app.payments.notify import tell_applicant
from app.payments.permissions import require_manage_obligations
from app.payments.queries import draft_obligations
from app.payments.settlement import awaits_payment, lock_dossier, resume_if_settled
from app.procedures.definitions import Transition
from app.procedures.vocabulary import REQUEST_PAYMENT
from app.storage import get_storage
from app.workflow.engine import STALE, apply_transition, available_transitions, procedure_of

MAX_AMOUNT = 10**13  # VND: far above any levy, far below what the columns hold
NOTICE_MAX_MB = 10
NOTICE_TYPES = ("application/pdf",)


@dataclass
class ObligationInput:
    name: str
    amount: int | None
    basis: str
    payee: str
    due_on: date | None
    note: str = ""


@dataclass
class NoticeUpload:
    filename: str
    stream: BinaryIO


def request_transition(dossier: Dossier, user: User) -> Transition | None:
    """The request-payment transition the engine offers `user` now, if any."""
    return next((t for t in available_transitions(dossier, user) if t.kind == REQUEST_PAYMENT), None)


def may_notify_now(dossier: Dossier, user: User) -> bool:
    return request_transition(dossier, user) is not None or awaits_payment(dossier)


def _require_notice_step(dossier: Dossier, user: User) -> None:
    require_manage_obligations(user, dossier, procedure_of(dossier))
    if not may_notify_now(dossier, user):
        state = procedure_of(dossier).states[dossier.state].label.vi
        raise ConflictError(
            _("Hồ sơ đang ở trạng thái '%(state)s': chưa thể thông báo nghĩa vụ tài chính.", state=state)
        )


def _check(data: ObligationInput, today: date) -> dict[str, str]:
    problems = {}
    if not data.name.strip():
        problems["name"] = _("Cần ghi tên khoản phải nộp (ví dụ: Tiền sử dụng đất)")
    if data.amount is None or not 0 < data.amount < MAX_AMOUNT:
        problems["amount"] = _("Số tiền phải là số nguyên dương (đồng)")
    if not data.basis.strip():
        problems["basis"] = _("Cần ghi căn cứ pháp lý (số, ngày của thông báo hoặc văn bản)")
    if not data.payee.strip():
        problems["payee"] = _("Cần ghi đơn vị thụ hưởng (cơ quan thuế, kho bạc …)")
    if data.due_on is None or data.due_on < today:
        problems["due_on"] = _("Hạn nộp phải là một ngày từ hôm nay trở đi")
    return problems


def add_obligation(
    dossier: Dossier, user: User, data: ObligationInput, notice: NoticeUpload | None = None
) -> Charge:
    """A drafted obligation line (seen by staff only until notified), with its uploaded notice."""
    _require_notice_step(dossier, user)
    problems = _check(data, to_local(utcnow()).date())
    if problems:
        raise ValidationError(
            _("Khoản nghĩa vụ tài chính chưa hợp lệ: ") + "; ".join(problems.values()), problems
        )
    charge = Charge(
        dossier_id=dossier.id,
        unit_id=dossier.current_unit_id,
        kind=OBLIGATION,
        name=data.name.strip()[:255],
        amount=data.amount,
        basis=data.basis.strip()[:2000],
        payee=data.payee.strip()[:255],
        note=data.note.strip()[:2000] or None,
        due_on=data.due_on,
        status=DRAFT,
        created_by_id=user.id,
    )
    if notice is not None:
        _store_notice(charge, notice)
    db.session.add(charge)
    db.session.flush()
    return charge


def _store_notice(charge: Charge, notice: NoticeUpload) -> None:
    try:
        stored = get_storage().put_stream(
            notice.stream, allowed_types=NOTICE_TYPES, max_bytes=NOTICE_MAX_MB * 1024 * 1024, prefix="notices"
        )
    except ValidationError as exc:
        raise ValidationError(exc.message, {"notice": exc.message}) from exc
    uow.on_rollback(lambda: get_storage().delete(stored.key))
    charge.storage_key, charge.notice_size, charge.notice_sha256 = stored.key, stored.size, stored.sha256
    charge.notice_name = (notice.filename or "thong-bao.pdf")[:255]


def remove_draft(charge: Charge, user: User) -> None:
    require_manage_obligations(user, charge.dossier, procedure_of(charge.dossier))
    if charge.status != DRAFT:
        raise ConflictError(_("Khoản này đã được thông báo: chỉ có thể hủy kèm lý do."))
    key = charge.storage_key
    db.session.delete(charge)
    db.session.flush()
    if key:
        uow.after_commit(lambda: get_storage().delete(key))


def notify_obligations(dossier: Dossier, user: User, *, expected_version: int | None = None) -> list[Charge]:
    """Notify every drafted line: they become due, the dossier pauses through its request-payment
    transition (unless it already waits for payment), the applicant is told."""
    _require_notice_step(dossier, user)
    drafts = draft_obligations(dossier.id)
    if not drafts:
        message = _("Chưa có khoản nghĩa vụ tài chính nào để thông báo.")
        raise ValidationError(message, {"obligations": message})
    if expected_version is not None and expected_version != dossier.version:
        raise ConflictError(STALE, {"version": dossier.version})
    total = sum(c.amount for c in drafts)
    transition, event = request_transition(dossier, user), None
    if transition is not None:
        comment = f"Thông báo {len(drafts)} khoản nghĩa vụ tài chính, tổng {total:,} đồng".replace(",", ".")
        apply_transition(
            dossier, transition.name, user, {"comment": comment}, expected_version=expected_version
        )
        event = db.session.scalar(
            select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id.desc())
        )
    now = utcnow()
    for charge in drafts:
        charge.status, charge.payable_at, charge.notified_by_id = DUE, now, user.id
        charge.notice_event_id = event.id if event is not None else None
    db.session.flush()
    tell_applicant(dossier, drafts, event)
    return drafts


def cancel_obligation(charge: Charge, user: User, reason: str) -> bool:
    """Cancel a notified line not paid yet (an exemption, a wrong notice); the dossier resumes when
    nothing else is due. True when it resumed."""
    dossier = lock_dossier(charge.dossier_id)
    require_manage_obligations(user, dossier, procedure_of(dossier))
    if not reason.strip():
        raise ValidationError(_("Cần ghi lý do hủy khoản này"), {"reason": _("Cần ghi lý do hủy khoản này")})
    db.session.refresh(charge, with_for_update=True)
    if not charge.is_obligation or charge.status != DUE:
        raise ConflictError(_("Chỉ hủy được khoản nghĩa vụ tài chính đã thông báo và chưa nộp."))
    charge.status, charge.cancelled_at, charge.cancelled_by_id = CANCELLED, utcnow(), user.id
    charge.cancel_reason = reason.strip()[:2000]
    db.session.flush()
    return resume_if_settled(dossier, f"Hủy khoản '{charge.name}': {charge.cancel_reason}")
