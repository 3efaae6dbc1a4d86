"""Reading issued forms and tracking books. For forms, callers check who may see the dossier first
(app.dossiers.queries.get_dossier); books are checked here against the unit they cover."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.errors import NotFoundError
from app.core.time import VN_TZ, to_local
from app.dossiers.models import Dossier
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


def book_entry_number(dossier: Dossier) -> int | None:
    """The dossier's line in its receiving unit's tracking book for the year it was received (the
    number printed on Mẫu 01, "Số ghi sổ theo dõi hồ sơ"): the dossiers that unit received from
    1 January of that year (Vietnam time) up to this one, in order of receipt, as the book lists
    them. None before the dossier is received."""
    if dossier.received_at is None:
        return None
    year_start = datetime(to_local(dossier.received_at).year, 1, 1, tzinfo=VN_TZ)
    return db.session.scalar(
        select(func.count())
        .select_from(Dossier)
        .where(
            Dossier.receiving_unit_id == dossier.receiving_unit_id,
            Dossier.received_at >= year_start,
            tuple_(Dossier.received_at, Dossier.id) <= (dossier.received_at, dossier.id),
        )
    )


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
