"""Changes to the unit tree. Levels come from config (ORG_LEVELS), so a 2-tier province works."""

from __future__ import annotations

from flask import current_app

from app.core.errors import ConflictError, ValidationError
from app.extensions import db
from app.org.models import AGENCY_CODE_RE, Unit
from app.org.queries import find_unit_by_code


def levels() -> list[str]:
    return list(current_app.config["ORG_LEVELS"])


def add_unit(
    *,
    code: str,
    name: str,
    level: str,
    kind: str,
    parent: Unit | None = None,
    name_en: str | None = None,
    address: str | None = None,
    phone: str | None = None,
) -> Unit:
    """Create a unit (flush only). A child sits at the same level as its parent (a section of it)
    or below it; a root must be at the top level."""
    errors: dict[str, str] = {}
    if not AGENCY_CODE_RE.match(code or ""):
        errors["code"] = (
            f"Mã định danh '{code}' không đúng cấu trúc V1V2V3.Z1Z2.Y1Y2.MX1X2 (vd 000.00.01.H01)"
        )
    order = levels()
    if level not in order:
        errors["level"] = f"Cấp '{level}' không thuộc danh sách cấp hành chính: {', '.join(order)}"
    elif parent is None and level != order[0]:
        errors["parent"] = f"Đơn vị gốc phải thuộc cấp '{order[0]}'"
    elif parent is not None and parent.level in order and order.index(level) < order.index(parent.level):
        errors["level"] = f"Cấp '{level}' cao hơn cấp của đơn vị cha '{parent.level}'"
    if errors:
        raise ValidationError("Thông tin đơn vị không hợp lệ", errors)
    if find_unit_by_code(code) is not None:
        raise ConflictError(f"Mã định danh '{code}' đã tồn tại", {"code": code})
    unit = Unit(
        code=code,
        name=name,
        name_en=name_en,
        level=level,
        kind=kind,
        parent=parent,
        address=address,
        phone=phone,
    )
    db.session.add(unit)
    db.session.flush()
    return unit
