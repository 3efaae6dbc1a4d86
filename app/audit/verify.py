"""Walk the hash chains of the dossier history and the anchors; report the first broken link.

The log is read in batches of dossiers (keyset on the dossier id, the events of a batch in id
order), so memory stays flat at a million events. Within a dossier, in id order (the order the
events were written), each event must:

- have a hash that matches its own fields and its `prev_hash` (else its content was changed; when
  its fields match a sibling's place instead, two events' contents were swapped);
- name the previous event's hash (else an event was deleted before it, when its `seq` jumps and no
  later event fills the gap, or the events were reordered).

Then every anchor must match its signature, name the anchor before it and equal its copy in the
object store, and the newest anchor must match the events up to its last event id (their count and
the digest of every dossier's latest hash): a dossier's last event deleted, or a chain rewritten
from scratch, shows there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import func, select

from app.audit import anchors as anchoring
from app.audit.chain import ALL_FIELDS, GENESIS, event_hash
from app.audit.models import AuditAnchor
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db

DOSSIERS_PER_BATCH = 500
ANCHORS_PER_BATCH = 500

CONTENT_CHANGED = "content_changed"
EVENT_DELETED = "event_deleted"
REORDERED = "reordered"
LINK_BROKEN = "link_broken"
UNSEALED = "unsealed"
ANCHOR_MISMATCH = "anchor_mismatch"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str
    dossier_code: str | None = None
    event_id: int | None = None
    anchor_id: int | None = None


@dataclass
class Outcome:
    events: int = 0
    dossiers: int = 0
    anchors: int = 0
    seconds: float = 0.0
    problem: Problem | None = None

    @property
    def is_ok(self) -> bool:
        return self.problem is None


Progress = Callable[[Outcome], None]


def _columns() -> tuple[Any, ...]:
    return (
        DossierEvent.id,
        DossierEvent.dossier_id,
        Dossier.code,
        DossierEvent.seq,
        DossierEvent.prev_hash,
        DossierEvent.hash,
        DossierEvent.created_at,
        DossierEvent.payload,
        DossierEvent.snapshot,
        *(getattr(DossierEvent, name) for name in ALL_FIELDS),
    )


def _events(dossier_code: str | None) -> Iterator[Any]:
    """Every event (or one dossier's), ordered by dossier id then event id, in batches of dossiers."""
    base = select(*_columns()).join(Dossier, Dossier.id == DossierEvent.dossier_id)
    if dossier_code is not None:
        yield from db.session.execute(base.where(Dossier.code == dossier_code).order_by(DossierEvent.id))
        return
    after = 0
    while True:
        upto = db.session.scalar(
            select(func.max(Dossier.id)).where(
                Dossier.id.in_(
                    select(Dossier.id)
                    .where(Dossier.id > after)
                    .order_by(Dossier.id)
                    .limit(DOSSIERS_PER_BATCH)
                )
            )
        )
        if upto is None:
            return
        yield from db.session.execute(
            base.where(DossierEvent.dossier_id > after, DossierEvent.dossier_id <= upto).order_by(
                DossierEvent.dossier_id, DossierEvent.id
            )
        )
        after = upto


def _hash(row: Any, seq: int | None, prev_hash: str | None) -> str:
    return event_hash(
        dossier_code=row.code,
        seq=seq,
        created_at=row.created_at,
        payload=row.payload,
        snapshot=row.snapshot,
        prev_hash=prev_hash,
        **{name: getattr(row, name) for name in ALL_FIELDS},
    )


def check_dossier(code: str, rows: list[Any]) -> Problem | None:
    """The first broken link of one dossier's chain (`rows` in id order), or None."""
    previous, expected = GENESIS, 1
    for index, row in enumerate(rows):
        where = {"dossier_code": code, "event_id": row.id}
        if row.hash is None or row.seq is None:
            return Problem(UNSEALED, f"dossier {code}, event #{row.id}: the event has no hash", **where)
        if _hash(row, row.seq, row.prev_hash) != row.hash:
            partner = next(
                (o for o in rows if o is not row and _hash(row, o.seq, o.prev_hash) == o.hash), None
            )
            if partner is not None:
                return Problem(
                    REORDERED,
                    f"dossier {code}, event #{row.id}: it holds the content of sequence {partner.seq} "
                    f"(event #{partner.id} holds another one): events reordered",
                    **where,
                )
            return Problem(
                CONTENT_CHANGED,
                f"dossier {code}, event #{row.id} (sequence {row.seq}): its content does not match its hash",
                **where,
            )
        if row.prev_hash != previous or row.seq != expected:
            later = {o.seq for o in rows[index + 1 :]}
            if row.seq < expected or expected in later:
                kind, what = (
                    REORDERED,
                    f"sequence {row.seq} found where {expected} was expected: events reordered",
                )
            elif row.seq > expected:
                missing = f"{expected}" if row.seq == expected + 1 else f"{expected}-{row.seq - 1}"
                kind, what = EVENT_DELETED, f"sequence {missing} is missing before it: event deleted"
            else:
                kind, what = LINK_BROKEN, "it does not name the previous event's hash"
            return Problem(kind, f"dossier {code}, event #{row.id}: {what}", **where)
        previous, expected = row.hash, row.seq + 1
    return None


def verify(dossier_code: str | None = None, progress: Progress | None = None, every: int = 20_000) -> Outcome:
    """Verify the chains (all, or one dossier's) and, for the whole log, the anchors."""
    started = time.monotonic()
    outcome = Outcome()
    anchor = anchoring.latest_anchor() if dossier_code is None else None
    digest, covered = anchoring.Digest(), 0
    reported = 0
    for _dossier_id, group in groupby(_events(dossier_code), key=lambda row: row.dossier_id):
        rows = list(group)
        outcome.dossiers += 1
        outcome.events += len(rows)
        outcome.problem = check_dossier(rows[0].code, rows)
        if outcome.problem is not None:
            break
        if anchor is not None:
            upto = [row for row in rows if row.id <= anchor.last_event_id]
            if upto:
                digest.add(upto[-1].code, upto[-1].seq, upto[-1].hash)
                covered += len(upto)
        if progress is not None and outcome.events - reported >= every:
            reported = outcome.events
            progress(outcome)
    if dossier_code is not None and outcome.dossiers == 0:
        outcome.problem = Problem(
            NOT_FOUND, f"dossier {dossier_code} has no event", dossier_code=dossier_code
        )
    if outcome.problem is None and dossier_code is None:
        outcome.problem = _check_anchors(outcome)
        if outcome.problem is None and anchor is not None:
            outcome.problem = _check_latest(anchor, covered, digest)
    outcome.seconds = time.monotonic() - started
    return outcome


def _check_latest(anchor: AuditAnchor, covered: int, digest: anchoring.Digest) -> Problem | None:
    if covered != anchor.event_count:
        what = f"{covered} events up to #{anchor.last_event_id} where it counted {anchor.event_count}"
        return Problem(
            ANCHOR_MISMATCH, f"anchor #{anchor.id}: {what} (events deleted or added)", anchor_id=anchor.id
        )
    if digest.hexdigest() != anchor.digest or digest.dossiers != anchor.dossier_count:
        return Problem(
            ANCHOR_MISMATCH,
            f"anchor #{anchor.id}: the dossiers' latest hashes up to event #{anchor.last_event_id} "
            "do not match its digest (history rewritten)",
            anchor_id=anchor.id,
        )
    return None


def _anchors() -> Iterator[AuditAnchor]:
    after = 0
    while True:
        batch = db.session.scalars(
            select(AuditAnchor)
            .where(AuditAnchor.id > after)
            .order_by(AuditAnchor.id)
            .limit(ANCHORS_PER_BATCH)
            .execution_options(populate_existing=True)  # the database as it is, not the session's copy
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def _check_anchors(outcome: Outcome) -> Problem | None:
    previous: AuditAnchor | None = None
    for anchor in _anchors():
        outcome.anchors += 1
        problem = _check_anchor(anchor, previous)
        if problem is not None:
            return problem
        previous = anchor
    return None


def _check_anchor(anchor: AuditAnchor, previous: AuditAnchor | None) -> Problem | None:
    def broken(what: str) -> Problem:
        return Problem(ANCHOR_MISMATCH, f"anchor #{anchor.id}: {what}", anchor_id=anchor.id)

    if anchoring.sign(anchor) != anchor.signature:
        return broken("its signature does not match its contents")
    if anchor.previous_signature != (previous.signature if previous is not None else None):
        return broken("it does not name the previous anchor (an anchor was removed or changed)")
    if previous is not None and anchor.last_event_id < previous.last_event_id:
        return broken("it covers fewer events than the anchor before it")
    copy = anchoring.read_copy(anchor)
    if copy is None:
        return broken("its copy in the object store is missing")
    if anchoring.canonical(copy) != anchoring.stored_copy(anchor):
        return broken("its copy in the object store differs from the database")
    return None
