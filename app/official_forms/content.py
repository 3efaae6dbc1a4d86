"""What each form says, from the event that issues it: the facts of the event's snapshot (the
reception, due and appointment instants, who acted and for which unit, as they were then) and the
documents as they stood at that event.

The content is plain JSON with every value already in its printed form (Vietnamese, times as
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
from app.dossiers.snapshots import documents_as_of
from app.official_forms.control import control_content
from app.org.models import Unit
from app.procedures import get_registry
from app.procedures.definitions import Deadline, Procedure
from app.procedures.vocabulary import APOLOGY, CONTROL_SHEET, RECEIPT, REFUSAL, SUPPLEMENT_REQUEST

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


def unit_content(unit: Unit | None, name: str | None = None) -> Content:
    """The issuing unit as printed in a form's header (name, parent, address, phone); `name`: the
    unit's name as it was at the event."""
    if unit is None:
        return {"name": name or "", "parent_name": None, "address": None, "phone": None}
    parent = unit.parent
    return {
        "name": name or unit.name,
        "parent_name": parent.name if parent is not None else None,
        "address": unit.address,
        "phone": unit.phone,
    }


def _documents(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> list[Content]:
    """Documents received by the event, in the procedure's order: name, original/copy, number of files."""
    inputs, _ = documents_as_of(dossier.documents, event)
    counts = Counter(d.doc_key for d in inputs)
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
    receiving, as_of = dossier.receiving_unit, event.as_of
    return {
        "unit": unit_content(receiving),
        "documents": _documents(dossier, event, procedure),
        "processing_time": processing_time_words(procedure.deadline),
        "received_at": local_time(as_of.instant("received_at") or event.created_at),
        "appointment_at": local_time(as_of.instant("appointment_at")),
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
        "is_during_processing": event.as_of.instant("received_at") is not None,
    }


def _refusal(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    return {"reason": event.comment or ""}


def _apology(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    as_of = event.as_of
    requested = (event.payload or {}).get("new_appointment_at")
    new_at = parse_instant(requested) if requested else as_of.instant("appointment_at")
    received = as_of.instant("received_at")
    return {
        "receiving_unit_name": dossier.receiving_unit.name,
        "received_on": local_time(received, "%d/%m/%Y") if received else "",
        "original_appointment": local_time(as_of.instant("due_at")),
        "reason": event.comment or dossier.extension_reason or "",
        "new_appointment": local_time(new_at),
    }


BUILDERS: dict[str, Callable[[Dossier, DossierEvent, Procedure], Content]] = {
    RECEIPT: _receipt,
    SUPPLEMENT_REQUEST: _supplement,
    REFUSAL: _refusal,
    APOLOGY: _apology,
}


def _control(dossier: Dossier, procedure: Procedure, as_of: datetime) -> Content:
    """The control sheet is issued in the name of the receiving unit (its one-stop section keeps the
    sheet with the dossier), dated when it is read."""
    return {
        "unit": unit_content(dossier.receiving_unit),
        "issued_on": date_words(as_of),
        "issued_at": local_time(as_of),
        "processing_time": processing_time_words(procedure.deadline),
        **control_content(dossier, as_of),
    }


def build_content(form: str, dossier: Dossier, event: DossierEvent, as_of: datetime | None = None) -> Content:
    """Everything the template of the form `form` (a form-set key) prints. The issuing unit is the
    unit that acted (the control sheet: the receiving unit). ``as_of`` (control sheet only) is when
    its legs are read: the event by default."""
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    actor = event.as_of.actor
    acting_unit = event.actor_unit or dossier.current_unit
    content: Content = {
        "code": dossier.code,
        "tracking_url": tracking_url(dossier.code),
        "unit": unit_content(acting_unit, actor.unit.name if actor and actor.unit else None),
        "issued_on": date_words(event.created_at),
        "issued_at": local_time(event.created_at),
        "officer": actor.name if actor else "",
        "applicant": {
            "name": dossier.applicant_name,
            "address": dossier.applicant_address or "",
            "phone": dossier.applicant_phone or "",
            "email": dossier.applicant_email or "",
        },
        "procedure": {"code": procedure.code, "name": procedure.name.vi},
    }
    if form == CONTROL_SHEET:
        content.update(_control(dossier, procedure, as_of or event.created_at))
    else:
        content.update(BUILDERS[form](dossier, event, procedure))
    return content
