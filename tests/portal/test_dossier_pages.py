"""The citizen's own dossier pages: list, detail with a plain-language timeline, supplement through
the page (the clock resumes), withdrawal, result download by the owner only."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from app.core.errors import ValidationError
from app.dossiers.models import Dossier, DossierDocument
from app.extensions import db
from app.storage import get_storage
from tests.clock import Clock, vn  # noqa: F401
from tests.factories import PDF, act, png_bytes, submit
from tests.notifications.support import BIRTH, attach_result, walk_to_approved
from tests.web import csrf_token, sign_in

ITEMS = ["Giấy chứng sinh bản chính (bản đã nộp bị mờ)"]


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, "2026-12-07 08:00", "app.portal.dossier_views")


@pytest.fixture
def congdan(user):
    return user("congdan")


@pytest.fixture
def signed_in(client):
    assert sign_in(client, "congdan").status_code == 302
    return client


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def to_appraising(dossier, user):
    act(dossier, "accept", user("tn.candang"))
    act(dossier, "assign", user("ld.candang"), {"assignee": "cv.candang"})
    return dossier


def ask_supplement(dossier, user):
    comment = "Bản giấy chứng sinh không đọc được"
    act(dossier, "return_for_supplement", user("cv.candang"), {"items": ITEMS, "comment": comment})
    return dossier


def returned(dossier, user, *, with_file: bool = True, method: str = "electronic"):
    walk_to_approved(dossier, user)
    if with_file:
        attach_result(dossier, user("tn.candang"))
    act(dossier, "complete", user("tn.candang"))
    act(dossier, "deliver", user("tn.candang"), {"return_method": method})
    return dossier


def test_list_and_detail_show_only_my_dossiers(signed_in, congdan, user):
    mine = submit(congdan, BIRTH)
    theirs = submit(user("congdan2"), BIRTH)
    html = page(signed_in, "/my/dossiers")
    assert mine.code in html and theirs.code not in html
    assert "Đăng ký khai sinh" in html and "Mới đăng ký" in html
    page(signed_in, f"/my/dossiers/{mine.code}")
    page(signed_in, f"/my/dossiers/{theirs.code}", 404)


def test_list_pages_on_with_xem_them(signed_in, congdan, monkeypatch):
    monkeypatch.setattr("app.portal.dossier_views.PAGE_SIZE", 2)
    codes = [submit(congdan, BIRTH).code for _ in range(3)]
    first = page(signed_in, "/my/dossiers")
    assert codes[2] in first and codes[1] in first and codes[0] not in first
    more = re.search(r'href="([^"]+)">Xem thêm', first).group(1).replace("&amp;", "&")
    second = page(signed_in, more)
    assert codes[0] in second and codes[2] not in second and "Xem thêm" not in second


def test_pages_need_a_signed_in_citizen(client, congdan):
    dossier = submit(congdan, BIRTH)
    response = client.get(f"/my/dossiers/{dossier.code}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    sign_in(client, "tn.candang")
    assert client.get("/my/dossiers").status_code == 403


def test_timeline_tells_what_happened_in_plain_words(clock, signed_in, congdan, user):
    dossier = submit(congdan, BIRTH)
    to_appraising(dossier, user)
    clock.at("2026-12-07 09:30")
    ask_supplement(dossier, user)
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    for sentence in (
        "Bạn đã nộp hồ sơ trực tuyến",
        "Hồ sơ đã được tiếp nhận",
        "Hồ sơ đã được giao cho cán bộ xử lý",
        "Cơ quan yêu cầu bổ sung giấy tờ",
        ITEMS[0],
        "Bản giấy chứng sinh không đọc được",
        "09:30 07/12/2026",
        "UBND xã Cần Đăng",
        "Tạm dừng chờ bổ sung",
        "Thời hạn giải quyết đang tạm dừng cho đến khi bạn nộp bổ sung giấy tờ.",
    ):
        assert sentence in html, sentence
    for internal in ("supplement_requested", "appraising", "return_for_supplement", "accepted"):
        assert internal not in html


def test_hand_off_names_the_unit_now_handling_it(signed_in, congdan, user):
    dossier = submit(congdan, "2.000720", unit_code="000.01.30.H01")  # hộ kinh doanh, district
    act(dossier, "accept", user("tn.chauthanh"))
    act(dossier, "forward", user("tn.chauthanh"))
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    assert "Hồ sơ được chuyển đến Phòng Tài chính - Kế hoạch" in html
    assert re.search(r"Đang xử lý tại</dt><dd>Phòng Tài chính - Kế hoạch", html)


@pytest.mark.parametrize(
    ("now", "badge", "left"),
    [
        ("2026-12-07 09:00", "Đúng hạn", "còn 6 giờ làm việc"),
        ("2026-12-07 15:00", "Sắp đến hạn", "còn 2 giờ làm việc"),
        ("2026-12-08 09:00", "Quá hạn", "Đã quá hạn 2 giờ làm việc"),
    ],
)
def test_deadline_badge_and_time_left(clock, signed_in, congdan, user, now, badge, left):
    dossier = submit(congdan, BIRTH)
    act(dossier, "accept", user("tn.candang"))  # Mon 08:00, due Mon 17:00
    clock.at(now)
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    assert f'">{badge}</span>' in html and left in html
    assert badge in page(signed_in, "/my/dossiers")


def test_time_left_counts_working_days_and_hours(signed_in, congdan, user, monkeypatch):
    monkeypatch.setattr("app.portal.dossier_views.utcnow", lambda: vn("2026-12-07 08:00"))
    from app.portal.dossier_presenters import time_left

    dossier = submit(congdan, BIRTH)
    dossier.due_at = vn("2026-12-09 11:00")
    with signed_in.application.test_request_context():
        assert time_left(dossier, vn("2026-12-07 08:00")) == "còn 2 ngày 3 giờ làm việc"


def _supplement(client, dossier, files: dict, comment: str = "Đã chụp lại rõ hơn"):
    url = f"/my/dossiers/{dossier.code}"
    data = {"csrf_token": csrf_token(client, url), "comment": comment}
    data.update({key: (io.BytesIO(content), name) for key, (content, name) in files.items()})
    return client.post(f"{url}/supplement", data=data, content_type="multipart/form-data")


def test_supplement_on_the_page_resumes_the_clock(clock, signed_in, congdan, user):
    dossier = submit(congdan, BIRTH)
    to_appraising(dossier, user)
    clock.at("2026-12-07 09:00")
    ask_supplement(dossier, user)  # 6 working hours were left (09-11, 13-17)
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    assert "Nộp bổ sung" in html and ITEMS[0] in html
    clock.at("2026-12-07 10:00")
    response = _supplement(signed_in, dossier, {"giay_chung_sinh": (PDF, "chung-sinh-moi.pdf")})
    assert response.status_code == 302
    db.session.expire_all()
    dossier = db.session.get(Dossier, dossier.id)
    assert not dossier.is_paused
    assert dossier.due_at == vn("2026-12-08 08:00")  # 10-11 and 13-17 today, then one hour tomorrow
    current = {d.doc_key: d.original_name for d in dossier.documents if d.is_current}
    assert current["giay_chung_sinh"] == "chung-sinh-moi.pdf"
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    assert "Bạn đã nộp bổ sung giấy tờ" in html and "Nộp bổ sung" not in html


def _object_count() -> int:
    storage = get_storage()
    return sum(1 for _ in storage.client.list_objects(storage.bucket, recursive=True))


def test_supplement_keeps_nothing_when_the_transition_fails(signed_in, congdan, user, monkeypatch):
    dossier = ask_supplement(to_appraising(submit(congdan, BIRTH), user), user)
    documents, objects = len(dossier.documents), _object_count()

    def refuse(ctx):  # refused after the files were stored: the stored objects must go again
        raise ValidationError("Chưa đủ điều kiện thực hiện thao tác", {"documents": "thiếu"})

    from app.workflow.actions import ACTIONS

    monkeypatch.setitem(ACTIONS, "resume_clock", refuse)
    response = _supplement(signed_in, dossier, {"giay_chung_sinh": (png_bytes(), "anh.png")})
    assert response.status_code == 422
    db.session.expire_all()
    count = select(func.count()).select_from(DossierDocument).where(DossierDocument.dossier_id == dossier.id)
    assert db.session.scalar(count) == documents
    assert _object_count() == objects
    assert db.session.get(Dossier, dossier.id).is_paused


def test_supplement_without_a_file_says_so(signed_in, congdan, user):
    dossier = ask_supplement(to_appraising(submit(congdan, BIRTH), user), user)
    response = _supplement(signed_in, dossier, {}, comment="Quên chọn tệp")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Chưa chọn tệp nào để tải lên" in html
    assert "Quên chọn tệp" in html  # what was typed is kept
    assert html.count("Chưa chọn tệp nào để tải lên") == 2  # at the top and next to the form


def test_withdraw_through_the_confirmation_page(signed_in, congdan):
    dossier = submit(congdan, BIRTH)
    url = f"/my/dossiers/{dossier.code}/withdraw"
    assert "Xác nhận rút hồ sơ" in page(signed_in, url)
    token = csrf_token(signed_in, url)
    assert signed_in.post(url, data={"csrf_token": token, "reason": " "}).status_code == 400
    response = signed_in.post(url, data={"csrf_token": token, "reason": "Nộp nhầm thủ tục"})
    assert response.status_code == 302
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    assert "Công dân rút hồ sơ" in html and "Bạn đã rút hồ sơ" in html and "Nộp nhầm thủ tục" in html
    assert f"/my/dossiers/{dossier.code}/withdraw" not in html
    assert signed_in.get(url).status_code == 409


def test_result_is_downloaded_by_the_owner_only(client, congdan, user):
    dossier = returned(submit(congdan, BIRTH), user)
    result = next(d for d in dossier.documents if d.is_result)
    url = f"/my/dossiers/{dossier.code}/result/{result.id}"
    sign_in(client, "congdan")
    html = page(client, f"/my/dossiers/{dossier.code}")
    assert "Kết quả điện tử" in html and url in html
    response = client.get(url)
    assert response.status_code == 302 and result.storage_key in response.headers["Location"]
    other = next(d for d in dossier.documents if not d.is_result)
    assert client.get(f"/my/dossiers/{dossier.code}/result/{other.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/my/dossiers")})
    sign_in(client, "congdan2")
    assert client.get(url).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/track")})
    sign_in(client, "tn.candang")
    assert client.get(url).status_code in (403, 404)


def test_result_is_not_offered_before_it_is_ready(signed_in, congdan, user):
    dossier = walk_to_approved(submit(congdan, BIRTH), user)
    attach_result(dossier, user("tn.candang"))  # attached, not yet completed
    result = next(d for d in dossier.documents if d.is_result)
    assert signed_in.get(f"/my/dossiers/{dossier.code}/result/{result.id}").status_code == 404
    assert "Tải kết quả" not in page(signed_in, f"/my/dossiers/{dossier.code}")


def test_paper_result_says_where_to_collect_it(signed_in, congdan, user):
    dossier = returned(submit(congdan, BIRTH), user, with_file=False, method="counter")
    html = page(signed_in, f"/my/dossiers/{dossier.code}")
    assert "Bạn nhận tại" in html and "UBND xã Cần Đăng" in html and "Tải kết quả" not in html


def test_posts_without_csrf_token_are_refused(signed_in, congdan):
    dossier = submit(congdan, BIRTH)
    for url in ("withdraw", "supplement", "rating"):
        assert signed_in.post(f"/my/dossiers/{dossier.code}/{url}", data={"reason": "x"}).status_code == 400
    assert db.session.get(Dossier, dossier.id).national_status == 1


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_renders_in_both_languages(signed_in, congdan, user, lang):
    waiting = ask_supplement(to_appraising(submit(congdan, BIRTH), user), user)
    done = returned(submit(congdan, BIRTH), user)
    for url in (
        "/my/dossiers",
        f"/my/dossiers/{waiting.code}",
        f"/my/dossiers/{waiting.code}/withdraw",
        f"/my/dossiers/{done.code}",
        "/track",
    ):
        html = page(signed_in, f"{url}?lang={lang}")
        assert f'<html lang="{lang}">' in html
