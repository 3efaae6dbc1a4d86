"""The workspace pages in headless Debian Chromium at desk (1280 px) and phone (360 px) widths:
nothing overflows sideways, the action forms open by keyboard, the preview shows the file."""

from __future__ import annotations

import pytest

from tests.factories import act
from tests.web import browser_sign_in

pytestmark = pytest.mark.usefixtures("in_process_jobs")


def _sign_in(page, login: str) -> None:
    browser_sign_in(page, login)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 360])
def test_workspace_page_and_preview_fit_the_screen(birth, user, page_factory, screenshot, width):
    act(birth, "accept", user("tn.candang"))
    page = page_factory(width=width, height=900)
    _sign_in(page, "ld.candang")
    page.goto(f"/work/dossiers/{birth.code}")
    page.wait_for_selector("#phieu a.btn", timeout=30_000)  # Mẫu 01 rendered, the list refreshed itself
    _no_sideways_scroll(page)
    page.focus("#act-assign > summary")
    page.keyboard.press("Enter")
    assert page.is_visible("#act-assign select[name=assignee]")
    screenshot(page, f"workspace-dossier-{width}")
    page.click("#giay-to a:text('Xem')")
    page.wait_for_selector("iframe.preview, img.preview-img")
    _no_sideways_scroll(page)
    screenshot(page, f"workspace-preview-{width}")


@pytest.mark.parametrize("width", [1280, 360])
def test_intake_page_fits_the_screen(page_factory, screenshot, width):
    page = page_factory(width=width, height=900)
    _sign_in(page, "tn.candang")
    page.goto("/work/intake")
    _no_sideways_scroll(page)
    page.click("a:text('Đăng ký khai sinh')")
    page.wait_for_selector("input[name=name]")
    _no_sideways_scroll(page)
    screenshot(page, f"workspace-intake-{width}")
