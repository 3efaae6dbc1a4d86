"""Application forms filled from the verified identity, and documents that identity replaces.

A form field holds the applicant's own identity when its key is one of the keys below (the keys the
procedure files use for the person filing or concerned) and its type fits the attribute. For an
applicant with a verified identity (VNeID, or an organisation's e-ID):

- identity attributes (full name, personal ID number, date of birth, an organisation's tax code) are
  filled in and locked: the page shows them read-only, and a submission that sends another value is
  refused (422, naming the field); one that leaves them out gets them filled in;
- contact fields (phone, e-mail) start from the verified contacts and stay editable, since a dossier
  may give another contact number.

A document the procedure marks `replaced_by_identity` (the ID card of the person filing) is not
required of someone signed in with a verified personal identity who files for themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from app.auth.models import User
from app.core.errors import ValidationError
from app.identity.models import Identity
from app.identity.queries import find_identity
from app.procedures.definitions import FieldSpec, Procedure

# field key -> (identity attribute, field types it may fill)
_NAME, _ID, _BIRTH = ("full_name", ("string",)), ("personal_id", ("cccd",)), ("birth_date", ("date",))
PERSON_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "applicant_full_name": _NAME,
    "applicant_cccd": _ID,
    "applicant_birth_date": _BIRTH,
    "full_name": _NAME,
    "cccd": _ID,
    "birth_date": _BIRTH,
    "owner_full_name": _NAME,
    "owner_cccd": _ID,
}
ORGANISATION_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "applicant_full_name": _NAME,
    "organisation_name": _NAME,
    "tax_code": ("tax_code", ("string",)),
}
CONTACT_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "applicant_phone": ("phone", ("phone",)),
    "applicant_email": ("email", ("email",)),
    "owner_phone": ("phone", ("phone",)),
    "owner_email": ("email", ("email",)),
    "phone": ("phone", ("phone",)),
    "email": ("email", ("email",)),
}
LOCKED_MESSAGE = "Lấy từ định danh điện tử đã xác thực, không sửa được"


@dataclass(frozen=True)
class Prefill:
    value: str
    locked: bool


def _attribute(identity: Identity, user: User, name: str) -> str | None:
    value: Any = getattr(user, name) if name in ("full_name", "phone", "email") else getattr(identity, name)
    if isinstance(value, date):
        return value.isoformat()
    return str(value) if value else None


def _fill(procedure: Procedure, identity: Identity, user: User) -> dict[str, Prefill]:
    locked_keys = ORGANISATION_FIELDS if identity.is_organisation else PERSON_FIELDS
    found: dict[str, Prefill] = {}
    for field in procedure.fields:
        for table, locked in ((locked_keys, True), (CONTACT_FIELDS, False)):
            spec = table.get(field.key)
            if spec is None or field.type not in spec[1]:
                continue
            value = _attribute(identity, user, spec[0])
            if value:
                found[field.key] = Prefill(value, locked)
    return found


def form_prefill(procedure: Procedure, applicant: User | None) -> dict[str, Prefill]:
    """What the applicant's verified identity fills in, by field key (empty without one)."""
    identity = find_identity(applicant)
    return _fill(procedure, identity, applicant) if identity is not None else {}


def locked_values(procedure: Procedure, applicant: User | None) -> dict[str, str]:
    return {key: p.value for key, p in form_prefill(procedure, applicant).items() if p.locked}


def _same(field: FieldSpec, given: Any, value: str) -> bool:
    text = str(given).strip()
    if field.type == "string":
        return " ".join(text.split()).casefold() == value.casefold()
    return text.replace(" ", "") == value


def apply_identity(procedure: Procedure, data: dict[str, Any], applicant: User | None) -> dict[str, Any]:
    """`data` with the identity filled in; ValidationError for a locked field sent with another value."""
    prefill = form_prefill(procedure, applicant)
    if not prefill or not isinstance(data, dict):
        return data
    fields = {f.key: f for f in procedure.fields}
    filled, problems = dict(data), {}
    for key, fill in prefill.items():
        given = data.get(key)
        if fill.locked and given not in (None, "") and not _same(fields[key], given, fill.value):
            problems[key] = LOCKED_MESSAGE
        elif fill.locked or given in (None, ""):
            filled[key] = fill.value
    if problems:
        raise ValidationError("Tờ khai chưa hợp lệ: " + ", ".join(problems), {"data": problems})
    return filled


def waived_documents(
    procedure: Procedure, filer: User | None, *, for_someone_else: bool = False
) -> frozenset[str]:
    """Documents not required of this filer: those its verified personal identity replaces, when it
    files for itself (a representative still brings the documents of the person it files for)."""
    identity = find_identity(filer)
    if for_someone_else or identity is None or not identity.is_person:
        return frozenset()
    return frozenset(d.key for d in procedure.documents if d.replaced_by_identity)
