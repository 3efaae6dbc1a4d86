"""The deadline scan: open steps that became near due or overdue get one StepAlert per kind, and the
acting unit's leaders get one e-mail each (app.notifications rows, sent by its job after commit).

Scheduling: `scan_deadlines` is a periodic job (every ALERT_SCAN_MINUTES, app.jobs.schedule); `flask
alerts scan` runs one scan now (cron, where no scheduler runs). Scans are idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from app.alerts.models import StepAlert
from app.auth.models import User
from app.auth.roles import Role
from app.calendar.services import get_calendar
from app.core import uow
from app.core.db import utcnow
from app.core.time import to_local
from app.dossiers.models import Dossier, DossierStep
from app.extensions import db
from app.jobs import QUICK, job
from app.notifications.services import email_staff

log = logging.getLogger(__name__)

BATCH = 500


@dataclass(frozen=True)
class Candidate:
    step_id: int
    step_name: str
    unit_id: int
    started_at: datetime
    due_at: datetime
    dossier_id: int
    dossier_code: str


def _no_alert(kind: str):  # noqa: ANN202
    return ~exists().where(StepAlert.step_id == DossierStep.id, StepAlert.kind == kind)


def _candidates(now: datetime, after_id: int) -> list[Candidate]:
    """Open, running steps of running dossiers still missing the alert their due time calls for."""
    rows = db.session.execute(
        select(
            DossierStep.id,
            DossierStep.name,
            DossierStep.unit_id,
            DossierStep.started_at,
            DossierStep.due_at,
            Dossier.id.label("dossier_id"),
            Dossier.code,
        )
        .join(Dossier, Dossier.id == DossierStep.dossier_id)
        .where(
            DossierStep.id > after_id,
            DossierStep.finished_at.is_(None),
            DossierStep.paused_at.is_(None),
            Dossier.paused_at.is_(None),
            or_(
                and_(DossierStep.due_at < now, _no_alert("overdue")),
                # near_due_at (kept with the step's clock) narrows the scan to the steps that are;
                # _kind still asks the calendar, so a moved calendar day cannot cause a false alert
                and_(DossierStep.due_at >= now, DossierStep.near_due_at < now, _no_alert("near_due")),
            ),
        )
        .order_by(DossierStep.id)
        .limit(BATCH)
    ).all()
    return [Candidate(*row) for row in rows]


def _kind(candidate: Candidate, now: datetime) -> str | None:
    if now > candidate.due_at:
        return "overdue"
    if get_calendar().near_due(candidate.started_at, candidate.due_at, now):
        return "near_due"
    return None


def _insert_alert(step_id: int, kind: str, now: datetime) -> int | None:
    """Insert the alert unless it exists (a concurrent scan may win): the new id, or None."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(StepAlert)
        .values(step_id=step_id, kind=kind, created_at=now)
        .on_conflict_do_nothing(index_elements=["step_id", "kind"])
        .returning(StepAlert.id)
    )
    return db.session.execute(statement).scalar()


def unit_leaders(unit_id: int) -> list[User]:
    """Active leaders of a unit, the people a late step is reported to."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.unit_id == unit_id, User.role == Role.LEADER, User.is_active_account.is_(True))
            .order_by(User.id)
        )
    )


def _message(candidate: Candidate, kind: str) -> tuple[str, str]:
    due = to_local(candidate.due_at).strftime("%H:%M %d/%m/%Y")
    with force_locale("vi"):
        if kind == "overdue":
            subject = gettext("Hồ sơ %(code)s đã quá hạn xử lý", code=candidate.dossier_code)
            lead = gettext("Bước xử lý đã quá hạn.")
        else:
            subject = gettext("Hồ sơ %(code)s sắp đến hạn xử lý", code=candidate.dossier_code)
            lead = gettext("Bước xử lý còn dưới %(share)s thời gian.", share="40%")
        body = "\n".join(
            (
                lead,
                gettext("Mã hồ sơ: %(code)s", code=candidate.dossier_code),
                gettext("Bước: %(name)s", name=candidate.step_name),
                gettext("Hạn của bước: %(due)s", due=due),
            )
        )
    return subject, body


def _notify(alert_id: int, candidate: Candidate, kind: str, now: datetime) -> None:
    leaders = [leader for leader in unit_leaders(candidate.unit_id) if leader.email]
    subject, body = _message(candidate, kind)
    email_staff([x.email for x in leaders], subject, body, f"step_{kind}", candidate.dossier_id)
    alert = db.session.get(StepAlert, alert_id)
    alert.leader_id = leaders[0].id if leaders else None
    alert.notified_at = now if leaders else None


def scan_once(now: datetime | None = None) -> int:
    """Create the missing alerts and queue the leaders' e-mails; returns the number of new alerts.
    Each batch is a unit of work of its own; its e-mails are enqueued when it commits."""
    now = now or utcnow()
    created, after_id = 0, 0
    while True:
        with uow.unit_of_work():
            batch = _candidates(now, after_id)
            for candidate in batch:
                kind = _kind(candidate, now)
                alert_id = _insert_alert(candidate.step_id, kind, now) if kind else None
                if alert_id is not None:
                    created += 1
                    _notify(alert_id, candidate, kind, now)
        if not batch:
            break
        after_id = batch[-1].step_id
    if created:
        log.info("deadline scan: %s new alert(s)", created)
    return created


@job(queue=QUICK, timeout=600)
def scan_deadlines() -> int:
    """Periodic: one scan of every open step."""
    return scan_once()
