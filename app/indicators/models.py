"""What the indicators keep of their own: the daily rollup of the counted facts, its state, and
the indexes their live statements read on the records' tables.

`IndicatorDailyFact` holds, per local day, family, attribution basis, unit and procedure version,
the counters the indicator engine adds up (app.indicators.facts names them), and `RecordedFacts`
what it counted of each dossier. They are a copy of the records, never a source: a periodic job
(app.indicators.rollups) brings them up to yesterday, and a request adds to the rollup, for every
dossier changed since (`IndicatorRollupState.changed_from`), the difference between the dossier as
it is and as it was counted, and counts today from the records. So the numbers are those of the
records at the request, whatever the job's delay.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Index, SmallInteger, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db

_COMPLETED = "completed_at IS NOT NULL"
_OPEN = "received_at IS NOT NULL AND completed_at IS NULL AND queue_due_at IS NOT NULL"

# Which dossiers changed since the rollup was made: their days are counted from the records.
Index("ix_dossiers_updated_at", Dossier.updated_at)
# Completions in a period whatever unit they are attributed to (the 90th percentile of processing
# time, and completions of today and of changed days), read from the index alone.
Index(
    "ix_dossiers_completed_at",
    Dossier.completed_at,
    postgresql_include=[
        "receiving_unit_id",
        "competent_unit_id",
        "current_unit_id",
        "procedure_code",
        "processing_minutes",
    ],
    postgresql_where=text(_COMPLETED),
    sqlite_where=text(_COMPLETED),
)
# Open dossiers by the unit they are attributed to by default (the competent one, else the holder),
# with the other units they may be attributed to (in progress, overdue, near due): a unit's scope is
# a range of this index, the whole province one pass over it.
Index(
    "ix_dossiers_open_units",
    func.coalesce(Dossier.competent_unit_id, Dossier.current_unit_id),
    Dossier.due_at,
    postgresql_include=[
        "id",
        "competent_unit_id",
        "current_unit_id",
        "receiving_unit_id",
        "procedure_code",
        "paused_at",
    ],
    postgresql_where=text(_OPEN),
    sqlite_where=text(_OPEN),
)
# The dossiers behind a completion count (early / on time / late) of a unit by default, newest first.
Index(
    "ix_dossiers_completed_outcome",
    func.coalesce(Dossier.competent_unit_id, Dossier.current_unit_id),
    Dossier.outcome,
    Dossier.completed_at,
    postgresql_where=text(_COMPLETED),
    sqlite_where=text(_COMPLETED),
)
# Unfinished legs of each unit, paused ones included (in progress by leg).
Index(
    "ix_dossier_steps_unfinished",
    DossierStep.unit_id,
    postgresql_include=["dossier_id", "due_at", "near_due_at", "paused_at"],
    postgresql_where=text("finished_at IS NULL"),
    sqlite_where=text("finished_at IS NULL"),
)
# Legs finished in a period (progress by leg).
Index(
    "ix_dossier_steps_finished",
    DossierStep.finished_at,
    postgresql_include=["unit_id", "dossier_id", "outcome"],
    postgresql_where=text("finished_at IS NOT NULL"),
    sqlite_where=text("finished_at IS NOT NULL"),
)


def _counter() -> Mapped[int]:
    return mapped_column(BigInteger, default=0, server_default="0")


class IndicatorDailyFact(db.Model):
    """One local day's counters of one (family, basis, unit, procedure version). Rows exist only
    where something was counted; a missing row is zeros."""

    __tablename__ = "indicator_daily_facts"

    family: Mapped[str] = mapped_column(String(12), primary_key=True)  # intake / completion / legs
    basis: Mapped[str] = mapped_column(String(12), primary_key=True)  # competent / received / leg
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    unit_id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure_version: Mapped[int] = mapped_column(primary_key=True)
    # intake (by the day of acceptance)
    received: Mapped[int] = _counter()
    online: Mapped[int] = _counter()
    counter: Mapped[int] = _counter()
    postal: Mapped[int] = _counter()
    fully_online: Mapped[int] = _counter()
    digitised: Mapped[int] = _counter()
    reused: Mapped[int] = _counter()
    # completion (by the day the result was ready)
    completed: Mapped[int] = _counter()
    early: Mapped[int] = _counter()
    on_time: Mapped[int] = _counter()
    late: Mapped[int] = _counter()
    electronic: Mapped[int] = _counter()
    timed: Mapped[int] = _counter()
    minutes: Mapped[int] = _counter()
    ratings: Mapped[int] = _counter()
    satisfied: Mapped[int] = _counter()
    time_ok: Mapped[int] = _counter()
    once: Mapped[int] = _counter()
    good: Mapped[int] = _counter()
    # legs (by the day a unit's leg finished)
    legs: Mapped[int] = _counter()
    leg_early: Mapped[int] = _counter()
    leg_on_time: Mapped[int] = _counter()
    leg_late: Mapped[int] = _counter()


class RecordedFacts(db.Model):
    """What the daily rollup counted of one dossier (its unit under each reading, its days, its
    facts): a request subtracts this and adds the dossier as it is now for every dossier changed
    since the refresh, so the rollup never has to be younger than the records."""

    __tablename__ = "indicator_recorded_facts"
    __table_args__ = (
        Index("ix_indicator_recorded_facts_received_day", "received_day"),
        Index("ix_indicator_recorded_facts_completed_day", "completed_day"),
    )

    dossier_id: Mapped[int] = mapped_column(primary_key=True)
    received_day: Mapped[date | None] = mapped_column(Date)
    completed_day: Mapped[date | None] = mapped_column(Date)
    receiving_unit_id: Mapped[int]
    competent_unit_id: Mapped[int]  # the competent unit, else the unit holding or that finished it
    procedure_code: Mapped[str] = mapped_column(String(32))
    procedure_version: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))
    digitised: Mapped[bool]
    reused: Mapped[bool]
    outcome: Mapped[str | None] = mapped_column(String(10))
    is_electronic: Mapped[bool]
    minutes: Mapped[int | None]
    rating_overall: Mapped[int | None] = mapped_column(SmallInteger)
    rating_time: Mapped[str | None] = mapped_column(String(16))
    rating_contacts: Mapped[str | None] = mapped_column(String(16))
    rating_conduct: Mapped[str | None] = mapped_column(String(16))

    @classmethod
    def electronic(cls) -> Any:
        return cls.is_electronic.is_(True)


class IndicatorRollupState(db.Model):
    """The rollup's single row. The rollup and the recorded facts hold every day up to
    `through_day` as the records were at `refreshed_at` (the snapshot the job read); dossiers
    changed from `changed_from` (that instant less the margin a transaction may stay open) are
    corrected at each request, and legs finished from `legs_from` are counted from the records."""

    __tablename__ = "indicator_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_from: Mapped[datetime] = mapped_column(UTCDateTime)
    legs_from: Mapped[datetime] = mapped_column(UTCDateTime)
    through_day: Mapped[date] = mapped_column(Date)
    rebuilt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    days_refreshed: Mapped[int] = mapped_column(default=0)
