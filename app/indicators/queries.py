"""Resolve an indicators request (who asks, for what scope) and compute it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select, text

from app.auth.models import User
from app.core.errors import PermissionDeniedError, ValidationError
from app.extensions import db
from app.indicators.metrics import compute_indicators
from app.indicators.permissions import can_see_unit
from app.org.models import Unit
from app.org.queries import find_unit_by_code
from app.procedures import get_registry


def current_month(today: date | None = None) -> tuple[date, date]:
    today = today or date.today()
    first = today.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return first, date.fromordinal(following.toordinal() - 1)


def _scope_unit(user: User, code: str | None) -> Unit | None:
    if code is None:
        return user.unit
    unit = find_unit_by_code(code)
    if unit is None:
        raise ValidationError("Không tìm thấy đơn vị", {"unit": f"Không có đơn vị mã '{code}'"})
    if not can_see_unit(user, unit):
        raise PermissionDeniedError("Bạn chỉ xem được chỉ số của đơn vị mình và các đơn vị cấp dưới")
    return unit


def _check(level: str | None, procedure: str | None) -> None:
    errors = {}
    if level and level not in set(db.session.scalars(select(Unit.level).distinct())):
        errors["level"] = f"Không có cấp '{level}'"
    if procedure and procedure not in {p.code for p in get_registry().all()}:
        errors["procedure"] = f"Không có thủ tục mã '{procedure}'"
    if errors:
        raise ValidationError("Tham số không hợp lệ", errors)


@dataclass(frozen=True)
class IndicatorScope:
    """What a supervisor asked to see, checked: a unit (None = every unit), level, procedure, period."""

    unit: Unit | None
    level: str | None
    procedure: str | None
    date_from: date
    date_to: date

    @property
    def unit_id(self) -> int | None:
        return self.unit.id if self.unit else None

    def as_body(self) -> dict:
        """The scope as the API answers it (unit by code, None = every unit)."""
        return {
            "unit": self.unit.code if self.unit else None,
            "level": self.level,
            "procedure": self.procedure,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    @property
    def engine_args(self) -> tuple:
        """(unit_id, level, procedure, date_from, date_to) as the metrics functions take them."""
        return self.unit_id, self.level, self.procedure, self.date_from, self.date_to


def resolve_scope(user: User, args: dict) -> IndicatorScope:
    """Check a request's `unit` (code), `level`, `procedure`, `date_from`, `date_to`; defaults: the
    user's unit and the current month. 403 outside the user's subtree, 422 naming bad parameters."""
    _check(args.get("level"), args.get("procedure"))
    unit = _scope_unit(user, args.get("unit"))
    default_from, default_to = current_month()
    date_from, date_to = args.get("date_from") or default_from, args.get("date_to") or default_to
    if date_from > date_to:
        raise ValidationError("Khoảng thời gian không hợp lệ", {"from": "'from' phải không sau 'to'"})
    longest = current_app.config["STATS_MAX_PERIOD_DAYS"]
    if (date_to - date_from).days + 1 > longest:
        raise ValidationError(
            f"Khoảng thời gian dài quá {longest} ngày", {"from": f"Chọn khoảng không quá {longest} ngày"}
        )
    bound_statement_time()
    return IndicatorScope(unit, args.get("level") or None, args.get("procedure") or None, date_from, date_to)


def bound_statement_time() -> None:
    """Every statement of this request's transaction stops after STATS_STATEMENT_TIMEOUT_MS
    (PostgreSQL), so no statistics request holds a web worker for long; a stopped one answers 503."""
    if db.session.get_bind().dialect.name == "postgresql":
        milliseconds = int(current_app.config["STATS_STATEMENT_TIMEOUT_MS"])
        db.session.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))


def indicators_for(user: User, args: dict) -> dict:
    """The API's answer: the resolved scope plus every metric (403 outside the user's subtree)."""
    scope = resolve_scope(user, args)
    return {**scope.as_body(), "metrics": compute_indicators(*scope.engine_args)}
