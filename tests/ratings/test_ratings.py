"""Satisfaction ratings: by the owner, after the result is returned, one per dossier, editable for
7 days; through the dossier page and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.core.db import utcnow
from app.extensions import db
from app.ratings.models import Rating
from tests.factories import act, submit
from tests.notifications.support import BIRTH, attach_result, walk_to_approved
from tests.web import csrf_token, sign_in

GOOD = {
    "overall": 5,
    "time_vs_statutory": "faster",
    "contacts": "once",
    "conduct": "good",
    "comment": "Nhanh",
}


def returned(dossier, user):
    walk_to_approved(dossier, user)
    attach_result(dossier, user("tn.candang"))
    act(dossier, "complete", user("tn.candang"))
    act(dossier, "deliver", user("tn.candang"), {"return_method": "electronic"})
    return dossier


@pytest.fixture
def congdan(user):
    return user("congdan")


@pytest.fixture
def owner_headers(congdan, auth_headers):
    return auth_headers(congdan)


def put(client, dossier, headers, body=GOOD):
    return client.put(f"/api/v1/dossiers/{dossier.code}/rating", json=body, headers=headers)


def ratings_of(dossier) -> int:
    return db.session.scalar(select(func.count()).select_from(Rating).where(Rating.dossier_id == dossier.id))


def test_rating_before_the_result_is_returned_is_refused_clearly(client, congdan, user, owner_headers):
    dossier = walk_to_approved(submit(congdan, BIRTH), user)
    response = put(client, dossier, owner_headers)
    assert response.status_code == 409
    assert (
        response.json["error"]["message"]
        == "Bạn chỉ có thể đánh giá sau khi đã nhận kết quả giải quyết hồ sơ"
    )
    assert ratings_of(dossier) == 0


def test_owner_rates_once_and_may_change_it(client, congdan, user, owner_headers):
    dossier = returned(submit(congdan, BIRTH), user)
    assert client.get(f"/api/v1/dossiers/{dossier.code}/rating", headers=owner_headers).status_code == 404
    first = put(client, dossier, owner_headers)
    assert first.status_code == 200 and first.json["is_satisfied"] is True
    second = put(client, dossier, owner_headers, {**GOOD, "overall": 2, "conduct": "poor", "comment": None})
    assert second.status_code == 200 and second.json["is_satisfied"] is False
    assert ratings_of(dossier) == 1
    shown = client.get(f"/api/v1/dossiers/{dossier.code}/rating", headers=owner_headers).json
    assert shown["overall"] == 2 and shown["conduct"] == "poor" and shown["comment"] is None
    assert shown["created_at"] == first.json["created_at"] and shown["editable_until"].endswith("+07:00")


@pytest.mark.parametrize(("days", "status"), [(6, 200), (8, 409)])
def test_rating_is_editable_for_seven_days(client, congdan, user, owner_headers, monkeypatch, days, status):
    dossier = returned(submit(congdan, BIRTH), user)
    put(client, dossier, owner_headers)
    later = utcnow() + timedelta(days=days)
    monkeypatch.setattr("app.ratings.services.utcnow", lambda: later)
    response = put(client, dossier, owner_headers, {**GOOD, "overall": 3})
    assert response.status_code == status
    if status == 409:
        assert "7 ngày" in response.json["error"]["message"]
        assert db.session.scalar(select(Rating.overall)) == 5


def test_only_the_owner_may_rate(client, congdan, user, auth_headers):
    dossier = returned(submit(congdan, BIRTH), user)
    assert put(client, dossier, auth_headers(user("congdan2"))).status_code == 404
    assert put(client, dossier, auth_headers(user("tn.candang"))).status_code == 403
    assert ratings_of(dossier) == 0


def test_invalid_fields_are_named(client, congdan, user, owner_headers):
    dossier = returned(submit(congdan, BIRTH), user)
    response = put(client, dossier, owner_headers, {"overall": 6, "contacts": "never"})
    assert response.status_code == 422
    assert {"overall", "contacts", "time_vs_statutory", "conduct"} <= set(response.json["error"]["details"])


def _rate_on_page(client, dossier, data: dict):
    token = csrf_token(client, f"/my/dossiers/{dossier.code}")
    return client.post(f"/my/dossiers/{dossier.code}/rating", data={"csrf_token": token, **data})


def test_rating_through_the_dossier_page(client, congdan, user):
    dossier = returned(submit(congdan, BIRTH), user)
    sign_in(client, "congdan")
    html = client.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)
    assert "<legend>Thời gian giải quyết so với thời hạn quy định" in html and "Gửi đánh giá" in html
    missing = _rate_on_page(client, dossier, {"overall": "4", "comment": "Cán bộ nhiệt tình"})
    body = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "Vui lòng chọn một mức" in body and "Cán bộ nhiệt tình" in body
    data = {"overall": "4", "time_vs_statutory": "on_time", "contacts": "twice", "conduct": "good"}
    assert _rate_on_page(client, dossier, data).status_code == 302
    rating = db.session.scalar(select(Rating))
    assert (rating.overall, rating.contacts, rating.is_satisfied) == (4, "twice", True)
    html = client.get(f"/my/dossiers/{dossier.code}").get_data(as_text=True)
    assert (
        "Bạn đã đánh giá lúc" in html
        and "Sửa đánh giá" in html
        and re.search(r'<input checked[^>]*value="twice"', html)
    )


def test_page_refuses_a_rating_before_return_with_a_message(client, congdan, user):
    dossier = submit(congdan, BIRTH)
    sign_in(client, "congdan")
    data = {"overall": "4", "time_vs_statutory": "on_time", "contacts": "once", "conduct": "good"}
    response = _rate_on_page(client, dossier, data)
    assert response.status_code == 409
    assert "Bạn chỉ có thể đánh giá sau khi đã nhận kết quả giải quyết hồ sơ" in response.get_data(
        as_text=True
    )
    assert ratings_of(dossier) == 0


def test_rating_without_csrf_token_is_refused(client, congdan, user):
    dossier = returned(submit(congdan, BIRTH), user)
    sign_in(client, "congdan")
    data = {"overall": "4", "time_vs_statutory": "on_time", "contacts": "once", "conduct": "good"}
    assert client.post(f"/my/dossiers/{dossier.code}/rating", data=data).status_code == 400
    assert ratings_of(dossier) == 0


def test_after_seven_days_the_page_shows_the_rating_without_a_form(client, congdan, user, monkeypatch):
    dossier = returned(submit(congdan, BIRTH), user)
    from app.ratings.services import rate_dossier

    rate_dossier(dossier, congdan, GOOD)
    later = utcnow() + timedelta(days=8)
    monkeypatch.setattr("app.portal.dossier_views.utcnow", lambda: later)
    sign_in(client, "congdan")
    for lang in ("vi", "en"):
        html = client.get(f"/my/dossiers/{dossier.code}?lang={lang}").get_data(as_text=True)
        assert "5/5" in html and "Sửa đánh giá" not in html


def test_page_refuses_changes_after_seven_days(client, congdan, user, monkeypatch):
    dossier = returned(submit(congdan, BIRTH), user)
    sign_in(client, "congdan")
    data = {"overall": "4", "time_vs_statutory": "on_time", "contacts": "once", "conduct": "good"}
    assert _rate_on_page(client, dossier, data).status_code == 302
    later = utcnow() + timedelta(days=8)
    monkeypatch.setattr("app.ratings.services.utcnow", lambda: later)
    response = _rate_on_page(client, dossier, {**data, "overall": "1"})
    assert response.status_code == 409
    assert "Đã quá 7 ngày kể từ lần đánh giá đầu tiên" in response.get_data(as_text=True)
    assert db.session.scalar(select(Rating.overall)) == 4
