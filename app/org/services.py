"""Changes to the unit tree. Levels come from config (ORG_LEVELS), so a 2-tier province works."""

from __future__ import annotations

import re

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
    unit: Unit, *, name: str, kind: str, address: str | None = None, phone: str | None = None
) -> Unit:
    """Change a unit's name, kind, address and phone and commit. The code and level are its identity
    and place in the tree; they do not change."""
    problems: dict[str, str] = {}
    if not (name or "").strip():
        problems["name"] = "Cần nhập tên đơn vị"
    problem = _kind_problem(kind)
    if problem:
        problems["kind"] = problem
    if problems:
        raise ValidationError("Thông tin đơn vị không hợp lệ", problems)
    unit.name, unit.kind, unit.address, unit.phone = name.strip(), kind, address or None, phone or None
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
