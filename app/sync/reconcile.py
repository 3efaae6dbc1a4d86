"""`flask sync reconcile --since DATE`: re-send the current state of dossiers whose last state
delivered to the national portal differs from the state they are in now."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, select

from app.core import uow
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.sync.models import NATIONAL, Delivery
from app.sync.services import resend_current_state

BATCH = 500


@dataclass
class ReconcileReport:
    checked: int = 0
    up_to_date: int = 0
    in_progress: int = 0  # a national delivery is still pending / in flight: it will catch up
    resent: int = 0
    resent_codes: list[str] = field(default_factory=list)


def _last_delivered_state(dossier_id: int) -> str | None:
    return db.session.scalar(
        select(Delivery.dossier_state)
        .where(
            Delivery.destination == NATIONAL,
            Delivery.dossier_id == dossier_id,
            Delivery.kind == "dossier",
            Delivery.state == "delivered",
        )
        .order_by(Delivery.id.desc())
        .limit(1)
    )


def _latest_event(dossier_id: int) -> DossierEvent:
    return db.session.scalar(
        select(DossierEvent)
        .where(DossierEvent.dossier_id == dossier_id)
        .order_by(DossierEvent.id.desc())
        .limit(1)
    )


def reconcile(since: datetime) -> ReconcileReport:
    """Dossiers changed since `since` (by their latest event); each batch is a unit of work."""
    report = ReconcileReport()
    changed = (
        select(Dossier.id, Dossier.code, Dossier.state)
        .where(exists().where(DossierEvent.dossier_id == Dossier.id, DossierEvent.created_at >= since))
        .order_by(Dossier.id)
    )
    in_progress = exists().where(
        Delivery.destination == NATIONAL,
        Delivery.dossier_id == Dossier.id,
        Delivery.state.in_(("pending", "in_flight")),
    )
    after_id = 0
    while True:
        with uow.unit_of_work():
            rows = db.session.execute(
                changed.add_columns(in_progress).where(Dossier.id > after_id).limit(BATCH)
            ).all()
            for dossier_id, code, state, busy in rows:
                report.checked += 1
                if busy:
                    report.in_progress += 1
                elif _last_delivered_state(dossier_id) == state:
                    report.up_to_date += 1
                else:
                    resend_current_state(dossier_id, _latest_event(dossier_id))
                    report.resent += 1
                    report.resent_codes.append(code)
        if not rows:
            return report
        after_id = rows[-1].id
