"""Labels shown on the admin pages for roles, levels and unit kinds (the stored values are codes)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.roles import Role

ROLE_LABELS = {
    Role.CITIZEN: _l("Công dân"),
    Role.RECEPTION: _l("Cán bộ một cửa"),
    Role.SPECIALIST: _l("Chuyên viên"),
    Role.LEADER: _l("Lãnh đạo"),
    Role.SUPERVISOR: _l("Giám sát"),
    Role.ADMIN: _l("Quản trị viên"),
}
LEVEL_LABELS = {"province": _l("Cấp tỉnh"), "district": _l("Cấp huyện"), "commune": _l("Cấp xã")}
# Kinds the workflows use to pick hand-off targets; an administrator may type another one.
KIND_LABELS = {
    "people_committee": _l("Ủy ban nhân dân"),
    "one_stop": _l("Bộ phận Một cửa / Trung tâm PVHCC"),
    "justice": _l("Tư pháp"),
    "natural_resources": _l("Tài nguyên và Môi trường"),
    "construction": _l("Xây dựng"),
    "land_registry": _l("Văn phòng Đăng ký đất đai"),
    "finance_planning": _l("Tài chính - Kế hoạch"),
    "urban_management": _l("Kinh tế - Hạ tầng / Quản lý đô thị"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
