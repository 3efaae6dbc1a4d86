"""Words for the pages about filings received from the national portal (English in inbound.po)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.db import utcnow
from app.core.time import to_local
from app.national.models import FAILED, HELD, PENDING, RECEIVED, REJECTED

STATE_LABELS = {
    PENDING: _l("Đang tiếp nhận"),
    RECEIVED: _l("Đã thành hồ sơ"),
    HELD: _l("Chờ xác định thủ tục"),
    REJECTED: _l("Không tiếp nhận được"),
    FAILED: _l("Ngừng thử lại"),
}
RETRYABLE = (HELD, REJECTED, FAILED)  # an administrator may try these again
STATE_BADGES = {PENDING: "warn", RECEIVED: "ok", HELD: "warn", REJECTED: "bad", FAILED: "bad"}
TRANSPORT_LABELS = {"push": _l("LGSP gửi đến (push)"), "poll": _l("Hệ thống hỏi định kỳ (poll)")}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def province_code() -> str | None:
    """The agency code of the province (the top unit existing today), printed in the export."""
    from app.org.queries import list_units_at_level

    top = list_units_at_level(current_app.config["ORG_LEVELS"][0], to_local(utcnow()).date())
    return top[0].code if top else None
