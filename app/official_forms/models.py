"""Issued official forms: one PDF per form a transition declares (receipt, supplement request, ...,
in the form set in force on the event's day), and the tracking books, one PDF per unit and period
asked for by a staff member.

A row is written (status ``pending``) by the outbox handler in the same transaction that marks the
``dossier.transitioned`` message processed; its ``content`` is the snapshot of what the form says,
taken then, so a render retried later prints the same facts. The render job fills in the stored PDF.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.core.time import to_local
from app.extensions import db
from app.official_forms.catalog import FormKind, form_set, form_set_on
from app.org.models import Unit

JSONType = JSON().with_variant(JSONB(), "postgresql")
STATUSES = ("pending", "ready", "failed")
BOOK_STATUSES = ("pending", "rendering", "ready", "failed")


class IssuedForm(db.Model):
    __tablename__ = "issued_forms"
    __table_args__ = (
        UniqueConstraint("event_id", "form_key"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dossier_events.id"))  # the transition that caused it
    form_key: Mapped[str] = mapped_column(String(32))  # the form-set key: receipt, control_sheet ...
    form_set: Mapped[str] = mapped_column(String(16))  # the set in force on the event's day
    form: Mapped[str] = mapped_column(String(8))  # the form in its set: mau_01 ...
    status: Mapped[str] = mapped_column(String(8), default="pending")
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # what the form says
    storage_key: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def kind(self) -> FormKind:
        return form_set(self.form_set).form(self.form_key)

    @property
    def title(self) -> str:
        """The official Vietnamese title (API, PDF)."""
        return self.kind.title

    @property
    def label(self) -> str:
        """'Mẫu 01 - <title>' in the page's language (pages only: needs a request)."""
        return self.kind.label

    @property
    def is_ready(self) -> bool:
        return self.status == "ready"

    def filename(self, dossier_code: str) -> str:
        return f"Mau{self.kind.number}-{dossier_code}.pdf"


class TrackingBook(db.Model):
    """The tracking book, Sổ theo dõi hồ sơ: the dossiers a unit received in a period (local dates, both
    included). The render job reports ``progress`` (0-100) as it goes, so a page can show it."""

    __tablename__ = "tracking_books"
    __table_args__ = (
        Index("ix_tracking_books_unit_id_id", "unit_id", "id"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in BOOK_STATUSES)})", name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        CheckConstraint("date_from <= date_to", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    progress: Mapped[int] = mapped_column(SmallInteger, default=0)
    row_count: Mapped[int | None]
    storage_key: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)  # for operators (logs, CLI); never sent to clients

    unit: Mapped[Unit] = relationship()
    requested_by: Mapped[User | None] = relationship()

    @property
    def kind(self) -> FormKind:
        """The tracking book of the set in force on the day the book was asked for (Mẫu 06, 07)."""
        return form_set_on(to_local(self.created_at or utcnow()).date()).tracking_book

    @property
    def is_ready(self) -> bool:
        return self.status == "ready"

    @property
    def is_failed(self) -> bool:
        return self.status == "failed"

    @property
    def is_finished(self) -> bool:
        """Nothing more will happen by itself: ready, or failed (retries may still turn it ready)."""
        return self.status in ("ready", "failed")

    def filename(self) -> str:
        period = f"{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}"
        return f"Mau{self.kind.number}-SoTheoDoi-{self.unit.code}-{period}.pdf"
