"""Resolve an indicators request (who asks, for what scope) and compute it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.auth.models import User
from app.core.errors import PermissionDeniedError, ValidationError
from app.extensions import db
from app.indicators.metrics import compute_indicators
from app.org.models import Unit
from app.org.queries import find_unit_by_code, subtree_ids
from app.procedures import get_registry

UNRESTRICTED_ROLES = ("admin",)


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
    if user.role not in UNRESTRICTED_ROLES and (
        user.unit_id is None or unit.id not in subtree_ids(user.unit_id)
    ):
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


def indicators_for(user: User, args: dict) -> dict:
    """The API's answer: the resolved scope plus every metric (403 outside the user's subtree)."""
    _check(args.get("level"), args.get("procedure"))
    unit = _scope_unit(user, args.get("unit"))
    default_from, default_to = current_month()
    date_from, date_to = args.get("date_from", default_from), args.get("date_to", default_to)
    if date_from > date_to:
        raise ValidationError("Khoảng thời gian không hợp lệ", {"from": "'from' phải không sau 'to'"})
    metrics = compute_indicators(
        unit.id if unit else None, args.get("level"), args.get("procedure"), date_from, date_to
    )
    return {
        "unit": unit.code if unit else None,
        "level": args.get("level"),
        "procedure": args.get("procedure"),
        "date_from": date_from,
        "date_to": date_to,
        "metrics": metrics,
    }
