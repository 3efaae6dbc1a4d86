"""Page forms of the reports domain: a staff request for one unit's report of a past month, and for
the running month to date."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from app.core.errors import ValidationError as AppValidationError
from app.org.models import Unit
from app.reports.services import parse_month


class ReportRequestForm(FlaskForm):
    # Any unit id passes the form; the service answers 403 for a unit the user may not use.
    unit = SelectField(
        _l("Đơn vị"), coerce=int, validate_choice=False, validators=[DataRequired(_l("Chọn đơn vị"))]
    )
    month = StringField(
        _l("Tháng"),
        validators=[DataRequired(_l("Chọn tháng"))],
        render_kw={"type": "month", "placeholder": "2026-10"},
    )

    def __init__(
        self, units: list[Unit], default_month: date, own_unit_id: int | None, **kwargs: object
    ) -> None:
        """Choices are the units the user may see (their own unit chosen); the month defaults to
        last month."""
        kwargs.setdefault("month", f"{default_month:%Y-%m}")
        if own_unit_id in {u.id for u in units}:
            kwargs.setdefault("unit", own_unit_id)
        super().__init__(**kwargs)
        self.unit.choices = [(u.id, f"{u.name} ({u.code})") for u in units]

    def validate_month(self, field: StringField) -> None:
        try:
            parse_month(field.data)
        except AppValidationError as exc:
            raise ValidationError(_l("Ghi tháng theo dạng YYYY-MM, ví dụ 2026-10")) from exc

    @property
    def month_value(self) -> date:
        return parse_month(self.month.data)


class MonthToDateForm(FlaskForm):
    """One unit's report of the running month, from its first day to today."""

    # Any unit id passes the form; the service answers 403 for a unit the user may not use.
    unit = SelectField(
        _l("Đơn vị"), coerce=int, validate_choice=False, validators=[DataRequired(_l("Chọn đơn vị"))]
    )

    def __init__(self, units: list[Unit], own_unit_id: int | None, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "mtd")
        if own_unit_id in {u.id for u in units}:
            kwargs.setdefault("unit", own_unit_id)
        super().__init__(**kwargs)
        self.unit.choices = [(u.id, f"{u.name} ({u.code})") for u in units]
