"""Words for the queue pages: queue names, channel names, working time left."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.auth.roles import Role
from app.calendar.services import get_display_calendar

KIND_LABELS = {
    Role.RECEPTION: _l("Một cửa: tiếp nhận, trả kết quả"),
    Role.SPECIALIST: _l("Chuyên viên: thẩm định"),
    Role.LEADER: _l("Lãnh đạo: phân công, phê duyệt"),
}
CHANNEL_LABELS = {
    "online": _l("Trực tuyến"),
    "counter": _l("Trực tiếp"),
    "postal": _l("Bưu chính"),
}


def _span(minutes: int) -> str:
    days, rest = divmod(minutes, get_display_calendar().minutes_per_day or 480)
    hours, mins = divmod(rest, 60)
    parts = [ngettext("%(num)d ngày", "%(num)d ngày", days)] if days else []
    parts += [ngettext("%(num)d giờ", "%(num)d giờ", hours)] if hours else []
    return " ".join(parts) or ngettext("%(num)d phút", "%(num)d phút", mins)


def duration_text(minutes: int | None) -> str:
    """Working time left ("còn 2 ngày 3 giờ") or past due ("quá 1 giờ"); empty without a clock."""
    if minutes is None:
        return ""
    if minutes < 0:
        return _("quá %(span)s", span=_span(-minutes))
    return _("còn %(span)s", span=_span(minutes))


def state_choices(kind: str, lang: str) -> list[tuple[str, str]]:
    """(state name, label) of the states a queue can hold, for the state filter; the label is the
    first procedure's (the shared vocabulary gives a state the same meaning everywhere)."""
    from app.procedures import get_registry
    from app.queues.queries import queue_states

    labels: dict[str, str] = {}
    for code, version, state in queue_states(kind):
        if state not in labels:
            labels[state] = get_registry().get(code, version).states[state].label.get(lang)
    return sorted(labels.items(), key=lambda item: item[1])
