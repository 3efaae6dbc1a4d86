"""Forms filled from the verified identity: identity fields locked (on the page and in every
submission), contacts prefilled, and the identity document not asked of a verified citizen."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from app.core.errors import ValidationError
from app.core.uow import unit_of_work
from app.identity.claims import VerifiedIdentity
from app.identity.prefill import form_prefill
from app.identity.services import sign_in_verified
from app.portal.queries import receiving_units
from app.procedures import get_registry
from app.workflow.submission import Submission, Upload, submit_dossier
from tests.factories import PDF, form_data
from tests.identity.conftest import provider_sign_in
from tests.web import csrf_token

JUDICIAL = "2.000488"  # Phiếu lý lịch tư pháp: full name, date of birth and ID number of the person concerned
DINH = "089085000111"


@pytest.fixture
def verified_citizen():
    """A citizen whose account comes from a verified VNeID identity (as a sign-in makes it)."""
    verified = VerifiedIdentity(
        issuer="https://sso.dichvucong.example.vn",
        subject="vneid-subject-1",
        kind="person",
        full_name="Trần Văn Định",
        assurance_level=2,
        phone="0912000111",
        email="dinh.tv@example.vn",
        personal_id=DINH,
        birth_date=date(1985, 3, 12),
    )
    with unit_of_work():
        return sign_in_verified(verified)


def _judicial():
    return get_registry().current(JUDICIAL, date.today())


def _submission(procedure, data: dict, keys: tuple[str, ...] = ("to_khai",)) -> Submission:
    uploads = [Upload(key, f"{key}.pdf", io.BytesIO(PDF)) for key in keys]
    return Submission(procedure.code, data, uploads, unit_code=receiving_units(procedure)[0].code)


def _without_identity(procedure) -> dict:
    data = form_data(procedure)
    for key in ("full_name", "birth_date", "cccd", "phone", "email"):
        data.pop(key, None)
    return data


def test_identity_fields_are_locked_and_contacts_only_prefilled(verified_citizen):
    prefill = form_prefill(_judicial(), verified_citizen)
    assert {k: (p.value, p.locked) for k, p in prefill.items()} == {
        "full_name": ("Trần Văn Định", True),
        "birth_date": ("1985-03-12", True),
        "cccd": (DINH, True),
        "phone": ("0912000111", False),
        "email": ("dinh.tv@example.vn", False),
    }


def test_a_submission_leaving_the_identity_out_gets_it_filled_in(verified_citizen):
    procedure = _judicial()
    with unit_of_work():
        dossier = submit_dossier(verified_citizen, _submission(procedure, _without_identity(procedure)))
    assert (dossier.data["full_name"], dossier.data["birth_date"], dossier.data["cccd"]) == (
        "Trần Văn Định",
        "1985-03-12",
        DINH,
    )
    assert dossier.data["phone"] == "0912000111" and dossier.applicant_citizen_id == DINH


def test_a_submission_changing_a_locked_field_is_refused_naming_it(verified_citizen):
    procedure = _judicial()
    data = {**_without_identity(procedure), "cccd": "089190000222", "full_name": "trần  văn ĐỊNH"}
    with pytest.raises(ValidationError) as refused, unit_of_work():
        submit_dossier(verified_citizen, _submission(procedure, data))
    assert refused.value.status == 422 and list(refused.value.details["data"]) == ["cccd"]


def test_the_identity_document_is_not_asked_of_a_verified_citizen_only(verified_citizen, make_user):
    procedure = _judicial()
    with unit_of_work():
        dossier = submit_dossier(verified_citizen, _submission(procedure, _without_identity(procedure)))
    assert [d.doc_key for d in dossier.documents] == ["to_khai"]
    password_citizen = make_user("citizen")
    data = {**form_data(procedure), "cccd": password_citizen.citizen_id}
    with pytest.raises(ValidationError) as refused, unit_of_work():
        submit_dossier(password_citizen, _submission(procedure, data))
    assert "giay_to_tuy_than" in refused.value.details


def test_the_form_page_shows_identity_fields_read_only_and_keeps_them(client, oidc_provider):
    provider_sign_in(client, DINH)
    token = csrf_token(client, f"/procedures/{JUDICIAL}")
    started = client.post(f"/procedures/{JUDICIAL}/apply", data={"csrf_token": token})
    draft_url = started.headers["Location"]
    html = client.get(draft_url).get_data(as_text=True)
    assert (
        'name="cccd" aria-required="true" aria-describedby="f-cccd-hint" value="089085000111" readonly'
        in html
    )
    assert 'value="Trần Văn Định" readonly' in html and 'value="0912000111"' in html
    assert "không cần tải lên" in html
    client.post(
        draft_url,
        data={"csrf_token": token, "form_present": "1", "full_name": "Người Khác", "cccd": "089190000222"},
    )
    again = client.get(draft_url).get_data(as_text=True)
    assert 'value="Trần Văn Định" readonly' in again and "Người Khác" not in again


def test_the_procedure_file_says_which_document_an_identity_replaces(app):
    import yaml

    from app.procedures.parsing import parse_procedure
    from app.procedures.validation import Problems

    data = yaml.safe_load(
        (Path(app.config["WORKFLOWS_DIR"]) / "judicial_record_certificate.yaml").read_text()
    )
    levels = app.config["ORG_LEVELS"]
    procedure = parse_procedure(Problems("judicial_record_certificate.yaml"), data, levels)
    assert [d.key for d in procedure.documents if d.replaced_by_identity] == ["giay_to_tuy_than"]
    data["documents"][0]["replaced_by_identity"] = "yes"
    problems = Problems("judicial_record_certificate.yaml")
    assert parse_procedure(problems, data, levels) is None
    where = "judicial_record_certificate.yaml: documents[0].replaced_by_identity"
    assert problems.messages == [f"{where}: must be true or false, got a string"]
