"""Which unit answers a petition.

- About a dossier: the unit holding the dossier now (its current unit; after completion, the unit
  that finished it), else its receiving unit.
- About a procedure: the unit the petitioner chose among the units that receive it (the places its
  page lists for submission), else the only such unit.
- Anything else (several units and none chosen, a unit that no longer works): the provincial Public
  Administration Service Centre, whose officers forward it to the competent unit. That centre is
  PETITION_FALLBACK_UNIT (an agency code) when set, else the one-stop unit at the top level, else
  the root of the unit tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select

from app.core.db import utcnow
from app.core.errors import ServiceUnavailableError
from app.core.time import to_local
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit
from app.org.queries import existing_on, find_unit_by_code, list_units_matching
from app.portal.queries import receiving_units
from app.procedures.definitions import Procedure

ONE_STOP_KIND = "one_stop"


@dataclass(frozen=True)
class Route:
    unit: Unit
    routed_by: str  # one of app.petitions.models.ROUTES


def _today() -> date:
    return to_local(utcnow()).date()


def _working(unit: Unit | None) -> bool:
    return unit is not None and unit.is_active and unit.exists_on(_today())


def candidate_units(procedure: Procedure) -> list[Unit]:
    """The active units that receive `procedure` today, by code: the "where to submit" list of its
    page, and those a petitioner may choose from."""
    return [unit for unit in receiving_units(procedure) if unit.is_active]


def fallback_unit() -> Unit:
    configured = current_app.config.get("PETITION_FALLBACK_UNIT") or ""
    unit = find_unit_by_code(configured) if configured else None
    if _working(unit):
        return unit
    top = current_app.config["ORG_LEVELS"][0]
    centres = list_units_matching(ONE_STOP_KIND, top, None, on=_today())  # today's, not an ended one
    if centres:
        return centres[0]
    root = db.session.scalar(
        select(Unit)
        .where(Unit.parent_id.is_(None), Unit.is_active.is_(True), *existing_on(_today()))
        .order_by(Unit.id)
        .limit(1)
    )
    if root is None:
        raise ServiceUnavailableError("Chưa có đơn vị nào tiếp nhận phản ánh, kiến nghị")
    return root


def route_dossier(dossier: Dossier) -> Route:
    for unit in (dossier.current_unit, dossier.receiving_unit):
        if _working(unit):
            return Route(unit, "dossier_unit")
    return Route(fallback_unit(), "fallback")


def route_procedure(procedure: Procedure, chosen: Unit | None) -> Route:
    """`chosen` counts only when it is one of the units that receive the procedure."""
    candidates = candidate_units(procedure)
    if chosen is not None and any(u.id == chosen.id for u in candidates):
        return Route(chosen, "chosen_unit")
    if len(candidates) == 1:
        return Route(candidates[0], "procedure_unit")
    return Route(fallback_unit(), "fallback")
