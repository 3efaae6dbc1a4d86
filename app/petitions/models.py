"""Feedback and petitions (phản ánh, kiến nghị) about a procedure or a dossier, and the deadline an
administrator sets for answering them.

A petition is routed to one unit when it is filed (`unit_id`, `routed_by`), gets its own deadline in
working days from the filing (`deadline_days`, `due_at`, both fixed at filing, so a later change of
the setting moves no deadline already given), is answered once by an officer of the unit that holds
it, publicly or privately, and the answer may be rated by the petitioner. The indicators count
`answered_at` against `due_at` and the rating (Decision 766, group 5).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.dossiers.models import Dossier
from app.extensions import db
from app.org.models import Unit

FEEDBACK, PETITION = "feedback", "petition"  # phản ánh, kiến nghị
KINDS = (FEEDBACK, PETITION)
# How the holding unit was chosen: the dossier's unit, the unit the petitioner chose among those that
# handle the procedure, the only unit that handles it, the provincial centre when none could be told,
# or an officer's forwarding.
ROUTES = ("dossier_unit", "chosen_unit", "procedure_unit", "fallback", "forwarded")
RATING_RANGE = (1, 5)
OUTCOMES = ("early", "on_time", "late")
_OPEN = "answered_at IS NULL"
_PUBLIC = "is_public AND answered_at IS NOT NULL"


def _one_of(column: str, choices: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(c) for c in choices)})", name=f"{column}_known")


class Petition(db.Model):
    __tablename__ = "petitions"
    __table_args__ = (
        _one_of("kind", KINDS),
        _one_of("routed_by", ROUTES),
        CheckConstraint(f"rating BETWEEN {RATING_RANGE[0]} AND {RATING_RANGE[1]}", name="rating_range"),
        CheckConstraint("(answered_at IS NULL) = (answer IS NULL)", name="answer_with_time"),
        CheckConstraint("NOT is_public OR public_summary IS NOT NULL", name="public_has_summary"),
        CheckConstraint("rating IS NULL OR answered_at IS NOT NULL", name="rated_after_answer"),
        # A unit's open petitions in due order (the officers' queue, overdue first).
        Index(
            "ix_petitions_queue",
            "unit_id",
            "due_at",
            "id",
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
        # Group 5 of the indicators: answers per unit and period, with what they count.
        Index(
            "ix_petitions_answered",
            "unit_id",
            "answered_at",
            postgresql_include=["due_at", "rating", "procedure_code"],
        ),
        Index(
            "ix_petitions_public",
            "answered_at",
            "id",
            postgresql_where=text(_PUBLIC),
            sqlite_where=text(_PUBLIC),
        ),
        Index("ix_petitions_petitioner", "petitioner_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # PAKN-XXXX-XXXX, shown to the petitioner
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    # What it is about: always a procedure; a dossier too when it is about one (its procedure then).
    procedure_code: Mapped[str] = mapped_column(String(32))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)

    # Who filed it: a signed-in citizen, or nobody known (filed without signing in). Contact details
    # are the petitioner's own choice for an anonymous one; they are never shown publicly.
    petitioner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_anonymous: Mapped[bool] = mapped_column(default=False)
    petitioner_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20))
    # SHA-256 of the follow-up key an anonymous petitioner is given once, to read the answer and rate it.
    access_key_hash: Mapped[str | None] = mapped_column(String(64))

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    routed_by: Mapped[str] = mapped_column(String(16))
    forwarded_from_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    forward_note: Mapped[str | None] = mapped_column(Text)

    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_days: Mapped[int]
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)

    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=False)
    # The question as the officer publishes it (no names, addresses or numbers of the petitioner).
    public_summary: Mapped[str | None] = mapped_column(Text)
    # The words of the published summary and answer, folded (no diacritics), for the public search.
    public_search: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(10))  # early / on_time / late, at the answer
    answer_notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"))

    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])
    forwarded_from: Mapped[Unit | None] = relationship(foreign_keys=[forwarded_from_id])
    dossier: Mapped[Dossier | None] = relationship()
    petitioner: Mapped[User | None] = relationship(foreign_keys=[petitioner_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, now: datetime) -> bool:
        """Still unanswered after its deadline."""
        return self.answered_at is None and now > self.due_at

    @property
    def is_on_time(self) -> bool:
        return self.answered_at is not None and self.answered_at <= self.due_at


class PetitionDeadline(db.Model):
    """The working days an answer may take, per kind, as an administrator set them; a kind without
    a row takes PETITION_DEADLINE_DAYS."""

    __tablename__ = "petition_deadlines"
    __table_args__ = (CheckConstraint("working_days BETWEEN 1 AND 90", name="working_days_range"),)

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    working_days: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
