"""A visitor on a 360 px phone, using the keyboard only, tracks a dossier, files feedback about it
without signing in, keeps the follow-up key, reads the commune's private answer and rates it — in
Debian's Chromium."""

from __future__ import annotations

import re

from app.extensions import db
from app.petitions.queries import find_petition_by_code
from tests.petitions.conftest import answered

ANSWER = "Xã đã liên hệ và hẹn Ông/Bà nhận kết quả vào thứ Hai tuần sau."


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_anonymous_feedback_from_the_tracking_page_on_a_phone(
    page_factory, screenshot, citizen, dossier, user
):
    page = page_factory(width=360, height=740)
    page.goto(f"/track?code={dossier.code}")
    page.get_by_label("Số CCCD hoặc số điện thoại của người nộp").focus()
    page.keyboard.type(citizen.citizen_id)
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="Gửi phản ánh, kiến nghị về hồ sơ này")
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/petitions/new\?ticket="))
    assert dossier.code in page.content()
    _no_sideways_scroll(page)

    page.get_by_label("Phản ánh (về hành vi, thái độ, việc giải quyết chưa đúng)").focus()
    page.keyboard.press("Space")
    page.get_by_label("Tiêu đề").focus()
    page.keyboard.type("Chưa nhận được giấy hẹn")
    page.keyboard.press("Tab")
    page.keyboard.type("Tôi đã nộp hồ sơ khai sinh nhưng chưa nhận được giấy hẹn trả kết quả.")
    page.get_by_role("button", name="Gửi").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/petitions/follow/PAKN-"))
    key = page.locator("dd.code").nth(1).inner_text()
    code = page.url.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", key)
    _no_sideways_scroll(page)
    screenshot(page, "petition-filed-phone")

    petition = find_petition_by_code(code)
    assert petition.unit_id == dossier.current_unit_id
    answered(petition, user("cv.candang"), ANSWER)

    other = page_factory(width=360, height=740)  # another device: code and key open it
    other.goto(f"/petitions/lookup?code={code}")
    other.get_by_label("Mã tra cứu").focus()
    other.keyboard.type(key)
    other.keyboard.press("Enter")
    other.wait_for_url(re.compile(rf"/petitions/follow/{code}"))
    assert ANSWER in other.content()
    other.get_by_label("Hài lòng", exact=True).focus()
    other.keyboard.press("Space")
    other.get_by_role("button", name="Gửi đánh giá").focus()
    other.keyboard.press("Enter")
    other.wait_for_selector("text=Bạn đã đánh giá 4/5.")
    _no_sideways_scroll(other)
    screenshot(other, "petition-rated-phone")
    db.session.expire_all()
    assert find_petition_by_code(code).rating == 4
