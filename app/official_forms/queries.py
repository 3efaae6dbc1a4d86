"""Reading issued forms and tracking books. For forms, callers check who may see the dossier first
(app.dossiers.queries.get_dossier); books are checked here against the unit they cover."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.errors import NotFoundError
from app.extensions import db
from app.official_forms.models import IssuedForm, TrackingBook
from app.official_forms.permissions import require_view_tracking_book, tracking_book_unit_ids
from app.procedures.vocabulary import CONTROL_SHEET

RECENT_BOOKS = 20


def list_forms(dossier_id: int) -> list[IssuedForm]:
    """The forms issued for the dossier, newest first, whatever their status. The control sheet is
    issued again at every hand-off; only its latest issue is listed (earlier ones are superseded)."""
    forms = list(
        db.session.scalars(
            select(IssuedForm).where(IssuedForm.dossier_id == dossier_id).order_by(IssuedForm.id.desc())
        )
    )
    controls = [f for f in forms if f.form_key == CONTROL_SHEET]
    latest = max(controls, key=lambda f: (f.event_id, f.id)) if controls else None
    return [f for f in forms if f.form_key != CONTROL_SHEET or f is latest]


def find_control_form(dossier_id: int) -> IssuedForm | None:
    """The latest control sheet of the dossier, if any."""
    return next((f for f in list_forms(dossier_id) if f.form_key == CONTROL_SHEET), None)


def get_ready_form(dossier_id: int, form_id: int) -> IssuedForm:
    """A form of this dossier whose PDF is stored; anything else is 404 (no probing of ids)."""
    issued = db.session.get(IssuedForm, form_id)
    if issued is None or issued.dossier_id != dossier_id or not issued.is_ready:
        raise NotFoundError(f"Không tìm thấy biểu mẫu #{form_id} của hồ sơ này, hoặc biểu mẫu chưa sẵn sàng")
    return issued


def get_tracking_book(book_id: int, user: User) -> TrackingBook:
    """A book of a unit the user may use; anything else is 404."""
    book = db.session.get(TrackingBook, book_id)
    if book is None:
        raise NotFoundError(f"Không tìm thấy sổ theo dõi #{book_id}")
    require_view_tracking_book(user, book)
    return book


def list_tracking_books(user: User, limit: int = RECENT_BOOKS) -> list[TrackingBook]:
    """The latest books of the units the user may use, newest first."""
    ids = tracking_book_unit_ids(user)
    query = select(TrackingBook).options(
        selectinload(TrackingBook.unit), selectinload(TrackingBook.requested_by)
    )
    if ids is not None:
        query = query.where(TrackingBook.unit_id.in_(ids))
    return list(db.session.scalars(query.order_by(TrackingBook.id.desc()).limit(limit)))
