"""Calendar API: due-date calculator, the list of special days, and admin edits.

Uses the project fixtures ``client``, ``make_user`` and ``auth_headers`` from tests/conftest.py.
Query strings go through ``query_string=`` so "+07:00" is encoded and not read as a space.
"""

import pytest

DUE = "/api/v1/calendar/due-date"
DAYS = "/api/v1/calendar/days"


def due(client, **query):
    return client.get(DUE, query_string=query)


@pytest.fixture
def admin_headers(make_user, auth_headers):
    return auth_headers(make_user("admin"))


# --- due date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"start": "2026-03-02T07:00:00+07:00", "working_days": 1}, "2026-03-02T17:00:00+07:00"),
        ({"start": "2026-03-06T14:00:00+07:00", "working_days": 1}, "2026-03-09T14:00:00+07:00"),
        ({"start": "2026-02-13T14:00:00+07:00", "working_days": 1}, "2026-02-23T14:00:00+07:00"),  # Tết
        ({"start": "2026-03-02T07:00", "working_days": 1}, "2026-03-02T17:00:00+07:00"),  # local time
        ({"start": "2026-03-02T00:00:00Z", "working_days": 1}, "2026-03-02T17:00:00+07:00"),  # UTC
        ({"start": "2026-03-02T09:00:00+07:00", "working_hours": 4}, "2026-03-02T15:00:00+07:00"),
        ({"start": "2026-03-02T15:00:00+07:00", "same_day": "true"}, "2026-03-02T17:00:00+07:00"),
        ({"start": "2026-03-02T15:30:00+07:00", "same_day": "true"}, "2026-03-03T17:00:00+07:00"),
        (
            {"start": "2026-03-02T15:30:00+07:00", "same_day": "true", "cutoff": "16:00"},
            "2026-03-02T17:00:00+07:00",
        ),
    ],
)
def test_due_date_is_public_and_in_vietnam_time(client, query, expected):
    response = due(client, **query)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"due_at": expected}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"start": "2026-03-02T07:00:00+07:00"}, {"working_days", "working_hours", "same_day"}),
        (
            {"start": "2026-03-02T07:00:00+07:00", "same_day": "false"},
            {"working_days", "working_hours", "same_day"},
        ),
        (
            {"start": "2026-03-02T07:00:00+07:00", "working_days": 1, "working_hours": 4},
            {"working_days", "working_hours"},
        ),
        ({"working_days": 1}, {"start"}),
        ({"start": "next monday", "working_days": 1}, {"start"}),
        ({"start": "2026-03-02T07:00:00+07:00", "working_days": 0}, {"working_days"}),
        ({"start": "2026-03-02T07:00:00+07:00", "working_days": "two"}, {"working_days"}),
        ({"start": "2026-03-02T07:00:00+07:00", "working_days": 1, "cutoff": "15:00"}, {"cutoff"}),
        ({"start": "2026-03-02T07:00:00+07:00", "same_day": "true", "cutoff": "3pm"}, {"cutoff"}),
    ],
)
def test_due_date_rejects_bad_queries_naming_the_fields(client, query, fields):
    response = due(client, **query)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["details"]) == fields


# --- days --------------------------------------------------------------------------------------


def test_days_lists_holidays_and_make_up_days_of_the_year(client):
    response = client.get(DAYS, query_string={"year": 2026})
    assert response.status_code == 200
    days = {item["date"]: item for item in response.get_json()}
    assert days["2026-02-17"]["kind"] == "day_off"
    assert days["2026-02-17"]["source"] == "holiday"
    assert days["2026-08-22"]["kind"] == "working_day"  # make-up Saturday for 31 Aug
    assert "2026-03-02" not in days


def test_days_rejects_a_bad_year(client):
    response = client.get(DAYS, query_string={"year": "twenty"})
    assert response.status_code == 422
    assert "year" in response.get_json()["error"]["details"]


def test_admin_day_off_moves_the_due_date_and_can_be_cleared(client, admin_headers):
    query = {"start": "2026-03-06T14:00:00+07:00", "working_days": 1}
    assert due(client, **query).get_json()["due_at"] == "2026-03-09T14:00:00+07:00"

    response = client.put(
        f"{DAYS}/2026-03-09", json={"kind": "day_off", "note": "QĐ 12/UBND"}, headers=admin_headers
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "date": "2026-03-09",
        "kind": "day_off",
        "note": "QĐ 12/UBND",
        "source": "admin",
    }
    assert due(client, **query).get_json()["due_at"] == "2026-03-10T14:00:00+07:00"
    listed = client.get(DAYS, query_string={"year": 2026}).get_json()
    assert {"date": "2026-03-09", "kind": "day_off", "note": "QĐ 12/UBND", "source": "admin"} in listed

    assert client.delete(f"{DAYS}/2026-03-09", headers=admin_headers).status_code == 204
    assert due(client, **query).get_json()["due_at"] == "2026-03-09T14:00:00+07:00"


def test_admin_make_up_saturday_counts_as_working_day(client, admin_headers):
    response = client.put(f"{DAYS}/2026-03-07", json={"kind": "working_day"}, headers=admin_headers)
    assert response.status_code == 200
    query = {"start": "2026-03-06T14:00:00+07:00", "working_days": 1}
    assert due(client, **query).get_json()["due_at"] == "2026-03-07T14:00:00+07:00"


def test_admin_can_change_an_existing_entry(client, admin_headers):
    client.put(f"{DAYS}/2026-03-07", json={"kind": "working_day"}, headers=admin_headers)
    response = client.put(
        f"{DAYS}/2026-03-07", json={"kind": "day_off", "note": "hủy làm bù"}, headers=admin_headers
    )
    assert response.get_json()["kind"] == "day_off"
    query = {"start": "2026-03-06T14:00:00+07:00", "working_days": 1}
    assert due(client, **query).get_json()["due_at"] == "2026-03-09T14:00:00+07:00"


@pytest.mark.parametrize("path", ["2026-13-01", "not-a-date", "2026-02-30"])
def test_bad_date_in_url_is_a_4xx_naming_it(client, admin_headers, path):
    response = client.put(f"{DAYS}/{path}", json={"kind": "day_off"}, headers=admin_headers)
    assert response.status_code == 422
    assert "date" in response.get_json()["error"]["details"]
    assert client.delete(f"{DAYS}/{path}", headers=admin_headers).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "holiday"}, "kind"),
        ({}, "kind"),
        ({"kind": "day_off", "note": "x" * 256}, "note"),
    ],
)
def test_put_rejects_a_bad_body(client, admin_headers, body, field):
    response = client.put(f"{DAYS}/2026-03-09", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["details"]


def test_clearing_a_day_without_admin_entry_is_404(client, admin_headers):
    assert client.delete(f"{DAYS}/2026-03-09", headers=admin_headers).status_code == 404


@pytest.mark.parametrize("role", ["citizen", "reception", "supervisor"])
def test_only_admins_edit_the_calendar(client, make_user, auth_headers, role):
    headers = auth_headers(make_user(role))
    assert client.put(f"{DAYS}/2026-03-09", json={"kind": "day_off"}, headers=headers).status_code == 403
    assert client.delete(f"{DAYS}/2026-03-09", headers=headers).status_code == 403


def test_editing_the_calendar_needs_authentication(client):
    assert client.put(f"{DAYS}/2026-03-09", json={"kind": "day_off"}).status_code == 401
    assert client.delete(f"{DAYS}/2026-03-09").status_code == 401
