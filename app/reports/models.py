"""Monthly indicator reports: one PDF per unit and month, made by the scheduled job on the
1st of each month or asked for by a leader, supervisor or admin.

The unique (unit_id, month) of whole-month reports makes the monthly job idempotent: running it
twice, or two runs at once, never makes a second report. ``month`` is the first day of the month
reported on (a local date). A month-to-date report of the running month (``as_of``: the last day it
counts) is unique per unit and day, beside the whole-month report made once the month has ended.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.org.models import Unit

STATUSES = ("pending", "rendering", "ready", "failed")


class MonthlyReport(db.Model):
    __tablename__ = "monthly_reports"
    __table_args__ = (
        Index(
            "uq_monthly_reports_unit_month_whole",
            "unit_id",
            "month",
            unique=True,
            postgresql_where=text("as_of IS NULL"),
            sqlite_where=text("as_of IS NULL"),
        ),
        Index(
            "uq_monthly_reports_unit_month_as_of",
            "unit_id",
            "month",
            "as_of",
            unique=True,
            postgresql_where=text("as_of IS NOT NULL"),
            sqlite_where=text("as_of IS NOT NULL"),
        ),
        Index("ix_monthly_reports_month", "month"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # indexed by the unique key
    month: Mapped[date] = mapped_column(Date)  # first day of the month reported on
    as_of: Mapped[date | None] = mapped_column(Date)  # month to date: the last day counted; None: whole month
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the monthly job
    status: Mapped[str] = mapped_column(String(10), default="pending")
    storage_key: Mapped[str | None] = mapped_column(String(255))  # from put_stream, never user text
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the figures were taken
    error: Mapped[str | None] = mapped_column(Text)  # for operators (logs, CLI); never sent to clients

    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def is_ready(self) -> bool:
        return self.status == "ready"

    @property
    def is_failed(self) -> bool:
        return self.status == "failed"

    @property
    def is_month_to_date(self) -> bool:
        return self.as_of is not None

    @property
    def month_label(self) -> str:
        """'11/2026', as printed and listed."""
        return f"{self.month:%m/%Y}"

    def filename(self) -> str:
        through = f"-den-ngay-{self.as_of:%d}" if self.as_of is not None else ""
        return f"BaoCao-{self.unit.code}-{self.month:%Y-%m}{through}.pdf"
