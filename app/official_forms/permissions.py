"""Who may make and read tracking books (Sổ theo dõi hồ sơ): staff for their own unit, supervisors
for any unit of their subtree, admins for every unit. Citizens never. A book of a unit one may not
use answers 404 (no probing of ids); asking to make one answers 403 with the reason."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import SUBTREE_VIEWERS
from app.core.errors import NotFoundError, PermissionDeniedError
from app.extensions import db
from app.official_forms.models import TrackingBook
from app.org.models import Unit
from app.org.queries import subtree_ids


def tracking_book_unit_ids(user: User) -> set[int] | None:
    """Units the user may make books for; None means every unit (admins)."""
    if not user.is_staff:
        return set()
    if user.is_admin:
        return None
    if user.unit_id is None:
        return set()
    if user.has_role(SUBTREE_VIEWERS):
        return subtree_ids(user.unit_id)
    return {user.unit_id}


def list_tracking_book_units(user: User) -> list[Unit]:
    """The units offered on the form, by agency code."""
    ids = tracking_book_unit_ids(user)
    query = select(Unit).where(Unit.is_active.is_(True)).order_by(Unit.code)
    if ids is not None:
        query = query.where(Unit.id.in_(ids))
    return list(db.session.scalars(query))


def can_use_tracking_books(user: User, unit_id: int) -> bool:
    ids = tracking_book_unit_ids(user)
    return ids is None or unit_id in ids


def require_tracking_book_unit(user: User, unit_id: int) -> None:
    if not can_use_tracking_books(user, unit_id):
        raise PermissionDeniedError(
            "Bạn chỉ lập được sổ theo dõi hồ sơ cho đơn vị của mình", {"unit": unit_id}
        )


def require_view_tracking_book(user: User, book: TrackingBook) -> None:
    if not can_use_tracking_books(user, book.unit_id):
        raise NotFoundError(f"Không tìm thấy sổ theo dõi #{book.id}")
