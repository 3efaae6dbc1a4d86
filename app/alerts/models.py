"""One row per step and kind of deadline warning: a step alerts once when near due, once when overdue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

KINDS = ("near_due", "overdue")


class StepAlert(db.Model):
    """A deadline warning about one processing step; the unique (step_id, kind) makes the periodic
    scan idempotent even when two scans run at once."""

    __tablename__ = "step_alerts"
    __table_args__ = (UniqueConstraint("step_id", "kind", name="uq_step_alerts_step_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("dossier_steps.id"))  # indexed by the unique key
    kind: Mapped[str] = mapped_column(String(16))  # near_due / overdue
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # first leader notified
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # e-mails queued to leaders

    @property
    def is_notified(self) -> bool:
        return self.notified_at is not None
