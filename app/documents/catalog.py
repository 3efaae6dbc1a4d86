"""Which official form each transition issues (DOMAIN §4, Circular 01/2018/TT-VPCP annex)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext


@dataclass(frozen=True)
class FormKind:
    key: str  # "mau_01"
    number: str  # "01", as printed: "Mẫu số 01"
    title: str  # the official title, Vietnamese (the PDF and the API)
    template: str

    @property
    def label(self) -> str:
        """For pages: translated title (the message ids are the Vietnamese titles)."""
        return gettext("Mẫu %(number)s - %(title)s", number=self.number, title=gettext(self.title))


def _kind(number: str, title: str) -> FormKind:
    return FormKind(f"mau_{number}", number, title, f"documents/mau_{number}.html")


FORMS: dict[str, FormKind] = {
    kind.key: kind
    for kind in (
        _kind("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        _kind("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        _kind("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        _kind("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    )
}

# Transition name (the shared vocabulary of workflows/README.md) -> the form it issues.
TRANSITION_FORMS: dict[str, str] = {
    "accept": "mau_01",
    "request_supplement": "mau_02",
    "return_for_supplement": "mau_02",
    "refuse": "mau_03",
    "extend": "mau_04",
}
