"""Dossiers and their processing records: what the indicators read.

State changes go through app.workflow.engine only; nothing else assigns `Dossier.state`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, validates

from app.auth.models import User
from app.core.db import UTCDateTime, utcnow
from app.extensions import db
from app.org.models import Unit

if TYPE_CHECKING:
    from app.dossiers.snapshots import Snapshot

JSONType = JSON().with_variant(JSONB(), "postgresql")


_RUNNING = "queue_due_at IS NOT NULL AND due_at IS NOT NULL AND paused_at IS NULL"
_OPEN = "received_at IS NOT NULL AND completed_at IS NULL AND queue_due_at IS NOT NULL"
_OPEN_STEP = "finished_at IS NULL AND paused_at IS NULL"
NEAR_DUE_SHARE = 0.4  # a step is near due when less than 40% of its working time is left


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_unit_state_due", "current_unit_id", "state", "due_at"),
        Index("ix_dossiers_applicant", "applicant_id", "id"),
        # Officer queues (app.queues): one unit's open dossiers in due order, keyset on (queue_due_at, id).
        Index(
            "ix_dossiers_queue",
            "current_unit_id",
            "queue_due_at",
            "id",
            postgresql_where=text("queue_due_at IS NOT NULL"),
            sqlite_where=text("queue_due_at IS NOT NULL"),
        ),
        # The "overdue" filter of a queue (with or without a procedure): accepted, running dossiers in
        # due order, so the scan stops at "now" instead of walking the unit's whole queue.
        Index(
            "ix_dossiers_queue_running",
            "current_unit_id",
            "queue_due_at",
            "id",
            postgresql_where=text(_RUNNING),
            sqlite_where=text(_RUNNING),
        ),
        Index(
            "ix_dossiers_queue_running_procedure",
            "current_unit_id",
            "procedure_code",
            "queue_due_at",
            "id",
            postgresql_where=text(_RUNNING),
            sqlite_where=text(_RUNNING),
        ),
        # Indicators (app.indicators): reception counts by receiving unit and acceptance time,
        # completion counts by handling unit and completion time, open dossiers by handling unit;
        # the counted columns are included so PostgreSQL answers from the index alone.
        Index(
            "ix_dossiers_received",
            "receiving_unit_id",
            "received_at",
            postgresql_include=["procedure_code", "channel", "has_digitised_inputs", "has_reused_document"],
            postgresql_where=text("received_at IS NOT NULL"),
            sqlite_where=text("received_at IS NOT NULL"),
        ),
        Index(
            "ix_dossiers_completed",
            "current_unit_id",
            "completed_at",
            postgresql_include=[
                "id",
                "procedure_code",
                "procedure_version",
                "outcome",
                "processing_minutes",
                "return_method",
                "has_result_document",
                "rating_overall",
                "rating_time",
                "rating_contacts",
                "rating_conduct",
            ],
            postgresql_where=text("completed_at IS NOT NULL"),
            sqlite_where=text("completed_at IS NOT NULL"),
        ),
        Index(
            "ix_dossiers_open",
            "current_unit_id",
            "due_at",
            postgresql_include=["id", "procedure_code", "paused_at"],
            postgresql_where=text(_OPEN),
            sqlite_where=text(_OPEN),
        ),
        # Name search without diacritics: trigram index on PostgreSQL (LIKE '%word%'); plain elsewhere.
        Index(
            "ix_dossiers_applicant_name_search",
            "applicant_name_search",
            postgresql_using="gin",
            postgresql_ops={"applicant_name_search": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock, see __mapper_args__
    procedure_code: Mapped[str] = mapped_column(String(32), index=True)
    procedure_version: Mapped[int]
    state: Mapped[str] = mapped_column(String(48))
    national_status: Mapped[int]
    channel: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str | None] = mapped_column(String(500))  # trích yếu
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    applicant_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applicant_name: Mapped[str] = mapped_column(String(255))
    applicant_name_search: Mapped[str | None] = mapped_column(String(255))  # see _fold_name
    applicant_citizen_id: Mapped[str | None] = mapped_column(String(12), index=True)
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    applicant_email: Mapped[str | None] = mapped_column(String(255))
    applicant_address: Mapped[str | None] = mapped_column(String(255))

    receiving_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    current_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # The unit competent to decide (the commune where the land is, the provincial Police ...); it may
    # differ from the receiving unit for a procedure received regardless of administrative boundary.
    # NULL with dispatch_reason set: nobody could tell, the dossier waits in the dispatch queue.
    competent_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    dispatch_reason: Mapped[str | None] = mapped_column(String(255))
    # Received by a unit outside the competent unit's area (phi địa giới).
    received_outside_area: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    origin_dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"))  # liên thông origin

    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # accepted: clock starts
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # legal due time
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # shown to the citizen
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # result ready (national 9)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # result returned (10)
    return_method: Mapped[str | None] = mapped_column(String(16))
    # Working minutes from acceptance to completion, paused time excluded; set when the result is ready.
    processing_minutes: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(String(10))  # early / on_time / late
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_minutes: Mapped[int] = mapped_column(default=0)  # working minutes paused
    is_extended: Mapped[bool] = mapped_column(default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Document facts the indicators count, kept by _refresh_document_flags after every flush that
    # touches a document: every current input digitised (and at least one), a reused input, a result.
    has_digitised_inputs: Mapped[bool] = mapped_column(default=False)
    has_reused_document: Mapped[bool] = mapped_column(default=False)
    has_result_document: Mapped[bool] = mapped_column(default=False)
    # The citizen's rating, copied from app.ratings.models.Rating when it is given or changed.
    rating_overall: Mapped[int | None] = mapped_column(SmallInteger)
    rating_time: Mapped[str | None] = mapped_column(String(16))
    rating_contacts: Mapped[str | None] = mapped_column(String(16))
    rating_conduct: Mapped[str | None] = mapped_column(String(16))
    # Queue sort key, kept by _set_queue_due_at: due_at, or submitted_at before acceptance;
    # NULL once the dossier is in a final state (it has left every queue).
    queue_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    receiving_unit: Mapped[Unit] = relationship(foreign_keys=[receiving_unit_id])
    current_unit: Mapped[Unit] = relationship(foreign_keys=[current_unit_id])
    competent_unit: Mapped[Unit | None] = relationship(foreign_keys=[competent_unit_id])
    applicant: Mapped[User | None] = relationship(foreign_keys=[applicant_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    documents: Mapped[list[DossierDocument]] = relationship(
        back_populates="dossier", order_by="DossierDocument.id"
    )
    steps: Mapped[list[DossierStep]] = relationship(back_populates="dossier", order_by="DossierStep.seq")
    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id")

    __mapper_args__ = {"version_id_col": version}

    @validates("applicant_name")
    def _fold_name(self, _key: str, value: str) -> str:
        """Keep the folded name ("Nguyễn Văn Ân" -> "nguyen van an") for diacritics-free search."""
        from app.procedures.queries import search_words

        self.applicant_name_search = " ".join(search_words(value or ""))
        return value

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def current_step(self) -> DossierStep | None:
        open_steps = [s for s in self.steps if s.finished_at is None]
        return open_steps[-1] if open_steps else None


def queue_sort_key(dossier: Dossier) -> datetime | None:
    """The queue order of an open dossier: its legal due time, or its submission time while no clock
    runs yet; None in a final state. Bulk loaders (benchmarks) must set queue_due_at the same way."""
    from app.procedures import get_registry

    procedure = get_registry().get(dossier.procedure_code, dossier.procedure_version)
    state = procedure.states.get(dossier.state)
    if state is not None and state.is_final:
        return None
    return dossier.due_at or dossier.submitted_at or utcnow()


@event.listens_for(Dossier, "before_insert")
@event.listens_for(Dossier, "before_update")
def _set_queue_due_at(_mapper: object, _connection: object, dossier: Dossier) -> None:
    dossier.queue_due_at = queue_sort_key(dossier)


class DossierDocument(db.Model):
    __tablename__ = "dossier_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    doc_key: Mapped[str] = mapped_column(String(64))  # the procedure's document key, or "result"
    original_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(128))  # sniffed from the bytes
    is_digitised: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(16))  # citizen_upload / counter_scan / reused / issued
    is_result: Mapped[bool] = mapped_column(default=False)
    is_current: Mapped[bool] = mapped_column(default=True)  # False once replaced by a newer one
    reused_from_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_documents.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The event that added it, and the document that replaced it (same key, a later event).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"), index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_documents.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="documents")
    event: Mapped[DossierEvent | None] = relationship(foreign_keys=[event_id])
    replaced_by: Mapped[DossierDocument | None] = relationship(
        foreign_keys=[replaced_by_id], remote_side=[id], post_update=True
    )


def document_flags() -> dict[str, Any]:
    """The Dossier document-fact columns as SQL over dossier_documents (also the naive definition
    the indicators benchmark checks the stored columns against)."""
    from sqlalchemy import and_, exists, not_

    def inputs(*conditions: Any) -> Any:
        return exists().where(
            DossierDocument.dossier_id == Dossier.id,
            DossierDocument.is_current.is_(True),
            DossierDocument.is_result.is_(False),
            *conditions,
        )

    return {
        "has_digitised_inputs": and_(inputs(), not_(inputs(DossierDocument.is_digitised.is_(False)))),
        "has_reused_document": exists().where(
            DossierDocument.dossier_id == Dossier.id, DossierDocument.source == "reused"
        ),
        "has_result_document": exists().where(
            DossierDocument.dossier_id == Dossier.id, DossierDocument.is_result.is_(True)
        ),
    }


@event.listens_for(Session, "after_flush")
def _refresh_document_flags(session: Session, _context: object) -> None:
    """Keep Dossier.has_* in step with the documents, in the same transaction as the change."""
    touched = {
        obj.dossier_id or (obj.dossier.id if obj.dossier is not None else None)
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, DossierDocument)
    } - {None}
    if not touched:
        return
    from sqlalchemy import update

    session.connection().execute(update(Dossier).where(Dossier.id.in_(touched)).values(**document_flags()))
    expire_after_flush(session, touched, DOCUMENT_FLAGS)


def expire_after_flush(session: Session, dossier_ids: Iterable[int], columns: Iterable[str]) -> None:
    """Columns written to dossiers by SQL during a flush (copied facts): expire them on the loaded
    dossiers once the flush is over, so the next read sees the database's values."""
    expiring = session.info.setdefault("dossier_columns_expire", {})
    expiring.setdefault(tuple(columns), set()).update(dossier_ids)


