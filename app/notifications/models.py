"""Messages to applicants about their dossiers (one row per event and channel) and to petitioners
about their petitions, sent by a job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db

CHANNELS = ("email", "sms")
STATUSES = ("pending", "sent", "failed")


class Notification(db.Model):
    """What was (or will be) sent to whom. The text is rendered when the row is written, so a retry
    sends exactly what was decided at the time of the event; `status` is "failed" between retries."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("event_id", "channel"),)  # one event notifies once per channel

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a message about no dossier (the answer to a petition about a procedure).
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"))
    kind: Mapped[str] = mapped_column(String(32))  # accepted, incomplete, refused, result_ready ...
    channel: Mapped[str] = mapped_column(String(8))  # email / sms
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(255))  # e-mail only
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier | None] = relationship()
    event: Mapped[DossierEvent | None] = relationship()

    @property
    def is_sent(self) -> bool:
        return self.status == "sent"
