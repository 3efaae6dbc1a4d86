"""What the audit pages and the citizen's "who looked at my dossier" list show."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.admin.presenters import role_label
from app.audit import verify
from app.audit.models import DossierAccess
from app.audit.services import DOCUMENT, FORM, VIEW

ACCESS_KINDS = {VIEW: _l("Xem hồ sơ"), DOCUMENT: _l("Tải tài liệu"), FORM: _l("Tải biểu mẫu")}
CHANNELS = {"web": _l("Trang nghiệp vụ"), "api": _l("API")}
STATUSES = {
    "running": _l("Đang kiểm tra"),
    "ok": _l("Toàn vẹn"),
    "broken": _l("Phát hiện sai lệch"),
    "failed": _l("Lỗi khi kiểm tra"),
}
PROBLEMS = {
    verify.CONTENT_CHANGED: _l("Nội dung sự kiện đã bị sửa"),
    verify.EVENT_DELETED: _l("Có sự kiện đã bị xoá"),
    verify.REORDERED: _l("Thứ tự sự kiện đã bị đảo"),
    verify.LINK_BROKEN: _l("Liên kết chuỗi bị đứt"),
    verify.UNSEALED: _l("Sự kiện chưa có mã băm"),
    verify.ANCHOR_MISMATCH: _l("Mốc neo không khớp"),
    verify.NOT_FOUND: _l("Không tìm thấy hồ sơ"),
}


def access_kind(access: DossierAccess) -> str:
    return str(ACCESS_KINDS.get(access.kind, access.kind))


def channel_label(channel: str) -> str:
    return str(CHANNELS.get(channel, channel))


def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


def problem_label(kind: str | None) -> str:
    return str(PROBLEMS.get(kind, kind or ""))


__all__ = ["access_kind", "channel_label", "problem_label", "role_label", "status_label"]
