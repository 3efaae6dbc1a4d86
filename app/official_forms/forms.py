"""Page forms of the official forms domain: the tracking book request."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import DataRequired, ValidationError

from app.org.models import Unit


class TrackingBookForm(FlaskForm):
    # Any unit id passes the form; the service answers 403 for a unit the user may not use.
    unit = SelectField(
        _l("Đơn vị"), coerce=int, validate_choice=False, validators=[DataRequired(_l("Chọn đơn vị"))]
    )
    date_from = DateField(_l("Từ ngày"), validators=[DataRequired(_l("Chọn ngày bắt đầu"))])
    date_to = DateField(_l("Đến ngày"), validators=[DataRequired(_l("Chọn ngày kết thúc"))])

    def __init__(self, units: list[Unit], today: date, own_unit_id: int | None, **kwargs: object) -> None:
        """Choices are the units the user may make books for (their own unit first chosen); the period
        defaults to this month so far."""
        kwargs.setdefault("date_from", today.replace(day=1))
        kwargs.setdefault("date_to", today)
        if own_unit_id in {u.id for u in units}:
            kwargs.setdefault("unit", own_unit_id)
        super().__init__(**kwargs)
        self.unit.choices = [(u.id, f"{u.name} ({u.code})") for u in units]

    def validate_date_to(self, field: DateField) -> None:
        if self.date_from.data and field.data and field.data < self.date_from.data:
            raise ValidationError(_l("Ngày kết thúc phải từ ngày bắt đầu trở đi"))
