"""The national portal's doors and the pages about them.

- `POST /api/lgsp/v1/filings` (the LGSP, signed): one envelope; 202 recorded, 200 a duplicate (the
  national code was received before: nothing new), 401 unsigned, 422 an envelope off the contract.
- `GET /api/lgsp/v1/filings/<national code>` (the LGSP, signed): where a filing stands here.
- `/work/national/held` (reception officers of the provincial centre, administrators): filings whose
  procedure the map cannot tell, and naming it.
- `/admin/sync/national` (administrators): every filing and its state, retrying, the catalogue
  export for the national procedure database and its comparison.
"""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth.guards import require_admin_page
from app.core import uow
from app.core.db import utcnow
from app.core.errors import PermissionDeniedError, ValidationError
from app.core.time import to_local
from app.inbound import presenters, receiving
from app.inbound.permissions import can_resolve
from app.national import catalogue, inbound, queries, transport
from app.procedures import get_registry

api_bp = Blueprint("national_lgsp", __name__, url_prefix="/api/lgsp/v1")
work_bp = Blueprint("national_pages", __name__, url_prefix="/work/national")
admin_bp = Blueprint("national_admin", __name__, url_prefix="/admin/sync/national")
admin_bp.before_request(require_admin_page)
MAX_LIST_BYTES = 5 * 1024 * 1024


def _answer(filing, duplicate: bool) -> dict:  # noqa: ANN001
    return {
        "MaHoSo": filing.national_code,
        "KetQua": "TrungLap" if duplicate else "DaTiepNhan",
        "TrangThai": filing.state,
        "MaHoSoDiaPhuong": filing.dossier.code if filing.dossier else None,
        "LyDo": filing.reason,
    }


@api_bp.post("/filings")
def push() -> tuple[Response, int]:
    body = request.get_data(cache=True)
    transport.verify_push(request.headers, body)
    try:
        recorded = receiving.record_envelope(json.loads(body), transport.PUSH)
    except ValueError as exc:  # not JSON, or off the contract (inbound.InboundError)
        fields = exc.fields if isinstance(exc, inbound.InboundError) else {"body": "not JSON"}
        raise ValidationError("Hồ sơ không đúng khuôn dạng liên thông", fields) from exc
    return jsonify(_answer(recorded.filing, recorded.is_duplicate)), 200 if recorded.is_duplicate else 202


@api_bp.get("/filings/<code>")
def filing_status(code: str) -> Response:
    transport.verify_push(request.headers, b"")
    filing = queries.find_filing_by_code(code)
    if filing is None:
        abort(404)
    return jsonify(_answer(filing, False) | {"KetQua": None})


# --- the provincial centre: held filings ---------------------------------------------------------


def _resolver() -> None:
    if not can_resolve(current_user):
        raise PermissionDeniedError(
            _("Trang này dành cho cán bộ tiếp nhận của Trung tâm Phục vụ hành chính công tỉnh.")
        )


def _online_procedures() -> list:
    today = to_local(utcnow()).date()
    return [p for p in get_registry().list_current(today) if "online" in p.channels]


@work_bp.get("/held")
@login_required
def held() -> str:
    _resolver()
    return render_template(
        "inbound/held.html", filings=queries.list_held(), procedures=_online_procedures(), p=presenters
    )


@work_bp.post("/held/<int:filing_id>")
@login_required
def name_procedure(filing_id: int) -> Response:
    _resolver()
    filing = queries.get_filing(filing_id)
    with uow.attempt() as failed:
        receiving.name_procedure(filing, current_user, (request.form.get("procedure") or "").strip())
    if failed:
        flash(_(failed.error.message), "error")
    else:
        flash(
            _("Đã xác định thủ tục; hồ sơ %(code)s đang được tiếp nhận.", code=filing.national_code),
            "success",
        )
    return redirect(url_for(".held"))


# --- administrators: every filing, the catalogue ---------------------------------------------------


@admin_bp.get("")
def overview() -> str:
    state = request.args.get("state") or None
    code = (request.args.get("code") or "").strip()
    return render_template(
        "inbound/overview.html",
        section="sync",
        sync_tab="national",
        counts=queries.state_counts(),
        rows=queries.list_filings(state=state, code=code),
        state=state,
        code=code,
        transports=sorted(transport.transports()),
        p=presenters,
        report=None,
    )


@admin_bp.post("/<int:filing_id>/retry")
def retry(filing_id: int) -> Response:
    filing = queries.get_filing(filing_id)
    with uow.attempt() as failed:
        receiving.retry_filing(filing)
    flash(
        _(failed.error.message) if failed else _("Đã gửi lại để tiếp nhận."), "error" if failed else "success"
    )
    return redirect(url_for(".overview"))


def _today() -> date:
    return to_local(utcnow()).date()


@admin_bp.get("/catalogue.json")
def catalogue_json() -> Response:
    text = catalogue.export_json(_today(), presenters.province_code())
    return _download(text, "application/json", "json")


@admin_bp.get("/catalogue.csv")
def catalogue_csv() -> Response:
    return _download(catalogue.export_csv(_today()), "text/csv", "csv")


def _download(text: str, mimetype: str, extension: str) -> Response:
    response = Response(text, mimetype=f"{mimetype}; charset=utf-8")
    name = f"danh-muc-tthc-{_today():%Y%m%d}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@admin_bp.post("/catalogue/compare")
def compare() -> tuple[str, int]:
    upload = request.files.get("national_list")
    report, status = None, 200
    try:
        if upload is None or not upload.filename:
            raise catalogue.CatalogueFileError(_("Chọn tệp danh mục tải từ Cơ sở dữ liệu quốc gia về TTHC"))
        content = upload.read(MAX_LIST_BYTES + 1)
        if len(content) > MAX_LIST_BYTES:
            raise catalogue.CatalogueFileError(_("Tệp danh mục lớn hơn 5 MB"))
        rows = catalogue.read_national_list(content, upload.filename)
        report = catalogue.compare(rows, _today())
    except catalogue.CatalogueFileError as exc:
        flash(str(exc), "error")
        status = 422
    page = render_template(
        "inbound/overview.html",
        section="sync",
        sync_tab="national",
        counts=queries.state_counts(),
        rows=queries.list_filings(),
        state=None,
        code="",
        transports=sorted(transport.transports()),
        p=presenters,
        report=report,
    )
    return page, status
