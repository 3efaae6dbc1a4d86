"""Who sees the indicators: supervisors, leaders and administrators; each of a unit, the units
below it and the old units whose work it took (their figures restated under it), administrators
every unit."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import OVERSEERS, Role
from app.org.models import Unit

INDICATOR_ROLES = tuple(r for r in Role if r in OVERSEERS)


def can_see_indicators(user: User) -> bool:
    return user.is_authenticated and user.has_role(OVERSEERS)


def can_see_unit(user: User, unit: Unit) -> bool:
    if user.is_admin:
        return True
    if user.unit_id is None:
        return False
    from app.core.db import utcnow
    from app.core.time import to_local
    from app.indicators.attribution import UnitTree

    return unit.id in UnitTree.load(to_local(utcnow()).date()).visible_to(user.unit_id)
