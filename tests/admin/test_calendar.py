"""The working calendar page: holidays from the `holidays` package and admin days; an admin day
changes the due dates the API computes, and removing it restores them."""

from __future__ import annotations

import pytest

from tests.web import csrf_token, sign_in

PAGE = "/admin/calendar?year=2026"
DUE = "/api/v1/calendar/due-date"
# Friday 2 Oct 2026, 08:00 + 1 working day is due Monday 5 Oct 08:00 ... unless Monday is a day off.
QUERY = {"start": "2026-10-02T08:00:00+07:00", "working_days": 1}


@pytest.fixture
def admin_client(client):
    assert sign_in(client, "admin").status_code == 302
    return client


def test_year_view_lists_public_holidays(admin_client):
    page = admin_client.get(PAGE).get_data(as_text=True)
    assert "02/09/2026" in page  # Quốc khánh
    assert "Quy định nhà nước" in page
    assert page.count('class="month"') == 12


def test_admin_day_off_moves_due_dates_and_removing_it_restores_them(admin_client, client):
    assert client.get(DUE, query_string=QUERY).json["due_at"] == "2026-10-05T08:00:00+07:00"
    token = csrf_token(admin_client, PAGE)
    response = admin_client.post(
        "/admin/calendar/days",
        data={"day": "2026-10-05", "kind": "day_off", "note": "Nghỉ bão", "csrf_token": token},
    )
    assert response.status_code == 302 and "year=2026" in response.headers["Location"]
    page = admin_client.get(PAGE).get_data(as_text=True)
    assert "Nghỉ bão" in page and "/admin/calendar/days/2026-10-05/delete" in page
    assert client.get(DUE, query_string=QUERY).json["due_at"] == "2026-10-06T08:00:00+07:00"

    response = admin_client.post(
        "/admin/calendar/days/2026-10-05/delete", data={"csrf_token": csrf_token(admin_client, PAGE)}
    )
    assert response.status_code == 302
    assert "Nghỉ bão" not in admin_client.get(PAGE).get_data(as_text=True)
    assert client.get(DUE, query_string=QUERY).json["due_at"] == "2026-10-05T08:00:00+07:00"


def test_make_up_working_day_is_shown_and_used(admin_client, client):
    token = csrf_token(admin_client, PAGE)
    admin_client.post(
        "/admin/calendar/days",
        data={"day": "2026-10-03", "kind": "working_day", "note": "", "csrf_token": token},
    )
    assert client.get(DUE, query_string=QUERY).json["due_at"] == "2026-10-03T08:00:00+07:00"


def test_due_date_preview_uses_the_calendar(admin_client):
    page = admin_client.get("/admin/calendar?year=2026&start=2026-10-02T08:00&days=1").get_data(as_text=True)
    assert "08:00 05/10/2026" in page


def test_bad_day_is_reported_next_to_the_field(admin_client):
    token = csrf_token(admin_client, PAGE)
    response = admin_client.post(
        "/admin/calendar/days", data={"day": "2026-13-40", "kind": "day_off", "csrf_token": token}
    )
    assert response.status_code == 400 and 'id="day-error"' in response.get_data(as_text=True)


def test_year_out_of_range_is_a_clear_400(admin_client):
    assert admin_client.get("/admin/calendar?year=1800").status_code in (400, 422)
