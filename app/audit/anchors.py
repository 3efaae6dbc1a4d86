"""Anchors: a signed digest of the whole event log, written to the database and to the object store.

An anchor holds the newest event id it covers, how many events have an id up to it, and a digest
over every dossier's latest hash up to it (SHA-256 of the lines ``<code>:<seq>:<hash>`` in dossier id
order). Every hash chains back to its dossier's first event, so changing any event before the anchor
(and rewriting the chain after it) changes the digest. The anchor is signed with HMAC-SHA256 under a
key derived from ``AUDIT_KEY`` (or ``SECRET_KEY``) and names the previous anchor's signature; its
JSON copy in the object store means that rewriting the database alone cannot forge history.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.audit.chain import canonical, instant
from app.audit.models import AuditAnchor
from app.core import uow
from app.core.db import utcnow
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.storage import get_storage

BATCH = 5000
STORE_PREFIX = "audit-anchors"
MAX_COPY_BYTES = 64 * 1024


def signing_key() -> bytes:
    secret = current_app.config.get("AUDIT_KEY") or current_app.config["SECRET_KEY"]
    return hmac.new(secret.encode("utf-8"), b"dossier-history-anchor/v1", hashlib.sha256).digest()


class Digest:
    """The running digest over dossiers' latest hashes, fed in dossier id order."""

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.dossiers = 0

    def add(self, code: str, seq: int | None, event_hash: str | None) -> None:
        self._sha.update(f"{code}:{seq}:{event_hash}\n".encode())
        self.dossiers += 1

    def hexdigest(self) -> str:
        return self._sha.hexdigest()


def latest_hashes(last_event_id: int) -> Iterator[tuple[str, int | None, str | None]]:
    """(code, seq, hash) of each dossier's newest event with an id up to `last_event_id`, in dossier
    id order; read in batches of dossiers."""
    after = 0
    while True:
        newest = (
            select(DossierEvent.dossier_id, func.max(DossierEvent.id).label("event_id"))
            .where(DossierEvent.id <= last_event_id, DossierEvent.dossier_id > after)
            .group_by(DossierEvent.dossier_id)
            .order_by(DossierEvent.dossier_id)
            .limit(BATCH)
            .subquery()
        )
        rows = db.session.execute(
            select(DossierEvent.dossier_id, Dossier.code, DossierEvent.seq, DossierEvent.hash)
            .join(newest, newest.c.event_id == DossierEvent.id)
            .join(Dossier, Dossier.id == DossierEvent.dossier_id)
            .order_by(DossierEvent.dossier_id)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row.code, row.seq, row.hash
        after = rows[-1].dossier_id


def record(anchor: AuditAnchor) -> dict[str, Any]:
    """What is signed and copied to the object store."""
    return {
        "id": anchor.id,
        "created_at": instant(anchor.created_at),
        "last_event_id": anchor.last_event_id,
        "event_count": anchor.event_count,
        "dossier_count": anchor.dossier_count,
        "digest": anchor.digest,
        "previous_signature": anchor.previous_signature,
    }


def sign(anchor: AuditAnchor) -> str:
    return hmac.new(signing_key(), canonical(record(anchor)), hashlib.sha256).hexdigest()


def stored_copy(anchor: AuditAnchor) -> bytes:
    return canonical({**record(anchor), "signature": anchor.signature})


def latest_anchor() -> AuditAnchor | None:
    query = select(AuditAnchor).order_by(AuditAnchor.id.desc()).limit(1)
    return db.session.scalar(query.execution_options(populate_existing=True))


def make_anchor(now: datetime | None = None) -> AuditAnchor | None:
    """Anchor the log as it stands (flushes; the caller's unit commits). None when no event was
    written since the last anchor."""
    previous = latest_anchor()
    last_event_id = db.session.scalar(select(func.max(DossierEvent.id)))
    if last_event_id is None or (previous is not None and previous.last_event_id >= last_event_id):
        return None
    digest = Digest()
    for code, seq, event_hash in latest_hashes(last_event_id):
        digest.add(code, seq, event_hash)
    anchor = AuditAnchor(
        created_at=now or utcnow(),
        last_event_id=last_event_id,
        event_count=db.session.scalar(
            select(func.count(DossierEvent.id)).where(DossierEvent.id <= last_event_id)
        ),
        dossier_count=digest.dossiers,
        digest=digest.hexdigest(),
        previous_id=previous.id if previous is not None else None,
        previous_signature=previous.signature if previous is not None else None,
        signature="",
    )
    db.session.add(anchor)
    db.session.flush()  # its id is part of what is signed
    anchor.signature = sign(anchor)
    stored = get_storage().put_stream(
        io.BytesIO(stored_copy(anchor)),
        allowed_types=["text/plain"],
        max_bytes=MAX_COPY_BYTES,
        prefix=STORE_PREFIX,
    )
    uow.on_rollback(lambda: get_storage().delete(stored.key))
    anchor.storage_key = stored.key
    db.session.flush()
    return anchor


def read_copy(anchor: AuditAnchor) -> dict[str, Any] | None:
    """The object store's copy of an anchor, or None when it is missing."""
    from app.core.errors import NotFoundError

    if not anchor.storage_key:
        return None
    try:
        data = b"".join(get_storage().open(anchor.storage_key))
    except NotFoundError:
        return None
    return json.loads(data)
