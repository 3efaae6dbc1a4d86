"""Issued official forms (Mẫu 01-04, Circular 01/2018/TT-VPCP): one PDF per transition that calls for it.

A row is written (status ``pending``) by the outbox handler in the same transaction that marks the
``dossier.transitioned`` message processed; its ``content`` is the snapshot of what the form says,
taken then, so a render retried later prints the same facts. The render job fills in the stored PDF.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.documents.catalog import FORMS, FormKind
from app.extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")
STATUSES = ("pending", "ready", "failed")


class IssuedForm(db.Model):
    __tablename__ = "issued_forms"
    __table_args__ = (
        UniqueConstraint("event_id", "form"),
        CheckConstraint(f"form IN ({', '.join(repr(f) for f in FORMS)})", name="form_known"),
        CheckConstraint(f"status IN ({', '.join(repr(s) for s in STATUSES)})", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("dossier_events.id"))  # the transition that caused it
    form: Mapped[str] = mapped_column(String(8))  # a key of FORMS: mau_01 .. mau_04
    status: Mapped[str] = mapped_column(String(8), default="pending")
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # what the form says
    storage_key: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def kind(self) -> FormKind:
        return FORMS[self.form]

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
