"""Authorisations (giấy ủy quyền): a citizen or an organisation (the principal) lets another account
(the representative) file and follow dossiers on its behalf, for every procedure or for some, until
an expiry; the signed authorisation document is kept with it. A revoked or expired authorisation
lets nobody act, but stays: the events its representative recorded name it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.core.time import to_local
from app.extensions import db

ALL, PROCEDURES = "all", "procedures"
SCOPES = (ALL, PROCEDURES)


class Authorisation(db.Model):
    __tablename__ = "authorisations"
    __table_args__ = (
        CheckConstraint("scope IN ('all', 'procedures')", name="scope_known"),
        CheckConstraint("principal_id <> representative_id", name="not_oneself"),
        Index("ix_authorisations_representative_principal", "representative_id", "principal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    representative_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    scope: Mapped[str] = mapped_column(String(16))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The authorisation document, checked on upload like every other document (sniffed type, PDF
    # structure and active content, image size, optional virus scan).
    storage_key: Mapped[str] = mapped_column(String(255))
    original_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    principal: Mapped[User] = relationship(foreign_keys=[principal_id])
    representative: Mapped[User] = relationship(foreign_keys=[representative_id])
    procedures: Mapped[list[AuthorisedProcedure]] = relationship(
        cascade="all, delete-orphan", order_by="AuthorisedProcedure.procedure_code"
    )

    @property
    def procedure_codes(self) -> list[str]:
        return [p.procedure_code for p in self.procedures]

    @property
    def valid_through(self) -> date:
        """The last day it is valid (Vietnam time): it ends when that day does."""
        return to_local(self.expires_at - timedelta(microseconds=1)).date()

    def is_valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and self.valid_from <= now < self.expires_at

    def covers(self, procedure_code: str) -> bool:
        return self.scope == ALL or procedure_code in self.procedure_codes


class AuthorisedProcedure(db.Model):
    """One procedure (national code) an authorisation of scope "procedures" covers."""

    __tablename__ = "authorised_procedures"
    __table_args__ = (UniqueConstraint("authorisation_id", "procedure_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authorisation_id: Mapped[int] = mapped_column(ForeignKey("authorisations.id", ondelete="CASCADE"))
    procedure_code: Mapped[str] = mapped_column(String(32))
