"""Read side of delivery: counts, per-dossier sync status, the "synced to the national portal" clause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.sql.elements import ColumnElement

from app.core.errors import NotFoundError
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.sync.models import NATIONAL, UNDELIVERED, Delivery, DeliveryAttempt, WebhookSubscriber

DOSSIER_STATUSES = ("synced", "pending", "failing", "dead")


def national_synced_clause() -> ColumnElement[bool]:
    """SQL boolean over `Dossier`: the dossier is synced to the national portal.

    True exactly when (a) a national delivery reporting the dossier's latest event (the highest
    `dossier_events.id` of the dossier) has been delivered (2xx from the portal), and (b) no national
    delivery of the dossier is still undelivered (pending, in flight or dead). A dossier with no
    national delivery at all (sync disabled, or its outbox message not yet handled) is not synced.
    """
    latest_event = (
        select(func.max(DossierEvent.id))
        .where(DossierEvent.dossier_id == Dossier.id)
        .correlate_except(DossierEvent)  # `dossiers` is the outer query's, two levels up
        .scalar_subquery()
    )
    delivered_latest = exists().where(
        Delivery.destination == NATIONAL,
        Delivery.dossier_id == Dossier.id,
        Delivery.state == "delivered",
        Delivery.event_id == latest_event,
    )
    undelivered = exists().where(
        Delivery.destination == NATIONAL,
        Delivery.dossier_id == Dossier.id,
        Delivery.state.in_(UNDELIVERED),
    )
    return and_(delivered_latest, ~undelivered)


@dataclass(frozen=True)
class DestinationCounts:
    destination: str
    counts: dict[str, int]
    failing: int
    oldest_undelivered_at: datetime | None


def destination_counts() -> list[DestinationCounts]:
    rows = db.session.execute(
        select(
            Delivery.destination,
            Delivery.state,
            func.count(),
            func.sum(case((and_(Delivery.state == "pending", Delivery.attempts > 0), 1), else_=0)),
            func.min(case((Delivery.state != "delivered", Delivery.created_at))),
        ).group_by(Delivery.destination, Delivery.state)
    ).all()
    grouped: dict[str, dict] = {}
    for destination, state, count, failing, oldest in rows:
        entry = grouped.setdefault(
            destination,
            {
                "counts": dict.fromkeys(("pending", "in_flight", "delivered", "dead"), 0),
                "failing": 0,
                "oldest": None,
            },
        )
        entry["counts"][state] = count
        entry["failing"] += failing or 0
        if oldest is not None and (entry["oldest"] is None or oldest < entry["oldest"]):
            entry["oldest"] = oldest
    result = []
    for destination in sorted(grouped, key=lambda d: (d != NATIONAL, d)):
        entry = grouped[destination]
        result.append(DestinationCounts(destination, entry["counts"], entry["failing"], entry["oldest"]))
    return result


def destination_names() -> dict[str, str]:
    """Subscriber names by destination key ("webhook:<id>")."""
    rows = db.session.execute(select(WebhookSubscriber.id, WebhookSubscriber.name)).tuples()
    return {f"webhook:{subscriber_id}": name for subscriber_id, name in rows}


def oldest_undelivered_at() -> datetime | None:
    return db.session.scalar(select(func.min(Delivery.created_at)).where(Delivery.state != "delivered"))


@dataclass(frozen=True)
class DossierSync:
    dossier_id: int
    code: str
    destination: str
    status: str
    total: int
    delivered: int
    last_error: str | None
    dead_ids: list[int]


def _status(states: list[str], attempts: list[int]) -> str:
    if "dead" in states:
        return "dead"
    undelivered = [a for s, a in zip(states, attempts, strict=True) if s != "delivered"]
    if not undelivered:
        return "synced"
    return "failing" if any(a > 0 for a in undelivered) else "pending"


def list_dossier_sync(
    code: str | None = None, status: str | None = None, limit: int = 50
) -> list[DossierSync]:
    """Per dossier and destination: synced / pending / failing / dead, newest dossiers first.
    `code` filters by dossier code (prefix, case-insensitive); `status` keeps one status."""
    dossiers = select(Dossier.id).where(exists().where(Delivery.dossier_id == Dossier.id))
    if code:
        dossiers = dossiers.where(Dossier.code.ilike(f"{code.strip()}%"))
    if status in ("failing", "dead", "pending"):
        dossiers = dossiers.where(
            exists().where(Delivery.dossier_id == Dossier.id, Delivery.state != "delivered")
        )
    dossier_ids = list(
        db.session.scalars(dossiers.order_by(Dossier.id.desc()).limit(limit * 4 if status else limit))
    )
    rows = db.session.execute(
        select(
            Delivery.dossier_id,
            Dossier.code,
            Delivery.destination,
            Delivery.id,
            Delivery.state,
            Delivery.attempts,
            Delivery.last_error,
        )
        .join(Dossier, Dossier.id == Delivery.dossier_id)
        .where(Delivery.dossier_id.in_(dossier_ids))
        .order_by(Delivery.dossier_id.desc(), Delivery.destination, Delivery.id)
    ).all()
    groups: dict[tuple[int, str], list] = {}
    for row in rows:
        groups.setdefault((row.dossier_id, row.destination), []).append(row)
    result = []
    for (dossier_id, destination), items in groups.items():
        states, attempts = [i.state for i in items], [i.attempts for i in items]
        errors = [i.last_error for i in items if i.last_error and i.state != "delivered"]
        entry = DossierSync(
            dossier_id,
            items[0].code,
            destination,
            _status(states, attempts),
            len(items),
            states.count("delivered"),
            errors[0] if errors else None,
            [i.id for i in items if i.state == "dead"],
        )
        if status is None or entry.status == status:
            result.append(entry)
    return result[:limit]


def list_subscribers() -> list[WebhookSubscriber]:
    return list(db.session.scalars(select(WebhookSubscriber).order_by(WebhookSubscriber.id)))


def get_subscriber(subscriber_id: int) -> WebhookSubscriber:
    subscriber = db.session.get(WebhookSubscriber, subscriber_id)
    if subscriber is None:
        raise NotFoundError("Không tìm thấy đơn vị nhận tin")
    return subscriber


def subscriber_log(subscriber_id: int, limit: int = 100) -> list[tuple[DeliveryAttempt, Delivery]]:
    """The latest attempts to one subscriber, newest first (message, HTTP status, latency, error)."""
    return list(
        db.session.execute(
            select(DeliveryAttempt, Delivery)
            .join(Delivery, Delivery.id == DeliveryAttempt.delivery_id)
            .where(Delivery.subscriber_id == subscriber_id)
            .order_by(DeliveryAttempt.id.desc())
            .limit(limit)
        ).tuples()
    )


def subscriber_counts(subscriber_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Delivery.state, func.count())
        .where(Delivery.subscriber_id == subscriber_id)
        .group_by(Delivery.state)
    ).tuples()
    return {**dict.fromkeys(("pending", "in_flight", "delivered", "dead"), 0), **dict(rows.all())}
