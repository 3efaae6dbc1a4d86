"""The citizen's drafts: the application form, uploads and reuse, review and submission."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.core import uow
from app.core.errors import ConflictError, NotFoundError, ValidationError
from app.identity.prefill import form_prefill
from app.org.queries import find_unit_by_code
from app.portal.fields import read_fields, widgets
from app.portal.models import Draft
from app.portal.presenters import lang, problem_text
from app.portal.queries import (
    current_procedure,
    draft_applicant,
    find_draft_procedure,
    get_draft,
    list_drafts,
    list_reusable_documents,
    receiving_units,
)
from app.portal.services import (
    DraftInput,
    DraftProblems,
    check_draft,
    delete_draft,
    draft_waived_documents,
    effective_unit_code,
    problems_from_error,
    save_draft,
    submit_draft,
)
from app.portal.web import citizen_required, posted_uploads, wants_json
from app.procedures.definitions import DocumentSpec, Procedure
from app.representation.services import principal_label
from app.workflow.idempotency import idempotent

bp = Blueprint("drafts", __name__, url_prefix="/drafts")


def _load(draft_id: int) -> tuple[Draft, Procedure]:
    draft = get_draft(draft_id, current_user)
    return draft, current_procedure(draft.procedure_code)


def _posted(procedure: Procedure, **extra: object) -> DraftInput:
    """The form page's fields (if it was posted whole) and every file chosen on it."""
    whole = "form_present" in request.form
    return DraftInput(
        data=read_fields(procedure, request.form) if whole else None,
        unit_code=request.form.get("unit_code") if whole else None,
        uploads=posted_uploads(procedure),
        **extra,
    )


def render_form(draft: Draft, procedure: Procedure, problems: DraftProblems | None = None, status: int = 200):  # noqa: ANN201
    applicant = draft_applicant(draft)
    return render_template(
        "portal/draft.html",
        draft=draft,
        procedure=procedure,
        widgets=widgets(procedure),
        prefill=form_prefill(procedure, applicant),
        principal=principal_label(applicant) if draft.principal_id else None,
        waived=draft_waived_documents(draft, procedure),
        units=receiving_units(procedure),
        unit_code=effective_unit_code(draft, procedure),
        reusable=list_reusable_documents(current_user, procedure),
        problems=problems or DraftProblems(),
    ), status


@bp.get("")
@citizen_required
def index() -> str:
    drafts = list_drafts(current_user)
    procedures = {d.id: find_draft_procedure(d) for d in drafts}
    return render_template("portal/drafts.html", drafts=drafts, procedures=procedures)


@bp.get("/<int:draft_id>")
@citizen_required
def edit(draft_id: int):  # noqa: ANN201
    draft, procedure = _load(draft_id)
    return render_form(draft, procedure, check_draft(draft, procedure) if request.args.get("check") else None)


@bp.post("/<int:draft_id>")
@citizen_required
def save(draft_id: int):  # noqa: ANN201
    """Save ("Lưu nháp") keeps everything as it is; continue ("Tiếp tục") also checks it and
    goes on to the review."""
    draft, procedure = _load(draft_id)
    refused = save_draft(draft, current_user, procedure, _posted(procedure))
    problems = check_draft(draft, procedure) if request.form.get("action") == "continue" else DraftProblems()
    problems.documents.update(refused)
    if problems:
        return render_form(draft, procedure, problems, 422)
    if request.form.get("action") == "continue":
        return redirect(url_for("drafts.review", draft_id=draft.id))
    flash(_("Đã lưu nháp. Bạn có thể quay lại hoàn thiện bất cứ lúc nào."), "success")
    return redirect(url_for("drafts.edit", draft_id=draft.id))


