"""Resolve an indicators request (who asks, for what scope) and compute it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import select, text

from app.auth.models import User
from app.core.errors import PermissionDeniedError, ValidationError
from app.extensions import db
from app.indicators.attribution import DEFAULT_STRUCTURE, STRUCTURES
from app.indicators.facts import BASES, DEFAULT_BASIS
from app.indicators.metrics import compute_indicators
from app.indicators.permissions import can_see_unit
from app.org.models import Unit
from app.org.queries import find_unit_by_code
from app.org.structure import current_structure
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


def levels_between(date_from: date, date_to: date) -> list[str]:
    """The administrative levels the structure has during the period, top to bottom."""
    from app.indicators.targets import levels_during

    found = levels_during(date_from, date_to)
    return [lv for lv in current_structure().all_levels if lv in found]


def _check(args: dict) -> None:
    errors = {}
    level, procedure = args.get("level"), args.get("procedure")
    if level and level not in set(db.session.scalars(select(Unit.level).distinct())):
        errors["level"] = f"Không có cấp '{level}'"
    if procedure and procedure not in {p.code for p in get_registry().all()}:
        errors["procedure"] = f"Không có thủ tục mã '{procedure}'"
    if args.get("basis") and args["basis"] not in BASES:
        errors["basis"] = f"Chọn một trong: {', '.join(BASES)}"
    if args.get("structure") and args["structure"] not in STRUCTURES:
        errors["structure"] = f"Chọn một trong: {', '.join(STRUCTURES)}"
    if errors:
        raise ValidationError("Tham số không hợp lệ", errors)


def _check_level_in_period(level: str | None, date_from: date, date_to: date) -> None:
    if level and level not in levels_between(date_from, date_to):
        raise ValidationError(
            "Tham số không hợp lệ",
            {"level": f"Không có cấp '{level}' trong kỳ {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"},
        )


@dataclass(frozen=True)
class IndicatorScope:
    """What a supervisor asked to see, checked: a unit (None = every unit), level, procedure,
    period, the unit figures are attributed to (`basis`) and whether old units are restated."""

    unit: Unit | None
    level: str | None
    procedure: str | None
    date_from: date
    date_to: date
    basis: str = DEFAULT_BASIS
    structure: str = DEFAULT_STRUCTURE

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
            "basis": self.basis,
            "structure": self.structure,
        }

    @property
    def engine_args(self) -> tuple:
        """(unit_id, level, procedure, date_from, date_to) as the metrics functions take them."""
        return self.unit_id, self.level, self.procedure, self.date_from, self.date_to

    @property
    def reading(self) -> dict:
        """The keyword arguments of the metrics functions that say how figures are read."""
        return {"basis": self.basis, "structure": self.structure}


def resolve_scope(user: User, args: dict) -> IndicatorScope:
    """Check a request's `unit` (code), `level`, `procedure`, `date_from`, `date_to`, `basis` and
    `structure`; defaults: the user's unit, the current month, the competent unit, units as they
    were. 403 outside what the user may see, 422 naming bad parameters (a level the period has not)."""
    _check(args)
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
    _check_level_in_period(args.get("level"), date_from, date_to)
    bound_statement_time()
    return IndicatorScope(
        unit,
        args.get("level") or None,
        args.get("procedure") or None,
        date_from,
        date_to,
        args.get("basis") or DEFAULT_BASIS,
        args.get("structure") or DEFAULT_STRUCTURE,
    )


def bound_statement_time() -> None:
    """Every statement of this request's transaction stops after STATS_STATEMENT_TIMEOUT_MS
    (PostgreSQL), so no statistics request holds a web worker for long; a stopped one answers 503."""
    if db.session.get_bind().dialect.name == "postgresql":
        milliseconds = int(current_app.config["STATS_STATEMENT_TIMEOUT_MS"])
        db.session.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))


def indicators_for(user: User, args: dict) -> dict:
    """The API's answer: the resolved scope plus every metric (403 outside the user's subtree)."""
    from app.indicators.targets import targets_in

    scope = resolve_scope(user, args)
    lang = "vi"
    return {
        **scope.as_body(),
        "metrics": compute_indicators(*scope.engine_args, **scope.reading),
        "targets": [t.as_dict(lang) for t in targets_in(scope.date_from, scope.date_to)],
    }
