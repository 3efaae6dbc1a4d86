"""Sessions end for real: a copy of an old session cookie fails after sign-out, a password change, an
administrator's reset and a deactivation (the session version kept on the account)."""

from __future__ import annotations

from tests.auth.support import new_client
from tests.web import csrf_token, signed_in_client

CITIZEN_PAGE = "/drafts"


def _copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie (stolen, or just left behind)."""
    thief = new_client(app)
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_an_old_session_cookie_fails_after_sign_out(app, make_user):
    citizen = make_user("citizen")
    client = signed_in_client(app, citizen.username, "password123")
    copy = _copy_of(app, client)
    assert copy.get(CITIZEN_PAGE).status_code == 200  # the copy works while the session lasts
    out = client.post("/logout", data={"csrf_token": csrf_token(client, CITIZEN_PAGE)})
    assert out.status_code == 302
    refused = copy.get(CITIZEN_PAGE)
    assert refused.status_code == 302 and refused.headers["Location"].startswith("/login")


def test_a_password_change_ends_the_other_sessions_only(app, make_user):
    citizen = make_user("citizen")
    here = signed_in_client(app, citizen.username, "password123")
    there = signed_in_client(app, citizen.username, "password123")
    url = "/account/password"
    wrong = here.post(
        url,
        data={
            "current": "not-it",
            "password": "moi-12345",
            "confirm": "moi-12345",
            "csrf_token": csrf_token(here, url),
        },
    )
    assert wrong.status_code == 400 and "Mật khẩu hiện tại không đúng" in wrong.get_data(as_text=True)
    changed = here.post(
        url,
        data={
            "current": "password123",
            "password": "moi-12345",
            "confirm": "moi-12345",
            "csrf_token": csrf_token(here, url),
        },
    )
    assert changed.status_code == 302
    assert here.get(CITIZEN_PAGE).status_code == 200
    assert there.get(CITIZEN_PAGE).headers["Location"].startswith("/login")
    assert signed_in_client(app, citizen.username, "moi-12345").get(CITIZEN_PAGE).status_code == 200


def test_a_staff_password_change_keeps_the_checked_second_factor(app):
    officer = signed_in_client(app, "cv.candang")
    url = "/account/password"
    data = {"current": "demo12345", "password": "moi-12345", "confirm": "moi-12345"}
    assert officer.post(url, data={**data, "csrf_token": csrf_token(officer, url)}).status_code == 302
    assert officer.get("/work/reports/tracking-book").status_code == 200


def test_an_administrators_reset_and_a_deactivation_end_the_sessions(app, make_user):
    admin = signed_in_client(app, "admin")
    target = make_user("specialist")
    officer = signed_in_client(app, target.username, "password123")
    page = "/work/reports/tracking-book"
    assert officer.get(page).status_code == 200
    url = f"/admin/users/{target.id}"
    admin.post(f"{url}/password", data={"password": "moi-12345", "csrf_token": csrf_token(admin, url)})
    assert officer.get(page).headers["Location"].startswith("/login")

    again = signed_in_client(app, target.username, "moi-12345")
    admin.post(f"{url}/active", data={"active": "0", "csrf_token": csrf_token(admin, url)})
    assert again.get(page).headers["Location"].startswith("/login")


def test_the_session_of_a_signed_in_officer_names_its_version(app):
    officer = signed_in_client(app, "ld.candang")
    with officer.session_transaction() as session:
        user_id, version = session["_user_id"].split(".")
    assert user_id.isdigit() and version.isdigit()
    with officer.session_transaction() as session:
        session["_user_id"] = f"{user_id}.{int(version) + 7}"  # forged with the key: a wrong version
    assert officer.get("/work/reports/tracking-book").headers["Location"].startswith("/login")
