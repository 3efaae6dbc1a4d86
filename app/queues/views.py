"""Officer pages: /work sends each officer to their queue; /work/queues/<kind> is the queue itself.
Views parse the query string, call list_queue, render."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from werkzeug.wrappers import Response

from app.procedures import get_registry
from app.procedures.definitions import DOSSIER_CHANNELS
from app.queues.permissions import can_work_queues
from app.queues.presenters import KIND_LABELS, DurationWords, channel_labels, state_choices
from app.queues.queries import KINDS, PAGE_SIZE, encode_cursor, list_queue
from app.queues.schemas import QueueQuerySchema, filters_from

bp = Blueprint("queues_pages", __name__, url_prefix="/work")


def officer_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Signed-in reception officers, specialists and leaders; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not can_work_queues(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _parse(raw: dict[str, str]) -> tuple[dict, dict]:
    """Query-string filters; bad ones are reported on the page and the queue shows unfiltered."""
    try:
        return QueueQuerySchema().load(raw), {}
    except ValidationError as exc:
        return {"limit": PAGE_SIZE}, exc.messages


@bp.get("")
@officer_required
def index() -> Response:
    return redirect(url_for("queues_pages.queue", kind=current_user.role))


@bp.get(f"/queues/<any({', '.join(KINDS)}):kind>")
@officer_required
def queue(kind: str) -> tuple[str, int]:
    raw = {k: v for k, v in request.args.items() if v and k != "lang"}
    args, errors = _parse(raw)
    lang = g.get("lang", "vi")
    filters = filters_from(args, current_user.id)
    rows, cursor = list_queue(current_user, kind, filters, args.get("after"), args["limit"], lang)
    first_args = {k: v for k, v in raw.items() if k != "after"}
    html = render_template(
        "queues/queue.html",
        kind=kind,
        kinds=[(k, KIND_LABELS[k]) for k in KINDS],
        rows=rows,
        raw=raw,
        errors=errors,
        first_args=first_args,
        next_args=first_args | {"after": encode_cursor(cursor)} if cursor else None,
        procedures=get_registry().list_current(),
        channels=DOSSIER_CHANNELS,
        states=state_choices(kind, lang),
        has_filters=bool(set(raw) - {"q", "after", "limit"}),
        channel_labels=channel_labels(),
        duration_text=DurationWords().text,
    )
    return html, 422 if errors else 200
