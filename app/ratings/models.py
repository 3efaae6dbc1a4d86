"""A citizen's satisfaction rating of one dossier: overall score plus the criteria the indicators
count (time against the statutory deadline, number of contacts, officers' conduct)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, SmallInteger, String, Text, event, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.dossiers.models import Dossier, expire_after_flush
from app.extensions import db

OVERALL_RANGE = (1, 5)
SATISFIED_FROM = 4  # 4 "hài lòng" and 5 "rất hài lòng" count as satisfied
TIME_CHOICES = ("faster", "on_time", "late")
CONTACT_CHOICES = ("once", "twice", "three_or_more")
CONDUCT_CHOICES = ("good", "acceptable", "poor")


def _one_of(column: str, choices: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IN ({', '.join(repr(c) for c in choices)})", name=f"{column}_known")


class Rating(db.Model):
    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint(f"overall BETWEEN {OVERALL_RANGE[0]} AND {OVERALL_RANGE[1]}", name="overall_range"),
        _one_of("time_vs_statutory", TIME_CHOICES),
        _one_of("contacts", CONTACT_CHOICES),
        _one_of("conduct", CONDUCT_CHOICES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    overall: Mapped[int] = mapped_column(SmallInteger)
    time_vs_statutory: Mapped[str] = mapped_column(String(16))
    contacts: Mapped[str] = mapped_column(String(16))
    conduct: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier] = relationship()

    @property
    def is_satisfied(self) -> bool:
        return self.overall >= SATISFIED_FROM


@event.listens_for(Session, "after_flush")
def _copy_to_dossier(session: Session, _context: object) -> None:
    """Keep the rating's answers on its dossier (Dossier.rating_*), in the same transaction, so the
    satisfaction indicators are counted with the other completion figures from one index."""
    for rating in (*session.new, *session.dirty):
        if isinstance(rating, Rating):
            session.connection().execute(
                update(Dossier)
                .where(Dossier.id == rating.dossier_id)
                .values(
                    rating_overall=rating.overall,
                    rating_time=rating.time_vs_statutory,
                    rating_contacts=rating.contacts,
                    rating_conduct=rating.conduct,
                )
            )
            expire_after_flush(session, [rating.dossier_id], RATING_COLUMNS)


RATING_COLUMNS = ("rating_overall", "rating_time", "rating_contacts", "rating_conduct")
