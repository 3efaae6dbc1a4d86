"""The identity provider's claims, mapped to the person or organisation they describe.

The real VNeID / national portal contract is not public, so every claim name the application reads
is here, with the defaults the demo provider uses; a deployment renames them in `OIDC_CLAIM_NAMES`
(JSON) without touching code. Nothing else in the application reads a claim: everything downstream
works on `VerifiedIdentity`.

A person: `sub`, personal ID number (12 digits, checked like a CCCD), full name, date of birth,
phone, e-mail and the assurance level (VNeID level 1 or 2). An organisation (organisational e-ID):
the same envelope with a tax code, the organisation's name and its legal representative; the tax
code's presence is what makes an identity an organisation's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.auth.citizen_id import citizen_id_problem
from app.identity.models import ORGANISATION, PERSON

DEFAULT_CLAIM_NAMES: dict[str, str] = {
    "subject": "sub",
    "personal_id": "personal_id",
    "full_name": "name",
    "birth_date": "birthdate",
    "phone": "phone_number",
    "phone_verified": "phone_number_verified",
    "email": "email",
    "email_verified": "email_verified",
    "assurance_level": "assurance_level",
    "tax_code": "tax_code",
    "organisation_name": "organization_name",
    "representative_name": "legal_representative_name",
    "representative_personal_id": "legal_representative_personal_id",
}

TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
PHONE_RE = re.compile(r"^(\+84|0)\d{9,10}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LEVEL_RE = re.compile(r"(\d+)\s*$")


class ClaimsError(ValueError):
    """The provider's answer does not describe a usable identity; `claim` names what is wrong."""

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(message)
        self.claim = claim
        self.message = message


@dataclass(frozen=True)
class VerifiedIdentity:
    issuer: str
    subject: str
    kind: str  # PERSON or ORGANISATION
    full_name: str  # a person's name, or the organisation's
    assurance_level: int
    phone: str | None = None
    email: str | None = None
    personal_id: str | None = None
    birth_date: date | None = None
    tax_code: str | None = None
    representative_name: str | None = None
    representative_personal_id: str | None = None

    @property
    def is_organisation(self) -> bool:
        return self.kind == ORGANISATION


def claim_names(override: str | Mapping[str, str] | None = None) -> dict[str, str]:
    """The defaults with a deployment's renames (JSON text as in OIDC_CLAIM_NAMES, or a mapping)."""
    names = dict(DEFAULT_CLAIM_NAMES)
    if isinstance(override, str) and override.strip():
        override = json.loads(override)
    for key, value in dict(override or {}).items():
        if key not in DEFAULT_CLAIM_NAMES:
            raise ValueError(
                f"OIDC_CLAIM_NAMES: unknown attribute {key!r}; known: {sorted(DEFAULT_CLAIM_NAMES)}"
            )
        names[key] = str(value)
    return names


def map_claims(claims: Mapping[str, Any], *, issuer: str, names: Mapping[str, str]) -> VerifiedIdentity:
    """The identity the claims describe, or ClaimsError naming the first claim that is missing or
    malformed. Phone and e-mail are optional and dropped when malformed or marked unverified."""

    def get(attribute: str) -> Any:
        value = claims.get(names[attribute])
        return value.strip() if isinstance(value, str) else value

    subject = get("subject")
    if not subject or not isinstance(subject, str):
        raise ClaimsError(names["subject"], "Thiếu mã định danh tài khoản (sub)")
    common = {
        "issuer": issuer,
        "subject": subject,
        "assurance_level": _level(get("assurance_level"), names["assurance_level"]),
        "phone": _optional(get("phone"), get("phone_verified"), PHONE_RE),
        "email": _optional(get("email"), get("email_verified"), EMAIL_RE),
    }
    if get("tax_code"):
        return _organisation(get, names, common)
    return _person(get, names, common)


def _person(get: Any, names: Mapping[str, str], common: dict[str, Any]) -> VerifiedIdentity:
    personal_id = get("personal_id")
    if not isinstance(personal_id, str) or not personal_id:
        raise ClaimsError(names["personal_id"], "Thiếu số định danh cá nhân")
    problem = citizen_id_problem(personal_id)
    if problem:
        raise ClaimsError(names["personal_id"], problem)
    return VerifiedIdentity(
        kind=PERSON,
        full_name=_name(get("full_name"), names["full_name"]),
        personal_id=personal_id,
        birth_date=_birth_date(get("birth_date"), names["birth_date"]),
        **common,
    )


def _organisation(get: Any, names: Mapping[str, str], common: dict[str, Any]) -> VerifiedIdentity:
    tax_code = str(get("tax_code"))
    if not TAX_CODE_RE.match(tax_code):
        raise ClaimsError(
            names["tax_code"], "Mã số thuế phải gồm 10 chữ số (hoặc 10 chữ số, dấu '-' và 3 chữ số)"
        )
    representative_id = get("representative_personal_id")
    if representative_id and citizen_id_problem(str(representative_id)):
        raise ClaimsError(names["representative_personal_id"], "Số định danh của người đại diện không hợp lệ")
    name = get("organisation_name") or get("full_name")
    return VerifiedIdentity(
        kind=ORGANISATION,
        full_name=_name(name, names["organisation_name"]),
        tax_code=tax_code,
        representative_name=(str(get("representative_name") or "").strip() or None),
        representative_personal_id=str(representative_id) if representative_id else None,
        **common,
    )


def _name(value: Any, claim: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ClaimsError(claim, "Thiếu họ và tên (hoặc tên tổ chức)")
    return " ".join(value.split())[:255]


def _birth_date(value: Any, claim: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ClaimsError(claim, "Ngày sinh phải có dạng YYYY-MM-DD") from exc


def _level(value: Any, claim: str) -> int:
    """1, 2, "2", "level2", "vneid:muc2" → the number at the end."""
    if isinstance(value, bool):
        raise ClaimsError(claim, "Mức độ định danh không hợp lệ")
    if isinstance(value, int):
        return value
    match = _LEVEL_RE.search(str(value or ""))
    if match is None:
        raise ClaimsError(claim, "Thiếu mức độ định danh điện tử")
    return int(match.group(1))


def _optional(value: Any, verified: Any, pattern: re.Pattern[str]) -> str | None:
    if verified is False or not isinstance(value, str) or not pattern.match(value):
        return None
    return value
