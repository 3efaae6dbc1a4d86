from flask_smorest import Blueprint

from app.org.models import Unit
from app.org.queries import list_units
from app.org.schemas import UnitSchema

blp = Blueprint("units", __name__, url_prefix="/api/v1/units", description="Đơn vị (org units)")


@blp.route("")
@blp.response(200, UnitSchema(many=True))
def units_index() -> list[Unit]:
    """List every unit with its level, kind and agency identity code."""
    return list_units()
