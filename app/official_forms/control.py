"""The control slip, Phiếu kiểm soát quá trình giải quyết hồ sơ (form-set key ``control_sheet``: Mẫu 05
of the 2018 set, Mẫu 06 of the 2025 set): one row per hand-off (docs/domain.md, Official forms).

Each row is a leg of the processing (a DossierStep): who handed the dossier over, to which unit, when,
who received it there, the leg's own due time and its result (trước hạn / đúng hạn / quá hạn), so
the late unit of a liên thông process is visible. The first leg is the receipt from the applicant;
once the result is returned, a last row records the hand-over to the applicant.

The slip names the lead agency (cơ quan chủ trì giải quyết, ``lead_unit``) and the others that
took part. The content is read "as of" an instant: the time of the event that re-issued the form,
or the time a staff member asked for it. An open leg past its due time at that instant reads
"quá hạn". People are named as they were when they acted (the events' snapshots).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.core.web import local_time
from app.dossiers.models import Dossier, DossierEvent, DossierStep
from app.org.models import Unit

Content = dict[str, Any]

OUTCOME_WORDS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
APPLICANT_SIDE = "Tổ chức, cá nhân"


def lead_unit(dossier: Dossier) -> Unit:
    """The lead agency (cơ quan chủ trì giải quyết): the dossier's competent unit when it has one;
    otherwise the unit of the latest step outside the receiving unit (the one that decides, in a
    liên thông process: the receipt and the return are the one-stop section's), or the receiving
    unit when it handles every step itself. The tracking book prints the same unit."""
    competent = getattr(dossier, "competent_unit", None)
    if competent is not None:
        return competent
    outside = [s for s in dossier.steps if s.unit_id != dossier.receiving_unit_id]
    return outside[-1].unit if outside else dossier.receiving_unit


def leg_result(step: DossierStep, as_of: datetime) -> tuple[str, str]:
    """(printed result, its kind for styling): the measured outcome of a finished leg, or where an
    open leg stands at ``as_of``."""
    if step.outcome in OUTCOME_WORDS:
        return OUTCOME_WORDS[step.outcome], step.outcome
    if step.finished_at is not None:
        return "Đã dừng, không xét hạn", "stopped"
    if step.paused_at is not None:
        return "Đang tạm dừng (chờ tổ chức, cá nhân)", "paused"
    if as_of > step.due_at:
        return "Đang xử lý, đã quá hạn", "late"
    return "Đang xử lý", "open"


def _acted_by(events: list[DossierEvent]) -> dict[int, tuple[int | None, str]]:
    """Per event id: (actor id, actor's name as it was then)."""
    found = {}
    for event in events:
        actor = event.as_of.actor
        found[event.id] = (event.actor_id, actor.name if actor else "")
    return found


def _opening_event(step: DossierStep, events: list[DossierEvent]) -> DossierEvent | None:
    """The event that opened the step (the first one whose snapshot shows it open)."""
    for event in events:
        opened = event.as_of.step
        if opened is not None and opened.seq == step.seq:
            return event
    return None


def _first_actor_at(
    step: DossierStep, events: list[DossierEvent], giver_id: int | None
) -> DossierEvent | None:
    """Who received the dossier at the step's unit: the first one there to act on it after the hand-off."""
    for event in events:
        if (
            event.actor_unit_id == step.unit_id
            and event.created_at >= step.started_at
            and event.actor_id != giver_id
        ):
            return event
    return None


def _leg(
    no: int, step: DossierStep, giver: str, giver_name: str, receiver_name: str, as_of: datetime
) -> Content:
    result, kind = leg_result(step, as_of)
    return {
        "no": no,
        "name": step.name,
        "giver_unit": giver,
        "receiver_unit": step.unit.name,
        "handed_at": local_time(step.started_at),
        "giver": giver_name,
        "receiver": receiver_name,
        "due_at": local_time(step.due_at),
        "finished_at": local_time(step.finished_at),
        "result": result,
        "result_kind": kind,
    }


def _legs(dossier: Dossier, as_of: datetime) -> list[Content]:
    events = sorted(dossier.events, key=lambda e: (e.created_at, e.id))
    names = _acted_by(events)
    legs: list[Content] = []
    previous: DossierStep | None = None
    for step in dossier.steps:
        opening = _opening_event(step, events)
        giver_id, giver = names[opening.id] if opening is not None else (step.given_by_id, "")
        if previous is None:  # the receipt: the applicant hands over, the reception officer receives
            legs.append(_leg(1, step, APPLICANT_SIDE, dossier.applicant_name, giver, as_of))
        else:
            received = _first_actor_at(step, events, giver_id)
            receiver = names[received.id][1] if received is not None else ""
            legs.append(_leg(len(legs) + 1, step, previous.unit.name, giver, receiver, as_of))
        previous = step
    if dossier.returned_at is not None:
        legs.append(_return_leg(dossier, names, events, len(legs) + 1))
    return legs


def _return_leg(
    dossier: Dossier, names: dict[int, tuple[int | None, str]], events: list[DossierEvent], no: int
) -> Content:
    """The result handed to the applicant; its result is the dossier's (measured at completion)."""
    returned_by = next((e for e in events if e.created_at == dossier.returned_at), None)
    return {
        "no": no,
        "name": "Trả kết quả cho tổ chức, cá nhân",
        "giver_unit": dossier.receiving_unit.name,
        "receiver_unit": APPLICANT_SIDE,
        "handed_at": local_time(dossier.returned_at),
        "giver": names[returned_by.id][1] if returned_by is not None else "",
        "receiver": dossier.applicant_name,
        "due_at": local_time(dossier.appointment_at),
        "finished_at": local_time(dossier.returned_at),
        "result": OUTCOME_WORDS.get(dossier.outcome or "", ""),
        "result_kind": dossier.outcome or "",
    }


def control_content(dossier: Dossier, as_of: datetime) -> Content:
    """What the control slip prints beyond the common header (code, applicant, procedure, issuing
    unit): the lead agency, the other units that took part (liên thông), the legs."""
    lead = lead_unit(dossier)
    others = [s.unit.name for s in dossier.steps if s.unit_id not in (dossier.receiving_unit_id, lead.id)]
    return {
        "received_at": local_time(dossier.received_at),
        "appointment_at": local_time(dossier.appointment_at),
        "lead_unit": lead.name,
        "units_involved": list(dict.fromkeys(others)),
        "legs": _legs(dossier, as_of),
        "overall": OUTCOME_WORDS.get(dossier.outcome or "", ""),
        "completed_at": local_time(dossier.completed_at),
    }


def same_facts(old: Content, new: Content) -> bool:
    """True when two snapshots print the same legs and results (the issue time aside)."""
    ignored = {"issued_on", "issued_at"}
    return {k: v for k, v in old.items() if k not in ignored} == {
        k: v for k, v in new.items() if k not in ignored
    }
