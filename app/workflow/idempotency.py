"""Idempotent submissions: a client sends an `Idempotency-Key` (the pages send one per form they
render, as `idempotency_key`); a repeat of the same request with the same key gets the first
answer again and creates nothing.

The key is claimed with an insert in the request's own unit of work: a second request with the same
key waits on that row until the first commits, then finds its answer and replays it. An answer that
is an error rolls the unit back, claim included, so the request may simply be sent again. Keys are
per user and per use case; a key sent with a different request is refused (422).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Response, current_app, jsonify, redirect, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UTCDateTime, utcnow
from app.core.errors import ValidationError
from app.extensions import db
from app.outbox.models import JSONType

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,100}$")
REPLAYED = "Idempotent-Replayed"


class IdempotencyKey(db.Model):
    """The first answer to a request sent with a key: its status and body, or where it redirected."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_user_scope_key", "user_id", "scope", "key", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(40))  # the use case: api.create_dossier, drafts.submit
    key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the request it was first sent with
    status_code: Mapped[int | None]
    body: Mapped[Any | None] = mapped_column(JSONType)
    location: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def _sent_key() -> str | None:
    key = request.headers.get(HEADER) or request.form.get(FORM_FIELD)
    if key is None:
        return None
    if not KEY.match(key):
        message = "Idempotency-Key: 8-100 chữ, số hoặc . _ : -"
        raise ValidationError(message, {FORM_FIELD: message})
    return key


def _fingerprint() -> str:
    """The request's method, path, fields (but the CSRF token) and file parts' names."""
    digest = hashlib.sha256(f"{request.method} {request.path}".encode())
    for name in sorted(request.form):
        if name not in ("csrf_token", FORM_FIELD):
            digest.update(f"\0{name}={'|'.join(request.form.getlist(name))}".encode())
    for name in sorted(request.files):
        digest.update(
            f"\0file:{name}={'|'.join(f.filename or '' for f in request.files.getlist(name))}".encode()
        )
    return digest.hexdigest()


def _claim(scope: str, key: str, fingerprint: str) -> IdempotencyKey | None:
    """Insert the claim; None when the key was already used (after waiting for its first request)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(IdempotencyKey)
        .values(user_id=current_user.id, scope=scope, key=key, fingerprint=fingerprint, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id", "scope", "key"])
        .returning(IdempotencyKey.id)
    )
    claimed = db.session.execute(statement).scalar()
    return db.session.get(IdempotencyKey, claimed) if claimed is not None else None


def _replay(row: IdempotencyKey) -> Response:
    if row.location:
        response = redirect(row.location, row.status_code or 303)
    else:
        response = jsonify(row.body)
        response.status_code = row.status_code or 200
    response.headers[REPLAYED] = "true"
    return response


def _record(row: IdempotencyKey, response: Response) -> None:
    row.status_code = response.status_code
    if response.status_code in (301, 302, 303, 307, 308):
        row.location = response.headers.get("Location")
    elif response.is_json:
        row.body = response.get_json()


def idempotent(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make a view idempotent for requests that carry a key (see the module docstring)."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = _sent_key() if current_user.is_authenticated else None
            if key is None:
                return view(*args, **kwargs)
            fingerprint = _fingerprint()
            row = _claim(scope, key, fingerprint)
            if row is None:
                first = db.session.scalar(
                    select(IdempotencyKey).where(
                        IdempotencyKey.user_id == current_user.id,
                        IdempotencyKey.scope == scope,
                        IdempotencyKey.key == key,
                    )
                )
                if first.fingerprint != fingerprint:
                    message = "Idempotency-Key này đã được dùng cho một yêu cầu khác"
                    raise ValidationError(message, {FORM_FIELD: message})
                return _replay(first)
            claim_id = row.id
            response = current_app.make_response(view(*args, **kwargs))
            claimed = db.session.get(IdempotencyKey, claim_id)  # None: the view rolled its unit back
            if claimed is not None:
                _record(claimed, response)
            return response

        return wrapper

    return decorate


def forget_old_keys(older_than_hours: float) -> int:
    """Delete the keys of answers older than `older_than_hours`: a client retries within minutes."""
    from datetime import timedelta

    from sqlalchemy import delete

    cutoff = utcnow() - timedelta(hours=older_than_hours)
    return db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)).rowcount
