"""Citizen pages: my dossiers (list, detail with a plain-language timeline, supplement, withdraw,
result, rating) and public tracking by code. Views parse, call one service, render; what a citizen
may do comes from the workflow engine and the effects of what it offers, never from names."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.audit.services import record_access
from app.auth import throttle
from app.auth.models import User
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from app.dossiers.models import Dossier
from app.dossiers.queries import DossierFilter, get_document, get_dossier, list_dossiers
from app.official_forms.queries import list_forms
from app.portal import dossier_presenters as dp
from app.portal.forms import TrackForm, WithdrawForm
from app.portal.tracking import track_dossier
from app.ratings.forms import RatingForm
from app.ratings.permissions import is_returned
from app.ratings.queries import find_rating
from app.ratings.services import editable_until, is_editable, rate_dossier
from app.storage import download_response
from app.workflow.documents import Upload
from app.workflow.engine import apply_transition, procedure_of
from app.workflow.submission import supply_documents

bp = Blueprint("my_dossiers", __name__)
PAGE_SIZE = 20


def unit_name(unit: object) -> str:
    if unit is None:
        return ""
    return unit.name_en if g.get("lang") == "en" and unit.name_en else unit.name


def _citizen() -> User:
    if not current_user.is_citizen:
        raise PermissionDeniedError(_("Trang này dành cho công dân. Cán bộ dùng trang nghiệp vụ."))
    return current_user._get_current_object()


def _track_form() -> TrackForm:
    """An empty form; only the code of the URL (Mẫu 01's QR code) is filled in, never what was posted,
    so every failed look-up gets the same page whatever was typed."""
    return TrackForm(formdata=None, data={"code": request.args.get("code", "")[:40]})


def _detail(dossier: Dossier, status: int = 200, **extra: object) -> tuple[str, int]:
    """The detail page; `extra` carries a bound form or the problems of a failed post."""
    now, procedure = utcnow(), procedure_of(dossier)
    actions = dp.ApplicantActions.of(dossier, current_user)
    rating = find_rating(dossier)
    returned = is_returned(dossier)
    if returned and is_editable(rating, now) and "rating_form" not in extra:
        extra["rating_form"] = RatingForm(formdata=None, obj=rating)
    return render_template(
        "portal/dossier.html",
        dossier=dossier,
        procedure=procedure,
        status_label=procedure.states[dossier.state].label.get(g.get("lang", "vi")),
        is_final=procedure.states[dossier.state].is_final,
        badge=dp.deadline_badge(dossier, actions, now),
        time_left=dp.time_left(dossier, now),
        timeline=dp.timeline(dossier),
        documents=[d for d in dossier.documents if not d.is_result and d.is_current],
        sources=dp.SOURCES,
        forms=list_forms(dossier.id),
        results=dp.result_documents(dossier),
        result_card=dp.result_card(dossier, procedure),
        request_event=dp.supplement_request(dossier) if actions.supply else None,
        actions=actions,
        returned=returned,
        rating=rating,
        rating_editable_until=editable_until(rating) if rating else None,
        unit_name=unit_name,
        accesses=dp.accesses(dossier, current_user),
        **extra,
    ), status


# --- my dossiers ---------------------------------------------------------------------------


@bp.get("/my/dossiers")
@login_required
def index() -> str:
    user = _citizen()
    after = request.args.get("after", type=int)
    items, cursor = list_dossiers(user, DossierFilter(after=after, limit=PAGE_SIZE))
    now = utcnow()
    rows = [dp.row(d, user, now) for d in items]
    return render_template("portal/my_dossiers.html", rows=rows, next_cursor=cursor, after=after)


@bp.get("/my/dossiers/<code>")
@login_required
def detail(code: str) -> tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    record_access(user, dossier)
    return _detail(dossier)


@bp.post("/my/dossiers/<code>/supplement")
@login_required
def supplement(code: str) -> Response | tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    uploads = [
        Upload(key=k, filename=f.filename, stream=f.stream)
        for k, f in request.files.items(multi=True)
        if f.filename
    ]
    with uow.attempt() as failed:
        supply_documents(dossier, user, uploads, request.form.get("comment", "")[:2000])
    if failed:
        flash(_(failed.error.message), "error")
        problems = failed.error.details if isinstance(failed.error.details, dict) else {}
        return _detail(
            get_dossier(code, user),
            failed.error.status,
            supplement_problems=problems,
            supplement_error=_(failed.error.message),
        )
    flash(_("Đã nộp bổ sung giấy tờ. Hồ sơ được xử lý tiếp."), "success")
    return redirect(url_for(".detail", code=code))


@bp.route("/my/dossiers/<code>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(code: str) -> Response | tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    withdrawal = dp.ApplicantActions.of(dossier, user).withdraw
    if withdrawal is None:
        raise ConflictError(_("Hồ sơ này hiện không thể rút."))
    form = WithdrawForm()
    if form.validate_on_submit():
        apply_transition(dossier, withdrawal.name, user, {"comment": form.reason.data.strip()})
        flash(_("Bạn đã rút hồ sơ %(code)s.", code=code), "success")
        return redirect(url_for(".detail", code=code))
    procedure_name = procedure_of(dossier).name.get(g.get("lang", "vi"))
    return render_template(
        "portal/withdraw.html", dossier=dossier, procedure_name=procedure_name, form=form
    ), (400 if form.errors else 200)


@bp.get("/my/dossiers/<code>/result/<int:document_id>")
@login_required
def result(code: str, document_id: int) -> Response:
    """The electronic result, for the owner only (staff download through the API)."""
    user = _citizen()
    dossier = get_dossier(code, user)
    document = get_document(dossier, document_id)
    if dossier.applicant_id != user.id or document not in dp.result_documents(dossier):
        raise NotFoundError(_("Không tìm thấy kết quả này"))
    record_access(user, dossier, document=document)
    return download_response(
        document.storage_key, document.original_name, document.content_type, size=document.size
    )


@bp.post("/my/dossiers/<code>/rating")
@login_required
def rate(code: str) -> Response | tuple[str, int]:
    user = _citizen()
    dossier = get_dossier(code, user)
    form = RatingForm()
    if not form.validate_on_submit():
        return _detail(dossier, 400, rating_form=form)
    with uow.attempt() as failed:
        rate_dossier(dossier, user, form.values())
    if failed:
        flash(_(failed.error.message), "error")  # not the owner, not returned yet, or the 7 days are over
        return _detail(dossier, failed.error.status)
    flash(_("Cảm ơn bạn đã đánh giá!"), "success")
    return redirect(url_for(".detail", code=code, _anchor="danh-gia"))


# --- public tracking -----------------------------------------------------------------------


@bp.route("/track", methods=["GET", "POST"])
@throttle.PUBLIC_LOOKUP_LIMIT
def track() -> tuple[str, int]:
    """Anyone with the code plus the applicant's CCCD or phone sees the status, nothing more.
    Any mismatch gets one generic answer; the code may come prefilled from Mẫu 01's QR code."""
    form = TrackForm() if request.method == "POST" else _track_form()
    if not form.validate_on_submit():
        return render_template("portal/track.html", form=form), 400 if form.errors else 200
    with uow.attempt() as failed:
        dossier = track_dossier(form.code.data, form.identifier.data, request.remote_addr or "")
    if failed:
        return render_template(
            "portal/track.html", form=_track_form(), error=_(failed.error.message)
        ), failed.error.status
    if dossier is None:
        error = _("Không tìm thấy hồ sơ phù hợp với thông tin đã nhập")
        return render_template("portal/track.html", form=_track_form(), error=error), 200
    procedure = procedure_of(dossier)
    lang = g.get("lang", "vi")
    return render_template(
        "portal/tracked.html",
        dossier=dossier,
        procedure_name=procedure.name.get(lang),
        status_label=procedure.states[dossier.state].label.get(lang),
    ), 200
