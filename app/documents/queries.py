"""Reading issued forms. Callers check who may see the dossier first (app.dossiers.queries.get_dossier)."""

from __future__ import annotations

from sqlalchemy import select

from app.core.errors import NotFoundError
from app.documents.models import IssuedForm
from app.extensions import db


def list_forms(dossier_id: int) -> list[IssuedForm]:
    """Every form issued for the dossier, newest first, whatever its status."""
    return list(
        db.session.scalars(
            select(IssuedForm).where(IssuedForm.dossier_id == dossier_id).order_by(IssuedForm.id.desc())
        )
    )


def get_ready_form(dossier_id: int, form_id: int) -> IssuedForm:
    """A form of this dossier whose PDF is stored; anything else is 404 (no probing of ids)."""
    issued = db.session.get(IssuedForm, form_id)
    if issued is None or issued.dossier_id != dossier_id or not issued.is_ready:
        raise NotFoundError(f"Không tìm thấy biểu mẫu #{form_id} của hồ sơ này, hoặc biểu mẫu chưa sẵn sàng")
    return issued
