"""Plain-language wording of procedure data for citizens: deadlines, fees, file types, levels.

Registered as Jinja filters by `init_app`, so other domains' pages can use the same words.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.errors import AppError, PayloadTooLargeError, UnsupportedMediaError
from app.core.numbers import format_number
from app.procedures.definitions import Deadline, FeeLine, FieldSpec

LEVELS = {"province": _l("Cấp tỉnh"), "district": _l("Cấp huyện"), "commune": _l("Cấp xã")}
CHANNELS = {
    "online": _l("Trực tuyến"),
    "counter": _l("Trực tiếp tại Bộ phận Một cửa"),
    "postal": _l("Qua bưu chính công ích"),
    "national_portal": _l("Trên Cổng Dịch vụ công quốc gia"),
}
ONLINE_LEVELS = {"toan_trinh": _l("Toàn trình"), "mot_phan": _l("Một phần")}
ONLINE_LEVEL_NOTES = {
    "toan_trinh": _l("Nộp hồ sơ và nhận kết quả hoàn toàn trực tuyến hoặc qua bưu chính."),
    "mot_phan": _l("Nộp hồ sơ trực tuyến; một số bước (như nhận kết quả) thực hiện trực tiếp."),
}
COPIES = {"original": _l("Bản chính"), "copy": _l("Bản sao"), "certified_copy": _l("Bản sao có chứng thực")}
FILE_TYPES = {
    "application/pdf": _l("PDF"),
    "image/jpeg": _l("ảnh JPG"),
    "image/png": _l("ảnh PNG"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("Word (.docx)"),
}
FILE_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg,.jpeg",
    "image/png": ".png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
# Choice values in the procedure files are codes; these are the words citizens read.
CHOICES = {
    "nam": _l("Nam"),
    "nu": _l("Nữ"),
    "cha": _l("Cha"),
    "me": _l("Mẹ"),
    "ong_ba": _l("Ông, bà"),
    "nguoi_than_khac": _l("Người thân khác"),
    "nguoi_duoc_uy_quyen": _l("Người được ủy quyền"),
    "phieu_so_1": _l("Phiếu lý lịch tư pháp số 1"),
    "phieu_so_2": _l("Phiếu lý lịch tư pháp số 2"),
    "dat_o_nong_thon": _l("Đất ở tại nông thôn"),
    "dat_o_do_thi": _l("Đất ở tại đô thị"),
    "dat_trong_lua": _l("Đất trồng lúa"),
    "dat_trong_cay_hang_nam": _l("Đất trồng cây hằng năm khác"),
    "dat_trong_cay_lau_nam": _l("Đất trồng cây lâu năm"),
    "dat_nuoi_trong_thuy_san": _l("Đất nuôi trồng thủy sản"),
}


def lang() -> str:
    return "en" if str(get_locale() or "vi").startswith("en") else "vi"


def deadline_words(deadline: Deadline, short: bool = False) -> str:
    if deadline.kind == "same_day":
        if short:
            return _("Trong ngày")
        cutoff = deadline.cutoff or current_app.config.get("SAME_DAY_CUTOFF", "15:00")
        return _("Trong ngày (hồ sơ nhận trước %(cutoff)s)", cutoff=cutoff)
    if deadline.kind == "working_hours":
        return _("%(n)s giờ làm việc", n=deadline.amount)
    return _("%(n)s ngày làm việc", n=deadline.amount)


AREA_NAMES = {"island": _l("xã đảo, đặc khu"), "remote": _l("vùng sâu, vùng xa")}


def area_deadlines(deadline: Deadline) -> list[str]:
    """ "30 ngày làm việc (xã đảo, đặc khu)" for each area with a budget of its own."""
    return [f"{deadline_words(budget)} ({AREA_NAMES.get(area, area)})" for area, budget in deadline.by_area]


def fee_line_text(line: FeeLine) -> str:
    """One fee line: amount, and the channels and dates it applies to when it is limited."""
    parts = [fee_text(line.amount)]
    if line.channels:
        parts.append(
            _("khi nộp %(channels)s", channels=", ".join(str(channel_name(c)) for c in line.channels))
        )
    if line.valid_from and line.valid_to:
        parts.append(_("từ %(a)s đến %(b)s", a=f"{line.valid_from:%d/%m/%Y}", b=f"{line.valid_to:%d/%m/%Y}"))
    elif line.valid_from:
        parts.append(_("từ %(a)s", a=f"{line.valid_from:%d/%m/%Y}"))
    elif line.valid_to:
        parts.append(_("đến %(b)s", b=f"{line.valid_to:%d/%m/%Y}"))
    return " · ".join(parts)


def money(amount: int) -> str:
    return format_number(amount, 0, lang())


def fee_text(amount: int) -> str:
    return _("Miễn phí") if not amount else _("%(amount)s đồng", amount=money(amount))


def file_types_text(types: tuple[str, ...] | list[str]) -> str:
    return ", ".join(str(FILE_TYPES.get(t, t)) for t in types)


def file_accept(types: tuple[str, ...] | list[str]) -> str:
    """The `accept` attribute of a file input: extensions and MIME types (a hint; the server sniffs)."""
    return ",".join([FILE_EXTENSIONS.get(t, "") for t in types if t in FILE_EXTENSIONS] + list(types))


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return _("%(n)s KB", n=max(1, round(size / 1024)))
    return _("%(n)s MB", n=format_number(size / (1024 * 1024), 1, lang()))


def level_name(level: str) -> str:
    return str(LEVELS.get(level, level))


def channel_name(channel: str) -> str:
    return str(CHANNELS.get(channel, channel))


def online_level_name(level: str) -> str:
    return str(ONLINE_LEVELS.get(level, level))


def online_level_note(level: str) -> str:
    return str(ONLINE_LEVEL_NOTES.get(level, ""))


def copies_name(kind: str) -> str:
    return str(COPIES.get(kind, kind))


def choice_label(value: str) -> str:
    return str(CHOICES.get(value, value.replace("_", " ")))


def unit_name(unit: object) -> str:
    return (lang() == "en" and getattr(unit, "name_en", None)) or unit.name


def upload_problem(exc: AppError) -> str:
    """What to show next to a document whose file the store refused, in the page's language."""
    details = exc.details if isinstance(exc.details, dict) else {}
    reason = details.get("message_en", exc.message) if lang() == "en" else exc.message
    if isinstance(exc, UnsupportedMediaError):
        return _("Tệp không đúng định dạng: %(reason)s", reason=reason)
    if isinstance(exc, PayloadTooLargeError):
        return _("Tệp quá lớn: %(reason)s", reason=reason)
    return reason


