"""Calendar API: due-date calculator and the working-calendar days (docs/domain.md, Working time).

The due-date endpoint uses the same ``WorkingCalendar.due_at`` the dossiers use.
"""

from __future__ import annotations

from datetime import date, datetime

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.auth.roles import Role
from app.calendar.clock import SET_BY_ADMIN
from app.core.errors import ValidationError
from app.core.time import VN_TZ

from . import services
from .schemas import DayInputSchema, DueDateQuerySchema, DueDateSchema, SpecialDaySchema, YearQuerySchema

blp = Blueprint(
    "calendar", __name__, url_prefix="/api/v1/calendar", description="Working calendar and SLA due dates"
)


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            f"Ngày không hợp lệ: {text!r} (YYYY-MM-DD)", {"date": ["Not a valid date, expected YYYY-MM-DD."]}
        ) from None


@blp.route("/due-date")
class DueDate(MethodView):
    @blp.arguments(DueDateQuerySchema, location="query")
    @blp.response(200, DueDateSchema)
    def get(self, args: dict) -> dict:
        """Due instant of a deadline for a clock started at ``start`` (public)."""
        if args.get("working_days"):
            kind, amount = "working_days", args["working_days"]
        elif args.get("working_hours"):
            kind, amount = "working_hours", args["working_hours"]
        else:
            kind, amount = "same_day", 0
        due = services.get_calendar().due_at(args["start"], kind, amount, args.get("cutoff"))
        return {"due_at": due}


@blp.route("/days")
class Days(MethodView):
    @blp.arguments(YearQuerySchema, location="query")
    @blp.response(200, SpecialDaySchema(many=True))
    def get(self, args: dict) -> list:
        """Days off on weekdays and working weekend days of a year, with their source (public)."""
        return services.list_days(args["year"] or datetime.now(VN_TZ).year)


@blp.route("/days/<string:day>")
class Day(MethodView):
    @require_api_user(Role.ADMIN)
    @blp.arguments(DayInputSchema)
    @blp.response(200, SpecialDaySchema)
    def put(self, data: dict, day: str) -> dict:
        """Set a day off or a make-up working day (admin)."""
        row = services.set_day(_parse_day(day), data["kind"], data["note"], user_id=current_user.id)
        return {"day": row.day, "kind": row.kind, "note": row.note, "source": SET_BY_ADMIN}

    @require_api_user(Role.ADMIN)
    @blp.response(204)
    def delete(self, day: str) -> None:
        """Remove an admin entry; the day falls back to public holidays / Mon–Fri (admin)."""
        services.clear_day(_parse_day(day))
