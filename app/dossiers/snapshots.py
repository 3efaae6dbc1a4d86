"""Each event's snapshot: the facts of the dossier just after the event, as they were then.

The engine takes the snapshot in the event's own transaction (`take`); readers (national messages,
the official forms, timelines, the history) read it back through `Snapshot` instead of the dossier's
current columns or the users' and units' current names, so a message delivered late, a form printed
again or a page read years later tells what was true at that event: who acted and in which unit
(under the names they had), the state and the unit holding the dossier, the reception, due and
appointment instants, the step open then and the step the event acted in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.auth.models import User
from app.core.time import local_iso, parse_instant
from app.dossiers.models import Dossier, DossierDocument, DossierEvent, DossierStep
from app.org.models import Unit

VERSION = 1


def _instant(value: datetime | None) -> str | None:
    """In Vietnam time whichever zone the value was read in, so equal instants read equal."""
    return local_iso(value)


def _unit(unit: Unit | None) -> dict[str, Any] | None:
    if unit is None:
        return None
    return {"id": unit.id, "code": unit.code, "name": unit.name, "name_en": unit.name_en}


def _step(step: DossierStep | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "seq": step.seq,
        "name": step.name,
        "unit": _unit(step.unit),
        "started_at": _instant(step.started_at),
        "due_at": _instant(step.due_at),
        "paused_at": _instant(step.paused_at),
    }


def take(dossier: Dossier, *, acted_in: DossierStep | None, actor: User | None) -> dict[str, Any]:
    """The snapshot of `dossier` now, for an event by `actor` taken in the step `acted_in`."""
    return {
        "v": VERSION,
        "state": dossier.state,
        "national_status": dossier.national_status,
        "unit": _unit(dossier.current_unit),
        "received_at": _instant(dossier.received_at),
        "due_at": _instant(dossier.due_at),
        "appointment_at": _instant(dossier.appointment_at),
        "completed_at": _instant(dossier.completed_at),
        "returned_at": _instant(dossier.returned_at),
        "paused_at": _instant(dossier.paused_at),
        "is_extended": bool(dossier.is_extended),
        "step": _step(dossier.current_step),
        "acted_in": _step(acted_in),
        "actor": _actor(actor),
    }


def _actor(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.id,
        "name": user.full_name,
        "username": user.username,
        "role": user.role,
        "unit": _unit(user.unit),
    }


# --- reading -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitAsOf:
    id: int | None
    code: str
    name: str
    name_en: str | None = None

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class StepAsOf:
    seq: int
    name: str
    unit: UnitAsOf | None
    started_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None


@dataclass(frozen=True)
class ActorAsOf:
    id: int | None
    name: str
    username: str | None
    role: str | None
    unit: UnitAsOf | None


def _read_instant(value: str | None) -> datetime | None:
    return parse_instant(value) if value else None


def _read_unit(data: dict[str, Any] | None) -> UnitAsOf | None:
    if not data:
        return None
    return UnitAsOf(data.get("id"), data.get("code") or "", data.get("name") or "", data.get("name_en"))


def _read_step(data: dict[str, Any] | None) -> StepAsOf | None:
    if not data:
        return None
    return StepAsOf(
        data["seq"],
        data.get("name") or "",
        _read_unit(data.get("unit")),
        _read_instant(data.get("started_at")),
        _read_instant(data.get("due_at")),
        _read_instant(data.get("paused_at")),
    )


@dataclass(frozen=True)
class Snapshot:
    """A typed view of an event's snapshot (see `take`)."""

    data: dict[str, Any]

    @property
    def state(self) -> str | None:
        return self.data.get("state")

    @property
    def unit(self) -> UnitAsOf | None:
        return _read_unit(self.data.get("unit"))

    def instant(self, name: str) -> datetime | None:
        """received_at, due_at, appointment_at, completed_at, returned_at or paused_at."""
        return _read_instant(self.data.get(name))

    @property
    def is_extended(self) -> bool:
        return bool(self.data.get("is_extended"))

    @property
    def step(self) -> StepAsOf | None:
        return _read_step(self.data.get("step"))

    @property
    def acted_in(self) -> StepAsOf | None:
        return _read_step(self.data.get("acted_in"))

    @property
    def actor(self) -> ActorAsOf | None:
        data = self.data.get("actor")
        if not data:
            return None
        return ActorAsOf(
            data.get("id"),
            data.get("name") or "",
            data.get("username"),
            data.get("role"),
            _read_unit(data.get("unit")),
        )

    @property
    def actor_name(self) -> str:
        actor = self.actor
        return actor.name if actor is not None else ""


def documents_as_of(
    documents: Iterable[DossierDocument], event: DossierEvent
) -> tuple[list[DossierDocument], list[DossierDocument]]:
    """(current inputs, results) as they stood just after `event`: the documents added by it or an
    earlier event, without those replaced by then."""

    def added_by_then(document: DossierDocument) -> bool:
        if document.event_id is not None:
            return document.event_id <= event.id
        return document.created_at is not None and document.created_at <= event.created_at

    present = [d for d in documents if added_by_then(d)]
    ids = {d.id for d in present}
    current = [d for d in present if d.replaced_by_id is None or d.replaced_by_id not in ids]
    return [d for d in current if not d.is_result], [d for d in current if d.is_result]
