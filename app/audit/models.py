"""Records of the audit domain: anchors of the dossier history, verification runs, and who looked
at which dossier or downloaded which of its files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.org.models import Unit


class AuditAnchor(db.Model):
    """A signed digest of the whole event log up to `last_event_id`: the number of events and a
    digest over every dossier's latest hash, signed with HMAC-SHA256 under the audit key and copied
    to the object store. Each anchor names the one before it, so a removed anchor shows too."""

    __tablename__ = "audit_anchors"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_event_id: Mapped[int]
    event_count: Mapped[int]
    dossier_count: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    # One successor per anchor: two anchor jobs racing cannot fork the chain of anchors.
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("audit_anchors.id"), unique=True)
    previous_signature: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str | None] = mapped_column(String(255))


class AuditVerification(db.Model):
    """One run of the verifier (command line or admin page): what it walked and what it found."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running / ok / broken / failed
    dossier_code: Mapped[str | None] = mapped_column(String(40))  # one dossier only, or the whole log
    total_events: Mapped[int] = mapped_column(default=0)  # to walk, for the progress bar
    events_checked: Mapped[int] = mapped_column(default=0)
    dossiers_checked: Mapped[int] = mapped_column(default=0)
    anchors_checked: Mapped[int] = mapped_column(default=0)
    problem_kind: Mapped[str | None] = mapped_column(String(32))
    problem: Mapped[str | None] = mapped_column(Text)
    broken_dossier_code: Mapped[str | None] = mapped_column(String(40))
    broken_event_id: Mapped[int | None]
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    requested_by: Mapped[User | None] = relationship()

    @property
    def is_running(self) -> bool:
        return self.status == "running"

    @property
    def percent(self) -> int:
        return min(100, (100 * self.events_checked) // self.total_events) if self.total_events else 0


class DossierAccess(db.Model):
    """Someone other than the applicant opened a dossier or downloaded one of its files: who, in
    which role and unit at that moment, when and from where. Written in the request's own unit of
    work, so a refused request leaves no row."""

    __tablename__ = "dossier_accesses"
    __table_args__ = (
        Index("ix_dossier_accesses_dossier_at", "dossier_id", "created_at"),
        Index("ix_dossier_accesses_user_at", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(16))  # view / document / form
    channel: Mapped[str] = mapped_column(String(8))  # web / api
    document_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_documents.id", ondelete="SET NULL"))
    form_id: Mapped[int | None] = mapped_column(ForeignKey("issued_forms.id", ondelete="SET NULL"))
    item_name: Mapped[str | None] = mapped_column(String(255))  # the file's name, as shown then
    ip: Mapped[str | None] = mapped_column(String(45))

    user: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()
