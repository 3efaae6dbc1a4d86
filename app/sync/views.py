"""Admin pages for delivery (/admin/sync, admin role only): counts per destination and state,
the oldest undelivered message, per-dossier sync status, replay of dead deliveries, and webhook
subscribers with their delivery log."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.auth.guards import require_admin_page
from app.core import uow
from app.core.db import utcnow
from app.core.web import local_url
from app.sync import national_client, presenters, queries
from app.sync.forms import TOPIC_LABELS, SubscriberForm
from app.sync.services import replay
from app.sync.subscribers import (
    create_subscriber,
    delete_subscriber,
    rotate_secret,
    set_paused,
    update_subscriber,
)

bp = Blueprint("sync_pages", __name__, url_prefix="/admin/sync")


bp.before_request(require_admin_page)


@bp.get("")
def overview() -> str:
    code = (request.args.get("code") or "").strip()
    status = request.args.get("status") or None
    status = status if status in queries.DOSSIER_STATUSES else None
    return render_template(
        "sync/overview.html",
        section="sync",
        national_enabled=national_client.is_enabled(),
        destinations=queries.destination_counts(),
        names=queries.destination_names(),
        p=presenters,
        oldest=queries.oldest_undelivered_at(),
        now=utcnow(),
        rows=queries.list_dossier_sync(code=code, status=status),
        code=code,
        status=status,
        statuses=queries.DOSSIER_STATUSES,
    )


@bp.post("/replay")
def replay_dead() -> Response:
    ids = [int(i) for i in request.form.getlist("delivery_id") if i.isdigit()]
    count = replay(ids or None) if ids or request.form.get("all") == "1" else 0
    flash(_("Đã gửi lại %(count)s tin.", count=count), "success")
    return redirect(local_url(request.form.get("next"), url_for(".overview")))


@bp.get("/subscribers")
def subscribers() -> str:
    rows = [(s, queries.subscriber_counts(s.id)) for s in queries.list_subscribers()]
    return render_template(
        "sync/subscribers.html", section="sync", rows=rows, topic_labels=TOPIC_LABELS, p=presenters
    )


def _save(form: SubscriberForm, subscriber=None):  # noqa: ANN001, ANN202
    with uow.attempt() as failed:
        if subscriber is None:
            return create_subscriber(form.name.data, form.url.data, form.event_types.data or [])
        update_subscriber(subscriber, form.name.data, form.url.data, form.event_types.data or [])
        return subscriber, None
    if failed:
        for key, message in (failed.error.details or {}).items():
            getattr(form, key).errors = [*getattr(form, key).errors, _(message)]
        flash(_(failed.error.message), "error")
        return None


@bp.route("/subscribers/new", methods=["GET", "POST"])
def new_subscriber() -> Response | tuple[str, int]:
    form = SubscriberForm(event_types=list(TOPIC_LABELS))
    if form.validate_on_submit() and (saved := _save(form)):
        return _secret_page(*saved)
    return render_template("sync/subscriber_new.html", section="sync", form=form), 400 if form.errors else 200


@bp.route("/subscribers/<int:subscriber_id>", methods=["GET", "POST"])
def edit_subscriber(subscriber_id: int) -> str | Response | tuple[str, int]:
    subscriber = queries.get_subscriber(subscriber_id)
    form = SubscriberForm(name=subscriber.name, url=subscriber.url, event_types=subscriber.topics)
    if form.validate_on_submit() and _save(form, subscriber):
        flash(_("Đã lưu thay đổi."), "success")
        return redirect(url_for(".edit_subscriber", subscriber_id=subscriber.id))
    return render_template(
        "sync/subscriber_edit.html",
        section="sync",
        form=form,
        subscriber=subscriber,
        counts=queries.subscriber_counts(subscriber.id),
        log=queries.subscriber_log(subscriber.id),
        p=presenters,
    ), 400 if form.errors else 200


@bp.post("/subscribers/<int:subscriber_id>/paused")
def pause_subscriber(subscriber_id: int) -> Response:
    subscriber = queries.get_subscriber(subscriber_id)
    paused = request.form.get("paused") == "1"
    set_paused(subscriber, paused)
    flash(_("Đã tạm dừng gửi tin.") if paused else _("Đã tiếp tục gửi tin, kể cả các tin bị lỡ."), "success")
    return redirect(url_for(".edit_subscriber", subscriber_id=subscriber_id))


@bp.post("/subscribers/<int:subscriber_id>/secret")
def new_secret(subscriber_id: int) -> Response:
    subscriber = queries.get_subscriber(subscriber_id)
    return _secret_page(subscriber, rotate_secret(subscriber))


def _secret_page(subscriber, secret: str) -> Response:  # noqa: ANN001
    """The only page that ever shows the secret: never cached."""
    response = make_response(
        render_template("sync/secret.html", section="sync", subscriber=subscriber, secret=secret)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/subscribers/<int:subscriber_id>/delete")
def remove_subscriber(subscriber_id: int) -> Response:
    delete_subscriber(queries.get_subscriber(subscriber_id))
    flash(_("Đã xoá đơn vị nhận tin."), "success")
    return redirect(url_for(".subscribers"))
