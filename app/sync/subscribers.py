"""Webhook subscriber use cases (admin pages call these; each one commits)."""

from __future__ import annotations

from sqlalchemy import delete, select

from app.core import uow
from app.core.errors import ValidationError
from app.extensions import db
from app.sync import secrets
from app.sync.models import Delivery, WebhookSubscriber
from app.sync.webhooks import TOPICS, check_url


def _clean(name: str, url: str, event_types: list[str]) -> tuple[str, str, str]:
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Cần nhập tên hệ thống nhận tin"
    try:
        url = check_url(url)
    except ValidationError as exc:
        errors.update(exc.details)
    unknown = [t for t in event_types if t not in TOPICS]
    if not event_types or unknown:
        errors["event_types"] = "Chọn ít nhất một loại sự kiện"
    if errors:
        raise ValidationError("Thông tin chưa hợp lệ", details=errors)
    return name[:255], url, ",".join(t for t in TOPICS if t in event_types)


def create_subscriber(name: str, url: str, event_types: list[str]) -> tuple[WebhookSubscriber, str]:
    """The new subscriber and its signing secret, in clear this once (never shown again)."""
    name, url, topics = _clean(name, url, event_types)
    secret = secrets.new_secret()
    subscriber = WebhookSubscriber(
        name=name, url=url, event_types=topics, secret_encrypted=secrets.encrypt(secret)
    )
    db.session.add(subscriber)
    db.session.flush()
    return subscriber, secret


def update_subscriber(subscriber: WebhookSubscriber, name: str, url: str, event_types: list[str]) -> None:
    subscriber.name, subscriber.url, subscriber.event_types = _clean(name, url, event_types)
    db.session.flush()


def rotate_secret(subscriber: WebhookSubscriber) -> str:
    secret = secrets.new_secret()
    subscriber.secret_encrypted = secrets.encrypt(secret)
    db.session.flush()
    return secret


def set_paused(subscriber: WebhookSubscriber, paused: bool) -> None:
    """Pause: deliveries keep being written, none is sent. Resume: its lanes are handed to workers,
    so it receives everything it missed, in order."""
    subscriber.is_paused = paused
    if not paused:
        lanes = set(
            db.session.execute(
                select(Delivery.destination, Delivery.dossier_id).where(
                    Delivery.subscriber_id == subscriber.id, Delivery.state != "delivered"
                )
            ).tuples()
        )
        if lanes:
            from app.sync.jobs import enqueue_lanes

            uow.after_commit(lambda: enqueue_lanes(sorted(lanes, key=str)))
    db.session.flush()


def delete_subscriber(subscriber: WebhookSubscriber) -> None:
    """Removes the subscriber with its deliveries and their log."""
    db.session.execute(delete(Delivery).where(Delivery.subscriber_id == subscriber.id))
    db.session.delete(subscriber)
    db.session.flush()
