"""Who sees the indicators: supervisors, leaders and administrators; each of a unit and the units
below it (administrators: every unit)."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import OVERSEERS, Role
from app.org.models import Unit
from app.org.queries import subtree_ids

INDICATOR_ROLES = tuple(r for r in Role if r in OVERSEERS)


def can_see_indicators(user: User) -> bool:
    return user.is_authenticated and user.has_role(OVERSEERS)


def can_see_unit(user: User, unit: Unit) -> bool:
    if user.is_admin:
        return True
    return user.unit_id is not None and unit.id in subtree_ids(user.unit_id)
