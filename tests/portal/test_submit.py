"""From a draft to a dossier: review, submission with the stored documents, reuse."""

from __future__ import annotations

from sqlalchemy import select

from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.portal.models import Draft, DraftDocument
from app.storage import get_storage
from tests.factories import submit
from tests.portal.support import (
    BIRTH,
    BIRTH_FIELDS,
    csrf,
    fill_birth_draft,
    pdf_file,
    post_form,
    start_draft,
)


def test_full_submission_from_a_draft(signed_in, citizen):
    draft_id = start_draft(signed_in)
    fill_birth_draft(signed_in, draft_id)
    stored = {d.doc_key: d.storage_key for d in db.session.scalars(select(DraftDocument))}

    response = post_form(signed_in, draft_id, action="continue")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/drafts/{draft_id}/review")
    review = signed_in.get(f"/drafts/{draft_id}/review").get_data(as_text=True)
    for text in (
        "Nguyễn Văn Bé",
        "20/11/2026",
        "Nam",
        "Mẹ",
        "UBND xã Cần Đăng",
        "Miễn phí",
        "to_khai_khai_sinh.pdf",
    ):
        assert text in review, text

    response = signed_in.post(
        f"/drafts/{draft_id}/submit", data={"csrf_token": csrf(signed_in, f"/drafts/{draft_id}/review")}
    )
    dossier = db.session.scalar(select(Dossier))
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/my/dossiers/{dossier.code}"
    )
    assert dossier.applicant_id == citizen.id and dossier.channel == "online"
    assert dossier.receiving_unit.code == "000.21.30.H01"
    assert dossier.data["child_full_name"] == "Nguyễn Văn Bé" and dossier.data["child_gender"] == "nam"
    assert {d.doc_key: d.storage_key for d in dossier.documents} == stored
    assert {d.source for d in dossier.documents} == {"citizen_upload"}
    assert all(get_storage().exists(key) for key in stored.values())  # the files now belong to the dossier
    assert db.session.get(Draft, draft_id) is None
    assert f"Đã nộp hồ sơ {dossier.code}" in signed_in.get("/").get_data(as_text=True)


def test_reused_document_becomes_a_dossier_document_with_source_reused(signed_in, citizen):
    earlier = submit(citizen, BIRTH)
    earlier_id_card = next(d for d in earlier.documents if d.doc_key == "giay_to_tuy_than")
    draft_id = start_draft(signed_in)
    page = signed_in.get(f"/drafts/{draft_id}").get_data(as_text=True)
    assert "Dùng lại giấy tờ đã nộp ngày" in page and earlier.code in page

    response = post_form(
        signed_in,
        draft_id,
        f"/drafts/{draft_id}/documents/giay_to_tuy_than",
        fields=BIRTH_FIELDS,
        reuse_id=str(earlier_id_card.id),
    )
    assert response.status_code == 302
    files = {"to_khai_khai_sinh": pdf_file(), "giay_chung_sinh": pdf_file()}
    assert post_form(signed_in, draft_id, files=files, action="continue").status_code == 302
    assert "dùng lại giấy tờ đã nộp" in signed_in.get(f"/drafts/{draft_id}/review").get_data(as_text=True)
    signed_in.post(f"/drafts/{draft_id}/submit", data={"csrf_token": csrf(signed_in, "/drafts")})

    dossier = db.session.scalar(select(Dossier).where(Dossier.id != earlier.id))
    reused = next(d for d in dossier.documents if d.doc_key == "giay_to_tuy_than")
    assert reused.source == "reused" and reused.reused_from_id == earlier_id_card.id
    assert reused.storage_key == earlier_id_card.storage_key and get_storage().exists(reused.storage_key)


def test_reusing_someone_elses_document_is_404(signed_in, make_user):
    other = submit(make_user("citizen"), BIRTH)
    document = next(d for d in other.documents if d.doc_key == "giay_to_tuy_than")
    draft_id = start_draft(signed_in)
    assert other.code not in signed_in.get(f"/drafts/{draft_id}").get_data(as_text=True)
    response = post_form(
        signed_in, draft_id, f"/drafts/{draft_id}/documents/giay_to_tuy_than", reuse_id=str(document.id)
    )
    assert response.status_code == 404 and db.session.scalar(select(DraftDocument)) is None


def test_deleting_a_draft_keeps_a_reused_object(signed_in, citizen):
    earlier = submit(citizen, BIRTH)
    document = next(d for d in earlier.documents if d.doc_key == "giay_to_tuy_than")
    draft_id = start_draft(signed_in)
    post_form(
        signed_in, draft_id, f"/drafts/{draft_id}/documents/giay_to_tuy_than", reuse_id=str(document.id)
    )
    signed_in.post(f"/drafts/{draft_id}/delete", data={"csrf_token": csrf(signed_in, "/drafts")})
    assert get_storage().exists(document.storage_key)


def test_review_of_an_incomplete_draft_goes_back_to_the_form_with_messages(signed_in):
    draft_id = start_draft(signed_in)
    response = signed_in.get(f"/drafts/{draft_id}/review")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/drafts/{draft_id}?check=1"
    )
    html = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hồ sơ chưa đầy đủ" in html and "Vui lòng điền mục này" in html


def test_refused_submission_goes_back_to_the_form_and_keeps_the_draft(signed_in):
    draft_id = start_draft(signed_in)
    post_form(signed_in, draft_id, fields={"child_full_name": "Bé", "applicant_phone": "12"}, action="save")
    response = signed_in.post(f"/drafts/{draft_id}/submit", data={"csrf_token": csrf(signed_in, "/drafts")})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tờ khai chưa hợp lệ" in html and "Số điện thoại không hợp lệ" in html and 'value="Bé"' in html
    assert db.session.get(Draft, draft_id) is not None and db.session.scalar(select(Dossier)) is None
    assert db.session.scalar(select(DossierDocument)) is None
