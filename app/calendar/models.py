"""Administrator entries of the working calendar: days off and make-up working days.

Public holidays and announced swaps come from the ``holidays`` package at run time and are not
stored; a row here overrides them for its date.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

from .clock import DAY_KINDS


class CalendarDay(db.Model):
    __tablename__ = "calendar_days"
    __table_args__ = (
        CheckConstraint("kind IN ({})".format(", ".join(f"'{k}'" for k in DAY_KINDS)), name="kind"),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "day_off" | "working_day"
    note: Mapped[str] = mapped_column(String(255), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Plain integer, no foreign key: the users table belongs to the auth domain.
    updated_by_id: Mapped[int | None] = mapped_column(Integer)

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {self.kind}>"
