"""Supervisor dashboard pages: /stats (overview, charts, ranking, trend), the dossiers
behind a number (/stats/dossiers) and exports of every view. Supervisors, leaders and administrators;
scoped like the API (own subtree, administrators everything). Every view is a link: all choices are
in the query string."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError as SchemaError

from app.core.errors import ValidationError
from app.indicators import dashboard as d
from app.indicators import exports, metrics
from app.indicators import presenters as p
from app.indicators.permissions import can_see_indicators
from app.indicators.queries import resolve_scope
from app.indicators.schemas import IndicatorQuerySchema

bp = Blueprint("indicators_pages", __name__, url_prefix="/stats")
VIEWS = ("overview", "units", "procedures", "trend", "dossiers")


def _invalid(details: dict) -> ValidationError:
    text = "; ".join(f"{k}: {' '.join(v) if isinstance(v, list) else v}" for k, v in details.items())
    return ValidationError(_("Tham số không hợp lệ") + f" — {text}", details)


def current_view() -> d.View:
    """The signed-in supervisor's view of the requested scope (403 outside their subtree, 422 bad input)."""
    if not can_see_indicators(current_user):
        abort(403)
    keys = ("unit", "level", "procedure", "from", "to", "basis", "structure")
    try:
        args = IndicatorQuerySchema().load({k: v for k in keys if (v := request.args.get(k))})
        return d.View(resolve_scope(current_user, args))
    except SchemaError as exc:
        raise _invalid(exc.messages) from exc
    except ValidationError as exc:
        if isinstance(exc.details, dict):
            raise _invalid(exc.details) from exc
        raise


def _breakdown(view: d.View) -> str:
    choice = request.args.get("breakdown")
    if choice not in (None, "", "unit", "procedure"):
        raise _invalid({"breakdown": _("Chọn 'unit' hoặc 'procedure'")})
    return choice or ("unit" if view.children else "procedure")


def _page_data(view: d.View) -> dict:
    overview = view.overview()
    breakdown = _breakdown(view)
    units = p.unit_rows(view, view.by_unit()) if breakdown == "unit" else None
    procedures = p.procedure_rows(view, view.by_procedure()) if breakdown == "procedure" else None
    trend = p.trend_rows(view, view.trend())
    return {"m": overview, "breakdown": breakdown, "units": units, "procedures": procedures, "trend": trend}


@bp.get("")
@login_required
def dashboard() -> str:
    view = current_view()
    data = _page_data(view)
    return render_template(
        "indicators/dashboard.html",
        view=view,
        d=d,
        p=p,
        root=current_user.unit,
        drillable=metrics.DRILLABLE_METRICS,
        **data,
    )


@bp.get("/charts.json")
@login_required
def charts() -> Response:
    """The charts' data for the page's scripts (session sign-in; bearer clients use /api/v1/stats/...)."""
    view = current_view()
    data = _page_data(view)
    return jsonify(p.chart_data(data["m"], data["units"], data["procedures"], data["trend"]))


def _metric() -> str:
    metric = request.args.get("metric", "")
    if metric not in metrics.DRILLABLE_METRICS:
        raise _invalid({"metric": _("Chỉ số '%(metric)s' không xem được danh sách hồ sơ", metric=metric)})
    return metric


@bp.get("/dossiers")
@login_required
def dossiers() -> str:
    view, metric = current_view(), _metric()
    page = request.args.get("page", 1, type=int)
    if page < 1:
        raise _invalid({"page": _("Trang phải từ 1 trở lên")})
    listing = d.dossier_page(view, metric, page)
    return render_template(
        "indicators/dossiers.html", view=view, d=d, p=p, metric=metric, root=current_user.unit, **listing
    )


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str) -> Response:
    if fmt not in exports.FORMATS:
        abort(404)
    view, kind = current_view(), request.args.get("view", "overview")
    if kind not in VIEWS:
        raise _invalid({"view": _("Chọn một trong: %(views)s", views=", ".join(VIEWS))})
    body, mimetype, filename = exports.render(_table(view, kind), fmt, _csv_variant())
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _csv_variant() -> str:
    """`sep=semicolon`: the CSV that Excel set to Vietnamese opens into columns (default `comma`)."""
    choice = request.args.get("sep") or "comma"
    if choice not in exports.CSV_VARIANTS:
        raise _invalid({"sep": _("Chọn 'comma' hoặc 'semicolon'")})
    return choice


def _table(view: d.View, kind: str) -> exports.Table:
    if kind == "overview":
        return exports.overview_table(view, view.overview())
    if kind == "units":
        return exports.units_table(view, p.unit_rows(view, view.by_unit()))
    if kind == "procedures":
        return exports.procedures_table(view, p.procedure_rows(view, view.by_procedure()))
    if kind == "trend":
        return exports.trend_table(view, p.trend_rows(view, view.trend()))
    metric = _metric()
    return exports.dossiers_table(view, metric, d.all_dossiers(view, metric))
