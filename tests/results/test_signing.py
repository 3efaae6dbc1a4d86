"""A result is signed at the leader's approval with the issuing unit's key (PAdES, a visible block
with the QR code of its verification page) and validates with pyHanko against the trust list; a
changed byte breaks it; a result uploaded already signed is verified and refused with the reason."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import select

from app.core.errors import ValidationError
from app.core.uow import unit_of_work
from app.extensions import db
from app.results import keys
from app.results.models import SIGNED_HERE, SIGNED_UPLOAD, SignedResult
from app.results.signing import outside_event_loop
from app.results.verification import verify_pdf
from app.workflow.documents import Files, Upload
from tests.factories import PDF, act, submit
from tests.results.support import flip_byte_in_content, result_pdf, signed_elsewhere, signer_of, stored_bytes

BIRTH = "1.001193"


def _to_awaiting_approval(citizen, user):
    dossier = submit(citizen, BIRTH)
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    return act(dossier, "propose", user("cv.candang"))


def _approve_with(dossier, user, data: bytes):
    files = Files(results=[Upload("result", "giay-khai-sinh.pdf", io.BytesIO(data))])
    return act(dossier, "approve", user("ld.candang"), files=files)


def _signed(dossier) -> SignedResult:
    return db.session.scalar(select(SignedResult).where(SignedResult.dossier_id == dossier.id))


def test_the_approval_signs_the_result_and_pyhanko_validates_it_against_the_test_ca(signing, make_user, user):
    dossier = _approve_with(_to_awaiting_approval(make_user("citizen"), user), user, result_pdf())
    document = next(d for d in dossier.documents if d.is_result)
    data = stored_bytes(document)
    signed = _signed(dossier)
    assert signed.origin == SIGNED_HERE and signed.sha256 == document.sha256
    assert signed.issuer_name == user("ld.candang").unit.name
    assert signed.signer_name == user("ld.candang").full_name
    assert signed.number == f"{dossier.code}/KQ1" and len(signed.token) >= 32

    trusted = ValidationContext(trust_roots=keys.trust_roots(), allow_fetching=False)
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    status = outside_event_loop(lambda: validate_pdf_signature(signature, trusted))  # after a browser test
    assert status.bottom_line and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert user("ld.candang").unit.name in status.signing_cert.subject.human_friendly
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    widget = signature.sig_field["/Kids"][0] if "/Kids" in signature.sig_field else signature.sig_field
    left, bottom, right, top = (float(v) for v in widget["/Rect"])
    assert right - left > 200 and top - bottom > 50  # a visible block, not an invisible signature


def test_one_changed_byte_fails_verification(signing, make_user, user):
    dossier = _approve_with(_to_awaiting_approval(make_user("citizen"), user), user, result_pdf())
    data = stored_bytes(next(d for d in dossier.documents if d.is_result))
    assert verify_pdf(data).is_valid

    verdict = verify_pdf(flip_byte_in_content(data))
    assert not verdict.is_valid and "đã bị thay đổi sau khi ký" in verdict.problem


def test_a_result_signed_by_an_untrusted_ca_is_refused_with_the_reason(signing, other_ca, make_user, user):
    dossier = _to_awaiting_approval(make_user("citizen"), user)
    foreign = signed_elsewhere(signer_of(other_ca, "CA la", ca_name="CA khong tin cay"))
    with pytest.raises(ValidationError) as refused:
        _approve_with(dossier, user, foreign)
    message = refused.value.details["result_file"]
    assert "không do tổ chức nào trong danh sách tin cậy cấp" in message and "CA la" in message
    db.session.refresh(dossier)
    assert dossier.state == "awaiting_approval" and not any(d.is_result for d in dossier.documents)


def test_a_result_signed_with_an_expired_certificate_is_refused(signing, make_user, user):
    dossier = _to_awaiting_approval(make_user("citizen"), user)
    now = dt.datetime.now(dt.UTC)
    expired = signer_of(
        signing, "Het han", not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as refused:
        _approve_with(dossier, user, signed_elsewhere(expired))
    assert "đã hết hạn" in refused.value.details["result_file"]


def test_a_result_signed_by_a_trusted_issuer_is_kept_valid_and_countersigned_with_the_qr_block(
    signing, make_user, user
):
    dossier = _to_awaiting_approval(make_user("citizen"), user)
    issuer = signer_of(signing, "Co quan ky truoc")
    dossier = _approve_with(dossier, user, signed_elsewhere(issuer))
    data = stored_bytes(next(d for d in dossier.documents if d.is_result))
    verdict = verify_pdf(data)
    assert verdict.is_valid and [s.common_name for s in verdict.signatures][0] == "Co quan ky truoc"
    assert len(verdict.signatures) == 2  # the issuer's, then the unit's with the verification block
    assert _signed(dossier).origin == SIGNED_UPLOAD and _signed(dossier).signer_name == "Co quan ky truoc"


def test_a_pdf_without_a_page_cannot_be_signed(signing, make_user, user):
    dossier = _to_awaiting_approval(make_user("citizen"), user)
    with pytest.raises(ValidationError) as refused:
        _approve_with(dossier, user, PDF)
    assert refused.value.details["result_file"] == "Tệp kết quả không có trang nào để ký"


def test_without_a_key_the_file_is_kept_unsigned_and_is_no_original_electronic_result(make_user, user):
    dossier = _approve_with(_to_awaiting_approval(make_user("citizen"), user), user, result_pdf())
    assert any(d.is_result for d in dossier.documents) and _signed(dossier) is None


def test_when_signing_is_required_and_no_key_is_configured_the_approval_is_refused(
    app, monkeypatch, make_user, user
):
    monkeypatch.setitem(app.config, "RESULT_SIGNING_REQUIRED", True)
    dossier = _to_awaiting_approval(make_user("citizen"), user)
    with pytest.raises(keys.SigningUnavailableError), unit_of_work():
        _approve_with(dossier, user, result_pdf())
