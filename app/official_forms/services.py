"""Issuing the official forms: the outbox handler records them, a job renders and stores the PDF.

Flow: ``dossier.transitioned`` (outbox, in order per dossier) -> ``issue_forms_for_transition``
writes a pending IssuedForm for each form the transition declares, in the form set in force on the
event's day, with its content (flush only: the dispatch commits) and asks, after that commit, for
the job ``render_form(issued_form_id)``. Both steps are idempotent. The control sheet can also be
asked for by staff at any time: ``issue_control_form``.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import NotFoundError, PermissionDeniedError
from app.core.time import to_local
from app.dossiers.models import Dossier, DossierEvent, DossierStep
from app.dossiers.permissions import can_view_dossier
from app.extensions import db
from app.jobs import HEAVY, QUICK, enqueue, job
from app.official_forms.catalog import form_set_on
from app.official_forms.content import build_content
from app.official_forms.control import same_facts
from app.official_forms.models import IssuedForm
from app.official_forms.rendering import render_pdf
from app.official_forms.retry import failure_recorder, reenqueue_unfinished
from app.org.models import Unit
from app.outbox.models import OutboxMessage
from app.procedures.queries import transition_of_message
from app.procedures.vocabulary import CONTROL_SHEET
from app.storage import get_storage

log = logging.getLogger(__name__)

MAX_PDF_BYTES = 5 * 1024 * 1024


def wants(payload: dict[str, Any]) -> bool:
    """An outbox row is written for the forms only of a transition that declares some."""
    transition = transition_of_message(payload)
    return bool(transition and transition.effects.forms)


def issue_forms_for_transition(message: OutboxMessage) -> None:
    """Outbox handler for "dossier.transitioned": the forms the transition declares (by form-set
    key; a hand-off, end of a leg or return adds the control sheet). Runs inside the dispatch
    transaction: flushes, never commits."""
    transition = transition_of_message(message.payload) if message.dossier_id else None
    if transition is None or not transition.effects.forms:
        return
    event = _find_event(message)
    if event is None:
        log.warning("outbox message %s: no event for %s, no form issued", message.id, message.payload)
        return
    for key in transition.effects.forms:
        issue_form(event, key)


def _find_event(message: OutboxMessage) -> DossierEvent | None:
    """The event the engine wrote together with this message."""
    return db.session.scalar(
        select(DossierEvent)
        .where(DossierEvent.id == message.payload["event_id"], DossierEvent.dossier_id == message.dossier_id)
        .options(selectinload(DossierEvent.actor), selectinload(DossierEvent.actor_unit))
    )


def issue_form(event: DossierEvent, key: str, as_of: datetime | None = None) -> IssuedForm | None:
    """The form `key` for this event, in the set in force on the day it is issued (Vietnam time):
    the event's day, or ``as_of``'s for a control sheet asked for later (see build_content). Created
    pending (with its render job after commit), or the existing one, which keeps its set. None when
    that set has no such form: a stop before 15 Sep 2025, under the 2018 set, issues no stop notice
    (that set has none), and nothing is issued for it later. Flush only."""
    existing = _form_of_event(event.id, key)
    if existing is not None:
        return existing
    forms = form_set_on(to_local(as_of or event.created_at).date())
    if not forms.has(key):
        log.info("event %s: the form set %s has no form '%s'; none issued", event.id, forms.name, key)
        return None
    kind = forms.form(key)
    dossier = _dossier_for_forms(event.dossier_id)
    issued = IssuedForm(
        dossier_id=dossier.id,
        event_id=event.id,
        form_key=key,
        form_set=forms.name,
        form=kind.code,
        content=build_content(key, dossier, event, as_of),
    )
    db.session.add(issued)
    db.session.flush()
    _render_after_commit(issued.id)
    log.info("dossier %s: %s issued as form %s (pending)", dossier.code, kind.code, issued.id)
    return issued


def issue_control_form(dossier: Dossier, user: User) -> IssuedForm:
    """The control slip (Mẫu 05 of the 2018 set, 06 of the 2025 set) on demand, as things stand
    now: staff who can see the dossier ask for it. The form
    belongs to the dossier's latest event; if one exists already and the legs read the same, it is
    returned as is, otherwise its content is refreshed (an open leg may have become overdue since)
    and the PDF rendered again."""
    if not user.is_staff or not can_view_dossier(user, dossier):
        raise PermissionDeniedError(
            "Chỉ cán bộ xem được hồ sơ mới lập được Phiếu kiểm soát quá trình giải quyết hồ sơ"
        )
    event = db.session.scalar(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id.desc())
    )
    if event is None:  # every dossier has its submission event; a missing one is a data error
        raise NotFoundError(f"Hồ sơ {dossier.code} chưa có sự kiện nào để lập Phiếu kiểm soát")
    existing = _form_of_event(event.id, CONTROL_SHEET, lock=True)
    if existing is None:
        try:
            with db.session.begin_nested():
                issued = issue_form(event, CONTROL_SHEET, utcnow())
        except IntegrityError:  # issued a moment ago by someone else (or the outbox): use that one
            issued = _form_of_event(event.id, CONTROL_SHEET)
    else:
        issued = _refresh(existing, _dossier_for_forms(dossier.id), event)
    return issued


def _refresh(issued: IssuedForm, dossier: Dossier, event: DossierEvent) -> IssuedForm:
    content = build_content(CONTROL_SHEET, dossier, event, utcnow())
    if issued.status != "failed" and same_facts(issued.content, content):
        return issued
    old_key = issued.storage_key
    issued.content, issued.status, issued.storage_key, issued.size = content, "pending", None, None
    issued.ready_at, issued.error = None, None
    if old_key:
        uow.after_commit(lambda: get_storage().delete(old_key))
    _render_after_commit(issued.id)
    log.info("dossier %s: form %s (%s) refreshed", dossier.code, issued.id, issued.form)
    return issued


def _form_of_event(event_id: int, form: str, *, lock: bool = False) -> IssuedForm | None:
    query = select(IssuedForm).where(IssuedForm.event_id == event_id, IssuedForm.form_key == form)
    return db.session.scalar(query.with_for_update() if lock else query)


def _dossier_for_forms(dossier_id: int) -> Dossier:
    """The dossier with what the forms print: documents, units, legs, history."""
    return db.session.scalar(
        select(Dossier)
        .where(Dossier.id == dossier_id)
        .options(
            selectinload(Dossier.documents),
            selectinload(Dossier.receiving_unit).selectinload(Unit.parent),
            selectinload(Dossier.steps).selectinload(DossierStep.unit),
            selectinload(Dossier.events),
        )
        .execution_options(populate_existing=True)
    )


def _render_after_commit(issued_id: int) -> None:
    enqueue(render_form, issued_id, job_id=f"render-form-{issued_id}")


@job(queue=HEAVY, timeout=300, retry=(10, 60, 300), on_failure=failure_recorder(IssuedForm, "form"))
def render_form(issued_form_id: int) -> None:
    """Render the PDF, store it under forms/, mark the form ready. A ready form is left alone; the
    row is locked meanwhile, so two workers never store two copies. On failure the form is marked
    failed with the error and the exception goes on, so rq retries it."""
    issued = db.session.get(IssuedForm, issued_form_id, with_for_update=True)
    if issued is None or issued.is_ready:
        return
    pdf = render_pdf(issued.kind, issued.content)
    stored = get_storage().put_stream(
        io.BytesIO(pdf), allowed_types=["application/pdf"], max_bytes=MAX_PDF_BYTES, prefix="forms"
    )
    uow.on_rollback(lambda: get_storage().delete(stored.key))
    issued.storage_key, issued.size = stored.key, stored.size
    issued.status, issued.ready_at, issued.error = "ready", utcnow(), None
    log.info("form %s (%s) ready: %s, %d bytes", issued_form_id, issued.form, stored.key, stored.size)


@job(queue=QUICK, timeout=120)
def render_unfinished(older_than_seconds: int = 120) -> int:
    """Periodic: re-enqueue forms still pending or failed after a while (a lost push, retries run out)."""
    return reenqueue_unfinished(IssuedForm, render_form, "render-form", older_than_seconds)
