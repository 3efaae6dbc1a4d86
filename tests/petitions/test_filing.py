"""Filing: a signed-in citizen about their own dossier or a procedure; a visitor anonymously from the
public tracking page (or about a procedure), who gets a follow-up key once; bad input is refused
naming the field; staff accounts do not file."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.petitions.models import Petition
from tests.petitions.conftest import BIRTH, JUDICIAL, client_from, signed_in
from tests.web import csrf_token

KEY_RE = re.compile(r'Mã tra cứu</dt><dd class="code">([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</dd>')


def _post(client, url: str, fields: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def _petition(code_or_location: str) -> Petition:
    code = code_or_location.rstrip("/").rsplit("/", 1)[-1]
    return db.session.scalar(select(Petition).where(Petition.code == code))


def test_citizen_files_about_their_dossier_and_it_goes_to_the_unit_holding_it(app, citizen, dossier):
    client = signed_in(app, citizen.username, "password123")
    url = f"/petitions/new?dossier={dossier.code}"
    assert dossier.code in client.get(url).get_data(as_text=True)
    response = _post(
        client,
        url,
        {
            "kind": "feedback",
            "dossier_code": dossier.code,
            "title": "Hẹn nhiều lần",
            "content": "Tôi đã đến ba lần.",
        },
    )
    assert response.status_code == 302
    petition = _petition(response.headers["Location"])
    assert petition.dossier_id == dossier.id and petition.procedure_code == BIRTH
    assert petition.unit_id == dossier.current_unit_id and petition.routed_by == "dossier_unit"
    assert petition.petitioner_id == citizen.id and not petition.is_anonymous
    assert petition.email == citizen.email and petition.access_key_hash is None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hẹn nhiều lần" in page and "Mã tra cứu của bạn" not in page  # no key for a signed-in citizen
    assert petition.code in client.get("/my/petitions").get_data(as_text=True)
    signed_out = client_from(app).get(response.headers["Location"])  # the e-mail's link, not signed in
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/login")


def test_a_citizen_cannot_name_someone_elses_dossier(app, make_user, dossier):
    other = make_user("citizen")
    client = signed_in(app, other.username, "password123")
    assert client.get(f"/petitions/new?dossier={dossier.code}").status_code == 404
    response = _post(
        client,
        "/petitions/new",
        {
            "kind": "feedback",
            "dossier_code": dossier.code,
            "title": "Hồ sơ của người khác",
            "content": "Nội dung dài đủ.",
        },
    )
    assert response.status_code == 422
    assert "Chỉ gửi được về hồ sơ của chính bạn" in response.get_data(as_text=True)
    assert db.session.scalar(select(Petition.id).where(Petition.dossier_id == dossier.id)) is None


def test_anonymous_petition_from_the_tracking_page_gets_a_key_shown_once(app, citizen, dossier):
    visitor = client_from(app)
    token = csrf_token(visitor, "/track")
    tracked = visitor.post(
        "/track", data={"csrf_token": token, "code": dossier.code, "identifier": citizen.citizen_id}
    )
    link = re.search(r'href="(/petitions/new\?ticket=[^"]+)"', tracked.get_data(as_text=True))
    assert link, "the tracking result links to the petition form"
    url = link.group(1).replace("&amp;", "&")
    form = visitor.get(url).get_data(as_text=True)
    assert dossier.code in form
    ticket = re.search(r'name="ticket" type="hidden" value="([^"]+)"', form).group(1)
    response = _post(
        visitor,
        url,
        {
            "kind": "feedback",
            "ticket": ticket,
            "title": "Chưa được hẹn",
            "content": "Tôi chưa nhận giấy hẹn.",
            "email": "an.danh@example.vn",
        },
    )
    assert response.status_code == 302
    petition = _petition(response.headers["Location"])
    assert petition.is_anonymous and petition.petitioner_id is None and petition.dossier_id == dossier.id
    assert petition.unit_id == dossier.current_unit_id and petition.email == "an.danh@example.vn"
    first = visitor.get(response.headers["Location"]).get_data(as_text=True)
    key = KEY_RE.search(first).group(1)
    again = visitor.get(response.headers["Location"])
    assert again.status_code == 200 and key not in again.get_data(as_text=True)  # shown once

    elsewhere = client_from(app)  # another device: the code alone opens nothing
    assert elsewhere.get(f"/petitions/follow/{petition.code}").status_code == 404
    wrong = _post(elsewhere, "/petitions/lookup", {"code": petition.code, "key": "AAAA-BBBB-CCCC"})
    assert "không đúng" in wrong.get_data(as_text=True)
    right = _post(elsewhere, "/petitions/lookup", {"code": petition.code, "key": key.lower()})
    assert right.status_code == 302
    assert "Chưa được hẹn" in elsewhere.get(right.headers["Location"]).get_data(as_text=True)


def test_a_forged_or_stale_ticket_names_no_dossier(app, dossier):
    visitor = client_from(app)
    response = _post(
        visitor,
        "/petitions/new",
        {"kind": "feedback", "ticket": "not-a-ticket", "title": "Vé giả mạo", "content": "Nội dung đủ dài."},
    )
    assert response.status_code == 422
    assert "Liên kết từ trang tra cứu đã hết hạn" in response.get_data(as_text=True)


def test_anonymous_petition_about_a_procedure(app):
    visitor = client_from(app)
    response = _post(
        visitor,
        f"/petitions/new?procedure={JUDICIAL}",
        {
            "kind": "petition",
            "procedure_code": JUDICIAL,
            "title": "Giảm giấy tờ",
            "content": "Đề nghị bỏ bản sao giấy tờ.",
        },
    )
    assert response.status_code == 302
    petition = _petition(response.headers["Location"])
    assert petition.procedure_code == JUDICIAL and petition.dossier_id is None and petition.email is None


def test_bad_input_is_refused_naming_each_field(app):
    visitor = client_from(app)
    response = _post(
        visitor,
        "/petitions/new",
        {"kind": "khac", "title": "abc", "content": "", "email": "khong-phai-email"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in (
        "Chọn phản ánh hoặc kiến nghị",
        "Từ 5 đến 200 ký tự",
        "Vui lòng nhập nội dung",
        "Địa chỉ email không hợp lệ",
    ):
        assert message in html
    no_procedure = _post(
        visitor, "/petitions/new", {"kind": "petition", "title": "Tiêu đề đủ", "content": "Nội dung đủ dài."}
    )
    assert no_procedure.status_code == 422 and "Chọn một thủ tục đang có hiệu lực" in no_procedure.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Petition.id).where(Petition.title == "Tiêu đề đủ")) is None


def test_staff_accounts_do_not_file(app):
    officer = signed_in(app, "tn.candang")
    assert officer.get("/petitions/new").status_code == 403
