"""Pages: download an issued form (the dossier pages link here once a form is ready), ask for the
control sheet of a dossier, and the tracking books of a unit with their progress. Pages name each
form with its number in its own set (the set in force for a new book)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.audit.services import record_access
from app.auth.guards import staff_required
from app.core import uow
from app.core.db import utcnow
from app.core.errors import ValidationError
from app.core.time import to_local
from app.core.web import local_url
from app.dossiers.queries import get_dossier
from app.official_forms.catalog import form_set_on
from app.official_forms.forms import TrackingBookForm
from app.official_forms.permissions import list_tracking_book_units
from app.official_forms.queries import get_ready_form, get_tracking_book, list_tracking_books
from app.official_forms.services import issue_control_form
from app.official_forms.tracking import request_tracking_book
from app.storage import download_response

bp = Blueprint("official_forms_pages", __name__)


def _back_to(fallback: str) -> str:
    """The local page to return to: `next` from the form, else the referring page of this site."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host:  # the page this request came from, as a path
        referrer = referrer._replace(scheme="", netloc="")
    for candidate in (request.form.get("next"), referrer.geturl()):
        target = local_url(candidate, "")
        if target:
            return target
    return fallback


@bp.get("/dossiers/<code>/forms/<int:form_id>")
@login_required
def download(code: str, form_id: int) -> Response:
    dossier = get_dossier(code, current_user)
    issued = get_ready_form(dossier.id, form_id)
    record_access(current_user, dossier, form_id=issued.id, form_name=issued.filename(code))
    return download_response(issued.storage_key, issued.filename(code), "application/pdf", size=issued.size)


@bp.post("/work/dossiers/<code>/forms/mau-05")
@staff_required
def issue_mau_05(code: str) -> Response:
    """The control slip as things stand now; back to the page the button was on, where list_forms
    shows it."""
    issued = issue_control_form(get_dossier(code, current_user), current_user)
    if issued.is_ready:
        flash(_("Đã lập %(form)s.", form=issued.label), "success")
    else:
        flash(_("Đang lập %(form)s; bản PDF sẽ có trong giây lát.", form=issued.label), "info")
    fallback = url_for(".download", code=code, form_id=issued.id) if issued.is_ready else "/"
    return redirect(_back_to(fallback))


@bp.route("/work/reports/tracking-book", methods=["GET", "POST"])
@staff_required
def tracking_books() -> Response | tuple[str, int]:
    units, today = list_tracking_book_units(current_user), to_local(utcnow()).date()
    form = TrackingBookForm(units, today, current_user.unit_id)
    if form.validate_on_submit():
        with uow.attempt(ValidationError) as failed:
            book = request_tracking_book(current_user, form.unit.data, form.date_from.data, form.date_to.data)
            return redirect(url_for(".tracking_book", book_id=book.id))
        if failed:  # the period: shown beside the field, like the form's own checks
            form.date_to.errors = [*form.date_to.errors, failed.error.message]
    status = 422 if form.errors else 200
    books, kind = list_tracking_books(current_user), form_set_on(today).tracking_book
    return render_template("official_forms/tracking_books.html", form=form, books=books, kind=kind), status


@bp.get("/work/reports/tracking-book/<int:book_id>")
@staff_required
def tracking_book(book_id: int) -> str:
    return render_template("official_forms/tracking_book.html", book=get_tracking_book(book_id, current_user))


@bp.get("/work/reports/tracking-book/<int:book_id>/status")
@staff_required
def tracking_book_status(book_id: int) -> Response:
    """Polled by the progress page every second: {status, progress, row_count, download_url}."""
    book = get_tracking_book(book_id, current_user)
    url = url_for(".tracking_book_download", book_id=book.id) if book.is_ready else None
    return jsonify(status=book.status, progress=book.progress, row_count=book.row_count, download_url=url)


@bp.get("/work/reports/tracking-book/<int:book_id>/download")
@staff_required
def tracking_book_download(book_id: int) -> Response:
    book = get_tracking_book(book_id, current_user)
    if not book.is_ready:
        return redirect(url_for(".tracking_book", book_id=book.id))
    return download_response(book.storage_key, book.filename(), "application/pdf", size=book.size)
