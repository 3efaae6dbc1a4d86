"""The hash chain of a dossier's history.

Every event carries `seq` (its place in the dossier's history: 1, 2, ...), `prev_hash` (the hash of
the event before it, or GENESIS for the first) and `hash`: SHA-256 over the canonical serialisation
of its own fields and `prev_hash`. The fields are the dossier's code (unique, never reused, so an
event moved to another dossier no longer matches), `seq`, the transition, both states, the actor and
the actor's unit, the instant, the comment, the payload and the snapshot, and for an event done on
someone's behalf the represented account, its name and the authorisation. All of them are known when
the engine creates the event, before it is inserted, so a row is written once and never updated.

Events of one dossier are serialised by the dossier's optimistic version lock: the engine's UPDATE of
the dossier fails for the second of two concurrent transitions, so the previous event read inside
the unit of work is the last one when the unit commits (and the unique (dossier_id, seq) stops any
writer that bypasses the lock).

Canonical form: JSON with sorted keys and no spaces, UTF-8; instants as UTC
``YYYY-MM-DDTHH:MM:SS.ffffffZ``; JSON values normalised as the database gives them back (a float
with no fraction is written as an integer, since PostgreSQL's jsonb does the same).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db

GENESIS = "0" * 64
VERSION = 1  # of the canonical form; part of every hashed record

FIELDS = (
    "transition",
    "from_state",
    "to_state",
    "actor_id",
    "actor_unit_id",
    "comment",
)
# Who an event was done for (app.representation): hashed only when set, so every event recorded
# without them (all those before they existed) keeps its hash, and the migration that sealed the old
# events (with FIELDS) stays right.
REPRESENTATION_FIELDS = ("represented_id", "represented_name", "authorisation_id")
ALL_FIELDS = FIELDS + REPRESENTATION_FIELDS


def instant(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def normalise(value: Any) -> Any:
    """A JSON value as the database returns it: tuples as lists, keys as strings, 2.0 as 2."""
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(
    *,
    dossier_code: str,
    seq: int,
    created_at: datetime,
    payload: Any,
    snapshot: Any,
    prev_hash: str,
    **fields: Any,
) -> str:
    """The hash of one event from its fields (as `FIELDS` name them) and its predecessor's hash."""
    record = {name: fields.get(name) for name in FIELDS}
    record.update({name: fields[name] for name in REPRESENTATION_FIELDS if fields.get(name) is not None})
    record.update(
        v=VERSION,
        dossier_code=dossier_code,
        seq=seq,
        created_at=instant(created_at),
        payload=normalise(payload or {}),
        snapshot=normalise(snapshot or {}),
        prev=prev_hash,
    )
    return hashlib.sha256(canonical(record)).hexdigest()


def hash_of(event: DossierEvent, dossier_code: str, prev_hash: str) -> str:
    return event_hash(
        dossier_code=dossier_code,
        seq=event.seq,
        created_at=event.created_at,
        payload=event.payload,
        snapshot=event.snapshot,
        prev_hash=prev_hash,
        **{name: getattr(event, name) for name in ALL_FIELDS},
    )


def seal(event: DossierEvent, dossier: Dossier) -> None:
    """Give a new event (all its fields set, `created_at` included) its place and hash in the
    dossier's chain. Called by the engine where it creates the event, inside the unit of work."""
    last = None
    if dossier.id is not None:  # a dossier being submitted has no history yet
        last = db.session.execute(
            select(DossierEvent.seq, DossierEvent.hash)
            .where(DossierEvent.dossier_id == dossier.id, DossierEvent.seq.is_not(None))
            .order_by(DossierEvent.seq.desc())
            .limit(1)
        ).first()
    event.seq = last.seq + 1 if last is not None else 1
    event.prev_hash = (last.hash or GENESIS) if last is not None else GENESIS
    event.hash = hash_of(event, dossier.code, event.prev_hash)
