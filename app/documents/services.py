"""Issuing the official forms: the outbox handler records them, a job renders and stores the PDF.

Flow: ``dossier.transitioned`` (outbox, in order per dossier) -> ``issue_forms_for_transition``
writes a pending IssuedForm with its content snapshot (flush only: the dispatch commits) and asks,
after that commit, for the job ``render_form(issued_form_id)``. Both steps are idempotent.
"""

from __future__ import annotations

import io
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import tx
from app.core.db import utcnow
from app.documents.catalog import TRANSITION_FORMS
from app.documents.content import build_content
from app.documents.models import IssuedForm
from app.documents.rendering import render_pdf
from app.dossiers.models import Dossier, DossierEvent
from app.extensions import db
from app.jobs import enqueue
from app.outbox.models import OutboxMessage
from app.storage import get_storage

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 5 * 1024 * 1024


def issue_forms_for_transition(message: OutboxMessage) -> None:
    """Outbox handler for "dossier.transitioned": accept -> Mẫu 01, request_supplement and
    return_for_supplement -> Mẫu 02, refuse -> Mẫu 03, extend -> Mẫu 04; other transitions
    issue nothing. Runs inside the dispatch transaction: flushes, never commits."""
    form = TRANSITION_FORMS.get(message.payload.get("transition", ""))
    if form is None or message.dossier_id is None:
        return
    event = _find_event(message)
    if event is None:
        log.warning("outbox message %s: no event for %s, no form issued", message.id, message.payload)
        return
    issue_form(event, form)


def _find_event(message: OutboxMessage) -> DossierEvent | None:
    """The event the engine wrote together with this message."""
    return db.session.scalar(
        select(DossierEvent)
        .where(DossierEvent.id == message.payload["event_id"], DossierEvent.dossier_id == message.dossier_id)
        .options(selectinload(DossierEvent.actor), selectinload(DossierEvent.actor_unit))
    )


def issue_form(event: DossierEvent, form: str) -> IssuedForm:
    """The form `form` for this event: created pending (with its render job after commit), or the
    existing one. Flush only."""
    existing = db.session.scalar(
        select(IssuedForm).where(IssuedForm.event_id == event.id, IssuedForm.form == form)
    )
    if existing is not None:
        return existing
    dossier = db.session.scalar(
        select(Dossier)
        .where(Dossier.id == event.dossier_id)
        .options(selectinload(Dossier.documents), selectinload(Dossier.receiving_unit))
    )
    issued = IssuedForm(
        dossier_id=dossier.id, event_id=event.id, form=form, content=build_content(form, dossier, event)
    )
    db.session.add(issued)
    db.session.flush()
    issued_id = issued.id
    tx.after_commit(lambda: enqueue(render_form, issued_id, job_id=f"render-form-{issued_id}"))
    log.info("dossier %s: %s issued as form %s (pending)", dossier.code, form, issued_id)
    return issued


def render_form(issued_form_id: int) -> None:
    """Job: render the PDF, store it under forms/, mark the form ready. A ready form is left alone;
    the row is locked meanwhile, so two workers never store two copies. On failure the form is
    marked failed with the error and the exception re-raised, so rq retries it."""
    issued = db.session.get(IssuedForm, issued_form_id, with_for_update=True)
    if issued is None or issued.is_ready:
        db.session.rollback()
        return
    try:
        pdf = render_pdf(issued.kind, issued.content)
        stored = get_storage().put_stream(
            io.BytesIO(pdf), allowed_types=["application/pdf"], max_bytes=MAX_PDF_BYTES, prefix="forms"
        )
    except Exception as exc:
        db.session.rollback()
        _mark_failed(issued_form_id, exc)
        raise
    tx.on_rollback(lambda: get_storage().delete(stored.key))
    issued.storage_key, issued.size = stored.key, stored.size
    issued.status, issued.ready_at, issued.error = "ready", utcnow(), None
    tx.commit()
    log.info("form %s (%s) ready: %s, %d bytes", issued_form_id, issued.form, stored.key, stored.size)


def _mark_failed(issued_form_id: int, exc: Exception) -> None:
    issued = db.session.get(IssuedForm, issued_form_id)
    if issued is not None and not issued.is_ready:
        issued.status, issued.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        tx.commit()
    log.error("form %s failed to render: %s", issued_form_id, exc)


def render_unfinished(older_than_seconds: int = 60) -> int:
    """Re-enqueue forms still pending or failed after a while (lost job, retries exhausted)."""
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    ids = list(
        db.session.scalars(
            select(IssuedForm.id)
            .where(IssuedForm.status != "ready", IssuedForm.created_at < cutoff)
            .order_by(IssuedForm.id)
        )
    )
    db.session.rollback()
    for issued_id in ids:
        enqueue(render_form, issued_id, job_id=f"render-form-{issued_id}")
    return len(ids)
