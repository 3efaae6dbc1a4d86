"""Use cases of petitions: file, forward, answer, rate; the deadline setting. Each one only adds and
flushes; the request, job or command around it commits (app.core.uow).

Times: every use case takes `now` (default: the present), so the demo history can be written
through the same code with past instants (`record_demo_petition`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.core.errors import ConflictError, PermissionDeniedError, ValidationError
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit
from app.org.queries import find_unit_by_code
from app.outbox.services import add_message
from app.petitions import access
from app.petitions.models import KINDS, RATING_RANGE, Petition, PetitionDeadline
from app.petitions.permissions import can_rate, is_petitioner, require_can_file, require_handle
from app.petitions.routing import Route, route_dossier, route_procedure
from app.procedures import get_registry
from app.procedures.queries import search_words

ANSWERED_TOPIC = "petition.answered"
DEFAULT_DEADLINE_DAYS = 10
DEADLINE_RANGE = (1, 90)
TITLE_RANGE = (5, 200)
CONTENT_RANGE = (10, 4000)
ANSWER_RANGE = (10, 8000)
SUMMARY_RANGE = (10, 1000)
NOTE_MAX = 1000
COMMENT_MAX = 1000
RATING_EDIT_WINDOW = timedelta(days=7)
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^(\+84|0)\d{8,10}$")
_CODE_ALPHABET = access.KEY_ALPHABET
OWN_DOSSIERS_ONLY = "Chỉ gửi được về hồ sơ của chính bạn; chưa đăng nhập thì tra cứu hồ sơ trước"


@dataclass(frozen=True)
class PetitionInput:
    """What a petitioner sends. The subject is a procedure (`procedure_code`, and optionally the
    `unit_code` they think competent) or a dossier: `dossier_code` of a signed-in citizen's own
    dossier, or `ticket` from the public tracking page. Contact fields are for anonymous filing."""

    kind: str
    title: str
    content: str
    procedure_code: str | None = None
    dossier_code: str | None = None
    ticket: str | None = None
    unit_code: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Filed:
    petition: Petition
    key: str | None  # the follow-up key of an anonymous petition: shown once, never stored


# --- the deadline setting --------------------------------------------------------------------------


def deadline_days(kind: str) -> int:
    row = db.session.get(PetitionDeadline, kind)
    if row is not None:
        return row.working_days
    return int(current_app.config.get("PETITION_DEADLINE_DAYS") or DEFAULT_DEADLINE_DAYS)


def set_deadline(kind: str, working_days: Any, admin: User) -> PetitionDeadline:
    low, high = DEADLINE_RANGE
    if kind not in KINDS:
        raise ValidationError("Loại phản ánh, kiến nghị không hợp lệ", {"kind": "Chọn một loại đã có"})
    if isinstance(working_days, bool) or not isinstance(working_days, int) or not low <= working_days <= high:
        raise ValidationError(
            "Thời hạn không hợp lệ", {"working_days": f"Thời hạn từ {low} đến {high} ngày làm việc"}
        )
    row = db.session.get(PetitionDeadline, kind)
    if row is None:
        row = PetitionDeadline(kind=kind)
        db.session.add(row)
    row.working_days, row.updated_by_id, row.updated_at = working_days, admin.id, utcnow()
    db.session.flush()
    return row


# --- filing ----------------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    return (value or "").strip()


def _length_problem(value: str, bounds: tuple[int, int], what: str) -> str | None:
    low, high = bounds
    if len(value) < low:
        return f"{what} cần ít nhất {low} ký tự"
    if len(value) > high:
        return f"{what} tối đa {high} ký tự"
    return None


def _check_input(data: PetitionInput, anonymous: bool) -> dict[str, str]:
    problems: dict[str, str] = {}
    if data.kind not in KINDS:
        problems["kind"] = "Chọn phản ánh hoặc kiến nghị"
    for name, bounds, what in (("title", TITLE_RANGE, "Tiêu đề"), ("content", CONTENT_RANGE, "Nội dung")):
        problem = _length_problem(_text(getattr(data, name)), bounds, what)
        if problem:
            problems[name] = problem
    if anonymous:
        email, phone = _text(data.email), re.sub(r"[\s.]", "", _text(data.phone))
        if email and (len(email) > 255 or not EMAIL_RE.match(email)):
            problems["email"] = "Địa chỉ email không hợp lệ"
        if phone and not PHONE_RE.match(phone):
            problems["phone"] = "Số điện thoại không hợp lệ"
        if len(_text(data.name)) > 255:
            problems["name"] = "Họ tên tối đa 255 ký tự"
    return problems


def _subject(user: Any, data: PetitionInput, anonymous: bool) -> tuple[str, Dossier | None, Route]:
    """(procedure code, dossier, route) of what the petition is about; 422 naming the field."""
    if data.ticket:
        dossier_id = access.read_ticket(data.ticket)
        dossier = db.session.get(Dossier, dossier_id) if dossier_id is not None else None
        if dossier is None:
            raise ValidationError(
                "Liên kết từ trang tra cứu đã hết hạn; vui lòng tra cứu lại hồ sơ",
                {"ticket": "Liên kết đã hết hạn hoặc không hợp lệ"},
            )
        return dossier.procedure_code, dossier, route_dossier(dossier)
    if _text(data.dossier_code):
        code = _text(data.dossier_code).upper()
        dossier = None if anonymous else db.session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or dossier.applicant_id != user.id:
            raise ValidationError(
                "Không tìm thấy hồ sơ của bạn có mã này",
                {"dossier_code": OWN_DOSSIERS_ONLY},
            )
        return dossier.procedure_code, dossier, route_dossier(dossier)
    code = _text(data.procedure_code)
    procedure = get_registry().find_current(code) if code else None
    if procedure is None:
        raise ValidationError(
            "Chọn thủ tục hành chính mà phản ánh, kiến nghị đề cập",
            {"procedure_code": "Chọn một thủ tục đang có hiệu lực"},
        )
    chosen = None
    if _text(data.unit_code):
        chosen = find_unit_by_code(_text(data.unit_code))
        route = route_procedure(procedure, chosen)
        if chosen is None or route.unit.id != chosen.id:
            raise ValidationError(
                "Đơn vị đã chọn không giải quyết thủ tục này",
                {"unit_code": "Chọn một đơn vị trong danh sách, hoặc để trống"},
            )
        return procedure.code, None, route
    return procedure.code, None, route_procedure(procedure, None)


def _new_code() -> str:
    while True:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
        code = f"PAKN-{raw[:4]}-{raw[4:]}"
        if db.session.scalar(select(Petition.id).where(Petition.code == code)) is None:
            return code


def file_petition(user: Any, data: PetitionInput, *, now: datetime | None = None) -> Filed:
    """File a petition as `user` (a citizen, or an anonymous visitor: `AnonymousUserMixin` or None).

    403 for staff accounts; 422 naming each invalid field. The deadline is `deadline_days(kind)`
    working days from `now` on the working calendar (a petition filed outside working hours starts
    at the next working period)."""
    require_can_file(user)
    anonymous = not getattr(user, "is_authenticated", False)
    problems = _check_input(data, anonymous)
    if problems:
        raise ValidationError("Phản ánh, kiến nghị chưa hợp lệ", problems)
    procedure_code, dossier, route = _subject(user, data, anonymous)
    now = now or utcnow()
    days = deadline_days(data.kind)
    key = access.new_key() if anonymous else None
    petition = Petition(
        code=_new_code(),
        kind=data.kind,
        title=_text(data.title),
        content=_text(data.content),
        procedure_code=procedure_code,
        dossier_id=dossier.id if dossier else None,
        petitioner_id=None if anonymous else user.id,
        is_anonymous=anonymous,
        petitioner_name=(_text(data.name) or None) if anonymous else user.full_name,
        email=(_text(data.email) or None) if anonymous else user.email,
        phone=(re.sub(r"[\s.]", "", _text(data.phone)) or None) if anonymous else user.phone,
        access_key_hash=access.hash_key(key) if key else None,
        unit_id=route.unit.id,
        routed_by=route.routed_by,
        filed_at=now,
        deadline_days=days,
        due_at=get_calendar().due_at(now, "working_days", days),
        updated_at=now,
    )
    db.session.add(petition)
    db.session.flush()
    return Filed(petition, key)


# --- handling --------------------------------------------------------------------------------------


def _locked(petition: Petition) -> Petition:
    """The petition's row, locked until the end of the unit (two officers answering at once: the
    second one waits, then sees the first answer)."""
    db.session.refresh(petition, with_for_update=True)
    return petition


def forward_petition(petition: Petition, officer: User, unit_code: str, note: str = "") -> Petition:
    """Hand an unanswered petition to the unit competent for it; its deadline does not move."""
    petition = _locked(petition)
    require_handle(officer, petition)
    if petition.is_answered:
        raise ConflictError("Phản ánh, kiến nghị này đã được trả lời", code="already_answered")
    target = find_unit_by_code(_text(unit_code)) if _text(unit_code) else None
    if target is None or not target.is_active:
        raise ValidationError("Chọn đơn vị nhận", {"unit_code": "Chọn một đơn vị đang hoạt động"})
    if target.id == petition.unit_id:
        raise ValidationError("Chọn đơn vị khác", {"unit_code": "Phản ánh đang ở chính đơn vị này"})
    note = _text(note)
    if len(note) > NOTE_MAX:
        raise ValidationError("Ghi chú quá dài", {"note": f"Ghi chú tối đa {NOTE_MAX} ký tự"})
    petition.forwarded_from_id, petition.unit_id = petition.unit_id, target.id
    petition.routed_by, petition.forward_note = "forwarded", note or None
    db.session.flush()
    db.session.expire(petition, ["unit", "forwarded_from"])
    return petition


def answer_petition(
    petition: Petition,
    officer: User,
    answer: str,
    *,
    is_public: bool,
    public_summary: str | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Petition:
    """Answer once. A public answer is shown with `public_summary` (the question as the officer
    words it for publication, without the petitioner's personal data); a private one only to the
    petitioner. The petitioner is told by e-mail when they gave an address (outbox, after commit;
    `notify=False` for a history written after the fact, which tells nobody)."""
    petition = _locked(petition)
    require_handle(officer, petition)
    if petition.is_answered:
        raise ConflictError("Phản ánh, kiến nghị này đã được trả lời", code="already_answered")
    answer, summary = _text(answer), _text(public_summary)
    problems = {}
    problem = _length_problem(answer, ANSWER_RANGE, "Nội dung trả lời")
    if problem:
        problems["answer"] = problem
    if is_public:
        problem = _length_problem(summary, SUMMARY_RANGE, "Tóm tắt công khai")
        if problem:
            problems["public_summary"] = problem
    if problems:
        raise ValidationError("Câu trả lời chưa hợp lệ", problems)
    now = now or utcnow()
    if now < petition.filed_at:
        raise ValidationError("Thời điểm trả lời trước thời điểm tiếp nhận", {"answered_at": "Không hợp lệ"})
    petition.answer, petition.answered_at, petition.answered_by_id = answer, now, officer.id
    petition.is_public, petition.public_summary = bool(is_public), (summary if is_public else None)
    petition.public_search = " ".join(search_words(f"{summary} {answer}")) if is_public else None
    petition.outcome = get_calendar().outcome(now, petition.due_at)
    petition.updated_at = now
    db.session.flush()
    if notify:
        add_message(ANSWERED_TOPIC, {"petition_id": petition.id})
    return petition


# --- rating ----------------------------------------------------------------------------------------


def rating_editable(petition: Petition, now: datetime | None = None) -> bool:
    """Not rated yet, or first rated less than RATING_EDIT_WINDOW ago."""
    return petition.rated_at is None or (now or utcnow()) <= petition.rated_at + RATING_EDIT_WINDOW


def rate_petition(
    petition: Petition,
    user: Any,
    rating: Any,
    comment: str | None = None,
    *,
    granted: bool = False,
    now: datetime | None = None,
) -> Petition:
    """The petitioner rates the answer (1–5), and may change it within RATING_EDIT_WINDOW of the
    first rating. `granted`: this browser showed the follow-up key of an anonymous petition."""
    if not (is_petitioner(user, petition) or granted):
        raise PermissionDeniedError("Chỉ người gửi phản ánh, kiến nghị mới được đánh giá câu trả lời")
    if not can_rate(user, petition, granted):
        raise ConflictError("Phản ánh, kiến nghị chưa được trả lời", code="not_answered")
    now = now or utcnow()
    if not rating_editable(petition, now):
        raise ConflictError("Đã quá 7 ngày kể từ lần đánh giá đầu tiên", code="rating_locked")
    low, high = RATING_RANGE
    comment = _text(comment)
    problems = {}
    if isinstance(rating, bool) or not isinstance(rating, int) or not low <= rating <= high:
        problems["rating"] = f"Chọn mức hài lòng từ {low} đến {high}"
    if len(comment) > COMMENT_MAX:
        problems["comment"] = f"Góp ý tối đa {COMMENT_MAX} ký tự"
    if problems:
        raise ValidationError("Đánh giá chưa hợp lệ", problems)
    petition.rating, petition.rating_comment = rating, comment or None
    petition.rated_at = petition.rated_at or now
    petition.updated_at = now
    db.session.flush()
    return petition


# --- the demo history ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAnswer:
    officer: User
    at: datetime
    text: str
    is_public: bool = True
    public_summary: str | None = None
    rating: int | None = None


def record_demo_petition(
    petitioner: User | None, data: PetitionInput, filed_at: datetime, answer: DemoAnswer | None = None
) -> Petition:
    """For the demo seed: a petition filed at `filed_at` (by `petitioner`, or anonymously with a
    follow-up key nobody knows), and optionally answered and rated at the given times, through the
    same use cases as the pages, without e-mailing anyone. The answering officer must belong to the
    unit it is routed to (`route_for(...)` tells which); a public answer without `public_summary`
    publishes the title (at least 10 characters then). Flush only; the seed's unit of work commits."""
    if data.ticket:
        raise ValueError("the demo names dossiers by code (signed-in petitioners), not by ticket")
    filed = file_petition(petitioner, data, now=filed_at).petition
    if answer is None:
        return filed
    answer_petition(
        filed,
        answer.officer,
        answer.text,
        is_public=answer.is_public,
        public_summary=answer.public_summary or (filed.title if answer.is_public else None),
        now=answer.at,
        notify=False,
    )
    if answer.rating is not None and petitioner is not None:
        rate_petition(filed, petitioner, answer.rating, now=answer.at + timedelta(days=1))
    return filed


def route_for(petitioner: User | None, data: PetitionInput) -> Unit:
    """The unit a petition with `data` would be routed to now (nothing is written)."""
    anonymous = petitioner is None or not petitioner.is_authenticated
    return _subject(petitioner, replace(data, ticket=None), anonymous)[2].unit
