"""Reads of the unit tree. The tree is small (hundreds of units), so ancestry walks are in Python."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.errors import NotFoundError
from app.extensions import db
from app.org.models import Unit


def get_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFoundError(f"Không tìm thấy đơn vị #{unit_id}")
    return unit


def find_unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def get_unit_by_code(code: str) -> Unit:
    unit = find_unit_by_code(code)
    if unit is None:
        raise NotFoundError(f"Không tìm thấy đơn vị có mã '{code}'", {"unit": code})
    return unit


def list_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).options(selectinload(Unit.parent)).order_by(Unit.code)))


def ancestors_or_self(unit: Unit) -> list[Unit]:
    chain: list[Unit] = []
    node: Unit | None = unit
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def area_at_level(unit: Unit, level: str) -> Unit | None:
    """The administrative area at `level` that `unit` belongs to: the topmost ancestor-or-self at that
    level (a district's sections sit at district level under the district People's Committee)."""
    matches = [u for u in ancestors_or_self(unit) if u.level == level]
    return matches[-1] if matches else None


def subtree_ids(root_id: int) -> set[int]:
    """Ids of a unit and every unit below it."""
    rows = db.session.execute(select(Unit.id, Unit.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for uid, pid in rows:
        children.setdefault(pid, []).append(uid)
    found, stack = set(), [root_id]
    while stack:
        uid = stack.pop()
        found.add(uid)
        stack.extend(children.get(uid, []))
    return found


def list_units_matching(kind: str, level: str | None, within: Unit | None) -> list[Unit]:
    query = select(Unit).where(Unit.kind == kind, Unit.is_active.is_(True))
    if level:
        query = query.where(Unit.level == level)
    if within is not None:
        query = query.where(Unit.id.in_(subtree_ids(within.id)))
    return list(db.session.scalars(query.order_by(Unit.code)))
