"""Electronic identities: the verified person or organisation behind an account.

An account (`app.auth.models.User`) that signed in through VNeID / the national portal's single
sign-on has one `Identity`: who the provider says it is (issuer and subject, the provider's stable
name for it), the verified attributes the forms are filled from, and the assurance level. The
account's name, ID number, phone and e-mail are kept equal to the identity's at every sign-in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db

PERSON, ORGANISATION = "person", "organisation"
KINDS = (PERSON, ORGANISATION)


class Identity(db.Model):
    __tablename__ = "identities"
    __table_args__ = (
        UniqueConstraint("issuer", "subject"),
        CheckConstraint("kind IN ('person', 'organisation')", name="kind_known"),
        CheckConstraint(
            "(kind = 'person' AND personal_id IS NOT NULL)"
            " OR (kind = 'organisation' AND tax_code IS NOT NULL)",
            name="kind_has_number",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    # A person: the 12-digit personal ID number and date of birth. An organisation: its tax code
    # (mã số thuế, 10 digits or 10-3) and its legal representative as the provider names them.
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    tax_code: Mapped[str | None] = mapped_column(String(14), unique=True)
    representative_name: Mapped[str | None] = mapped_column(String(255))
    representative_personal_id: Mapped[str | None] = mapped_column(String(12))
    assurance_level: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the last sign-in

    user: Mapped[User] = relationship()

    @property
    def is_person(self) -> bool:
        return self.kind == PERSON

    @property
    def is_organisation(self) -> bool:
        return self.kind == ORGANISATION
