"""Routing (the dossier's unit; the procedure's only unit or the one chosen; else the provincial
centre) and the deadline in working days on the working calendar, set by the administrator."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.calendar.services import get_calendar, set_day
from app.core.errors import ValidationError
from app.core.time import VN_TZ
from app.core.uow import unit_of_work
from app.org.queries import get_unit_by_code, list_units
from app.petitions.routing import candidate_units, fallback_unit
from app.petitions.services import deadline_days, set_deadline
from app.procedures import get_registry
from tests.petitions.conftest import BIRTH, JUDICIAL, about_procedure, client_from, filed, signed_in
from tests.web import csrf_token

CENTRE = "000.00.01.H01"  # Trung tâm Phục vụ hành chính công tỉnh


def test_a_procedure_with_one_receiving_unit_goes_to_it():
    (only,) = candidate_units(get_registry().current(JUDICIAL))
    petition = filed(None, about_procedure(JUDICIAL)).petition
    assert petition.unit_id == only.id and petition.routed_by == "procedure_unit"


def test_a_commune_procedure_goes_to_the_commune_chosen_or_else_to_the_provincial_centre():
    communes = candidate_units(get_registry().current(BIRTH))
    assert len(communes) > 1
    chosen = filed(None, about_procedure(BIRTH, unit_code=communes[1].code)).petition
    assert chosen.unit_id == communes[1].id and chosen.routed_by == "chosen_unit"
    unknown = filed(None, about_procedure(BIRTH)).petition
    assert unknown.unit_id == fallback_unit().id == get_unit_by_code(CENTRE).id
    assert unknown.routed_by == "fallback"


def test_a_unit_that_does_not_handle_the_procedure_is_refused_naming_the_field():
    receiving = {u.id for u in candidate_units(get_registry().current(BIRTH))}
    elsewhere = next(u for u in list_units() if u.id not in receiving)
    with pytest.raises(ValidationError) as refused:
        filed(None, about_procedure(BIRTH, unit_code=elsewhere.code))
    assert set(refused.value.details) == {"unit_code"}


def test_the_fallback_unit_can_be_configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "PETITION_FALLBACK_UNIT", "000.00.30.H01")
    petition = filed(None, about_procedure(BIRTH)).petition
    assert petition.unit.code == "000.00.30.H01" and petition.routed_by == "fallback"


def test_the_deadline_counts_working_days_and_skips_a_day_off_the_administrator_adds(user):
    monday = datetime(2026, 3, 2, 8, 0, tzinfo=VN_TZ)  # no holiday in the following three weeks
    first = filed(None, about_procedure(), now=monday).petition
    assert first.deadline_days == deadline_days("petition") == 10
    assert first.due_at == get_calendar().due_at(monday, "working_days", 10)
    assert first.due_at.astimezone(VN_TZ) == datetime(2026, 3, 16, 8, 0, tzinfo=VN_TZ)
    with unit_of_work():
        set_day(date(2026, 3, 10), "day_off", "Nghỉ bù", user_id=user("admin").id)
    second = filed(None, about_procedure(), now=monday).petition
    assert second.due_at.astimezone(VN_TZ) == datetime(2026, 3, 17, 8, 0, tzinfo=VN_TZ)


def test_a_petition_filed_at_night_starts_counting_at_the_next_working_period():
    friday_night = datetime(2026, 3, 6, 21, 0, tzinfo=VN_TZ)
    petition = filed(None, about_procedure(), now=friday_night).petition
    monday_start = datetime(2026, 3, 9, 7, 0, tzinfo=VN_TZ)
    assert petition.due_at == get_calendar().due_at(monday_start, "working_days", 10)


def test_a_new_setting_applies_to_new_petitions_only(user):
    before = filed(None, about_procedure()).petition
    with unit_of_work():
        set_deadline("petition", 15, user("admin"))
    after = filed(None, about_procedure()).petition
    assert (before.deadline_days, after.deadline_days) == (10, 15)
    assert after.due_at - before.due_at > timedelta(days=5)


def test_the_administrator_sets_the_deadlines_on_a_page(app, user):
    admin = signed_in(app, "admin")
    page = "/admin/petitions"
    refused = admin.post(page, data={"csrf_token": csrf_token(admin, page), "feedback": "0", "petition": "x"})
    assert refused.status_code == 400
    assert refused.get_data(as_text=True).count("Từ 1 đến 90 ngày làm việc") == 2
    saved = admin.post(page, data={"csrf_token": csrf_token(admin, page), "feedback": "7", "petition": "12"})
    assert saved.status_code == 302
    assert (deadline_days("feedback"), deadline_days("petition")) == (7, 12)
    assert client_from(app).get(page).status_code == 302  # sign in first
