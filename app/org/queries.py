"""Reads of the unit tree. The tree is small (hundreds of units), so ancestry walks are in Python."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.core.errors import NotFoundError
from app.extensions import db
from app.org.models import Unit, UnitServiceArea, UnitSuccession


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


def existing_on(day: date):  # noqa: ANN201 (a SQL condition)
    """Units that exist on `day` (valid_from/valid_to, None = open)."""
    return (
        or_(Unit.valid_from.is_(None), Unit.valid_from <= day),
        or_(Unit.valid_to.is_(None), Unit.valid_to >= day),
    )


def list_units_matching(
    kind: str,
    level: str | None,
    within: Unit | None,
    on: date | None = None,
    serving: Unit | None = None,
) -> list[Unit]:
    """Active units of `kind` (at `level`, inside `within`'s subtree, existing on `on`, serving the
    area of `serving`, each when given)."""
    query = select(Unit).where(Unit.kind == kind, Unit.is_active.is_(True))
    if level:
        query = query.where(Unit.level == level)
    if within is not None:
        query = query.where(Unit.id.in_(subtree_ids(within.id)))
    if on is not None:
        query = query.where(*existing_on(on))
    if serving is not None:
        areas = [u.id for u in ancestors_or_self(serving)]
        query = query.where(
            Unit.id.in_(select(UnitServiceArea.provider_id).where(UnitServiceArea.area_id.in_(areas)))
        )
    return list(db.session.scalars(query.order_by(Unit.code)))


def list_units_at_level(level: str, on: date, kind: str | None = None) -> list[Unit]:
    """Active units at `level` existing on `on` that are areas (the topmost unit of their level:
    a commune's People's Committee, not its sections), by name; of `kind` if given."""
    query = select(Unit).where(Unit.level == level, Unit.is_active.is_(True), *existing_on(on))
    if kind:
        query = query.where(Unit.kind == kind)
    units = list(db.session.scalars(query.options(selectinload(Unit.parent)).order_by(Unit.name)))
    return [u for u in units if u.parent is None or u.parent.level != level]


def successors(unit: Unit) -> list[Unit]:
    """The units `unit` passed its area and work to, in code order (none if it still exists)."""
    query = select(Unit).join(UnitSuccession, UnitSuccession.successor_id == Unit.id)
    return list(db.session.scalars(query.where(UnitSuccession.predecessor_id == unit.id).order_by(Unit.code)))


def predecessors(unit: Unit) -> list[Unit]:
    """The units whose area and work passed to `unit`, in code order."""
    query = select(Unit).join(UnitSuccession, UnitSuccession.predecessor_id == Unit.id)
    return list(db.session.scalars(query.where(UnitSuccession.successor_id == unit.id).order_by(Unit.code)))


def restatement_map() -> dict[int, int]:
    """Old unit id -> the unit it is restated under today: its successor's successor ..., following
    single-successor links (a split unit is restated under itself: its figures cannot be divided)."""
    links: dict[int, list[int]] = {}
    for pred, succ in db.session.execute(select(UnitSuccession.predecessor_id, UnitSuccession.successor_id)):
        links.setdefault(pred, []).append(succ)
    resolved: dict[int, int] = {}
    for start in links:
        node, seen = start, {start}
        while len(links.get(node, ())) == 1 and links[node][0] not in seen:
            node = links[node][0]
            seen.add(node)
        if node != start:
            resolved[start] = node
    return resolved
