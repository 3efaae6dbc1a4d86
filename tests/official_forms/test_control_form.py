"""The control sheet (Mẫu 06 of the 2025 set in force on these dates; Mẫu 05 of the 2018 set): re-issued
at every hand-off of a liên thông dossier, naming the lead agency, one row per leg with the units, times,
giver and receiver and the leg's result, so the late unit is visible; and on demand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.uow import unit_of_work
from app.extensions import db
from app.official_forms.models import IssuedForm
from app.official_forms.queries import find_control_form, list_forms
from app.official_forms.services import issue_control_form
from tests.factories import act
from tests.official_forms.support import A5_POINTS, NATIONAL_HEADER, page_sizes, pdf_text, stored_pdf
from tests.web import csrf_token, sign_in

pytestmark = pytest.mark.usefixtures("in_process_jobs")

COMMUNE = "UBND xã Cần Đăng"
REGISTRY = "Chi nhánh Văn phòng Đăng ký đất đai huyện Châu Thành"
DISTRICT = "UBND huyện Châu Thành"


def _control_forms(dossier_id: int) -> list[IssuedForm]:
    return list(
        db.session.scalars(
            select(IssuedForm).where(
                IssuedForm.dossier_id == dossier_id, IssuedForm.form_key == "control_sheet"
            )
        )
    )


def test_each_hand_off_reissues_mau_05_showing_which_leg_was_late(land_at_district, citizen, user):
    dossier = land_at_district
    assert len(_control_forms(dossier.id)) == 2  # one per forward
    issued = find_control_form(dossier.id)
    assert issued.event_id == dossier.events[-1].id
    assert [f.form for f in list_forms(dossier.id)] == [
        "mau_06",
        "mau_01",
    ]  # the superseded one is not listed
    assert issued.form_set == "tt03_2025" and issued.content["lead_unit"] == DISTRICT
    assert issued.content["units_involved"] == [REGISTRY]
    legs = issued.content["legs"]
    assert [(leg["receiver_unit"], leg["result"]) for leg in legs] == [
        (COMMUNE, "Trước hạn"),
        (REGISTRY, "Quá hạn"),
        (DISTRICT, "Đang xử lý"),
    ]
    assert [leg["giver_unit"] for leg in legs] == ["Tổ chức, cá nhân", COMMUNE, REGISTRY]
    assert [leg["handed_at"] for leg in legs] == ["07:00 07/12/2026", "10:00 09/12/2026", "08:00 04/01/2027"]
    assert legs[0]["giver"] == citizen.full_name and legs[0]["receiver"] == user("tn.candang").full_name
    assert (
        legs[1]["giver"] == user("cv.candang").full_name and legs[1]["receiver"] == user("cv.vpdk").full_name
    )
    assert (
        legs[2]["giver"] == user("cv.vpdk").full_name and legs[2]["receiver"] == ""
    )  # nobody acted there yet

    pdf = stored_pdf(issued)
    [(width, height)] = page_sizes(pdf)
    assert width == pytest.approx(A5_POINTS[0], abs=0.5) and height == pytest.approx(A5_POINTS[1], abs=0.5)
    text = pdf_text(pdf)
    for expected in (
        *NATIONAL_HEADER,
        "Mẫu số 06",
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        dossier.code,
    ):
        assert expected in text
    for expected in (COMMUNE, REGISTRY, DISTRICT, "Trước hạn", "Quá hạn", "Đang xử lý", citizen.full_name):
        assert expected in text
    assert "Đăng ký đất đai, tài sản gắn liền với đất" in text and "Nhận hồ sơ: 07:00 07/12/2026" in text
    assert f"Cơ quan chủ trì giải quyết: {DISTRICT}." in text and f"(liên thông): {REGISTRY}." in text
    assert "Cần Đăng, ngày 04 tháng 01 năm 2027" in text  # issued by the receiving commune


def test_the_whole_journey_ends_with_the_return_to_the_applicant(clock, land_at_district, citizen, user):
    clock.at("2027-01-05 09:00")
    dossier = act(land_at_district, "approve", user("ld.chauthanh"))
    clock.at("2027-01-06 10:00")
    dossier = act(dossier, "complete", user("tn.candang"))
    clock.at("2027-01-06 15:00")
    dossier = act(dossier, "deliver", user("tn.candang"), {"return_method": "counter"})
    assert len(_control_forms(dossier.id)) == 5  # forward, forward, approve, complete, deliver
    content = find_control_form(dossier.id).content
    assert [(leg["receiver_unit"], leg["result"]) for leg in content["legs"]] == [
        (COMMUNE, "Trước hạn"),
        (REGISTRY, "Quá hạn"),
        (DISTRICT, "Trước hạn"),
        (COMMUNE, "Trước hạn"),
        ("Tổ chức, cá nhân", "Trước hạn"),
    ]
    last = content["legs"][-1]
    assert (last["giver"], last["receiver"]) == (user("tn.candang").full_name, citizen.full_name)
    assert content["overall"] == "Trước hạn"
    text = pdf_text(stored_pdf(find_control_form(dossier.id)))
    assert "Kết quả giải quyết hồ sơ: Trước hạn" in text and "Trả kết quả cho tổ chức, cá nhân" in text


def test_asked_for_later_an_open_leg_past_its_due_time_reads_overdue(clock, land_at_district, user):
    dossier = land_at_district
    before = find_control_form(dossier.id)
    old_key = before.storage_key
    clock.at("2027-01-12 09:00")  # the district's 3 working days ended on Thu 7 Jan
    with unit_of_work():  # as the request would
        issued = issue_control_form(dossier, user("ld.chauthanh"))
    assert issued.id == before.id and issued.is_ready and issued.storage_key != old_key  # refreshed
    assert issued.content["legs"][2]["result"] == "Đang xử lý, đã quá hạn"
    assert issued.content["issued_at"] == "09:00 12/01/2027"
    assert "Đang xử lý, đã quá hạn" in pdf_text(stored_pdf(issued))
    with unit_of_work():  # as the request would
        again = issue_control_form(dossier, user("ld.chauthanh"))  # nothing changed: the same PDF
    assert again.storage_key == issued.storage_key


def test_a_dossier_without_hand_offs_gets_mau_05_on_demand(birth, user):
    dossier = act(birth, "accept", user("tn.candang"))
    assert find_control_form(dossier.id) is None
    with unit_of_work():  # as the request would
        issued = issue_control_form(dossier, user("tn.candang"))
    assert issued.event_id == dossier.events[-1].id and issued.is_ready
    [leg] = issued.content["legs"]
    assert leg["receiver_unit"] == COMMUNE and leg["result"] == "Đang xử lý"
    assert dossier.code in pdf_text(stored_pdf(issued))


def _post_mau_05(client, code: str, next_url: str = "/my/dossiers"):
    token = csrf_token(client, "/work/reports/tracking-book")
    return client.post(f"/work/dossiers/{code}/forms/mau-05", data={"csrf_token": token, "next": next_url})


def test_staff_ask_for_mau_05_from_a_page_and_return_to_it(client, land_at_district):
    sign_in(client, "tn.candang")
    response = _post_mau_05(client, land_at_district.code, "/work/queue?tab=1")
    assert response.status_code == 302 and response.headers["Location"] == "/work/queue?tab=1"
    assert find_control_form(land_at_district.id).is_ready


def test_mau_05_page_route_refuses_citizens_and_unrelated_units(client, land_at_district, citizen):
    sign_in(client, "cv.tuphap")  # the Department of Justice never held this dossier
    assert _post_mau_05(client, land_at_district.code).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/work/reports/tracking-book")})
    sign_in(client, citizen.username, "password123")
    token = csrf_token(client, "/my/dossiers")
    response = client.post(f"/work/dossiers/{land_at_district.code}/forms/mau-05", data={"csrf_token": token})
    assert response.status_code == 403


def test_api_issues_mau_05_for_staff_only(client, land_at_district, citizen, user, auth_headers):
    url = f"/api/v1/dossiers/{land_at_district.code}/forms/mau-05"
    response = client.post(url, headers=auth_headers(user("cv.vpdk")))
    assert response.status_code == 201 and response.json["form"] == "mau_06"
    assert (response.json["form_key"], response.json["form_set"]) == ("control_sheet", "tt03_2025")
    assert client.post(url, headers=auth_headers(citizen)).status_code == 403
