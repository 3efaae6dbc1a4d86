"""Each form is issued by its transition and says what the set in force requires (Circular 03/2025 since
15 Sep 2025; the older set: test_form_sets), on A5, in Vietnamese."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.time import local_iso
from app.core.web import local_time
from app.extensions import db
from app.official_forms.catalog import FORM_SETS, TRACKING_BOOK_KEY
from app.official_forms.queries import list_forms
from app.official_forms.rendering import qr_data_uri, render_html
from app.org.models import Unit
from app.org.services import add_unit
from tests.factories import act, on_a_working_day, submit
from tests.official_forms.conftest import BIRTH
from tests.official_forms.support import (
    A5_POINTS,
    NATIONAL_HEADER,
    font_names,
    only_form,
    page_sizes,
    pdf_text,
    stored_pdf,
)

pytestmark = pytest.mark.usefixtures("in_process_jobs")


def official_text(pdf: bytes, dossier, citizen) -> str:
    """Checks every form shares (one A5 page, national header, vendored font, who and what) and
    returns the text for the form-specific checks."""
    assert pdf.startswith(b"%PDF-")
    [(width, height)] = page_sizes(pdf)
    assert width == pytest.approx(A5_POINTS[0], abs=0.5) and height == pytest.approx(A5_POINTS[1], abs=0.5)
    assert font_names(pdf) and all("FormSerif" in name for name in font_names(pdf))
    text = pdf_text(pdf)
    for line in NATIONAL_HEADER:
        assert line in text
    assert dossier.code in text and citizen.full_name in text and "Đăng ký khai sinh" in text
    return text


def test_accept_issues_mau_01_with_code_documents_and_times(birth, citizen, user):
    officer = user("tn.candang")
    dossier = act(birth, "accept", officer)
    issued = only_form(dossier.id, "mau_01")
    pdf = stored_pdf(issued)
    text = official_text(pdf, dossier, citizen)
    assert "Mẫu số 01" in text and "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "UBND XÃ CẦN ĐĂNG" in text and "UBND xã Cần Đăng tiếp nhận hồ sơ của: Trần Thị Bích Ngọc" in text
    assert f"Cần Đăng, {issued.content['issued_on']}" in text  # the place of the issuing unit
    assert (
        f"Số ghi sổ theo dõi hồ sơ: {issued.content['book_entry']}" in text and issued.content["book_entry"]
    )
    assert "Số lượng hồ sơ: 01 (bộ), nộp trực tuyến (bản điện tử)." in text
    assert citizen.address in text and citizen.phone in text and citizen.email in text
    assert "Tờ khai đăng ký khai sinh theo mẫu Bản chính" in text
    assert "Căn cước công dân / hộ chiếu của người đi đăng ký Bản sao" in text
    assert "Thời gian giải quyết hồ sơ theo quy định: trong ngày" in text
    assert f"Thời gian nhận hồ sơ: {local_time(dossier.received_at)}." in text
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {local_time(dossier.appointment_at)}." in text
    assert "Nơi nhận kết quả: UBND xã Cần Đăng" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text and officer.full_name in text
    assert issued.event_id == dossier.events[-1].id and issued.ready_at is not None
    assert issued.size == len(pdf) < 100_000


def test_mau_01_qr_code_points_to_the_public_tracking_page(app, birth, user):
    dossier = act(birth, "accept", user("tn.candang"))
    issued = only_form(dossier.id, "mau_01")
    url = f"{app.config['PUBLIC_BASE_URL'].rstrip('/')}/track?code={dossier.code}"
    assert issued.content["tracking_url"] == url
    assert qr_data_uri(url) in render_html(issued.kind, issued.content)


def test_request_supplement_issues_mau_02_listing_every_item_and_the_reason(birth, citizen, user):
    officer = user("tn.candang")
    items = ["Giấy chứng sinh bản chính (bản đã nộp bị mờ)", "Căn cước công dân của mẹ"]
    dossier = act(
        birth, "request_supplement", officer, {"items": items, "comment": "Hồ sơ chưa đủ thành phần"}
    )
    text = official_text(stored_pdf(only_form(dossier.id, "mau_02")), dossier, citizen)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"1. {items[0]}" in text and f"2. {items[1]}" in text
    assert "Lý do: Hồ sơ chưa đủ thành phần" in text
    assert f"liên hệ với {officer.full_name}" in text and "NGƯỜI HƯỚNG DẪN" in text


def test_refuse_issues_mau_03_with_the_reason(birth, citizen, user):
    reason = "Thủ tục không thuộc thẩm quyền của UBND xã; đề nghị nộp tại UBND huyện Châu Thành"
    dossier = act(birth, "refuse", user("tn.candang"), {"comment": reason})
    text = official_text(stored_pdf(only_form(dossier.id, "mau_03")), dossier, citizen)
    assert "Mẫu số 03" in text and "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau" in text and reason in text


def test_extend_issues_mau_04_with_both_appointments_and_the_reason(birth, citizen, user):
    dossier = act(birth, "accept", user("tn.candang"))
    original = dossier.due_at
    new_at = on_a_working_day(dossier.appointment_at + timedelta(days=3))
    leader = user("ld.candang")
    dossier = act(
        dossier,
        "extend",
        leader,
        {"comment": "Cần xác minh nơi sinh với trạm y tế", "new_appointment_at": local_iso(new_at)},
    )
    text = official_text(stored_pdf(only_form(dossier.id, "mau_04")), dossier, citizen)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text
    assert "Mẫu số 04" in text and "Kính gửi: Ông/Bà Trần Thị Bích Ngọc" in text
    assert f"Ngày {local_time(dossier.received_at, '%d/%m/%Y')}, UBND xã Cần Đăng tiếp nhận" in text
    assert f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả là {local_time(original)}." in text
    assert "không thể trả kết quả giải quyết hồ sơ cho Ông/Bà đúng thời hạn trên, lý do:" in text
    assert "Cần xác minh nơi sinh với trạm y tế" in text and "xin lỗi Ông/Bà" in text
    assert f"gia hạn thời gian giải quyết hồ sơ đến {local_time(new_at)};" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text and leader.full_name in text
    assert [f.form for f in list_forms(dossier.id)] == ["mau_04", "mau_01"]  # newest first


@pytest.fixture
def own_commune(make_user):
    """A commune with its address and phone on record, and its staff."""
    district = db.session.scalar(select(Unit).where(Unit.code == "000.00.30.H01"))
    add_unit(
        code="000.29.30.H01",
        name="UBND xã Thử Nghiệm",
        level="commune",
        kind="people_committee",
        parent=district,
        address="Số 1 đường Trần Hưng Đạo, xã Thử Nghiệm",
        phone="0296 3851 234",
    )
    db.session.commit()
    return {role: make_user(role, unit="000.29.30.H01") for role in ("reception", "specialist", "leader")}


def test_supplement_during_appraisal_gives_mau_02_with_the_unit_phone(own_commune, citizen):
    staff = own_commune
    dossier = submit(citizen, BIRTH, unit_code="000.29.30.H01")
    dossier = act(dossier, "accept", staff["reception"])
    mau_01 = pdf_text(stored_pdf(only_form(dossier.id, "mau_01")))
    assert "Nơi nhận kết quả: UBND xã Thử Nghiệm, Số 1 đường Trần Hưng Đạo, xã Thử Nghiệm" in mau_01
    dossier = act(dossier, "assign", staff["leader"], {"assignee": staff["specialist"].username})
    dossier = act(
        dossier,
        "return_for_supplement",
        staff["specialist"],
        {"items": ["Văn bản ủy quyền có chứng thực"], "comment": "Người đi đăng ký không phải cha, mẹ"},
    )
    text = official_text(stored_pdf(only_form(dossier.id, "mau_02")), dossier, citizen)
    assert "1. Văn bản ủy quyền có chứng thực" in text
    assert f"liên hệ với {staff['specialist'].full_name}, số điện thoại 0296 3851 234" in text
    assert "Thời gian giải quyết hồ sơ tạm dừng" in text


def test_transitions_without_a_form_issue_nothing(birth, user):
    dossier = act(birth, "accept", user("tn.candang"))
    dossier = act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    assert [f.form for f in list_forms(dossier.id)] == ["mau_01"]


def test_every_form_has_a_template_that_renders():
    content = {
        "code": "000.21.30.H01-260101-0001",
        "tracking_url": "http://127.0.0.1:5000/track?code=000.21.30.H01-260101-0001",
        "unit": {"name": "UBND xã Cần Đăng", "parent_name": None, "address": None, "phone": None},
        "issued_on": "ngày 01 tháng 01 năm 2026",
        "applicant": {"name": "A", "address": "", "phone": "", "email": ""},
        "procedure": {"code": "1.001193", "name": "Đăng ký khai sinh"},
        "items": [],
        "documents": [],
    }
    for kind in (k for forms in FORM_SETS for k in forms.forms if k.key != TRACKING_BOOK_KEY):
        html = render_html(kind, content)
        assert kind.title in html and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html


def test_page_label_names_the_form_in_the_page_language(app, birth, user):
    dossier = act(birth, "accept", user("tn.candang"))
    issued = only_form(dossier.id, "mau_01")
    with app.test_request_context("/"):
        assert issued.label == "Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert issued.filename(dossier.code) == f"Mau01-{dossier.code}.pdf"
