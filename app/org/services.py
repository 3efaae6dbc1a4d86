"""Changes to the unit tree. A unit's level must be one its period has (app.org.structure): the
three-tier past and the two-tier present sit in one database."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import current_app

from app.core.errors import ConflictError, ValidationError
from app.extensions import db
from app.org.models import AGENCY_CODE_RE, AREA_KINDS, Unit, UnitServiceArea, UnitSuccession
from app.org.queries import find_unit_by_code
from app.org.structure import current_structure


def levels(on: date | None = None) -> list[str]:
    """The levels of the period in force on `on` (every level of any period when None)."""
    if on is None:
        return list(current_app.config["ORG_LEVELS"])
    return list(current_structure().levels_on(on))


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
    valid_from: date | None = None,
    valid_to: date | None = None,
    area: str | None = None,
) -> Unit:
    """Create a unit (flush only). A child sits at the same level as its parent (a section of it)
    or below it; a root must be at the top level of its period; the level must be one the
    structure has on the unit's first day (the configured levels when it has no start date)."""
    errors: dict[str, str] = {}
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực"
    if area is not None and area not in AREA_KINDS:
        errors["area"] = f"Loại địa bàn '{area}' không hợp lệ; chọn: {', '.join(AREA_KINDS)}"
    if not AGENCY_CODE_RE.match(code or ""):
        errors["code"] = (
            f"Mã định danh '{code}' không đúng cấu trúc V1V2V3.Z1Z2.Y1Y2.MX1X2 (vd 000.00.01.H01)"
        )
    order = levels(valid_from)
    if level not in order:
        when = f" ngày {valid_from:%d/%m/%Y}" if valid_from else ""
        errors["level"] = f"Cấp '{level}' không thuộc danh sách cấp hành chính{when}: {', '.join(order)}"
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
        valid_from=valid_from,
        valid_to=valid_to,
        area=area,
    )
    db.session.add(unit)
    db.session.flush()
    return unit


# --- administration (admin pages): these own the transaction -----------------------------------

KIND_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")


def _kind_problem(kind: str) -> str | None:
    if not KIND_RE.match(kind or ""):
        return "Loại đơn vị gồm 2-32 ký tự chữ thường không dấu, số hoặc '_' (vd one_stop)"
    return None


def create_unit(*, parent_code: str | None, **fields: str | None) -> Unit:
    """Create a unit under the parent with code `parent_code` (None: a root) and commit."""
    parent = find_unit_by_code(parent_code) if parent_code else None
    if parent_code and parent is None:
        raise ValidationError("Thông tin đơn vị không hợp lệ", {"parent": "Không tìm thấy đơn vị cha"})
    problem = _kind_problem(fields.get("kind") or "")
    if problem:
        raise ValidationError("Thông tin đơn vị không hợp lệ", {"kind": problem})
    unit = add_unit(parent=parent, **fields)
    db.session.flush()
    return unit


def update_unit(
    unit: Unit,
    *,
    name: str,
    kind: str,
    address: str | None = None,
    phone: str | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
    area: str | None = None,
) -> Unit:
    """Change a unit's name, kind, address, phone, validity and area kind. The code and level are
    its identity and place in the tree; they do not change."""
    problems: dict[str, str] = {}
    if valid_from and valid_to and valid_to < valid_from:
        problems["valid_to"] = "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực"
    if area is not None and area not in AREA_KINDS:
        problems["area"] = f"Loại địa bàn '{area}' không hợp lệ; chọn: {', '.join(AREA_KINDS)}"
    if valid_from and unit.level not in levels(valid_from):
        problems["valid_from"] = f"Ngày {valid_from:%d/%m/%Y} cơ cấu tổ chức không có cấp '{unit.level}'"
    if not (name or "").strip():
        problems["name"] = "Cần nhập tên đơn vị"
    problem = _kind_problem(kind)
    if problem:
        problems["kind"] = problem
    if problems:
        raise ValidationError("Thông tin đơn vị không hợp lệ", problems)
    unit.name, unit.kind, unit.address, unit.phone = name.strip(), kind, address or None, phone or None
    unit.valid_from, unit.valid_to, unit.area = valid_from, valid_to, area or None
    db.session.flush()
    return unit


def set_unit_active(unit: Unit, active: bool) -> Unit:
    """Deactivate or reactivate a unit and commit. A unit with active units under it cannot be
    deactivated (deactivate those first); reactivating needs an active parent."""
    if not active and any(child.is_active for child in unit.children):
        raise ConflictError(
            "Đơn vị còn đơn vị trực thuộc đang hoạt động; hãy ngừng hoạt động các đơn vị đó trước"
        )
    if active and unit.parent is not None and not unit.parent.is_active:
        raise ConflictError("Đơn vị cha đang ngừng hoạt động; hãy kích hoạt đơn vị cha trước")
    unit.is_active = active
    db.session.flush()
    return unit


# --- reorganisation: mergers, splits and service areas -----------------------------------------


def add_succession(predecessor: Unit, successor: Unit, effective_on: date) -> UnitSuccession:
    """Record that `predecessor`'s area and work passed to `successor` on `effective_on` (flush
    only). The predecessor ends the day before, unless it already ends earlier; the successor
    must exist on that day."""
    problems: dict[str, str] = {}
    if predecessor.id == successor.id:
        problems["successor"] = "Đơn vị kế thừa phải khác đơn vị cũ"
    if not successor.exists_on(effective_on):
        problems["successor"] = f"Đơn vị {successor.code} không tồn tại ngày {effective_on:%d/%m/%Y}"
    if problems:
        raise ValidationError("Thông tin sắp xếp đơn vị không hợp lệ", problems)
    last_day = effective_on - timedelta(days=1)
    if predecessor.valid_to is None or predecessor.valid_to > last_day:
        predecessor.valid_to = last_day
    link = db.session.scalar(
        db.select(UnitSuccession).filter_by(predecessor_id=predecessor.id, successor_id=successor.id)
    )
    if link is None:
        link = UnitSuccession(predecessor=predecessor, successor=successor, effective_on=effective_on)
        db.session.add(link)
    db.session.flush()
    return link


def add_service_area(provider: Unit, area: Unit) -> UnitServiceArea:
    """`provider` (a land registry branch) serves `area` (a commune); idempotent, flush only."""
    link = db.session.scalar(db.select(UnitServiceArea).filter_by(provider_id=provider.id, area_id=area.id))
    if link is None:
        link = UnitServiceArea(provider=provider, area=area)
        db.session.add(link)
        db.session.flush()
    return link
