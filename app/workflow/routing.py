"""Which unit is competent for a dossier, and where a dossier goes when nobody can tell.

Under Decree 118/2025 a procedure on the province's list is received regardless of administrative
boundary (phi địa giới): any commune or provincial centre receives it and it is routed to the
competent unit. The competent unit is the administrative area at the procedure's competent level:
the unit the applicant names in the procedure's `competent_from` form field (where the land is),
or else the receiving unit's own area. When neither tells (an optional field left empty, a
provincial centre receiving a commune matter), the dossier waits at the provincial centre's
dispatch queue until a receiving officer there names the competent unit (the `dispatch`
transition every workflow has).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.core.errors import ValidationError
from app.org.models import Unit
from app.org.queries import ancestors_or_self, area_at_level, find_unit_by_code, list_units_matching
from app.procedures.definitions import Procedure


def competent_unit_for(
    procedure: Procedure, receiving: Unit, data: dict[str, Any]
) -> tuple[Unit | None, str | None]:
    """(competent unit, None), or (None, why it is unknown)."""
    if procedure.competent_from:
        field = next(f for f in procedure.fields if f.key == procedure.competent_from)
        code = data.get(procedure.competent_from)
        named = find_unit_by_code(code) if isinstance(code, str) and code else None
        if named is None:
            return None, f"Chưa xác định được đơn vị có thẩm quyền: chưa chọn '{field.label.vi}'"
        area = area_at_level(named, procedure.competent_level)
        if area is None:
            return None, f"'{named.name}' không thuộc đơn vị hành chính cấp '{procedure.competent_level}' nào"
        return area, None
    area = area_at_level(receiving, procedure.competent_level)
    if area is None:
        return None, (
            f"Nơi tiếp nhận '{receiving.name}' không thuộc đơn vị cấp '{procedure.competent_level}' nào: "
            f"cần chọn đơn vị có thẩm quyền"
        )
    return area, None


def is_outside_area(receiving: Unit, competent: Unit | None) -> bool:
    """Received by a unit that is not inside the competent unit's area (phi địa giới)."""
    return competent is not None and competent.id not in {u.id for u in ancestors_or_self(receiving)}


def check_boundary(procedure: Procedure, receiving: Unit, competent: Unit | None) -> None:
    """A procedure that is not on the no-boundary list is received inside its competent area."""
    if procedure.no_boundary or not is_outside_area(receiving, competent):
        return
    assert competent is not None
    raise ValidationError(
        "Thủ tục này không thuộc danh mục tiếp nhận không phụ thuộc địa giới hành chính",
        {"unit": f"Nộp hồ sơ tại đơn vị thuộc '{competent.name}'"},
    )


def dispatch_unit(levels_top: str, on: date) -> Unit | None:
    """The provincial Public Administration Service Centre existing on `on`: the dispatch queue."""
    found = list_units_matching("one_stop", levels_top, None, on=on)
    return found[0] if found else None


def competent_choices(procedure: Procedure, on: date) -> list[Unit]:
    """The units a dispatching officer may name: the areas at the competent level on `on`."""
    from app.org.queries import list_units_at_level

    return list_units_at_level(procedure.competent_level, on)
