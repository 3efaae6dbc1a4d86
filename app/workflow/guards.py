"""Guards: pure checks run before a transition. Each returns None or a message naming the problem.

Messages are keyed by the payload field they concern, so the client can show them next to it. The
guards a workflow may name, and the inputs each needs, are declared in app.procedures.vocabulary;
`GUARDS` holds their checks, by function name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.calendar.services import get_calendar
from app.core.time import parse_instant, to_local
from app.extensions import db
from app.workflow.context import TransitionContext

GuardResult = tuple[str, str] | None  # (field, message)
Guard = Callable[[TransitionContext], GuardResult]
GUARDS: dict[str, Guard] = {}
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def guard(check: Guard) -> Guard:
    GUARDS[check.__name__] = check
    return check


@guard
def required_documents(ctx: TransitionContext) -> GuardResult:
    present = {d.doc_key for d in ctx.dossier.documents if d.is_current and not d.is_result}
    present.update(ctx.files.input_keys)
    missing = [d.name.vi for d in ctx.procedure.documents if d.required and d.key not in present]
    if missing:
        return "documents", "Hồ sơ còn thiếu giấy tờ bắt buộc: " + "; ".join(missing)
    return None


@guard
def has_reason(ctx: TransitionContext) -> GuardResult:
    return None if ctx.comment else ("comment", "Cần ghi rõ lý do")


@guard
def has_items(ctx: TransitionContext) -> GuardResult:
    items = ctx.payload.get("items") or []
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        return "items", "Cần liệt kê đầy đủ các giấy tờ/nội dung phải bổ sung (ít nhất một mục)"
    return None


@guard
def not_extended(ctx: TransitionContext) -> GuardResult:
    if ctx.dossier.is_extended:
        return "transition", "Hồ sơ đã được gia hạn một lần (Mẫu 04 chỉ được lập một lần)"
    return None


@guard
def new_appointment(ctx: TransitionContext) -> GuardResult:
    raw = ctx.payload.get("new_appointment_at")
    try:
        value = parse_instant(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        return "new_appointment_at", "Cần ngày hẹn trả mới (ISO 8601, vd 2026-12-01T16:00:00+07:00)"
    current = ctx.dossier.appointment_at
    if current is not None and value <= current:
        shown = to_local(current).strftime("%H:%M %d/%m/%Y")
        return "new_appointment_at", f"Ngày hẹn mới phải sau ngày hẹn hiện tại ({shown})"
    return _on_a_working_day(value)


def _on_a_working_day(value: datetime) -> GuardResult:
    """The citizen comes for the result on the new date: it must be a working day of the calendar."""
    calendar, day = get_calendar(), to_local(value).date()
    if calendar.is_working_day(day):
        return None
    weekday = WEEKDAYS[day.weekday()]
    suggestion = calendar.next_working_day(day).strftime("%d/%m/%Y")
    return "new_appointment_at", (
        f"Ngày hẹn mới {day:%d/%m/%Y} ({weekday}) không phải ngày làm việc; "
        f"hãy chọn một ngày làm việc, ví dụ {suggestion}"
    )


@guard
def has_assignee(ctx: TransitionContext) -> GuardResult:
    if find_assignee(ctx) is None:
        return "assignee", "Cần chọn một chuyên viên đang hoạt động của đơn vị đang xử lý hồ sơ"
    return None


@guard
def has_result(ctx: TransitionContext) -> GuardResult:
    if not ctx.files.results and not any(d.is_result for d in ctx.dossier.documents):
        return "documents", "Chưa đính kèm tệp kết quả giải quyết"
    return None


@guard
def before_due(ctx: TransitionContext) -> GuardResult:
    due = ctx.dossier.due_at
    if due is not None and ctx.now > due:
        return "transition", "Hồ sơ đã quá hạn: phiếu xin lỗi và hẹn lại (Mẫu 04) phải lập trước hạn"
    return None


@guard
def may_attach(ctx: TransitionContext) -> GuardResult:
    """Staff attach documents while their unit holds the dossier (the engine checks the unit); an
    applicant only while the dossier waits for their answer, and never a result."""
    if ctx.user.is_staff:
        return None
    if ctx.files.results:
        return "result_file", "Chỉ cơ quan giải quyết được đính kèm kết quả"
    if not any(t.effects.answers_applicant for t in ctx.procedure.transitions_from(ctx.dossier.state)):
        return "documents", "Hồ sơ không ở trạng thái chờ bổ sung giấy tờ"
    return None


def find_assignee(ctx: TransitionContext) -> User | None:
    ref = ctx.payload.get("assignee")
    if isinstance(ref, bool) or not isinstance(ref, int | str) or ref == "":
        return None
    column = User.id if isinstance(ref, int) else User.username
    user = db.session.scalar(select(User).where(column == ref))
    if user is None or user.role != Role.SPECIALIST or not user.is_active:
        return None
    return user if user.unit_id == ctx.dossier.current_unit_id else None


@guard
def awaiting_dispatch(ctx: TransitionContext) -> GuardResult:
    if ctx.dossier.dispatch_reason is None:
        return "competent_unit", "Hồ sơ đã có đơn vị có thẩm quyền giải quyết"
    return None
