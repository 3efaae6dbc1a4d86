"""Which official form each transition issues (DOMAIN §4, Circular 01/2018/TT-VPCP annex).

Mẫu 01-05 are per dossier (IssuedForm rows); Mẫu 06, the tracking book, is per unit and period
(TrackingBook rows) and so is not in FORMS."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext


@dataclass(frozen=True)
class FormKind:
    key: str  # "mau_01"
    number: str  # "01", as printed: "Mẫu số 01"
    title: str  # the official title, Vietnamese (the PDF and the API)
    template: str
    page_size: str = "A5"  # CSS @page size

    @property
    def label(self) -> str:
        """For pages: translated title (the message ids are the Vietnamese titles)."""
        return gettext("Mẫu %(number)s - %(title)s", number=self.number, title=gettext(self.title))


def _kind(number: str, title: str, page_size: str = "A5") -> FormKind:
    return FormKind(f"mau_{number}", number, title, f"official_forms/mau_{number}.html", page_size)


FORMS: dict[str, FormKind] = {
    kind.key: kind
    for kind in (
        _kind("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        _kind("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        _kind("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        _kind("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        _kind("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
    )
}
CONTROL_FORM = "mau_05"
TRACKING_BOOK = _kind("06", "Sổ theo dõi hồ sơ", "A4 landscape")

# Transition name (the shared vocabulary of workflows/README.md) -> the form it issues.
TRANSITION_FORMS: dict[str, str] = {
    "accept": "mau_01",
    "request_supplement": "mau_02",
    "return_for_supplement": "mau_02",
    "refuse": "mau_03",
    "extend": "mau_04",
}

# Mẫu 05 is issued again (a fresh snapshot of every leg) by each transition that hands the dossier
# over or ends a leg: these are the workflow actions that open or close a step, or return the result.
CONTROL_FORM_ACTIONS = frozenset({"open_step", "finish", "record_return"})
