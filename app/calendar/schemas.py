"""Marshmallow schemas of the calendar API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.time import local_iso, parse_instant

from .clock import DAY_KINDS, parse_hhmm

DEADLINE_FIELDS = ("working_days", "working_hours", "same_day")


class Instant(fields.DateTime):
    """ISO 8601 instant; input without offset is Vietnam local time; output is in +07:00."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        if not isinstance(value, str):
            raise ValidationError("Not a valid ISO 8601 datetime.")
        try:
            return parse_instant(value)
        except ValueError:
            raise ValidationError("Not a valid ISO 8601 datetime, e.g. 2026-03-02T07:00:00+07:00.") from None

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return local_iso(value)


def _check_hhmm(text: str) -> None:
    try:
        parse_hhmm(text)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


class DueDateQuerySchema(Schema):
    start = Instant(required=True, metadata={"description": "Acceptance instant (ISO 8601)"})
    working_days = fields.Integer(validate=validate.Range(min=1, max=3650))
    working_hours = fields.Integer(validate=validate.Range(min=1, max=87600))
    same_day = fields.Boolean()
    cutoff = fields.String(validate=_check_hhmm, metadata={"description": "HH:MM, same_day only"})

    @validates_schema
    def _exactly_one_deadline(self, data: dict, **kwargs: Any) -> None:
        given = [name for name in DEADLINE_FIELDS if data.get(name) not in (None, False)]
        if len(given) != 1:
            message = "Give exactly one of working_days, working_hours, same_day=true."
            named = given if len(given) > 1 else DEADLINE_FIELDS
            raise ValidationError({name: [message] for name in named})
        if "cutoff" in data and given != ["same_day"]:
            raise ValidationError({"cutoff": ["cutoff applies only with same_day=true."]})


class DueDateSchema(Schema):
    due_at = Instant(required=True)


class YearQuerySchema(Schema):
    year = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1970, max=2200),
        metadata={"description": "Defaults to the current year (Vietnam time)"},
    )


class DayInputSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(DAY_KINDS))
    note = fields.String(load_default="", validate=validate.Length(max=255))


class SpecialDaySchema(Schema):
    date = fields.Date(attribute="day")
    kind = fields.String()
    note = fields.String()
    source = fields.String(metadata={"description": "holiday (public holiday data) | admin"})
