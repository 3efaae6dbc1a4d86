"""Signed electronic results and their pushes to the citizen's personal data store.

A `SignedResult` is an original electronic result (Law on E-Transactions 2023, Decree 137/2024): a
result file of a dossier carrying the issuing agency's digital signature, signed by this system at
approval or uploaded already signed and verified. It keeps, as of its issue, what the public
verification page shows (agency, procedure, date, number, SHA-256 of the file) so that page reads
no dossier and no personal data. Its `token` is the unguessable part of the page's address, printed
in the QR code of the signature block.

A `DataStorePush` sends one signed result to the citizen's personal data store (Kho quản lý dữ liệu
điện tử); states as the national deliveries (app.sync): pending (due at `next_attempt_at`) →
in_flight (claimed until `lease_until`) → delivered, or back to pending after a failure, or dead
once the retry horizon has passed. Each HTTP try is a `DataStorePushAttempt`: its delivery log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.dossiers.models import DossierDocument
from app.extensions import db

SIGNED_HERE, SIGNED_UPLOAD = "signed_here", "signed_upload"  # SignedResult.origin
PUSH_STATES = ("pending", "in_flight", "delivered", "dead")


class SignedResult(db.Model):
    __tablename__ = "signed_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("dossier_documents.id"), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    number: Mapped[str] = mapped_column(String(80), unique=True)  # số kết quả, printed in the block
    token: Mapped[str] = mapped_column(String(64), unique=True)  # /ket-qua/<token>, in the QR code
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the stored, signed file
    origin: Mapped[str] = mapped_column(String(16))  # SIGNED_HERE / SIGNED_UPLOAD
    issuer_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    issuer_name: Mapped[str] = mapped_column(String(255))  # the issuing agency, as of the issue
    signer_name: Mapped[str] = mapped_column(String(255))  # who signed (the leader, or the certificate)
    certificate_subject: Mapped[str] = mapped_column(String(500))
    certificate_issuer: Mapped[str] = mapped_column(String(500))
    certificate_serial: Mapped[str] = mapped_column(String(80))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the signing time in the signature
    has_timestamp: Mapped[bool] = mapped_column(default=False)  # an RFC 3161 token of a TSA
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_name: Mapped[str] = mapped_column(String(500))
    result_name: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The backref puts the row in the session with its document (the engine adds the document).
    document: Mapped[DossierDocument] = relationship(backref=backref("signed_result", uselist=False))


class DataStorePush(db.Model):
    __tablename__ = "data_store_pushes"
    __table_args__ = (
        Index(
            "ix_data_store_pushes_due",
            "next_attempt_at",
            postgresql_where=text("state IN ('pending', 'in_flight')"),
            sqlite_where=text("state IN ('pending', 'in_flight')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    signed_result_id: Mapped[int] = mapped_column(ForeignKey("signed_results.id"), unique=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    message_id: Mapped[str] = mapped_column(String(80), unique=True)  # stable across retries
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the horizon counts from here
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    signed_result: Mapped[SignedResult] = relationship()
    attempts_log: Mapped[list[DataStorePushAttempt]] = relationship(
        back_populates="push", order_by="DataStorePushAttempt.id"
    )


class DataStorePushAttempt(db.Model):
    """One HTTP try of a push: status, latency, error."""

    __tablename__ = "data_store_push_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(ForeignKey("data_store_pushes.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    http_status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    is_success: Mapped[bool] = mapped_column(default=False)

    push: Mapped[DataStorePush] = relationship(back_populates="attempts_log")
