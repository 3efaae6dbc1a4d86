"""Who may search dossiers, and over which units: every civil servant, over the dossiers their unit
holds or held; supervisors over their whole area; administrators over every unit. The same scope
as the dossier page's (app.dossiers.permissions), so every result opens."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import SUBTREE_VIEWERS
from app.org.queries import subtree_ids

EVERY_UNIT = None


def can_search_dossiers(user: User) -> bool:
    return user.is_authenticated and user.is_staff


def search_units(user: User) -> list[int] | None:
    """Ids of the units whose dossiers `user` finds; EVERY_UNIT (None) for an administrator."""
    if user.is_admin:
        return EVERY_UNIT
    if user.unit_id is None:
        return []
    if user.has_role(SUBTREE_VIEWERS):
        return sorted(subtree_ids(user.unit_id))
    return [user.unit_id]
