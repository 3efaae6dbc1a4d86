"""Citizen pages: my dossiers (list, detail with a plain-language timeline, supplement, withdraw,
result, rating) and public tracking by code. Views parse, call one service, render; what a citizen
may do comes from the workflow engine, never from comparing state names."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.auth.models import User
from app.calendar.services import get_calendar
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from app.dossiers.models import Dossier, DossierDocument, DossierEvent
from app.dossiers.queries import DossierFilter, get_document, get_dossier, list_dossiers
from app.official_forms.queries import list_forms
from app.org.models import Unit
from app.portal.tracking import track_dossier
from app.procedures.definitions import Procedure
from app.ratings.forms import RatingForm
from app.ratings.permissions import is_returned
from app.ratings.queries import find_rating
from app.ratings.services import editable_until, is_editable, rate_dossier
from app.storage import download_response
from app.workflow.engine import apply_transition, available_transitions, procedure_of
from app.workflow.submission import Upload, supply_documents

bp = Blueprint("my_dossiers", __name__)
PAGE_SIZE = 20

# What happened, in the citizen's words. Keys are transition names (the shared vocabulary).
SUBMITTED = {
    "online": _l("Bạn đã nộp hồ sơ trực tuyến"),
    "counter": _l("Hồ sơ đã được nộp tại bộ phận một cửa"),
    "postal": _l("Hồ sơ đã được gửi qua bưu chính"),
}
SENTENCES = {
    "submit": _l("Hồ sơ đã được nộp"),
    "accept": _l("Hồ sơ đã được tiếp nhận"),
    "request_supplement": _l("Cơ quan yêu cầu bổ sung, hoàn thiện hồ sơ trước khi tiếp nhận"),
    "refuse": _l("Cơ quan từ chối tiếp nhận hồ sơ"),
    "assign": _l("Hồ sơ đã được giao cho cán bộ xử lý"),
    "return_for_supplement": _l("Cơ quan yêu cầu bổ sung giấy tờ"),
    "supplement": _l("Bạn đã nộp bổ sung giấy tờ"),
    "request_payment": _l("Cơ quan đề nghị thực hiện nghĩa vụ tài chính"),
    "confirm_payment": _l("Đã xác nhận hoàn thành nghĩa vụ tài chính"),
    "propose": _l("Hồ sơ đã được trình lãnh đạo xem xét"),
    "approve": _l("Lãnh đạo đã phê duyệt hồ sơ"),
    "reject": _l("Cơ quan không giải quyết hồ sơ và đã trả lời bằng văn bản"),
    "extend": _l("Cơ quan xin lỗi vì chậm trễ và hẹn lại ngày trả kết quả"),
    "complete": _l("Đã có kết quả, chờ trả cho bạn"),
    "deliver": _l("Đã trả kết quả"),
    "withdraw": _l("Bạn đã rút hồ sơ"),
    "stop": _l("Cơ quan dừng xử lý hồ sơ"),
}
# Events whose comment is written for the applicant (reasons, requests); other comments are internal.
PUBLIC_COMMENTS = {
    "request_supplement",
    "return_for_supplement",
    "supplement",
    "refuse",
    "reject",
    "extend",
    "stop",
    "withdraw",
}
SOURCES = {
    "citizen_upload": _l("Bạn tải lên"),
    "counter_scan": _l("Số hoá tại bộ phận một cửa"),
    "reused": _l("Dùng lại từ hồ sơ trước"),
    "issued": _l("Cơ quan cấp"),
}


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do rút hồ sơ"), validators=[DataRequired(_l("Vui lòng ghi lý do")), Length(max=1000)]
    )


class TrackForm(FlaskForm):
    code = StringField(
        _l("Mã hồ sơ"), validators=[DataRequired(_l("Vui lòng nhập mã hồ sơ")), Length(max=40)]
    )
    identifier = StringField(
        _l("Số CCCD hoặc số điện thoại của người nộp"),
        validators=[DataRequired(_l("Vui lòng nhập số CCCD hoặc số điện thoại")), Length(max=20)],
    )


@dataclass
class Row:
    dossier: Dossier
    procedure_name: str
    status_label: str
    badge: tuple[str, str] | None


@dataclass
class TimelineEntry:
    at: datetime
    text: str
    unit: str | None
    note: str | None = None
    items: list[str] = field(default_factory=list)


# --- presentation helpers --------------------------------------------------------------------


def unit_name(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return unit.name_en if g.get("lang") == "en" and unit.name_en else unit.name


def _duration(minutes: int) -> str:
    """Working time in days and hours of the calendar ("2 ngày 3 giờ"); minutes only under an hour."""
    days, rest = divmod(minutes, get_calendar().minutes_per_day or 480)
    hours, mins = divmod(rest, 60)
    parts = [ngettext("%(num)d ngày", "%(num)d ngày", days)] if days else []
    parts += [ngettext("%(num)d giờ", "%(num)d giờ", hours)] if hours else []
    return " ".join(parts) or ngettext("%(num)d phút", "%(num)d phút", mins)


def time_left(dossier: Dossier, now: datetime) -> str | None:
    if dossier.due_at is None or dossier.completed_at is not None or _is_final(dossier):
        return None
    calendar = get_calendar()
    if dossier.is_paused:
        left = calendar.working_minutes_between(dossier.paused_at, dossier.due_at)
        return _("còn %(left)s làm việc (đang tạm dừng)", left=_duration(left))
    if now > dossier.due_at:
        return _(
            "Đã quá hạn %(late)s làm việc",
            late=_duration(calendar.working_minutes_between(dossier.due_at, now)),
        )
    return _("còn %(left)s làm việc", left=_duration(calendar.working_minutes_between(now, dossier.due_at)))


def _is_final(dossier: Dossier) -> bool:
    return procedure_of(dossier).states[dossier.state].is_final


def deadline_badge(dossier: Dossier, actions: set[str], now: datetime) -> tuple[str, str] | None:
    """(css modifier, text): tạm dừng chờ bổ sung / quá hạn / sắp đến hạn / đúng hạn; None without a clock."""
    if "supplement" in actions:
        return "warn", _("Tạm dừng chờ bổ sung")
    if dossier.is_paused:
        return "warn", _("Tạm dừng")
    if dossier.completed_at is not None and dossier.outcome:
        return ("bad", _("Quá hạn")) if dossier.outcome == "late" else ("ok", _("Đúng hạn"))
    if dossier.due_at is None or dossier.completed_at is not None or _is_final(dossier):
        return None
    if now > dossier.due_at:
        return "bad", _("Quá hạn")
    if get_calendar().near_due(dossier.received_at or dossier.submitted_at, dossier.due_at, now):
        return "warn", _("Sắp đến hạn")
    return "ok", _("Đúng hạn")


def _sentence(event: DossierEvent, dossier: Dossier, procedure: Procedure) -> str:
    if event.transition == "forward":
        step = next((s for s in dossier.steps if s.started_at == event.created_at), None)
        return _(
            "Hồ sơ được chuyển đến %(unit)s", unit=unit_name(step.unit) if step else _("đơn vị tiếp theo")
        )
    if event.transition == "submit" and event.payload.get("channel") in SUBMITTED:
        return str(SUBMITTED[event.payload["channel"]])
    if event.transition in SENTENCES:
        return str(SENTENCES[event.transition])
    known = next((t for t in procedure.transitions if t.name == event.transition), None)
    return known.label.get(g.get("lang", "vi")) if known else _("Hồ sơ được cập nhật")


def timeline(dossier: Dossier) -> list[TimelineEntry]:
    procedure = procedure_of(dossier)
    entries = []
    for event in dossier.events:
        public = event.transition in PUBLIC_COMMENTS
        entries.append(
            TimelineEntry(
                at=event.created_at,
                text=_sentence(event, dossier, procedure),
                unit=unit_name(event.actor_unit) or None,
                note=event.comment if public else None,
                items=list(event.payload.get("items") or []) if public else [],
            )
        )
    return entries


def supplement_request(dossier: Dossier) -> DossierEvent | None:
    """The latest event that listed items to supply (Mẫu 02 at receipt or during appraisal)."""
    return next((e for e in reversed(dossier.events) if e.payload.get("items")), None)


def result_documents(dossier: Dossier) -> list[DossierDocument]:
    """Result files, shown to the owner once the result is ready (a draft is never shown)."""
    if dossier.completed_at is None:
        return []
    return [d for d in dossier.documents if d.is_result]


def _citizen() -> User:
    if current_user.role != "citizen":
        raise PermissionDeniedError(_("Trang này dành cho công dân. Cán bộ dùng trang nghiệp vụ."))
    return current_user._get_current_object()


def _row(dossier: Dossier, user: User, now: datetime) -> Row:
    procedure, lang = procedure_of(dossier), g.get("lang", "vi")
    actions = {t.name for t in available_transitions(dossier, user)}
    return Row(
        dossier,
        procedure.name.get(lang),
        procedure.states[dossier.state].label.get(lang),
        deadline_badge(dossier, actions, now),
    )


def _track_form() -> TrackForm:
    """An empty form; only the code of the URL (Mẫu 01's QR code) is filled in, never what was posted,
    so every failed look-up gets the same page whatever was typed."""
    return TrackForm(formdata=None, data={"code": request.args.get("code", "")[:40]})


def _detail(dossier: Dossier, status: int = 200, **extra: object) -> tuple[str, int]:
    """The detail page; `extra` carries a bound form or the problems of a failed post."""
    now, procedure = utcnow(), procedure_of(dossier)
    actions = {t.name for t in available_transitions(dossier, current_user)}
    rating = find_rating(dossier)
    returned = is_returned(dossier)
    if returned and is_editable(rating, now) and "rating_form" not in extra:
        extra["rating_form"] = RatingForm(formdata=None, obj=rating)
    return render_template(
        "portal/dossier.html",
        dossier=dossier,
        procedure=procedure,
        status_label=procedure.states[dossier.state].label.get(g.get("lang", "vi")),
        is_final=procedure.states[dossier.state].is_final,
        badge=deadline_badge(dossier, actions, now),
        time_left=time_left(dossier, now),
        timeline=timeline(dossier),
        documents=[d for d in dossier.documents if not d.is_result and d.is_current],
        sources=SOURCES,
        forms=list_forms(dossier.id),
        results=result_documents(dossier),
        request_event=supplement_request(dossier) if "supplement" in actions else None,
        actions=actions,
        returned=returned,
        rating=rating,
        rating_editable_until=editable_until(rating) if rating else None,
        unit_name=unit_name,
        **extra,
    ), status


# --- my dossiers ---------------------------------------------------------------------------


@bp.get("/my/dossiers")
@login_required
def index() -> str:
    user = _citizen()
    after = request.args.get("after", type=int)
    items, cursor = list_dossiers(user, DossierFilter(after=after, limit=PAGE_SIZE))
    now = utcnow()
    rows = [_row(d, user, now) for d in items]
    return render_template("portal/my_dossiers.html", rows=rows, next_cursor=cursor, after=after)


@bp.get("/my/dossiers/<code>")
@login_required
def detail(code: str) -> tuple[str, int]:
    return _detail(get_dossier(code, _citizen()))


@bp.post("/my/dossiers/<code>/supplement")
@login_required
def supplement(code: str) -> Response | tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    uploads = [
        Upload(key=k, filename=f.filename, stream=f.stream)
        for k, f in request.files.items(multi=True)
        if f.filename
    ]
    with uow.attempt() as failed:
        supply_documents(dossier, user, uploads, request.form.get("comment", "")[:2000])
    if failed:
        flash(_(failed.error.message), "error")
        problems = failed.error.details if isinstance(failed.error.details, dict) else {}
        return _detail(
            get_dossier(code, user),
            failed.error.status,
            supplement_problems=problems,
            supplement_error=_(failed.error.message),
        )
    flash(_("Đã nộp bổ sung giấy tờ. Hồ sơ được xử lý tiếp."), "success")
    return redirect(url_for(".detail", code=code))


@bp.route("/my/dossiers/<code>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(code: str) -> Response | tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    if "withdraw" not in {t.name for t in available_transitions(dossier, user)}:
        raise ConflictError(_("Hồ sơ này hiện không thể rút."))
    form = WithdrawForm()
    if form.validate_on_submit():
        apply_transition(dossier, "withdraw", user, {"comment": form.reason.data.strip()})
        flash(_("Bạn đã rút hồ sơ %(code)s.", code=code), "success")
        return redirect(url_for(".detail", code=code))
    procedure_name = procedure_of(dossier).name.get(g.get("lang", "vi"))
    return render_template(
        "portal/withdraw.html", dossier=dossier, procedure_name=procedure_name, form=form
    ), (400 if form.errors else 200)


@bp.get("/my/dossiers/<code>/result/<int:document_id>")
@login_required
def result(code: str, document_id: int) -> Response:
    """The electronic result, for the owner only (staff download through the API)."""
    user = _citizen()
    dossier = get_dossier(code, user)
    document = get_document(dossier, document_id)
    if dossier.applicant_id != user.id or document not in result_documents(dossier):
        raise NotFoundError(_("Không tìm thấy kết quả này"))
    return download_response(
        document.storage_key, document.original_name, document.content_type, size=document.size
    )


@bp.post("/my/dossiers/<code>/rating")
@login_required
def rate(code: str) -> Response | tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    form = RatingForm()
    if not form.validate_on_submit():
        return _detail(dossier, 400, rating_form=form)
    with uow.attempt() as failed:
        rate_dossier(dossier, user, form.values())
    if failed:
        flash(_(failed.error.message), "error")  # not the owner, not returned yet, or the 7 days are over
        return _detail(dossier, failed.error.status)
    flash(_("Cảm ơn bạn đã đánh giá!"), "success")
    return redirect(url_for(".detail", code=code, _anchor="danh-gia"))


# --- public tracking -----------------------------------------------------------------------


@bp.route("/track", methods=["GET", "POST"])
def track() -> tuple[str, int]:
    """Anyone with the code plus the applicant's CCCD or phone sees the status, nothing more.
    Any mismatch gets one generic answer; the code may come prefilled from Mẫu 01's QR code."""
    form = TrackForm() if request.method == "POST" else _track_form()
    if not form.validate_on_submit():
        return render_template("portal/track.html", form=form), 400 if form.errors else 200
    with uow.attempt() as failed:
        dossier = track_dossier(form.code.data, form.identifier.data, request.remote_addr or "")
    if failed:
        return render_template(
            "portal/track.html", form=_track_form(), error=_(failed.error.message)
        ), failed.error.status
    if dossier is None:
        error = _("Không tìm thấy hồ sơ phù hợp với thông tin đã nhập")
        return render_template("portal/track.html", form=_track_form(), error=error), 200
    procedure = procedure_of(dossier)
    lang = g.get("lang", "vi")
    return render_template(
        "portal/tracked.html",
        dossier=dossier,
        procedure_name=procedure.name.get(lang),
        status_label=procedure.states[dossier.state].label.get(lang),
    ), 200
