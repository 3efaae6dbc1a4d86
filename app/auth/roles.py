"""Roles, as one vocabulary, and the groups the permission checks use.

Only `permissions` modules (and the account models' predicates) compare roles; everything else asks
them (`can_*` returns a bool, `require_*` raises)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CITIZEN = "citizen"
    RECEPTION = "reception"  # one-stop counter: receives, returns results
    SPECIALIST = "specialist"  # appraises
    LEADER = "leader"  # assigns, approves, signs
    SUPERVISOR = "supervisor"  # watches a unit's subtree
    ADMIN = "admin"


ROLES: tuple[str, ...] = tuple(Role)
STAFF = frozenset(Role) - {Role.CITIZEN}
OFFICERS = frozenset({Role.RECEPTION, Role.SPECIALIST, Role.LEADER})  # work a unit's queues
OVERSEERS = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ADMIN})  # indicators, reports
SUBTREE_VIEWERS = frozenset({Role.SUPERVISOR, Role.ADMIN})  # see the units below their own
UNITLESS = frozenset({Role.CITIZEN, Role.ADMIN})  # the only accounts without a unit


def needs_unit(role: str) -> bool:
    """Every staff account belongs to a unit, but the administrators'."""
    return role in STAFF and role not in UNITLESS
