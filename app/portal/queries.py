"""Reads for the citizen portal: the catalogue's filters, receiving units, drafts and the
documents a citizen may reuse."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.auth.models import User
from app.core.errors import NotFoundError
from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.org.models import Unit
from app.portal.models import Draft
from app.procedures import get_registry
from app.procedures.definitions import Procedure, Text
from app.procedures.queries import list_procedures, normalize_text

REUSE_CHOICES_PER_DOCUMENT = 5


@dataclass(frozen=True)
class Catalogue:
    procedures: list[Procedure]
    levels: list[str]  # competent levels that have procedures, top to bottom
    fields: list[tuple[str, Text]]  # (field code, field name), by Vietnamese name


def get_catalogue(
    q: str | None = None, level: str | None = None, field: str | None = None, lang: str = "vi"
) -> Catalogue:
    """Procedures in effect today matching the filters (the same search as the public API),
    in alphabetical order of their names in `lang` ("Cấp" before "Chứng", as in a dictionary)."""
    everything = get_registry().list_current()
    order = current_app.config["ORG_LEVELS"]
    levels = [lv for lv in order if any(p.competent_level == lv for p in everything)]
    fields = sorted(
        {p.field_code: p.field_name for p in everything}.items(),
        key=lambda kv: normalize_text(kv[1].get(lang)),
    )
    found = sorted(
        list_procedures(q=q, level=level, field=field), key=lambda p: normalize_text(p.name.get(lang))
    )
    return Catalogue(procedures=found, levels=levels, fields=fields)


def current_procedure(code: str) -> Procedure:
    """The version in effect today; NotFoundError for an unknown code."""
    return get_registry().current(code)


def find_draft_procedure(draft: Draft) -> Procedure | None:
    """For naming a draft: today's version, else the version it was started on (None if withdrawn)."""
    registry = get_registry()
    return registry.find_current(draft.procedure_code) or registry.find(
        draft.procedure_code, draft.procedure_version
    )


def receiving_units(procedure: Procedure) -> list[Unit]:
    """Units where the procedure may be submitted today: its receiving points (levels and kinds)."""
    from app.core.db import utcnow
    from app.core.time import to_local
    from app.workflow.submission import receiving_units as units_receiving

    return sorted(units_receiving(procedure, to_local(utcnow()).date()), key=lambda u: u.code)


def list_drafts(user: User) -> list[Draft]:
    query = (
        select(Draft)
        .where(Draft.user_id == user.id)
        .options(selectinload(Draft.documents))
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
    )
    return list(db.session.scalars(query))


def find_latest_draft(user: User, procedure_code: str, principal_id: int | None = None) -> Draft | None:
    """The user's latest draft of the procedure, for themselves or (`principal_id`) for a principal."""
    for_whom = Draft.principal_id.is_(None) if principal_id is None else Draft.principal_id == principal_id
    query = (
        select(Draft)
        .where(Draft.user_id == user.id, Draft.procedure_code == procedure_code, for_whom)
        .order_by(Draft.updated_at.desc(), Draft.id.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def draft_applicant(draft: Draft) -> User:
    """Whom the draft is filed for: the principal of a representative's draft, else its author."""
    return db.session.get(User, draft.principal_id or draft.user_id)


def get_draft(draft_id: int, user: User) -> Draft:
    """The user's own draft; anyone else's answers 404, like one that does not exist."""
    draft = db.session.scalar(
        select(Draft).where(Draft.id == draft_id).options(selectinload(Draft.documents))
    )
    if draft is None or draft.user_id != user.id:
        raise NotFoundError(f"Không tìm thấy hồ sơ nháp #{draft_id}")
    return draft


def _reusable_query(user: User, doc_keys: list[str]):  # noqa: ANN202
    return (
        select(DossierDocument)
        .join(DossierDocument.dossier)
        .where(
            Dossier.applicant_id == user.id,
            DossierDocument.doc_key.in_(doc_keys),
            DossierDocument.is_current.is_(True),
            DossierDocument.is_result.is_(False),
        )
        .options(contains_eager(DossierDocument.dossier))
        .order_by(DossierDocument.created_at.desc(), DossierDocument.id.desc())
    )


def list_reusable_documents(user: User, procedure: Procedure) -> dict[str, list[DossierDocument]]:
    """For each document key, the citizen's earlier digitised documents that fit this procedure's
    rules (type and size), newest first, one per distinct content (docs/domain.md, Reuse)."""
    specs = {spec.key: spec for spec in procedure.documents}
    found: dict[str, list[DossierDocument]] = {}
    seen: set[tuple[str, str]] = set()
    for document in db.session.scalars(_reusable_query(user, list(specs))).unique():
        spec = specs[document.doc_key]
        fits = document.content_type in spec.types and document.size <= spec.max_size_mb * 1024 * 1024
        choices = found.setdefault(document.doc_key, [])
        if (
            fits
            and (document.doc_key, document.sha256) not in seen
            and len(choices) < REUSE_CHOICES_PER_DOCUMENT
        ):
            seen.add((document.doc_key, document.sha256))
            choices.append(document)
    return found


def get_reusable_document(user: User, doc_key: str, document_id: int) -> DossierDocument:
    document = db.session.scalar(_reusable_query(user, [doc_key]).where(DossierDocument.id == document_id))
    if document is None:
        raise NotFoundError("Không tìm thấy giấy tờ đã nộp để dùng lại")
    return document
