"""Admin page for the working calendar: a year of month grids, public holidays (the `holidays`
package) and admin days, adding a day off or make-up working day, removing an admin day, and a
due-date preview computed by the same WorkingCalendar.due_at the dossiers use."""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.admin.forms import CalendarDayForm
from app.admin.web import bp, show_errors
from app.calendar.clock import SpecialDay, WorkingCalendar
from app.calendar.services import clear_day, get_calendar, list_days, set_day
from app.core import uow
from app.core.errors import ValidationError
from app.core.time import VN_TZ

MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Cell:
    day: date
    in_month: bool
    is_working: bool
    special: SpecialDay | None


def month_grids(
    year: int, calendar: WorkingCalendar, special: dict[date, SpecialDay]
) -> list[list[list[Cell]]]:
    """Twelve months of weeks (Monday first) of cells saying whether each day is a working day."""
    weeks = month_calendar.Calendar(firstweekday=0)
    return [
        [
            [Cell(d, d.month == month, calendar.is_working_day(d), special.get(d)) for d in week]
            for week in weeks.monthdatescalendar(year, month)
        ]
        for month in range(1, 13)
    ]


def _preview(calendar: WorkingCalendar) -> dict | None:
    """Due instant for ?start=YYYY-MM-DDTHH:MM&days=N, or None when not asked or not valid."""
    start_text, days = request.args.get("start", ""), request.args.get("days", type=int)
    if not start_text or not days or not 1 <= days <= 365:
        return None
    try:
        start = datetime.fromisoformat(start_text).replace(tzinfo=VN_TZ)
    except ValueError:
        return None
    return {"start": start, "days": days, "due": calendar.due_at(start, "working_days", days)}


def _year() -> int:
    year = request.args.get("year", type=int) or datetime.now(VN_TZ).year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(_("Năm phải từ %(min)s đến %(max)s", min=MIN_YEAR, max=MAX_YEAR))
    return year


@bp.get("/calendar")
def calendar_page() -> tuple[str, int]:
    return _render(_year(), CalendarDayForm(formdata=None))


def _render(year: int, form: CalendarDayForm) -> tuple[str, int]:
    days = list_days(year)
    calendar = get_calendar()
    grids = month_grids(year, calendar, {d.day: d for d in days})
    return render_template(
        "admin/calendar.html",
        year=year,
        days=days,
        grids=grids,
        form=form,
        preview=_preview(calendar),
        weekdays=[_("T2"), _("T3"), _("T4"), _("T5"), _("T6"), _("T7"), _("CN")],
    ), 400 if form.errors else 200


@bp.post("/calendar/days")
def add_calendar_day() -> str | Response | tuple[str, int]:
    form = CalendarDayForm()
    if form.validate_on_submit():
        with uow.attempt() as failed:
            set_day(form.day.data, form.kind.data, (form.note.data or "").strip(), user_id=current_user.id)
        if failed:
            show_errors(form, failed.error, {"date": "day"})
        else:
            flash(_("Đã lưu ngày %(day)s.", day=form.day.data.strftime("%d/%m/%Y")), "success")
            return redirect(url_for(".calendar_page", year=form.day.data.year))
    year = form.day.data.year if form.day.data else _year()
    return _render(year, form)


@bp.post("/calendar/days/<string:day>/delete")
def remove_calendar_day(day: str) -> Response:
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise ValidationError(_("Ngày không hợp lệ")) from None
    with uow.attempt() as failed:
        clear_day(when)
    if failed:
        flash(_(failed.error.message), "error")
    else:
        flash(_("Đã xoá ngày %(day)s do quản trị viên đặt.", day=when.strftime("%d/%m/%Y")), "success")
    return redirect(url_for(".calendar_page", year=when.year))
