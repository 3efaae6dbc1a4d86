"""Indicators API: GET /api/v1/stats/indicators (supervisors, leaders, administrators)."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.indicators.dashboard import View, dossier_page
from app.indicators.permissions import INDICATOR_ROLES
from app.indicators.presenters import api_dossier, api_procedure_rows
from app.indicators.queries import indicators_for, resolve_scope
from app.indicators.schemas import (
    ByProcedureSchema,
    ByUnitSchema,
    DossierListQuerySchema,
    DossierListSchema,
    IndicatorQuerySchema,
    IndicatorsSchema,
    TrendSchema,
)

blp = Blueprint(
    "indicators", __name__, url_prefix="/api/v1/stats", description="Chỉ số giám sát (indicators)"
)


@blp.route("/indicators", methods=["GET"])
@require_api_user(*INDICATOR_ROLES)
@blp.arguments(IndicatorQuerySchema, location="query")
@blp.response(200, IndicatorsSchema)
def indicators(args: dict) -> dict:
    """Every indicator of a unit (with its sub-units), level, procedure and period, each as a
    numerator/denominator pair. Default unit: the caller's; default period: the current month.
    403 for a unit outside the caller's subtree (administrators see all); 422 naming bad parameters."""
    return indicators_for(current_user, args)


# --- Dashboard data: the same figures as the /stats pages, for API clients ----------------------


def _view(args: dict) -> View:
    return View(resolve_scope(current_user, args))


@blp.route("/by-unit", methods=["GET"])
@require_api_user(*INDICATOR_ROLES)
@blp.arguments(IndicatorQuerySchema, location="query")
@blp.response(200, ByUnitSchema)
def by_unit(args: dict) -> dict:
    """Every indicator per active direct sub-unit of `unit` (each with its own subtree): the ranking."""
    view = _view(args)
    return {**view.scope.as_body(), "rows": view.by_unit()}


@blp.route("/by-procedure", methods=["GET"])
@require_api_user(*INDICATOR_ROLES)
@blp.arguments(IndicatorQuerySchema, location="query")
@blp.response(200, ByProcedureSchema)
def by_procedure(args: dict) -> dict:
    """Every indicator of the scope per procedure."""
    view = _view(args)
    return {**view.scope.as_body(), "rows": api_procedure_rows(view.by_procedure())}


@blp.route("/trend", methods=["GET"])
@require_api_user(*INDICATOR_ROLES)
@blp.arguments(IndicatorQuerySchema, location="query")
@blp.response(200, TrendSchema)
def trend(args: dict) -> dict:
    """Period indicators per calendar month: the last 12 months up to `to` (or the whole period if longer)."""
    view = _view(args)
    return {**view.scope.as_body(), "rows": view.trend()}


@blp.route("/dossiers", methods=["GET"])
@require_api_user(*INDICATOR_ROLES)
@blp.arguments(DossierListQuerySchema, location="query")
@blp.response(200, DossierListSchema)
def dossiers(args: dict) -> dict:
    """The dossiers counted in a metric's numerator, 50 a page, newest received first (422 for a metric
    without a dossier list)."""
    view = _view(args)
    listing = dossier_page(view, args["metric"], args["page"])
    items = [api_dossier(row) for row in listing.pop("rows")]
    return {**view.scope.as_body(), "metric": args["metric"], **listing, "items": items}
