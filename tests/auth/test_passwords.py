"""A forgotten password, reset through a link sent by e-mail to the session's SMTP server: the same
answer whoever asks, a link that works once and expires, old sessions ended."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import update

from app.auth.models import PasswordReset
from app.core.db import utcnow
from app.core.uow import unit_of_work
from app.extensions import db
from tests.auth.support import link_in, new_client
from tests.web import csrf_token, sign_in, signed_in_client

FORGOT = "/password/forgot"


def _ask(client, login: str):
    return client.post(FORGOT, data={"login": login, "csrf_token": csrf_token(client, FORGOT)})


def _set(client, path: str, password: str, confirm: str | None = None):
    data = {"password": password, "confirm": confirm or password, "csrf_token": csrf_token(client, path)}
    return client.post(path, data=data)


def test_asking_answers_the_same_whether_the_account_exists(app, make_user, jobs_here, mailbox):
    with_mail = make_user("citizen", email="an.reset@example.vn")
    without_mail = make_user("citizen")
    pages = [_ask(new_client(app), login) for login in (with_mail.username, without_mail.username, "ai-do")]
    assert {p.status_code for p in pages} == {200}
    assert len({p.get_data(as_text=True) for p in pages}) == 1  # word for word
    assert len(mailbox.messages_to("an.reset@example.vn")) == 1


def test_the_link_sets_a_new_password_once_and_ends_old_sessions(app, make_user, jobs_here, mailbox):
    citizen = make_user("citizen", email="binh.reset@example.vn")
    old_session = signed_in_client(app, citizen.username, "password123")
    _ask(new_client(app), citizen.citizen_id)  # by citizen ID, as citizens sign in
    link = link_in(mailbox.messages_to("binh.reset@example.vn")[-1])
    path = urlsplit(link).path
    assert link.startswith(app.config["PUBLIC_BASE_URL"]) and path.startswith("/password/reset/")

    browser = new_client(app)
    assert browser.get(path).status_code == 200
    mismatch = _set(browser, path, "moi-12345", "khac-12345")
    assert mismatch.status_code == 400 and "Hai mật khẩu không khớp" in mismatch.get_data(as_text=True)
    done = _set(browser, path, "moi-12345")
    assert done.status_code == 302 and done.headers["Location"] == "/login"

    assert old_session.get("/drafts").headers["Location"].startswith("/login")
    assert sign_in(new_client(app), citizen.username, "password123").status_code == 400
    assert sign_in(browser, citizen.username, "moi-12345").status_code == 302
    used_again = new_client(app)
    assert used_again.get(path).status_code == 400
    assert "không còn hiệu lực" in used_again.get(path).get_data(as_text=True)


def test_an_expired_or_forged_link_is_refused(app, make_user, jobs_here, mailbox):
    citizen = make_user("citizen", email="chi.reset@example.vn")
    _ask(new_client(app), citizen.username)
    path = urlsplit(link_in(mailbox.messages_to("chi.reset@example.vn")[-1])).path
    forged = path[:-4] + ("0000" if not path.endswith("0000") else "1111")
    client = new_client(app)
    assert client.get(forged).status_code == 400
    assert client.get("/password/reset/abc").status_code == 400
    assert client.get("/password/reset/99999999999999999999-" + "0" * 64).status_code == 400
    with unit_of_work():
        db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get(path).status_code == 400
    token = csrf_token(client, "/login")
    late = client.post(path, data={"password": "moi-12345", "confirm": "moi-12345", "csrf_token": token})
    assert (
        late.status_code == 400 and sign_in(new_client(app), citizen.username, "moi-12345").status_code == 400
    )


def test_links_per_account_are_capped(app, make_user, jobs_here, mailbox):
    citizen = make_user("citizen", email="dung.reset@example.vn")
    for _ in range(5):
        assert _ask(new_client(app), citizen.username).status_code == 200
    assert len(mailbox.messages_to("dung.reset@example.vn")) == 3  # RESETS_PER_HOUR


def test_the_forgot_page_is_in_both_languages(client):
    assert "Quên mật khẩu" in client.get(FORGOT, query_string={"lang": "vi"}).get_data(as_text=True)
    assert "Forgot your password" in client.get(FORGOT, query_string={"lang": "en"}).get_data(as_text=True)
