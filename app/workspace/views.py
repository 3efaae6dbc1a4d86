"""The officer's dossier workspace and counter intake. Views parse, call one service, render.

Routes: /work/dossiers/<code> (page), /work/dossiers/<code>/actions/<name> (POST),
/work/dossiers/<code>/documents/<id> (file; ?inline=1 for previews), .../preview,
/work/intake, /work/intake/<procedure_code>.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit.services import record_access
from app.auth.guards import staff_required
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from app.dossiers.models import Dossier
from app.dossiers.queries import get_document, get_dossier
from app.official_forms.queries import list_forms
from app.representation.queries import find_authorisation
from app.storage import download_response
from app.workflow.engine import procedure_of
from app.workflow.idempotency import idempotent
from app.workspace import presenters
from app.workspace.intake import IntakeForm, intake_context, submission_from
from app.workspace.permissions import require_intake
from app.workspace.queries import get_intake_procedure, list_intake_procedures
from app.workspace.services import STALE, act_on_dossier, intake_dossier

bp = Blueprint("workspace", __name__, url_prefix="/work")


def _page(dossier: Dossier, status: int = 200, **extra: Any) -> tuple[str, int]:
    procedure, now = procedure_of(dossier), utcnow()
    return render_template(
        "workspace/dossier.html",
        dossier=dossier,
        procedure=procedure,
        state=procedure.states[dossier.state],
        actions=presenters.list_actions(dossier, current_user),
        history=presenters.history(dossier),
        forms=list_forms(dossier.id),
        now=now,
        p=presenters,
        **extra,
    ), status


@bp.get("/dossiers/<code>")
@staff_required
def dossier(code: str) -> tuple[str, int]:
    found = get_dossier(code, current_user)
    record_access(current_user, found)
    return _page(found)


@bp.post("/dossiers/<code>/actions/<name>")
@staff_required
def act(code: str, name: str) -> Response | tuple[str, int]:
    dossier = get_dossier(code, current_user)
    action = next((a for a in presenters.list_actions(dossier, current_user) if a.name == name), None)
    if action is None:
        if request.form.get("expected_version", type=int) == dossier.version:
            raise PermissionDeniedError(_("Bạn không thể thực hiện thao tác này trên hồ sơ này."))
        flash(_(STALE), "error")
        return redirect(url_for(".dossier", code=code), 303)
    with uow.attempt() as failed:
        act_on_dossier(
            dossier,
            current_user,
            name,
            presenters.payload_from(action, request.form),
            expected_version=request.form.get("expected_version", type=int),
            files=presenters.posted_files(action, request.files),
        )
    if isinstance(failed.error, ConflictError):
        flash(_(STALE), "error")
        return redirect(url_for(".dossier", code=code), 303)
    if isinstance(failed.error, PermissionDeniedError | NotFoundError):
        raise failed.error
    if failed:  # a guard, a missing input, a refused file: shown in the form
        error = failed.error
        return _page(
            get_dossier(code, current_user), error.status, open_action=name, error=error, posted=request.form
        )
    flash(_("Đã thực hiện: %(action)s", action=action.label), "success")
    return redirect(url_for(".dossier", code=code), 303)


@bp.get("/dossiers/<code>/documents/<int:document_id>")
@staff_required
def document_file(code: str, document_id: int) -> Response:
    """The file, through a short-lived link (S3 presigned URL) or streamed; `?inline=1` to preview."""
    dossier = get_dossier(code, current_user)
    document = get_document(dossier, document_id)
    record_access(current_user, dossier, document=document)
    inline = request.args.get("inline") == "1" and document.content_type in presenters.PREVIEWABLE
    return download_response(
        document.storage_key, document.original_name, document.content_type, size=document.size, inline=inline
    )


@bp.get("/dossiers/<code>/authorisations/<int:authorisation_id>")
@staff_required
def authorisation_document(code: str, authorisation_id: int) -> Response:
    """The authorisation document a representative acted under on this dossier (404 for any other)."""
    dossier = get_dossier(code, current_user)
    authorisation = find_authorisation(authorisation_id)
    if authorisation is None or not any(e.authorisation_id == authorisation_id for e in dossier.events):
        raise NotFoundError(_("Không tìm thấy giấy ủy quyền này trong hồ sơ"))
    record_access(current_user, dossier)
    document = authorisation  # its file: name, type and size as checked on upload
    return download_response(
        document.storage_key, document.original_name, document.content_type, size=document.size
    )


@bp.get("/dossiers/<code>/documents/<int:document_id>/preview")
@staff_required
def preview(code: str, document_id: int) -> str:
    dossier = get_dossier(code, current_user)
    document = get_document(dossier, document_id)
    spec = procedure_of(dossier).document(document.doc_key)
    return render_template(
        "workspace/preview.html", dossier=dossier, document=document, spec=spec, p=presenters
    )


@bp.get("/intake")
@staff_required
def intake_start() -> str:
    require_intake(current_user)
    return render_template("workspace/intake_start.html", procedures=list_intake_procedures(current_user))


@bp.route("/intake/<procedure_code>", methods=["GET", "POST"])
@staff_required
@idempotent("workspace.intake")
def intake(procedure_code: str) -> Response | tuple[str, int]:
    require_intake(current_user)
    procedure = get_intake_procedure(current_user, procedure_code)
    form = IntakeForm(procedure)
    if not form.validate_on_submit():
        return render_template(
            "workspace/intake.html", **intake_context(procedure, form)
        ), 422 if form.errors else 200
    with uow.attempt() as failed:
        created, refused = intake_dossier(
            current_user, submission_from(procedure, form), accept_now=form.accept_now.data
        )
    if failed:
        return render_template(
            "workspace/intake.html", **intake_context(procedure, form, failed.error)
        ), failed.error.status
    if refused:
        flash(_("Đã ghi nhận hồ sơ nhưng chưa tiếp nhận được: %(reason)s", reason=_(refused)), "error")
    else:
        flash(_("Đã ghi nhận hồ sơ %(code)s.", code=created.code), "success")
    return redirect(url_for(".dossier", code=created.code), 303)