@bp.post("/<int:draft_id>/documents/<doc_key>")
@citizen_required
def document(draft_id: int, doc_key: str):  # noqa: ANN201
    """Upload one document (the script posts just its file; without script the whole form comes),
    or reuse an earlier one (`reuse_id`)."""
    draft, procedure = _load(draft_id)
    spec = procedure.document(doc_key) or _not_found(doc_key)
    reuse_id = request.form.get("reuse_id", type=int)
    changes = _posted(procedure, reuse=(doc_key, reuse_id) if reuse_id else None)
    refused: dict = save_draft(draft, current_user, procedure, changes)
    if not reuse_id and doc_key not in {u.key for u in changes.uploads}:
        refused[doc_key] = _("Chưa chọn tệp để tải lên")
    if wants_json():
        return _document_json(draft, procedure, spec, refused.get(doc_key))
    if refused:
        return render_form(draft, procedure, DraftProblems(documents=refused), 422)
    flash(_("Đã lưu giấy tờ: %(name)s", name=spec.name.get(lang())), "success")
    return redirect(url_for("drafts.edit", draft_id=draft.id, _anchor=f"doc-{doc_key}"))


@bp.post("/<int:draft_id>/documents/<doc_key>/delete")
@citizen_required
def remove_document(draft_id: int, doc_key: str):  # noqa: ANN201
    draft, procedure = _load(draft_id)
    refused = save_draft(draft, current_user, procedure, _posted(procedure, remove=doc_key))
    if refused:
        return render_form(draft, procedure, DraftProblems(documents=refused), 422)
    return redirect(url_for("drafts.edit", draft_id=draft.id, _anchor=f"doc-{doc_key}"))


@bp.get("/<int:draft_id>/review")
@citizen_required
def review(draft_id: int):  # noqa: ANN201
    draft, procedure = _load(draft_id)
    if check_draft(draft, procedure):
        return redirect(url_for("drafts.edit", draft_id=draft.id, check=1))
    unit = find_unit_by_code(effective_unit_code(draft, procedure) or "")
    return render_template(
        "portal/review.html", draft=draft, procedure=procedure, widgets=widgets(procedure), unit=unit
    )


@bp.post("/<int:draft_id>/submit")
@citizen_required
@idempotent("drafts.submit")
def submit(draft_id: int):  # noqa: ANN201
    draft, procedure = _load(draft_id)
    with uow.attempt(ValidationError, ConflictError) as failed:
        dossier = submit_draft(draft, current_user)
    if isinstance(failed.error, ConflictError):  # submitted a moment ago (another tab, a double click)
        flash(_(failed.error.message), "info")
        return redirect(url_for("my_dossiers.index"), 303)
    if failed:
        return render_form(
            get_draft(draft_id, current_user), procedure, problems_from_error(failed.error, procedure), 422
        )
    flash(_("Đã nộp hồ sơ %(code)s", code=dossier.code), "success")
    return redirect(dossier_url(dossier.code))


@bp.post("/<int:draft_id>/delete")
@citizen_required
def delete(draft_id: int) -> Response:
    delete_draft(get_draft(draft_id, current_user))
    flash(_("Đã xóa hồ sơ nháp."), "success")
    return redirect(url_for("drafts.index"))


def _document_json(draft: Draft, procedure: Procedure, spec: DocumentSpec, problem: object):  # noqa: ANN202
    """For the upload script: the document's block, re-rendered, and a message to announce."""
    html = render_template(
        "portal/_document_block.html",
        draft=draft,
        spec=spec,
        reusable=list_reusable_documents(current_user, procedure),
        problem=problem,
    )
    message = problem_text(problem) if problem else _("Đã lưu giấy tờ: %(name)s", name=spec.name.get(lang()))
    return jsonify(ok=problem is None, html=html, message=message), 200 if problem is None else 422


def dossier_url(code: str) -> str:
    """The citizen's dossier page (built by the dossiers pages; the literal path until it exists)."""
    if "my_dossiers.detail" in current_app.view_functions:
        return url_for("my_dossiers.detail", code=code)
    return f"/my/dossiers/{code}"


def _not_found(doc_key: str):  # noqa: ANN202
    raise NotFoundError(f"Thủ tục không có giấy tờ '{doc_key}'")
