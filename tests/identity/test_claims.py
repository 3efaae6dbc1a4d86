"""The one module that reads the provider's claims: persons, organisations, renamed claims, and a
clear refusal naming the claim for each kind of bad answer."""

from __future__ import annotations

from datetime import date

import pytest

from app.identity.claims import DEFAULT_CLAIM_NAMES, ClaimsError, claim_names, map_claims

ISSUER = "https://sso.dichvucong.example.vn"
PERSON = {
    "sub": "abc",
    "personal_id": "089085000111",
    "name": "  Trần   Văn Định ",
    "birthdate": "1985-03-12",
    "phone_number": "+84912000111",
    "email": "dinh@example.vn",
    "email_verified": True,
    "assurance_level": "vneid:level2",
}


def _map(claims, names=None):
    return map_claims(claims, issuer=ISSUER, names=names or DEFAULT_CLAIM_NAMES)


def test_a_person_is_read_from_the_claims():
    person = _map(PERSON)
    assert (person.kind, person.full_name, person.personal_id, person.birth_date) == (
        "person",
        "Trần Văn Định",
        "089085000111",
        date(1985, 3, 12),
    )
    assert (person.phone, person.email, person.assurance_level) == ("+84912000111", "dinh@example.vn", 2)


def test_an_organisation_is_read_from_its_tax_code_and_representative():
    organisation = _map(
        {
            "sub": "org-1",
            "tax_code": "1601234567-001",
            "organization_name": "Chi nhánh Công ty X",
            "legal_representative_name": "Trần Văn Định",
            "legal_representative_personal_id": "089085000111",
            "assurance_level": 2,
        }
    )
    assert organisation.is_organisation and organisation.tax_code == "1601234567-001"
    assert (organisation.full_name, organisation.representative_personal_id) == (
        "Chi nhánh Công ty X",
        "089085000111",
    )


def test_a_deployment_renames_the_claims_without_code():
    names = claim_names('{"personal_id": "so_dinh_danh", "full_name": "ho_ten"}')
    person = _map(
        {**PERSON, "so_dinh_danh": "089190000222", "ho_ten": "Lê Thị Hoa", "personal_id": None}, names
    )
    assert (person.personal_id, person.full_name) == ("089190000222", "Lê Thị Hoa")
    with pytest.raises(ValueError, match="unknown attribute"):
        claim_names({"nickname": "x"})


@pytest.mark.parametrize(
    ("change", "claim"),
    [
        ({"sub": ""}, "sub"),
        ({"personal_id": None}, "personal_id"),
        ({"personal_id": "123"}, "personal_id"),
        ({"personal_id": "999085000111"}, "personal_id"),  # no such province code
        ({"name": ""}, "name"),
        ({"birthdate": "12/03/1985"}, "birthdate"),
        ({"assurance_level": None}, "assurance_level"),
        ({"tax_code": "12345"}, "tax_code"),
    ],
)
def test_each_bad_claim_is_named(change, claim):
    with pytest.raises(ClaimsError) as refused:
        _map({**PERSON, **change})
    assert refused.value.claim == claim


def test_contacts_that_are_malformed_or_unverified_are_dropped():
    person = _map({**PERSON, "phone_number": "12", "email_verified": False})
    assert person.phone is None and person.email is None
