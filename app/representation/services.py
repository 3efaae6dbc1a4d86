"""Granting and revoking authorisations, and who a recorded event was done for.

`grant_authorisation` and `revoke_authorisation` are use cases within the caller's unit of work.
`representation_of` is asked by the workflow engine for every event it writes: one model for every
way of acting for someone else, the authorised representative and the counter officer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import BinaryIO

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ConflictError, ValidationError
from app.core.time import VN_TZ, to_local
from app.extensions import db
from app.identity.queries import find_identity
from app.procedures import get_registry
from app.procedures.queries import search_words
from app.representation.models import ALL, PROCEDURES, SCOPES, Authorisation, AuthorisedProcedure
from app.representation.queries import find_valid_authorisation
from app.storage import get_storage

DOCUMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
LONGEST_YEARS = 10


@dataclass
class Grant:
    """What a principal fills in to authorise a representative."""

    representative_personal_id: str
    representative_name: str
    scope: str
    expires_on: date | None
    filename: str = ""
    stream: BinaryIO | None = None
    procedure_codes: list[str] = field(default_factory=list)


def _representative(grant: Grant, principal: User, problems: dict[str, str]) -> User | None:
    """The account named by personal ID number and full name; one answer for every mismatch."""
    personal_id = (grant.representative_personal_id or "").strip()
    if not personal_id or not grant.representative_name.strip():
        problems["representative"] = "Cần số định danh cá nhân và họ tên của người được ủy quyền"
        return None
    found = db.session.scalar(select(User).where(User.citizen_id == personal_id))
    named = found is not None and search_words(found.full_name) == search_words(grant.representative_name)
    if not named or not found.is_active or not found.is_citizen:
        problems["representative"] = "Không có tài khoản nào khớp cả số định danh và họ tên này"
        return None
    if found.id == principal.id:
        problems["representative"] = "Không thể tự ủy quyền cho chính mình"
        return None
    return found


def _procedures(grant: Grant, problems: dict[str, str]) -> list[str]:
    if grant.scope not in SCOPES:
        problems["scope"] = "Chọn phạm vi: mọi thủ tục, hoặc một số thủ tục"
        return []
    if grant.scope == ALL:
        return []
    known = {p.code for p in get_registry().list_current()}
    codes = sorted(set(grant.procedure_codes))
    unknown = [c for c in codes if c not in known]
    if unknown:
        problems["procedures"] = "Không có thủ tục: " + ", ".join(unknown)
    elif not codes:
        problems["procedures"] = "Chọn ít nhất một thủ tục"
    return codes


def _expiry(expires_on: date | None, problems: dict[str, str]) -> datetime | None:
    today = to_local(utcnow()).date()
    if expires_on is None:
        problems["expires_on"] = "Cần ngày hết hạn của giấy ủy quyền"
    elif expires_on < today:
        problems["expires_on"] = "Ngày hết hạn đã qua"
    elif expires_on > today + timedelta(days=366 * LONGEST_YEARS):
        problems["expires_on"] = f"Ủy quyền tối đa {LONGEST_YEARS} năm"
    else:  # valid through the whole expiry day, Vietnam time
        return datetime.combine(expires_on + timedelta(days=1), time(0), tzinfo=VN_TZ)
    return None


def grant_authorisation(principal: User, grant: Grant) -> Authorisation:
    """Record an authorisation with its document; every problem of the form at once (422)."""
    problems: dict[str, str] = {}
    representative = _representative(grant, principal, problems)
    codes = _procedures(grant, problems)
    expires_at = _expiry(grant.expires_on, problems)
    if grant.stream is None or not grant.filename:
        problems["document"] = "Cần đính kèm giấy ủy quyền (PDF hoặc ảnh)"
    if problems:
        raise ValidationError("Giấy ủy quyền chưa hợp lệ: " + "; ".join(problems.values()), problems)
    storage = get_storage()
    max_mb = int(current_app.config.get("AUTHORISATION_MAX_MB", 10))
    stored = storage.put_stream(
        grant.stream, allowed_types=DOCUMENT_TYPES, max_bytes=max_mb * 1024 * 1024, prefix="authorisations"
    )
    uow.on_rollback(lambda key=stored.key: storage.delete(key))
    authorisation = Authorisation(
        principal_id=principal.id,
        representative_id=representative.id,
        scope=PROCEDURES if codes else ALL,
        expires_at=expires_at,
        storage_key=stored.key,
        original_name=grant.filename[:255],
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        procedures=[AuthorisedProcedure(procedure_code=code) for code in codes],
    )
    db.session.add(authorisation)
    db.session.flush()
    return authorisation


def revoke_authorisation(authorisation: Authorisation) -> Authorisation:
    """From now on the representative cannot act under it; what they did stays recorded."""
    if authorisation.revoked_at is not None:
        raise ConflictError("Giấy ủy quyền này đã được thu hồi")
    authorisation.revoked_at = utcnow()
    db.session.flush()
    return authorisation


@dataclass(frozen=True)
class Representation:
    """Who an event was done for: the represented account (if it has one) and name, and the
    authorisation it was done under (None for staff registering an applicant at the counter)."""

    represented_id: int | None
    represented_name: str
    authorisation_id: int | None = None


def representation_of(
    actor: User,
    *,
    applicant_id: int | None,
    applicant_name: str,
    procedure_code: str,
    filing: bool,
) -> Representation | None:
    """None when the actor acts for themselves or as the office (staff acting on a dossier)."""
    if actor.is_staff:
        return Representation(applicant_id, applicant_name) if filing else None
    if applicant_id is None or applicant_id == actor.id:
        return None
    authorisation = find_valid_authorisation(actor.id, applicant_id, procedure_code)
    if authorisation is None:
        return None
    return Representation(applicant_id, applicant_name, authorisation.id)


def principal_label(user: User) -> str:
    """How a principal is named to its representative: the organisation's tax code or the person's name."""
    identity = find_identity(user)
    if identity is not None and identity.tax_code:
        return f"{user.full_name} (MST {identity.tax_code})"
    return user.full_name
