"""Labels of the results pages (Vietnamese msgids, English in results.po)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.results.models import SIGNED_HERE, SIGNED_UPLOAD

ORIGIN_LABELS = {
    SIGNED_HERE: _l("Ký số khi phê duyệt trên hệ thống"),
    SIGNED_UPLOAD: _l("Tệp đã ký số của cơ quan, được kiểm tra khi tải lên"),
}
PUSH_STATE_LABELS = {
    "pending": _l("Chờ gửi"),
    "in_flight": _l("Đang gửi"),
    "delivered": _l("Đã đưa vào kho"),
    "dead": _l("Ngừng gửi, cần gửi lại"),
}
PUSH_STATE_BADGES = {"pending": "warn", "in_flight": "warn", "delivered": "ok", "dead": "bad"}


def short_hash(sha256: str) -> str:
    """The digest in groups of eight, so a person can compare it by eye."""
    return " ".join(sha256[i : i + 8] for i in range(0, len(sha256), 8))
