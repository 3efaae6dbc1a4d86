"""The page /reports, "Báo cáo định kỳ": monthly reports of the user's unit and its sub-units (filter
by unit and month), their status (a "đang tạo…" row refreshes itself), download, and for leaders,
supervisors and admins a form to ask for a past month's report and one for the running month to
date (POST /reports/month-to-date)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.guards import staff_required
from app.core import uow
from app.core.errors import ValidationError
from app.reports.forms import MonthToDateForm, ReportRequestForm
from app.reports.models import MonthlyReport
from app.reports.permissions import can_request_reports, require_request_role
from app.reports.services import (
    get_report,
    list_report_units,
    list_reports,
    parse_month,
    previous_month,
    request_month_to_date_report,
    request_report,
)
from app.storage import download_response

bp = Blueprint("reports_pages", __name__)


def _form() -> ReportRequestForm:
    return ReportRequestForm(list_report_units(current_user), previous_month(), current_user.unit_id)


def _to_date_form() -> MonthToDateForm:
    return MonthToDateForm(list_report_units(current_user), current_user.unit_id)


def _page(
    form: ReportRequestForm, to_date: MonthToDateForm | None = None, status: int = 200
) -> tuple[str, int]:
    """The list, filtered by ?unit=<id>&month=YYYY-MM (a unit outside the user's is 404)."""
    unit_id, month = request.args.get("unit", type=int), request.args.get("month", "").strip()
    reports = list_reports(current_user, unit_id, parse_month(month) if month else None)
    may_ask = can_request_reports(current_user)
    return render_template(
        "reports/index.html",
        form=form if may_ask else None,
        to_date_form=(to_date or _to_date_form()) if may_ask else None,
        reports=reports,
        units=form.unit.choices,
        chosen=(unit_id, month),
    ), status


def _flash_asked(report: MonthlyReport, queued: bool) -> Response:
    label = report.month_label
    if report.is_month_to_date:
        label = _("%(month)s đến ngày %(day)s", month=label, day=f"{report.as_of:%d/%m/%Y}")
    if queued:
        flash(_("Đang tạo báo cáo tháng %(month)s.", month=label), "success")
    else:
        flash(_("Báo cáo tháng %(month)s đã có.", month=label), "info")
    return redirect(url_for(".index", unit=report.unit_id, month=f"{report.month:%Y-%m}"))


@bp.get("/reports")
@staff_required
def index() -> tuple[str, int]:
    return _page(_form())


@bp.post("/reports")
@staff_required
def ask() -> Response | tuple[str, int]:
    require_request_role(current_user)
    form = _form()
    if form.validate_on_submit():
        with uow.attempt(ValidationError) as failed:
            report, queued = request_report(current_user, form.unit.data, form.month_value)
        if failed:  # the month: shown beside the field, like the form's own checks
            form.month.errors = [*form.month.errors, failed.error.message]
        else:
            return _flash_asked(report, queued)
    return _page(form, status=422)


@bp.post("/reports/month-to-date")
@staff_required
def ask_month_to_date() -> Response | tuple[str, int]:
    require_request_role(current_user)
    to_date = _to_date_form()
    if to_date.validate_on_submit():
        report, queued = request_month_to_date_report(current_user, to_date.unit.data)
        return _flash_asked(report, queued)
    return _page(_form(), to_date, 422)


@bp.get("/reports/<int:report_id>/download")
@staff_required
def download(report_id: int) -> Response:
    report = get_report(current_user, report_id)
    if not report.is_ready:
        return redirect(url_for(".index"))
    return download_response(report.storage_key, report.filename(), "application/pdf", size=report.size)