def problem_text(problem: object) -> str:
    """A problem beside a field or document: a refused upload, or a message (Vietnamese message
    ids are translated when a translation exists)."""
    if problem is None:
        return ""
    if isinstance(problem, AppError):
        return upload_problem(problem)
    return _(problem) if isinstance(problem, str) else str(problem)


def field_value(field: FieldSpec, raw: object) -> str:
    """A form answer as the citizen should read it back on the review page."""
    text = str(raw or "").strip()
    if field.type == "boolean":
        return {"true": _("Có"), "false": _("Không")}.get(text.lower(), text)
    if field.type == "choice":
        return choice_label(text) if text else ""
    if field.type == "unit" and text:
        from app.org.queries import find_unit_by_code

        unit = find_unit_by_code(text)
        return unit_name(unit) if unit is not None else text
    if field.type == "date" and len(text) == 10 and text[4] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"
    return text


def init_app(app: Flask) -> None:
    for function in (
        deadline_words,
        area_deadlines,
        fee_text,
        fee_line_text,
        file_types_text,
        file_accept,
        file_size,
        level_name,
        channel_name,
        online_level_name,
        online_level_note,
        choice_label,
        unit_name,
        problem_text,
        field_value,
        copies_name,
    ):
        app.jinja_env.filters[function.__name__] = function
