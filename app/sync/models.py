"""Deliveries of dossier events to the national portal and to webhook subscribers.

One `Delivery` row per (outbox message, destination, message kind), written by the outbox handler
in the same transaction that marks the outbox message processed, so it exists exactly once. A
destination is "national" or "webhook:<subscriber id>"; deliveries of one dossier to one destination
form a *lane* sent strictly in id order.

States: pending (due at `next_attempt_at`) → in_flight (claimed by a worker until `lease_until`)
→ delivered, or back to pending after a failure, or dead once the retry horizon has passed (or the
message can never be sent). A dead delivery blocks its lane until an admin replays it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import UTCDateTime, utcnow
from app.extensions import db

NATIONAL = "national"
STATES = ("pending", "in_flight", "delivered", "dead")
UNDELIVERED = ("pending", "in_flight", "dead")


def webhook_destination(subscriber_id: int) -> str:
    return f"webhook:{subscriber_id}"


class WebhookSubscriber(db.Model):
    """Another agency system receiving signed event messages. The signing secret is stored
    encrypted (app.sync.secrets) and shown to the admin only once, when it is generated."""

    __tablename__ = "webhook_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[str] = mapped_column(String(500))  # comma-separated outbox topics
    secret_encrypted: Mapped[str] = mapped_column(Text)
    is_paused: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def destination(self) -> str:
        return webhook_destination(self.id)

    @property
    def topics(self) -> list[str]:
        return [t for t in self.event_types.split(",") if t]

    def wants(self, topic: str) -> bool:
        return topic in self.topics


class Delivery(db.Model):
    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("destination", "message_id"),  # one message id per receiver
        # The lane head lookup ("earliest undelivered of this dossier and destination") stays cheap.
        Index(
            "ix_deliveries_lane_undelivered",
            "destination",
            "dossier_id",
            "id",
            postgresql_where=text("state <> 'delivered'"),
            sqlite_where=text("state <> 'delivered'"),
        ),
        # The sweeper's "what is due" scan.
        Index(
            "ix_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("state IN ('pending', 'in_flight')"),
            sqlite_where=text("state IN ('pending', 'in_flight')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(80))  # stable: receivers drop duplicates
    destination: Mapped[str] = mapped_column(String(40))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_subscribers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # national: dossier / progress; webhook: event
    topic: Mapped[str] = mapped_column(String(64))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("dossier_events.id"), index=True)
    dossier_state: Mapped[str | None] = mapped_column(String(48))  # the state this message reports
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_failed_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime
    )  # the retry horizon counts from here
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    subscriber: Mapped[WebhookSubscriber | None] = relationship()

    @property
    def is_failing(self) -> bool:
        return self.state == "pending" and self.attempts > 0


class DeliveryAttempt(db.Model):
    """One HTTP try: the subscriber's delivery log (status, latency, error)."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    duration_ms: Mapped[int] = mapped_column(default=0)
    http_status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    is_success: Mapped[bool] = mapped_column(default=False)

    delivery: Mapped[Delivery] = relationship()
