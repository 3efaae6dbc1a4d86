"""Words and choices for the petition pages: the subject a form is about, the procedure and unit
choices, unit names in the page's language, status and time left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, g, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from app.calendar.services import get_display_calendar
from app.core.db import utcnow
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit
from app.petitions import access
from app.petitions.forms import SHORT_KIND_LABELS, PetitionForm
from app.petitions.models import Petition
from app.petitions.routing import candidate_units
from app.procedures import get_registry

ROUTE_LABELS = {
    "dossier_unit": _l("đơn vị đang giải quyết hồ sơ"),
    "chosen_unit": _l("đơn vị người gửi chọn"),
    "procedure_unit": _l("đơn vị giải quyết thủ tục"),
    "fallback": _l("Trung tâm Phục vụ hành chính công tỉnh (chưa xác định được đơn vị)"),
    "forwarded": _l("được chuyển đến"),
}


def lang() -> str:
    return g.get("lang", "vi")


def unit_label(unit: Unit | None) -> str:
    if unit is None:
        return ""
    return unit.name_en if lang() == "en" and unit.name_en else unit.name


def procedure_name(code: str) -> str:
    procedure = get_registry().find_current(code)
    if procedure is None:
        versions = [p for p in get_registry().all() if p.code == code]
        procedure = versions[-1] if versions else None
    return procedure.name.get(lang()) if procedure else code


@dataclass(frozen=True)
class Subject:
    """What a filing form is about: a dossier (fixed), or a procedure to pick."""

    dossier: Dossier | None = None


def subject_of(dossier_code: str | None, ticket: str | None, user: Any) -> Subject:
    """The dossier the form names, as far as the page shows it: by ticket (anyone who came from the
    tracking page) or the signed-in citizen's own dossier. The service checks both again."""
    if ticket:
        dossier_id = access.read_ticket(ticket)
        return Subject(db.session.get(Dossier, dossier_id) if dossier_id is not None else None)
    if dossier_code and getattr(user, "is_authenticated", False):
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == dossier_code))
        return Subject(dossier if dossier is not None and dossier.applicant_id == user.id else None)
    return Subject()


def fill_choices(form: PetitionForm, subject: Subject) -> None:
    procedures = get_registry().list_current()
    form.procedure_code.choices = [("", _("— Chọn thủ tục —"))] + [
        (p.code, f"{p.name.get(lang())} ({p.code})") for p in procedures
    ]
    chosen = get_registry().find_current(form.procedure_code.data or "") if subject.dossier is None else None
    units = candidate_units(chosen) if chosen is not None else []
    form.unit_code.choices = [("", _("— Không rõ, để hệ thống chuyển —"))] + [
        (u.code, unit_label(u)) for u in units
    ]


def input_fields(form: PetitionForm) -> dict[str, Any]:
    return {
        "kind": form.kind.data,
        "title": form.title.data,
        "content": form.content.data,
        "procedure_code": form.procedure_code.data or None,
        "dossier_code": form.dossier_code.data or None,
        "ticket": form.ticket.data or None,
        "unit_code": form.unit_code.data or None,
        "name": form.name.data,
        "email": form.email.data,
        "phone": form.phone.data,
    }


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, get_display_calendar().minutes_per_day or 480)
    hours = rest // 60
    parts = [ngettext("%(num)d ngày làm việc", "%(num)d ngày làm việc", days)] if days else []
    parts += [ngettext("%(num)d giờ", "%(num)d giờ", hours)] if hours else []
    return " ".join(parts) or _("dưới 1 giờ")


def deadline_badge(petition: Petition, now: datetime | None = None) -> tuple[str, str]:
    """(css modifier, words) of a petition against its deadline."""
    now = now or utcnow()
    if petition.is_answered:
        if petition.is_on_time:
            return "ok", _("Đã trả lời đúng hạn")
        return "bad", _("Đã trả lời quá hạn")
    calendar = get_display_calendar()
    if now > petition.due_at:
        return "bad", _(
            "Quá hạn %(span)s", span=_span(calendar.working_minutes_between(petition.due_at, now))
        )
    left = calendar.working_minutes_between(now, petition.due_at)
    css = "warn" if left < calendar.minutes_per_day else "ok"
    return css, _("Còn %(span)s", span=_span(left))


def kind_label(kind: str) -> str:
    return str(SHORT_KIND_LABELS.get(kind, kind))


def init_app(app: Flask) -> None:
    """Template helpers; `petition_link_for_tracked(dossier)` is used by the public tracking page."""

    def petition_link_for_tracked(dossier: Dossier) -> str:
        return url_for("petitions.new", ticket=access.dossier_ticket(dossier.id))

    app.jinja_env.globals.update(
        petition_link_for_tracked=petition_link_for_tracked,
        petition_unit=unit_label,
        petition_procedure=procedure_name,
        petition_badge=deadline_badge,
        petition_kind=kind_label,
        petition_route=lambda key: str(ROUTE_LABELS.get(key, key)),
    )
