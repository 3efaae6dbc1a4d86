"""Admin pages in Debian's Chromium at desktop and phone width: nothing wider than a 360 px screen,
and a staff account can be created with the keyboard. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests.web import browser_sign_in

PAGES = {"users": "/admin/users", "units": "/admin/units", "calendar": "/admin/calendar?year=2026"}


def _sign_in(page) -> None:
    browser_sign_in(page, "admin")


@pytest.mark.parametrize("width", [1280, 360])
def test_admin_pages_fit_the_screen(page_factory, screenshot, user, width):
    page = page_factory(width=width, height=800)
    _sign_in(page)
    officer = user("cv.candang")
    forms = {
        "user-new": "/admin/users/new",
        "user-edit": f"/admin/users/{officer.id}",
        "unit-new": "/admin/units/new",
        "unit-edit": f"/admin/units/{officer.unit_id}",
    }
    for name, url in {**PAGES, **forms}.items():
        page.goto(url)
        screenshot(page, f"admin-{name}-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name


def test_admin_creates_a_staff_account_by_keyboard_on_a_phone(page_factory, screenshot):
    page = page_factory(width=360, height=740)
    _sign_in(page)
    page.get_by_role("button", name="Menu").click()  # on a phone the links are behind the menu button
    page.get_by_role("link", name="Quản trị", exact=True).click()
    page.get_by_role("link", name="Tạo tài khoản cán bộ").click()
    page.get_by_label("Tên đăng nhập").fill("tn.vinhhanh")
    page.keyboard.press("Tab")
    page.keyboard.type("Lê Thị Ngọc")
    page.get_by_label("Vai trò").select_option("reception")
    page.get_by_label("Đơn vị").select_option("000.22.30.H01")
    page.get_by_label("Mật khẩu ban đầu (ít nhất 8 ký tự)").fill("matkhau123")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/admin/users/new" not in url)
    screenshot(page, "admin-user-created-360")
    assert "Đã tạo tài khoản tn.vinhhanh" in page.content()
    assert page.locator("h1").inner_text() == "Lê Thị Ngọc"


def test_deactivating_an_account_asks_first(page_factory, make_user):
    from app.auth.models import User
    from app.extensions import db

    officer = make_user("specialist")
    page = page_factory()
    _sign_in(page)
    page.goto(f"/admin/users/{officer.id}")
    questions = []

    def answer(dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.get_by_role("button", name="Ngừng kích hoạt").click()
    page.wait_for_timeout(300)
    db.session.expire_all()
    assert questions == ["Ngừng kích hoạt tài khoản này? Người dùng sẽ không đăng nhập được nữa."]
    assert db.session.get(User, officer.id).is_active_account

    page.once("dialog", lambda dialog: answer(dialog, True))
    with page.expect_navigation():
        page.get_by_role("button", name="Ngừng kích hoạt").click()
    db.session.expire_all()
    assert len(questions) == 2 and not db.session.get(User, officer.id).is_active_account
