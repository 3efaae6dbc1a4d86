"""The tracking book, Sổ theo dõi hồ sơ (Mẫu 06 of the 2018 set, Mẫu 07 of the 2025 set: the set in
force on the day the book is asked for): the dossiers a unit received in a period, one row each,
with totals.

A staff member asks for a book (``request_tracking_book``); the job ``render_tracking_book(book_id)``
reads the dossiers in chunks (keyset on received time), streams the rows through the template into a
temporary HTML file, lays it out with WeasyPrint, stores the PDF and reports its progress on the way:
0-50 while reading rows, 50-80 laying out, 90 written, 100 stored. Only one chunk of dossiers is in
memory at a time; the rest is what WeasyPrint itself needs for the layout.

Rows are the dossiers *received* (accepted, clock started) by the unit; dossiers refused at receipt
were never received and are not in the book (their Mẫu 03 is their record).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.time import VN_TZ
from app.core.web import local_time
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.jobs import HEAVY, QUICK, enqueue, job
from app.official_forms.catalog import FormKind
from app.official_forms.content import date_words, unit_content
from app.official_forms.control import OUTCOME_WORDS, lead_unit
from app.official_forms.models import TrackingBook
from app.official_forms.permissions import require_tracking_book_unit
from app.official_forms.rendering import stream_html, write_pdf_file
from app.official_forms.retry import failure_recorder, reenqueue_unfinished
from app.org.queries import get_unit
from app.procedures import get_registry
from app.storage import get_storage

log = logging.getLogger(__name__)

CHUNK_ROWS = 500
MAX_PERIOD_DAYS = 366
MAX_BOOK_BYTES = 200 * 1024 * 1024
RETURN_METHODS = {"counter": "tại bộ phận một cửa", "post": "qua bưu chính", "electronic": "trực tuyến"}
# What a row prints of each dossier, loaded with the chunk (the competent unit once dossiers have one).
_COMPETENT = getattr(Dossier, "competent_unit", None)
ROW_LOADS = (
    selectinload(Dossier.steps).selectinload(DossierStep.unit),
    *((selectinload(_COMPETENT),) if _COMPETENT is not None else ()),
)


def request_tracking_book(user: User, unit_id: int, date_from: date, date_to: date) -> TrackingBook:
    """A pending book for the unit and period, its render job enqueued after commit. Staff make books
    for their own unit; supervisors for any unit of their subtree; admins for any unit."""
    require_tracking_book_unit(user, unit_id)
    if date_to < date_from:
        raise ValidationError(
            "Ngày kết thúc phải sau ngày bắt đầu", {"date_to": "Phải từ ngày bắt đầu trở đi"}
        )
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        message = f"Mỗi sổ theo dõi tối đa {MAX_PERIOD_DAYS} ngày; hãy chia thành nhiều kỳ"
        raise ValidationError(message, {"date_to": message})
    book = TrackingBook(unit_id=unit_id, date_from=date_from, date_to=date_to, requested_by_id=user.id)
    db.session.add(book)
    db.session.flush()
    enqueue(render_tracking_book, book.id, job_id=f"tracking-book-{book.id}")
    log.info(
        "tracking book %s requested by %s for unit %s, %s..%s", book.id, user.id, unit_id, date_from, date_to
    )
    return book


# --- the job ------------------------------------------------------------------------------------


@job(
    queue=HEAVY, timeout=1800, retry=(10, 60, 300), on_failure=failure_recorder(TrackingBook, "tracking book")
)
def render_tracking_book(book_id: int) -> None:
    """Render, store, mark ready. A ready book is left alone. "rendering" and each progress step are
    committed as they happen (units of their own), so the status page shows them. On failure the book
    is marked failed (the reason kept for operators) and the exception goes on, so rq retries it; a
    worker killed mid-render loses its lease and the retry renders the book again."""
    with uow.unit_of_work():
        book = db.session.get(TrackingBook, book_id, with_for_update=True)
        if book is None or book.is_ready:
            return
        book.status, book.progress, book.error = "rendering", 1, None
        unit_id, period = book.unit_id, (book.date_from, book.date_to)
        requested_by = book.requested_by.full_name if book.requested_by is not None else ""
        kind = book.kind
    with tempfile.TemporaryDirectory(prefix="tracking-book-") as folder:
        count = _write_pdf(book_id, kind, unit_id, period, requested_by, Path(folder))
        _set_progress(book_id, 90)
        with (Path(folder) / "book.pdf").open("rb") as pdf:
            stored = get_storage().put_stream(
                pdf, allowed_types=["application/pdf"], max_bytes=MAX_BOOK_BYTES, prefix="tracking-books"
            )
    uow.on_rollback(lambda: get_storage().delete(stored.key))
    _mark_ready(book_id, stored.key, stored.size, count)


def _write_pdf(
    book_id: int, kind: FormKind, unit_id: int, period: tuple[date, date], requested_by: str, folder: Path
) -> int:
    """Rows -> HTML file -> PDF file; returns the number of rows."""
    start, end = local_day_start(period[0]), local_day_start(period[1] + timedelta(days=1))
    total = _count(unit_id, start, end)
    _set_progress(book_id, 5, row_count=total)
    totals = Totals()
    content = book_content(unit_id, period, utcnow(), totals, requested_by)
    content["rows"] = iter_rows(
        unit_id, start, end, totals, content["as_of_instant"], lambda done: _loaded(book_id, done, total)
    )
    html_path = folder / "book.html"
    with html_path.open("w", encoding="utf-8") as out:
        stream_html(kind, content, out)
    _set_progress(book_id, 50)
    write_pdf_file(html_path, folder / "book.pdf", lambda pages: _set_progress(book_id, 80))
    return totals.received


def _loaded(book_id: int, done: int, total: int) -> None:
    _set_progress(book_id, 5 + (45 * done) // max(total, 1))


def _set_progress(book_id: int, percent: int, **values: Any) -> None:
    """A unit of work of its own, committed at once, so the status page sees it."""
    with uow.unit_of_work():
        db.session.execute(
            update(TrackingBook)
            .where(TrackingBook.id == book_id, TrackingBook.status == "rendering")
            .values(progress=min(max(percent, 0), 100), **values)
        )


def _mark_ready(book_id: int, key: str, size: int, count: int) -> None:
    book = db.session.get(TrackingBook, book_id, with_for_update=True, populate_existing=True)
    if book is None or book.is_ready:  # deleted meanwhile, or another run finished first
        uow.after_commit(lambda: get_storage().delete(key))
        return
    book.storage_key, book.size, book.row_count = key, size, count
    book.status, book.progress, book.ready_at, book.error = "ready", 100, utcnow(), None
    log.info("tracking book %s ready: %d rows, %s, %d bytes", book_id, count, key, size)


@job(queue=QUICK, timeout=120)
def render_unfinished_books(older_than_seconds: int = 300) -> int:
    """Periodic: re-enqueue books not ready after a while (a lost push, retries run out)."""
    return reenqueue_unfinished(TrackingBook, render_tracking_book, "tracking-book", older_than_seconds)


# --- what the book says ---------------------------------------------------------------------------


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


@dataclass
class Totals:
    """Filled in while the rows stream out; the template prints it after the last row."""

    received: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int = 0
    overdue: int = 0
    ended: int = 0  # withdrawn or stopped: no result
    returned: int = 0
    outside_area: int = 0  # received regardless of administrative boundary (phi địa giới)

    @property
    def completed(self) -> int:
        return self.early + self.on_time + self.late


def _received_in(unit_id: int, start: datetime, end: datetime):  # noqa: ANN202 (a SQL condition)
    return (
        (Dossier.receiving_unit_id == unit_id) & (Dossier.received_at >= start) & (Dossier.received_at < end)
    )


def _count(unit_id: int, start: datetime, end: datetime) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Dossier).where(_received_in(unit_id, start, end))
    )


def iter_rows(
    unit_id: int,
    start: datetime,
    end: datetime,
    totals: Totals,
    as_of: datetime,
    loaded: Callable[[int], None] | None = None,
) -> Iterator[dict[str, Any]]:
    """The book's rows in order of receipt, read CHUNK_ROWS dossiers at a time; ``loaded(n)`` after
    each chunk with the number of rows read so far."""
    after: tuple[datetime, int] | None = None
    done = 0
    while True:
        query = select(Dossier).where(_received_in(unit_id, start, end))
        if after is not None:
            query = query.where(tuple_(Dossier.received_at, Dossier.id) > after)
        chunk = list(
            db.session.scalars(
                query.order_by(Dossier.received_at, Dossier.id).limit(CHUNK_ROWS).options(*ROW_LOADS)
            )
        )
        if not chunk:
            return
        rows = [book_row(dossier, totals, as_of) for dossier in chunk]
        after, done = (chunk[-1].received_at, chunk[-1].id), done + len(chunk)
        del chunk  # rows are plain strings now; the session holds loaded objects weakly, so they go
        if loaded is not None:
            loaded(done)
        yield from rows


def book_row(dossier: Dossier, totals: Totals, as_of: datetime) -> dict[str, Any]:
    """One dossier as printed (and counted in ``totals``)."""
    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    outside = [s for s in dossier.steps if s.unit_id != dossier.receiving_unit_id]
    back = [
        s
        for s in dossier.steps
        if outside and s.seq > outside[-1].seq and s.unit_id == dossier.receiving_unit_id
    ]
    notes = _count_and_note(dossier, procedure, totals, as_of)
    return {
        "code": dossier.code,
        "procedure": procedure.name.vi,
        "applicant": dossier.applicant_name,
        "contact": ", ".join(p for p in (dossier.applicant_address, dossier.applicant_phone) if p),
        "competent_unit": lead_unit(dossier).name,
        "received_at": local_time(dossier.received_at),
        "appointment_at": local_time(dossier.appointment_at),
        "sent_at": local_time(outside[0].started_at) if outside else "",
        "back_at": local_time(back[0].started_at if back else (dossier.completed_at if outside else None)),
        "returned_at": local_time(dossier.returned_at),
        "return_method": RETURN_METHODS.get(dossier.return_method or "", ""),
        "notes": notes,
    }


def _count_and_note(dossier: Dossier, procedure, totals: Totals, as_of: datetime) -> list[str]:  # noqa: ANN001
    totals.received += 1
    notes = ["Đã hẹn lại ngày trả (Mẫu 04)"] if dossier.is_extended else []
    state = procedure.states[dossier.state]
    if dossier.outcome in OUTCOME_WORDS:
        setattr(totals, dossier.outcome, getattr(totals, dossier.outcome) + 1)
        notes.append(f"Giải quyết {OUTCOME_WORDS[dossier.outcome].lower()}")
    elif state.is_final:
        totals.ended += 1
    else:
        totals.in_progress += 1
        if dossier.paused_at is None and dossier.due_at is not None and dossier.due_at < as_of:
            totals.overdue += 1
            notes.append("Đang xử lý, đã quá hạn")
    if dossier.received_outside_area:
        totals.outside_area += 1
        notes.append("Tiếp nhận không phụ thuộc địa giới hành chính")
    if dossier.returned_at is not None:
        totals.returned += 1
    else:
        notes.insert(0, state.label.vi)
    return notes


def book_content(
    unit_id: int, period: tuple[date, date], as_of: datetime, totals: Totals, officer: str = ""
) -> dict[str, Any]:
    """Everything but the rows (an iterator, added by the job). ``officer``: who made the book."""
    unit = get_unit(unit_id)
    return {
        "unit": unit_content(unit),
        "unit_code": unit.code,
        "issued_on": date_words(as_of),
        "issued_at": local_time(as_of),
        "as_of_instant": as_of,
        "officer": officer,
        "date_from": period[0].strftime("%d/%m/%Y"),
        "date_to": period[1].strftime("%d/%m/%Y"),
        "totals": totals,
        "rows": iter(()),
    }
