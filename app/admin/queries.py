"""Reads for the admin pages: filtered user list and the unit tree in display order."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from app.auth.models import User
from app.core.errors import NotFoundError
from app.extensions import db
from app.org.models import Unit
from app.org.queries import list_units, subtree_ids

PAGE_SIZE = 50


@dataclass(frozen=True)
class UserFilter:
    role: str | None = None
    unit_id: int | None = None
    search: str | None = None
    page: int = 1


def list_users(filters: UserFilter) -> tuple[list[User], int]:
    """A page of accounts (staff first by unit, then by name) and the total count. The unit filter
    includes the units below it; search matches name, username or CCCD."""
    query = select(User)
    if filters.role:
        query = query.where(User.role == filters.role)
    if filters.unit_id:
        query = query.where(User.unit_id.in_(subtree_ids(filters.unit_id)))
    if filters.search:
        like = f"%{filters.search.strip()}%"
        query = query.where(
            or_(User.full_name.ilike(like), User.username.ilike(like), User.citizen_id.ilike(like))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = (
        query.outerjoin(Unit, User.unit_id == Unit.id)
        .order_by(Unit.code.is_(None), Unit.code, User.full_name, User.id)
        .limit(PAGE_SIZE)
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    )
    return list(db.session.scalars(page)), total


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError(f"Không tìm thấy tài khoản #{user_id}")
    return user


@dataclass(frozen=True)
class TreeRow:
    unit: Unit
    depth: int


def unit_tree(active_only: bool = False) -> list[TreeRow]:
    """Every unit in tree order (parents before children, siblings by code) with its depth."""
    units = [u for u in list_units() if u.is_active or not active_only]
    children: dict[int | None, list[Unit]] = {}
    ids = {u.id for u in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    rows: list[TreeRow] = []
    stack = [(u, 0) for u in reversed(children.get(None, []))]
    while stack:
        unit, depth = stack.pop()
        rows.append(TreeRow(unit, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(unit.id, [])))
    return rows


def known_kinds() -> list[str]:
    """Kinds in use plus the usual ones, for the kind picker."""
    from app.admin.presenters import KIND_LABELS

    used = db.session.scalars(select(Unit.kind).distinct())
    return sorted(set(KIND_LABELS) | set(used))
