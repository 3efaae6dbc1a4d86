"""What each form says: a snapshot of the dossier and the event, taken when the transition is handled.

The snapshot is plain JSON with every value already in its printed form (Vietnamese, times as
hh:mm dd/mm/yyyy in Asia/Ho_Chi_Minh), so the render job needs no database and a retry prints the
same facts even if the dossier has moved on meanwhile (a later extension, a resumed clock).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import current_app

from app.core.time import parse_instant, to_local
from app.core.web import local_time
from app.dossiers.models import Dossier, DossierEvent
from app.official_forms.catalog import CONTROL_FORM
from app.official_forms.control import control_content
from app.org.models import Unit
from app.procedures import get_registry
from app.procedures.definitions import Deadline, Procedure

Content = dict[str, Any]

ORIGINAL_COPIES = {"original": "Bản chính", "copy": "Bản sao", "certified_copy": "Bản sao có chứng thực"}


def tracking_url(code: str) -> str:
    """The public tracking page the QR code points to."""
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/track?code={quote(code, safe='')}"


def date_words(value: datetime) -> str:
    """'ngày 05 tháng 03 năm 2026': days 1-9 and months 1-2 take a leading zero (Decree 30/2020)."""
    local = to_local(value)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def processing_time_words(deadline: Deadline) -> str:
    if deadline.kind == "same_day":
        return "trong ngày"
    unit = "giờ làm việc" if deadline.kind == "working_hours" else "ngày làm việc"
    return f"{deadline.amount} {unit}"


def unit_content(unit: Unit | None) -> Content:
    """The issuing unit as printed in a form's header (name, parent, address, phone)."""
    if unit is None:
        return {"name": "", "parent_name": None, "address": None, "phone": None}
    parent = unit.parent
    return {
        "name": unit.name,
        "parent_name": parent.name if parent is not None else None,
        "address": unit.address,
        "phone": unit.phone,
    }


def _documents(dossier: Dossier, procedure: Procedure) -> list[Content]:
    """Documents received, in the procedure's order: name, original/copy, number of files."""
    counts = Counter(d.doc_key for d in dossier.documents if d.is_current and not d.is_result)
    return [
        {
            "name": spec.name.vi,
            "form": ORIGINAL_COPIES.get(spec.original_copies, spec.original_copies),
            "count": counts[spec.key],
        }
        for spec in procedure.documents
        if counts[spec.key]
    ]


def _receipt(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    receiving = dossier.receiving_unit
    return {
        "unit": unit_content(receiving),
        "documents": _documents(dossier, procedure),
        "processing_time": processing_time_words(procedure.deadline),
        "received_at": local_time(dossier.received_at or event.created_at),
        "appointment_at": local_time(dossier.appointment_at),
        "collect_at": ", ".join(p for p in (receiving.name, receiving.address) if p),
        "is_online": dossier.channel == "online",
    }


def _supplement(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    unit = event.actor_unit
    officer = event.actor
    return {
        "items": [str(item).strip() for item in (event.payload or {}).get("items", []) if str(item).strip()],
        "reason": event.comment or "",
        "contact_phone": (unit.phone if unit is not None else None) or (officer.phone if officer else None),
        "is_during_processing": dossier.received_at is not None,
    }


def _refusal(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    return {"reason": event.comment or ""}


def _apology(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    requested = (event.payload or {}).get("new_appointment_at")
    new_at = parse_instant(requested) if requested else dossier.appointment_at
    return {
        "receiving_unit_name": dossier.receiving_unit.name,
        "received_on": local_time(dossier.received_at, "%d/%m/%Y") if dossier.received_at else "",
        "original_appointment": local_time(dossier.due_at),
        "reason": event.comment or dossier.extension_reason or "",
        "new_appointment": local_time(new_at),
    }


BUILDERS: dict[str, Callable[[Dossier, DossierEvent, Procedure], Content]] = {
    "mau_01": _receipt,
    "mau_02": _supplement,
    "mau_03": _refusal,
    "mau_04": _apology,
}


def _control(dossier: Dossier, procedure: Procedure, as_of: datetime) -> Content:
    """Mẫu 05 is issued in the name of the receiving unit (its one-stop section keeps the sheet with
    the dossier), dated when the snapshot is taken."""
    return {
        "unit": unit_content(dossier.receiving_unit),
        "issued_on": date_words(as_of),
        "issued_at": local_time(as_of),
        "processing_time": processing_time_words(procedure.deadline),
        **control_content(dossier, as_of),
    }


def build_content(form: str, dossier: Dossier, event: DossierEvent, as_of: datetime | None = None) -> Content:
    """Everything the template of ``form`` prints. The issuing unit is the unit that acted (Mẫu 05:
    the receiving unit). ``as_of`` (Mẫu 05 only) is when the snapshot is taken: the event by default."""
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    content: Content = {
        "code": dossier.code,
        "tracking_url": tracking_url(dossier.code),
        "unit": unit_content(event.actor_unit or dossier.current_unit),
        "issued_on": date_words(event.created_at),
        "issued_at": local_time(event.created_at),
        "officer": event.actor.full_name if event.actor is not None else "",
        "applicant": {
            "name": dossier.applicant_name,
            "address": dossier.applicant_address or "",
            "phone": dossier.applicant_phone or "",
            "email": dossier.applicant_email or "",
        },
        "procedure": {"code": procedure.code, "name": procedure.name.vi},
    }
    if form == CONTROL_FORM:
        content.update(_control(dossier, procedure, as_of or event.created_at))
    else:
        content.update(BUILDERS[form](dossier, event, procedure))
    return content
