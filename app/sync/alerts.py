"""Dead deliveries alert the administrators by e-mail (app.notifications rows, sent after commit).

At most one e-mail per destination per hour: a long outage turns many deliveries dead at once, and
the admin page (/admin/sync) shows every one of them anyway.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.roles import Role
from app.extensions import db
from app.sync.models import Delivery

QUIET = timedelta(hours=1)


def _recently_alerted(delivery: Delivery, now: datetime) -> bool:
    latest = db.session.scalar(
        select(func.max(Delivery.dead_at)).where(
            Delivery.destination == delivery.destination, Delivery.id != delivery.id, Delivery.state == "dead"
        )
    )
    return latest is not None and now - latest < QUIET


def alert_admins(delivery: Delivery, now: datetime) -> None:
    """Flush only; the e-mails are enqueued after the caller commits."""
    from app.notifications.services import email_staff

    if delivery.dossier_id is None or _recently_alerted(delivery, now):
        return
    admins = db.session.scalars(
        select(User).where(User.role == Role.ADMIN, User.is_active_account.is_(True), User.email.is_not(None))
    ).all()
    with force_locale("vi"):
        subject = gettext(
            "Đồng bộ: có tin không gửi được tới %(destination)s", destination=delivery.destination
        )
        body = "\n".join(
            (
                gettext("Tin %(message)s đã ngừng gửi lại sau nhiều lần lỗi.", message=delivery.message_id),
                gettext("Lỗi cuối: %(error)s", error=delivery.last_error or ""),
                gettext("Xem và gửi lại tại trang Quản trị → Đồng bộ."),
            )
        )
    email_staff([admin.email for admin in admins], subject, body, "sync_dead", delivery.dossier_id)
