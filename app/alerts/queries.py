"""The late list: a unit's (or a supervisor's subtree's) open steps that are overdue or near due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.alerts.models import StepAlert
from app.auth.models import User
from app.auth.roles import SUBTREE_VIEWERS
from app.calendar.services import get_calendar
from app.core.db import utcnow
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.org.models import Unit
from app.org.queries import subtree_ids
from app.procedures import get_registry

LIST_LIMIT = 500


@dataclass(frozen=True)
class LateRow:
    code: str
    procedure: str
    unit: str
    step: str
    due_at: datetime
    minutes: int  # working minutes left (negative: late by)
    alerted: bool  # the unit's leader was notified for this kind


def scope_units(user: User) -> list[Unit]:
    """Units the user may list: their own; supervisors and admins: their subtree (all without a unit)."""
    if user.has_role(SUBTREE_VIEWERS):
        query = select(Unit).order_by(Unit.level, Unit.name)
        if user.unit_id is not None:
            query = query.where(Unit.id.in_(subtree_ids(user.unit_id)))
        return list(db.session.scalars(query))
    return [user.unit] if user.unit is not None else []


def late_lists(unit_ids: list[int], lang: str, now: datetime | None = None) -> dict[str, list[LateRow]]:
    """{"overdue": [...], "near_due": [...]} for open, running steps of these units, most urgent first."""
    now = now or utcnow()
    calendar, registry = get_calendar(), get_registry()
    result: dict[str, list[LateRow]] = {"overdue": [], "near_due": []}
    if not unit_ids:
        return result
    rows = db.session.execute(
        select(DossierStep, Dossier.code, Dossier.procedure_code, Dossier.procedure_version, Unit)
        .join(Dossier, Dossier.id == DossierStep.dossier_id)
        .join(Unit, Unit.id == DossierStep.unit_id)
        .where(
            DossierStep.unit_id.in_(unit_ids),
            DossierStep.finished_at.is_(None),
            DossierStep.paused_at.is_(None),
            Dossier.paused_at.is_(None),
        )
        .order_by(DossierStep.due_at)
        .limit(LIST_LIMIT * 4)
    ).all()
    alerted = _alerted({row[0].id for row in rows})
    for step, code, procedure_code, version, unit in rows:
        kind = "overdue" if now > step.due_at else None
        if kind is None and calendar.near_due(step.started_at, step.due_at, now):
            kind = "near_due"
        if kind is None or len(result[kind]) >= LIST_LIMIT:
            continue
        minutes = (
            -calendar.working_minutes_between(step.due_at, now)
            if kind == "overdue"
            else calendar.working_minutes_between(now, step.due_at)
        )
        procedure = registry.get(procedure_code, version).name.get(lang)
        unit_name = (unit.name_en or unit.name) if lang == "en" else unit.name
        row = LateRow(code, procedure, unit_name, step.name, step.due_at, minutes, (step.id, kind) in alerted)
        result[kind].append(row)
    return result


def _alerted(step_ids: set[int]) -> set[tuple[int, str]]:
    if not step_ids:
        return set()
    rows = db.session.execute(
        select(StepAlert.step_id, StepAlert.kind).where(
            StepAlert.step_id.in_(step_ids), StepAlert.notified_at.is_not(None)
        )
    )
    return {(step_id, kind) for step_id, kind in rows}
