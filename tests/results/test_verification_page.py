"""The public verification page a signed result's QR code leads to: what was issued (no personal
data), and an upload that says whether a file is this very result and whether its signature holds."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.results.models import SignedResult
from tests.results.support import flip_byte_in_content, result_pdf, signed_elsewhere, signer_of, stored_bytes
from tests.results.test_signing import _approve_with, _to_awaiting_approval
from tests.web import csrf_token


def _issued(make_user, user):
    citizen = make_user("citizen", full_name="Trần Thị Riêng Tư")
    dossier = _approve_with(_to_awaiting_approval(citizen, user), user, result_pdf())
    signed = db.session.scalar(select(SignedResult).where(SignedResult.dossier_id == dossier.id))
    return dossier, signed, stored_bytes(signed.document)


def _check(client, url: str, data: bytes) -> str:
    body = {"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), "kiem-tra.pdf")}
    response = client.post(url, data=body, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_what_was_issued_and_no_personal_data(signing, client, make_user, user):
    dossier, signed, _ = _issued(make_user, user)
    html = client.get(f"/ket-qua/{signed.token}").get_data(as_text=True)
    assert signed.number in html and signed.issuer_name in html and "Đăng ký khai sinh" in html
    assert signed.sha256[:8] in html and signed.sha256[-8:] in html
    assert "Trần Thị Riêng Tư" not in html and dossier.applicant_citizen_id not in html


def test_the_issued_file_is_this_result_with_a_valid_signature(signing, client, make_user, user):
    _, signed, data = _issued(make_user, user)
    html = _check(client, f"/ket-qua/{signed.token}", data)
    assert "Tệp này đúng là kết quả nêu trên" in html and "Chữ ký số hợp lệ" in html


def test_a_one_byte_change_is_not_this_result_and_its_signature_fails(signing, client, make_user, user):
    _, signed, data = _issued(make_user, user)
    html = _check(client, f"/ket-qua/{signed.token}", flip_byte_in_content(data))
    assert "Tệp này không phải là kết quả nêu trên" in html
    assert "Chữ ký số không hợp lệ" in html and "đã bị thay đổi sau khi ký" in html


def test_a_file_signed_by_an_untrusted_ca_is_said_so(signing, other_ca, client, make_user, user):
    _, signed, _ = _issued(make_user, user)
    foreign = signed_elsewhere(signer_of(other_ca, "CA la", ca_name="CA khong tin cay"))
    html = _check(client, f"/ket-qua/{signed.token}", foreign)
    assert "không phải là kết quả nêu trên" in html and "danh sách tin cậy" in html


def test_a_file_that_is_no_pdf_and_a_post_without_a_file_get_clear_answers(signing, client, make_user, user):
    _, signed, _ = _issued(make_user, user)
    url = f"/ket-qua/{signed.token}"
    assert "không đọc được như một tệp PDF" in _check(client, url, b"GIF89a not a pdf")
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 400 and "Chọn một tệp PDF để kiểm tra" in response.get_data(as_text=True)


def test_an_unknown_token_is_404(client):
    assert client.get("/ket-qua/khong-co-ket-qua-nay").status_code == 404


def test_uploads_are_limited_per_client_address(signing, app, client, make_user, user, monkeypatch):
    _, signed, data = _issued(make_user, user)
    monkeypatch.setitem(app.config, "RESULT_VERIFY_LIMIT", "2 per minute")
    url = f"/ket-qua/{signed.token}"
    statuses = []
    for _ in range(3):
        body = {"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), "kq.pdf")}
        statuses.append(client.post(url, data=body, content_type="multipart/form-data").status_code)
    assert statuses == [200, 200, 429]
