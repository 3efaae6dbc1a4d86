"""Staff accounts by an administrator: create with field messages, edit, deactivate (no more sign-in
by page or API token; told so once the password is right), reactivate, reset password; an admin
cannot deactivate themselves."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from tests.web import csrf_token, sign_in, totp_code

NEW = "/admin/users/new"


def sign_in_elsewhere(app, login: str, password: str = "demo12345"):  # noqa: S107 (demo fixture)
    """Sign in from another browser: its own app context, so nothing cached on `g` (CSRF token,
    current user) leaks from the admin's requests."""
    with app.app_context():
        return sign_in(app.test_client(), login, password)


def _errors(html: str) -> dict[str, str]:
    """Field id → its error message, as the `field` macro renders them."""
    found = re.findall(r'<p class="error" id="([a-z_]+)-error">([^<]+)</p>', html)
    return {name: htmllib.unescape(text) for name, text in found}


@pytest.fixture
def admin_client(client):
    assert sign_in(client, "admin").status_code == 302
    return client


def _create(client, **fields):
    data = {
        "username": "cv.vinhhanh",
        "full_name": "Phan Thị Hoa",
        "role": "specialist",
        "unit": "000.22.30.H01",
        "phone": "0912000111",
        "email": "hoa@example.vn",
        "password": "matkhau123",
        **fields,
        "csrf_token": csrf_token(client, NEW),
    }
    return client.post(NEW, data=data)


def test_created_staff_can_sign_in_with_the_initial_password(admin_client, app, user):
    response = _create(admin_client)
    assert response.status_code == 302
    created = user("cv.vinhhanh")
    assert (created.role, created.unit.code, created.phone) == ("specialist", "000.22.30.H01", "0912000111")
    assert sign_in_elsewhere(app, "cv.vinhhanh", "matkhau123").status_code == 302


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "a b"}, "username", "Tên đăng nhập gồm 3-64 ký tự"),
        ({"unit": "999.99.99.H99"}, "unit", "Không tìm thấy đơn vị có mã '999.99.99.H99'"),
        ({"unit": ""}, "unit", "Cán bộ phải thuộc một đơn vị"),
        ({"role": "wizard"}, "role", "Vai trò 'wizard' không tồn tại"),
        ({"phone": "12345"}, "phone", "Số điện thoại không hợp lệ"),
        ({"email": "not-an-email"}, "email", "Địa chỉ email không hợp lệ"),
        ({"password": "short"}, "password", "Mật khẩu phải có ít nhất 8 ký tự"),
        ({"username": "cv.candang"}, "username", "đã được dùng cho một tài khoản khác"),
    ],
)
def test_bad_input_shows_the_message_next_to_its_field(admin_client, user, fields, field, message):
    response = _create(admin_client, **fields)
    assert response.status_code == 400
    assert message in _errors(response.get_data(as_text=True)).get(field, "")
    assert user("cv.vinhhanh") is None


def test_an_admin_account_needs_no_unit(admin_client, user):
    assert _create(admin_client, username="qt.moi", role="admin", unit="").status_code == 302
    assert user("qt.moi").unit is None


def test_edit_changes_role_unit_and_contact(admin_client, make_user, user):
    target = make_user("specialist", phone="0912000222")
    url = f"/admin/users/{target.id}"
    form = admin_client.get(url).get_data(as_text=True)
    assert re.search(r'<option selected value="000.21.30.H01">|<option value="000.21.30.H01" selected>', form)
    data = {"full_name": "Châu Văn Bình", "role": "leader", "unit": "000.23.30.H01", "phone": "", "email": ""}
    response = admin_client.post(url, data={**data, "csrf_token": csrf_token(admin_client, url)})
    assert response.status_code == 302
    edited = user(target.username)
    assert (edited.role, edited.unit.code, edited.phone, edited.email) == (
        "leader",
        "000.23.30.H01",
        None,
        None,
    )


def test_deactivated_user_can_no_longer_sign_in_or_use_tokens(admin_client, app, make_user):
    target = make_user("specialist")
    login = {"username": target.username, "password": "password123"}
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={**login, "otp": totp_code(target.username)}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    url = f"/admin/users/{target.id}"
    response = admin_client.post(
        f"{url}/active", data={"active": "0", "csrf_token": csrf_token(admin_client, url)}
    )
    assert response.status_code == 302
    refused = sign_in_elsewhere(app, target.username, "password123")  # the right password: told why
    assert refused.status_code == 403 and "đã bị ngừng kích hoạt" in refused.get_data(as_text=True)
    wrong = sign_in_elsewhere(app, target.username, "not-the-password")  # a wrong one: told nothing
    assert wrong.status_code == 400 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.get_data(as_text=True)
    assert api.get("/api/v1/dossiers", headers=headers).status_code == 401
    fresh = api.post("/api/v1/auth/token", json={**login, "otp": totp_code(target.username)})
    assert fresh.status_code == 403

    admin_client.post(f"{url}/active", data={"active": "1", "csrf_token": csrf_token(admin_client, url)})
    assert sign_in_elsewhere(app, target.username, "password123").status_code == 302


def test_a_deactivated_account_loses_its_open_session(admin_client, app, make_user):
    other_admin = make_user("admin")
    with app.app_context():
        browser = app.test_client()
        assert sign_in(browser, other_admin.username, "password123").status_code == 302
        assert browser.get("/admin/users").status_code == 200
    url = f"/admin/users/{other_admin.id}"
    admin_client.post(f"{url}/active", data={"active": "0", "csrf_token": csrf_token(admin_client, url)})
    with app.app_context():
        response = browser.get("/admin/users")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_cannot_deactivate_themselves(admin_client, user):
    me = user("admin")
    url = f"/admin/users/{me.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Bạn không thể tự ngừng kích hoạt" in page
    response = admin_client.post(
        f"{url}/active",
        data={"active": "0", "csrf_token": csrf_token(admin_client, url)},
        follow_redirects=True,
    )
    assert "Bạn không thể tự ngừng kích hoạt" in response.get_data(as_text=True)
    assert user("admin").is_active_account


def test_reset_password_replaces_the_old_one(admin_client, app, make_user):
    target = make_user("reception")
    url = f"/admin/users/{target.id}"
    short = admin_client.post(
        f"{url}/password", data={"password": "short", "csrf_token": csrf_token(admin_client, url)}
    )
    assert short.status_code == 400 and "ít nhất 8 ký tự" in _errors(short.get_data(as_text=True))["password"]
    response = admin_client.post(
        f"{url}/password", data={"password": "moi-12345", "csrf_token": csrf_token(admin_client, url)}
    )
    assert response.status_code == 302
    assert sign_in_elsewhere(app, target.username, "password123").status_code == 400
    assert sign_in_elsewhere(app, target.username, "moi-12345").status_code == 302


def test_list_filters_by_role_unit_and_search(admin_client, user):
    commune = user("cv.candang").unit
    html = admin_client.get(f"/admin/users?role=specialist&unit={commune.id}").get_data(as_text=True)
    assert "cv.candang" in html and "tn.candang" not in html and "cv.vpdk" not in html
    by_cccd = admin_client.get("/admin/users?q=089090000123").get_data(as_text=True)
    assert "Nguyễn Văn Công" in by_cccd and "cv.candang" not in by_cccd
    by_name = admin_client.get("/admin/users?q=Lý Thị").get_data(as_text=True)
    assert "tn.candang" in by_name
