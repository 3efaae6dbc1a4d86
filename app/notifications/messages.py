"""What applicants are told, per kind of notification (a transition declares the one it sends):
subjects here, bodies in app/templates/notifications/.

Texts are Vietnamese (message ids are the Vietnamese texts); they render under an explicit locale
because jobs run outside any request. E-mails are full letters (items, reason, officer, link);
an SMS is one short line, at most `SMS_MAX_CHARS` characters, with the link when it fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext

from app.core.time import parse_instant
from app.dossiers.models import Dossier, DossierDocument, DossierEvent
from app.extensions import db
from app.org.models import Unit
from app.procedures import get_registry

SMS_MAX_CHARS = 160
SMS_MIN_TEXT = 60  # below this, the link is dropped rather than squeeze the message
DEFAULT_LOCALE = "vi"


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str


def dossier_link(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/my/dossiers/{code}"


def _subject(kind: str, code: str) -> str:
    subjects = {
        "accepted": gettext("Hồ sơ %(code)s đã được tiếp nhận", code=code),
        "incomplete": gettext("Hồ sơ %(code)s cần bổ sung, hoàn thiện", code=code),
        "supplement_requested": gettext("Hồ sơ %(code)s cần bổ sung, hoàn thiện", code=code),
        "refused": gettext("Hồ sơ %(code)s không được tiếp nhận", code=code),
        "rejected": gettext("Hồ sơ %(code)s không được giải quyết", code=code),
        "extended": gettext("Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ %(code)s", code=code),
        "result_ready": gettext("Hồ sơ %(code)s đã có kết quả", code=code),
    }
    return subjects[kind]


def _context(kind: str, dossier: Dossier, event: DossierEvent, locale: str) -> dict[str, Any]:
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    payload = event.payload or {}
    raw_appointment = payload.get("new_appointment_at")

    def unit_name(unit: Unit | None) -> str:
        if unit is None:
            return ""
        return (unit.name_en or unit.name) if locale == "en" else unit.name

    actor = event.as_of.actor  # as named when they acted
    return {
        "kind": kind,
        "dossier": dossier,
        "event": event,
        "procedure_name": getattr(procedure.name, locale, procedure.name.vi),
        "link": dossier_link(dossier.code),
        "items": [str(item).strip() for item in payload.get("items") or []],
        "reason": (event.comment or "").strip(),
        "officer": event.actor,  # for today's contact phone
        "officer_unit": event.actor_unit,
        "officer_name": actor.name if actor else "",
        "officer_unit_name": actor.unit.label(locale) if actor and actor.unit else "",
        "new_appointment_at": parse_instant(raw_appointment) if raw_appointment else dossier.appointment_at,
        "has_electronic_result": _has_result_document(dossier.id),
        "unit_name": unit_name,
    }


def _has_result_document(dossier_id: int) -> bool:
    query = db.select(DossierDocument.id).where(
        DossierDocument.dossier_id == dossier_id, DossierDocument.is_result.is_(True)
    )
    return db.session.scalar(query.limit(1)) is not None


def render_email(kind: str, dossier: Dossier, event: DossierEvent, locale: str = DEFAULT_LOCALE) -> Rendered:
    with force_locale(locale):
        context = _context(kind, dossier, event, locale)
        body = _render(f"notifications/email/{kind}.txt", context)
        return Rendered(subject=_subject(kind, dossier.code), body=body.strip() + "\n")


def render_sms(kind: str, dossier: Dossier, event: DossierEvent, locale: str = DEFAULT_LOCALE) -> str:
    with force_locale(locale):
        context = _context(kind, dossier, event, locale)
        text = _render(f"notifications/sms/{kind}.txt", context)
    return fit_sms(text, context["link"])


def _render(name: str, context: dict[str, Any]) -> str:
    """Straight from the Jinja environment: page context processors (navigation, signed-in user)
    need a request, and jobs have none. Filters and `_` are the environment's, as on pages."""
    return current_app.jinja_env.get_template(name).render(**context)


def fit_sms(text: str, link: str) -> str:
    """One line of at most SMS_MAX_CHARS: the text (shortened with "…" if need be), then the link."""
    text = " ".join(text.split())
    room = SMS_MAX_CHARS - len(link) - 1
    if room >= SMS_MIN_TEXT:
        return f"{_shorten(text, room)} {link}"
    return _shorten(text, SMS_MAX_CHARS)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
