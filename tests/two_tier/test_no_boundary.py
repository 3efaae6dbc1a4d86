"""Received anywhere in the province (phi địa giới): a land dossier filed at xã Cần Đăng's service
centre for land on the island of Phú Quốc is decided by đặc khu Phú Quốc and the land registry branch
that serves it, on the island's deadline (30 working days instead of 20); the result comes back to
the centre that received it."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.core.uow import unit_of_work
from app.dossiers.models import Dossier
from app.extensions import db
from app.procedures import get_registry
from app.workflow.submission import Submission, submit_dossier
from tests.factories import act, form_data, uploads_for
from tests.two_tier.world import BRANCH_PHU_QUOC, CAN_DANG_CENTRE, PHU_QUOC
from tests.web import browser_sign_in

LAND = "1.012790"


def _file_land_dossier(officer, land_commune: str) -> Dossier:
    procedure = get_registry().current(LAND)
    data = {**form_data(procedure), "xa_thua_dat": land_commune}
    with unit_of_work():
        return submit_dossier(
            officer,
            Submission(
                LAND,
                data,
                uploads=uploads_for(procedure),
                channel="counter",
                applicant={"name": "Trần Văn Đảo", "citizen_id": "091090000777"},
            ),
        )


def _working_days(start, end) -> int:
    from app.calendar.services import get_calendar

    return round(get_calendar().working_minutes_between(start, end) / (8 * 60))


def test_an_island_land_dossier_received_on_the_mainland(user):
    reception = user("tn.candang")
    dossier = _file_land_dossier(reception, PHU_QUOC)
    assert dossier.procedure_version >= 2 and dossier.receiving_unit.code == CAN_DANG_CENTRE
    assert dossier.competent_unit.code == PHU_QUOC and dossier.received_outside_area
    mainland = act(_file_land_dossier(reception, dossier.receiving_unit.parent.code), "accept", reception)
    dossier = act(dossier, "accept", reception)
    assert _working_days(dossier.received_at, dossier.due_at) == 30  # 20 + 10 for an island commune
    assert _working_days(mainland.received_at, mainland.due_at) == 20
    dossier = act(dossier, "forward", reception)
    assert dossier.current_unit.code == PHU_QUOC


def test_the_officers_walk_a_phi_dia_gioi_island_dossier_in_their_browsers(user, page_factory):
    code = _file_land_dossier(user("tn.candang"), PHU_QUOC).code

    def as_(login):
        return browser_sign_in(page_factory(width=390, height=844), login)

    def step(page, name, **fields):
        page.goto(f"/work/dossiers/{code}")
        details = page.locator(f'details[data-action="{name}"]')
        if details.count():
            details.locator("summary").click()
            form = details.locator("form")
            for field, value in fields.items():
                form.locator(f'[name="{field}"]').select_option(value)
            form.locator("button[type=submit]").click()
        else:
            page.locator(f'form.ws-action[data-action="{name}"] button').click()
        page.wait_for_load_state()

    centre = as_("tn.candang")
    centre.goto(f"/work/dossiers/{code}")
    assert "Tiếp nhận không phụ thuộc địa giới" in centre.content()
    assert "Phú Quốc" in centre.locator("dl.facts").first.inner_text()
    step(centre, "accept")
    step(centre, "forward")

    chair = as_("ld.phuquoc")
    chair.goto("/work/queues/leader")
    assert code in chair.content()  # the competent commune's queue
    step(chair, "forward", unit=BRANCH_PHU_QUOC)

    registry = as_("cv.vpdk.phuquoc")
    registry.goto(f"/work/dossiers/{code}")
    assert registry.locator('details[data-action="forward"]').count() == 1
    step(registry, "forward")
    step(chair, "approve")

    step(centre, "complete")
    step(centre, "deliver")
    db.session.rollback()
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier.state == "returned"
    assert [s.unit.code for s in dossier.steps][:3] == [CAN_DANG_CENTRE, PHU_QUOC, BRANCH_PHU_QUOC]
    assert _working_days(dossier.received_at, dossier.due_at) == 30
    citizen_view = centre.content()
    assert re.search(r"Đã trả kết quả", citizen_view)


def test_the_tracking_book_tells_the_dossiers_received_outside_their_area(user):
    from app.core.db import utcnow
    from app.official_forms.tracking import Totals, book_row

    reception = user("tn.candang")
    here = act(_file_land_dossier(reception, reception.unit.parent.code), "accept", reception)
    island = act(_file_land_dossier(reception, PHU_QUOC), "accept", reception)
    totals = Totals()
    rows = [book_row(d, totals, utcnow()) for d in (here, island)]
    outside = "Tiếp nhận không phụ thuộc địa giới hành chính"
    assert [outside in row["notes"] for row in rows] == [False, True]
    assert totals.outside_area == 1 and totals.received == 2
