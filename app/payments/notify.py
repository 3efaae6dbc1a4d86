"""Telling the applicant about their financial obligations: one e-mail (every line with its amount,
legal basis, payee and due date) and one SMS, written in the notice's own unit of work and sent by
the notifications' job after commit. Texts render under an explicit Vietnamese locale, like every
notification (jobs and other requests have no locale of their own)."""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext

from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.notifications.messages import dossier_link, fit_sms
from app.notifications.models import Notification
from app.notifications.services import recipients, send_after_commit
from app.payments.models import Charge
from app.procedures import get_registry

KIND = "obligations"


def _context(dossier: Dossier, charges: list[Charge]) -> dict:
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    return {
        "dossier": dossier,
        "charges": charges,
        "total": sum(c.amount for c in charges),
        "notifying_unit": charges[0].unit.name,
        "procedure_name": procedure.name.vi,
        "link": dossier_link(dossier.code),
        "unit_name": lambda unit: unit.name if unit is not None else "",
    }


def _render(name: str, context: dict) -> str:
    return current_app.jinja_env.get_template(name).render(**context)


def tell_applicant(dossier: Dossier, charges: list[Charge], event: DossierEvent | None) -> list[Notification]:
    """Write (flush) the e-mail and SMS about `charges`, to the contacts the applicant gave; sent
    after commit. `event`: the notice's event, when the notice paused the dossier."""
    context = _context(dossier, charges)
    rows = []
    with force_locale("vi"):
        for channel, recipient in recipients(dossier):
            if channel == "email":
                subject = gettext("Hồ sơ %(code)s: thông báo thực hiện nghĩa vụ tài chính", code=dossier.code)
                body = _render(f"payments/email/{KIND}.txt", context).strip() + "\n"
            else:
                subject, body = None, fit_sms(_render(f"payments/sms/{KIND}.txt", context), context["link"])
            rows.append(
                Notification(
                    dossier_id=dossier.id,
                    event_id=event.id if event is not None else None,
                    kind=KIND,
                    channel=channel,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                )
            )
    db.session.add_all(rows)
    db.session.flush()
    send_after_commit(rows)
    return rows
