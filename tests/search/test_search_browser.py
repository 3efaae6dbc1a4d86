"""On a 360 px phone, by keyboard: the header is one line with a menu button; the officer opens the
menu, goes to "Tra cứu hồ sơ" and finds a returned dossier by the end of its code."""

from __future__ import annotations

from tests.web import browser_sign_in


def _focus(page, role: str, name: str, presses: int = 25) -> None:
    """Tab until the element with this role and name has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == name:
            return
    raise AssertionError(f"no {role} {name!r} reached by Tab")


def test_officer_on_a_phone_opens_the_menu_and_finds_a_returned_dossier(births, page_factory, screenshot):
    returned = births["returned"].code
    page = browser_sign_in(page_factory(width=360, height=740), "tn.candang")
    header, menu = page.locator("header.top"), page.get_by_role("button", name="Menu")
    assert header.bounding_box()["height"] <= 64  # one line, not a third of the screen
    assert menu.get_attribute("aria-expanded") == "false" and not page.locator("#site-nav").is_visible()
    screenshot(page, "header-phone-closed-360")

    page.locator("body").focus()
    _focus(page, "button", "☰ Menu")
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Tra cứu hồ sơ").is_visible()
    screenshot(page, "header-phone-open-360")
    page.keyboard.press("Escape")  # closes, the focus back on the button
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-nav"
    page.keyboard.press("Enter")
    _focus(page, "link", "Tra cứu hồ sơ")
    page.keyboard.press("Enter")
    page.wait_for_url("**/work/search")

    assert page.evaluate("document.activeElement.id") == "q"  # the search box has the focus
    page.keyboard.type("-".join(returned.rsplit("-", 2)[1:]))  # "261203-0001": day and serial
    page.keyboard.press("Enter")
    page.wait_for_url("**q=*")
    found = page.locator(f'a[href="/work/dossiers/{returned}"]')
    assert found.is_visible() and "Đã trả kết quả" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    screenshot(page, "search-phone-360")
    found.click()
    page.wait_for_url(f"**/work/dossiers/{returned}")
