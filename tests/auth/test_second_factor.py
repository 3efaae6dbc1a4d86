"""The staff second factor: enrolment with a QR code, codes at sign-in, recovery codes, the admin's
reset, and staff without a second factor kept out of the staff pages."""

from __future__ import annotations

import re

import pyotp
import pytest

from app.auth import second_factor
from app.core.uow import unit_of_work
from app.extensions import db
from tests.web import csrf_token, sign_in, signed_in_client, totp_code

STAFF_PAGE = "/work/reports/tracking-book"
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')


def _secret_on(page: str) -> str:
    match = SECRET_RE.search(page)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")


@pytest.mark.parametrize("path", ["/work", "/work/reports/tracking-book", "/stats", "/"])
def test_staff_without_a_second_factor_cannot_open_staff_pages(client, make_user, path):
    officer = make_user("leader", second_factor=False)
    signed = sign_in(client, officer.username, "password123")
    assert signed.status_code == 302 and signed.headers["Location"].startswith("/account/second-factor")
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/account/second-factor")
    assert client.get(answer.headers["Location"]).status_code == 200  # the enrolment page opens


def test_enrolment_shows_a_qr_code_and_hands_out_recovery_codes_once(client, make_user):
    officer = make_user("reception", second_factor=False)
    sign_in(client, officer.username, "password123")
    page = client.get("/account/second-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'src="data:image/svg+xml' in html
    secret = _secret_on(html)
    assert client.get("/account/second-factor").get_data(as_text=True).count(secret[:4]) >= 1  # kept
    token = csrf_token(client, "/account/second-factor")
    wrong = client.post("/account/second-factor", data={"code": "12345", "csrf_token": token})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.get_data(as_text=True)
    assert client.get("/work").status_code == 302  # still not enrolled

    done = client.post("/account/second-factor", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    codes = re.findall(r"<li>([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</li>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == second_factor.RECOVERY_CODES
    db.session.refresh(officer)
    assert officer.totp_secret == secret and officer.totp_enabled_at is not None
    stored = {r.code_hash for r in db.session.query(second_factor.RecoveryCode).filter_by(user_id=officer.id)}
    assert stored and not stored & set(codes)  # only hashes are kept
    assert client.get(STAFF_PAGE).status_code == 200  # this session's second factor is checked

    status = client.get("/account/second-factor").get_data(as_text=True)
    assert "Còn 10 mã khôi phục chưa dùng" in status and codes[0] not in status  # shown once only


def test_an_enrolled_officer_signs_in_with_a_code_and_only_then(client, app):
    token = csrf_token(client, "/login")
    first = client.post("/login", data={"login": "tn.candang", "password": "demo12345", "csrf_token": token})
    assert first.status_code == 302 and first.headers["Location"] == "/login/second-factor"
    assert client.get("/work").headers["Location"].startswith("/login")  # not signed in yet
    wrong = client.post("/login/second-factor", data={"code": "000000", "csrf_token": token})
    assert wrong.status_code == 400 and "Mã xác thực không đúng" in wrong.get_data(as_text=True)
    right = client.post("/login/second-factor", data={"code": totp_code("tn.candang"), "csrf_token": token})
    assert right.status_code == 302 and right.headers["Location"] == "/work"
    assert client.get(STAFF_PAGE).status_code == 200


def test_the_second_step_needs_the_first(client):
    token = csrf_token(client, "/login")
    answer = client.post("/login/second-factor", data={"code": "123456", "csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def test_a_recovery_code_replaces_the_app_once(app, make_user):
    officer = make_user("specialist", second_factor=False)
    secret = second_factor.new_secret()
    with unit_of_work():
        codes = second_factor.enrol(officer, secret, pyotp.TOTP(secret).now())
    client = app.test_client()
    token = csrf_token(client, "/login")
    client.post("/login", data={"login": officer.username, "password": "password123", "csrf_token": token})
    used = client.post("/login/second-factor", data={"code": codes[3].upper(), "csrf_token": token})
    assert used.status_code == 302 and used.headers["Location"] == "/work"

    again = app.test_client()
    token = csrf_token(again, "/login")
    again.post("/login", data={"login": officer.username, "password": "password123", "csrf_token": token})
    refused = again.post("/login/second-factor", data={"code": codes[3], "csrf_token": token})
    assert refused.status_code == 400
    assert second_factor.recovery_codes_left(officer) == second_factor.RECOVERY_CODES - 1


def test_an_admin_resets_a_lost_second_factor(app, make_user):
    officer = make_user("reception")
    officer_client = signed_in_client(app, officer.username, "password123")
    assert officer_client.get(STAFF_PAGE).status_code == 200
    admin = signed_in_client(app, "admin")
    url = f"/admin/users/{officer.id}"
    assert "Đặt lại xác thực hai lớp" in admin.get(url).get_data(as_text=True)
    reset = admin.post(f"{url}/second-factor", data={"csrf_token": csrf_token(admin, url)})
    assert reset.status_code == 302
    db.session.refresh(officer)
    assert officer.totp_secret is None and second_factor.recovery_codes_left(officer) == 0
    assert officer_client.get("/work").headers["Location"].startswith("/login")  # its session ended
    again = signed_in_client(app, officer.username, "password123")  # password only: enrolment next
    assert again.get("/work").headers["Location"].startswith("/account/second-factor")
    colleague = signed_in_client(app, "tn.candang")
    page = f"/admin/users/{officer.id}/second-factor"
    refused = colleague.post(page, data={"csrf_token": csrf_token(colleague, "/login")})
    assert refused.status_code == 403  # administrators only
