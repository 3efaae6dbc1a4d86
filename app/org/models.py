"""Organisation units: a tree whose levels come from the structure of each period (app.org.structure).

A unit exists from `valid_from` to `valid_to` (None: open). When units are merged or split (the
2025 reorganisation), the old unit keeps its code and name for the dossiers it held, ends on the
day before the change, and names its successors (UnitSuccession); indicators can then be read per
old unit or restated per new unit. A unit may serve other units' areas (UnitServiceArea: a land
registry branch serves a list of communes), and a commune may be an island or remote area, where
some procedures allow more time.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

# QCVN 102:2016: V1V2V3.Z1Z2.Y1Y2.MX1X2, MX1X2 a letter and two digits.
AGENCY_CODE_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
AREA_KINDS = ("island", "remote")  # đặc khu / xã đảo; vùng sâu, vùng xa


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
    valid_from: Mapped[date | None] = mapped_column(Date)  # None: since before the records begin
    valid_to: Mapped[date | None] = mapped_column(Date)  # last day; None: still exists
    area: Mapped[str | None] = mapped_column(String(16))  # AREA_KINDS, for area-dependent deadlines
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent")

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name!r}>"

    def exists_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class UnitSuccession(db.Model):
    """`predecessor` ended and its area and work went to `successor` on `effective_on` (a merger
    has several predecessors with one successor; a split one predecessor with several)."""

    __tablename__ = "unit_successions"
    __table_args__ = (UniqueConstraint("predecessor_id", "successor_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)

    predecessor: Mapped[Unit] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Unit] = relationship(foreign_keys=[successor_id])


class UnitServiceArea(db.Model):
    """`provider` handles work for the area of `area` (a land registry branch and its communes)."""

    __tablename__ = "unit_service_areas"
    __table_args__ = (UniqueConstraint("provider_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)

    provider: Mapped[Unit] = relationship(foreign_keys=[provider_id])
    area: Mapped[Unit] = relationship(foreign_keys=[area_id])
