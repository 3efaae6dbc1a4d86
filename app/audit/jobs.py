"""Jobs of the audit domain: the hourly anchor of the history, and a verification asked for on the
admin page (progress committed as it goes, so the page can show it)."""

from __future__ import annotations

import logging

from sqlalchemy import update

from app.audit.anchors import make_anchor
from app.audit.models import AuditVerification
from app.audit.services import finish_verification
from app.audit.verify import Outcome, verify
from app.core import uow
from app.extensions import db
from app.jobs import HEAVY, QUICK, job

log = logging.getLogger(__name__)


@job(queue=QUICK, timeout=600, retry=(30, 300))
def anchor_history() -> int | None:
    """Anchor the log as it stands; nothing when no event was written since the last anchor."""
    anchor = make_anchor()
    if anchor is None:
        return None
    log.info("anchor #%s: %s events up to #%s", anchor.id, anchor.event_count, anchor.last_event_id)
    return anchor.id


def _record_failure(verification_id: int, exc: BaseException) -> None:
    db.session.execute(
        update(AuditVerification)
        .where(AuditVerification.id == verification_id, AuditVerification.status == "running")
        .values(status="failed", problem=type(exc).__name__)
    )


def _progress(verification_id: int, outcome: Outcome) -> None:
    """A unit of work of its own, committed at once, so the admin page sees it."""
    with uow.unit_of_work():
        db.session.execute(
            update(AuditVerification)
            .where(AuditVerification.id == verification_id)
            .values(events_checked=outcome.events, dossiers_checked=outcome.dossiers)
        )


@job(queue=HEAVY, timeout=3600, on_failure=_record_failure)
def run_verification(verification_id: int) -> str | None:
    """Walk the whole history for a run started on the admin page; a finished run is left alone."""
    run = db.session.get(AuditVerification, verification_id)
    if run is None or not run.is_running:
        return None
    outcome = verify(run.dossier_code, progress=lambda o: _progress(verification_id, o))
    run = db.session.get(AuditVerification, verification_id, populate_existing=True)
    finish_verification(run, outcome)
    log.info("verification #%s: %s, %s events", verification_id, run.status, outcome.events)
    return run.status
