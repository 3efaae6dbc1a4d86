"""Reads for the officer pages: who may be assigned, which procedures a counter takes."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.auth.roles import Role
from app.core.errors import NotFoundError
from app.extensions import db
from app.procedures import get_registry
from app.procedures.definitions import Procedure

COUNTER_CHANNELS = ("counter", "postal")


def list_specialists(unit_id: int) -> list[User]:
    """Active specialists of a unit: the people a dossier of that unit may be assigned to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.unit_id == unit_id, User.role == Role.SPECIALIST, User.is_active_account.is_(True))
            .order_by(User.full_name)
        )
    )


def list_intake_procedures(user: User) -> list[Procedure]:
    """Procedures in effect today that the officer's unit receives at a counter or by post."""
    unit = user.unit
    if unit is None:
        return []
    return [
        p
        for p in get_registry().list_current()
        if set(p.channels) & set(COUNTER_CHANNELS)
        and p.receives_at(unit.level, unit.kind)
    ]


def get_intake_procedure(user: User, code: str) -> Procedure:
    for procedure in list_intake_procedures(user):
        if procedure.code == code:
            return procedure
    raise NotFoundError(f"Đơn vị của bạn không tiếp nhận thủ tục '{code}' tại quầy")
