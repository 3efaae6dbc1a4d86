"""Pages of authorisations: a principal grants and revokes them (with the document), a
representative sees what it has been granted; either side may open the document."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.core import uow
from app.core.errors import AppError, PermissionDeniedError
from app.procedures import get_registry
from app.representation.forms import GrantForm
from app.representation.permissions import can_grant, require_party, require_principal
from app.representation.queries import get_authorisation, list_granted, list_received
from app.representation.services import Grant, grant_authorisation, principal_label, revoke_authorisation
from app.storage import download_response

bp = Blueprint("representation", __name__, url_prefix="/my/representatives")


def _applicant():  # noqa: ANN202
    if not can_grant(current_user):
        raise PermissionDeniedError(_("Trang này dành cho công dân và tổ chức."))
    return current_user._get_current_object()


def _form() -> GrantForm:
    form = GrantForm()
    lang = g.get("lang", "vi")
    form.procedures.choices = [
        (p.code, f"{p.code} — {p.name.get(lang)}")
        for p in sorted(get_registry().list_current(), key=lambda p: p.name.get(lang))
    ]
    return form


def _page(form: GrantForm, status: int = 200) -> tuple[str, int]:
    user = current_user._get_current_object()
    return render_template(
        "representation/index.html",
        form=form,
        granted=list_granted(user),
        received=list_received(user),
        principal_label=principal_label,
    ), status


@bp.get("")
@login_required
def index() -> tuple[str, int]:
    _applicant()
    return _page(_form())


@bp.post("")
@login_required
def grant() -> Response | tuple[str, int]:
    principal = _applicant()
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422)
    upload = request.files.get("document")
    with uow.attempt() as failed:
        grant_authorisation(
            principal,
            Grant(
                representative_personal_id=form.representative_personal_id.data,
                representative_name=form.representative_name.data,
                scope=form.scope.data,
                procedure_codes=list(form.procedures.data or []),
                expires_on=form.expires_on.data,
                filename=upload.filename if upload else "",
                stream=upload.stream if upload and upload.filename else None,
            ),
        )
    if failed:
        _show_problems(form, failed.error)
        return _page(form, failed.error.status)
    flash(_("Đã lập giấy ủy quyền cho %(name)s.", name=form.representative_name.data), "success")
    return redirect(url_for(".index"), 303)


def _show_problems(form: GrantForm, error: AppError) -> None:
    """Each problem beside its field; a refused file (type, size, content) beside the document."""
    fields = {
        "representative": form.representative_personal_id,
        "scope": form.scope,
        "procedures": form.procedures,
        "expires_on": form.expires_on,
        "document": form.document,
    }
    details = error.details if isinstance(error.details, dict) else {}
    shown = False
    for key, message in details.items():
        if key in fields and isinstance(message, str):
            fields[key].errors = [*fields[key].errors, _(message)]
            shown = True
    if not shown:
        form.document.errors = [_(error.message)]


@bp.post("/<int:authorisation_id>/revoke")
@login_required
def revoke(authorisation_id: int) -> Response:
    authorisation = get_authorisation(authorisation_id)
    require_principal(current_user, authorisation)
    revoke_authorisation(authorisation)
    flash(_("Đã thu hồi giấy ủy quyền."), "success")
    return redirect(url_for(".index"), 303)


@bp.get("/<int:authorisation_id>/document")
@login_required
def document(authorisation_id: int) -> Response:
    authorisation = get_authorisation(authorisation_id)
    require_party(current_user, authorisation)
    return download_response(
        authorisation.storage_key,
        authorisation.original_name,
        authorisation.content_type,
        size=authorisation.size,
    )
