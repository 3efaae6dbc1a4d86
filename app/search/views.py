"""The staff search page /work/search, "Tra cứu hồ sơ": the same search as the API. The view parses
the query string, calls search_dossiers, renders."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext
from flask_login import current_user
from marshmallow import ValidationError

from app.auth.guards import staff_required
from app.core.cursors import encode_cursor
from app.procedures import get_registry
from app.search.queries import PAGE_SIZE, search_dossiers
from app.search.schemas import SearchQuerySchema, filters_from

bp = Blueprint("search_pages", __name__, url_prefix="/work")


def _procedures(lang: str) -> list[tuple[str, str]]:
    """(code, name) of every procedure the registry knows, its latest version's name: old dossiers
    follow versions no longer in force."""
    latest = {proc.code: proc for proc in get_registry().all()}
    return [(code, proc.name.get(lang)) for code, proc in sorted(latest.items())]


@bp.get("/search")
@staff_required
def search() -> tuple[str, int]:
    raw = {k: v for k, v in request.args.items() if v and k != "lang"}
    try:
        args, errors = SearchQuerySchema().load(raw), {}
    except ValidationError as exc:  # shown on the page; the search runs without filters
        args, errors = {"limit": PAGE_SIZE}, exc.messages
    lang = g.get("lang", "vi")
    filters = filters_from(args)
    rows, cursor = search_dossiers(current_user, filters, args.get("after"), args["limit"], lang)
    first_args = {k: v for k, v in raw.items() if k != "after"}
    html = render_template(
        "search/search.html",
        rows=rows,
        raw=raw,
        errors=errors,
        filtered=not filters.is_empty,
        first_args=first_args,
        next_args=first_args | {"after": encode_cursor(cursor)} if cursor else None,
        procedures=_procedures(lang),
        returned_at=gettext("Trả kết quả lúc %(at)s"),  # formatted per row by the template
    )
    return html, 422 if errors else 200
