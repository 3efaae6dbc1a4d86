"""Words for the queue pages: queue names, channel names, working time left."""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l

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
    "national_portal": _l("Cổng DVC quốc gia"),
}


class DurationWords:
    """Working time left ("còn 2 ngày 3 giờ") or past due ("quá 1 giờ") for every row of a page, in
    the request's language: the catalogue is looked up once, not through Flask-Babel for each row
    (a page of 50 rows asked it a hundred times, a fifth of the page's time)."""

    def __init__(self) -> None:
        self.translations = get_translations()
        self.minutes_per_day = get_display_calendar().minutes_per_day or 480

    def _n(self, singular: str, plural: str, num: int) -> str:
        return self.translations.ungettext(singular, plural, num) % {"num": num}

    def _span(self, minutes: int) -> str:
        days, rest = divmod(minutes, self.minutes_per_day)
        hours, mins = divmod(rest, 60)
        parts = [self._n("%(num)d ngày", "%(num)d ngày", days)] if days else []
        parts += [self._n("%(num)d giờ", "%(num)d giờ", hours)] if hours else []
        return " ".join(parts) or self._n("%(num)d phút", "%(num)d phút", mins)

    def text(self, minutes: int | None) -> str:
        """Empty without a clock."""
        if minutes is None:
            return ""
        if minutes < 0:
            return self.translations.ugettext("quá %(span)s") % {"span": self._span(-minutes)}
        return self.translations.ugettext("còn %(span)s") % {"span": self._span(minutes)}


def duration_text(minutes: int | None) -> str:
    """One row's working time left or past due (DurationWords for a whole page)."""
    return DurationWords().text(minutes)


def channel_labels() -> dict[str, str]:
    """The channel names in the request's language, once per page."""
    return {key: str(label) for key, label in CHANNEL_LABELS.items()}


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
