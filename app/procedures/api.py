"""Public, read-only procedure catalogue: `/api/v1/procedures`. No authentication."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.core.errors import ErrorSchema
from app.procedures import queries
from app.procedures.definitions import Procedure
from app.procedures.schemas import (
    ProcedureDetailSchema,
    ProcedureListQuerySchema,
    ProcedureSummarySchema,
    ProcedureVersionQuerySchema,
)

blp = Blueprint(
    "procedures",
    __name__,
    url_prefix="/api/v1/procedures",
    description="Thủ tục hành chính: procedures currently in effect and their full definitions",
)


@blp.route("")
@blp.arguments(ProcedureListQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ProcedureSummarySchema(many=True))
def list_procedures(q: str | None, level: str | None, field: str | None) -> list[Procedure]:
    """Procedures in effect today; `q` ignores diacritics: "khai sinh" finds "Đăng ký khai sinh"."""
    return queries.list_procedures(q=q, level=level, field=field)


@blp.route("/<code>")
@blp.arguments(ProcedureVersionQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ProcedureDetailSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Unknown procedure code or version")
def get_procedure(code: str, version: int | None) -> Procedure:
    """The version in effect today (or `?version=N`): documents, form, states, transitions."""
    return queries.get_procedure(code, version)
