"""The two form sets: Circular 01/2018/TT-VPCP until 14 Sep 2025, Circular 03/2025/TT-VPCP (seven forms)
from 15 Sep 2025, chosen by the Vietnam date of the event that issues a form; a form keeps its set.
Both sets date their forms at the issuing unit's place, say how many sets were received and which
line of the tracking book the dossier is on, and the control slip names the lead agency. A new
appointment (Mẫu 04) on a day off is refused."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from app.core.errors import ValidationError
from app.core.uow import unit_of_work
from app.core.web import local_time
from app.extensions import db
from app.official_forms.catalog import FORM_SETS, TRACKING_BOOK_KEY, form_set, form_set_on
from app.official_forms.content import area_name, place_name
from app.official_forms.control import lead_unit
from app.official_forms.models import TrackingBook
from app.official_forms.queries import book_entry_number, list_forms
from app.official_forms.services import issue_control_form, render_form
from app.official_forms.tracking import Totals, iter_rows, local_day_start, request_tracking_book
from app.org.queries import get_unit_by_code
from app.procedures.vocabulary import FORM_KEYS
from app.storage import get_storage
from tests.factories import act, submit
from tests.official_forms.conftest import BIRTH
from tests.official_forms.support import NATIONAL_HEADER, only_form, pdftotext, stored_pdf

pytestmark = pytest.mark.usefixtures("in_process_jobs")

COMMUNE = "000.21.30.H01"
NUMBERS_2025 = {
    "receipt": "01",
    "supplement_request": "02",
    "refusal": "03",
    "apology": "04",
    "stop_notice": "05",
    "control_sheet": "06",
    TRACKING_BOOK_KEY: "07",
}


def _text(pdf: bytes, number: str, title: str) -> str:
    text = pdftotext(pdf)
    assert f"Mẫu số {number}" in text and title.upper() in text, text[:300]
    for line in NATIONAL_HEADER:
        assert line in text
    return text


# --- which set ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2017, 6, 1), "tt01_2018"),  # before any set: the oldest one
        (date(2018, 1, 1), "tt01_2018"),
        (date(2025, 9, 14), "tt01_2018"),
        (date(2025, 9, 15), "tt03_2025"),
        (date(2026, 12, 7), "tt03_2025"),
    ],
)
def test_the_set_in_force_on_a_day(day, name):
    assert form_set_on(day).name == name


def test_the_2025_set_numbers_seven_forms_and_the_2018_set_has_no_stop_notice():
    new, old = form_set("tt03_2025"), form_set("tt01_2018")
    assert new.valid_from == date(2025, 9, 15) and new.title == "Thông tư 03/2025/TT-VPCP"
    assert {kind.key: kind.number for kind in new.forms} == NUMBERS_2025
    assert set(FORM_KEYS) | {TRACKING_BOOK_KEY} == set(NUMBERS_2025)
    assert not old.has("stop_notice") and old.form("control_sheet").number == "05"
    assert [s.name for s in FORM_SETS] == ["tt01_2018", "tt03_2025"]


# --- every 2025 form, issued by its transition, rendered and read back with pdftotext -------------


def test_a_dossier_accepted_extended_and_stopped_gets_mau_01_04_05_and_06(clock, citizen, user):
    clock.at("2026-12-07 07:30")  # Monday
    dossier = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    receipt = only_form(dossier.id, "mau_01")
    assert (receipt.form_set, receipt.form_key) == ("tt03_2025", "receipt")
    text = _text(stored_pdf(receipt), "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    assert "Cần Đăng, ngày 07 tháng 12 năm 2026" in text
    assert f"Số ghi sổ theo dõi hồ sơ: {book_entry_number(dossier)}" in text
    assert "Số lượng hồ sơ: 01 (bộ), nộp trực tuyến" in text and dossier.code in text
    assert f"Thời gian nhận hồ sơ: {local_time(dossier.received_at)}." in text

    clock.at("2026-12-07 08:00")
    leader = user("ld.candang")
    dossier = act(
        dossier,
        "extend",
        leader,
        {"comment": "Cần xác minh nơi sinh", "new_appointment_at": "2026-12-10T16:00:00+07:00"},
    )
    apology = only_form(dossier.id, "mau_04")
    text = _text(stored_pdf(apology), "04", "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết")
    assert "Kính gửi: Ông/Bà Trần Thị Bích Ngọc" in text and "Cần xác minh nơi sinh" in text
    assert "đề nghị Ông/Bà đồng ý gia hạn thời gian giải quyết hồ sơ đến 16:00 10/12/2026" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text and leader.full_name in text

    clock.at("2026-12-07 09:15")
    reason = "Người yêu cầu đề nghị dừng để bổ sung giấy tờ của cha"
    dossier = act(dossier, "stop", leader, {"comment": reason})
    notice = only_form(dossier.id, "mau_05")
    assert (notice.form_set, notice.form_key) == ("tt03_2025", "stop_notice")
    text = _text(stored_pdf(notice), "05", "Thông báo dừng giải quyết hồ sơ")
    assert "Ngày 07/12/2026, UBND xã Cần Đăng tiếp nhận hồ sơ của Ông/Bà" in text
    assert "thông báo dừng giải quyết hồ sơ nêu trên kể từ 09:15 07/12/2026, lý do:" in text
    assert reason in text and dossier.code in text and "Đăng ký khai sinh" in text

    with unit_of_work():  # as the request would
        control = issue_control_form(dossier, user("tn.candang"))
    assert (control.form, control.form_set) == ("mau_06", "tt03_2025")
    text = _text(stored_pdf(control), "06", "Phiếu kiểm soát quá trình giải quyết hồ sơ")
    assert "Cơ quan chủ trì giải quyết: UBND xã Cần Đăng." in text and "Nhận hồ sơ: 07:30 07/12/2026" in text
    assert [f.form for f in list_forms(dossier.id)] == ["mau_06", "mau_05", "mau_04", "mau_01"]


def test_supplement_request_and_refusal_are_mau_02_and_03(clock, citizen, user):
    clock.at("2026-12-08 10:00")
    officer = user("tn.candang")
    asked = act(
        submit(citizen, BIRTH),
        "request_supplement",
        officer,
        {"items": ["Giấy chứng sinh bản chính"], "comment": "Thiếu giấy chứng sinh"},
    )
    text = _text(stored_pdf(only_form(asked.id, "mau_02")), "02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
    assert "Cần Đăng, ngày 08 tháng 12 năm 2026" in text and "1. Giấy chứng sinh bản chính" in text
    refused = act(submit(citizen, BIRTH), "refuse", officer, {"comment": "Không thuộc thẩm quyền"})
    text = _text(
        stored_pdf(only_form(refused.id, "mau_03")), "03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    )
    assert "Cần Đăng, ngày 08 tháng 12 năm 2026" in text and "Không thuộc thẩm quyền" in text


def test_a_book_asked_for_now_is_mau_07_dated_at_the_unit_place(clock, citizen, user):
    clock.at("2026-12-07 08:00")
    dossier = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    with unit_of_work():
        book = request_tracking_book(
            user("tn.candang"), get_unit_by_code(COMMUNE).id, date(2026, 12, 7), date(2026, 12, 7)
        )
    db.session.refresh(book)
    assert book.kind.number == "07" and book.filename().startswith("Mau07-SoTheoDoi-000.21.30.H01-")
    pdf = b"".join(get_storage().open(book.storage_key))
    text = _text(pdf, "07", "Sổ theo dõi hồ sơ")
    assert dossier.code in text and "Cần Đăng, ngày" in text


# --- a form keeps the set in force when it was issued ---------------------------------------------


def test_forms_issued_before_15_september_2025_keep_the_2018_set(clock, citizen, user):
    clock.at("2025-09-12 09:00")  # Friday, the 2018 set
    leader = user("ld.candang")
    dossier = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    dossier = act(
        dossier,
        "extend",
        leader,
        {"comment": "Chờ xác minh", "new_appointment_at": "2025-09-16T16:00:00+07:00"},
    )
    receipt, apology = only_form(dossier.id, "mau_01"), only_form(dossier.id, "mau_04")
    assert {receipt.form_set, apology.form_set} == {"tt01_2018"}
    text = _text(stored_pdf(receipt), "01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    assert "Cần Đăng, ngày 12 tháng 9 năm 2025" in text and "Số lượng hồ sơ: 01 (bộ)" in text  # fixed in both
    assert "Số ghi sổ theo dõi hồ sơ:" in text

    clock.at("2025-09-15 00:30")  # Monday 00:30 in Vietnam: still the 14th in UTC
    later = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    assert only_form(later.id, "mau_01").form_set == "tt03_2025"
    with unit_of_work():  # the first dossier's control slip, asked for under the new set
        control = issue_control_form(dossier, user("tn.candang"))
    assert (control.form, control.form_set) == ("mau_06", "tt03_2025")
    dossier = act(dossier, "stop", leader, {"comment": "Người nộp rút yêu cầu"})
    assert only_form(dossier.id, "mau_05").form_key == "stop_notice"  # stopped under the new set

    apology.status, apology.storage_key = "pending", None  # printed again (a retried render)
    db.session.commit()
    render_form(apology.id)
    db.session.refresh(apology)
    assert (
        apology.form_set == "tt01_2018" and apology.kind.title == "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    )
    _text(stored_pdf(apology), "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả")


def test_a_stop_under_the_2018_set_issues_no_notice(clock, citizen, user):
    clock.at("2025-09-11 09:00")
    dossier = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    dossier = act(dossier, "stop", user("ld.candang"), {"comment": "Dừng theo đề nghị"})
    assert dossier.state == "stopped"
    assert [(f.form, f.form_set) for f in list_forms(dossier.id)] == [("mau_01", "tt01_2018")]


# --- a new appointment on a day off ------------------------------------------------------------------


def test_a_new_appointment_on_a_sunday_or_a_holiday_is_refused(clock, client, citizen, user, auth_headers):
    clock.at("2026-12-07 08:00")
    dossier = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    response = client.post(
        f"/api/v1/dossiers/{dossier.code}/transitions",
        headers=auth_headers(user("ld.candang")),
        json={"name": "extend", "comment": "Chờ xác minh", "new_appointment_at": "2026-12-13T16:00:00+07:00"},
    )
    assert response.status_code == 422, response.json
    message = response.json["error"]["details"]["new_appointment_at"]
    assert message == (
        "Ngày hẹn mới 13/12/2026 (Chủ nhật) không phải ngày làm việc; "
        "hãy chọn một ngày làm việc, ví dụ 14/12/2026"
    )
    with pytest.raises(ValidationError) as refused:  # New Year's Day, a Friday
        act(
            dossier,
            "extend",
            user("ld.candang"),
            {"comment": "Chờ xác minh", "new_appointment_at": "2027-01-01T09:00:00+07:00"},
        )
    assert "01/01/2027 (thứ Sáu) không phải ngày làm việc" in str(refused.value.details)
    db.session.refresh(dossier)
    assert not dossier.is_extended and [f.form for f in list_forms(dossier.id)] == ["mau_01"]


# --- what the forms print: place, book line, lead agency -----------------------------------------


def _unit(name: str, parent=None, **extra):  # noqa: ANN001, ANN202
    return SimpleNamespace(name=name, parent=parent, **extra)


def test_the_place_of_the_date_line_comes_from_the_unit_or_its_area():
    province = _unit("UBND tỉnh An Giang")
    district = _unit("UBND huyện Châu Thành", province)
    for unit, place in (
        (_unit("UBND xã Cần Đăng", district), "Cần Đăng"),
        (_unit("Bộ phận Một cửa huyện Châu Thành", district), "Châu Thành"),
        (_unit("Phòng Tài chính - Kế hoạch", district), "Châu Thành"),
        (_unit("Trung tâm Phục vụ hành chính công tỉnh", province), "An Giang"),
        (_unit("Sở Tư pháp", province), "An Giang"),
        (_unit("UBND đặc khu Phú Quốc", province), "Phú Quốc"),
        (_unit("UBND thị xã Tân Châu", province), "Tân Châu"),
        (_unit("UBND Phường 1", _unit("UBND thành phố Long Xuyên, tỉnh An Giang")), "Long Xuyên"),
        (_unit("Trung tâm phục vụ hành chính công", province, place_name="Rạch Giá"), "Rạch Giá"),
        (_unit("Văn phòng Chính phủ"), None),
    ):
        assert place_name(unit) == place, unit.name
    assert area_name("Chi nhánh Văn phòng Đăng ký đất đai huyện Châu Thành") == "Châu Thành"


def test_the_book_line_on_mau_01_is_the_dossiers_row_in_the_years_book(clock, citizen, user):
    submitted = submit(citizen, BIRTH)
    assert book_entry_number(submitted) is None  # not received yet
    clock.at("2026-12-07 08:00")
    first = act(submit(citizen, BIRTH), "accept", user("tn.candang"))
    clock.at("2026-12-07 09:00")
    second = act(submitted, "accept", user("tn.candang"))
    unit_id = get_unit_by_code(COMMUNE).id
    year = list(
        iter_rows(
            unit_id, local_day_start(date(2026, 1, 1)), local_day_start(date(2027, 1, 1)), Totals(), clock.now
        )
    )
    codes = [row["code"] for row in year]
    for dossier in (first, second):
        content = only_form(dossier.id, "mau_01").content
        assert content["book_entry"] == str(codes.index(dossier.code) + 1)
    assert int(only_form(second.id, "mau_01").content["book_entry"]) == book_entry_number(first) + 1


def test_the_lead_agency_is_the_competent_unit_else_the_deciding_unit():
    commune = SimpleNamespace(id=1, name="UBND xã Cần Đăng")
    registry = SimpleNamespace(id=2, name="Chi nhánh Văn phòng Đăng ký đất đai")
    district = SimpleNamespace(id=3, name="UBND huyện Châu Thành")
    steps = [SimpleNamespace(unit_id=u.id, unit=u) for u in (commune, registry, district)]
    land = SimpleNamespace(receiving_unit=commune, receiving_unit_id=1, steps=steps)
    assert lead_unit(land) is district
    police = SimpleNamespace(id=9, name="Công an tỉnh An Giang")
    assert lead_unit(SimpleNamespace(**vars(land), competent_unit=police)) is police
    assert lead_unit(SimpleNamespace(**vars(land), competent_unit=None)) is district
    alone = SimpleNamespace(receiving_unit=commune, receiving_unit_id=1, steps=steps[:1])
    assert lead_unit(alone) is commune


def test_a_book_keeps_the_number_of_the_set_of_its_day(user):
    book = TrackingBook(
        unit_id=get_unit_by_code(COMMUNE).id, date_from=date(2025, 9, 1), date_to=date(2025, 9, 12)
    )
    book.created_at = local_day_start(date(2025, 9, 12))
    db.session.add(book)
    db.session.flush()
    assert book.kind.number == "06" and book.filename().startswith("Mau06-")
