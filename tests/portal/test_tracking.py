"""Public tracking by code: the right code with the applicant's CCCD or phone shows the status and
appointment, nothing more; anything else gets one generic answer; wrong guesses slow a code down
and look-ups are limited per client address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.auth import throttle
from app.core.db import utcnow
from config import Config
from tests.factories import act, submit
from tests.notifications.support import BIRTH
from tests.web import csrf_token

GENERIC = "Không tìm thấy hồ sơ phù hợp với thông tin đã nhập"
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


@pytest.fixture
def dossier(user):
    dossier = submit(user("congdan"), BIRTH)  # CCCD 089090000123, phone 0912345678
    return act(dossier, "accept", user("tn.candang"))


def track(client, code: str, identifier: str, url: str = "/track", **environ):
    token = csrf_token(client, url)
    return client.post(
        url, data={"csrf_token": token, "code": code, "identifier": identifier}, environ_base=environ
    )


@pytest.mark.parametrize("identifier", ["089090000123", "0912345678", "+84 912 345 678", "0912.345.678"])
def test_right_code_and_citizen_id_or_phone_shows_the_status(client, dossier, identifier):
    response = track(client, dossier.code, identifier)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in (dossier.code, "Đăng ký khai sinh", "Đã tiếp nhận", "Hẹn trả kết quả", "Chưa có kết quả"):
        assert shown in html
    for hidden in ("Nguyễn Văn Công", "089090000123", "ấp An Hòa", "giay_chung_sinh", "0912345678"):
        assert hidden not in html


def test_code_is_matched_whatever_its_case(client, dossier):
    assert "Đã tiếp nhận" in track(client, dossier.code.lower(), "089090000123").get_data(as_text=True)


def test_wrong_id_and_unknown_code_get_the_same_answer(client, dossier):
    wrong_id = track(client, dossier.code, "089195000456")
    unknown = track(client, "000.21.30.H01-261127-9999", "089090000123")
    assert wrong_id.status_code == unknown.status_code == 200
    bodies = [CSRF_VALUE.sub(r'\1"', r.get_data(as_text=True)) for r in (wrong_id, unknown)]
    assert bodies[0] == bodies[1]  # nothing typed is echoed back: byte-identical but for the CSRF token
    assert GENERIC in bodies[0] and dossier.code not in bodies[0] and "Đã tiếp nhận" not in bodies[0]


def test_empty_identifier_never_matches_missing_data(client, user, make_user):
    dossier = submit(make_user("citizen"), BIRTH)  # an account without a phone number
    assert GENERIC in track(client, dossier.code, "+84").get_data(as_text=True)


def test_code_from_the_qr_link_is_prefilled(client, dossier):
    html = client.get(f"/track?code={dossier.code}").get_data(as_text=True)
    assert f'value="{dossier.code}"' in html
    failed = track(client, dossier.code, "1", url=f"/track?code={dossier.code}").get_data(as_text=True)
    assert GENERIC in failed and f'value="{dossier.code}"' in failed


def test_repeated_wrong_guesses_for_one_code_slow_that_code_down(client, dossier, monkeypatch):
    for _ in range(throttle.FREE_FAILURES + 1):
        assert track(client, dossier.code, "000000000000").status_code == 200
    response = track(client, dossier.code, "089090000123")  # even the right pair, for a moment
    assert response.status_code == 429
    assert "Bạn đã tra cứu sai nhiều lần" in response.get_data(as_text=True)
    later = utcnow() + throttle.MAX_DELAY + timedelta(seconds=1)  # a delay, never a lock-out
    monkeypatch.setattr("app.auth.throttle.utcnow", lambda: later)
    assert "Đã tiếp nhận" in track(client, dossier.code, "089090000123").get_data(as_text=True)


def test_scanning_codes_from_one_address_is_limited_for_that_address_only(app, client, dossier):
    app.config["PUBLIC_LOOKUP_LIMIT"] = "5 per minute"
    try:
        for n in range(5):
            answer = track(client, f"000.99.30.H01-261127-{n:04d}", "089090000123", REMOTE_ADDR="10.0.0.6")
            assert answer.status_code == 200
        refused = track(client, dossier.code, "089090000123", REMOTE_ADDR="10.0.0.6")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        other = track(client, dossier.code, "089090000123", REMOTE_ADDR="10.0.0.7")
        assert other.status_code == 200 and "Đã tiếp nhận" in other.get_data(as_text=True)
    finally:
        app.config["PUBLIC_LOOKUP_LIMIT"] = Config.PUBLIC_LOOKUP_LIMIT


def test_tracking_post_without_csrf_token_is_refused(client, dossier):
    response = client.post("/track", data={"code": dossier.code, "identifier": "089090000123"})
    assert response.status_code == 400 and "Đã tiếp nhận" not in response.get_data(as_text=True)


def test_missing_fields_are_named(client):
    response = track(client, "", "")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vui lòng nhập mã hồ sơ" in html and "Vui lòng nhập số CCCD hoặc số điện thoại" in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_tracking_pages_render_in_both_languages(client, dossier, lang):
    assert f'<html lang="{lang}">' in client.get(f"/track?lang={lang}").get_data(as_text=True)
    found = track(client, dossier.code, "089090000123", url=f"/track?lang={lang}")
    assert f'<html lang="{lang}">' in found.get_data(as_text=True)
