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
    "agriculture_environment": _l("Nông nghiệp và Môi trường"),
    "finance": _l("Tài chính"),
    "police": _l("Công an"),
    "land_registry_branch": _l("Chi nhánh Văn phòng Đăng ký đất đai"),
    "economy": _l("Kinh tế / Kinh tế, Hạ tầng và Đô thị"),
    "culture_society": _l("Văn hóa - Xã hội"),
}
AREA_LABELS = {"island": _l("Xã đảo, đặc khu"), "remote": _l("Vùng sâu, vùng xa")}


def validity_label(unit) -> str:  # noqa: ANN001
    """ "01/07/2025 – nay", "… – 30/06/2025": the days a unit exists."""
    start = f"{unit.valid_from:%d/%m/%Y}" if unit.valid_from else "…"
    end = f"{unit.valid_to:%d/%m/%Y}" if unit.valid_to else str(_l("nay"))
    return f"{start} – {end}"


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def level_label(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))