@event.listens_for(Session, "after_flush_postexec")
def _expire_copied_columns(session: Session, _context: object) -> None:
    for columns, dossier_ids in session.info.pop("dossier_columns_expire", {}).items():
        for dossier_id in dossier_ids:
            dossier = session.identity_map.get(session.identity_key(Dossier, dossier_id))
            if dossier is not None:
                session.expire(dossier, list(columns))


DOCUMENT_FLAGS = ("has_digitised_inputs", "has_reused_document", "has_result_document")


class DossierStep(db.Model):
    """One unit's leg of the processing (Mẫu 05 row): its own budget, due time and outcome."""

    __tablename__ = "dossier_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    budget_kind: Mapped[str] = mapped_column(String(16))
    budget_amount: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_minutes: Mapped[int] = mapped_column(default=0)
    # The instant after which less than NEAR_DUE_SHARE of the step's working time is left (kept by
    # _set_near_due_at): "near due" is near_due_at < now <= due_at, so SQL can count it.
    near_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="steps")
    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        # Near-due counts per unit: the running steps whose near-due instant has passed.
        Index(
            "ix_dossier_steps_running",
            "unit_id",
            "near_due_at",
            postgresql_include=["due_at", "dossier_id"],
            postgresql_where=text(_OPEN_STEP),
            sqlite_where=text(_OPEN_STEP),
        ),
    )


