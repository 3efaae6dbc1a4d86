"""Dossiers filed on the National Public Service Portal, as received here (app.inbound.receiving).

One `InboundFiling` per national dossier code, whichever transport brought it and however often: a
duplicate finds its row and creates nothing. States:

- `pending`: recorded, to be made a dossier (documents fetched, checked, stored); retried with
  backoff after a failure that may pass (a document URL failing, the store down) until
  `INBOUND_RETRY_HOURS`, then `failed`;
- `received`: the dossier exists (`dossier_id`); it follows its workflow like any other;
- `held`: its procedure cannot be mapped to one of this system's procedures (no workflow to follow,
  so no dossier can exist yet): it waits, with the reason, for an officer of the provincial centre
  to name the procedure, or for the mapping to be completed and the filing retried;
- `rejected`: it cannot become a dossier as sent (the form or a document is refused, the
  applicant's identity is not verified at the level the law asks); the portal is told why. The same
  national code sent again, corrected, is tried again;
- `failed`: retries ran out; an administrator may try it again.

A dossier whose procedure maps but whose unit does not is `received`: it waits in the provincial
centre's dispatch queue with the reason (`Dossier.dispatch_reason`), like any dossier nobody can route.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.dossiers.models import Dossier
from app.extensions import db

JSONType = JSON().with_variant(JSONB(), "postgresql")
PENDING, RECEIVED, HELD, REJECTED, FAILED = "pending", "received", "held", "rejected", "failed"
STATES = (PENDING, RECEIVED, HELD, REJECTED, FAILED)
TRANSPORTS = ("push", "poll")


class InboundFiling(db.Model):
    __tablename__ = "inbound_filings"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'received', 'held', 'rejected', 'failed')", name="state_known"),
        CheckConstraint("transport IN ('push', 'poll')", name="transport_known"),
        # The sweep's "what is due" scan.
        Index(
            "ix_inbound_filings_due",
            "next_attempt_at",
            postgresql_where=text("state = 'pending'"),
            sqlite_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    national_code: Mapped[str] = mapped_column(String(40), unique=True)
    message_id: Mapped[str] = mapped_column(String(80))  # of the envelope that first brought it
    transport: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    envelope: Mapped[dict[str, Any]] = mapped_column(JSONType)  # as received (the last version tried)
    localised_code: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(String(40))
    applicant_name: Mapped[str] = mapped_column(String(255))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # on the portal
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first seen here
    # The procedure an officer named for a held filing (else the mapping decides).
    procedure_code: Mapped[str | None] = mapped_column(String(32))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why held / rejected / the last failure
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duplicates: Mapped[int] = mapped_column(default=0)  # times it came again after the first
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who named the procedure

    dossier: Mapped[Dossier | None] = relationship()

    @property
    def portal_procedure_name(self) -> str | None:
        """The procedure's name as the portal sent it (TenTTHC), if it did."""
        data = self.envelope.get("DuLieu") if isinstance(self.envelope, dict) else None
        name = data.get("TenTTHC") if isinstance(data, dict) else None
        return name if isinstance(name, str) else None

    @property
    def is_open(self) -> bool:
        """Still to become a dossier (or to be decided about)."""
        return self.state in (PENDING, HELD, FAILED)
