"""Labels and small formatting for the sync pages (Vietnamese msgids, English in sync.po)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.sync.models import NATIONAL

DOSSIER_STATUS_LABELS = {
    "synced": _l("Đã đồng bộ"),
    "pending": _l("Đang chờ gửi"),
    "failing": _l("Đang lỗi, sẽ gửi lại"),
    "dead": _l("Ngừng gửi, cần gửi lại"),
}
DOSSIER_STATUS_BADGES = {"synced": "ok", "pending": "warn", "failing": "warn", "dead": "bad"}
STATE_LABELS = {
    "pending": _l("Chờ gửi"),
    "in_flight": _l("Đang gửi"),
    "delivered": _l("Đã gửi"),
    "dead": _l("Ngừng gửi"),
}


def destination_label(destination: str, names: dict[str, str] | None = None) -> str:
    if destination == NATIONAL:
        return _("Cổng DVC quốc gia")
    return (names or {}).get(destination) or _("Hệ thống nhận tin #%(id)s", id=destination.split(":", 1)[-1])


def age_text(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return _("%(n)s phút", n=minutes)
    if minutes < 48 * 60:
        return _("%(h)s giờ %(m)s phút", h=minutes // 60, m=minutes % 60)
    return _("%(d)s ngày %(h)s giờ", d=minutes // 1440, h=minutes % 1440 // 60)
