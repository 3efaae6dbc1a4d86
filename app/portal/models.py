"""Drafts of online applications: what a citizen typed and uploaded before submitting.

A draft is never validated when saved: saving must keep whatever is there, valid or not.
Its documents' bytes are already in the object store; on submission they pass to the dossier.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Draft(db.Model):
    __tablename__ = "drafts"
    __table_args__ = (Index("ix_drafts_user_updated", "user_id", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Filed for someone else (app.representation): the principal's account; None for oneself.
    principal_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_version: Mapped[int]
    unit_code: Mapped[str | None] = mapped_column(String(20))  # chosen receiving unit
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)  # field key -> text as typed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    documents: Mapped[list[DraftDocument]] = relationship(
        back_populates="draft", cascade="all, delete-orphan", order_by="DraftDocument.id"
    )

    def document(self, doc_key: str) -> DraftDocument | None:
        return next((d for d in self.documents if d.doc_key == doc_key), None)


class DraftDocument(db.Model):
    """One file per document key. `reused_from_id` set: the bytes belong to an earlier dossier's
    document (docs/domain.md, Reuse), so the draft must never delete that object."""

    __tablename__ = "draft_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    doc_key: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(128))
    reused_from_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_documents.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="documents")

    @property
    def owns_object(self) -> bool:
        return self.reused_from_id is None
