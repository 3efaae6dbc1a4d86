"""Citizen sign-up confirmed by e-mail: the page never tells whether a citizen ID has an account; the
account is made when the link is opened."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from tests.auth.support import link_in, new_client
from tests.web import csrf_token

FORM = {"full_name": "Phạm Thị Thu", "phone": "0987000111", "password": "matkhau123", "confirm": "matkhau123"}


def _sign_up(client, citizen_id: str, email: str):
    data = {**FORM, "citizen_id": citizen_id, "email": email, "csrf_token": csrf_token(client, "/register")}
    return client.post("/register", data=data)


def test_sign_up_answers_the_same_for_a_taken_citizen_id(app, jobs_here, mailbox):
    free = _sign_up(new_client(app), "089190000777", "thu.moi@example.vn")
    taken = _sign_up(new_client(app), "089090000123", "ke.gian@example.vn")  # congdan's ID
    assert free.status_code == taken.status_code == 200
    assert free.get_data(as_text=True).replace("thu.moi", "ke.gian") == taken.get_data(as_text=True)
    assert mailbox.messages_to("ke.gian@example.vn") == []  # nothing tells the typed address
    assert len(mailbox.messages_to("thu.moi@example.vn")) == 1
    owner = db.session.scalar(select(User).where(User.citizen_id == "089090000123"))
    if owner.email:
        assert "số định danh cá nhân của bạn" in mailbox.messages_to(owner.email)[-1].get_content()


def test_the_link_creates_the_account_once_and_signs_in(app, jobs_here, mailbox):
    _sign_up(new_client(app), "089190000778", "thu.link@example.vn")
    path = urlsplit(link_in(mailbox.messages_to("thu.link@example.vn")[-1])).path
    assert db.session.scalar(select(User).where(User.citizen_id == "089190000778")) is None  # not yet
    browser = new_client(app)
    page = browser.get(path)
    assert page.status_code == 200 and "089190000778" in page.get_data(as_text=True)
    made = browser.post(path, data={"csrf_token": csrf_token(browser, path)})
    assert made.status_code == 302 and browser.get("/drafts").status_code == 200
    user = db.session.scalar(select(User).where(User.citizen_id == "089190000778"))
    assert user.is_citizen and user.email == "thu.link@example.vn" and user.check_password("matkhau123")
    again = new_client(app)
    assert again.post(path, data={"csrf_token": csrf_token(again, "/register")}).status_code == 400


def test_sign_up_needs_an_email_and_names_each_wrong_field(client):
    answer = client.post(
        "/register",
        data={
            "citizen_id": "003090000123",
            "password": "short",
            "csrf_token": csrf_token(client, "/register"),
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Mã tỉnh" in html and "ít nhất 8 ký tự" in html and "Cần nhập thư điện tử" in html
