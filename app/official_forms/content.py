"""What each form says, from the event that issues it: the facts of the event's snapshot (the
reception, due and appointment instants, who acted and for which unit, as they were then) and the
documents as they stood at that event.

The content is plain JSON with every value already in its printed form (Vietnamese, times as
hh:mm dd/mm/yyyy in Asia/Ho_Chi_Minh), so the render job needs no database and a retry prints the
same facts even if the dossier has moved on meanwhile (a later extension, a resumed clock). The
content of a form-set key is the same in every set; each set's template prints what its form asks.

The place of the date line ("Cần Đăng, ngày ...") is the issuing unit's place: its `place_name`
when units carry one, else read from its name or the nearest ancestor's ("UBND xã Cần Đăng" ->
"Cần Đăng", a department -> its province). The number of sets received on Mẫu 01 is the procedure's
`sets` (paper sets asked for at the counter or by post); an online dossier is one electronic set.
The processing time printed is the one of the competent unit's area (an island commune's own).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import current_app

from app.core.numbers import format_number
from app.core.time import parse_instant, to_local
from app.core.web import local_time
from app.dossiers.models import Dossier, DossierEvent
from app.dossiers.snapshots import documents_as_of
from app.official_forms.control import control_content
from app.official_forms.queries import book_entry_number
from app.org.models import Unit
from app.payments.queries import fee_lines_of
from app.procedures import get_registry
from app.procedures.definitions import ONLINE_CHANNELS, Deadline, Procedure
from app.procedures.vocabulary import (
    APOLOGY,
    CONTROL_SHEET,
    RECEIPT,
    REFUSAL,
    STOP_NOTICE,
    SUPPLEMENT_REQUEST,
)
from app.workflow.actions import deciding_area

Content = dict[str, Any]

ORIGINAL_COPIES = {"original": "Bản chính", "copy": "Bản sao", "certified_copy": "Bản sao có chứng thực"}
SETS_RECEIVED = 1  # an online dossier: one electronic set, printed "01 (bộ)" on Mẫu 01
# The kinds of administrative area a unit's name places it in, longest first ("thị xã" before "xã").
_AREA_WORD = re.compile(
    r"(?<!\w)(?:thị trấn|thị xã|thành phố|đặc khu|phường|xã|quận|huyện|tỉnh)(?=\s)", re.IGNORECASE
)


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


def area_name(name: str) -> str | None:
    """The place a unit's name names: the words after its first kind of area ("UBND xã Cần Đăng"
    -> "Cần Đăng", "Chi nhánh VP Đăng ký đất đai huyện Châu Thành" -> "Châu Thành"), up to the
    first word that is not a name; None when it names none ("Sở Tư pháp", "... công tỉnh") or
    only a number ("Phường 1": the place is the town's)."""
    for found in _AREA_WORD.finditer(name):
        words = []
        for word in name[found.end() :].split():
            if not (word[:1].isupper() or word.isdigit()):
                break
            words.append(word)
        if words and not all(w.isdigit() for w in words):
            return " ".join(words).rstrip(",;.")
    return None


def place_name(unit: Unit | None) -> str | None:
    """Where the unit's documents are dated: its own place name if it has one, else the area its
    name or the nearest ancestor's names."""
    while unit is not None:
        place = getattr(unit, "place_name", None) or area_name(unit.name)
        if place:
            return place
        unit = unit.parent
    return None


def unit_content(unit: Unit | None, name: str | None = None) -> Content:
    """The issuing unit as printed in a form's header (name, parent, address, phone) and the place
    of its date line; `name`: the unit's name as it was at the event."""
    if unit is None:
        return {"name": name or "", "parent_name": None, "address": None, "phone": None, "place": None}
    parent = unit.parent
    return {
        "name": name or unit.name,
        "parent_name": parent.name if parent is not None else None,
        "address": unit.address,
        "phone": unit.phone,
        "place": place_name(unit),
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
        "processing_time": processing_time_words(procedure.deadline.for_area(deciding_area(dossier))),
        "received_at": local_time(as_of.instant("received_at") or event.created_at),
        "appointment_at": local_time(as_of.instant("appointment_at")),
        "collect_at": ", ".join(p for p in (receiving.name, receiving.address) if p),
        "is_online": dossier.channel in ONLINE_CHANNELS,
        "sets": SETS_RECEIVED if dossier.channel in ONLINE_CHANNELS else procedure.sets,
        "book_entry": str(book_entry_number(dossier) or ""),
        **_fees(dossier),
    }


def _fees(dossier: Dossier) -> Content:
    """The fee lines fixed when the dossier was received (app.payments.fees), printed in đồng."""
    fixed = fee_lines_of(dossier.id)
    lines = [{"name": line.name, "amount": _vnd(line.amount), "basis": line.basis or ""} for line in fixed]
    return {"fees": lines, "fees_total": _vnd(sum(line.amount for line in fixed))}


def _vnd(amount: int) -> str:
    return format_number(amount, 0, "vi") + " đồng"


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


def _stop_notice(dossier: Dossier, event: DossierEvent, procedure: Procedure) -> Content:
    """Mẫu 05 of the 2025 set: the unit that stops the processing tells the applicant why."""
    received = event.as_of.instant("received_at")
    unit = event.actor_unit
    return {
        "receiving_unit_name": dossier.receiving_unit.name,
        "received_on": local_time(received, "%d/%m/%Y") if received else "",
        "reason": event.comment or "",
        "contact_phone": unit.phone if unit is not None else None,
    }


BUILDERS: dict[str, Callable[[Dossier, DossierEvent, Procedure], Content]] = {
    RECEIPT: _receipt,
    SUPPLEMENT_REQUEST: _supplement,
    REFUSAL: _refusal,
    APOLOGY: _apology,
    STOP_NOTICE: _stop_notice,
}


def _control(dossier: Dossier, procedure: Procedure, as_of: datetime) -> Content:
    """The control sheet is issued in the name of the receiving unit (its one-stop section keeps the
    sheet with the dossier), dated when it is read."""
    return {
        "unit": unit_content(dossier.receiving_unit),
        "issued_on": date_words(as_of),
        "issued_at": local_time(as_of),
        "processing_time": processing_time_words(procedure.deadline.for_area(deciding_area(dossier))),
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