@event.listens_for(DossierStep, "before_insert")
@event.listens_for(DossierStep, "before_update")
def _set_near_due_at(_mapper: object, _connection: object, step: DossierStep) -> None:
    """Recomputed whenever the step's clock (start or due time) is set or moved."""
    state = inspect(step)
    changed = state.attrs.due_at.history.has_changes() or state.attrs.started_at.history.has_changes()
    if step.near_due_at is None or changed:
        from app.calendar.services import get_calendar

        step.near_due_at = get_calendar().near_due_after(step.started_at, step.due_at, NEAR_DUE_SHARE)


class DossierEvent(db.Model):
    """Append-only history: who, in which unit, when, from which state to which, and why; with the
    snapshot of the dossier's facts just after it (app.dossiers.snapshots), read by everything that
    tells the history later."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id"), index=True)
    transition: Mapped[str] = mapped_column(String(48))
    from_state: Mapped[str | None] = mapped_column(String(48))
    to_state: Mapped[str] = mapped_column(String(48))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Tamper evidence (app.audit.chain): the event's place in its dossier's history (1, 2, ...) and
    # the SHA-256 of its fields chained to the previous event's hash, set when the engine writes it.
    seq: Mapped[int | None]
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # Done for someone else (app.representation): the actor is the representative; these name the
    # represented account (if any), its name then, and the authorisation acted under (none for
    # staff registering an applicant at the counter). Empty when the actor acted for themselves.
    represented_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    represented_name: Mapped[str | None] = mapped_column(String(255))
    authorisation_id: Mapped[int | None] = mapped_column(ForeignKey("authorisations.id"), index=True)

    __table_args__ = (UniqueConstraint("dossier_id", "seq"),)

    dossier: Mapped[Dossier] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    actor_unit: Mapped[Unit | None] = relationship()
    represented: Mapped[User | None] = relationship(foreign_keys=[represented_id])

    @property
    def is_on_behalf(self) -> bool:
        return self.represented_name is not None

    @property
    def as_of(self) -> Snapshot:
        from app.dossiers.snapshots import Snapshot

        return Snapshot(self.snapshot or {})


class DossierCodeCounter(db.Model):
    """Per receiving unit and day, the last serial issued; rows are locked by the upsert, so
    concurrent submissions get consecutive serials and a rolled-back one leaves no gap."""

    __tablename__ = "dossier_code_counters"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)
