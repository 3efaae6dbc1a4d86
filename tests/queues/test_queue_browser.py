"""The queue page in headless Chromium on a 360 px phone: usable, nothing wider than the screen,
search by keyboard."""

from __future__ import annotations

from tests.web import browser_sign_in


def test_queue_on_a_phone_by_keyboard(page_factory, screenshot, clock, new_dossier, walk):
    clock.at("2026-12-07 07:10")
    waiting = new_dossier()
    clock.at("2026-12-07 07:20")
    accepted = walk(new_dossier(), "accept")
    page = page_factory(width=360, height=740)
    browser_sign_in(page, "tn.candang")
    page.goto("/work")
    page.wait_for_url("**/work/queues/reception")
    assert page.locator(f'a[href="/work/dossiers/{waiting.code}"]').is_visible()
    screenshot(page, "queue-reception-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("document.activeElement.id") == "q"  # the search box has the focus
    page.keyboard.type("nguyen thi anh")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=nguyen*")
    assert page.locator(f'a[href="/work/dossiers/{accepted.code}"]').is_visible()
