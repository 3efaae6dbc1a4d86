"""Organisation units: a tree whose levels come from configuration (docs/domain.md, Units)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

# QCVN 102:2016: V1V2V3.Z1Z2.Y1Y2.MX1X2, MX1X2 a letter and two digits.
AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")


class Unit(db.Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # agency identity code (mã định danh)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(32), index=True)
    # What the unit does, used by workflows to pick a hand-off target: people_committee, one_stop,
    # justice, natural_resources, construction, land_registry, finance_planning, urban_management ...
    kind: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name!r}>"
