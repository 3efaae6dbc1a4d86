"""The official form sets: which form, with which number, title and template, each form-set key
(app.procedures.vocabulary: receipt, supplement_request, ...) stands for in the set in force.

Two sets: Circular 01/2018/TT-VPCP (six forms) and, from 15 Sep 2025, Circular 03/2025/TT-VPCP
(seven: the apology becomes a letter asking for more time, a notice of stopping is added as Mẫu 05,
the control slip becomes Mẫu 06 and the tracking book Mẫu 07). A transition declares the keys of
the forms it issues; the form issued is the one of the set in force on the day of the event (its
local date in Vietnam), and keeps that set for good (a later set never changes a form already
issued). A key the set in force has no form for issues nothing: a dossier stopped while the 2018
set was in force gets no stop notice. Forms are per dossier (IssuedForm rows); the tracking book is
per unit and period (TrackingBook rows).

A province adds its own set by appending a FormSet with a later `valid_from` (templates under
app/templates/official_forms/pdf/, English titles in app/translations/parts/official_forms.po).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext

from app.procedures.vocabulary import (
    APOLOGY,
    CONTROL_SHEET,
    RECEIPT,
    REFUSAL,
    STOP_NOTICE,
    SUPPLEMENT_REQUEST,
)

TRACKING_BOOK_KEY = "tracking_book"


@dataclass(frozen=True)
class FormKind:
    key: str  # the form-set key, "receipt"
    code: str  # "mau_01": the form in its set (API, file names)
    number: str  # "01", as printed: "Mẫu số 01"
    title: str  # the official title, Vietnamese (the PDF and the API)
    template: str
    page_size: str = "A5"  # CSS @page size

    @property
    def label(self) -> str:
        """For pages: translated title (the message ids are the Vietnamese titles)."""
        return gettext("Mẫu %(number)s - %(title)s", number=self.number, title=gettext(self.title))


@dataclass(frozen=True)
class FormSet:
    name: str
    title: str
    valid_from: date  # the set is in force from this day until the next set's
    forms: tuple[FormKind, ...]

    def form(self, key: str) -> FormKind:
        found = next((f for f in self.forms if f.key == key), None)
        if found is None:
            raise KeyError(f"the form set {self.name} has no form '{key}'")
        return found

    def has(self, key: str) -> bool:
        return any(f.key == key for f in self.forms)

    @property
    def tracking_book(self) -> FormKind:
        return self.form(TRACKING_BOOK_KEY)


def _form(key: str, number: str, title: str, template: str, page_size: str = "A5") -> FormKind:
    return FormKind(key, f"mau_{number}", number, title, f"official_forms/pdf/{template}.html", page_size)


TT01_2018 = FormSet(
    "tt01_2018",
    "Thông tư 01/2018/TT-VPCP",
    date(2018, 1, 1),
    (
        _form(RECEIPT, "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "receipt"),
        _form(SUPPLEMENT_REQUEST, "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "supplement_request"),
        _form(REFUSAL, "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "refusal"),
        _form(APOLOGY, "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "apology"),
        _form(CONTROL_SHEET, "05", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "control_sheet"),
        _form(TRACKING_BOOK_KEY, "06", "Sổ theo dõi hồ sơ", "tracking_book", "A4 landscape"),
    ),
)

# Titles as listed in Annex I of the circular.
TT03_2025 = FormSet(
    "tt03_2025",
    "Thông tư 03/2025/TT-VPCP",
    date(2025, 9, 15),
    (
        _form(RECEIPT, "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "receipt"),
        _form(SUPPLEMENT_REQUEST, "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "supplement_request"),
        _form(REFUSAL, "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "refusal"),
        _form(APOLOGY, "04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết", "apology_extension"),
        _form(STOP_NOTICE, "05", "Thông báo dừng giải quyết hồ sơ", "stop_notice"),
        _form(CONTROL_SHEET, "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "control_sheet"),
        _form(TRACKING_BOOK_KEY, "07", "Sổ theo dõi hồ sơ", "tracking_book", "A4 landscape"),
    ),
)

FORM_SETS: tuple[FormSet, ...] = (TT01_2018, TT03_2025)  # oldest first


def form_set(name: str) -> FormSet:
    return next(s for s in FORM_SETS if s.name == name)


def form_set_on(day: date) -> FormSet:
    """The set in force on `day` (the earliest set before its own date: it is the oldest one)."""
    in_force = [s for s in FORM_SETS if s.valid_from <= day]
    return max(in_force, key=lambda s: s.valid_from) if in_force else FORM_SETS[0]
