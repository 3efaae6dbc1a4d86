"""Sign-up (finished through the e-mailed link) and sign-in as a citizen does it: in a real browser,
on a phone-sized screen too."""

from __future__ import annotations

from tests.auth.support import finish_sign_up
from tests.notifications.support import Mailbox


def test_citizen_signs_up_on_a_phone_then_signs_in_again(
    page_factory, screenshot, app, monkeypatch, smtp_server
):
    monkeypatch.delitem(app.extensions, "redis")  # the e-mail job runs in the live server's process
    page = page_factory(width=360, height=740)
    page.goto("/register")
    page.get_by_label("Số định danh cá nhân (CCCD, 12 số)").fill("089190000777")
    page.get_by_label("Họ và tên").fill("Phạm Thị Thu")
    page.get_by_label("Số điện thoại").fill("0987000111")
    page.get_by_label("Thư điện tử").fill("thu@example.vn")
    page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("matkhau123")
    page.get_by_label("Nhập lại mật khẩu").fill("matkhau123")
    screenshot(page, "register-360")
    page.get_by_role("button", name="Đăng ký").click()
    finish_sign_up(page, Mailbox(smtp_server), "thu@example.vn")  # the link comes by e-mail
    assert "Phạm Thị Thu" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    page.get_by_role("button", name="Menu").click()  # on a phone the links are behind the menu button
    page.get_by_role("button", name="Đăng xuất").click()
    page.goto("/login")
    page.get_by_label("Số CCCD hoặc tên đăng nhập").fill("089190000777")
    page.get_by_label("Mật khẩu").fill("matkhau123")
    page.keyboard.press("Enter")  # by keyboard
    page.wait_for_url(lambda url: "/login" not in url)
    assert "Phạm Thị Thu" in page.content()


def test_sign_up_errors_are_shown_next_to_each_field(page_factory, screenshot):
    page = page_factory()
    page.goto("/register")
    page.get_by_label("Số định danh cá nhân (CCCD, 12 số)").fill("003090000123")
    page.get_by_label("Mật khẩu (ít nhất 8 ký tự)").fill("short")
    page.get_by_role("button", name="Đăng ký").click()
    page.locator("#citizen_id-error").wait_for()
    screenshot(page, "register-errors")
    assert page.locator("#citizen_id-error").inner_text().startswith("Mã tỉnh '003'")
    assert "ít nhất 8 ký tự" in page.locator("#password-error").inner_text()
    assert page.locator("#full_name-error").is_visible()


def test_pages_switch_to_english(page_factory):
    page = page_factory()
    page.goto("/login?lang=en")
    assert page.locator("h1").inner_text() == "Sign in"
    page.goto("/register")  # the choice is remembered
    assert page.locator("h1").inner_text() == "Citizen sign-up"
