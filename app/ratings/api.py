"""Rating API for integrations (e.g. a national portal or a kiosk)."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import Blueprint

from app.auth.permissions import require_api_user
from app.core.errors import ErrorSchema
from app.dossiers.queries import DOSSIER_NOT_FOUND, get_dossier
from app.ratings.models import Rating
from app.ratings.queries import get_rating
from app.ratings.schemas import RatingInputSchema, RatingSchema
from app.ratings.services import rate_dossier

blp = Blueprint(
    "ratings", __name__, url_prefix="/api/v1/dossiers", description="Đánh giá mức độ hài lòng (ratings)"
)


@blp.route("/<code>/rating", methods=["GET"])
@require_api_user()
@blp.response(200, RatingSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such dossier the caller may see, or no rating yet")
def show(code: str) -> Rating:
    """The dossier's rating; 404 if it has none yet (or the dossier is not visible)."""
    return get_rating(get_dossier(code, current_user))


@blp.route("/<code>/rating", methods=["PUT"])
@require_api_user()
@blp.arguments(RatingInputSchema)
@blp.response(200, RatingSchema)
@blp.alt_response(404, schema=ErrorSchema, description=DOSSIER_NOT_FOUND)
@blp.alt_response(
    409, schema=ErrorSchema, description="Not rateable now: no result returned yet, or the 7 days are over"
)
def put(body: dict, code: str) -> Rating:
    """Rate (owner only, after the result is returned) or change the rating within 7 days."""
    return rate_dossier(get_dossier(code, current_user), current_user, body)
