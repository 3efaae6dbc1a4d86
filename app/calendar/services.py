"""Use cases of the calendar domain: the request's WorkingCalendar, and admin edits of days.

Deadlines (the engine, the due-date API) use `get_calendar()`: every request reads the small
calendar_days table once and keeps it on ``flask.g`` — several stateless app servers run behind a
load balancer, so an admin's edit counts at once everywhere. Read-only displays of time left (the
officer queues) may use `get_display_calendar()`, kept per process for DISPLAY_MAX_AGE seconds.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import date

from flask import current_app, g
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import uow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.extensions import db

from .clock import DAY_KINDS, SET_BY_ADMIN, SpecialDay, WorkingCalendar
from .models import CalendarDay

_G_KEY = "working_calendar"
NOTE_MAX = 255


def get_calendar() -> WorkingCalendar:
    """The working calendar for this request: configured periods and cut-off plus admin entries."""
    calendar = g.get(_G_KEY)
    if calendar is None:
        rows = db.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
        calendar = WorkingCalendar(
            periods=current_app.config["WORKING_PERIODS"],
            overrides={row.day: row.kind for row in rows},
            same_day_cutoff=current_app.config["SAME_DAY_CUTOFF"],
        )
        setattr(g, _G_KEY, calendar)
    return calendar


DISPLAY_MAX_AGE = 60.0
_display_cache: dict[tuple, tuple[float, WorkingCalendar]] = {}


def get_display_calendar() -> WorkingCalendar:
    """A calendar for showing time left, at most DISPLAY_MAX_AGE seconds old (never for deadlines)."""
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.config["WORKING_PERIODS"])
    cached = _display_cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < DISPLAY_MAX_AGE:
        return cached[1]
    calendar = get_calendar()
    _display_cache[key] = (time.monotonic(), calendar)
    return calendar


def _forget_calendar() -> None:
    g.pop(_G_KEY, None)
    _display_cache.clear()


def set_day(day: date, kind: str, note: str = "", user_id: int | None = None) -> CalendarDay:
    """Create or replace the admin entry for ``day`` (flush only)."""
    if kind not in DAY_KINDS:
        raise ValidationError(f"Loại ngày không hợp lệ: {kind!r}", {"kind": [f"Must be one of {DAY_KINDS}"]})
    if len(note) > NOTE_MAX:
        raise ValidationError("Ghi chú quá dài", {"note": [f"At most {NOTE_MAX} characters"]})
    row = db.session.get(CalendarDay, day)
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.kind, row.note, row.updated_by_id = kind, note, user_id
    try:
        db.session.flush()
    except IntegrityError:  # another admin created the same day concurrently
        raise ConflictError(f"Ngày {day.isoformat()} vừa được người khác cập nhật, hãy thử lại") from None
    _forget_calendar()
    uow.after_commit(_forget_calendar)  # other requests of this process read the committed day
    return row


def clear_day(day: date) -> None:
    """Remove the admin entry for ``day`` (the day falls back to holidays / Mon–Fri); flush only.

    Raises NotFoundError if there is no admin entry for that date.
    """
    row = db.session.get(CalendarDay, day)
    if row is None:
        message = f"Không có ngày {day.isoformat()} do quản trị viên đặt"
        raise NotFoundError(message, {"date": ["No admin entry for this date."]})
    db.session.delete(row)
    db.session.flush()
    _forget_calendar()
    uow.after_commit(_forget_calendar)


def list_days(year: int) -> list[SpecialDay]:
    """Non-working weekdays and working weekend days of ``year`` with their source, plus admin entries
    (source "admin", with the admin's note)."""
    notes = dict(
        db.session.execute(
            select(CalendarDay.day, CalendarDay.note).where(
                CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31)
            )
        )
        .tuples()
        .all()
    )
    return [
        dataclasses.replace(item, note=notes.get(item.day, "")) if item.source == SET_BY_ADMIN else item
        for item in get_calendar().special_days(year)
    ]
