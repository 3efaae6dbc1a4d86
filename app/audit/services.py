"""Recording access to personal data: one small row per dossier opened or file downloaded by
someone other than its applicant, in the request's own unit of work (flush only)."""

from __future__ import annotations

from flask import has_request_context, request

from app.audit.models import AuditVerification, DossierAccess
from app.audit.permissions import is_recorded
from app.audit.verify import Outcome
from app.auth.models import User
from app.core.db import utcnow
from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db

VIEW, DOCUMENT, FORM = "view", "document", "form"


def record_access(
    user: User,
    dossier: Dossier,
    *,
    document: DossierDocument | None = None,
    form_id: int | None = None,
    form_name: str | None = None,
    channel: str = "web",
) -> DossierAccess | None:
    """Record that `user` opened `dossier` (or downloaded `document`, or the issued form `form_id`
    named `form_name`); nothing for the applicant. Returns the row (added to the session), or None."""
    if not is_recorded(user, dossier):
        return None
    kind = DOCUMENT if document is not None else FORM if form_id is not None else VIEW
    access = DossierAccess(
        created_at=utcnow(),
        dossier_id=dossier.id,
        user_id=user.id,
        role=user.role,
        unit_id=user.unit_id,
        kind=kind,
        channel=channel,
        document_id=document.id if document is not None else None,
        form_id=form_id,
        item_name=document.original_name if document is not None else form_name,
        ip=(request.remote_addr or None) if has_request_context() else None,
    )
    db.session.add(access)
    return access


def start_verification(user: User | None, dossier_code: str | None = None) -> AuditVerification:
    """A verification run about to start: counted, so its progress can be shown (flushes)."""
    from sqlalchemy import func, select

    from app.dossiers.models import DossierEvent

    query = select(func.count(DossierEvent.id))
    if dossier_code is not None:
        query = query.join(Dossier, Dossier.id == DossierEvent.dossier_id).where(Dossier.code == dossier_code)
    run = AuditVerification(
        started_at=utcnow(),
        dossier_code=dossier_code,
        total_events=db.session.scalar(query) or 0,
        requested_by_id=user.id if user is not None else None,
    )
    db.session.add(run)
    db.session.flush()
    return run


def finish_verification(run: AuditVerification, outcome: Outcome) -> None:
    """Write what a run found."""
    problem = outcome.problem
    run.finished_at = utcnow()
    run.status = "ok" if problem is None else "broken"
    run.events_checked, run.dossiers_checked, run.anchors_checked = (
        outcome.events,
        outcome.dossiers,
        outcome.anchors,
    )
    if problem is not None:
        run.problem_kind, run.problem = problem.kind, problem.message
        run.broken_dossier_code, run.broken_event_id = problem.dossier_code, problem.event_id
    db.session.flush()
