"""Webhook messages for other agency systems: the event as JSON, signed with the subscriber's secret.

Body: {"id": <stable message id>, "type": <topic>, "created_at": <ISO 8601 UTC>,
"dossier_code": ..., "data": <the outbox payload>}. Headers: X-Message-Id, X-Timestamp (Unix
seconds), X-Signature = "sha256=" + hex HMAC-SHA256(secret, X-Timestamp + "." + raw body).
Receivers recompute the signature, refuse timestamps older than a few minutes, and drop message
ids they have already processed (delivery is at least once).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask_babel import gettext as _

from app.core.errors import ValidationError
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.sync import secrets
from app.sync.models import Delivery
from app.sync.transport import signed_headers

TOPICS = ("dossier.submitted", "dossier.transitioned")


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host, or a ValidationError naming the field."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            _("Địa chỉ nhận không hợp lệ"),
            details={"url": _("Địa chỉ phải bắt đầu bằng http:// hoặc https:// và có tên máy chủ")},
        )
    return url


def body_of(delivery: Delivery) -> bytes:
    message = db.session.get(OutboxMessage, delivery.outbox_id)
    document = {
        "id": delivery.message_id,
        "type": delivery.topic,
        "created_at": message.created_at.isoformat(),
        "dossier_code": message.payload.get("dossier_code"),
        "data": message.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def build_request(delivery: Delivery) -> tuple[str, bytes, dict[str, str]]:
    subscriber = delivery.subscriber
    body = body_of(delivery)
    headers = signed_headers(secrets.decrypt(subscriber.secret_encrypted), delivery.message_id, body)
    return subscriber.url, body, headers
