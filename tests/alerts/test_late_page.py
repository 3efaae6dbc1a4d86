"""/work/late: a unit's overdue and near-due dossiers, whether the leader was alerted, vi and en."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.alerts.jobs import scan_once
from app.extensions import db
from app.org.models import Unit
from tests.alerts.conftest import COMMUNE
from tests.factories import act, submit
from tests.notifications.support import BIRTH
from tests.web import sign_in

pytestmark = pytest.mark.usefixtures("in_process_jobs")


def _accepted(clock, citizen, user, at: str):
    dossier = submit(citizen, BIRTH)
    clock.at(at)
    return act(dossier, "accept", user("tn.candang"))


@pytest.fixture
def dossiers(clock, make_user, user, leader):
    """Overdue (alerted), near due (not alerted yet), and a fresh one, seen at Mon 7 Dec 15:00."""
    citizen = make_user("citizen")
    overdue = _accepted(clock, citizen, user, "2026-12-04 09:00")  # due Fri 17:00
    clock.at("2026-12-07 08:00")
    scan_once()
    near = _accepted(clock, citizen, user, "2026-12-07 09:00")  # 120 of 360 minutes left at 15:00
    fresh = _accepted(clock, citizen, user, "2026-12-07 14:00")  # 120 of 180 minutes left
    clock.at("2026-12-07 15:00")
    return {"overdue": overdue.code, "near": near.code, "fresh": fresh.code}


def _section(html: str, kind: str) -> str:
    match = re.search(rf'<section aria-labelledby="h-{kind}">(.*?)</section>', html, re.S)
    assert match, kind
    return match.group(1)


def test_unit_leader_sees_overdue_and_near_due(client, dossiers):
    sign_in(client, "ld.candang")
    response = client.get("/work/late")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    overdue, near = _section(html, "overdue"), _section(html, "near_due")
    assert f'href="/work/dossiers/{dossiers["overdue"]}"' in overdue and "Đã báo" in overdue
    assert dossiers["near"] in near and "Chưa" in near
    assert dossiers["overdue"] not in near and dossiers["near"] not in overdue
    assert dossiers["fresh"] not in html
    assert "quá " in overdue and "còn 2 giờ" in near
    assert 'href="/work/late"' in html  # the nav link


def test_other_unit_sees_none_of_them(client, dossiers):
    sign_in(client, "cv.vpdk")
    html = client.get("/work/late").get_data(as_text=True)
    assert dossiers["overdue"] not in html and dossiers["near"] not in html


def test_supervisor_filters_by_unit(client, dossiers):
    commune = db.session.scalar(select(Unit).where(Unit.code == COMMUNE))
    sign_in(client, "giamsat.tinh")
    html = client.get("/work/late").get_data(as_text=True)
    assert f'<option value="{commune.id}"' in html
    assert dossiers["overdue"] in html and dossiers["near"] in html
    other = db.session.scalar(select(Unit).where(Unit.code == "000.04.30.H01"))
    html = client.get(f"/work/late?unit={other.id}").get_data(as_text=True)
    assert dossiers["overdue"] not in html
    html = client.get(f"/work/late?unit={commune.id}").get_data(as_text=True)
    assert dossiers["overdue"] in html


def test_page_renders_in_english_and_refuses_citizens(client, dossiers, make_user):
    sign_in(client, "ld.candang")
    response = client.get("/work/late?lang=en")
    assert response.status_code == 200 and dossiers["near"] in response.get_data(as_text=True)
    client.get("/logout")
    sign_in(client, "congdan")
    assert client.get("/work/late").status_code == 403
