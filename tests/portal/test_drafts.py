"""Drafts: nothing typed or uploaded is lost, only the owner sees a draft, files are checked."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.portal.models import Draft, DraftDocument
from app.storage import get_storage
from tests.portal.support import (
    BIRTH,
    EXECUTABLE,
    csrf,
    pdf_file,
    png_file,
    post_form,
    sign_in,
    sign_out,
    start_draft,
)


def test_apply_starts_a_draft_and_then_resumes_it(signed_in):
    first = start_draft(signed_in)
    assert start_draft(signed_in) == first
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
    assert "Tiếp tục hồ sơ nháp" in signed_in.get(f"/procedures/{BIRTH}").get_data(as_text=True)


def test_draft_survives_sign_out(signed_in, citizen):
    draft_id = start_draft(signed_in)
    response = post_form(
        signed_in,
        draft_id,
        fields={"child_full_name": "Nguyễn Văn Bé", "mother_cccd": "0891", "applicant_phone": "09"},
        files={"to_khai_khai_sinh": pdf_file("tờ khai.pdf")},
        action="save",
    )
    assert response.status_code == 302  # saved although the form is far from valid
    sign_out(signed_in)
    assert signed_in.get(f"/drafts/{draft_id}").status_code == 302  # to the sign-in page

    sign_in(signed_in, citizen.username)
    assert f"/drafts/{draft_id}" in signed_in.get("/drafts").get_data(as_text=True)
    html = signed_in.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert 'value="Nguyễn Văn Bé"' in html and 'value="0891"' in html and 'value="09"' in html
    assert "tờ khai.pdf" in html
    document = db.session.scalar(select(DraftDocument))
    assert document.doc_key == "to_khai_khai_sinh" and get_storage().exists(document.storage_key)


def test_renamed_executable_is_refused_with_a_clear_message(signed_in):
    draft_id = start_draft(signed_in)
    response = post_form(
        signed_in,
        draft_id,
        f"/drafts/{draft_id}/documents/giay_chung_sinh",
        fields={"child_full_name": "Bé"},
        files={"giay_chung_sinh": (io.BytesIO(EXECUTABLE), "giay-chung-sinh.pdf")},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tệp không đúng định dạng" in html and "chương trình thực thi" in html
    assert 'value="Bé"' in html  # what was typed is kept
    assert db.session.scalar(select(func.count()).select_from(DraftDocument)) == 0


def test_upload_script_gets_the_refusal_as_json(signed_in):
    draft_id = start_draft(signed_in)
    response = signed_in.post(
        f"/drafts/{draft_id}/documents/giay_chung_sinh",
        data={
            "csrf_token": csrf(signed_in, f"/drafts/{draft_id}"),
            "giay_chung_sinh": (io.BytesIO(EXECUTABLE), "anh.png"),
        },
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422 and response.json["ok"] is False
    assert response.json["message"].startswith("Tệp không đúng định dạng")
    assert 'id="doc-giay_chung_sinh"' in response.json["html"]


def test_upload_script_upload_keeps_the_typed_fields_and_shows_the_file(signed_in):
    draft_id = start_draft(signed_in)
    post_form(signed_in, draft_id, fields={"child_full_name": "Bé Na"}, action="save")
    response = signed_in.post(
        f"/drafts/{draft_id}/documents/giay_to_tuy_than",
        data={"csrf_token": csrf(signed_in, f"/drafts/{draft_id}"), "giay_to_tuy_than": png_file("cccd.png")},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200 and response.json["ok"] is True and "cccd.png" in response.json["html"]
    assert db.session.get(Draft, draft_id).data["child_full_name"] == "Bé Na"


def test_continue_shows_each_fields_message_and_keeps_the_values(signed_in):
    draft_id = start_draft(signed_in)
    response = post_form(
        signed_in,
        draft_id,
        fields={
            "child_full_name": "Bé",
            "applicant_phone": "123",
            "mother_cccd": "abc",
            "extract_copies": "hai",
        },
        action="continue",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Số điện thoại không hợp lệ" in html and "Phải là số nguyên" in html
    assert "Vui lòng điền mục này" in html  # e.g. the child's birth date
    assert 'id="f-applicant_phone-error"' in html and 'aria-invalid="true"' in html
    assert "Cần tải lên giấy tờ này" in html
    assert 'value="123"' in html and 'value="hai"' in html


def test_replacing_a_document_deletes_the_old_object_after_commit(signed_in):
    draft_id = start_draft(signed_in)
    post_form(signed_in, draft_id, files={"giay_chung_sinh": pdf_file("a.pdf")}, action="save")
    old_key = db.session.scalar(select(DraftDocument.storage_key))
    post_form(signed_in, draft_id, files={"giay_chung_sinh": png_file("b.png")}, action="save")
    documents = db.session.scalars(select(DraftDocument)).all()
    assert [d.original_name for d in documents] == ["b.png"]
    assert not get_storage().exists(old_key) and get_storage().exists(documents[0].storage_key)


def test_removing_and_deleting(signed_in):
    draft_id = start_draft(signed_in)
    post_form(
        signed_in,
        draft_id,
        files={"giay_chung_sinh": pdf_file(), "to_khai_khai_sinh": pdf_file()},
        action="save",
    )
    keys = db.session.scalars(select(DraftDocument.storage_key).order_by(DraftDocument.doc_key)).all()
    response = post_form(signed_in, draft_id, f"/drafts/{draft_id}/documents/giay_chung_sinh/delete")
    assert response.status_code == 302
    assert not get_storage().exists(keys[0]) and get_storage().exists(keys[1])

    response = signed_in.post(f"/drafts/{draft_id}/delete", data={"csrf_token": csrf(signed_in, "/drafts")})
    assert response.status_code == 302 and db.session.get(Draft, draft_id) is None
    assert not get_storage().exists(keys[1])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/drafts/{id}"),
        ("get", "/drafts/{id}/review"),
        ("post", "/drafts/{id}"),
        ("post", "/drafts/{id}/documents/giay_chung_sinh"),
        ("post", "/drafts/{id}/documents/giay_chung_sinh/delete"),
        ("post", "/drafts/{id}/submit"),
        ("post", "/drafts/{id}/delete"),
    ],
)
def test_another_citizen_gets_404_on_my_draft(client, citizen, make_user, method, path):
    sign_in(client, citizen.username)
    draft_id = start_draft(client)
    sign_out(client)
    sign_in(client, make_user("citizen").username)
    data = (
        {"csrf_token": csrf(client, "/drafts"), "giay_chung_sinh": pdf_file()} if method == "post" else None
    )
    response = getattr(client, method)(path.format(id=draft_id), data=data)
    assert response.status_code == 404
    assert db.session.get(Draft, draft_id) is not None


@pytest.mark.parametrize(
    "path", ["/drafts/{id}", "/drafts/{id}/documents/giay_chung_sinh", "/drafts/{id}/submit"]
)
def test_post_without_csrf_token_is_refused(signed_in, path):
    draft_id = start_draft(signed_in)
    response = signed_in.post(path.format(id=draft_id), data={"form_present": "1", "child_full_name": "X"})
    assert response.status_code == 400
    assert db.session.get(Draft, draft_id).data == {}


def test_staff_cannot_open_drafts(client):
    sign_in(client, "tn.candang", "demo12345")
    assert client.get("/drafts").status_code == 403
