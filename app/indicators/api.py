"""Indicators API: GET /api/v1/stats/indicators (supervisors, leaders, administrators)."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.indicators.queries import indicators_for
from app.indicators.schemas import IndicatorQuerySchema, IndicatorsSchema

blp = Blueprint(
    "indicators", __name__, url_prefix="/api/v1/stats", description="Chỉ số giám sát (indicators)"
)


@blp.route("/indicators", methods=["GET"])
@require_api_user("supervisor", "admin", "leader")
@blp.arguments(IndicatorQuerySchema, location="query")
@blp.response(200, IndicatorsSchema)
def indicators(args: dict) -> dict:
    """Every indicator of a unit (with its sub-units), level, procedure and period, each as a
    numerator/denominator pair. Default unit: the caller's; default period: the current month.
    403 for a unit outside the caller's subtree (administrators see all); 422 naming bad parameters."""
    return indicators_for(current_user, args)
