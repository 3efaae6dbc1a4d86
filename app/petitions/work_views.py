"""Officers' pages: the unit's petition queue (open ones overdue first, or the answered ones), one
petition with its answer and forwarding forms. Supervisors above the unit and administrators may
read a petition; only officers of the unit holding it answer or forward it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.core import uow
from app.core.errors import PermissionDeniedError
from app.org.queries import list_units
from app.petitions.forms import PUBLIC, AnswerForm, ForwardForm
from app.petitions.models import Petition
from app.petitions.permissions import can_handle, can_work_petitions, require_handle, require_view_as_staff
from app.petitions.presenters import unit_label
from app.petitions.queries import QUEUE_VIEWS, count_queue, get_petition, list_queue
from app.petitions.services import answer_petition, forward_petition
from app.petitions.views import show_problems

bp = Blueprint("petitions_work", __name__, url_prefix="/work/petitions")


def officer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not can_work_petitions(current_user):
            raise PermissionDeniedError(
                _("Trang này dành cho cán bộ một cửa, chuyên viên và lãnh đạo đơn vị.")
            )
        return view(*args, **kwargs)

    return wrapper


@bp.get("")
@officer_required
def queue() -> str:
    view = request.args.get("view") if request.args.get("view") in QUEUE_VIEWS else "open"
    page = list_queue(current_user.unit_id, view, request.args.get("page", 1, type=int) or 1)
    open_count, overdue = count_queue(current_user.unit_id)
    return render_template(
        "petitions/queue.html", page=page, view=view, open_count=open_count, overdue=overdue
    )


def _forward_choices(petition: Petition) -> list[tuple[str, str]]:
    units = [u for u in list_units() if u.is_active and u.id != petition.unit_id]
    return [("", _("— Chọn đơn vị —"))] + [(u.code, f"{unit_label(u)} ({u.code})") for u in units]


def _detail(petition: Petition, status: int = 200, **forms: Any) -> tuple[str, int]:
    handle = can_handle(current_user, petition) and not petition.is_answered
    if handle:
        forms.setdefault("answer_form", AnswerForm(formdata=None))
        forms.setdefault("forward_form", ForwardForm(formdata=None))
        forms["forward_form"].unit_code.choices = _forward_choices(petition)
    return render_template("petitions/work_detail.html", petition=petition, handle=handle, **forms), status


def _staff_petition(petition_id: int, *, to_handle: bool = False) -> Petition:
    """404 for a petition the caller may not read; with `to_handle`, 403 unless they may answer it."""
    petition = get_petition(petition_id)
    require_view_as_staff(current_user, petition)
    if to_handle:
        require_handle(current_user, petition)
    return petition


@bp.get("/<int:petition_id>")
@login_required
def detail(petition_id: int) -> tuple[str, int]:
    return _detail(_staff_petition(petition_id))


@bp.post("/<int:petition_id>/answer")
@login_required
def answer(petition_id: int) -> Response | tuple[str, int]:
    petition = _staff_petition(petition_id, to_handle=True)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail(petition, 422, answer_form=form)
    public = form.visibility.data == PUBLIC
    with uow.attempt() as failed:
        answer_petition(
            petition,
            current_user,
            form.answer.data,
            is_public=public,
            public_summary=form.public_summary.data,
        )
    if failed:
        show_problems(form, failed.error)
        return _detail(get_petition(petition_id), failed.error.status, answer_form=form)
    flash(_("Đã trả lời phản ánh, kiến nghị %(code)s.", code=petition.code), "success")
    return redirect(url_for(".detail", petition_id=petition_id))


@bp.post("/<int:petition_id>/forward")
@login_required
def forward(petition_id: int) -> Response | tuple[str, int]:
    petition = _staff_petition(petition_id, to_handle=True)
    form = ForwardForm()
    form.unit_code.choices = _forward_choices(petition)
    if not form.validate_on_submit():
        return _detail(petition, 422, forward_form=form)
    with uow.attempt() as failed:
        forward_petition(petition, current_user, form.unit_code.data, form.note.data or "")
    if failed:
        show_problems(form, failed.error)
        return _detail(get_petition(petition_id), failed.error.status, forward_form=form)
    flash(_("Đã chuyển phản ánh, kiến nghị %(code)s.", code=petition.code), "success")
    return redirect(url_for(".queue"))
