"""Client of the National Public Service Portal (through the provincial LGSP).

The mapping itself lives in `app.national.messages` (one module a province can adjust); this module
wraps a mapped message in the call envelope, validates it against the shipped JSON Schema and
authenticates the call (bearer token or HMAC signature). Disabled while NATIONAL_PORTAL_URL is empty.

Envelope (POST, JSON): {"MaBanTin": <stable message id>, "LoaiBanTin": "HoSo" | "TienDoXuLy",
"MaDinhDanhDV": <agency code of the unit that received the dossier>, "DuLieu": <the message>}.
"""

from __future__ import annotations

import json

from flask import current_app

from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.sync.models import Delivery
from app.sync.transport import signed_headers

KINDS = {"dossier": "HoSo", "progress": "TienDoXuLy"}


class UnsendableError(Exception):
    """The message can never be sent as it is (it fails the schema): the delivery goes dead."""


def is_enabled() -> bool:
    return bool(current_app.config.get("NATIONAL_PORTAL_URL"))


def build_message(dossier: Dossier, event: DossierEvent, kind: str) -> dict:
    from app.national import messages

    build = messages.build_dossier_message if kind == "dossier" else messages.build_progress_message
    try:
        message = build(dossier, event)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # a mapping bug: dead, shown to admins
        raise UnsendableError(f"{KINDS[kind]}: mapping failed: {type(exc).__name__}: {exc}") from exc
    try:
        messages.validate(message, kind)
    except messages.SchemaError as exc:
        raise UnsendableError(f"{KINDS[kind]}: {exc}") from exc
    return message


def build_request(delivery: Delivery) -> tuple[str, bytes, dict[str, str]]:
    """URL, body and headers of one delivery; raises UnsendableError for an invalid message."""
    config = current_app.config
    dossier = db.session.get(Dossier, delivery.dossier_id)
    event = db.session.get(DossierEvent, delivery.event_id)
    agency = dossier.receiving_unit.code
    envelope = {
        "MaBanTin": delivery.message_id,
        "LoaiBanTin": KINDS[delivery.kind],
        "MaDinhDanhDV": agency,
        "DuLieu": build_message(dossier, event, delivery.kind),
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {"X-Message-Id": delivery.message_id, "X-MaDinhDanhDV": agency}
    if config.get("NATIONAL_PORTAL_TOKEN"):
        headers["Authorization"] = f"Bearer {config['NATIONAL_PORTAL_TOKEN']}"
    if config.get("NATIONAL_PORTAL_HMAC_KEY"):
        headers.update(signed_headers(config["NATIONAL_PORTAL_HMAC_KEY"], delivery.message_id, body))
    return config["NATIONAL_PORTAL_URL"], body, headers
