"""Payment test data: a land dossier (first certificate, three-tier version) walked to the district
land registry, where the financial obligations are notified; the officers are the demo accounts."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import select

from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.payments.obligations import ObligationInput, add_obligation, notify_obligations
from tests.factories import act, submit

LAND = "1.012790"
OBLIGATION = ObligationInput(
    name="Tiền sử dụng đất",
    amount=12_500_000,
    basis="Thông báo số 123/TB-CCT ngày 01/12/2026 của Chi cục Thuế",
    payee="Chi cục Thuế huyện Châu Thành",
    due_on=date.today() + timedelta(days=30),
)


def at_registry(citizen, user) -> Dossier:
    """Received at xã Cần Đăng, verified, sent on to the district land registry (cv.vpdk)."""
    dossier = submit(citizen, LAND)
    dossier = act(dossier, "accept", user("tn.candang"))
    dossier = act(dossier, "assign", user("tn.candang"), {"assignee": "cv.candang"})
    return act(dossier, "forward", user("cv.candang"))


def awaiting_payment(citizen, user, *lines: ObligationInput) -> Dossier:
    """At the registry with `lines` (default: the land-use levy) notified: the clock is paused."""
    dossier = at_registry(citizen, user)
    with unit_of_work():
        for line in lines or (OBLIGATION,):
            add_obligation(dossier, user("cv.vpdk"), line)
        notify_obligations(dossier, user("cv.vpdk"))
    return fresh(dossier)


def fresh(dossier: Dossier) -> Dossier:
    db.session.expire_all()
    return db.session.scalar(select(Dossier).where(Dossier.id == dossier.id))


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))
